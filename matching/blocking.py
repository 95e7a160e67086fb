"""Candidate generation: which (source row, member) pairs are worth scoring.

Rows are first folded into *identities* — distinct (name, ID text) — so a person's hundred
monthly rows are blocked once (a province of 20k households: 6.7M rows, 0.63M identities).
A union of equality joins then pairs identities with consenting members; each rule is a
bit of `rules` so the recall of every rule can be measured:

| bit | rule | catches |
|---|---|---|
| 1 | `id_exact` | the same normalised ID (a legacy 15-digit ID is upgraded at load) |
| 2 | `id_repair_row` | a row's invalid ID is one wrong digit / one adjacent swap from the member's |
| 4 | `id_repair_member` | the member's invalid ID is one slip from the row's |
| 8 | `id_repair_both` | both invalid, one slip each from the same valid ID |
| 16 | `name_no_id` | a row without an ID whose name sounds the same (pinyin), or matches a `?` |
| 32 | `name_birth` | an invalid ID beyond repair (or one ending 000, a spreadsheet's) with the member's birth date, same pinyin |
| 64 | `name_member_no_id` | same pinyin and birth date, when the member's own ID is unusable |
| 128 | `household_name` | one member's ID under the name of another member of the household |
| 256 | `id_slip_valid` | IDs one slip apart in 17 digits, the check recomputed; same pinyin; one side at one place |

Every join is on equality (IDs, repair codes, pinyin keys), so the cost grows with the rows
and the candidates, never with rows × members. Identities whose every candidate has an
agreeing ID are decided as a whole; the others (no ID, an ID beyond repair, a relative's ID)
are decided per *unit* (`row_units_sql`: the rows agreeing on name, ID, organisation, account
and location), whose own evidence (employer, account, location) then counts.
"""

from __future__ import annotations

from connectors.values.idnumber import birth_date_sql
from matching.idrepair import ID_CODE_SQL
from matching.sides import ACCOUNT_KEY_SQL

RULES = {1: "id_exact", 2: "id_repair_row", 4: "id_repair_member", 8: "id_repair_both", 16: "name_no_id",
         32: "name_birth", 64: "name_member_no_id", 128: "household_name", 256: "id_slip_valid",
         512: "borrowed_id"}
BORROWED_RULE = 512
"""A pair found only by `borrowed.borrowed_sql`: the row's ID is another person's, so it is compared as a row
without one (`pairs.identity_pairs_sql`) and never decided `auto` (it is an `mt_id_rivals` pair)."""
ID_RULES = 1 | 2 | 4 | 8
USABLE_STATUSES = "('valid', 'repaired')"
"""ID statuses an ID is compared under as written (`borrowed` reads them too)."""


SOURCES = ("tax", "social_insurance", "bank", "vehicle", "property")
USABLE_ID_SQL = ("CASE WHEN {status} IS DISTINCT FROM 'invalid' THEN {col} "
                 "WHEN regexp_full_match({col}, '[0-9]{{14,19}}[0-9Xx]?') THEN {col} "
                 "WHEN regexp_full_match({col}, '[0-9][.][0-9]{{13,16}}[Ee][+]?17') "
                 "THEN rpad(replace(split_part(upper({col}), 'E', 1), '.', ''), 18, '0') END")
"""An ID text as the comparisons read it: an invalid one only when it could be an ID with a slip
(digits, the length of one). `不详`, `无` are no ID at all, on a source row
(`match_source_versions`, migrations 0011 and 0033) as on a member's: compared as an ID, a member's 不详
was 'different' from every ID of their own rows, and none of them was even asked about (an
applicant-side probe). An ID a spreadsheet shortened (`1.40105198308081E+17`) reads as the
spreadsheet shows it in full, `140105198308081000`: its first 15 digits are the person's
(`comparisons.DIGITS_LOST`)."""


def names_to_key_sql(version: int) -> str:
    """Names (of identities and members) not yet in the name-key cache for this version."""
    return f"""
SELECT name FROM (SELECT DISTINCT name FROM mt_identities
                  UNION SELECT DISTINCT name FROM work_members WHERE consent) n
WHERE name IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM match_name_keys k WHERE k.name = n.name AND k.version = {int(version)})
"""


_MEMBER_ID = USABLE_ID_SQL.format(status="w.id_status", col="nullif(trim(w.id_number), '')")


