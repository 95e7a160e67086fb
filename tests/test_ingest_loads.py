"""Loading deliveries into the warehouse: idempotent, corrected re-deliveries, rolls snapshots,
row-level quarantine, unreadable files and truncated files (issue #3).

Each test writes real small files into a data root under tmp_path and loads them the way a
pass does: `discover` the files, then `ingest_delivery` each (the Data Docs and the other
stages of a pass are not needed here).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from pipelines.context import PassContext
from pipelines.discover import discover
from pipelines.ingest import ingest_delivery

AS_OF = date(2026, 11, 28)
TAX_HEADER = "记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额,扣缴义务人"
ROLLS_HEADER = "申请编号,申请机构,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号"


def _write(root: Path, rel: str, text: str, encoding: str = "utf-8") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _tax_csv(rows: list[tuple]) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if "," in value else value
    return TAX_HEADER + "\n" + "".join(",".join(map(cell, r)) + "\n" for r in rows)


def _load(root: Path) -> dict[str, str]:
    """One loading pass over the data root: {relative path: status}."""
    ctx = PassContext.open(root, as_of=AS_OF)
    try:
        deliveries, _ = discover(root)
        return {d.rel_path: ingest_delivery(ctx, d) for d in deliveries}
    finally:
        ctx.close()


def _query(root: Path, sql: str, params=None) -> list[tuple]:
    ctx = PassContext.open(root, as_of=AS_OF)
    try:
        return ctx.con.execute(sql, params or []).fetchall()
    finally:
        ctx.close()


TAX_ROWS = [("T1", "张三", "14010519900307104X", "2026-09", "工资薪金", "5000.00", "太原某公司"),
            ("T2", "李四", "", "2026-09", "劳务报酬", "1,200.50", ""),
            ("T3", "王五", "140105900307120", "2026-10", "工资薪金", "￥3000元", "太原某公司")]


def test_loading_the_same_delivery_twice_changes_nothing_and_records_a_skip(tmp_path):
    _write(tmp_path, "landing/tax/iit_20261127.csv", _tax_csv(TAX_ROWS), "gbk")
    assert _load(tmp_path) == {"landing/tax/iit_20261127.csv": "loaded"}
    before = _query(tmp_path, "SELECT * EXCLUDE (loaded_at) FROM tax_all ORDER BY record_id")

    assert _load(tmp_path) == {"landing/tax/iit_20261127.csv": "skipped"}
    # The same bytes under another name are the same delivery too.
    _write(tmp_path, "landing/tax/iit_20261127_copy.csv", _tax_csv(TAX_ROWS), "gbk")
    assert _load(tmp_path)["landing/tax/iit_20261127_copy.csv"] == "skipped"

    assert _query(tmp_path, "SELECT * EXCLUDE (loaded_at) FROM tax_all ORDER BY record_id") == before
    assert len(before) == 3
    assert _query(tmp_path, "SELECT count(*) FROM quarantine") == [(0,)]
    files = _query(tmp_path, "SELECT path, status, rows_loaded, message FROM files ORDER BY seen_at, path")
    assert [(p, s, n) for p, s, n, _ in files] == [
        ("landing/tax/iit_20261127.csv", "loaded", 3),
        ("landing/tax/iit_20261127.csv", "skipped", 0),                                  # second pass
        ("landing/tax/iit_20261127.csv", "skipped", 0), ("landing/tax/iit_20261127_copy.csv", "skipped", 0)]
    # which file they repeat (an operations probe's resent request named nothing)
    assert {m for _, s, _, m in files if s == "skipped"} == {
        "the same bytes were already loaded as landing/tax/iit_20261127.csv"}


def test_a_corrected_redelivery_supersedes_the_earlier_row_and_keeps_its_history(tmp_path):
    _write(tmp_path, "landing/tax/iit_20261126.csv", _tax_csv(TAX_ROWS))
    _load(tmp_path)
    corrected = [("T2", "李四", "", "2026-09", "劳务报酬", "1,250.50", "")]
    _write(tmp_path, "landing/tax/iit_20261127_fix.csv", _tax_csv(corrected))
    assert _load(tmp_path)["landing/tax/iit_20261127_fix.csv"] == "loaded"

    current = _query(tmp_path, "SELECT record_id, income_amount, file FROM tax ORDER BY record_id")
    assert current == [("T1", Decimal("5000.00"), "landing/tax/iit_20261126.csv"),
                       ("T2", Decimal("1250.50"), "landing/tax/iit_20261127_fix.csv"),
                       ("T3", Decimal("3000.00"), "landing/tax/iit_20261126.csv")]
    history = _query(tmp_path, "SELECT income_amount, batch_id, superseded_by FROM tax_all "
                               "WHERE record_id = 'T2' ORDER BY loaded_at")
    assert [h[0] for h in history] == [Decimal("1200.50"), Decimal("1250.50")]
    assert history[0][2] == history[1][1]       # the old row names the batch that replaced it
    assert history[1][2] is None
    assert _query(tmp_path, "SELECT count(*) FROM tax_all WHERE superseded_by IS NOT NULL") == [(1,)]


def test_files_arriving_together_load_in_the_order_they_were_written_not_by_name(tmp_path):
    """A correction and a stale re-send of the same record in one pass (a probe's c_fix.csv, new,
    and z_old_resend.csv, written earlier): the one written last is the sender's latest word."""
    import os

    old = _write(tmp_path, "landing/tax/z_old_resend.csv", _tax_csv([TAX_ROWS[0]]))
    fix = _write(tmp_path, "landing/tax/c_fix.csv", _tax_csv([TAX_ROWS[0][:5] + ("7000.00", "太原某公司")]))
    os.utime(old, ns=(1_750_000_000_000_000_000, 1_750_000_000_000_000_000))
    os.utime(fix, ns=(1_760_000_000_000_000_000, 1_760_000_000_000_000_000))
    assert list(_load(tmp_path)) == ["landing/tax/z_old_resend.csv", "landing/tax/c_fix.csv"]
    assert _query(tmp_path, "SELECT income_amount, file FROM tax") == [(Decimal("7000.00"), "landing/tax/c_fix.csv")]


