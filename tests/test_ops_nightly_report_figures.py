"""A household's nightly report says what the warehouse says of it, whatever moved its figures.

A nightly probe: a corrected wage (1,000 → 1,100) moved a household from 333.33 to 336.11 a head,
crossing no line; `household_assessment` showed 336.11 beside the path of a report that said 333.33,
and no report anywhere showed the corrected row. And a second pass of the same day rewrote a
household's nightly report with its own change alone: `summary.txt` still sent the caseworker to that
page for the first pass's new income source, which it no longer mentioned.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from data.generator import generate
from pipelines.passes import run_pass

from ops_support import query, write_csv

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 21)
TAX_FIELDS = ("record_id", "name", "id_number", "period", "income_item", "income_amount", "tax_paid", "withholding_agent")


def _report(root, household: str, folder: str) -> dict:
    (path,) = (root / "outbox").glob(f"*/{folder}/{household}.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("nightly_figures") / "root"
    generate(root, households=16, seed=23, as_of=DAY1)
    run_pass(root, as_of=DAY1, kind="nightly", snapshot_mode="off")
    # a household with a counted wage whose 12 more yuan (one yuan a month) cross no line
    rows = query(root, """
        SELECT a.household_id, a.monthly_income_per_capita AS pc, a.income_standard AS std, t.*
        FROM household_assessment a JOIN (SELECT DISTINCT request_id, household_id FROM rolls_current) USING (request_id, household_id)
        JOIN links l USING (request_id, household_id)
        JOIN tax t ON l.source = 'tax' AND t.record_id = l.record_id
        WHERE l.decision = 'auto' AND t.income_item = '工资薪金' AND t.id_number IS NOT NULL
          AND a.outcome = 'pass' AND a.monthly_income_per_capita + 1 < a.income_standard
        ORDER BY a.household_id, t.record_id LIMIT 1""")
    assert rows, "the generated rolls lack a passing household with a linked wage"
    row = rows[0]
    corrected = {**{k: row[k] for k in TAX_FIELDS}, "income_amount": f"{float(row['income_amount']) + 12:.2f}",
                 "period": row["period"].strftime("%Y-%m")}
    write_csv(root / "landing" / "tax" / "iit_correction_20261121.csv", [corrected], TAX_FIELDS)
    run_pass(root, as_of=DAY2, kind="nightly", snapshot_mode="off")
    return {"root": root, "household": row["household_id"], "record_id": row["record_id"],
            "amount": float(corrected["income_amount"]), "before": float(row["pc"])}


def test_a_correction_that_crosses_no_line_is_reported_and_household_assessment_points_at_that_report(world):
    root, household = world["root"], world["household"]
    doc = _report(root, household, "nightly-20261121")
    (listed,) = [r for r in doc["income"]["records"] if r["record_id"] == world["record_id"]]
    assert float(listed["amount"]) == world["amount"]
    said, corrected = doc["changes"]       # the figure that moved, and the row that moved it
    assert said["kind"] == "figures.changed" and f"家庭人均月收入由{world['before']:,.2f}元变为" in said["message"]
    assert corrected["kind"] == "records.corrected" and f"{world['record_id']}：" in corrected["message"]
    assert not query(root, "SELECT * FROM alerts WHERE household_id = ? AND as_of = ?", [household, DAY2])
    (row,) = query(root, "SELECT report_path, monthly_income_per_capita FROM household_assessment "
                         "WHERE household_id = ?", [household])
    assert row["report_path"].endswith(f"nightly-20261121/{household}.json")
    assert float(row["monthly_income_per_capita"]) == float(doc["income"]["monthly_per_capita"])


def test_a_second_pass_of_the_day_keeps_the_first_passs_changes_in_the_households_report(world):
    root = world["root"]
    heads = query(root, "SELECT household_id, name, id_raw FROM rolls_current WHERE relation = '户主' "
                        "AND household_id <> ? ORDER BY household_id LIMIT 1", [world["household"]])
    household, name, id_number = heads[0]["household_id"], heads[0]["name"], heads[0]["id_raw"]
    write_csv(root / "landing" / "tax" / "iit_fee_20261121.csv", [
        {"record_id": "T-FEE-1", "name": name, "id_number": id_number, "period": "2026-10", "income_item": "劳务报酬",
         "income_amount": "300", "tax_paid": "0", "withholding_agent": "太原某咨询公司"}], TAX_FIELDS)
    run_pass(root, as_of=DAY2, kind="nightly", snapshot_mode="off")
    write_csv(root / "landing" / "vehicle" / "vehicle_20261121.csv", [
        {"record_id": "V-NEW-1", "name": name, "id_number": id_number, "plate_number": "晋A9Z999",
         "vehicle_type": "小型轿车", "registration_date": "2026-11-01", "purchase_price": "90000", "status": "正常"}])
    run_pass(root, as_of=DAY2, kind="nightly", snapshot_mode="off")
    kinds = [c["kind"] for c in _report(root, household, "nightly-20261121")["changes"]]
    assert "income.source_new" in kinds and "vehicle.new" in kinds, kinds
    assert len(kinds) == len(set(kinds))