def members_sql(version: int) -> str:
    """`mt_members`: the consenting work members with their standardised name and ID code."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_members AS
SELECT row_number() OVER (ORDER BY w.request_id, w.household_id, w.member_no) AS mid,
       w.request_id, w.household_id, w.member_no, w.relation, w.name AS m_name,
       {_MEMBER_ID} AS m_id,
       coalesce(w.id_status, 'missing') AS m_id_status,
       coalesce(w.id_status = 'repaired', FALSE) AS m_legacy,
       {birth_date_sql('w.')} AS m_birth, coalesce(w.gender, w.id_gender) AS m_gender,
       w.county_code AS m_county, w.id_birthplace AS m_birthplace, w.address AS m_address,
       CASE WHEN w.id_status IN {USABLE_STATUSES} THEN w.id_number
            ELSE w.request_id || '/' || w.household_id || '/' || w.member_no END AS person,
       CASE WHEN w.id_status IN {USABLE_STATUSES} THEN {ID_CODE_SQL.format(col='w.id_number')} END AS m_code,
       k.name_std AS m_std, k.pinyin AS m_pinyin, k.pinyin_alts AS m_alts, k.n_chars AS m_nchars,
       k.wildcard AS m_wild
FROM work_members w
LEFT JOIN match_name_keys k ON k.name = w.name AND k.version = {int(version)}
WHERE w.consent
"""


def invalid_ids_sql() -> str:
    """`mt_invalid_ids(id_number)`: the distinct invalid ID texts."""
    return """
CREATE OR REPLACE TEMP TABLE mt_invalid_ids AS
SELECT DISTINCT id_number FROM mt_identities WHERE invalid AND id_number IS NOT NULL
"""


def member_invalid_ids_sql() -> str:
    return f"SELECT DISTINCT m_id FROM mt_members WHERE m_id IS NOT NULL AND m_id_status NOT IN {USABLE_STATUSES}"


def candidates_by_id_sql() -> str:
    """`mt_cand_id(iid, mid, rule)`: the ID rules (1, 2, 4, 8).

    Needs `mt_identities`, `mt_members`, `mt_invalid_ids` and the repair tables
    `mt_row_repairs` (tid, repair_code: of every invalid ID text met, numbered in `mt_repaired`,
    `matching.memo`) and
    `mt_member_repairs` (id, repair_code, repair). The row repairs are joined from the members'
    side: the members' few codes are the hash table the millions of repairs are probed against.
    """
    return f"""
CREATE OR REPLACE TEMP TABLE mt_cand_id AS
SELECT i.iid, m.mid, 1 AS rule FROM mt_identities i JOIN mt_members m ON i.id_number = m.m_id
UNION ALL
SELECT i.iid, m.mid, 2 FROM mt_row_repairs r JOIN mt_members m ON m.m_code = r.repair_code
JOIN mt_repaired t ON t.tid = r.tid
JOIN mt_invalid_ids v ON v.id_number = t.id_number JOIN mt_identities i ON i.id_number = v.id_number
UNION ALL
SELECT i.iid, m.mid, 4 FROM mt_member_repairs r JOIN mt_members m ON m.m_id = r.id
JOIN mt_identities i ON i.id_number = r.repair
UNION ALL
SELECT i.iid, m.mid, 8 FROM mt_row_repairs a JOIN mt_member_repairs b ON a.repair_code = b.repair_code
JOIN mt_members m ON m.m_id = b.id JOIN mt_repaired t ON t.tid = a.tid JOIN mt_invalid_ids v ON v.id_number = t.id_number
JOIN mt_identities i ON i.id_number = v.id_number
"""


def org_kind_sql(u: str = "u") -> str:
    """SQL: the kind of organisation a unit's rows are at: a bank account, or an employer (tax and
    social insurance alike: employers and payers appear in both); none for the registers."""
    return f"CASE WHEN {u}.source = 'bank' THEN 'bank' WHEN {u}.source IN ('tax', 'social_insurance') THEN 'employer' END"


def s_org_sql(u: str = "u", o: str = "o") -> str:
    """SQL: a unit's organisation as the linker compares it (`o` its `match_org_keys` row): an account
    at its bank, whatever branch the statement names; else its employer or payer. The match index
    keeps it per unit (`match_units.s_org`, `matching.index.UNIT_PLACES`)."""
    account = ACCOUNT_KEY_SQL.format(col=f"{u}.account_number")
    return f"CASE WHEN {u}.source = 'bank' THEN {o}.bank_norm || '#' || {account} ELSE {o}.org_norm END"