def test_bytes_rejected_before_are_read_again_and_the_sender_told_again(tmp_path):
    """A 0-byte file was skipped as 'the same bytes were already rejected' once any empty file had
    been, and stayed where it was with no note (a probe's empty request never heard back)."""
    _write(tmp_path, "landing/tax/empty_1.csv", "")
    assert _load(tmp_path) == {"landing/tax/empty_1.csv": "rejected"}
    _write(tmp_path, "inbox/yingze_minzheng/empty_2.csv", "")
    assert _load(tmp_path)["inbox/yingze_minzheng/empty_2.csv"] == "rejected"
    assert (tmp_path / "rejected" / "yingze_minzheng" / "empty_2.csv.error.txt").exists()


def test_a_request_file_another_agency_already_sent_is_rejected_with_the_reason_not_skipped(tmp_path):
    request = ("申请编号,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
               "R-1,低保,H1,140105,1,张三,14010519900307104X,户主,SQ1\n")
    _write(tmp_path, "inbox/yingze_minzheng/req.csv", request)
    assert _load(tmp_path) == {"inbox/yingze_minzheng/req.csv": "loaded"}
    _write(tmp_path, "inbox/xiaodian_minzheng/req.csv", request)
    assert _load(tmp_path)["inbox/xiaodian_minzheng/req.csv"] == "rejected"
    note = (tmp_path / "rejected" / "xiaodian_minzheng" / "req.csv.error.txt").read_text()
    assert "already delivered by agency 'yingze_minzheng'" in note and "its own request_id" in note
    _write(tmp_path, "inbox/yingze_minzheng/req_again.csv", request)     # the same agency resending: skipped
    assert _load(tmp_path)["inbox/yingze_minzheng/req_again.csv"] == "skipped"


def test_a_request_file_of_a_header_alone_is_rejected_with_what_to_send(tmp_path):
    """An inbox probe: a header-only request loaded 0 rows and the office heard nothing; an empty file
    is rejected, so is this. A department's export of a header alone (no records this time) loads."""
    header = "申请编号,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
    _write(tmp_path, "inbox/xiaodian_minzheng/req.csv", header)
    _write(tmp_path, "landing/vehicle/jdc.csv", "记录编号,所有人,身份证号,号牌号码,车辆类型,登记日期,状态\n")
    assert _load(tmp_path) == {"inbox/xiaodian_minzheng/req.csv": "rejected", "landing/vehicle/jdc.csv": "loaded"}
    note = (tmp_path / "rejected" / "xiaodian_minzheng" / "req.csv.error.txt").read_text()
    assert "a header row but no data rows" in note and "one row per member" in note


def _rolls(households: list[tuple[str, str]]) -> str:
    lines = [ROLLS_HEADER]
    for k, (hh, name) in enumerate(households, start=1):
        lines.append(f"ROLL-140105-{k:06d},yingze_minzheng,低保,{hh},140105,1,{name},14010519900307104X,户主,SQ{k}")
    return "\n".join(lines) + "\n"


def test_rolls_are_full_snapshots_the_latest_replaces_the_previous(tmp_path):
    _write(tmp_path, "landing/rolls/rolls_20261126.csv", _rolls([("H001", "张三"), ("H002", "李四")]))
    _load(tmp_path)
    assert _query(tmp_path, "SELECT household_id FROM rolls_current ORDER BY 1") == [("H001",), ("H002",)]

    _write(tmp_path, "landing/rolls/rolls_20261127.csv", _rolls([("H002", "李四"), ("H003", "王五")]))
    _load(tmp_path)
    assert _query(tmp_path, "SELECT household_id, file FROM rolls_current ORDER BY 1") == [
        ("H002", "landing/rolls/rolls_20261127.csv"), ("H003", "landing/rolls/rolls_20261127.csv")]
    members = _query(tmp_path, "SELECT household_id FROM applicant_members WHERE origin = 'rolls' ORDER BY 1")
    assert members == [("H002",), ("H003",)]
    assert _query(tmp_path, "SELECT count(*) FROM applicant_rows WHERE origin = 'rolls'") == [(4,)]  # history kept


def test_a_rolls_snapshot_of_no_household_is_rejected_saying_the_previous_one_stands(tmp_path):
    """A degenerate-data probe: a header-only snapshot was recorded as loaded (0 rows) and ignored,
    with no word: the case system never learnt its roll was not applied."""
    _write(tmp_path, "landing/rolls/rolls_20261126.csv", _rolls([("H001", "张三")]))
    _load(tmp_path)
    _write(tmp_path, "landing/rolls/rolls_20261127.csv", ROLLS_HEADER + "\n")
    assert _load(tmp_path)["landing/rolls/rolls_20261127.csv"] == "rejected"
    note = (tmp_path / "rejected" / "rolls" / "rolls_20261127.csv.error.txt").read_text(encoding="utf-8")
    assert "no households" in note and "previous snapshot stays in force" in note
    assert _query(tmp_path, "SELECT household_id FROM rolls_current") == [("H001",)]


