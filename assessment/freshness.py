"""What the departments have delivered, and what a report says of it: the last month of a
monthly source delivered in full (`delivered_month_sql`), how fresh each source is
(`data_as_of_sql`), which sources' latest delivery could not be read (`unreadable_sql`), and the
findings about sources behind, never delivered or unreadable (`data_findings`)."""

from __future__ import annotations

from assessment.facts import PROGRAM_LABELS, Facts, finding
from assessment.figures import NO_TAX_NOTE
from assessment.judged import INFORMATION_ONLY
from assessment.pending import judges_means, review_can_change
from connectors.schema import SOURCES


_PAYMENT = {"tax": "coalesce(id_number, name), withholding_agent, income_item, income_amount",
            "social_insurance": "coalesce(id_number, name), employer, insurance_type, record_type, amount"}


def delivered_month_sql(table: str, source: str | None = None) -> str:
    """The last day of the latest month `table` holds in full: a month with fewer than half the
    rows of the usual month before it (the median of the three before) is a month still being
    filed. An independent-data probe's tax export held June's 219 early filers beside May's
    3,641: June counted as delivered, every member's June wage was "missing", and their pension
    bases stood in for it (a household failed at 753.50 on a 420 wage). A month delivered in more than
    one file counts its payments, not its rows (approximately: a half is the line): a re-export's
    repeats under new record_ids doubled the months before a re-delivery probe's new month, which
    was then "still being filed". A month of one file, the usual, counts its rows (no hashing)."""
    payment = _PAYMENT[source or table]
    return f"""(
    WITH f AS (SELECT period, file, count(*) AS c FROM {table} GROUP BY ALL),
    multi AS (SELECT period FROM f GROUP BY period HAVING count(*) > 1),
    m AS (SELECT period, sum(c) AS n FROM f ANTI JOIN multi USING (period) GROUP BY period
          UNION ALL
          SELECT period, approx_count_distinct(hash({payment})) FROM {table} SEMI JOIN multi USING (period)
          GROUP BY period),
    r AS (SELECT period, n, median(n) OVER (ORDER BY period ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS usual
          FROM m)
    SELECT CAST(last_day(max(period)) AS DATE) FROM r WHERE usual IS NULL OR n * 2 >= usual)"""


def data_as_of_sql() -> str:
    """Freshness per source: the latest month each income source holds in full
    (`delivered_month_sql`), the latest date the others hold."""
    return f"""
SELECT 'tax' AS source, {delivered_month_sql("tax")} AS as_of
UNION ALL SELECT 'social_insurance', {delivered_month_sql("social_insurance")}
UNION ALL SELECT 'vehicle', CAST(max(loaded_at) AS DATE) FROM vehicle
UNION ALL SELECT 'property', CAST(max(loaded_at) AS DATE) FROM property
UNION ALL SELECT 'bank', max(as_of_date) FROM bank
"""


def unreadable_sql() -> str:
    """(source, path): each department source whose latest delivery was rejected whole, with no
    delivery of it loaded since."""
    return f"""
SELECT source, arg_max(path, seen_at) AS path FROM files f
WHERE status = 'rejected' AND source IN {SOURCES}
  AND seen_at > coalesce((SELECT max(seen_at) FROM files l WHERE l.source = f.source AND l.status = 'loaded'),
                         TIMESTAMP '1900-01-01')
GROUP BY source
"""


SOURCE_CN = {"tax": "税务", "social_insurance": "社保", "vehicle": "机动车登记", "property": "不动产登记", "bank": "金融资产"}


def _unreadable(f: Facts) -> list[dict]:
    """A source whose latest export arrived but could not be read at all (rejected whole). An export
    probe's households owning two homes and a car passed on a note that the registers had "never been
    delivered": they had, and their files sat in rejected/. Never loaded, nothing of the source was
    checked: a question where the programme judges it. Loaded before, the figures are the earlier
    export's: said."""
    out = []
    for s, name in sorted(f.unreadable.items()):
        where = f"{SOURCE_CN.get(s, s)}数据已报送，但最近一次报送的文件{name}无法读取（原因见 rejected/{s}/ 中的错误说明）"
        if s not in f.never_delivered:
            out.append(finding("data.source_unreadable", "info", where + "，本次按此前报送的数据核对，请督促该部门重新报送"))
        elif review_can_change(f.program, s):
            out.append(finding("data.source_unreadable", "warn", where + "，此前也无该来源的数据入库：本次未能核对"
                               "该来源，其收入与资产不在核对结果中，请待该部门重新报送后复核，或另行核实"))
        else:
            out.append(finding("data.source_unreadable", "info", where + "，本次未核对该来源" + INFORMATION_ONLY))
    return out


def data_findings(f: Facts) -> list[dict]:
    """An income source too far behind for the window to step back over, and wages no tax export
    can confirm yet: the figure may be short, so a pass on it is a question (a rules probe: a
    pension four months undelivered, and a base standing in with no tax export at all, each
    turned the outcome with no word in the report)."""
    out = [finding("data.source_behind", "warn",
                   f"{SOURCE_CN[s]}数据仅报送至{d.year}年{d.month}月，核对期内此后月份尚无该部门的任何记录"
                   f"（可顺延的月份已用尽），{SOURCE_CN[s]}收入可能偏低；请待数据报送后复核，或另行核实")
           for s, d in sorted(f.behind.items())]
    never = [s for s in f.never_delivered if s not in f.unreadable and s not in f.delivered_empty]
    if never:   # said, not held: a deployment may have no feed of a source (a traceability
        # probe's report said 未查到机动车登记 of a register never loaded, and nothing else)
        out.append(finding("data.source_missing", "info", "、".join(SOURCE_CN.get(s, s) for s in never)
                           + "数据从未报送，本次未核对这些来源，其收入与资产不在核对结果中（不是“未查到”）"))
    empty = [s for s in f.never_delivered if s in f.delivered_empty and s not in f.unreadable]
    if empty:
        out.append(finding("data.source_missing", "info", "、".join(SOURCE_CN.get(s, s) for s in empty)
                           + "数据已报送，但报送的文件中没有任何记录，本次未核对这些来源（不是“未查到”）；"
                             "请向该部门核实导出是否完整"))
    judged = [s for s in SOURCE_CN if review_can_change(f.program, s)]
    if judges_means(f.program) and judged and all(s in f.never_delivered for s in judged):
        # nothing the programme is judged on was checked: a pass would read as "checked and clean" (a
        # contract probe's 低保 household passed with every source empty)
        out.append(finding("data.nothing_verified", "warn",
                           f"{PROGRAM_LABELS.get(f.program, f.program)}据以判断的"
                           + "、".join(SOURCE_CN[s] for s in judged)
                           + "数据均无记录入库，本次未能核对该家庭的任何收入与资产；请待部门数据报送后复核，或另行核实"))
    out += _unreadable(f)
    if not f.tax_delivered:
        names = {m["member_no"]: m["name"] for m in f.members}
        rows: dict = {}
        for r in f.income["records"]:
            if r.get("note") == NO_TAX_NOTE:
                rows.setdefault(r["member_no"], []).append(r)
        out += [finding("income.wage_unverified", "warn",
                        f"成员{names.get(m, m)}有在职社保缴费记录（{len({r['period'] for r in rs})}个月），"
                        "但税务数据尚未报送，工资收入无法核实（缴费基数暂未计入收入）", rs)
                for m, rs in sorted(rows.items())]
    return out
