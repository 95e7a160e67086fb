"""Candidate pairs with everything the comparisons read, and their comparison levels.

Two tracks, because most evidence depends only on a row's name and ID:

1. `identity_pairs_sql`: per candidate (identity, member) pair, the ID, name, birth-date, sex
   and birthplace levels and the name's term frequency. An identity whose every candidate has
   an agreeing ID is decided as a whole (`track = 'identity'`): its rows' own evidence is
   never compared (the ID settles it), so its 500 monthly rows cost one decision.
2. `row_pairs_sql`: the other identities (no ID, an ID beyond repair, a relative's ID) go unit
   by unit (`track = 'row'`; a unit is the rows of one source agreeing on name, ID,
   organisation, account and location): each unit's organisation — employer, payer, scheme
   and amount, bank account — is held against the rest of the source (`siblings_sql`: who
   else of a sounding-alike name has ID-bearing rows there), and a property's location
   against the member's address.

Term frequencies: a name's u is the share of distinct valid IDs carrying it (王伟 agreeing is
weak evidence, a rare name strong); an organisation's u is its share of the rows of its kind.
"""

from __future__ import annotations

from matching.comparisons import ID_AGREES, IDENTITY_FIELDS, NOT_COMPARED, REGULAR_ROWS, ROW_FIELDS, SLIPPED_IDS, levels_sql
from matching.blocking import BORROWED_RULE
from matching.sides import id_side_sql

STRONG_NAMES = ("exact", "wildcard", "same_pinyin")
"""Name levels that, with an agreeing ID, show which rows are the member's own."""
NAME_ONLY_MAX_U = 1e-4
"""Name frequency (share of IDs) up to which a row without an ID at a bank or an employer is
paired on its name alone (or, in a small warehouse, a name at most two IDs carry): a commoner
name could not reach even `review` on its name, and would pair with dozens of members."""


def org_counts_sql() -> str:
    """Rows per organisation (employer / payer / scheme / institution) and source, and how many
    of them carry a valid ID (`n_id`)."""
    return """
SELECT source, organisation, sum(n) AS n,
       coalesce(sum(n) FILTER (WHERE id_number IS NOT NULL AND NOT invalid), 0) AS n_id
FROM mt_units
WHERE source IN ('tax', 'social_insurance', 'bank') AND organisation IS NOT NULL
GROUP BY ALL
"""


def org_tf_sql(synthetic: tuple[str, ...] = ()) -> str:
    """`mt_org_tf(org_norm, u, idless)`: an organisation's share of the tax and social-insurance
    rows, and whether it is a named payer none of whose rows there carries a valid ID (see
    `comparisons.ORGANISATION`, `idless_payer`)."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_org_tf AS
SELECT k.org_norm, sum(c.n) / sum(sum(c.n)) OVER () AS u,
       sum(c.n_id) = 0 AND {named_org_sql(synthetic, "k.org_norm")} AS idless
FROM mt_org_counts c JOIN mt_org_keys k ON k.org = c.organisation
WHERE c.source IN ('tax', 'social_insurance') AND k.org_norm IS NOT NULL
GROUP BY k.org_norm
"""


def id_names_sql(version: int) -> str:
    """`mt_id_names(iid, name, id_number, n, pinyin, name_std)`: the identities with a valid ID and
    their name keys, read once for the name frequencies and the borrowed-ID and rival rules."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_id_names AS
SELECT i.iid, i.name, i.id_number, i.n, k.pinyin, k.name_std FROM mt_identities i
JOIN match_name_keys k ON k.name = i.name AND k.version = {int(version)}
WHERE NOT i.invalid AND i.id_number IS NOT NULL
"""


def name_tf_sql() -> str:
    """`mt_name_tf(name_std, u, people)`: the share (and number) of distinct valid IDs that carry each name."""
    return """
CREATE OR REPLACE TEMP TABLE mt_name_tf AS
SELECT name_std, count(DISTINCT id_number) / (SELECT count(DISTINCT id_number) FROM mt_id_names) AS u,
       count(DISTINCT id_number) AS people
FROM mt_id_names GROUP BY name_std
"""