def test_a_rolls_snapshot_dated_before_the_roll_in_force_is_refused_and_the_newer_roll_stays(tmp_path):
    """A rolls probe re-sent the 11-22 roll after the 11-23 one: it became the roll, and the household
    the 11-23 roll had brought back left again, with no word that the file was older."""
    _write(tmp_path, "landing/rolls/rolls_20261123.csv", _rolls([("H001", "张三"), ("H002", "李四")]))
    _load(tmp_path)
    _write(tmp_path, "landing/rolls/rolls_20261122_resend.csv", _rolls([("H001", "张三")]))
    assert _load(tmp_path)["landing/rolls/rolls_20261122_resend.csv"] == "rejected"
    assert _query(tmp_path, "SELECT household_id FROM rolls_current ORDER BY 1") == [("H001",), ("H002",)]
    note = (tmp_path / "rejected" / "rolls" / "rolls_20261122_resend.csv.error.txt").read_text(encoding="utf-8")
    assert "dated 2026-11-22 (by its name)" in note and "rolls_20261123.csv, dated 2026-11-23" in note
    assert "名册比正在使用的名册旧" in note
    _write(tmp_path, "landing/rolls/rolls_20261124.csv", _rolls([("H001", "张三")]))     # sent again, dated today
    assert _load(tmp_path)["landing/rolls/rolls_20261124.csv"] == "loaded"
    assert _query(tmp_path, "SELECT household_id FROM rolls_current ORDER BY 1") == [("H001",)]


def test_a_rolls_snapshot_without_a_date_in_its_name_is_dated_by_when_it_was_written(tmp_path):
    import os

    _write(tmp_path, "landing/rolls/roll.csv", _rolls([("H001", "张三"), ("H002", "李四")]))
    _load(tmp_path)
    old = _write(tmp_path, "landing/rolls/roll_copy.csv", _rolls([("H001", "张三")]))
    os.utime(old, (1_700_000_000, 1_700_000_000))       # written in 2023
    assert _load(tmp_path)["landing/rolls/roll_copy.csv"] == "rejected"
    note = (tmp_path / "rejected" / "rolls" / "roll_copy.csv.error.txt").read_text(encoding="utf-8")
    assert "dated 2023-11-15 (by when it was written)" in note      # China's day of 22:13 UTC


def test_a_future_date_in_a_rolls_file_name_is_no_date_and_blocks_no_later_roll(tmp_path):
    """An adversarial probe: a roll named 20271125 (the year mistyped) refused every later roll as older."""
    import os

    typo = _write(tmp_path, "landing/rolls/rolls_20271125.csv", _rolls([("H001", "张三")]))
    os.utime(typo, (1795568400, 1795568400))      # written 2026-11-25 09:00 China time
    _load(tmp_path)
    _write(tmp_path, "landing/rolls/rolls_20261126.csv", _rolls([("H001", "张三"), ("H002", "李四")]))
    assert _load(tmp_path)["landing/rolls/rolls_20261126.csv"] == "loaded"


@pytest.mark.parametrize("older, newer", [("名册2026年11月5日.csv", "名册2026年11月22日.csv"),
                                          ("名册_20261101-20261110.csv", "rolls_20261122.csv")],
                         ids=["a one-digit day", "a period, as of its end"])
def test_a_rolls_file_name_dates_it_in_the_ways_offices_write_dates(tmp_path, older, newer):
    _write(tmp_path, f"landing/rolls/{newer}", _rolls([("H001", "张三"), ("H002", "李四")]))
    _load(tmp_path)
    _write(tmp_path, f"landing/rolls/{older}", _rolls([("H001", "张三")]))
    assert _load(tmp_path)[f"landing/rolls/{older}"] == "rejected"


def test_a_roll_for_the_month_now_running_is_the_newest_roll(tmp_path):
    """An adversarial probe: 名册_20261101-20261130 sent on the 26th was dated by its start and refused."""
    _write(tmp_path, "landing/rolls/rolls_20261125.csv", _rolls([("H001", "张三")]))
    _load(tmp_path)
    _write(tmp_path, "landing/rolls/名册_20261101-20261130.csv", _rolls([("H001", "张三"), ("H002", "李四")]))
    assert _load(tmp_path)["landing/rolls/名册_20261101-20261130.csv"] == "loaded"


def test_a_truncated_rolls_snapshot_is_not_applied_and_the_previous_roll_stays(tmp_path):
    """A rolls probe's roll cut mid-row: its complete rows became the roll, and the households after the
    cut (one agency's whole roll) left the rolls until the whole file came back."""
    _write(tmp_path, "landing/rolls/rolls_20261126.csv", _rolls([("H001", "张三"), ("H002", "李四")]))
    _load(tmp_path)
    whole = _rolls([("H001", "张三"), ("H002", "李四"), ("H003", "王五")])
    _write(tmp_path, "landing/rolls/rolls_20261127.csv", whole[: whole.rindex("\n", 0, -1) + 20])
    assert _load(tmp_path)["landing/rolls/rolls_20261127.csv"] == "rejected"
    assert _query(tmp_path, "SELECT household_id FROM rolls_current ORDER BY 1") == [("H001",), ("H002",)]
    note = (tmp_path / "rejected" / "rolls" / "rolls_20261127.csv.error.txt").read_text(encoding="utf-8")
    assert "名册文件不完整" in note and "previous snapshot stays in force" in note


