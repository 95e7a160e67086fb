"""One person listed in two households of applications received in the window — a second
household of the same request, or another agency's — is a double claim unless one is wrong.
An applicant-side probe: a mother listed in both her sons' households, and people in two
agencies' requests, went unflagged (only the rolls were checked)."""

from __future__ import annotations

import json
from datetime import date

from pipelines.passes import run_pass

AS_OF = date(2026, 11, 28)
HEADER = "request_id,agency,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
MOTHER = "闫凤英,140105195003030020"


def _drop(root, rel: str, *rows: str) -> None:
    """Write `rows` (CSV lines of HEADER's fields) under `root`/`rel`."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")


def _findings(root, agency, request, household):
    doc = json.loads((root / "outbox" / agency / request / f"{household}.json").read_text(encoding="utf-8"))
    return [f for f in doc["findings"] if f["rule"] == "member.elsewhere"]


def test_a_person_in_two_households_is_flagged_in_both_and_others_are_not(tmp_path):
    root = tmp_path / "root"
    for agency in ("xiaodian", "yingze"):
        (root / "inbox" / agency).mkdir(parents=True)
    (root / "inbox" / "xiaodian" / "req.csv").write_text(
        HEADER + f"RQ-1,,dibao,HA,140105,1,闫建国,140105197501010013,户主,SQ-1\n"
                 f"RQ-1,,dibao,HA,140105,2,{MOTHER},父母,SQ-2\n"
                 f"RQ-1,,dibao,HB,140105,1,闫建军,140105197802020012,户主,SQ-3\n"
                 f"RQ-1,,dibao,HB,140105,2,{MOTHER},父母,SQ-4\n"
                 f"RQ-1,,dibao,HC,140105,1,孙丽,140105198005050520,户主,SQ-5\n", encoding="utf-8")
    (root / "inbox" / "yingze" / "req.csv").write_text(
        HEADER + "RQ-9,,dibao,HZ,140105,1,孙丽,140105198005050520,户主,SQ-9\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    (in_a,) = _findings(root, "xiaodian", "RQ-1", "HA")
    assert in_a["severity"] == "warn" and "闫凤英（序号2）同时列在xiaodian的申请RQ-1（家庭HB）中" in in_a["message"]
    (in_b,) = _findings(root, "xiaodian", "RQ-1", "HB")
    assert "家庭HA" in in_b["message"]
    (in_c,) = _findings(root, "xiaodian", "RQ-1", "HC")
    assert "yingze的申请RQ-9（家庭HZ）" in in_c["message"]
    (in_z,) = _findings(root, "yingze", "RQ-9", "HZ")
    assert "xiaodian的申请RQ-1（家庭HC）" in in_z["message"]


def test_two_agencies_numbering_their_households_alike_still_flag_one_person_in_both(tmp_path):
    """An inbox probe: two agencies each filed a household H022 holding the same person, and
    neither report said so; an agency re-filing its own H022 in a new request is no second claim."""
    root = tmp_path / "root"
    for agency in ("xiaodian", "yingze"):
        (root / "inbox" / agency).mkdir(parents=True)
    row = "dibao,H022,140105,1,孙丽,140105198005050520,户主,SQ-5\n"
    (root / "inbox" / "xiaodian" / "req.csv").write_text(HEADER + "RQ-1,," + row + "RQ-2,," + row, encoding="utf-8")
    (root / "inbox" / "yingze" / "req.csv").write_text(HEADER + "RQ-9,," + row, encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    said = " ".join(f["message"] for f in _findings(root, "yingze", "RQ-9", "H022"))
    assert "xiaodian的申请RQ-1（家庭H022）" in said and "xiaodian的申请RQ-2（家庭H022）" in said
    (found,) = _findings(root, "xiaodian", "RQ-1", "H022")
    assert "yingze的申请RQ-9（家庭H022）" in found["message"] and "RQ-2" not in found["message"]


def test_a_legal_supporter_named_on_another_application_is_not_listed_twice(tmp_path):
    """A probe: the 户主 of a 低保 household, named 赡养人 of her mother's 特困 application, had
    her own household held for review as 'listed twice'; a supporter is not a member there."""
    root = tmp_path / "root"
    (root / "inbox" / "xiaodian").mkdir(parents=True)
    daughter = "闫丽,140105197501010021"
    (root / "inbox" / "xiaodian" / "req.csv").write_text(
        HEADER + f"RQ-1,,dibao,HA,140105,1,{daughter},户主,SQ-1\n"
                 f"RQ-1,,tekun,HT,140105,1,{MOTHER},户主,SQ-2\n"
                 f"RQ-1,,tekun,HT,140105,2,{daughter},赡养人,SQ-3\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert _findings(root, "xiaodian", "RQ-1", "HA") == []
    assert _findings(root, "xiaodian", "RQ-1", "HT") == []


def test_a_tekun_member_applying_for_medical_aid_is_not_listed_twice(tmp_path):
    """A probe: a 特困 person's 医疗救助 application held her 特困 household for review as a
    second listing; aid of another kind is no double claim (the same aid, or 低保 and 特困, is)."""
    root = tmp_path / "root"
    (root / "inbox" / "xiaodian").mkdir(parents=True)
    (root / "inbox" / "xiaodian" / "req.csv").write_text(
        HEADER + f"RQ-1,,tekun,HT,140105,1,{MOTHER},户主,SQ-1\n"
                 f"RQ-2,,medical,HM,140105,1,{MOTHER},户主,SQ-2\n"
                 f"RQ-3,,dibao,HD,140105,1,{MOTHER},户主,SQ-3\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    (found,) = _findings(root, "xiaodian", "RQ-1", "HT")          # the 低保 application, not the medical one
    assert "xiaodian的申请RQ-3（家庭HD）" in found["message"] and "RQ-2" not in found["message"]
    assert _findings(root, "xiaodian", "RQ-2", "HM") == []


def test_a_person_in_two_requests_with_a_homophone_of_his_name_in_one_is_linked_in_both(tmp_path):
    """An independent-data probe: 赵文明 in a 低保 request and, typed 赵文铭, in a 医疗救助 one (one
    valid ID): the weaker pair was judged against the stronger one of the same person, and every
    row of his in the second request went to review at 0.115."""
    import duckdb

    root = tmp_path / "root"
    (root / "inbox" / "xinfu").mkdir(parents=True)
    (root / "landing" / "social_insurance").mkdir(parents=True)
    me = "140902193904171993"
    (root / "inbox" / "xinfu" / "req.csv").write_text(
        HEADER + f"RQ-1,,dibao,H1,140902,1,赵文明,{me},户主,SQ-1\n"
                 f"RQ-2,,medical,H1,140902,1,赵文铭,{me},户主,SQ-2\n", encoding="utf-8")
    (root / "landing" / "social_insurance" / "si.csv").write_text(
        "record_id,name,id_number,insurance_type,record_type,period,amount\n" + "".join(
            f"S{m},赵文明,{me},城乡居民基本养老保险,待遇,2026-{m:02d},168.00\n" for m in range(1, 11)), encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        got = con.execute("SELECT request_id, decision, count(*) FROM links GROUP BY ALL ORDER BY ALL").fetchall()
    finally:
        con.close()
    assert got == [("RQ-1", "auto", 10), ("RQ-2", "auto", 10)]


def test_a_rolls_household_is_verified_again_the_night_another_agency_files_for_its_member(tmp_path):
    """A probe: yingze's rolls household H3 stayed `pass` with no alert after xiaodian filed 低保 for
    its two members; only a --full pass said so (the incremental nightly had no reason to look)."""
    root = tmp_path / "root"
    _drop(root, "landing/rolls/rolls_20261127.csv", "ROLL-9,yingze,dibao,H3,140105,1,孙丽,140105198005050520,户主,SQ-9")
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "landing" / "tax" / "tax.csv").write_text(
        "记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额\nT1,孙丽,140105198005050520,2026-09,工资薪金,100\n",
        encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 27), snapshot_mode="off")
    assert json.loads((root / "outbox" / "yingze" / "nightly-20261127" / "H3.json").read_text())["outcome"] == "pass"
    _drop(root, "inbox/xiaodian/req.csv", "RQ-1,,dibao,HC,140105,1,孙丽,140105198005050520,户主,SQ-5")
    run_pass(root, as_of=AS_OF, snapshot_mode="off")
    found = _findings(root, "yingze", "nightly-20261128", "H3")
    assert len(found) == 1 and "xiaodian的申请RQ-1（家庭HC）" in found[0]["message"]


def test_a_rolls_household_is_not_listed_twice_with_its_own_agencys_application_it_came_from(tmp_path):
    """A probe: an application approved and put on the rolls under the case system's own household
    number was "listed twice" with the application it came from, and held for review every night."""
    root = tmp_path / "root"
    _drop(root, "inbox/yingze/req.csv", "RQ-1,,dibao,HA,140105,1,孙丽,140105198005050520,户主,SQ-5")
    run_pass(root, as_of=date(2026, 11, 27), snapshot_mode="off")
    _drop(root, "landing/rolls/rolls_20261128.csv",
          "ROLL-9,yingze,dibao,YZ-0001,140105,1,孙丽,140105198005050520,户主,SQ-9")
    run_pass(root, as_of=AS_OF, snapshot_mode="off")
    assert _findings(root, "yingze", "nightly-20261128", "YZ-0001") == []


def test_another_agencys_filing_is_an_alert_even_when_the_rolls_household_was_already_under_review(tmp_path):
    """An adversarial probe: the household was re-verified and the warning recorded, but its outcome
    (review) did not change: no alert, no report, report_path naming a page without the warning."""
    root = tmp_path / "root"
    _drop(root, "landing/rolls/rolls_20261127.csv", "ROLL-9,yingze,dibao,H3,140105,1,孙丽,140105198005050520,户主,SQ-9")
    run_pass(root, as_of=date(2026, 11, 27), snapshot_mode="off")
    _drop(root, "inbox/xiaodian/req.csv", "RQ-1,,dibao,HC,140105,1,孙丽,140105198005050520,户主,SQ-5")
    run_pass(root, as_of=AS_OF, snapshot_mode="off")
    doc = json.loads((root / "outbox" / "yingze" / "nightly-20261128" / "H3.json").read_text(encoding="utf-8"))
    assert doc["outcome"] == "review"
    (change,) = [c for c in doc["changes"] if c["kind"] == "member.elsewhere"]
    assert change["severity"] == "warn" and "xiaodian的申请RQ-1" in change["message"]


def test_a_rolls_member_its_own_agency_files_in_another_household_is_listed_twice_on_the_roll_too(tmp_path):
    """An adversarial probe: the exemption for a roll entry's own application hid a person the same agency
    filed again with someone outside the household (刘建华 + 孙小红 beside the roll's 刘建华 + 王丽)."""
    root = tmp_path / "root"
    _drop(root, "landing/rolls/rolls_20261127.csv",
          "ROLL-1,yingze,dibao,X1,140105,1,刘建华,140105197501010013,户主,SQ-1",
          "ROLL-1,yingze,dibao,X1,140105,2,王丽,140105197802020020,配偶,SQ-2")
    run_pass(root, as_of=date(2026, 11, 27), snapshot_mode="off")
    _drop(root, "inbox/yingze/req.csv",
          "RQ-1,,dibao,Z9,140105,1,刘建华,140105197501010013,户主,SQ-5",
          "RQ-1,,dibao,Z9,140105,2,孙小红,140105198005050520,配偶,SQ-6")
    run_pass(root, as_of=AS_OF, snapshot_mode="off")
    found = _findings(root, "yingze", "nightly-20261128", "X1")
    assert len(found) == 1 and "yingze的申请RQ-1（家庭Z9）" in found[0]["message"]


def test_a_person_in_two_households_of_a_first_roll_is_a_warning_that_night(tmp_path):
    """An adversarial probe: 陈志强 in two households of one agency's roll was `new_on_rolls` info only, and
    never news again after."""
    root = tmp_path / "root"
    _drop(root, "landing/rolls/rolls_20261127.csv",
          "ROLL-2,yingze,dibao,X2,140105,1,陈志强,140105197501010013,户主,SQ-1",
          "ROLL-5,yingze,dibao,X5,140105,1,赵大海,140105197802020012,户主,SQ-2",
          "ROLL-5,yingze,dibao,X5,140105,2,陈志强,140105197501010013,兄弟姐妹,SQ-3")
    run_pass(root, as_of=date(2026, 11, 27), snapshot_mode="off")
    for household in ("X2", "X5"):
        doc = json.loads((root / "outbox" / "yingze" / "nightly-20261127" / f"{household}.json").read_text())
        (first,) = [c for c in doc["changes"] if c["kind"] == "new_on_rolls"]
        assert first["severity"] == "warn" and "同时列在其他家庭" in first["message"]
