"""A link or an answer is about the version of a record it saw (migration 0016).

Black-box probe: night 1 linked tax row T1 (孙丽's) to 孙丽's answered request; night 2 the
department corrected T1 to 刘洋 and a request for 刘洋 linked it too — `links` held both, and a
join counted 6,000 for each. A bank row corrected into another man's account kept its review
question on the first man's request, and an answer 确认 counted the other man's money for him in
every later request. A correction that keeps the name and ID (an amount) changes nothing.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from connectors.values.idnumber import check_char
from pipelines.passes import run_pass

from ops_support import query, write_csv

AS_OF = date(2026, 11, 28)
REQUEST = ("request_id", "agency", "program", "household_id", "county_code", "member_no", "name", "id_number",
           "relation", "consent_ref")
TAX = ("record_id", "name", "id_number", "period", "income_item", "income_amount", "withholding_agent")


def _id(birth: str, seq: str) -> str:
    first17 = f"140105{birth}{seq}"
    return first17 + check_char(first17)


SUN, LIU = _id("19800101", "021"), _id("19820202", "031")


def _drop(root: Path, rel: str, rows: list[dict], fields, day: int) -> None:
    path = write_csv(root / rel, rows, fields)
    t = datetime(2026, 11, day, 12).timestamp()
    os.utime(path, (t, t))


def _request(request_id: str, name: str, id_number: str) -> list[dict]:
    return [{"request_id": request_id, "agency": "", "program": "dibao", "household_id": "H" + request_id,
             "county_code": "140105", "member_no": 1, "name": name, "id_number": id_number, "relation": "户主",
             "consent_ref": "SQ-" + request_id}]


def _wage(record_id: str, name: str, id_number: str, amount: str = "6000") -> dict:
    return {"record_id": record_id, "name": name, "id_number": id_number, "period": "2026-10",
            "income_item": "工资薪金", "income_amount": amount, "withholding_agent": "太原某公司"}


def _links(root: Path) -> list[tuple]:
    return [tuple(r.values()) for r in query(
        root, "SELECT request_id, record_id, decision FROM links ORDER BY ALL")]


def _pass(root: Path, day: int) -> dict:
    return run_pass(root, as_of=date(2026, 11, day), include_rolls=False, snapshot_mode="off")


def test_a_link_to_a_record_corrected_to_another_person_is_removed_from_the_answered_request(tmp_path):
    _drop(tmp_path, "inbox/agA/r1.csv", _request("R1", "孙丽", SUN), REQUEST, 20)
    _drop(tmp_path, "landing/tax/t1.csv", [_wage("T1", "孙丽", SUN), _wage("T2", "孙丽", SUN)], TAX, 20)
    _pass(tmp_path, 20)
    assert _links(tmp_path) == [("R1", "T1", "auto"), ("R1", "T2", "auto")]

    # T1 is corrected to 刘洋; T2 is re-sent with another amount only (still 孙丽's)
    _drop(tmp_path, "landing/tax/t1_fix.csv", [_wage("T1", "刘洋", LIU), _wage("T2", "孙丽", SUN, "6100")], TAX, 21)
    _drop(tmp_path, "inbox/agA/r2.csv", _request("R2", "刘洋", LIU), REQUEST, 21)
    run_id = _pass(tmp_path, 21)["run_id"]
    assert _links(tmp_path) == [("R1", "T2", "auto"), ("R2", "T1", "auto")]
    message = query(tmp_path, "SELECT message FROM runs WHERE run_id = ?", [run_id])[0]["message"]
    assert "1 link(s) removed: their records were corrected to another name or ID" in message


def _answer(con, record_id: str, id_number: str, decision: str, at: datetime) -> None:
    con.execute("INSERT INTO review_decision_log (decided_at, reviewer, agency, file, file_hash, row_number, source, "
                "record_id, request_id, household_id, member_no, id_number, decision, run_id, evidence_hash) "
                "VALUES (?, '李审核', 'agA', 'inbox/agA/review.xlsx', 'h', 2, 'tax', ?, 'R1', 'HR1', 1, ?, ?, 'run-x', 'e')",
                [at, record_id, id_number, decision])


def test_an_answer_given_before_its_record_was_corrected_to_another_person_is_no_longer_in_force(tmp_path):
    import duckdb

    _drop(tmp_path, "landing/tax/t1.csv", [_wage("T1", "孙丽", SUN), _wage("T2", "孙丽", SUN)], TAX, 20)
    run_pass(tmp_path, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        answered = con.execute("SELECT max(loaded_at) FROM tax_all").fetchall()[0][0]
        for record in ("T1", "T2"):
            _answer(con, record, SUN, "confirmed", answered)
    finally:
        con.close()
    _drop(tmp_path, "landing/tax/t1_fix.csv", [_wage("T1", "刘洋", LIU), _wage("T2", "孙丽", SUN, "6100")], TAX, 21)
    run_pass(tmp_path, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    in_force = [r["record_id"] for r in query(tmp_path, "SELECT record_id FROM review_decisions_latest ORDER BY 1")]
    assert in_force == ["T2"]     # T1 is 刘洋's now: the answer about 孙丽's T1 says nothing of it
