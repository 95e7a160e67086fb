"""A department's full re-export hands out new record_ids for the payments it sent before: each is
counted once, and the repeat says which row it repeats.

A month-of-life probe: the tax office re-exported the year under new record_ids, every wage was
counted twice, and 28 households on the rolls went from pass to fail overnight.
"""

from __future__ import annotations

import json
import os
from datetime import date

import pytest

from connectors.values.idnumber import check_char
from pipelines.passes import run_pass

MEMBER_ID = "14010519700101001" + check_char("14010519700101001")
REQUEST = ("申请编号,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
           f"R1,低保,H1,140105,1,张三,{MEMBER_ID},户主,SQ-1\n")
HEAD = "记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额,扣缴义务人\n"


def _wages(prefix: str, months, amount: str = "400.00") -> str:
    return HEAD + "".join(f"{prefix}{m},张三,{MEMBER_ID},2025-{m:02d},工资薪金,{amount},太原某公司\n" for m in months)


def _report(root) -> dict:
    return json.loads((root / "outbox" / "minzheng" / "R1" / "H1.json").read_text(encoding="utf-8"))


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "root"
    (root / "inbox" / "minzheng").mkdir(parents=True)
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "inbox" / "minzheng" / "req.csv").write_text(REQUEST, encoding="utf-8")
    (root / "landing" / "tax" / "iit.csv").write_text(_wages("T", range(1, 11)), encoding="utf-8")
    (root / "landing" / "tax" / "iit_reexport.csv").write_text(_wages("RT", range(1, 11)), encoding="utf-8")
    return root


def test_a_re_export_under_new_record_ids_counts_each_wage_once_and_says_so(root):
    run_pass(root, as_of=date(2025, 11, 20), include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    assert doc["income"]["monthly_total"] == round(4000 / 12, 2) and doc["outcome"] == "pass"
    records = doc["income"]["records"]
    assert sum(r["counted"] for r in records) == 10 and len(records) == 20
    repeat = next(r for r in records if not r["counted"])
    assert repeat["note"].endswith("（部门重新导出的同一笔），只计一次") and "iit" in repeat["note"]


def test_two_equal_payments_in_one_export_are_two_payments_and_a_re_export_of_both_adds_none(tmp_path):
    root = tmp_path / "root"
    (root / "inbox" / "minzheng").mkdir(parents=True)
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "inbox" / "minzheng" / "req.csv").write_text(REQUEST, encoding="utf-8")
    fees = HEAD + "".join(f"F{k},张三,{MEMBER_ID},2025-03,劳务报酬,1200.00,太原某公司\n" for k in range(2))
    (root / "landing" / "tax" / "fees.csv").write_text(fees, encoding="utf-8")
    (root / "landing" / "tax" / "fees_again.csv").write_text(fees.replace(",张三", "x,张三"), encoding="utf-8")
    run_pass(root, as_of=date(2025, 11, 20), include_rolls=False, snapshot_mode="off")
    records = _report(root)["income"]["records"]
    assert _report(root)["income"]["monthly_total"] == 200.0
    assert sorted(r["record_id"] for r in records if r["counted"]) in (["F0", "F1"], ["F0x", "F1x"])