SEQUENCE_SLIP_SQL = (f"coalesce(lv_id IN {SLIPPED_IDS} AND left(s_id, 14) = left(m_id, 14), FALSE)")
"""The row's ID and the member's agree on birthplace and birth date, and slip in the sequence code
(and its check): what two people born the same day in one county look like (`decide.TWO_SLIPS`)."""


def identity_pairs_sql(version: int, cand: str = "mt_cand", out: str = "mt_ipairs", gated: bool = True,
                       valid_ids: int = 0) -> str:
    """`out`: the identity pairs of `cand` (iid, mid, rules) with the identity-level levels and
    their track (`gated=False` for random pairs: every field compared as if its gate were open).

    A name no valid ID carries (`mt_name_tf` has none) is as rare as one carried by one of the
    `valid_ids`: the average u of an agreeing name, which common names dominate, had made an
    outcome probe's 郜春兰 — nobody else of that name, her side job's rows without her ID — a
    weaker match on her name than a name one person carries."""
    # another person's ID on the row (`blocking.borrowed_sql`) says nothing of whose row it is: compared
    # as a row without one, its birth date and gender the ID's owner's, not compared either
    own_id = f"CASE WHEN c.rules = {BORROWED_RULE} THEN NULL ELSE i.id_number END"
    base = f"""(
    SELECT c.iid, c.mid, c.rules, i.n AS s_rows, i.n_legacy, i.name AS s_name, {own_id} AS s_id, FALSE AS s_legacy,
           (c.rules & 8) > 0 AS ids_share_repair,
           k.name_std AS s_std, k.pinyin AS s_pinyin, k.pinyin_alts AS s_alts, k.n_chars AS s_nchars,
           k.wildcard AS s_wild,
           {id_side_sql(own_id)},
           m.m_id, m.m_legacy, m.m_std, m.m_pinyin, m.m_alts, m.m_nchars, m.m_wild, m.m_birth, m.m_gender, m.m_county,
           m.m_birthplace, coalesce(tf.u, {1.0 / valid_ids if valid_ids > 0 else "NULL"}) AS tf_name_u
    FROM {cand} c JOIN mt_identities i USING (iid) JOIN mt_members m USING (mid)
    LEFT JOIN match_name_keys k ON k.name = i.name AND k.version = {int(version)}
    LEFT JOIN mt_name_tf tf ON tf.name_std = k.name_std)"""
    keep = "iid, mid, rules, s_rows, n_legacy, s_name, s_id, s_pinyin, m_id, tf_name_u"
    cols = (f"'{NOT_COMPARED}' AS lv_address, '{NOT_COMPARED}' AS lv_organisation, CAST(NULL AS DOUBLE) AS tf_org_u, "
            f"CAST(NULL AS DOUBLE) AS tf_org_unique_u, {SEQUENCE_SLIP_SQL} AS sequence_slip")
    if not gated:        # the random pairs of the background sample are never decided: no track
        return f"""
CREATE OR REPLACE TEMP TABLE {out} AS
SELECT *, {cols}, NULL::VARCHAR AS track FROM ({levels_sql(base, IDENTITY_FIELDS, keep, gated)})
"""
    # the track per identity from a group joined back (a window over the wide pairs sorted them all)
    return f"""
CREATE OR REPLACE TEMP TABLE {out} AS
WITH lv AS MATERIALIZED ({levels_sql(base, IDENTITY_FIELDS, keep, gated)}
), t AS (
    -- an identity with a unit another person's ID continues (`rivals.continued_sql`) is decided unit by unit
    SELECT iid, CASE WHEN bool_and(lv_id IN {ID_AGREES}) AND iid NOT IN (SELECT iid FROM mt_continued)
                     THEN 'identity' ELSE 'row' END AS track FROM lv GROUP BY iid
)
SELECT lv.*, {cols}, t.track FROM lv JOIN t USING (iid)
"""