def test_a_rolls_snapshot_sent_back_after_a_later_one_is_the_roll_again(tmp_path):
    """A nightly probe: a snapshot dropped a household's wage earner by mistake; the corrected
    roll, byte for byte the one loaded a month before, was skipped as already loaded and the
    household passed without her. Sent again as the latest, it is the roll; sent twice in a row,
    it loads once."""
    first = _rolls([("H001", "张三"), ("H002", "李四")])
    _write(tmp_path, "landing/rolls/rolls_20260310.csv", first)
    _load(tmp_path)
    _write(tmp_path, "landing/rolls/rolls_20260404.csv", _rolls([("H002", "李四")]))
    _load(tmp_path)
    assert _query(tmp_path, "SELECT household_id FROM rolls_current ORDER BY 1") == [("H002",)]
    _write(tmp_path, "landing/rolls/rolls_20260405.csv", first)
    assert _load(tmp_path)["landing/rolls/rolls_20260405.csv"] == "loaded"
    assert _query(tmp_path, "SELECT household_id, file FROM rolls_current ORDER BY 1") == [
        ("H001", "landing/rolls/rolls_20260405.csv"), ("H002", "landing/rolls/rolls_20260405.csv")]
    _write(tmp_path, "landing/rolls/rolls_20260406.csv", first)
    assert _load(tmp_path)["landing/rolls/rolls_20260406.csv"] == "skipped"   # the roll already


def test_good_rows_load_and_bad_rows_are_quarantined_with_file_row_field_reason_and_raw_values(tmp_path):
    rows = [("Q1", "张三", "", "2026-09", "工资薪金", "5000", ""),
            ("Q2", "李四", "", "2026-13", "工资薪金", "100", ""),        # no such month
            ("Q3", "王五", "", "2026-09", "工资薪金", "-300", ""),       # negative amount
            ("Q4", "赵六", "", "2026-09", "彩票", "10", ""),             # not an income item
            ("Q5", "钱七", "", "2026-09", "工资薪金", "20", ""),
            ("Q5", "孙八", "", "2026-09", "工资薪金", "30", "")]          # record_id twice in the file
    _write(tmp_path, "landing/tax/iit_mixed.csv", _tax_csv(rows))
    assert _load(tmp_path) == {"landing/tax/iit_mixed.csv": "loaded"}

    assert _query(tmp_path, "SELECT record_id FROM tax ORDER BY 1") == [("Q1",)]
    bad = _query(tmp_path, "SELECT source, file, row_number, field, reason, raw_value, raw_row FROM quarantine "
                           "ORDER BY row_number, field")
    assert [(b[0], b[1], b[2], b[3], b[5]) for b in bad] == [
        ("tax", "landing/tax/iit_mixed.csv", 2, "period", "2026-13"),
        ("tax", "landing/tax/iit_mixed.csv", 3, "income_amount", "-300"),
        ("tax", "landing/tax/iit_mixed.csv", 4, "income_item", "彩票"),
        ("tax", "landing/tax/iit_mixed.csv", 5, "record_id", "Q5"),
        ("tax", "landing/tax/iit_mixed.csv", 6, "record_id", "Q5")]
    reasons = [b[4] for b in bad]
    assert "is not a real month" in reasons[0] and "is negative" in reasons[1]
    assert "accepted: 工资薪金" in reasons[2] and "appears more than once in this file" in reasons[3]
    assert json.loads(bad[1][6])["收入额"] == "-300"          # the whole row as received
    assert json.loads(bad[4][6])["纳税人姓名"] == "孙八"       # a gate failure: the row as received too
    files = _query(tmp_path, "SELECT status, rows_loaded, rows_quarantined FROM files")
    assert files == [("loaded", 1, 5)]


def test_a_value_the_gates_refuse_is_quoted_as_the_file_has_it_not_as_parsed(tmp_path):
    """A probe: a month 2027年8月 refused as after the pass date was quoted back as 2027-08-01,
    and the clerk looked in vain for that text in the file."""
    rows = [("Q1", "张三", "", "2026-09", "工资薪金", "5000", ""),
            ("Q2", "李四", "", "2027年8月", "工资薪金", "100", ""),
            ("Q3", "王五", "", "2026-09", "工资薪金", "1,500,000,000.00", "")]
    _write(tmp_path, "landing/tax/iit_future.csv", _tax_csv(rows))
    _load(tmp_path)
    bad = _query(tmp_path, "SELECT row_number, field, raw_value FROM quarantine ORDER BY row_number")
    assert bad[0] == (2, "period", "2027年8月")
    assert all(b[1] != "income_amount" or b[2] == "1,500,000,000.00" for b in bad)


def _load_with_notes(root: Path, rel: str, text: str) -> None:
    """Load one file and write its row-error notes (one note: the file has bad rows)."""
    from pipelines.row_errors import report_row_errors

    _write(root, rel, text)
    ctx = PassContext.open(root, as_of=AS_OF)
    try:
        (delivery,) = discover(root)[0]
        assert ingest_delivery(ctx, delivery) == "loaded"
        assert report_row_errors(ctx) == 1
    finally:
        ctx.close()


