"""How often levels occur between *different* people: the u side of the model.

The model is fitted over every (row, member) pair of the province, not only over the
candidates: a pair that no blocking rule produced is a non-match. Candidates are scored in
full; the rest is described by counts that need no pairing:

- exact counts where they matter most: pairs agreeing on the standardised name, or on its
  pinyin, are sums of products of per-name counts; pairs with an agreeing ID are all
  candidates by construction (blocking is complete for them);
- a random sample of (identity, member) pairs, weighted by the identity's rows, for the
  other levels of the blocking fields and for birth date, sex and birthplace;
- organisation levels from the rows per kind of source and the members seen there, address
  levels from a sample of property rows.
"""

from __future__ import annotations

from matching.comparisons import ADDRESS, ORGANISATION, levels_sql


def sample_cand_sql(n: int, seed: int) -> str:
    """`mt_sample_cand(iid, mid, rules)`: `n` random identities, each with a random member."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_sample_cand AS
SELECT iid, 1 + CAST(h % (SELECT count(*) FROM mt_members) AS BIGINT) AS mid, 0 AS rules
FROM (SELECT iid, hash(name, coalesce(id_number, ''), {int(seed) + 1}) AS h FROM mt_identities
      ORDER BY hash(name, coalesce(id_number, ''), {int(seed)}) LIMIT {int(n)})
"""


def sample_rates_sql() -> str:
    """Row-weighted level counts per field over the identity sample (`mt_sample_pairs`)."""
    parts = [f"SELECT '{f}' AS field, {col} AS level, sum(s_rows) AS weight, count(*) AS units "
             "FROM mt_sample_pairs GROUP BY ALL"
             for f, col in (("id_number", "lv_id"), ("name", "lv_name"), ("birth_date", "lv_birth_date"),
                            ("gender", "lv_gender"), ("county_code", "lv_county_code"))]
    return "\nUNION ALL\n".join(parts)


def name_totals_sql(version: int) -> str:
    """All row x member pairs agreeing on the standardised name, and on its pinyin."""
    return f"""
WITH s AS (
    SELECT k.name_std, k.pinyin, sum(i.n) AS n FROM mt_identities i
    JOIN match_name_keys k ON k.name = i.name AND k.version = {int(version)} GROUP BY ALL
), w AS (SELECT m_std, m_pinyin, count(*) AS n FROM mt_members GROUP BY ALL)
SELECT (SELECT coalesce(sum(s.n * w.n), 0) FROM (SELECT name_std, sum(n) AS n FROM s GROUP BY 1) s
        JOIN (SELECT m_std, sum(n) AS n FROM w GROUP BY 1) w ON w.m_std = s.name_std) AS exact,
       (SELECT coalesce(sum(s.n * w.n), 0) FROM (SELECT pinyin, sum(n) AS n FROM s GROUP BY 1) s
        JOIN (SELECT m_pinyin, sum(n) AS n FROM w GROUP BY 1) w ON w.m_pinyin = s.pinyin) AS pinyin
"""


def org_rates_sql() -> str:
    """Organisation levels between a random organisation-bearing row and a random member: the
    member has no ID-bearing rows of that kind (`unseen`) or the row is not at one of theirs
    (`other`); `known` needs a sounding-alike name, so random pairs practically never are."""
    return """
WITH k AS (SELECT CASE WHEN source = 'bank' THEN 'bank' ELSE 'employer' END AS kind, sum(n) AS n
           FROM mt_org_counts GROUP BY 1),
m AS (SELECT v.kind, count(mk.mid) FILTER (WHERE mk.rows > 0) / (SELECT count(*) FROM mt_members) AS seen
      FROM (VALUES ('employer'), ('bank')) v(kind) LEFT JOIN mt_member_kinds mk ON mk.org_kind = v.kind GROUP BY 1)
SELECT 'organisation' AS field, level, sum(w) AS weight, (SELECT count(*) FROM mt_members) AS units
FROM (SELECT 'unseen' AS level, k.n * (1 - m.seen) AS w FROM k JOIN m USING (kind)
      UNION ALL SELECT 'other', k.n * m.seen FROM k JOIN m USING (kind))
GROUP BY ALL
"""


def address_sample_sql(n: int, seed: int) -> str:
    """Random property locations, each with a random member's address."""
    return f"""
SELECT p.location, m.m_address FROM (
    SELECT location, 1 + CAST(hash(record_id, {int(seed) + 1}) % (SELECT count(*) FROM mt_members) AS BIGINT) AS mid
    FROM property ORDER BY hash(record_id, {int(seed)}) LIMIT {int(n)}) p
JOIN mt_members m USING (mid)
WHERE p.location IS NOT NULL AND m.m_address IS NOT NULL
"""


def address_rates_sql() -> str:
    """Address levels over `mt_address_sample(s_addr, m_addr)`."""
    base = "(SELECT 'different' AS lv_id, 'property' AS source, s_addr, m_addr, 1 AS n FROM mt_address_sample)"
    return f"""
SELECT 'address' AS field, lv_address AS level, sum(n) AS weight, count(*) AS units
FROM ({levels_sql(base, (ADDRESS,), 'n')}) GROUP BY ALL
"""


def address_exact_total_sql() -> str:
    """Property rows x members whose location and address are the very same text."""
    return """
SELECT coalesce(sum(p.n * w.n), 0) FROM (SELECT location, count(*) AS n FROM property GROUP BY 1) p
JOIN (SELECT m_address, count(*) AS n FROM mt_members GROUP BY 1) w ON w.m_address = p.location
"""