def test_what_confirming_would_add_counts_a_re_exported_payment_once(tmp_path):
    """A month-of-life probe: the re-exported copies of rows a caseworker had been asked about were
    asked about again, and what confirming them would add was doubled."""
    root = tmp_path / "root"
    (root / "inbox" / "minzheng").mkdir(parents=True)
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "inbox" / "minzheng" / "req.csv").write_text(REQUEST, encoding="utf-8")
    idless = HEAD + "".join(f"{{rid}}{m},张三,,2025-{m:02d},工资薪金,3300.00,太原某劳务队\n" for m in range(1, 7))
    (root / "landing" / "tax" / "iit.csv").write_text(idless.replace("{rid}", "U"), encoding="utf-8")
    (root / "landing" / "tax" / "iit_again.csv").write_text(idless.replace("{rid}", "RU"), encoding="utf-8")
    run_pass(root, as_of=date(2025, 11, 20), include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    # the one 张三 anywhere: the linker asks about each row, the copies beside the first delivery's
    (held,) = [f for f in doc["findings"] if f["rule"] == "match.review"]
    assert "家庭人均月收入至多1,650.00元" in held["message"], held["message"]     # 6 x 3,300 / 12, not twice that
    copies = [r for r in doc["income"]["records"] if r["record_id"].startswith("RU")]
    assert len(copies) == 6 and all(r["repeat_of"] == r["record_id"][1:] for r in copies)


def test_a_new_month_after_a_re_export_is_a_delivered_month(tmp_path):
    """A re-delivery probe: after tax re-exports tripled every month's rows, the next month (as many
    payments as ever) held under half the rows of the months before and was taken for still being
    filed: the window did not move and every June wage was left out."""
    from assessment.freshness import data_as_of_sql
    from warehouse import open_warehouse

    root = tmp_path / "root"
    (root / "landing" / "tax").mkdir(parents=True)
    people = [("14010519700101" + f"{k:03d}", f"张{k}") for k in range(10)]
    people = [(body + check_char(body), name) for body, name in people]

    def month(prefix, m):
        return "".join(f"{prefix}{m}-{k},{name},{idn},2025-{m:02d},工资薪金,4000.00,太原某公司\n"
                       for k, (idn, name) in enumerate(people))
    (root / "landing" / "tax" / "a.csv").write_text(HEAD + "".join(month("T", m) for m in range(1, 6)), encoding="utf-8")
    (root / "landing" / "tax" / "b.csv").write_text(HEAD + "".join(month("RT", m) for m in range(1, 6)), encoding="utf-8")
    (root / "landing" / "tax" / "b2.csv").write_text(HEAD + "".join(month("QT", m) for m in range(1, 6)), encoding="utf-8")
    (root / "landing" / "tax" / "c.csv").write_text(HEAD + month("T", 6), encoding="utf-8")
    for i, name in enumerate(("a.csv", "b.csv", "b2.csv", "c.csv")):
        os.utime(root / "landing" / "tax" / name, ns=(10**18 + i * 10**9, 10**18 + i * 10**9))
    run_pass(root, as_of=date(2025, 7, 20), include_rolls=False, snapshot_mode="off")
    con = open_warehouse(root / "warehouse.duckdb")
    try:
        assert dict(con.execute(data_as_of_sql()).fetchall())["tax"] == date(2025, 6, 30)
    finally:
        con.close()


@pytest.mark.parametrize("later", [
    "SUP1,张三,{id},2025-06,劳务报酬,2500.00,太原某培训中心\n",     # a supplementary return's second fee
    "BP1,张三,{id},2025-03,工资薪金,400.00,太原某公司\n",            # back pay for March, as much as March's wage
], ids=["supplementary-fee", "back-pay"])
def test_one_payment_alike_in_a_later_file_is_a_payment_of_its_own(tmp_path, later):
    """An adversarial probe: a later one-row file with a second 2,500 fee of the same month and payer,
    and a back-pay row as large as the month's wage, were taken for re-exported repeats: two wrong
    passes. One payment alike is no re-export."""
    root = tmp_path / "root"
    (root / "inbox" / "minzheng").mkdir(parents=True)
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "inbox" / "minzheng" / "req.csv").write_text(REQUEST, encoding="utf-8")
    main = _wages("T", range(1, 11)) + f"F1,张三,{MEMBER_ID},2025-06,劳务报酬,2500.00,太原某培训中心\n"
    (root / "landing" / "tax" / "iit.csv").write_text(main, encoding="utf-8")
    (root / "landing" / "tax" / "iit_later.csv").write_text(HEAD + later.format(id=MEMBER_ID), encoding="utf-8")
    os.utime(root / "landing" / "tax" / "iit_later.csv", ns=(2 * 10**18, 2 * 10**18))
    run_pass(root, as_of=date(2025, 11, 20), include_rolls=False, snapshot_mode="off")
    records = _report(root)["income"]["records"]
    assert all(r["counted"] and not r["repeat_of"] for r in records), [r for r in records if not r["counted"]]


def test_a_year_re_exported_after_monthly_files_counts_each_wage_once(tmp_path):
    """An adversarial probe: wages first delivered one month per file, then the year re-exported under
    new record_ids: no pair of files held two of the member's payments, and every wage counted twice."""
    root = tmp_path / "root"
    (root / "inbox" / "minzheng").mkdir(parents=True)
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "inbox" / "minzheng" / "req.csv").write_text(REQUEST, encoding="utf-8")
    for m in range(1, 11):
        path = root / "landing" / "tax" / f"iit_2025{m:02d}.csv"
        path.write_text(_wages("T", [m]), encoding="utf-8")
        os.utime(path, ns=(10**18 + m * 10**9, 10**18 + m * 10**9))
    again = root / "landing" / "tax" / "iit_reexport.csv"
    again.write_text(_wages("RT", range(1, 11)), encoding="utf-8")
    os.utime(again, ns=(2 * 10**18, 2 * 10**18))
    run_pass(root, as_of=date(2025, 11, 20), include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    assert doc["income"]["monthly_total"] == round(4000 / 12, 2)
    assert {r["record_id"] for r in doc["income"]["records"] if r["counted"]} == {f"T{m}" for m in range(1, 11)}


def test_a_month_re_sent_for_everyone_counts_a_one_earners_wage_once(tmp_path):
    """An evaluator: the tax office re-sent March's file under new record_ids; each one-earner
    household held one repeated row, taken for a payment of its own (29 wrong fails). The file as a
    whole (every row a repeat) says it is a re-send."""
    root = tmp_path / "root"
    (root / "inbox" / "minzheng").mkdir(parents=True)
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "inbox" / "minzheng" / "req.csv").write_text(REQUEST, encoding="utf-8")
    others = [(f"14010619800101{k:03d}", f"李{k}") for k in range(1, 4)]
    others = [(body + check_char(body), name) for body, name in others]

    def month(prefix, m):
        rows = [f"{prefix}{m}-0,张三,{MEMBER_ID},2025-{m:02d},工资薪金,600.00,太原某公司\n"]
        return HEAD + "".join(rows + [f"{prefix}{m}-{k},{name},{idn},2025-{m:02d},工资薪金,3000.00,太原某公司\n"
                                      for k, (idn, name) in enumerate(others, 1)])
    for m in range(1, 11):
        path = root / "landing" / "tax" / f"iit_2025{m:02d}.csv"
        path.write_text(month("T", m), encoding="utf-8")
        os.utime(path, ns=(10**18 + m * 10**9, 10**18 + m * 10**9))
    again = root / "landing" / "tax" / "iit_202503_重新导出.csv"
    again.write_text(month("RT", 3), encoding="utf-8")
    os.utime(again, ns=(2 * 10**18, 2 * 10**18))
    run_pass(root, as_of=date(2025, 11, 20), include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    assert doc["income"]["monthly_total"] == 500.0, [(r["record_id"], r["counted"]) for r in doc["income"]["records"]]