def test_a_quarantined_department_row_is_named_by_its_record_id_in_the_notes(tmp_path):
    """A department knows its rows by 记录编号, not by our count of data rows: the notes gave
    row_number, request, household, member, name, field, reason and value, but no record_id."""
    import csv

    rows = [("Q1", "张三", "", "2026-09", "工资薪金", "5000", ""),
            ("Q2", "李四", "", "2026-13", "工资薪金", "100", ""),       # no such month
            ("", "王五", "", "2026-09", "工资薪金", "300", "")]          # the record_id itself missing
    _load_with_notes(tmp_path, "landing/tax/iit_mixed.csv", _tax_csv(rows))
    with (tmp_path / "rejected/tax/iit_mixed.csv.errors.csv").open(encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        listed = [(r["row_number"], r["record_id"], r["name"], r["field"]) for r in reader]
    assert reader.fieldnames[:3] == ["row_number", "record_id", "request_id"]
    assert listed == [("2", "Q2", "李四", "所属期（period）"), ("3", "", "王五", "记录编号（record_id）")]
    note = (tmp_path / "rejected/tax/iit_mixed.csv.error.txt").read_text(encoding="utf-8")
    assert "第2行 row 2  记录编号 record_id Q2  字段 field 所属期（period）：月份不存在 — '2026-13' is not a real month" in note
    assert "第3行 row 3  字段 field 记录编号（record_id）：" in note


@pytest.mark.parametrize("with_bad_row", [True, False], ids=["a bad row beside them", "nothing else"])
def test_a_note_says_which_listed_rows_need_nothing_resent(tmp_path, with_bad_row):
    """An ingestion probe: a totals line and a repeated header were 'rows rejected: correct these
    rows and send them again', and then each said nothing needed resending."""
    rows = [("Q1", "张三", "", "2026-09", "工资薪金", "5000", "")]
    if with_bad_row:
        rows.append(("Q2", "李四", "", "2026-13", "工资薪金", "100", ""))
    _load_with_notes(tmp_path, "landing/tax/iit_totals.csv", _tax_csv(rows) + "合计,,,,,5100,\n")
    note = (tmp_path / "rejected/tax/iit_totals.csv.error.txt").read_text(encoding="utf-8")
    if with_bad_row:
        assert "2 行未予处理（其中 1 行不是记录或是已载入行的完全重复，无需处理）" in note
        assert "Correct these rows (except those marked nothing needs resending)" in note
    else:
        assert "1 行未予处理（其中 1 行不是记录或是已载入行的完全重复，无需处理）" in note
        assert "None of these rows needs correcting or resending." in note
        assert "Correct these rows" not in note


@pytest.mark.parametrize("word", ["合计", "总计", "本页小计", "累计", "汇总", "Total", "合计："])
def test_a_totals_line_with_its_record_number_and_month_filled_in_is_not_a_person(tmp_path, word):
    """An export probe: an export that numbers every printed line and repeats the month and item
    on its totals line had that line loaded as a taxpayer called 合计, doubling the file's total."""
    rows = [("1", "张三", "", "2026-09", "工资薪金", "3000", ""), ("2", "李四", "", "2026-09", "工资薪金", "4000", ""),
            ("3", word, "", "2026-09", "工资薪金", "7000", "")]
    _load_with_notes(tmp_path, "landing/tax/iit_numbered.csv", _tax_csv(rows))
    assert _query(tmp_path, "SELECT sum(income_amount), count(*) FROM tax") == [(Decimal("7000.00"), 2)]
    assert _query(tmp_path, "SELECT row_number FROM quarantine") == [(3,)]
    note = (tmp_path / "rejected/tax/iit_numbered.csv.error.txt").read_text(encoding="utf-8")
    assert "looks like a totals line" in note and "None of these rows needs correcting or resending." in note


def test_an_unreadable_file_moves_to_rejected_with_a_note_naming_the_missing_column(tmp_path):
    text = "记录编号,纳税人姓名,所属期,所得项目,已缴税额\nT1,张三,2026-09,工资薪金,10\n"
    _write(tmp_path, "landing/tax/iit_no_amount.csv", text)
    assert _load(tmp_path) == {"landing/tax/iit_no_amount.csv": "rejected"}

    assert not (tmp_path / "landing/tax/iit_no_amount.csv").exists()
    assert (tmp_path / "rejected/tax/iit_no_amount.csv").read_bytes() == text.encode()
    note = (tmp_path / "rejected/tax/iit_no_amount.csv.error.txt").read_text(encoding="utf-8")
    assert "missing required column 'income_amount' (accepted headers: income_amount, 收入额, 收入)" in note
    assert _query(tmp_path, "SELECT count(*) FROM tax_all") == [(0,)]
    status, message = _query(tmp_path, "SELECT status, message FROM files")[0]
    assert status == "rejected" and "income_amount" in message and "rejected/tax/iit_no_amount.csv" in message


LONG_NAME = ("关于城乡居民最低生活保障家庭经济状况核对数据补充报送材料" * 3)[:-2]   # 246 bytes: legal


def test_a_file_whose_long_name_fits_the_file_system_gets_its_notes_under_a_shortened_name(tmp_path):
    """A hostile-input probe: a 250-byte name (legal) made every pass fail writing `<name>.error.txt`,
    and moving the file out of landing/ did not help: the notes were still owed."""
    assert len((LONG_NAME + ".csv").encode()) < 255 < len((LONG_NAME + ".csv.error.txt").encode())
    _load_with_notes(tmp_path, f"landing/tax/{LONG_NAME}.csv",
                     _tax_csv([("T1", "张三", "", "2026-09", "工资薪金", "3000", ""),
                               ("T2", "李四", "", "bad-period", "工资薪金", "4000", "")]))
    (note,) = (tmp_path / "rejected/tax").glob("*.error.txt")
    assert len(note.name.encode()) <= 160 and note.name.startswith("关于城乡居民")
    assert "bad-period" in note.read_text(encoding="utf-8")
    text = "记录编号,纳税人姓名,所属期,所得项目,已缴税额\nT1,张三,2026-09,工资薪金,10\n"     # unreadable too
    _write(tmp_path, f"landing/tax/{LONG_NAME}2.csv", text)
    assert _load(tmp_path)[f"landing/tax/{LONG_NAME}2.csv"] == "rejected"
    assert len(list((tmp_path / "rejected/tax").glob("*.error.txt"))) == 2


def test_a_csv_cut_mid_row_loads_its_complete_rows_and_quarantines_the_broken_tail(tmp_path):
    whole = _tax_csv(TAX_ROWS).encode("gbk")
    cut = whole[:whole.index("王五".encode("gbk")) + 3]       # inside the last row, mid-character
    path = tmp_path / "landing/tax/iit_cut.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(cut)
    assert _load(tmp_path) == {"landing/tax/iit_cut.csv": "loaded"}

    assert _query(tmp_path, "SELECT record_id FROM tax ORDER BY 1") == [("T1",), ("T2",)]
    (row_number, field, reason, raw_value, record_id), = _query(
        tmp_path, "SELECT row_number, field, reason, raw_value, record_id FROM quarantine")
    assert row_number == 3 and field is None and raw_value.startswith("T3,王")
    assert record_id == "T3"     # read from the cut row's text (a files probe's entry named none)
    assert reason.startswith("the file ends in the middle of this row")
    assert "looks cut off in transfer" in reason and "complete rows before it were loaded; this row was not" in reason
    message, = _query(tmp_path, "SELECT message FROM files")[0]
    assert "looks truncated" in message and "complete rows were loaded" in message


def test_the_note_on_a_cut_file_asks_for_the_whole_file_as_its_cut_row_does(tmp_path):
    """A messages probe: the note's head said 'only the corrected rows are needed', its cut row 'Send the
    file again in full', the console 'ask the sender for the whole file'."""
    whole = _tax_csv(TAX_ROWS)
    _load_with_notes(tmp_path, "landing/tax/iit_cut.csv", whole[:whole.index("王五") + 1])
    note = (tmp_path / "rejected/tax/iit_cut.csv.error.txt").read_text(encoding="utf-8")
    assert "请重新发送完整文件" in note and "send it again in full" in note
    assert "只需发送更正的行" not in note and "only the corrected rows are needed" not in note


def test_a_ragged_row_and_a_row_whose_quote_never_closes_are_quarantined_with_their_record_id_and_id(tmp_path):
    """An ingestion probe: the row opening a quote never closed was quarantined with no record_id, so
    no resend could close it and no household heard of it."""
    good = "".join(f"G{i},张三,14010519900307104X,2026-0{i},工资薪金,5000.00,太原某公司\n" for i in range(1, 6))
    text = (TAX_HEADER + "\n" + good + "T2,李四,14010519900307104X,2026-09,工资薪金,50,太原某公司,多余\n"
            'T3,王五,14010519900307104X,2026-09,"工资薪金,300,太原某公司\n'
            "G6,张三,14010519900307104X,2026-06,工资薪金,5000.00,太原某公司\n")
    _write(tmp_path, "landing/tax/iit_broken.csv", text)
    assert _load(tmp_path) == {"landing/tax/iit_broken.csv": "loaded"}
    assert _query(tmp_path, "SELECT row_number, record_id, id_number FROM quarantine ORDER BY 1") == [
        (6, "T2", "14010519900307104X"), (7, "T3", "14010519900307104X")]


def test_a_broken_json_line_is_quarantined_with_the_record_id_and_id_it_wrote_in_full(tmp_path):
    """An ingestion probe: a JSON line broken after its record_id was quarantined naming none."""
    good = "".join(json.dumps({"record_id": f"G{i}", "name": "张三", "id_number": "14010519900307104X",
                               "period": f"2026-0{i}", "income_item": "工资薪金", "income_amount": 5000},
                              ensure_ascii=False) + "\n" for i in range(1, 6))
    broken = '{"record_id": "J4", "name": "李四", "id_number": "14010519900307104X", "period": "2026-09" "income_item"\n'
    _write(tmp_path, "landing/tax/iit.jsonl", good + broken + good.replace('"G', '"H'))
    assert _load(tmp_path) == {"landing/tax/iit.jsonl": "loaded"}
    assert _query(tmp_path, "SELECT row_number, record_id, id_number FROM quarantine") == [
        (6, "J4", "14010519900307104X")]


@pytest.mark.parametrize("cut_after", [6, 20])
def test_a_csv_cut_at_a_field_boundary_says_how_many_fields_arrived(tmp_path, cut_after):
    whole = _tax_csv(TAX_ROWS).encode("utf-8")
    start = whole.index(b"T3,")
    _write(tmp_path, "landing/tax/iit_cut.csv", whole[:start + cut_after].decode("utf-8", errors="ignore"))
    _load(tmp_path)
    (reason,), = _query(tmp_path, "SELECT reason FROM quarantine")
    assert "of the header's 7 fields" in reason
    assert _query(tmp_path, "SELECT count(*) FROM tax") == [(2,)]


def test_a_last_row_without_a_line_break_is_complete_not_truncated(tmp_path):
    _write(tmp_path, "landing/tax/iit_no_eol.csv", _tax_csv(TAX_ROWS).rstrip("\n"))
    _load(tmp_path)
    assert _query(tmp_path, "SELECT count(*) FROM tax") == [(3,)]
    assert _query(tmp_path, "SELECT count(*) FROM quarantine") == [(0,)]


def _xlsx_bytes(rows: list[tuple]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([tuple(TAX_HEADER.split(","))] + rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def _parquet_bytes(rows: list[tuple]) -> bytes:
    names = TAX_HEADER.split(",")
    buffer = io.BytesIO()
    pq.write_table(pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)}), buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name, make", [("iit_cut.xlsx", _xlsx_bytes), ("iit_cut.parquet", _parquet_bytes)])
def test_a_truncated_workbook_or_parquet_file_is_rejected_whole_saying_it_looks_truncated(tmp_path, name, make):
    whole = make(TAX_ROWS * 50)
    assert zipfile.is_zipfile(io.BytesIO(whole)) == name.endswith(".xlsx")
    path = tmp_path / "landing" / "tax" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(whole[:len(whole) * 2 // 3])
    assert _load(tmp_path) == {f"landing/tax/{name}": "rejected"}

    note = (tmp_path / "rejected" / "tax" / f"{name}.error.txt").read_text(encoding="utf-8")
    assert "the file looks truncated (cut off in transfer)" in note
    assert "The whole file is rejected and nothing from it was loaded" in note
    assert _query(tmp_path, "SELECT count(*) FROM tax_all") == [(0,)]
    assert _query(tmp_path, "SELECT count(*) FROM quarantine") == [(0,)]


def test_only_the_newest_quality_sites_are_kept(tmp_path):
    from pipelines.ingest import prune_quality_sites

    names = [f"202611{d:02d}T0200{m:02d}-abcdef{m:02d}" for d in (27, 28) for m in range(6)]
    for name in names:
        (tmp_path / name / "static").mkdir(parents=True)
    removed = prune_quality_sites(tmp_path, keep=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)[-4:]
    assert len(removed) == len(names) - 4


def test_a_file_in_a_folder_the_pipeline_does_not_read_is_named_in_a_warning_not_ignored_silently(tmp_path):
    _write(tmp_path, "landing/tax/iit.csv", _tax_csv(TAX_ROWS))
    _write(tmp_path, "landing/taxes/misplaced.csv", _tax_csv(TAX_ROWS))
    _write(tmp_path, "landing/stray.csv", _tax_csv(TAX_ROWS))
    _write(tmp_path, "inbox/loose_request.csv", ROLLS_HEADER + "\n")
    _write(tmp_path, "landing/.hidden/x.csv", "")
    deliveries, warnings = discover(tmp_path)
    assert [d.rel_path for d in deliveries] == ["landing/tax/iit.csv"]
    assert warnings == [
        "1 file(s) directly in landing/ ignored (stray.csv): files are read from landing/<source>/, <source> one "
        "of tax, vehicle, property, social_insurance, bank, rolls",
        "landing/taxes/ is not a folder the pipeline reads: 1 file(s) ignored (misplaced.csv); files are read "
        "from landing/<source>/, <source> one of tax, vehicle, property, social_insurance, bank, rolls",
        "1 file(s) directly in inbox/ ignored (loose_request.csv): files are read from inbox/<agency>/"]


def test_a_record_written_twice_whole_loads_once_and_the_copy_is_quarantined_as_a_copy(tmp_path):
    rows = [("C1", "张三", "", "2026-09", "工资薪金", "5000", "太原某公司"),
            ("C2", "李四", "", "2026-09", "工资薪金", "100", ""),
            ("C1", "张三", "", "2026-09", "工资薪金", "5000", "太原某公司"),      # the same record again
            ("C3", "王五", "", "2026-09", "工资薪金", "300", ""),
            ("C3", "王五", "", "2026-09", "工资薪金", "310", "")]               # same id, another amount
    _write(tmp_path, "landing/tax/iit_copies.csv", _tax_csv(rows))
    assert _load(tmp_path) == {"landing/tax/iit_copies.csv": "loaded"}
    assert _query(tmp_path, "SELECT record_id, row_number, income_amount FROM tax ORDER BY 1") == [
        ("C1", 1, Decimal("5000.00")), ("C2", 2, Decimal("100.00"))]
    bad = _query(tmp_path, "SELECT row_number, field, reason FROM quarantine ORDER BY row_number")
    assert [(b[0], b[1]) for b in bad] == [(3, "record_id"), (4, "record_id"), (5, "record_id")]
    assert bad[0][2] == "exact copy of data row 1 (same record_id and every value): loaded once, from row 1"
    assert all("appears more than once in this file" in b[2] for b in bad[1:])
    # a clerk must find the other row to decide which is right: the reason names both
    assert bad[1][2].startswith("record_id 'C3' appears more than once in this file, on data rows 4, 5, with "
                                "different values")


def test_an_excel_lock_file_beside_a_workbook_is_not_a_delivery(tmp_path):
    """`~$申请.xlsx` is what Excel leaves while 申请.xlsx is open: a probe's went to rejected/."""
    _write(tmp_path, "inbox/yingze_minzheng/~$申请.xlsx", "\x00" * 165)
    assert _load(tmp_path) == {}


REQUEST_HEADER = "申请编号,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号"
FAMILY = {1: "1,张三,140105198501011117,户主,SQ1", 2: "2,李梅,140105199003071045,配偶,SQ2",
          3: "3,张小明,140105201203045138,子女,SQ3", 4: "4,王五,140105197001012011,其他,SQ4"}


@pytest.mark.parametrize("first, then, members", [
    ([1, 2, 3, 4], [1, 2, 3], [1, 2, 3]),          # re-sent whole without a member listed by mistake
    ([1, 2, 3, 4], [2], [1, 2, 3, 4]),             # one member's row re-sent, corrected: a patch
    ([1, 2], [3, 4], [1, 2, 3, 4]),                # one household over two files: parts
    ([3, 4], [1, 2], [1, 2, 3, 4]),                # the head's part second: still parts (no member again)
    ([1, 2, 3], [1], [1, 2, 3]),                   # the head's row alone, corrected: a patch
    ([1, 2, 3], [1, 4], [1, 2, 3, 4]),             # the head and a newborn: a patch
    ([1, 2, 3, 4], [1, 2], [1, 2]),                # the head and one member again: the household listed again
], ids=["whole-without-one", "one-row-patch", "two-parts", "two-parts-head-second", "head-row-patch",
        "head-and-newborn", "whole-of-two"])
def test_a_household_re_sent_whole_is_its_latest_version_and_a_part_or_patch_adds_to_it(tmp_path, first, then,
                                                                                         members):
    """An inbox probe: a household re-sent without a person listed by mistake kept that person, and
    failed on their income; the clerk had no way to take them off."""
    for name, numbers in (("1.csv", first), ("2.csv", then)):
        _write(tmp_path, f"inbox/agA/{name}", REQUEST_HEADER + "\n" + "".join(
            f"RQ1,低保,H1,140105,{FAMILY[n]}\n" for n in numbers))
        _load(tmp_path)
    got = _query(tmp_path, "SELECT member_no FROM applicant_members WHERE household_id = 'H1' ORDER BY 1")
    assert [n for (n,) in got] == members


def test_a_member_listed_twice_alike_loads_once_and_twice_differently_is_refused_for_the_sender(tmp_path):
    """An inbox probe: a member row written twice, identically, had both copies refused and the
    household held until the row was sent again."""
    _write(tmp_path, "inbox/agA/1.csv", REQUEST_HEADER + "\n" + "".join(
        f"RQ1,低保,H1,140105,{FAMILY[n]}\n" for n in (1, 2, 2)) + "".join(
        f"RQ1,低保,H2,140105,{row}\n" for row in ("1,赵六,140105196001012014,户主,SQ5", "1,赵七,140105196001012014,户主,SQ6")))
    _load(tmp_path)
    assert _query(tmp_path, "SELECT household_id, member_no FROM applicant_members ORDER BY ALL") == [("H1", 1), ("H1", 2)]
    reasons = dict(_query(tmp_path, "SELECT row_number, reason FROM quarantine ORDER BY 1"))
    assert reasons[3] == ("exact copy of data row 2 (same request_id/household_id/member_no and every value): "
                          "loaded once, from row 2")
    assert reasons[4].startswith("request_id/household_id/member_no 'RQ1/H2/1' appears more than once") and 5 in reasons


def test_a_record_id_with_a_control_character_is_quarantined_saying_so(tmp_path):
    """A hostile-input probe: record_id `T7<ESC>[2J` was stored, and cleared the screen of whoever printed it."""
    _write(tmp_path, "landing/tax/iit.csv", _tax_csv([("T1", "张三", "", "2026-09", "工资薪金", "3000", ""),
                                                     ("T7\x1b[2J", "李四", "", "2026-09", "工资薪金", "4000", "")]))
    assert _load(tmp_path) == {"landing/tax/iit.csv": "loaded"}
    assert _query(tmp_path, "SELECT record_id FROM tax") == [("T1",)]
    (reason,) = _query(tmp_path, "SELECT reason FROM quarantine")[0]
    assert "record_id holds an invisible character" in reason


def test_a_parquet_of_string_view_columns_loads_as_strings(tmp_path):
    """An ingestion probe: a bank export whose `name` column was Arrow's string_view (newer pyarrow,
    Polars) crashed every pass ("no kernel matching input types (string_view)")."""
    import pyarrow.parquet as pq

    path = tmp_path / "landing" / "bank" / "b.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.table({"record_id": ["B1"], "name": pa.array(["张三"], pa.string_view()),
                             "institution": ["中国银行"], "product_type": ["活期存款"], "balance": [1200.5],
                             "as_of_date": ["2026-10-31"]}), path)
    assert _load(tmp_path) == {"landing/bank/b.parquet": "loaded"}
    assert _query(tmp_path, "SELECT name, balance FROM bank") == [("张三", Decimal("1200.50"))]


