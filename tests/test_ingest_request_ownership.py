"""A request_id belongs to the agency that filed it first (black-box probe: agency agB's own
`RQ1` replaced agA's member 张三, took agA's household out of `household_assessment`, and agB's
report listed agA's 李四; with another household id agA's request was answered again, unasked).

The warehouse keys requests by request_id alone, so another agency's rows under an id already
taken are row errors: quarantined with the reason, the rest of the file loads, the owner's
request is left exactly as it was, and the sender gets the usual row-error note.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from connectors.values.idnumber import check_char
from pipelines.passes import run_pass

from ops_support import query, write_csv

AS_OF = date(2026, 11, 28)
FIELDS = ("request_id", "agency", "program", "household_id", "county_code", "member_no", "name", "id_number",
          "relation", "consent_ref")
TAKEN = "is already a request of agency 'agA'; request ids are shared by all agencies: give this request an id of its own"


def _id(birth: str, seq: str) -> str:
    first17 = f"140105{birth}{seq}"
    return first17 + check_char(first17)


def _row(request_id: str, household: str, no: int, name: str, birth: str, agency: str = "",
         relation: str = "户主") -> dict:
    return {"request_id": request_id, "agency": agency, "program": "dibao", "household_id": household,
            "county_code": "140105", "member_no": no, "name": name, "id_number": _id(birth, f"{no:02d}1"),
            "relation": relation, "consent_ref": f"SQ-{household}-{no}"}


AGA_RQ1 = [_row("RQ1", "HA", 1, "张三", "19800101"), _row("RQ1", "HA", 2, "李四", "19820202", relation="配偶"),
           _row("RQ1", "HB", 1, "王五", "19750303")]


def _drop(root: Path, rel: str, rows: list[dict], mtime_s: int | None = None) -> Path:
    path = write_csv(root / rel, rows, FIELDS)
    if mtime_s is not None:
        os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))
    return path


def _inbox_pass(root: Path) -> dict:
    return run_pass(root, as_of=AS_OF, include_rolls=False, landing=False, snapshot_mode="off")


def _members(root: Path, request_id: str = "RQ1") -> list[tuple]:
    return [tuple(r.values()) for r in query(
        root, "SELECT agency, household_id, member_no, name FROM applicant_members WHERE request_id = ? ORDER BY ALL",
        [request_id])]


def _assessed(root: Path, request_id: str = "RQ1") -> dict:
    return {r["household_id"]: (r["agency"], r["run_id"]) for r in query(
        root, "SELECT household_id, agency, run_id FROM household_assessment WHERE request_id = ?", [request_id])}


def _outbox(root: Path, agency: str, request_id: str) -> dict:
    folder = root / "outbox" / agency / request_id
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def test_another_agencys_rows_under_a_taken_request_id_are_quarantined_and_the_owners_request_is_untouched(tmp_path):
    root = tmp_path / "root"
    _drop(root, "inbox/agA/req.csv", AGA_RQ1)
    _inbox_pass(root)
    members, assessed, reports = _members(root), _assessed(root), _outbox(root, "agA", "RQ1")
    assert members == [("agA", "HA", 1, "张三"), ("agA", "HA", 2, "李四"), ("agA", "HB", 1, "王五")]

    _drop(root, "inbox/agB/req.csv", [_row("RQ1", "HA", 1, "陈大", "19700505"),
                                      _row("RQ2", "HX", 1, "赵六", "19600606")])
    summary = _inbox_pass(root)

    assert _members(root) == members and _assessed(root) == assessed and _outbox(root, "agA", "RQ1") == reports
    assert query(root, "SELECT count(*) AS n FROM requests WHERE request_id = 'RQ1'")[0]["n"] == 1
    assert not (root / "outbox" / "agB" / "RQ1").exists()
    # the good row of the same file is answered as usual
    assert _members(root, "RQ2") == [("agB", "HX", 1, "赵六")] and set(_outbox(root, "agB", "RQ2")) == {"HX.json"}
    assert all("李四" not in p.read_text(encoding="utf-8") for p in (root / "outbox" / "agB").rglob("*.json"))
    bad = query(root, "SELECT agency, row_number, field, reason, raw_value FROM quarantine")
    assert bad == [{"agency": "agB", "row_number": 1, "field": "request_id", "raw_value": "RQ1",
                    "reason": f"request_id 'RQ1' {TAKEN}"}]
    assert summary["rows_quarantined"] == 1
    note = (root / "rejected" / "agB" / "req.csv.error.txt").read_text(encoding="utf-8")
    assert f"request_id 'RQ1' {TAKEN}" in note and "outbox/agB/RQ2/" in note
    assert "not answered until the corrected rows arrive" not in note   # no correction of RQ1 is awaited


def test_another_agencys_rows_in_the_same_pass_neither_hold_the_owners_household_nor_join_its_request(tmp_path):
    """agA's file written first, agB's after it, one pass: agB's member 3 of HA (rejected) must not
    hold agA's HA until a 'corrected' member 3 arrives, and agB's HC is no household of RQ1."""
    root = tmp_path / "root"
    _drop(root, "inbox/agA/req.csv", AGA_RQ1, mtime_s=1_760_000_000)
    _drop(root, "inbox/agB/req.csv", [_row("RQ1", "HA", 3, "陈大", "19700505"),
                                      _row("RQ1", "HC", 1, "赵六", "19600606")], mtime_s=1_760_000_100)
    summary = _inbox_pass(root)
    assert set(_assessed(root)) == {"HA", "HB"}
    assert set(_outbox(root, "agA", "RQ1")) == {"HA.json", "HB.json"}
    assert not any("not answered until" in m for m in summary["messages"])
    assert [m["name"] for m in json.loads((root / "outbox/agA/RQ1/HA.json").read_text("utf-8"))["members"]] \
        == ["张三", "李四"]
    assert _members(root) == [("agA", "HA", 1, "张三"), ("agA", "HA", 2, "李四"), ("agA", "HB", 1, "王五")]
    assert not (root / "outbox" / "agB").exists()


def test_another_agencys_new_household_under_a_taken_request_id_does_not_answer_the_owners_request_again(tmp_path):
    root = tmp_path / "root"
    _drop(root, "inbox/agA/req.csv", AGA_RQ1)
    _inbox_pass(root)
    assessed, reports = _assessed(root), _outbox(root, "agA", "RQ1")
    mtimes = {p.name: p.stat().st_mtime_ns for p in (root / "outbox" / "agA" / "RQ1").iterdir()}
    _drop(root, "inbox/agB/req.csv", [_row("RQ1", "HC", 1, "赵六", "19600606")])
    summary = _inbox_pass(root)
    assert summary["households_verified"] == 0 and summary["reports_written"] == 0
    assert _assessed(root) == assessed and _outbox(root, "agA", "RQ1") == reports
    assert {p.name: p.stat().st_mtime_ns for p in (root / "outbox" / "agA" / "RQ1").iterdir()} == mtimes
    assert (root / "rejected" / "agB" / "req.csv.error.txt").exists()


ROLLS_FIELDS = FIELDS


def _rolls_pass(root: Path) -> dict:
    return run_pass(root, as_of=AS_OF, snapshot_mode="off")


def test_a_rolls_row_under_another_agencys_inbox_request_id_is_quarantined(tmp_path):
    """A rolls request sharing agA's id took agA's household out of household_assessment (the view
    hides households of a rolls request that are not on the current roll)."""
    root = tmp_path / "root"
    _drop(root, "inbox/agA/req.csv", AGA_RQ1)
    _inbox_pass(root)
    assessed, members = _assessed(root), _members(root)
    _drop(root, "landing/rolls/rolls_20261128.csv",
          [_row("RQ1", "HR", 1, "陈大", "19700505", agency="agB"),
           _row("ROLL-140105-000001", "HS", 1, "孙七", "19550707", agency="agB")])
    summary = _rolls_pass(root)
    assert _assessed(root) == assessed and _members(root) == members
    assert query(root, "SELECT count(*) AS n FROM requests WHERE request_id = 'RQ1'")[0]["n"] == 1
    assert [r["household_id"] for r in query(root, "SELECT DISTINCT household_id FROM rolls_current")] == ["HS"]
    assert "HS" in _assessed(root, "ROLL-140105-000001")
    bad = query(root, "SELECT source, row_number, field, reason FROM quarantine")
    assert bad == [{"source": "rolls", "row_number": 1, "field": "request_id", "reason": f"request_id 'RQ1' {TAKEN}"}]
    assert summary["rows_quarantined"] == 1
    note = (root / "rejected" / "rolls" / "rolls_20261128.csv.error.txt").read_text(encoding="utf-8")
    assert f"request_id 'RQ1' {TAKEN}" in note


def test_two_agencies_in_one_rolls_snapshot_under_one_request_id_the_first_keeps_it(tmp_path):
    root = tmp_path / "root"
    _drop(root, "landing/rolls/rolls_20261128.csv",
          [_row("ROLL-9", "HA", 1, "张三", "19800101", agency="agA"),
           _row("ROLL-9", "HA", 2, "李四", "19820202", agency="agA", relation="配偶"),
           _row("ROLL-9", "HA", 3, "陈大", "19700505", agency="agB", relation="其他"),
           _row("ROLL-9", "HB", 1, "赵六", "19600606", agency="agB"),
           _row("ROLL-10", "HC", 1, "孙七", "19550707", agency="agB")])
    _rolls_pass(root)
    assert [tuple(r.values()) for r in query(
        root, "SELECT agency, household_id, member_no, name FROM rolls_current ORDER BY ALL")] == [
        ("agA", "HA", 1, "张三"), ("agA", "HA", 2, "李四"), ("agB", "HC", 1, "孙七")]
    assert set(_assessed(root, "ROLL-9")) == {"HA"} and set(_assessed(root, "ROLL-10")) == {"HC"}
    assert [m["name"] for m in json.loads(next((root / "outbox" / "agA").rglob("HA.json")).read_text("utf-8"))[
        "members"]] == ["张三", "李四"]
    # agA's household is not held for agB's row; agB's own household is (its only row was rejected),
    # and agB is told (a probe's agB heard of HB only in rejected/rolls/)
    assert [r["household_id"] for r in query(root, "SELECT household_id FROM rolls_held")] == ["HB"]
    assert [tuple(r.values()) for r in query(root, "SELECT agency, request_id, household_id FROM alerts "
                                                   "WHERE kind = 'rolls.held'")] == [("agB", "ROLL-9", "HB")]
    bad = query(root, "SELECT row_number, field, reason FROM quarantine ORDER BY row_number")
    assert [(b["row_number"], b["field"]) for b in bad] == [(3, "request_id"), (4, "request_id")]
    assert all(b["reason"].startswith("request_id 'ROLL-9' is already a request of agency 'agA'") for b in bad)


def test_an_inbox_request_under_another_agencys_rolls_request_id_is_quarantined(tmp_path):
    root = tmp_path / "root"
    _drop(root, "landing/rolls/rolls_20261128.csv", [_row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agA")])
    _rolls_pass(root)
    assessed = _assessed(root, "ROLL-1")
    _drop(root, "inbox/agB/req.csv", [_row("ROLL-1", "HS", 2, "陈大", "19700505")])
    _inbox_pass(root)
    assert _assessed(root, "ROLL-1") == assessed and _members(root, "ROLL-1") == [("agA", "HS", 1, "孙七")]
    assert [r["reason"] for r in query(root, "SELECT reason FROM quarantine")] == [
        "request_id 'ROLL-1' is already a request of agency 'agA'; request ids are shared by all agencies: "
        "give this request an id of its own"]


def _two_snapshots(root: Path, first: list[dict], second: list[dict]) -> dict:
    """Night 1 with the `first` rolls snapshot, night 2 with the `second`; returns night 2's summary."""
    _drop(root, "landing/rolls/rolls_20261126.csv", first, mtime_s=1_760_000_000)
    _rolls_pass(root)
    _drop(root, "landing/rolls/rolls_20261127.csv", second, mtime_s=1_760_000_100)
    return _rolls_pass(root)