def member_kinds_sql() -> str:
    """`mt_member_kinds(mid, org_kind, rows)`: a member's ID-bearing rows per kind of source
    (tax and social insurance together: employers and payers appear in both)."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_member_kinds AS
SELECT p.mid, k.org_kind, sum(CASE k.org_kind WHEN 'bank' THEN i.n_bank ELSE i.n_tax + i.n_social_insurance END)
       AS rows
FROM mt_ipairs p JOIN mt_identities i USING (iid)
CROSS JOIN (VALUES ('employer'), ('bank')) k(org_kind)
WHERE p.lv_id IN {ID_AGREES} AND p.lv_name IN {STRONG_NAMES}
GROUP BY ALL
"""


def own_ids_sql() -> str:
    """`mt_own_ids(mid, own_id)`: the ID a member's own rows carry. The application's, unless it is
    one slip from the one valid ID on rows under the member's name (the application mistyped): an
    independent-data probe's 夏梅泽 applied with ...12630X, her wage rows at a payer carried her real
    ...12930X and were linked, and her rows there without an ID were taken for a namesake's (the
    only ID under her name there was 'not hers') — left unlinked, unasked, her income short."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_own_ids AS
SELECT m.mid, coalesce(o.own_id, m.m_id) AS own_id
FROM mt_members m LEFT JOIN (
    SELECT p.mid, min(i.id_number) AS own_id
    FROM mt_ipairs p JOIN mt_identities i USING (iid)
    WHERE p.lv_id IN ('one_substitution', 'adjacent_swap') AND p.lv_name IN {STRONG_NAMES} AND NOT i.invalid
    GROUP BY p.mid HAVING count(DISTINCT i.id_number) = 1) o USING (mid)
"""


def siblings_sql(version: int) -> str:
    """`mt_sibling_ids(pinyin, s_org, id_number, n)` and `mt_siblings(pinyin, s_org, ids, counts)`:
    for the units decided one by one, the valid IDs (and their rows) at the same organisation
    under a name that *sounds* the same — who else could this row be? (By sound, so that a
    homophone slip cannot hide a namesake.)

    Only IDs that belong to that name count: an ID whose rows mostly carry another name is a
    relative's written on this person's row, not a namesake of theirs (a probe's 黄莉 lost her
    "only she has an ID here" evidence to one row bearing her husband's ID); so is a member's ID
    under the name of another member of their household, whatever its rows say (an independent
    probe: 刘伟's May wage row bore his mother's ID, her only row anywhere, and his February row
    without an ID, "one of two 刘伟 there", was neither linked nor asked about). A member's ID
    under a name nobody in the household sounds like stays: their own rows, the name mistyped; so
    does one the member of that name gave as theirs too (an application listing one ID for two
    members: an independent-data probe's 何静 lost her own payer's ID-bearing row as evidence for
    her row there without an ID, and that income went unlinked and unasked)."""
    v = int(version)
    return f"""
CREATE OR REPLACE TEMP TABLE mt_sibling_ids AS
WITH keys AS (SELECT DISTINCT pinyin, s_org FROM mt_rows WHERE s_org IS NOT NULL),
slipped AS MATERIALIZED (   -- an invalid ID one slip from a member's, under a name like theirs: theirs
    -- (an evaluator's balance row so written was linked; the account's newer statement without an ID,
    -- "an account no row with an ID shows", was nobody's, and the household passed on the older balance)
    SELECT DISTINCT p.iid, m.m_id AS id_number, k.pinyin
    FROM mt_ipairs p JOIN mt_members m USING (mid) JOIN mt_identities i USING (iid)
    JOIN match_name_keys k ON k.name = i.name AND k.version = {v}
    WHERE p.lv_id IN ('one_substitution', 'adjacent_swap') AND p.lv_name IN {STRONG_NAMES} AND i.invalid
), held AS MATERIALIZED (
    SELECT k.pinyin, u.s_org, u.id_number, u.n
    FROM mt_units u JOIN mt_id_names k ON k.iid = u.iid      -- a unit's name and ID are its identity's
    WHERE u.source IN ('tax', 'social_insurance', 'bank') AND k.pinyin IN (SELECT pinyin FROM keys)
    UNION ALL
    SELECT k.pinyin, u.s_org, k.id_number, u.n FROM mt_units u JOIN slipped k USING (iid)
    WHERE u.source IN ('tax', 'social_insurance', 'bank') AND k.pinyin IN (SELECT pinyin FROM keys)
), here AS MATERIALIZED (
    SELECT pinyin, s_org, id_number, sum(n) AS n FROM held SEMI JOIN keys USING (pinyin, s_org) GROUP BY ALL
), owners AS (       -- the name (by sound) each of these IDs is mostly written with
    SELECT i.id_number, arg_max(i.pinyin, {{'rows': i.n, 'pinyin': i.pinyin}}) AS pinyin
    FROM (SELECT id_number, pinyin, n FROM mt_id_names
          UNION ALL SELECT k.id_number, k.pinyin, i.n FROM slipped k JOIN mt_identities i USING (iid)) i
    WHERE i.id_number IN (SELECT id_number FROM here)
    GROUP BY 1
)
SELECT * FROM here SEMI JOIN owners USING (id_number, pinyin)
WHERE NOT EXISTS (   -- one member's ID under the name of another of their household: a relative's
    SELECT 1 FROM mt_members m JOIN mt_members r
      ON r.request_id = m.request_id AND r.household_id = m.household_id AND r.mid <> m.mid
    WHERE m.m_id = here.id_number AND m.m_pinyin <> here.pinyin AND r.m_pinyin = here.pinyin
      AND r.m_id IS DISTINCT FROM here.id_number);
CREATE OR REPLACE TEMP TABLE mt_siblings AS   -- ids[i] has counts[i] rows (one aggregation fills both)
SELECT pinyin, s_org, list(id_number) AS ids, list(n) AS counts
FROM mt_sibling_ids GROUP BY ALL;
"""