def place_sql(u: str = "u", o: str = "o") -> str:
    """SQL: where a unit's rows are paid or held (`u` the unit, `o` its `match_org_keys` row); kept per
    unit as `match_units.place`."""
    return f"{org_kind_sql(u)} || '#' || {s_org_sql(u, o)}"


CROSS_REQUEST_PEOPLE = 1
"""Rule 128 (`candidates_sql`, household) pairs a row with one member's ID with a member of another
request whose name it carries when at most this many people among all the run's members do."""


SLIP_BLOCKS = ((1, 7), (7, 11), (11, 13), (13, 15), (15, 17))
"""Digit positions (1-based, inclusive) of the 17-digit ID body. A wrong digit or an adjacent swap
lies inside one block, so two bodies one slip apart agree on everything outside it: an equality
join per block on the digits left finds every such pair (each key keeps 10-15 digits; a block of
five, 11-15, left the county, the year and two digits: 160k pairs at 20k households)."""


def _slip_keys_sql(body: str) -> str:
    """SQL: the `SLIP_BLOCKS` keys of a 17-digit body held as a BIGINT (`k1` … `k5`)."""
    return ", ".join(f"({body} // {10 ** (18 - lo)}) * {10 ** (17 - hi)} + {body} % {10 ** (17 - hi)} AS k{n}"
                     for n, (lo, hi) in enumerate(SLIP_BLOCKS, 1))


_SLIP_DIFFERENCES = ", ".join(str(d) for d in sorted({c * f * 10 ** k for c in range(1, 10) for f in (1, 9)
                                                        for k in range(17)}))
"""How far apart two 17-digit bodies one slip apart can be as numbers: a wrong digit c·10^k, an
adjacent swap of digits a and b 9·|a-b|·10^k. A cheap test before the exact one on the digits
(`hamming`), which alone took most of the rule's time: 50,000 block pairs at 20k households."""


def slip_candidates_sql(version: int, synthetic: tuple[str, ...] = ()) -> str:
    """SQL (a query): rule 256, (iid, mid, 256) for an ID one slip from a member's ID in its first
    17 digits, each with its own check character, under a name that sounds the same
    (`comparisons.BODY_SLIP`). An ID that is a member's own is that member's, not a slip of
    another's: twins 李明 and 李鸣, both applying, one sequence number apart, are not each other's
    candidates by it.

    The slip's check character was computed afresh, so no repair finds it: the row's ID (or the
    member's) is a valid-looking ID of nobody — or fails only for its date (a month 22, a year
    1888), which the repairs do not mend either. So a pair is kept only when one side looks like
    such a slip: the member's ID is on no row at all (the application's slip), or the row's ID is
    on the rows of one place only, one payer or one register (the system that computed the
    check; a payer's contexts made up for rows without an employer, `synthetic`, are that source
    alone). An ID on rows of several places is a person's own, read off their card by each: two
    runs of an independent-data probe's provinces, whose namesakes born the same day in the same
    county are one sequence digit apart, with wages, insurance and deposits, had 97 to 184 false
    questions a province and 27 households in review for nothing, while every slip sat at one
    place.

    Keys are integers (`SLIP_BLOCKS`; an identity's body is kept by the match index), the names
    compared on the few pairs they find: joined on pinyin first, the 20k-household benchmark's
    members formed 5.8 M pairs with valid-ID identities, 0.6 s, for 4 slips. An identity an ID rule already paired (a typo the check
    caught, `mt_cand_id`) is not looked at again: each met its member on four keys of five."""
    body = "TRY_CAST(left({col}, 17) AS BIGINT)"
    valid_i = "SELECT iid, b, {keys} FROM (SELECT iid, body AS b FROM mt_identities) WHERE b IS NOT NULL"
    valid_m = ("SELECT mid, b, {keys} FROM (SELECT mid, " + body.format(col="m_id") + " AS b FROM mt_members "
               "WHERE length(m_id) = 18) WHERE b IS NOT NULL")
    joins = "\n    UNION ALL ".join(f"SELECT i.iid, m.mid, i.b AS ib, m.b AS mb FROM si i JOIN sm m ON i.k{n} = m.k{n} "
                                    f"AND i.b <> m.b AND abs(i.b - m.b) IN ({_SLIP_DIFFERENCES})"
                                    for n in range(1, len(SLIP_BLOCKS) + 1))
    a, b = "lpad(CAST(ib AS VARCHAR), 17, '0')", "lpad(CAST(mb AS VARCHAR), 17, '0')"
    slip = f"hamming({a}, {b}) = 1 OR (hamming({a}, {b}) = 2 AND damerau_levenshtein({a}, {b}) = 1)"
    context = " OR ".join(f"starts_with(u.organisation, '{p}')" for p in synthetic) or "FALSE"
    return f"""
SELECT p.iid, p.mid, 256 AS rule FROM (
    WITH sm AS MATERIALIZED ({valid_m.format(keys=_slip_keys_sql('b'))}),
         si AS MATERIALIZED ({valid_i.format(keys=_slip_keys_sql('b'))} AND b NOT IN (SELECT b FROM sm)
                             AND iid NOT IN (SELECT iid FROM mt_cand_id))
    SELECT DISTINCT * FROM ({joins})
) p JOIN mt_identities i USING (iid) JOIN mt_members m USING (mid)
JOIN match_name_keys k ON k.name = i.name AND k.version = {int(version)} AND k.pinyin = m.m_pinyin
WHERE ({slip})
  AND (NOT EXISTS (SELECT 1 FROM mt_identities j WHERE j.id_number = m.m_id)
       OR (SELECT count(DISTINCT CASE WHEN u.organisation IS NULL OR {context} THEN u.source ELSE u.organisation END)
           FROM mt_units u WHERE u.id_number = i.id_number) = 1)
"""


