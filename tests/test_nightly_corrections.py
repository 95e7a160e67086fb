"""A department's corrected re-delivery (same record_id) in the nightly: the report says which row was
corrected, from what to what and where each version is — or that the record, re-sent under another
person, is no longer the household's (a corrections probe: every figure right, none explained)."""

from __future__ import annotations

import json
from datetime import date

from pipelines.passes import run_pass

HEADER = "request_id,agency,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
TAX = "记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额,扣缴义务人\n"
SUN, WANG = "140105198005050520", "140105197501010013"


def _changes(root, household):
    doc = json.loads((root / "outbox" / "yingze" / "nightly-20261128" / f"{household}.json").read_text(encoding="utf-8"))
    return [c for c in doc["changes"] if c["kind"] == "records.corrected"]


def test_a_corrected_row_and_a_row_re_sent_as_someone_elses_are_named_in_the_report(tmp_path):
    root = tmp_path / "root"
    (root / "landing" / "rolls").mkdir(parents=True)
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "landing" / "rolls" / "rolls_20261127.csv").write_text(
        HEADER + f"ROLL-1,yingze,dibao,H1,140105,1,孙丽,{SUN},户主,SQ-1\n"
                 f"ROLL-2,yingze,dibao,H2,140105,1,王强,{WANG},户主,SQ-2\n", encoding="utf-8")
    (root / "landing" / "tax" / "tax.csv").write_text(
        TAX + f"T1,孙丽,{SUN},2026-09,工资薪金,500,某厂\nT2,孙丽,{SUN},2026-08,工资薪金,300,某厂\n"
              f"T3,王强,{WANG},2026-09,工资薪金,200,某店\n", encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 27), snapshot_mode="off")
    (root / "landing" / "tax" / "tax_corr.csv").write_text(
        TAX + f"T1,孙丽,{SUN},2026-09,工资薪金,5000,某厂\nT2,王强,{WANG},2026-10,劳务报酬,2500,某店\n", encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 28), snapshot_mode="off")
    (said,) = _changes(root, "H1")
    assert ("T1：2026-09 工资薪金 500.00元 → 2026-09 工资薪金 5000.00元（原landing/tax/tax.csv第1行，"
            "现landing/tax/tax_corr.csv第1行）") in said["message"]
    assert "T2（2026-08 工资薪金 300.00元，原landing/tax/tax.csv第2行）重新报送后已是他人的记录" in said["message"]
    assert _changes(root, "H2") == []        # T2 is new to 王强, not a correction of his


def test_a_report_written_for_changed_warnings_says_which_came_and_how_many_went():
    from pipelines.alerts import findings_note

    shown = {("id_check", "成员甲的身份证号校验未通过"), ("match.review", "有待复核的匹配")}
    now = [{"rule": "match.review", "severity": "warn", "message": "有待复核的匹配"},
           {"rule": "household.no_head", "severity": "warn", "message": "家庭没有户主"}]
    note = findings_note(shown, now)
    assert note["kind"] == "findings.changed" and note["severity"] == "info"
    assert note["message"] == "与上次核对相比，核对提示有变化（新增提示：家庭没有户主；1项提示已不再出现），无变动提醒"


def test_an_answered_requests_new_edition_names_the_record_a_department_corrected(tmp_path):
    root = tmp_path / "root"
    (root / "inbox" / "yingze").mkdir(parents=True)
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "inbox" / "yingze" / "req.csv").write_text(
        HEADER + f"RQ-1,,dibao,H1,140105,1,孙丽,{SUN},户主,SQ-1\n", encoding="utf-8")
    (root / "landing" / "tax" / "tax.csv").write_text(TAX + f"T1,孙丽,{SUN},2026-09,工资薪金,500,某厂\n", encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 27), snapshot_mode="off")
    (root / "landing" / "tax" / "tax_corr.csv").write_text(TAX + f"T1,孙丽,{SUN},2026-09,工资薪金,800,某厂\n",
                                                           encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 28), snapshot_mode="off")
    doc = json.loads((root / "outbox" / "yingze" / "RQ-1" / "H1.json").read_text(encoding="utf-8"))
    (said,) = [c for c in doc["reissue"]["changes"] if c["figure"] == "records"]
    assert "T1：2026-09 工资薪金 500.00元 → 2026-09 工资薪金 800.00元" in said["message"]
