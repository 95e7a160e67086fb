"""A consent reference that says "none" is no consent: the person is not verified.

An agency-request probe: 授权书编号 written 否, 无, 未授权 or 未签 was taken for a reference; those
people were checked against every department, their deposits counted, and the audit trail said
they were verified under consent.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.values.consent import consent_given, consent_given_sql
from pipelines.passes import run_pass

AS_OF = date(2026, 11, 28)
AGENCY = "xiaodian"
WORDS = ["否", "无", "未授权", "未签", "未签字", "不同意", "暂无", "No",
         # a privacy probe: the same words in brackets, traditional or with a full stop, and the
         # placeholders of a form filled in by hand
         "無", "（无）", "(无)", "无。", "否。", "尚未授权", "空", "缺", "不详", "0", "NA", "?", ".", "×", "【无】",
         # an analyst probe: a consent withdrawn or refused in words, alone or beside its number
         "撤回授权", "已撤回", "不同意授权", "拒绝核对", "本人不同意", "已作废", "授权已撤销", "撤銷授權", "已過期",
         "SQ-2026-001（已撤回）", "不予授权",
         # a privacy probe: full-width, or with a remark beside the word
         "／", "Ｎ／Ａ", "ＮＡ", "否（未签字）", "未", "无（本人外出）", "N/A 待补",
         # a privacy probe: refusals in words no list held; a cell without a number that negates
         "未同意", "没签字", "未签名", "授权无效", "未取得授权", "本人未同意", "没有签", "不愿签", "授权书未签",
         "否认授权", "not signed", "非本人签字",
         # an adversarial probe: a refusal followed by a date, a count or a deadline
         "未签，预约2026-12-03补签", "没签（第1户）", "不愿签字 2026-11-20", "暂无，待补1", "否（已告知 2026.11.20）",
         "待补(3日内)", "未签署①",
         # and a second: void beside a number, not yet signed, or not signed at all
         "SQ-001 授权无效", "签字未完成", "拟签", "签字中", "口头同意", "电话同意"]


@pytest.mark.parametrize("word", WORDS)
def test_a_word_for_none_is_no_consent_reference(word):
    assert not consent_given(word) and not consent_given(f" {word} ")


@pytest.mark.parametrize("ref", ["SQ-2026-001", "已签", "是", "✓", "20260311", "无锡授权001", "同意", "已授权",
                                 "ＳＱ－２０２６－００１", "No.17", "SQ-2026-001（本人签字）", "已签（家属代签）",
                                 # the same probe: signed, in words that hold a negating character
                                 "已签，无误", "已签署无异议", "授权书已签（无附件）", "签字确认无误",
                                 "本人签字，非代签", "本人签字不代签", "不存在代签", "已签，无需补签"])
def test_a_written_reference_is_consent(ref):
    assert consent_given(ref)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="否无無未授权签字空缺0NAxX×（）()。.?？ 　-SQ1已撤回销不同意拒／Ｎ１没效认非notOT①2，预约第户需代完成拟中口头效", max_size=6), min_size=1, max_size=20))
def test_the_sql_reading_of_a_reference_agrees_with_python(refs):
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(refs)))
        got = [r[0] for r in con.execute(f"SELECT {consent_given_sql('v')} FROM t ORDER BY i").fetchall()]
    finally:
        con.close()
    assert got == [consent_given(r) for r in refs]


def test_members_whose_reference_says_none_are_neither_verified_nor_linked(tmp_path):
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    (root / "landing" / "bank").mkdir(parents=True)
    ids = ["140105198501011117", "140105199003071045", "140105197705050521"]
    refs = ["SQ-1", "否", "未签"]
    names = ["王建国", "李秀英", "赵敏"]
    request = "request_id,agency,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n" + "".join(
        f"REQ-C-1,,dibao,HH-C,140105,{n},{name},{idn},{'户主' if n == 1 else '子女'},{ref}\n"
        for n, (name, idn, ref) in enumerate(zip(names, ids, refs), start=1))
    bank = "record_id,name,id_number,institution,account_number,product_type,balance,as_of_date\n" + "".join(
        f"B-{n},{name},{idn},中国建设银行,6222{n:04d},定期存款,100000,2026-10-31\n"
        for n, (name, idn) in enumerate(zip(names, ids), start=1))
    (root / "inbox" / AGENCY / "req.csv").write_text(request, encoding="utf-8")
    (root / "landing" / "bank" / "bank.csv").write_text(bank, encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    doc = json.loads((root / "outbox" / AGENCY / "REQ-C-1" / "HH-C.json").read_text(encoding="utf-8"))
    assert [m["consent"] for m in doc["members"]] == [True, False, False]
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        linked = con.execute("SELECT member_no FROM links ORDER BY 1").fetchall()
        audited = con.execute("SELECT consent_ref, verified, sources_consulted FROM audit ORDER BY member_no").fetchall()
    finally:
        con.close()
    assert linked == [(1,)]
    # only the bank has delivered: the audit says it alone was read (a privacy probe's said every source)
    assert audited == [("SQ-1", True, "bank"), ("否", False, ""), ("未签", False, "")]
