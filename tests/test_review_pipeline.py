"""Export → fill → drop → stored → the next pass respects every answer, through real passes."""

import json
from datetime import date

import duckdb

from data.generator import generate
from pipelines.passes import run_pass
from review_support import fill_sheet, read_sheet

AS_OF = date(2026, 11, 28)


def _report(root, request_id, household_id):
    [path] = list((root / "outbox").rglob(f"{request_id}/{household_id}.json"))
    return json.loads(path.read_text(encoding="utf-8"))


def test_answers_dropped_back_are_stored_and_respected_by_the_next_pass(tmp_path):
    root = tmp_path / "root"
    generate(root, households=60, seed=31, as_of=AS_OF)
    run_pass(root, as_of=AS_OF, include_rolls=False)
    sheets = sorted((root / "outbox").glob("*/REQ-*/review.xlsx"))
    assert sheets, "the demo requests should raise at least one review question"
    sheet = sheets[0]
    agency, request_id = sheet.parent.parent.name, sheet.parent.name
    cells = read_sheet(sheet)
    col = {h: i for i, h in enumerate(cells[0])}
    rows = cells[1:]
    assert rows
    confirm = rows[0][col["记录编号"]]
    deny = next((r[col["记录编号"]] for r in rows[1:] if r[col["记录编号"]] != confirm), None)  # another record
    answers = {confirm: ("确认", "张科员", "核实为本人")}
    if deny:
        answers[deny] = ("否认", "张科员", "同名他人")
    fill_sheet(sheet, root / "inbox" / agency / "review_answers.xlsx", answers)

    second = run_pass(root, as_of=AS_OF, include_rolls=False)
    assert second["files_loaded"] >= 1
    # a sheet taken in whole is acknowledged too (a review probe's clerks heard nothing back)
    assert any("review_answers.xlsx: review sheet: " in m and "0 problem(s)" in m for m in second["messages"])

    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        stored = dict(con.execute("SELECT record_id, decision FROM review_decisions").fetchall())
        sheet_rows = con.execute("SELECT rows_loaded FROM files WHERE path LIKE '%review_answers.xlsx'").fetchall()
        decisions = dict(con.execute("SELECT record_id, decision FROM links WHERE request_id = ? "
                                     "AND record_id IN (SELECT record_id FROM review_decisions)",
                                     [request_id]).fetchall())
    assert stored[confirm] == "confirmed" and decisions[confirm] == "confirmed"
    assert sheet_rows == [(len(answers),)], "the sheet's answers are its rows loaded (an analyst probe read 0)"
    if deny:
        assert stored[deny] == "denied" and deny not in decisions

    # The regenerated report shows the decision and counts the confirmed record like `auto`.
    households = {h for h, in duckdb.connect(str(root / "warehouse.duckdb"), read_only=True).execute(
        "SELECT household_id FROM review_decisions WHERE record_id = ?", [confirm]).fetchall()}
    doc = _report(root, request_id, households.pop())
    matches = {m["record_id"]: m["decision"] for x in doc["members"] for m in x["matches"]}
    assert matches[confirm] == "confirmed"
    if deny:
        assert deny not in matches

    # A later pass never proposes the denied pair again.
    third = run_pass(root, as_of=AS_OF)
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        if deny:
            assert not con.execute("SELECT count(*) FROM links WHERE record_id = ? AND request_id = ?",
                                   [deny, request_id]).fetchall()[0][0]
    assert third["status"] == "completed"


def test_every_open_question_of_an_agency_stays_on_its_standing_sheet(tmp_path):
    """A sheet answered in part (one 无法确定, others blank) left its folder with no sheet while the
    questions stayed open (a probe): outbox/<agency>/review-open/ always holds them all."""
    root = tmp_path / "root"
    generate(root, households=60, seed=31, as_of=AS_OF)
    run_pass(root, as_of=AS_OF, include_rolls=False)
    sheet = sorted((root / "outbox").glob("*/REQ-*/review.xlsx"))[0]
    agency = sheet.parent.parent.name
    standing = root / "outbox" / agency / "review-open" / "review.xlsx"
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        open_before = {r for (r,) in con.execute("SELECT record_id FROM review_queue WHERE agency = ?",
                                                 [agency]).fetchall()}
    assert {r[read_sheet(standing)[0].index("记录编号")] for r in read_sheet(standing)[1:]} == open_before
    cells = read_sheet(sheet)
    col = {h: i for i, h in enumerate(cells[0])}
    first = cells[1][col["记录编号"]]
    fill_sheet(sheet, root / "inbox" / agency / "review_answers.xlsx", {first: ("无法确定", "张科员", "")})
    run_pass(root, as_of=AS_OF, include_rolls=False)
    listed = {r[read_sheet(standing)[0].index("记录编号")] for r in read_sheet(standing)[1:]}
    assert first in listed and listed == open_before
    # the request's own sheet, rewritten with the answered household's report, keeps its other
    # open questions too (a review probe's lost three and, another time, vanished)
    request_id = sheet.parent.name
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        open_here = {r for (r,) in con.execute("SELECT record_id FROM review_queue WHERE request_id = ?",
                                               [request_id]).fetchall()}
    cells = read_sheet(sheet) if sheet.exists() else [["记录编号"]]
    assert {r[cells[0].index("记录编号")] for r in cells[1:]} == open_here