def named_org_sql(synthetic: tuple[str, ...], col: str = "organisation") -> str:
    """SQL: `col` is a named employer or payer, not a context made up for a row without one."""
    return " AND ".join(f"NOT starts_with({col}, '{p}')" for p in synthetic) or "TRUE"


def held_pairs_sql() -> str:
    """`mt_held_pairs(uid, mid)`: the row-track units (at an organisation) and the members with
    rows of their own, with their ID, under a name that sounds the same at that organisation
    (`mt_sibling_ids`). A table of its own so that the few such pairs are found from this small
    side: joined inside a bigger query, the planner matched every name-only pair first (2.8 M at
    20k households) and took 0.8 s instead of 0.1 s."""
    return """
CREATE OR REPLACE TEMP TABLE mt_held_pairs AS
SELECT DISTINCT r.uid, m.mid
FROM mt_rows r JOIN mt_sibling_ids si ON si.pinyin = r.pinyin AND si.s_org = r.s_org
JOIN mt_own_ids m ON m.own_id = si.id_number
"""


def clash_sql(synthetic: tuple[str, ...] = ()) -> str:
    """`mt_clash(uid, mid, clash_rows)`: for the row-track units without an ID at a named employer
    or payer (tax, social insurance), how many of their rows fall on an (item, month) where the
    member has a row of their own, with their ID, at the same organisation (see
    `comparisons.ORGANISATION`; only members with such rows there can clash: `mt_held_pairs`).
    Units with an ID are left out: an ID that does not agree already outweighs anything the
    organisation could say, and one that agrees gates it off. The rows' items and months come
    from the index (`match_rows`), by unit: reading them from `match_source_rows` computed every
    tax and social-insurance row's ID text and organisation again (0.3 s at 20k households)."""
    named = named_org_sql(synthetic, "u.organisation")
    return f"""
CREATE OR REPLACE TEMP TABLE mt_clash AS
WITH units AS MATERIALIZED (
    SELECT u.uid, r.s_org
    FROM mt_rows r JOIN mt_units u USING (uid)
    WHERE r.org_kind = 'employer' AND r.s_org IS NOT NULL AND u.id_number IS NULL AND {named}
      AND u.uid IN (SELECT uid FROM mt_held_pairs)
), pairs AS MATERIALIZED (
    SELECT h.uid, h.mid, m.own_id AS m_id, u.s_org FROM mt_held_pairs h JOIN units u USING (uid)
    JOIN mt_own_ids m USING (mid)
), unit_rows AS MATERIALIZED (
    SELECT r.uid, r.slot, r.period FROM match_rows r SEMI JOIN units u USING (uid)
), held0 AS MATERIALIZED (   -- the members' own rows, with their ID, at a named organisation
    SELECT u.id_number AS m_id, u.s_org, r.slot, r.period, count(*) AS n
    FROM mt_units u JOIN match_rows r USING (uid)
    WHERE u.source IN ('tax', 'social_insurance') AND NOT u.invalid AND {named}
      AND u.id_number IN (SELECT m_id FROM pairs)
    GROUP BY ALL
), multi AS MATERIALIZED (SELECT DISTINCT m_id, s_org, slot FROM held0 WHERE n > 1
), held AS (   -- a month is full when it has as many rows as the member's usual month there (the
               -- median; a bonus month's second row makes no other month short): one paid twice a
               -- month there (an evaluator's 770 and 3,571 wages) has a free place in a month with
               -- one, for a row without an ID (her April 3,571, left to nobody). Most members have one
               -- row a month: only those with more are ranked
    SELECT h.* FROM held0 h ANTI JOIN multi USING (m_id, s_org, slot)
    UNION ALL
    SELECT * FROM (SELECT h.* FROM held0 h SEMI JOIN multi USING (m_id, s_org, slot))
    QUALIFY n >= quantile_disc(n, 0.5) OVER (PARTITION BY m_id, s_org, slot)
)
SELECT p.uid, p.mid, count(*) AS clash_rows
FROM pairs p JOIN unit_rows ur USING (uid)
JOIN held h ON h.m_id = p.m_id AND h.s_org = p.s_org AND h.slot = ur.slot AND h.period = ur.period
GROUP BY ALL
"""


