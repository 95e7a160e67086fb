"""What EM learns from: the pattern counts of the scored pairs of both tracks (`patterns_sql`),
and the caseworkers' answers in force as labelled pairs (`labels_sql`).

The pairs themselves, with their levels, are `matching.pairs`'; this module only counts them.
"""

from __future__ import annotations


def labels_sql(member_key: str) -> str:
    """`mt_label_pairs(uid, iid, mid, rows_match, legacy_match, rows_nonmatch, legacy_nonmatch)`:
    the caseworkers' answers in force (`review_decisions_latest`; confirmed = match, denied =
    non-match, undetermined ignored) about rows of this run and its members, counted per unit
    and member (`legacy_*`: rows that carried a legacy 15-digit ID). `member_key` is the SQL of
    the pair's member key for the work member `w`."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_label_pairs AS
SELECT u.uid, i.iid, m.mid,
       count(*) FILTER (WHERE d.decision = 'confirmed') AS rows_match,
       count(*) FILTER (WHERE d.decision = 'confirmed' AND r.id_status = 'repaired') AS legacy_match,
       count(*) FILTER (WHERE d.decision = 'denied') AS rows_nonmatch,
       count(*) FILTER (WHERE d.decision = 'denied' AND r.id_status = 'repaired') AS legacy_nonmatch
FROM review_decisions_latest d
JOIN work_members w ON d.member_key = {member_key} AND w.consent
JOIN mt_members m ON m.request_id = w.request_id AND m.household_id = w.household_id AND m.member_no = w.member_no
JOIN match_source_rows r ON r.source = d.source AND r.record_id = d.record_id
JOIN mt_units u ON u.source = r.source AND u.name = r.name AND u.id_number IS NOT DISTINCT FROM r.id_number
 AND u.organisation IS NOT DISTINCT FROM r.organisation AND u.account_number IS NOT DISTINCT FROM r.account_number
 AND u.location IS NOT DISTINCT FROM r.location
JOIN mt_identities i ON i.name = r.name AND i.id_number IS NOT DISTINCT FROM r.id_number
WHERE d.decision IN ('confirmed', 'denied')
GROUP BY ALL
"""


def patterns_sql(level_cols: list[str], labels: bool = False) -> str:
    """Pattern counts for EM over both tracks, identity pairs weighted by their rows (the legacy
    15-digit rows of an `exact` identity counted as `legacy_equal`). `level_cols` starts with lv_id.

    `labels`: also `label_match` / `label_nonmatch`, the rows of each pattern a caseworker
    confirmed or denied (`mt_label_pairs`, see `labels_sql`; pairs the blocking did not propose
    this time have no pattern and are left out)."""
    cols = ", ".join(level_cols)
    legacy = ", ".join(["'legacy_equal' AS lv_id", *level_cols[1:]])
    tf = "tf_name_u, tf_org_u, tf_org_unique_u"
    if labels:
        lab = ("coalesce(l.rows_match - CASE WHEN lv_id = 'exact' THEN l.legacy_match ELSE 0 END, 0), "
               "coalesce(l.rows_nonmatch - CASE WHEN lv_id = 'exact' THEN l.legacy_nonmatch ELSE 0 END, 0)")
        lab_legacy = "coalesce(l.legacy_match, 0), coalesce(l.legacy_nonmatch, 0)"
        ident = ("(SELECT p.*, l.rows_match, l.legacy_match, l.rows_nonmatch, l.legacy_nonmatch FROM mt_ipairs p "
                 "LEFT JOIN (SELECT iid, mid, sum(rows_match) AS rows_match, sum(legacy_match) AS legacy_match, "
                 "sum(rows_nonmatch) AS rows_nonmatch, sum(legacy_nonmatch) AS legacy_nonmatch "
                 "FROM mt_label_pairs GROUP BY ALL) l USING (iid, mid) WHERE p.track = 'identity') l")
        rows = ("(SELECT p.*, l.rows_match, l.legacy_match, l.rows_nonmatch, l.legacy_nonmatch FROM mt_pairs p "
                "LEFT JOIN mt_label_pairs l USING (uid, mid)) l")
        out_lab = ", sum(lm) AS label_match, sum(ln) AS label_nonmatch"
    else:
        lab = lab_legacy = "0, 0"
        ident, rows = "(SELECT * FROM mt_ipairs WHERE track = 'identity') l", "mt_pairs l"
        out_lab = ""
    return f"""
WITH u(lv_id, {", ".join(level_cols[1:])}, tf_name_u, tf_org_u, tf_org_unique_u, w, lm, ln) AS (
    SELECT {cols}, {tf}, s_rows - CASE WHEN lv_id = 'exact' THEN n_legacy ELSE 0 END, {lab} FROM {ident}
    UNION ALL
    SELECT {legacy}, {tf}, n_legacy, {lab_legacy} FROM {ident} WHERE lv_id = 'exact' AND n_legacy > 0
    UNION ALL
    SELECT {cols}, {tf}, s_rows - CASE WHEN lv_id = 'exact' THEN n_legacy ELSE 0 END, {lab} FROM {rows}
    UNION ALL
    SELECT {legacy}, {tf}, n_legacy, {lab_legacy} FROM {rows} WHERE lv_id = 'exact' AND n_legacy > 0
)
SELECT {cols}, round(log2(tf_name_u) * 4) AS tf_name_b, round(log2(tf_org_u) * 4) AS tf_org_b,
       round(log2(tf_org_unique_u) * 2) AS tf_unique_b, avg(tf_name_u) AS tf_name_u, avg(tf_org_u) AS tf_org_u,
       avg(tf_org_unique_u) AS tf_org_unique_u, sum(w) AS n{out_lab}
FROM u WHERE w > 0 GROUP BY ALL
"""
