"""A request's outbox folder names the households it does not answer yet.

A household with a member row its file had rejected waits for the corrected row. A request probe's
folder said "共 2 户" of three and listed two: the third was named only in `rejected/`, where the
agency clerk reading the folder of their request does not look."""

from __future__ import annotations

from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from pipelines.passes import run_pass

AS_OF = date(2026, 11, 28)
AGENCY = "renshe"
HEADER = "申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号,申报月收入\n"
GOOD = ("RS-1,低保,H1,140105,1,戚一,140105198501011117,户主,SQ-1,500\n"
        "RS-1,低保,H3,140105,1,韩四,140105197705050521,户主,SQ-4,300\n")
H2_HEAD = "RS-1,低保,H2,140105,1,孔三,140105199003071045,户主,SQ-2,800\n"
H2_BAD = "RS-1,低保,H2,140105,2,孔五,140105201005050520,子女,SQ-3,约两千\n"
H2_FIXED = "RS-1,低保,H2,140105,2,孔五,140105201005050520,子女,SQ-3,0\n"


def _drop(root, name: str, text: str) -> None:
    (root / "inbox" / AGENCY).mkdir(parents=True, exist_ok=True)
    (root / "inbox" / AGENCY / name).write_text(HEADER + text, encoding="gbk")


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A request of three households, the second's child row refused (its income 约两千): one pass."""
    root = tmp_path_factory.mktemp("held") / "root"
    _drop(root, "request.csv", GOOD + H2_HEAD + H2_BAD)
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    return root


def test_a_request_folder_lists_the_household_held_for_a_rejected_member_row_and_its_note(held):
    root = held
    folder = root / "outbox" / AGENCY / "RS-1"
    assert sorted(p.name for p in folder.glob("*.json")) == ["H1.json", "H3.json"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "共 2 户，另 1 户待更正" in index
    assert "尚未答复的家庭（1 户）" in index and "H2" in index
    note = f"rejected/{AGENCY}/request.csv.error.txt"
    assert note in index and (root / note).is_file()
    sheets = CalamineWorkbook.from_path(str(folder / "summary.xlsx"))
    assert "待更正" in sheets.sheet_names
    rows = sheets.get_sheet_by_name("待更正").to_python()
    assert rows[0] == ["家庭编号", "未答复原因"] and rows[1][0] == "H2" and note in rows[1][1]


def test_once_the_corrected_row_is_answered_the_folder_no_longer_lists_it_as_waiting(tmp_path):
    root = tmp_path / "root"
    _drop(root, "request.csv", GOOD + H2_HEAD + H2_BAD)
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    _drop(root, "request-fix.csv", H2_FIXED)
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    folder = root / "outbox" / AGENCY / "RS-1"
    assert sorted(p.name for p in folder.glob("*.json")) == ["H1.json", "H2.json", "H3.json"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "共 3 户" in index and "待更正" not in index and "尚未答复" not in index
    assert "待更正" not in CalamineWorkbook.from_path(str(folder / "summary.xlsx")).sheet_names


def test_the_error_note_names_the_column_as_the_agencys_file_headed_it_with_a_chinese_gist(held):
    """An inbox probe: `字段 field declared_monthly_income：'约两千' is not an amount of money` named a
    column nobody at the agency wrote, in words the clerk may not read."""
    note = (held / "rejected" / AGENCY / "request.csv.error.txt").read_text(encoding="utf-8")
    assert "字段 field 申报月收入（declared_monthly_income）：金额无法识别 — '约两千' is not an amount of money" in note


def test_two_people_under_one_member_number_are_told_in_the_files_headers_with_the_right_advice(tmp_path):
    """A messages probe: 孙七 and 周八 numbered 1 in one household got the gist 记录编号在本文件中重复 (an
    application has no 记录编号), the field `request_id,household_id,member_no`, and 'send the right one
    again' though both were real."""
    root = tmp_path / "root"
    _drop(root, "request.csv", GOOD + H2_HEAD + "RS-1,低保,H2,140105,1,孔五,140105201005050520,子女,SQ-3,0\n")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    note = (root / "rejected" / AGENCY / "request.csv.error.txt").read_text(encoding="utf-8")
    assert ("字段 field 申请编号（request_id）、家庭编号（household_id）、成员序号（member_no）："
            "同一申请同一家庭中成员序号重复（若是两人，请分别编号） — ") in note
    assert "if they are two people, give each a member_no of their own" in note


def test_a_request_whose_every_household_waits_still_gets_a_folder_listing_them(tmp_path):
    """An adversarial probe: a request of two households, each with a refused row, had no folder at
    all: the agency had nothing in its outbox for it."""
    root = tmp_path / "root"
    _drop(root, "request.csv", H2_HEAD + H2_BAD)
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    folder = root / "outbox" / AGENCY / "RS-1"
    assert not list(folder.glob("*.json"))
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "共 0 户，另 1 户待更正" in index and "H2" in index
    assert "待更正" in CalamineWorkbook.from_path(str(folder / "summary.xlsx")).sheet_names