def candidates_sql(version: int, synthetic: tuple[str, ...] = ()) -> str:
    """`mt_cand(iid, mid, rules)`: the union of the blocking rules (see the module table).

    Needs `mt_cand_id` (the ID rules), `mt_identities`, `mt_members` and `match_name_keys`.
    """
    v = int(version)
    return f"""
CREATE OR REPLACE TEMP TABLE mt_cand AS
WITH ik AS (
    SELECT i.iid, i.name, i.id_number, i.invalid, k.pinyin, k.name_std, k.n_chars, k.wildcard
    FROM mt_identities i JOIN match_name_keys k ON k.name = i.name AND k.version = {v}
    WHERE i.id_number IS NULL OR i.invalid OR ends_with(i.id_number, '000')
), by_name AS (
    SELECT ik.iid, m.mid, 16 AS rule FROM ik JOIN mt_members m ON m.m_pinyin = ik.pinyin
    WHERE ik.id_number IS NULL
    UNION ALL
    SELECT ik.iid, m.mid, 16 FROM (SELECT * FROM ik WHERE wildcard AND id_number IS NULL) ik
    JOIN mt_members m ON m.m_nchars = ik.n_chars AND m.m_std LIKE replace(ik.name_std, '?', '_')
    UNION ALL
    SELECT ik.iid, m.mid, 16 FROM (SELECT * FROM mt_members WHERE m_wild) m
    JOIN ik ON ik.n_chars = m.m_nchars AND ik.name_std LIKE replace(m.m_std, '?', '_')
    WHERE ik.id_number IS NULL
    UNION ALL
    SELECT ik.iid, m.mid, 32 FROM ik JOIN mt_members m
      ON m.m_pinyin = ik.pinyin AND substr(ik.id_number, 7, 8) = strftime(m.m_birth, '%Y%m%d')
    -- or valid by chance: one in eleven IDs a spreadsheet turned to …000 passes its check (an evaluator's
    -- wage row so written, at the member's own employer, was a stranger's ID and linked to nobody)
    WHERE ik.invalid OR (ends_with(ik.id_number, '000') AND ik.id_number <> m.m_id)
    UNION ALL
    SELECT i.iid, m.mid, 64 FROM mt_members m
    JOIN match_name_keys k ON k.pinyin = m.m_pinyin AND k.version = {v}
    JOIN mt_identities i ON i.name = k.name AND substr(i.id_number, 7, 8) = strftime(m.m_birth, '%Y%m%d')
    WHERE m.m_id_status NOT IN {USABLE_STATUSES}
), named_pairs AS (   -- ID pairs whose row's name is not the ID owner's
    SELECT b.iid, b.mid, k.pinyin, k.name_std, m1.m_pinyin, m1.m_std, m1.request_id, m1.household_id
    FROM (SELECT DISTINCT iid, mid FROM mt_cand_id) b JOIN mt_members m1 ON m1.mid = b.mid
    JOIN mt_identities i ON i.iid = b.iid
    JOIN match_name_keys k ON k.name = i.name AND k.version = {v}
    WHERE k.pinyin IS DISTINCT FROM m1.m_pinyin OR k.name_std IS DISTINCT FROM m1.m_std
), household AS (
    -- a row with one member's ID and the (pinyin) name of another member, or exactly another's name
    -- while only sounding like the ID's owner (twins 李明 / 李鸣). In the ID owner's household,
    -- always; in another household of the request (brothers applying in two), only when one member
    -- there carries the name: an adversarial probe's request of 185 households put a non-applicant
    -- son's wages, under his father's ID, to all twelve unrelated 张静 applicants, each at 50 %, and
    -- held all twelve households. In another request, when no one else among all the run's members
    -- carries the name (`CROSS_REQUEST_PEOPLE`): an evaluator's 袁华荣, applying to one agency, had
    -- his wages written with the ID of 廖亮, on another's rolls; only 廖亮 was asked
    SELECT iid, mid2 AS mid, 128 AS rule FROM (
        SELECT *, same_request AND household2 = household_id AS same_household,
               count(*) FILTER (WHERE same_request AND household2 <> household_id) OVER (PARTITION BY iid, mid)
                   AS elsewhere,
               count(DISTINCT person2) FILTER (WHERE NOT same_request OR household2 <> household_id)
                   OVER (PARTITION BY iid, mid) AS people
        FROM (
            SELECT p.*, m2.mid AS mid2, m2.household_id AS household2, m2.person AS person2,
                   m2.request_id = p.request_id AS same_request
            FROM named_pairs p JOIN mt_members m2 ON m2.m_pinyin = p.pinyin
            WHERE m2.mid <> p.mid AND p.pinyin IS DISTINCT FROM p.m_pinyin
            UNION ALL   -- exactly another's name (a join of its own: an OR in the join's condition is no hash join)
            SELECT p.*, m2.mid, m2.household_id, m2.person, m2.request_id = p.request_id
            FROM named_pairs p JOIN mt_members m2 ON m2.m_std = p.name_std
            WHERE m2.mid <> p.mid AND NOT (m2.m_pinyin IS NOT DISTINCT FROM p.pinyin AND p.pinyin IS DISTINCT FROM p.m_pinyin)
        )
    )
    WHERE same_household OR (same_request AND elsewhere = 1) OR people <= {CROSS_REQUEST_PEOPLE}
)
SELECT iid, mid, bit_or(rule) AS rules FROM (
    SELECT * FROM mt_cand_id UNION ALL SELECT * FROM by_name UNION ALL SELECT * FROM household
    UNION ALL SELECT iid, mid, {BORROWED_RULE} FROM mt_borrowed
    UNION ALL {slip_candidates_sql(v, synthetic)})
GROUP BY iid, mid
"""


def row_units_sql(version: int) -> str:
    """`mt_rows`: the units of the identities decided unit by unit (`mt_ipairs.track = 'row'`),
    with their organisation key: employer, payer or scheme for tax and social insurance,
    institution#account for bank rows."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_rows AS
SELECT u.uid, u.source, u.name, u.id_number, u.organisation, u.account_number, i.iid, i.pinyin, u.n, u.n_legacy,
       u.location,
       {org_kind_sql()} AS org_kind, u.s_org
FROM mt_units u
JOIN (SELECT iid, k.pinyin FROM mt_identities t
      LEFT JOIN match_name_keys k ON k.name = t.name AND k.version = {int(version)}
      WHERE iid IN (SELECT iid FROM mt_ipairs WHERE track = 'row')) i USING (iid)
"""


def blocking_counts_sql() -> str:
    """Candidate identity pairs and row pairs per rule (a pair found by several rules counts for each)."""
    cases = ", ".join(f"sum(((c.rules & {bit}) > 0)::INT * i.n) AS {name}" for bit, name in RULES.items())
    return f"""
SELECT count(*) AS identity_pairs, sum(i.n) AS row_pairs, {cases}
FROM mt_cand c JOIN mt_identities i USING (iid)
"""