def test_a_rolls_household_moving_to_another_agency_keeps_its_request_id(tmp_path):
    """The rolls are full snapshots: the latest says whose household it is now."""
    root = tmp_path / "root"
    _two_snapshots(root, [_row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agA")],
                   [_row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agB")])
    assert query(root, "SELECT count(*) AS n FROM quarantine")[0]["n"] == 0
    assert [r["agency"] for r in query(root, "SELECT agency FROM rolls_current")] == ["agB"]
    # both agencies are told (a probe's agA and agB both said 'no changes today')
    told = [tuple(r.values()) for r in query(root, "SELECT agency, household_id, kind FROM alerts ORDER BY ALL")]
    assert ("agA", "HS", "rolls.left") in told and ("agB", "HS", "new_on_rolls") in told
    assert list((root / "outbox" / "agB").rglob("HS.json"))


def test_a_household_moved_to_another_agency_is_its_own_after_one_night_and_its_changes_are_compared(tmp_path):
    """A nightly probe: the move was never recorded (the report was unchanged), so the household
    stayed agA's in household_assessment and was 'new' to agB every night it changed; a car
    bought later raised another new_on_rolls, no vehicle.new."""
    root = tmp_path / "root"
    _two_snapshots(root, [_row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agA")],
                   [_row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agB")])
    assert [r["agency"] for r in query(root, "SELECT agency FROM household_assessment")] == ["agB"]
    car = {"记录编号": "V1", "机动车所有人": "孙七", "身份证号": _id("19550707", "011"), "号牌号码": "晋A12345",
           "车辆类型": "小型轿车", "初次登记日期": "2026-11-01", "机动车状态": "正常"}
    write_csv(root / "landing/vehicle/veh_20261128.csv", [car], list(car))
    _rolls_pass(root)
    kinds = [r["kind"] for r in query(root, "SELECT kind FROM alerts WHERE agency = 'agB' ORDER BY raised_at, kind")]
    assert kinds.count("new_on_rolls") == 1 and "vehicle.new" in kinds


def test_a_household_moved_to_another_agency_under_a_new_request_id_has_left_the_first(tmp_path):
    """A nightly probe: ROLL-H24 of xiaodian became ROLL-JY-H24 of jinyuan; xiaodian heard nothing."""
    root = tmp_path / "root"
    _two_snapshots(root, [_row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agA")],
                   [_row("ROLL-B-1", "HS", 1, "孙七", "19550707", agency="agB")])
    told = [tuple(r.values()) for r in query(root, "SELECT agency, request_id, kind FROM alerts ORDER BY ALL")]
    assert ("agA", "ROLL-1", "rolls.left") in told and ("agB", "ROLL-B-1", "new_on_rolls") in told


def test_a_household_moved_to_another_county_is_assessed_there_and_told(tmp_path):
    """A nightly probe: 140105 -> 140106 stayed 140105 in household_assessment, no report written."""
    root = tmp_path / "root"
    row = _row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agA")
    second = _two_snapshots(root, [row], [{**row, "county_code": "140106"}])
    assert query(root, "SELECT county_code, run_id FROM household_assessment")[0] == {
        "county_code": "140106", "run_id": second["run_id"]}
    told = query(root, "SELECT kind, message FROM alerts WHERE kind = 'household.county_changed'")
    assert len(told) == 1 and "由140105变为140106" in told[0]["message"]


def test_a_household_moved_to_another_programme_is_assessed_under_it_and_told(tmp_path):
    """A nightly probe: 特困 -> 低保 with the same figures and outcome left household_assessment
    saying tekun and its 特困 standard, no alert, no report."""
    root = tmp_path / "root"
    row = {**_row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agA"), "program": "tekun"}
    second = _two_snapshots(root, [row], [{**row, "program": "dibao"}])
    assert query(root, "SELECT program, run_id FROM household_assessment")[0] == {
        "program": "dibao", "run_id": second["run_id"]}
    told = query(root, "SELECT kind, message FROM alerts WHERE kind = 'household.program_changed'")
    assert len(told) == 1 and "由特困人员供养变为最低生活保障" in told[0]["message"]
    nightly = sorted((root / "outbox/agA").glob("nightly-*"))[-1]
    assert list(nightly.rglob("HS*.json")), "the household's report under its new programme is written"


def test_a_household_back_on_the_rolls_after_leaving_is_announced_and_reported_again(tmp_path):
    """A nightly probe: a household absent from one snapshot (rolls.left) and back in a later one
    raised nothing and got no report; household_assessment showed its month-old assessment."""
    root = tmp_path / "root"
    both = [_row("ROLL-1", "HS", 1, "孙七", "19550707", agency="agA"),
            _row("ROLL-2", "HT", 1, "周八", "19600808", agency="agA")]
    _drop(root, "landing/rolls/rolls_20261126.csv", both, mtime_s=1_760_000_000)
    _rolls_pass(root)
    _drop(root, "landing/rolls/rolls_20261127.csv", both[:1], mtime_s=1_760_000_100)
    _rolls_pass(root)
    _drop(root, "landing/rolls/rolls_20261128.csv", list(reversed(both)), mtime_s=1_760_000_200)
    third = _rolls_pass(root)
    told = query(root, "SELECT kind, message FROM alerts WHERE household_id = 'HT' ORDER BY raised_at")
    assert [r["kind"] for r in told] == ["new_on_rolls", "rolls.left", "new_on_rolls"]
    assert "重新纳入名册" in told[-1]["message"]
    assert query(root, "SELECT run_id FROM household_assessment WHERE household_id = 'HT'")[0]["run_id"] == \
        third["run_id"]


def test_the_agency_that_wrote_its_request_first_keeps_the_id_whatever_the_folder_names(tmp_path):
    """agB's file, written at 09:00, and agA's, at 10:00, in one pass: agB filed RQ1 first (a
    probe's agB was refused because 'agA' sorts before 'agB')."""
    root = tmp_path / "root"
    _drop(root, "inbox/agB/b.csv", [_row("RQ1", "HX", 1, "赵六", "19600606")], mtime_s=1_760_000_000)
    _drop(root, "inbox/agA/a.csv", AGA_RQ1, mtime_s=1_760_003_600)
    _inbox_pass(root)
    assert _members(root) == [("agB", "HX", 1, "赵六")]
    assert (root / "rejected" / "agA" / "a.csv.error.txt").exists()


def test_a_row_filed_for_another_agency_names_its_request_household_and_member_in_the_note(tmp_path):
    root = tmp_path / "root"
    _drop(root, "inbox/agA/req.csv", [_row("RQ5", "HA1", 1, "张三", "19800101"),
                                      _row("RQ5", "HA1", 2, "李四", "19820202", agency="agB", relation="配偶")])
    _inbox_pass(root)
    bad = query(root, "SELECT row_number, field, raw_row FROM quarantine")
    assert [(b["row_number"], b["field"]) for b in bad] == [(2, "agency")]
    assert json.loads(bad[0]["raw_row"])["household_id"] == "HA1"
    note = (root / "rejected" / "agA" / "req.csv.error.txt").read_text(encoding="utf-8")
    line = next(x for x in note.splitlines() if "does not match the inbox folder" in x)
    assert "RQ5" in line and "HA1" in line


def test_an_agencys_inbox_household_under_its_rolls_request_id_stays_in_the_current_assessments(tmp_path):
    """Only a household that was on the rolls can leave them (a probe's inbox household HY, filed
    under its agency's rolls id, was answered but missing from household_assessment)."""
    root = tmp_path / "root"
    _drop(root, "landing/rolls/rolls_20261128.csv", [_row("RR1", "HM", 1, "孙七", "19550707", agency="agA")])
    _rolls_pass(root)
    _drop(root, "inbox/agA/req.csv", [_row("RR1", "HY", 1, "陈大", "19700505")])
    _inbox_pass(root)
    assert set(_assessed(root, "RR1")) == {"HM", "HY"}


def test_a_request_dropped_in_another_agencys_folder_and_moved_to_its_own_is_answered_there(tmp_path):
    """An inbox probe: a request naming its own agency, dropped in another's folder, had every row
    refused; moved to the right folder, it was refused as "already delivered … and answered there"."""
    root = tmp_path / "root"
    rows = [{**r, "agency": "agB"} for r in AGA_RQ1]
    wrong = _drop(root, "inbox/agA/req.csv", rows)
    _inbox_pass(root)
    assert _members(root) == [] and (root / "rejected" / "agA" / "req.csv.error.txt").exists()
    right = root / "inbox" / "agB" / "req.csv"
    right.parent.mkdir(parents=True, exist_ok=True)
    wrong.rename(right)
    _inbox_pass(root)
    assert [m[:2] for m in _members(root)] == [("agB", "HA"), ("agB", "HA"), ("agB", "HB")]
    assert set(_outbox(root, "agB", "RQ1")) == {"HA.json", "HB.json"}


def test_a_household_leaving_one_agencys_roll_is_told_though_another_agency_has_the_same_number(tmp_path):
    """A degenerate-data probe: agency_x's and agency_y's own HH-001; the next snapshot kept only
    agency_x's, and agency_y's household left the rolls without a word."""
    root = tmp_path / "root"
    _two_snapshots(root, [_row("ROLL-X", "HH-001", 1, "孙七", "19550707", agency="agX"),
                          _row("ROLL-Y", "HH-001", 1, "周八", "19600808", agency="agY")],
                   [_row("ROLL-X", "HH-001", 1, "孙七", "19550707", agency="agX")])
    told = [tuple(r.values()) for r in query(root, "SELECT agency, household_id, kind, message FROM alerts "
                                                   "WHERE kind = 'rolls.left' ORDER BY ALL")]
    assert [t[:3] for t in told] == [("agY", "HH-001", "rolls.left")]
    assert "转入" not in told[0][3]      # not "moved to agX's roll": another household of that number