def test_a_file_the_reader_fails_on_is_set_aside_and_the_other_files_load(tmp_path, monkeypatch):
    """One file must never stop the pass of every agency (the probe's string_view file crashed each one)."""
    import connectors

    real = connectors.read_source

    def flaky(source, path, **kw):
        if Path(path).name == "odd.csv":
            raise RuntimeError("reader bug")
        return real(source, path, **kw)

    monkeypatch.setattr(connectors, "read_source", flaky)
    _write(tmp_path, "landing/tax/odd.csv", _tax_csv([("T1", "张三", "", "2026-09", "工资薪金", "3000", "")]))
    _write(tmp_path, "landing/tax/good.csv", _tax_csv([("T2", "李四", "", "2026-09", "工资薪金", "4000", "")]))
    assert _load(tmp_path) == {"landing/tax/good.csv": "loaded", "landing/tax/odd.csv": "rejected"}
    note = (tmp_path / "rejected" / "tax" / "odd.csv.error.txt").read_text(encoding="utf-8")
    assert "the reader failed on it (RuntimeError: reader bug)" in note and "set aside" in note


def test_the_row_index_pandas_writes_into_a_parquet_is_not_kept_as_a_column(tmp_path):
    """An ingestion probe: `df.to_parquet()` of a filtered frame kept `__index_level_0__` in `extra`."""
    import pandas as pd

    path = tmp_path / "landing" / "bank" / "b.parquet"
    path.parent.mkdir(parents=True)
    frame = pd.DataFrame({"record_id": ["B0", "B1", "B2"], "name": ["王五", "张三", "李四"], "institution": ["中国银行"] * 3,
                          "product_type": ["活期存款"] * 3, "balance": [1.0, 1200.5, 3.0], "as_of_date": ["2026-10-31"] * 3})
    frame.set_axis([10, 3, 7]).drop(index=3).to_parquet(path)     # an index not 0..n: written as a column
    assert "__index_level_0__" in __import__("pyarrow.parquet").parquet.read_schema(path).names
    assert _load(tmp_path) == {"landing/bank/b.parquet": "loaded"}
    assert _query(tmp_path, "SELECT record_id, extra FROM bank ORDER BY 1") == [("B0", None), ("B2", None)]