def test_a_household_on_the_rolls_gets_its_report_again_once_its_answers_are_in(tmp_path):
    """The nightly writes a report only with an alert: a caseworker's confirmation changed a
    household's income while its outbox report still said 'review' (a probe)."""
    from datetime import timedelta

    root = tmp_path / "root"
    generate(root, households=60, seed=31, as_of=AS_OF)
    run_pass(root, as_of=AS_OF)
    sheet = sorted((root / "outbox").glob("*/nightly-*/review.xlsx"))[0]
    agency = sheet.parent.parent.name
    cells = read_sheet(sheet)
    col = {h: i for i, h in enumerate(cells[0])}
    record, household = cells[1][col["记录编号"]], cells[1][col["家庭编号"]]
    fill_sheet(sheet, root / "inbox" / agency / "review_answers.xlsx", {record: ("确认", "张科员", "")})
    day2 = AS_OF + timedelta(days=1)
    path = root / "outbox" / agency / f"nightly-{day2:%Y%m%d}" / f"{household}.json"
    # an inbox-only pass takes the answer in and leaves the rolls to the nightly (a probe's wrote a nightly
    # folder of rolls reports with no alerts; the nightly after it must still re-verify the household)
    run_pass(root, as_of=day2, include_rolls=False)
    assert not path.parent.exists()
    summary = run_pass(root, as_of=day2)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert {m["record_id"]: m["decision"] for x in doc["members"] for m in x["matches"]}[record] == "confirmed"
    # an analyst probe: the answered households were re-verified and still counted unchanged
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        verified, on_rolls, unchanged = con.execute(
            "SELECT (SELECT count(DISTINCT (request_id, household_id)) FROM audit WHERE run_id = $r), "
            "(SELECT count(DISTINCT (request_id, household_id)) FROM rolls_current), "
            "(SELECT households_unchanged FROM runs WHERE run_id = $r)", {"r": summary["run_id"]}).fetchall()[0]
    finally:
        con.close()
    assert verified >= 1 and unchanged == on_rolls - verified == summary["households_unchanged"]
    # and the agency's summary counts them re-verified (a probe's said 0 beside an answer's)
    said = sum(int(p.read_text(encoding="utf-8").split("re-verified: ")[1].split("；")[0])
               for p in (root / "outbox").glob(f"*/nightly-{day2:%Y%m%d}/summary.txt"))
    assert said == verified


def test_the_standing_sheet_follows_its_questions_when_no_report_of_its_agency_is_written(tmp_path):
    """A review probe: a rolls snapshot renumbering a household moved a question to member 2
    while review-open still said member 1, and answering it was refused with advice to answer
    that same sheet. The standing sheet is rewritten whenever its questions change."""
    from pipelines.context import PassContext
    from pipelines.publish import _write_open_questions

    root = tmp_path / "root"
    generate(root, households=60, seed=31, as_of=AS_OF)
    run_pass(root, as_of=AS_OF, include_rolls=False)
    standing = sorted((root / "outbox").glob("*/review-open/review.xlsx"))[0]
    agency = standing.parent.parent.name
    header, *rows = read_sheet(standing)
    first = rows[0][header.index("记录编号")]
    ctx = PassContext.open(root, as_of=AS_OF)
    try:
        ctx.con.execute("UPDATE links SET decision = 'auto' WHERE record_id = ? AND decision = 'review'", [first])
        _write_open_questions(ctx, set())          # no report of the agency written in this pass
        open_now = {r for (r,) in ctx.con.execute("SELECT record_id FROM review_queue WHERE agency = ?",
                                                  [agency]).fetchall()}
    finally:
        ctx.close()
    header, *rows = read_sheet(standing)
    listed = {r[header.index("记录编号")] for r in rows}
    assert first not in listed and listed == open_now


def test_a_requests_own_sheet_keeps_the_questions_of_households_a_later_pass_did_not_rewrite(tmp_path):
    """A review probe: a request's review.xlsx, rewritten by a pass that wrote one household's
    report again (its question answered 无法确定), lost the other households' open questions."""
    from ops_support import REQUEST_FIELDS, query, write_csv

    root = tmp_path / "root"
    generate(root, households=60, seed=31, as_of=AS_OF)
    run_pass(root, as_of=AS_OF, include_rolls=False)
    asked = [r["household_id"] for r in query(root, "SELECT DISTINCT household_id FROM review_queue ORDER BY 1")]
    members = query(root, "SELECT * REPLACE (id_raw AS id_number) FROM applicant_members "
                          "WHERE household_id IN (SELECT unnest(?)) ORDER BY household_id, member_no", [asked])
    agency = members[0]["agency"]
    write_csv(root / "inbox" / agency / "both.csv",
              [{**{f: m[f] for f in REQUEST_FIELDS}, "request_id": "REQ-BOTH", "agency": agency} for m in members])
    run_pass(root, as_of=AS_OF, include_rolls=False)
    open_here = {r["household_id"] for r in query(root, "SELECT household_id FROM review_queue "
                                                        "WHERE request_id = 'REQ-BOTH'")}
    assert len(open_here) >= 2, "the case needs questions in two households of the request"
    sheet = root / "outbox" / agency / "REQ-BOTH" / "review.xlsx"
    cells = read_sheet(sheet)
    col = {h: i for i, h in enumerate(cells[0])}
    assert {r[col["家庭编号"]] for r in cells[1:]} == open_here
    first = cells[1][col["记录编号"]]
    fill_sheet(sheet, root / "inbox" / agency / "answers.xlsx", {first: ("无法确定", "张科员", "")})
    run_pass(root, as_of=AS_OF, include_rolls=False)
    cells = read_sheet(sheet)
    assert {r[cells[0].index("家庭编号")] for r in cells[1:]} == open_here