def address_strings_sql() -> str:
    """Locations and member addresses an address comparison will need (property units whose
    ID does not settle the match)."""
    return f"""
SELECT DISTINCT a FROM (
    SELECT r.location AS a, m.m_address AS b FROM mt_rows r JOIN mt_ipairs p USING (iid)
    JOIN mt_members m USING (mid)
    WHERE r.source = 'property' AND p.lv_id NOT IN {ID_AGREES}
) UNPIVOT (a FOR k IN (a, b)) WHERE a IS NOT NULL
"""


def row_candidates_sql(name_only_u: float) -> str:
    """`mt_row_cand(uid, mid)`: the (unit, member) pairs of the row track worth scoring (see
    `row_pairs_sql`), each kind found on its own with its filter applied before the join: at
    100k households the units of the row track times their identities' candidates are 58 M
    pairs, almost all of them name-only pairs of common names, and a planner handed the whole
    condition at once formed all of them first (25 s)."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_row_cand AS
WITH p AS MATERIALIZED (SELECT iid, mid, rules, tf_name_u FROM mt_ipairs WHERE track = 'row'),
held AS MATERIALIZED (SELECT h.uid, h.mid, r.iid FROM mt_held_pairs h JOIN mt_rows r USING (uid))
SELECT r.uid, p.mid FROM mt_rows r JOIN p USING (iid) WHERE p.rules <> 16
UNION SELECT r.uid, p.mid FROM mt_rows r JOIN p USING (iid) WHERE p.rules = 16 AND r.org_kind IS NULL
UNION SELECT r.uid, p.mid FROM mt_rows r JOIN (SELECT * FROM p WHERE rules = 16
                                                AND coalesce(tf_name_u, 0) <= {float(name_only_u)!r}) p USING (iid)
      WHERE r.org_kind = 'bank'
         OR (r.org_kind = 'employer'           -- `unseen_alone` only: no other level could reach review
             AND NOT EXISTS (SELECT 1 FROM mt_member_kinds k WHERE k.mid = p.mid AND k.org_kind = 'employer'
                                                                   AND k.rows > 0)
             AND NOT EXISTS (SELECT 1 FROM mt_siblings sb WHERE sb.pinyin = r.pinyin AND sb.s_org = r.s_org))
         OR (r.org_kind = 'employer'           -- or `idless_payer`: nobody's ID is ever written there
             AND EXISTS (SELECT 1 FROM mt_org_tf ot WHERE ot.org_norm = r.s_org AND ot.idless))
UNION SELECT h.uid, h.mid FROM held h JOIN p ON p.iid = h.iid AND p.mid = h.mid WHERE p.rules = 16
"""


