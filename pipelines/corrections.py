"""Records a department corrected (re-delivered under their record_id) that a household's report cites.

A corrected re-delivery supersedes the earlier row (contract: history kept). A corrections probe
found the nightly right on every figure and silent on why: a wage corrected 500 → 5,000 was
"月均由500.00元变为875.00元（记录明细见核对报告）", and the report showed only the new row; a home's share
corrected 0.5 → 1 moved no figure, and the household's report kept citing the superseded row; and a
record_id the tax bureau reused for another person took a month's wage from a household whose
report never named the row it lost.

`corrected_links_sql` keeps, before the pass relinks, the links of the households at work to records
this pass's files superseded, with what the earlier and the new version say and where each is;
`correction_lines` turns them, after linking, into the lines a nightly report's changes carry:
corrected, or no longer the household's (re-sent under another person's name or ID).
"""

from __future__ import annotations

from collections import defaultdict

from reports.masking import scrub_text

CORRECTED = "corrected_links"

_WHAT = {
    "tax": "strftime(period, '%Y-%m') || ' ' || income_item || ' ' || printf('%.2f', income_amount) || '元'",
    "social_insurance": ("strftime(period, '%Y-%m') || ' ' || insurance_type || record_type || ' ' || "
                         "printf('%.2f', CASE WHEN record_type = '缴费' THEN coalesce(contribution_base, amount) "
                         "ELSE amount END) || '元'"),
    "bank": ("coalesce(institution, '') || ' 余额' || printf('%.2f', balance) || '元（' || "
             "coalesce(CAST(as_of_date AS VARCHAR), '') || '）'"),
    "vehicle": "coalesce(plate_number, '') || ' ' || coalesce(vehicle_type, '') || ' ' || coalesce(status, '')",
    "property": ("coalesce(usage, '') || ' ' || coalesce(CAST(floor_area AS VARCHAR), '') || 'm² 份额' || "
                 "coalesce(CAST(share AS VARCHAR), '') || ' ' || coalesce(status, '')"),
}
"""What a version of a record says, in a line (the fields a correction usually moves)."""


def corrected_links_sql(run_id: str) -> str:
    """CREATE `corrected_links`: the links of the work households to a record whose version this
    pass's files superseded (request, household, member, record; the earlier and the new version's
    file, row and what it says). Run before the pass relinks: the links are the previous pass's."""
    rid = run_id.replace("'", "''")
    batches = f"(SELECT batch_id FROM files WHERE run_id = '{rid}' AND status = 'loaded')"
    versions = " UNION ALL ".join(
        f"SELECT '{source}' AS source, record_id, batch_id, superseded_by, file, row_number, "
        f"coalesce({what}, '') AS what FROM {source}_all WHERE superseded_by IN {batches} OR batch_id IN {batches}"
        for source, what in _WHAT.items())
    return f"""
CREATE OR REPLACE TEMP TABLE {CORRECTED} AS
WITH v AS MATERIALIZED ({versions})
SELECT DISTINCT l.request_id, l.household_id, l.member_no, l.source, l.record_id,
       o.file AS old_file, o.row_number AS old_row, o.what AS old_what,
       n.file AS new_file, n.row_number AS new_row, n.what AS new_what
FROM links l JOIN work_households w USING (request_id, household_id)
JOIN v o ON o.source = l.source AND o.record_id = l.record_id AND o.superseded_by IN {batches}
JOIN v n ON n.source = o.source AND n.record_id = o.record_id AND n.batch_id = o.superseded_by
WHERE l.decision IN ('auto', 'confirmed')
"""


MAX_LINES = 5


def correction_lines(con) -> dict[tuple[str, str], dict]:
    """(request_id, household_id) -> the `records.corrected` change line of its report: each record
    corrected (what it said → what it says, and where), or no longer linked to the household."""
    if not con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{CORRECTED}'").fetchall()[0][0]:
        return {}
    rows = con.execute(f"""
SELECT c.*, EXISTS (SELECT 1 FROM links l WHERE l.source = c.source AND l.record_id = c.record_id
                    AND l.request_id = c.request_id AND l.household_id = c.household_id
                    AND l.decision IN ('auto', 'confirmed')) AS still
FROM {CORRECTED} c ORDER BY c.request_id, c.household_id, c.source, c.record_id""").fetchall()
    names = [d[0] for d in con.description]
    lines: dict = defaultdict(list)
    for row in rows:
        c = dict(zip(names, row))
        where = f"原{c['old_file']}第{c['old_row']}行"
        if not c["still"]:
            lines[(c["request_id"], c["household_id"])].append(
                f"{c['record_id']}（{c['old_what']}，{where}）重新报送后已是他人的记录（姓名或证件号已改），不再计入")
        elif c["old_what"] != c["new_what"]:
            lines[(c["request_id"], c["household_id"])].append(
                f"{c['record_id']}：{c['old_what']} → {c['new_what']}（{where}，现{c['new_file']}第{c['new_row']}行）")
    return {key: {"kind": "records.corrected", "severity": "info",
                  "message": scrub_text("部门重新报送并更正了本家庭的记录：" + "；".join(said[:MAX_LINES])
                                        + (f"；另有{len(said) - MAX_LINES}条" if len(said) > MAX_LINES else ""))}
            for key, said in lines.items()}
