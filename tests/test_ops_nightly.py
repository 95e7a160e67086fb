"""The nightly over two simulated days: only what new data could change is re-verified, and the
changes come out as alerts with the changed households' full reports."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from data.generator import generate
from pipelines.changes import compare
from pipelines.passes import run_pass
from reports.masking import find_full_ids

from ops_support import query, write_csv

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 21)
NIGHTLY1, NIGHTLY2 = "nightly-20261120", "nightly-20261121"


def _members(root):
    return query(root, """
        SELECT r.request_id, r.household_id, r.agency, r.member_no, r.name, r.id_number, h.program,
               h.monthly_income_per_capita AS ipc, h.income_standard AS std, h.members, h.vehicles, h.properties
        FROM rolls_current r JOIN household_assessment h USING (request_id, household_id)
        WHERE r.id_status = 'valid' AND coalesce(r.consent_ref, '') <> '' AND r.relation = '户主'
        ORDER BY r.household_id""")


@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    root = tmp_path_factory.mktemp("nightly") / "root"
    generate(root, households=40, seed=17, as_of=DAY1)
    day1 = run_pass(root, as_of=DAY1, kind="nightly")
    heads = _members(root)
    a = next(m for m in heads if m["vehicles"] == 0)
    b = next(m for m in heads if m["properties"] == 0 and m["household_id"] != a["household_id"])
    c = next(m for m in heads if m["program"] == "dibao" and m["ipc"] < m["std"]
             and m["household_id"] not in (a["household_id"], b["household_id"]))
    write_csv(root / "landing" / "vehicle" / "jdc_delta_20261120.csv", [
        {"record_id": "V-DELTA-1", "name": a["name"], "id_number": a["id_number"], "plate_number": "晋A9Z001",
         "vehicle_type": "小型轿车", "registration_date": "2026-11-19", "purchase_price": "98000", "status": "正常"}])
    write_csv(root / "landing" / "property" / "bdc_delta_20261120.csv", [
        {"record_id": "P-DELTA-1", "name": b["name"], "id_number": b["id_number"],
         "certificate_number": "晋(2026)太原市不动产权第9000001号", "location": "太原市小店区测试路1号",
         "usage": "住宅", "floor_area": "88.5", "share": "1", "registration_date": "2026-11-18", "status": "现势"}])
    wage = round(float(c["std"]) * int(c["members"]) * 12 + 1200, 2)  # lifts a year's average over the standard
    write_csv(root / "landing" / "tax" / "iit_delta_20261120.csv", [
        {"record_id": "T-DELTA-1", "name": c["name"], "id_number": c["id_number"], "period": "2026-10",
         "income_item": "工资薪金", "income_amount": str(wage), "tax_paid": "0", "withholding_agent": "新雇主有限公司"}])
    day2 = run_pass(root, as_of=DAY2, kind="nightly")
    return root, day1, day2, {"vehicle": a, "property": b, "income": c}


def _alerts(root, day):
    return query(root, "SELECT household_id, kind, severity, message, report_path FROM alerts WHERE as_of = ? "
                       "ORDER BY household_id, kind", [day])


def test_day_one_verifies_every_household_on_the_rolls_and_reports_them_as_new(two_days):
    root, day1, _, _ = two_days
    on_rolls = query(root, "SELECT count(DISTINCT household_id) AS n FROM rolls_current")[0]["n"]
    assert day1["rolls"] == "full: first comparison of the rolls" and day1["households_unchanged"] == 0
    new = [a for a in _alerts(root, DAY1) if a["kind"] == "new_on_rolls"]
    assert len(new) == on_rolls == day1["households_changed"]
    reports = {p.stem for p in (root / "outbox").glob(f"*/{NIGHTLY1}/HH*.json")}
    assert reports == {a["household_id"] for a in new}
    # a household the first check finds out of the conditions is a warning, not news only (a programmes
    # probe's first night listed three failing households, one to be withdrawn, as information, "warn 0")
    failing = {r["household_id"] for r in query(root, "SELECT household_id FROM household_facts "
                                                      "WHERE as_of = ? AND outcome = 'fail'", [DAY1])}
    assert failing and {a["household_id"] for a in new if a["severity"] == "warn"} == failing
    assert all("请核实是否应退出" in a["message"] for a in new if a["severity"] == "warn")


def test_day_two_reverifies_only_what_new_rows_could_change(two_days):
    root, _, day2, picked = two_days
    on_rolls = query(root, "SELECT count(DISTINCT household_id) AS n FROM rolls_current")[0]["n"]
    assert day2["rolls"] == "incremental" and day2["files_loaded"] == 3
    reverified = on_rolls - day2["households_unchanged"]
    assert 3 <= reverified < on_rolls / 2
    latest = {r["household_id"]: r["run_id"] for r in query(
        root, "SELECT household_id, run_id FROM household_facts_latest")}
    untouched = [h for h, run in latest.items() if run == latest[picked["vehicle"]["household_id"]]]
    assert len(untouched) == reverified  # the others keep day one's facts and assessment


@pytest.mark.parametrize("change, kinds", [
    ("vehicle", {"vehicle.new"}),
    ("property", {"property.new"}),
    ("income", {"income.source_new", "income.crossed_standard"}),
])
def test_each_change_raises_its_alert_with_the_full_report(two_days, change, kinds):
    root, _, _, picked = two_days
    hh = picked[change]
    raised = {a["kind"]: a for a in _alerts(root, DAY2) if a["household_id"] == hh["household_id"]}
    assert kinds <= set(raised), raised
    folder = root / "outbox" / hh["agency"] / NIGHTLY2
    doc = json.loads((folder / f"{hh['household_id']}.json").read_text(encoding="utf-8"))
    assert kinds <= {c["kind"] for c in doc["changes"]}
    assert all(a["report_path"].endswith(f"{NIGHTLY2}/{hh['household_id']}.html") for a in raised.values())
    assert all(raised[k]["severity"] == "warn" for k in kinds)


def test_only_changed_households_get_a_report_and_every_agency_a_summary(two_days):
    root, _, day2, _ = two_days
    changed = {a["household_id"] for a in _alerts(root, DAY2)}
    written = {p.stem for p in (root / "outbox").glob(f"*/{NIGHTLY2}/HH*.json")}
    assert written == changed and day2["reports_written"] == len(changed) == day2["households_changed"]
    agencies = {r["agency"] for r in query(root, "SELECT DISTINCT agency FROM rolls_current")}
    for agency in agencies:
        folder = root / "outbox" / agency / NIGHTLY2
        summary = (folder / "summary.txt").read_text(encoding="utf-8")
        assert "households on the rolls" in summary and DAY2.isoformat() in summary
        with (folder / "alerts.csv").open(encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        assert {r["household_id"] for r in rows} <= changed
        for p in folder.iterdir():
            assert not find_full_ids(p.read_text(encoding="utf-8", errors="replace")) or p.suffix == ".xlsx", p


def test_a_second_pass_the_same_day_keeps_the_days_alerts(two_days):
    root, _, _, picked = two_days
    again = run_pass(root, as_of=DAY2)
    assert again["households_verified"] == 0 and again["alerts"] == 0
    folder = root / "outbox" / picked["vehicle"]["agency"] / NIGHTLY2
    assert "vehicle.new" in (folder / "alerts.jsonl").read_text(encoding="utf-8")


def test_a_new_month_reverifies_everything(two_days):
    root, _, _, _ = two_days
    s = run_pass(root, as_of=date(2026, 12, 1), kind="nightly", snapshot_mode="off")
    assert s["rolls"].startswith("full: the income window moved") and s["households_unchanged"] == 0
    # every household verified that night is shown as verified on its date, changed or not (a nightly
    # probe read four households' month-old request date and run in household_assessment)
    rolls = query(root, "SELECT h.request_date, h.run_id, h.report_path FROM household_assessment h "
                        "JOIN (SELECT DISTINCT request_id, household_id FROM rolls_current) USING (request_id, household_id)")
    assert rolls and {(r["request_date"], r["run_id"]) for r in rolls} == {(date(2026, 12, 1), s["run_id"])}
    # and each still names its report, the night's or the last one written (a month-of-life probe read '')
    assert all(r["report_path"] and (root / r["report_path"]).exists() for r in rolls), rolls


PREVIOUS = {"outcome": "pass", "income_per_capita": 500.0, "income_standard": 628.0, "financial_per_capita": 1000.0,
            "asset_limit_per_capita": 15072.0, "vehicles": [], "properties": [{"key": "C1", "label": "住宅 A路"}],
            "income_sources": [{"key": "1|tax|工资薪金|甲", "label": "张三：工资薪金（甲）", "monthly": 500.0}]}

CASES = [
    {"name": "nothing changed", "changes": {}, "kinds": []},
    {"name": "a vehicle appears", "changes": {"vehicles": [{"key": "晋A1", "label": "小型轿车 晋A1"}]},
     "kinds": [("vehicle.new", "warn")]},
    # an exempt kind can change nothing (a nightly probe's new motorcycle was a warning)
    {"name": "an exempt vehicle appears",
     "changes": {"vehicles": [{"key": "晋A2", "label": "普通二轮摩托车 晋A2", "exempt": True}]},
     "kinds": [("vehicle.new", "info")]},
    {"name": "a property goes", "changes": {"properties": []}, "kinds": [("property.gone", "info")]},
    {"name": "income reaches the standard", "changes": {"income_per_capita": 628.0},
     "kinds": [("income.crossed_standard", "warn")]},
    {"name": "the standard rises past the income", "changes": {"income_per_capita": 630.0, "income_standard": 700.0},
     "kinds": []},
    {"name": "assets cross the limit", "changes": {"financial_per_capita": 20000.0},
     "kinds": [("assets.crossed_limit", "warn")]},
    {"name": "a job ends and another starts",
     "changes": {"income_sources": [{"key": "1|tax|工资薪金|乙", "label": "张三：工资薪金（乙）", "monthly": 800.0}]},
     "kinds": [("income.source_ended", "info"), ("income.source_new", "warn")]},
    {"name": "outcome improves", "changes": {"outcome": "pass"}, "previous": {"outcome": "fail"},
     "kinds": [("outcome.changed", "info")]},
    # A withdrawn consent is said as such: the member's income and property are no longer read,
    # they did not end (a probe's caseworker was told a pension had stopped).
    {"name": "a member withdraws consent", "previous": {"unverified": [],
                                                         "properties": [{"key": "C1", "label": "住宅 A路", "member_no": 1}]},
     "changes": {"unverified": [{"key": "1", "label": "张三"}], "income_sources": [], "properties": []},
     "kinds": [("member.unverified", "warn")]},
    # ... and the income falling under the standard without them is no crossing (a privacy probe):
    # the figure leaves them out, as the report says; so is rising above it with them back
    {"name": "consent withdrawn, income falls under the standard", "previous": {"unverified": [],
                                                                              "income_per_capita": 1500.0},
     "changes": {"unverified": [{"key": "1", "label": "张三"}], "income_sources": [], "income_per_capita": 0.0},
     "kinds": [("member.unverified", "warn")]},
    {"name": "consent given, income rises over the standard", "previous": {"unverified": [{"key": "1", "label": "张三"}],
                                                                          "income_sources": [], "income_per_capita": 0.0},
     "changes": {"unverified": [], "income_per_capita": 1500.0},
     "kinds": [("member.verified", "info"), ("income.crossed_standard", "warn")]},
    {"name": "a member gives consent", "previous": {"unverified": [{"key": "1", "label": "张三"}], "income_sources": []},
     "changes": {"unverified": []}, "kinds": [("member.verified", "info")]},
    {"name": "an occasional fee falls out of the last months: no 'ended'",
     "previous": {"income_sources": [{"key": "1|tax|劳务报酬|甲", "label": "张三：劳务报酬（甲）", "monthly": 50.0}]},
     "changes": {"income_sources": []}, "kinds": []},
    {"name": "an occasional fee arrives: new",
     "changes": {"income_sources": PREVIOUS["income_sources"] + [
         {"key": "1|tax|劳务报酬|乙", "label": "张三：劳务报酬（乙）", "monthly": 50.0}]},
     "kinds": [("income.source_new", "warn")]},
    {"name": "facts recorded before consent was kept", "previous": {"unverified": None},
     "changes": {"unverified": [], "income_sources": []}, "kinds": [("income.source_ended", "info")]},
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_compare(case):
    prev = {**PREVIOUS, **case.get("previous", {})}
    got = compare(prev, {**PREVIOUS, **case["changes"]})
    assert sorted((a["kind"], a["severity"]) for a in got) == sorted(case["kinds"])


def test_a_pension_missing_from_two_delivered_months_has_ended_a_wage_gap_has_not():
    """Pensions are paid every month: once social insurance has delivered two months without the
    pension, it ended (a probe's stopped pension was never alerted); one month without it is more
    often that month's row unlinked, without an ID (an evaluator's 12 false alerts of 46); a wage
    may skip a month."""
    from pipelines.household_facts import income_sources

    def rec(kind, source, item, month):
        return {"member_no": 1, "kind": kind, "source": source, "item": item, "payer": None, "period": f"2025-{month:02d}",
                "amount": 1000.0, "counted": True, "decision": "auto"}

    def doc(pension_months):
        return {"members": [{"member_no": 1, "name": "牛丽飞"}], "window": {"end": "2025-07-31", "months": 12},
                "data_as_of": {"social_insurance": "2025-07-31", "tax": "2025-07-31"},
                "income": {"records": [rec("benefit", "social_insurance", "养老金", m) for m in pension_months]
                           + [rec("tax_income", "tax", "工资薪金", m) for m in range(1, 6)]}}
    assert [s["label"] for s in income_sources(doc(range(1, 6)))] == ["牛丽飞：工资薪金"]     # June, July: none
    both = ["牛丽飞：养老金", "牛丽飞：工资薪金"]
    assert [s["label"] for s in income_sources(doc(range(1, 7)))] == both                   # July alone: paid
    late = doc(range(1, 6))
    late["data_as_of"]["social_insurance"] = "2025-06-30"          # July not delivered yet: still paid
    assert [s["label"] for s in income_sources(late)] == both


def test_an_id_typed_into_a_payer_name_does_not_reach_the_alert_files():
    new = {**PREVIOUS, "income_sources": [{"key": "1|tax|工资薪金|140105198501011117",
                                           "label": "张三：工资薪金（140105198501011117）", "monthly": 500.0}]}
    got = compare(PREVIOUS, new)
    assert got and not find_full_ids(json.dumps(got, ensure_ascii=False))


def test_a_new_month_delivered_reverifies_every_household_on_the_rolls(tmp_path):
    """A delivered month moves that source's window for everyone (assessment.window): a wage that
    did not come back that month must show too, not only households with new rows (a probe's
    ended job was never alerted)."""
    import duckdb

    root = tmp_path / "root"
    generate(root, households=12, seed=41, as_of=date(2026, 10, 28))      # exports up to September
    run_pass(root, as_of=date(2026, 11, 2), snapshot_mode="off")            # October not exported yet
    assert run_pass(root, as_of=date(2026, 11, 3), snapshot_mode="off")["rolls"] == "incremental"
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        (september,) = con.execute("SELECT count(*) FROM tax WHERE period = DATE '2026-09-01'").fetchall()[0]

    def october(first, last):
        write_csv(root / "landing" / "tax" / f"iit_202610_{first}.csv", [
            {"record_id": f"T-OCT-{i}", "name": f"某人{i}", "id_number": "", "period": "2026-10", "income_item": "工资薪金",
             "income_amount": "1", "tax_paid": "0", "withholding_agent": "某公司"} for i in range(first, last)])

    # an independent probe: October's early filers one night (the month is still being filed, the
    # window stays), the rest the next; the nightly then re-verified nobody, 41 figures went stale
    october(0, september // 4)
    assert run_pass(root, as_of=date(2026, 11, 4), snapshot_mode="off")["rolls"] == "incremental"
    october(september // 4, september)
    s = run_pass(root, as_of=date(2026, 11, 5), snapshot_mode="off")
    # only the source whose month moved is named (an independent probe read social insurance's
    # unchanged month among the night's news)
    assert s["rolls"] == "full: a source delivered a new month or its first export (tax 2026-10)"
    assert s["households_unchanged"] == 0
    assert run_pass(root, as_of=date(2026, 11, 6), snapshot_mode="off")["rolls"] == "incremental"


def test_an_alert_names_its_report_as_the_nightly_folder_holds_it():
    import duckdb

    from pipelines.alerts import REPORT_IN_FOLDER_SQL

    rows = duckdb.sql(f"SELECT {REPORT_IN_FOLDER_SQL} FROM (VALUES ('outbox/yingze/nightly-20261015/HH1.html'), "
                      "('outbox/yingze/nightly-20261015/ROLL-140106-900007/HH1.html')) t(report_path)").fetchall()
    assert [r[0] for r in rows] == ["HH1.html", "ROLL-140106-900007/HH1.html"]


def test_a_row_refused_at_load_with_a_members_id_reverifies_their_household(tmp_path):
    """An adversarial probe: wage rows under a rolls member's ID with an amount written 约8千 were
    refused on a nightly that verified no household, and the household kept its pass in silence."""
    root = tmp_path / "root"
    generate(root, households=12, seed=5, as_of=DAY1)
    run_pass(root, as_of=DAY1, kind="nightly")
    head = _members(root)[0]
    write_csv(root / "landing" / "tax" / "iit_bad_20261120.csv", [
        {"record_id": "T-BAD-1", "name": head["name"], "id_number": head["id_number"], "period": "2026-10",
         "income_item": "工资薪金", "income_amount": "约8千", "tax_paid": "0", "withholding_agent": "新雇主有限公司"}])
    day2 = run_pass(root, as_of=DAY2, kind="nightly")
    assert day2["rolls"] == "incremental" and day2["rows_quarantined"] >= 1
    findings = query(root, "SELECT rule FROM findings f JOIN household_assessment a USING (run_id, request_id, household_id) "
                           "WHERE a.household_id = ? AND a.request_date = ?", [head["household_id"], DAY2])
    assert "data.refused" in {f["rule"] for f in findings}


def test_the_banks_first_export_reverifies_every_household_on_the_rolls(tmp_path):
    """A determinism probe: bank data first delivered on a later pass of the day; households without a
    bank row were not verified again, and their reports kept saying bank data had never been sent."""
    import shutil

    import duckdb

    root = tmp_path / "root"
    generate(root, households=8, seed=43, as_of=date(2026, 10, 28))
    shutil.move(root / "landing" / "bank", tmp_path / "bank")
    run_pass(root, as_of=date(2026, 11, 3), snapshot_mode="off")
    shutil.move(tmp_path / "bank", root / "landing" / "bank")
    s = run_pass(root, as_of=date(2026, 11, 3), snapshot_mode="off")
    assert s["rolls"] == "full: a source delivered a new month or its first export (bank delivered)"
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        stale = con.execute("SELECT count(*) FROM findings JOIN household_assessment USING (run_id, request_id, "
                            "household_id) WHERE rule = 'data.source_missing' AND request_id IN "
                            "(SELECT request_id FROM requests WHERE origin = 'rolls')").fetchall()[0][0]
    assert stale == 0     # (an answered inbox request keeps its answer, as with any new data)


def test_a_crossing_says_at_or_above_the_standard_but_above_the_limit():
    """A nightly probe: assets fail only above the limit, and the alert said 达到或超过资产上限."""
    (up,) = compare(PREVIOUS, {**PREVIOUS, "financial_per_capita": 20000.0})
    assert "超过资产上限" in up["message"] and "达到" not in up["message"]
    (down,) = compare({**PREVIOUS, "financial_per_capita": 20000.0}, PREVIOUS)
    assert "回落到不超过资产上限" in down["message"]
    (income,) = compare(PREVIOUS, {**PREVIOUS, "income_per_capita": 628.0})
    assert "达到或超过标准" in income["message"]


def test_a_car_sold_to_a_stranger_reverifies_the_household_that_held_it(tmp_path):
    """A nightly probe: the register's newer row of a household's plate, under the buyer's name and ID,
    re-verified no household; the seller stayed failed on the car with no alert until the month moved."""
    root = tmp_path / "root"
    generate(root, households=12, seed=5, as_of=DAY1)
    run_pass(root, as_of=DAY1, kind="nightly")
    head = next(m for m in _members(root) if m["vehicles"] == 0)
    car = {"name": head["name"], "id_number": head["id_number"], "plate_number": "晋A9Z001", "vehicle_type": "小型轿车",
           "registration_date": "2020-05-01", "purchase_price": "98000", "status": "正常"}
    write_csv(root / "landing" / "vehicle" / "jdc_20261120.csv", [{"record_id": "V-CAR-1", **car}])
    run_pass(root, as_of=DAY1, kind="nightly")
    assert query(root, "SELECT vehicles FROM household_assessment WHERE household_id = ?",
                 [head["household_id"]])[0]["vehicles"] == 1
    write_csv(root / "landing" / "vehicle" / "jdc_sold_20261121.csv", [
        {**car, "record_id": "V-SOLD-1", "name": "陌生买家", "id_number": "140105199001010011",
         "plate_number": "晋Ａ·９Ｚ００１", "registration_date": "2026-11-19"}])
    day2 = run_pass(root, as_of=DAY2, kind="nightly")
    assert day2["rolls"] == "incremental"
    after = query(root, "SELECT request_date, vehicles FROM household_assessment WHERE household_id = ?",
                  [head["household_id"]])[0]
    assert (after["request_date"], after["vehicles"]) == (DAY2, 0)
    assert "vehicle.gone" in {a["kind"] for a in _alerts(root, DAY2) if a["household_id"] == head["household_id"]}


def test_a_nights_rejected_roll_is_named_in_every_agencys_summary(tmp_path):
    """A month-of-life probe: the night's roll was rejected (a column missing) and every agency's
    summary.txt said 今日无变动, the roll's changes silently put off."""
    root = tmp_path / "root"
    generate(root, households=8, seed=43, as_of=date(2026, 10, 28))
    run_pass(root, as_of=date(2026, 11, 2), snapshot_mode="off")
    (root / "landing" / "rolls" / "rolls_20261103.csv").write_text("request_id,agency\nR1,a\n", encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 3), snapshot_mode="off")
    summaries = list((root / "outbox").glob("*/nightly-20261103/summary.txt"))
    assert summaries
    for path in summaries:
        text = path.read_text()
        assert "今日有文件未能读取，未载入" in text and "  - rolls: landing/rolls/rolls_20261103.csv" in text
        assert "名册沿用上一版" in text


def test_a_nights_rejected_department_file_does_not_say_the_roll_was_kept(tmp_path):
    """A nightly probe: a vehicle file rejected, the night's new roll applied, and summary.txt said
    名册沿用上一版 above the roll's changes."""
    root = tmp_path / "root"
    generate(root, households=8, seed=43, as_of=date(2026, 10, 28))
    run_pass(root, as_of=date(2026, 11, 2), snapshot_mode="off")
    (root / "landing" / "vehicle" / "jdc_20261103.csv").write_text("record_id,x\nV1,a\n", encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 3), snapshot_mode="off")
    for path in (root / "outbox").glob("*/nightly-20261103/summary.txt"):
        text = path.read_text()
        assert "今日有文件未能读取，未载入" in text and "名册沿用上一版" not in text and "rolls snapshot" not in text