def row_pairs_sql(synthetic: tuple[str, ...] = ()) -> str:
    """`mt_pairs`: one row per (unit, member) of the row track, with every level.

    At a bank the organisation is one account, and its holder one person: a namesake's row lands
    on it only if they share the account. So a bank row's `tf_org_u` is the account's share of the
    bank rows times the share of accounts that carry two people's IDs under one name (`shared`,
    measured on the data, half a case when none does). A probe's ID-less balance rows on accounts
    their holders' ID-bearing rows had already linked went to review at 0.998.

    `known_unique`'s u (`tf_org_unique_u`) is the organisation's share times the chance that a
    namesake working there has none of their rows with an ID. Were IDs missing row by row at
    random, that would be the missing rate to the power of their rows; but a payer that leaves
    one person's ID out usually leaves it out every month, so at an employer it is at least
    the share of regular people there (3+ rows under one name) none of whose rows has an ID
    (`orphan`, measured on the data). On a generated province with IDs missing per person
    (a black-box probe) 8 % of such people had no ID at all: the bare power, 1e-12 and less,
    had auto-linked 641 rows of same-name coworkers to applicants.

    The pairs are those of `mt_row_cand`. A pair found only by its sounding name (the row has no
    ID, rule 16) for a row with an organisation (tax, social insurance, bank) is kept when the
    member has ID-bearing rows there, or when the name is uncommon (`NAME_ONLY_MAX_U`) and
    the row is at a bank or, at an employer or payer, could be the member's own ID-less rows
    (`unseen_alone`: the member has no ID-bearing employer rows, nobody of that name has any
    there). A common name would pair each such row with dozens of members, none of whom its
    name alone could make even `review`; at an employer, any other level is evidence against
    that no uncommon name outweighs (pairing them all doubled the row track at 20k households
    for no link). A bank sends one balance row per account, so when that row lacks the ID
    nobody has rows "there"; a payer that leaves a person's ID out usually leaves it out every
    month, so a member none of whose wage rows carries their ID has no rows "there" either (an
    independent-data probe: 吴勇芳's 15 wage rows at 临汾市食品厂, no other 吴勇芳 anywhere,
    were neither linked nor asked about — see `comparisons.ORGANISATION`). Likewise at a payer
    that writes nobody's ID (`idless_payer`): a member's ID-bearing wages elsewhere say nothing
    against a second job there (an outcome probe's side jobs, six households passed on them).
    """
    base = f"""(
    SELECT r.uid, r.source, p.iid, p.mid, p.rules, r.n AS s_rows, r.n_legacy, p.lv_id,
           p.lv_name, p.lv_birth_date, p.lv_gender, p.lv_county_code, p.tf_name_u, p.sequence_slip,
           r.s_org, r.org_kind, sb.ids AS s_org_ids, cl.clash_rows AS s_clash, p.m_id, mk.rows AS m_kind_rows,
           r.org_kind = 'employer' AND coalesce(ot.idless, FALSE) AS s_org_idless,
           sb.counts[list_position(sb.ids, own.own_id)] AS m_org_rows, own.own_id AS m_org_id,
           sa.parts AS s_addr, ma.parts AS m_addr,
           CASE WHEN r.org_kind = 'bank'
                THEN list_sum(sb.counts) / (SELECT count(*) FROM bank) * (SELECT shared FROM mt_missing_rate)
                ELSE ot.u END AS tf_org_u, (SELECT missing FROM mt_missing_rate) AS missing_rate,
           (SELECT orphan FROM mt_missing_rate) AS orphan_rate
    FROM (SELECT r.*, c.mid FROM mt_row_cand c JOIN mt_rows r USING (uid)) r
    JOIN mt_ipairs p ON p.iid = r.iid AND p.mid = r.mid
    JOIN mt_members m ON m.mid = p.mid JOIN mt_own_ids own ON own.mid = p.mid
    LEFT JOIN mt_siblings sb ON sb.pinyin = r.pinyin AND sb.s_org = r.s_org
    LEFT JOIN mt_member_kinds mk ON mk.mid = p.mid AND mk.org_kind = r.org_kind
    LEFT JOIN mt_org_tf ot ON ot.org_norm = r.s_org
    LEFT JOIN mt_clash cl ON cl.uid = r.uid AND cl.mid = p.mid
    -- (the property side as the join key, not a condition beside it: `AND r.source = 'property'` made
    -- DuckDB fail to bind s_addr inside a pass's transaction when no property row had an address, an
    -- ingestion probe's world failing in every pass: "INTERNAL Error: Failed to bind column reference")
    LEFT JOIN mt_addr sa ON sa.address = CASE WHEN r.source = 'property' THEN r.location END
    LEFT JOIN mt_addr ma ON ma.address = CASE WHEN r.source = 'property' THEN m.m_address END)"""
    keep = ("uid, source, iid, mid, rules, s_rows, n_legacy, lv_id, lv_name, lv_birth_date, lv_gender, "
            "lv_county_code, tf_name_u, sequence_slip, tf_org_u, "
            "tf_org_u * CASE WHEN org_kind = 'employer' THEN greatest(pow(missing_rate, greatest(coalesce(m_org_rows, 1) "
            "- 1, 0)), orphan_rate) ELSE pow(missing_rate, greatest(coalesce(m_org_rows, 1) - 1, 0)) END "
            "AS tf_org_unique_u")
    named = named_org_sql(synthetic)
    return f"""
CREATE OR REPLACE TEMP TABLE mt_missing_rate AS
WITH people AS (     -- rows under one name at one named employer or payer, and how many carry an ID
                     -- (grouped by a hash of the two: their strings made the grouping most of the cost)
    SELECT source, hash(name, organisation) AS person, sum(n) AS n,
           coalesce(sum(n) FILTER (WHERE id_number IS NOT NULL AND NOT invalid), 0) AS n_id
    FROM mt_units WHERE source IN ('tax', 'social_insurance') AND organisation IS NOT NULL AND {named}
    GROUP BY ALL
), accounts AS (   -- bank accounts and the valid IDs written under one name on each (a bank unit is
                   -- one name, ID, bank and account: no location), so counted without a DISTINCT
    SELECT hash(organisation, account_number, name) AS holder, count(id_number) FILTER (WHERE NOT invalid) AS ids
    FROM mt_units WHERE source = 'bank' AND account_number IS NOT NULL GROUP BY ALL)
SELECT (SELECT sum(n) FILTER (WHERE id_number IS NULL OR invalid) / sum(n) FROM mt_identities) AS missing,
       (count(*) FILTER (WHERE n_id = 0 AND n >= {REGULAR_ROWS}) + 0.5)
           / (count(*) FILTER (WHERE n >= {REGULAR_ROWS}) + 1) AS orphan,
       (SELECT (count(*) FILTER (WHERE ids >= 2) + 0.5) / (count(*) FILTER (WHERE ids >= 1) + 1) FROM accounts)
           AS shared
FROM people;
CREATE OR REPLACE TEMP TABLE mt_pairs AS
{levels_sql(base, ROW_FIELDS, keep)}"""
