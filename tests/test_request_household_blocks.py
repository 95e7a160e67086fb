"""A request written in household blocks: the head's row carries the household's cells, the member
rows under it leave them blank. An agency-request probe's CSV so laid out had the spouse and child
rejected and the head answered alone, as a complete one-person household that passed."""

from __future__ import annotations

import json
from datetime import date

from pipelines.passes import run_pass

AS_OF = date(2026, 11, 28)
AGENCY = "xiaodian"
HEADER = "申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
ROWS = ("RQ-X1,低保,HX1,140105,1,戚一,140105198501011117,户主,SQ-1\n"
        ",,,,2,戚二,140105199003071045,配偶,SQ-2\n"
        ",,,,3,戚三,140105201005050520,子女,SQ-3\n"
        "RQ-X1,低保,HX2,140105,1,韩四,140105197705050521,户主,SQ-4\n"
        ",,HX2,,2,韩五,140105197906060616,配偶,SQ-5\n")


def test_member_rows_under_a_head_take_its_household_cells(tmp_path):
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    (root / "inbox" / AGENCY / "blocks.csv").write_text(HEADER + ROWS, encoding="gbk")
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert summary["rows_quarantined"] == 0
    for household, names in (("HX1", ["戚一", "戚二", "戚三"]), ("HX2", ["韩四", "韩五"])):
        doc = json.loads((root / "outbox" / AGENCY / "RQ-X1" / f"{household}.json").read_text(encoding="utf-8"))
        assert [m["name"] for m in doc["members"]] == names
        assert doc["income"]["members_counted"] == len(names)


def test_a_block_written_spouse_first_gives_its_head_and_child_the_spouses_household_cells(tmp_path):
    """An inbox probe: the 配偶 row carried the household's cells, the 户主 and the child below were
    refused, and the household was answered as the spouse alone."""
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    rows = ("RQ-X1,低保,HX1,140105,2,戚二,140105199003071045,配偶,SQ-2\n"
            ",,,,1,戚一,140105198501011117,户主,SQ-1\n"
            ",,,,3,戚三,140105201005050520,子女,SQ-3\n")
    (root / "inbox" / AGENCY / "blocks.csv").write_text(HEADER + rows, encoding="gbk")
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert summary["rows_quarantined"] == 0
    doc = json.loads((root / "outbox" / AGENCY / "RQ-X1" / "HX1.json").read_text(encoding="utf-8"))
    assert sorted(m["name"] for m in doc["members"]) == ["戚一", "戚三", "戚二"]


def test_a_head_row_without_its_household_cells_is_still_a_row_error(tmp_path):
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    rows = ROWS + ",,,,1,孤六,140105196508080813,户主,SQ-6\n"
    (root / "inbox" / AGENCY / "blocks.csv").write_text(HEADER + rows, encoding="gbk")
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert summary["rows_quarantined"] == 1


def test_a_totals_and_a_signature_line_under_the_last_block_hold_back_no_household(tmp_path):
    """An export probe: the 合计 and 经办人 lines under the last block took its household cells,
    were rightly listed as no records — and the note said that household was not answered until
    corrected rows arrived, while its report was written."""
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    rows = ROWS + "合计,,,,,5人,,,\n" + "经办人：王五    审核人：赵六,,,,,,,,\n"
    (root / "inbox" / AGENCY / "blocks.csv").write_text(HEADER + rows, encoding="gbk")
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert summary["rows_quarantined"] == 2
    assert (root / "outbox" / AGENCY / "RQ-X1" / "HX2.json").exists()
    note = (root / "rejected" / AGENCY / "blocks.csv.error.txt").read_text(encoding="utf-8")
    assert "not answered until" not in note and "None of these rows needs correcting or resending." in note
    assert not any("not answered until" in m for m in summary["messages"])
    # an inbox probe: the totals line was quoted as "成员 None" to the office
    assert " None " not in note.replace("None of these rows", "") and "成员 None" not in note
    # a files probe: the footer was quoted as a line of the last household (家庭 HX2)
    assert "HX2" not in note


def test_an_implausible_declared_birth_date_beside_a_valid_id_holds_nothing_back(tmp_path):
    """An independent probe: a supporter's 出生日期 2090-08-05 beside a valid ID refused the row and
    held the 特困 request unanswered. The ID says when they were born: the row loads and the report
    says the declaration contradicts it. Beside an ID that fails its check, the row is refused."""
    from connectors.values.idnumber import check_char

    def valid(body):
        return body + check_char(body)

    head, spouse, other = valid("14010519550505051"), valid("14010519570707072"), valid("14010519600101013")
    bad_id = other[:-1] + ("0" if other[-1] != "0" else "1")
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    (root / "inbox" / AGENCY / "dates.csv").write_text(
        "申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号,出生日期\n"
        f"RQ-B1,低保,HB1,140105,1,岳一,{head},户主,SQ-1,1955-05-05\n"
        f"RQ-B1,低保,HB1,140105,2,岳二,{spouse},配偶,SQ-2,2090-08-05\n"
        f"RQ-B1,低保,HB2,140105,1,岳三,{bad_id},户主,SQ-3,2090-08-05\n", encoding="gbk")
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert summary["rows_quarantined"] == 1                      # 岳三: no valid ID to say otherwise
    doc = json.loads((root / "outbox" / AGENCY / "RQ-B1" / "HB1.json").read_text(encoding="utf-8"))
    assert [m["name"] for m in doc["members"]] == ["岳一", "岳二"] and doc["members"][1]["age"] == 69
    assert any(f["rule"] == "declared.birth_date" for f in doc["findings"]), doc["findings"]
    assert not (root / "outbox" / AGENCY / "RQ-B1" / "HB2.json").exists()


def test_a_request_cut_inside_its_last_member_row_holds_that_household_back(tmp_path):
    """An operations probe: a request file cut in transfer inside HH02's second member row was answered
    with HH02 as a one-person household; a whole row with a bad cell holds its household back."""
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    rows = ("RQ-X1,低保,HX1,140105,1,戚一,140105198501011117,户主,SQ-1\n"
            "RQ-X1,低保,HX2,140105,1,韩四,140105197705050521,户主,SQ-4\n"
            "RQ-X1,低保,HX2,140105,2,韩五,1401051979")
    (root / "inbox" / AGENCY / "cut.csv").write_text(HEADER + rows, encoding="gbk")
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert (root / "outbox" / AGENCY / "RQ-X1" / "HX1.json").exists()
    assert not (root / "outbox" / AGENCY / "RQ-X1" / "HX2.json").exists()
    assert any("not answered until their rejected member rows are corrected: HX2" in m for m in summary["messages"])
