"""The Chinese gist that leads each rejected row's reason in an error note (`pipelines.row_errors`):
a messages probe found an area of 900,000 m² told 面积应为正数 and six kinds of rejection with none."""

from __future__ import annotations

import pytest

from connectors.csv_quotes import ragged_reason
from connectors.csv_tail import TRUNCATED
from connectors.source import UNREAD_SHEET
from connectors.values.money import parse_money, parse_number
from expectations.evaluate import DIFFERING_COPIES, TWO_MEMBERS
from pipelines.gists import row_gist as _gist


def _raised(parse, raw) -> str:
    with pytest.raises(ValueError) as caught:
        parse(raw)
    return str(caught.value)


@pytest.mark.parametrize("reason, gist", [
    (ragged_reason("a,b", 2, 8, "comma"), "本行列数与表头不符（值中可能含有未加引号的分隔符）"),
    (ragged_reason('a,"b\nc', 3, 8, "comma"), "引号未闭合，下面的行被并入此行"),
    (UNREAD_SHEET.format(sheet="11月", own="", row=1, first="10月", hidden=""), "数据不在第一个工作表，未读取"),
    (TRUNCATED.format(detail="3 of the header's 8 fields"), "文件疑似传输中断，此行不完整"),
    ("the line is not valid JSON (Expecting value at character 3)", "不是有效的JSON"),
    ("the key 'amount' appears twice in this line (2106 and 9106); send each field once", "同一行中字段重复"),
    ("row 3 holds bytes that are not valid UTF-8", "含有无法识别的字节（乱码）"),
    ("floor_area must be a positive area in m² below 100,000", "面积应大于0且小于100,000平方米"),
    (_raised(parse_number, "-80"), "不能为负数"),
    (_raised(parse_money, "约两千"), "金额无法识别"),
    (DIFFERING_COPIES.format(key="record_id", value="T1", rows="2, 3"), "记录编号在本文件中重复"),
    (DIFFERING_COPIES.format(key="request_id/household_id/member_no", value="R/H/1", rows="2, 3") + TWO_MEMBERS,
     "同一申请同一家庭中成员序号重复（若是两人，请分别编号）"),
], ids=lambda x: x[:30] if isinstance(x, str) else None)
def test_each_kind_of_rejection_is_led_by_its_own_gist(reason, gist):
    assert _gist(reason) == gist


def test_a_negative_area_is_told_what_the_gates_accept_not_zero():
    """A messages probe corrected -80 to 0 as told ('must be 0 or more') and was refused again."""
    assert "must be above 0" in _raised(parse_number, "-80")


def test_the_errors_csv_carries_the_gist_the_note_does(tmp_path):
    """A probe: the .errors.csv a clerk opens in Excel had the English reason alone."""
    import csv
    from datetime import date

    from pipelines.passes import run_pass

    folder = tmp_path / "inbox" / "renshe"
    folder.mkdir(parents=True)
    (folder / "r.csv").write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号,申报月收入\n"
                                  "RS-1,低保,H1,140105,1,戚一,140105198501011117,户主,SQ-1,约两千\n", encoding="gbk")
    run_pass(tmp_path, as_of=date(2026, 11, 28), snapshot_mode="wait")
    with (tmp_path / "rejected" / "renshe" / "r.csv.errors.csv").open(encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["field"] == "申报月收入（declared_monthly_income）" and row["reason"].startswith("金额无法识别 — ")


def test_the_note_on_rows_of_a_hidden_first_sheet_says_the_sheet_is_hidden(tmp_path):
    """A messages probe: the rows were on a hidden first sheet 明细 behind a visible 说明; the note said
    '第3行 … 不能为负数' and nowhere which sheet, nor that Excel hides it."""
    from datetime import date

    import xlsxwriter

    from pipelines.passes import run_pass

    path = tmp_path / "landing" / "tax" / "iit.xlsx"
    path.parent.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(path))
    data, notes = book.add_worksheet("明细"), book.add_worksheet("说明")
    for r, row in enumerate([["记录编号", "纳税人姓名", "所属期", "所得项目", "收入额"],
                             ["X1", "张三", "2026-09", "工资薪金", 5000], ["X2", "李四", "2026-09", "工资薪金", -300]]):
        data.write_row(r, 0, row)
    notes.write(0, 0, "本表由税务局导出")
    notes.activate()
    data.hide()
    book.close()
    run_pass(tmp_path, as_of=date(2026, 11, 28), snapshot_mode="wait")
    note = (tmp_path / "rejected" / "tax" / "iit.xlsx.error.txt").read_text(encoding="utf-8")
    assert "说明 / note: the rows were read from the workbook's first sheet, '明细', which Excel hides" in note


REJECTED = {"empty.csv": (b"", "文件为空"), "missing.csv": ("纳税人姓名,所属期\n张三,2026-09\n".encode("gbk"), "缺少必需的列"),
            "zip.csv": (b"PK\x03\x04" + b"\x00" * 40, "文件是压缩包")}


@pytest.fixture(scope="module")
def rejected_world(tmp_path_factory):
    """One pass over a root holding every rejected file of `REJECTED` (one pass: each costs seconds)."""
    from datetime import date

    from pipelines.passes import run_pass

    root = tmp_path_factory.mktemp("rejected") / "root"
    (root / "landing" / "tax").mkdir(parents=True)
    for name, (content, _) in REJECTED.items():
        (root / "landing" / "tax" / name).write_bytes(content)
    run_pass(root, as_of=date(2026, 11, 28), snapshot_mode="off")
    return root


@pytest.mark.parametrize("name", list(REJECTED))
def test_a_rejected_files_note_leads_with_a_chinese_gist(rejected_world, name):
    """A messages probe: the notes on an empty file, a missing column, a ZIP … were English only."""
    note = rejected_world / "rejected" / "tax" / f"{name}.error.txt"
    assert note.read_text(encoding="utf-8").splitlines()[2].startswith(f"原因：{REJECTED[name][1]}")


def test_the_note_on_a_workbook_with_a_title_above_its_header_gives_the_excel_row_of_data_row_n(tmp_path):
    """A messages probe: '第2行' of a workbook with a title and a blank row above its header was Excel's
    row 5, and nothing said so."""
    from datetime import date

    import xlsxwriter

    from pipelines.passes import run_pass

    path = tmp_path / "landing" / "tax" / "iit.xlsx"
    path.parent.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("明细")
    sheet.write(0, 0, "2026年9月个人所得税扣缴明细")
    for r, row in enumerate([["记录编号", "纳税人姓名", "所属期", "所得项目", "收入额"],
                             ["X1", "张三", "2026-09", "工资薪金", 5000], ["X2", "李四", "2026-09", "工资薪金", -300]],
                            start=2):
        sheet.write_row(r, 0, row)
    book.close()
    run_pass(tmp_path, as_of=date(2026, 11, 28), snapshot_mode="wait")
    note = (tmp_path / "rejected" / "tax" / "iit.xlsx.error.txt").read_text(encoding="utf-8")
    assert "表头在第3行，数据第N行即Excel第N+3行" in note and "第2行 row 2" in note
