"""ID slips and borrowed names that another person's valid ID explains: who else a row could be.

`id_rivals_sql` names, for a candidate pair found by an ID rule, another person whose own valid ID
explains the row as well (a slip one digit from theirs too, or the member's ID under a name that
person carries); the decision never makes such a pair `auto` and the evidence names them.
"""

from __future__ import annotations

from matching.comparisons import REGULAR_ROWS
from matching.pairs import named_org_sql
from matching.sides import could_be_one_id_sql

BORROWER_MAX_PEOPLE = 2
"""See `id_rivals_sql`: up to this many people carrying a name, it names someone in particular."""


def id_rivals_sql(version: int) -> str:
    """`mt_id_rivals(iid, mid, rival_name, rival_id)`: ID-repair pairs (rules 2, 4 and 8) whose slip
    could just as well be from another person's valid ID under a name that sounds the same.

    A wrong digit is strong evidence only when one person's ID lies one slip away. A black-box
    probe put 张伟's bank row under an invalid ID one digit from the applicant 张伟's ID and one
    digit from a namesake's (born the same day, with tax rows under his valid ID): the row went
    `auto` to the applicant, a ¥230,000 deposit that failed the household. Likewise an
    application whose mistyped ID was one slip from both the applicant's real ID and a
    namesake's linked both people's rows. Only the members are candidates, so the decision never
    saw the namesake: this table names him (masked ID) for the decision and the evidence.

    Rule 2: another valid repair of the row's invalid ID is an identity's ID with the row's
    pinyin. Rule 4: another valid repair of the member's invalid ID is an identity's ID with the
    member's pinyin. Rule 8 (both IDs slipped, one repair in common): another valid repair of the
    row's ID, none of the member's, is such an ID — a linkage probe's namesake 王鑫, born the
    same day in the same county, his valid ID on his wages, had his flat linked `auto` to the
    applicant whose application ID was mistyped too, and the household failed on two homes.
    (Two valid IDs are never one slip apart, so the rival is another person.) A rival's name with a
    character lost to '?' (a GBK export) sounds the same when the rest agrees: a re-check probe's
    杨建军 deposit went `auto` to the applicant beside the namesake's '?建军' row on that account.

    And a member's own ID (rule 1) under a name that only sounds like theirs, when that very name is
    another person's by their own valid ID: born the same day (a twin: a probe's 马虹, her own ID
    on her own job, had a second job's wages written with her sister 马红's ID, linked `auto`), or
    one of at most `BORROWER_MAX_PEOPLE` people of that name while the rows lie where the member has
    none of their own (a probe's 章晶, her own ID at one employer, paid at another under the applicant
    张静's ID: `auto`, the household failed on ¥3,000 a month). A name many people carry is a typo
    landing on a common name, and rows at the member's own employer or account are the member's: at
    20k households, flagging every homophone another ID carries sent 15,900 true rows to review.
    (A person of a common name paid on under the member's ID where they were paid under their own
    is `continued_sql`'s: a second probe's 张莉, three people of that name.)"""
    v = int(version)
    return f"""
CREATE OR REPLACE TEMP TABLE mt_id_rivals AS
WITH c AS MATERIALIZED (   -- the pairs first, then their repairs: the repairs of every invalid ID were
                           -- read and grouped before the few pairs' were picked from them
    SELECT DISTINCT c.iid, c.mid, c.rule, i.id_number, i.name
    FROM mt_cand_id c JOIN mt_identities i USING (iid) WHERE c.rule IN (2, 8)
), by_row AS (   -- another repair of the row's ID: not the member's (2), none of the member's repairs (8)
    SELECT c.iid, c.mid, r.repair_code AS alt, k.pinyin, k.name_std AS std, k.n_chars
    FROM c JOIN mt_repaired t ON t.id_number = c.id_number JOIN mt_row_repairs r ON r.tid = t.tid
    JOIN mt_members m ON m.mid = c.mid
    JOIN match_name_keys k ON k.name = c.name AND k.version = {v}
    LEFT JOIN mt_member_repairs mr ON c.rule = 8 AND mr.id = m.m_id AND mr.repair_code = r.repair_code
    WHERE CASE c.rule WHEN 2 THEN r.repair_code IS DISTINCT FROM m.m_code ELSE mr.id IS NULL END
), by_member AS (
    SELECT c.iid, c.mid, r.repair_code AS alt, m.m_pinyin AS pinyin, m.m_std AS std, m.m_nchars AS n_chars
    FROM (SELECT DISTINCT iid, mid FROM mt_cand_id WHERE rule = 4) c
    JOIN mt_identities i USING (iid) JOIN mt_members m ON m.mid = c.mid
    JOIN mt_member_repairs r ON r.id = m.m_id
    WHERE r.repair <> i.id_number
), alts AS (SELECT * FROM by_row UNION ALL SELECT * FROM by_member)
, slipped AS (
    SELECT a.iid, a.mid, j.name, j.id_number
    FROM alts a JOIN mt_identities j ON j.code = a.alt AND NOT j.invalid
    JOIN match_name_keys kj ON kj.name = j.name AND kj.version = {v}
      AND (kj.pinyin = a.pinyin OR kj.wildcard AND kj.n_chars = a.n_chars AND a.std LIKE replace(kj.name_std, '?', '_'))
), named AS (   -- the member's own ID under a name that only sounds like theirs
    SELECT c.iid, c.mid, i.id_number AS x, i.name_std, m.m_std
    FROM (SELECT DISTINCT iid, mid FROM mt_cand_id WHERE rule = 1) c
    JOIN mt_id_names i USING (iid) JOIN mt_members m ON m.mid = c.mid
    WHERE i.name_std <> m.m_std AND NOT i.name_std LIKE '%?%'
), bearers AS (  -- the other people that very name is written with, by their own valid IDs: all of them
                 -- for a name few carry, the ones born the same day for any
    SELECT n.iid, n.mid, j.name, j.id_number, left(j.id_number, 14) = left(n.x, 14) AS same_day,
           p.people - 1 AS people
    FROM named n JOIN mt_name_tf p USING (name_std)
    JOIN mt_id_names j ON j.name_std = n.name_std AND j.id_number <> n.x
    WHERE p.people - 1 <= {BORROWER_MAX_PEOPLE} OR left(j.id_number, 14) = left(n.x, 14)
), vouched AS (  -- where the member's own rows (their exact name, this ID) are: an employer in tax or
                 -- social insurance alike (an adversarial probe's 周艳, her employer's contributions under
                 -- her exact name, its wage rows under a homophone), an account at its bank
    SELECT DISTINCT n.iid, u.place
    FROM named n JOIN mt_id_names k ON k.id_number = n.x AND k.name_std = n.m_std
    JOIN mt_units u ON u.iid = k.iid
), named_units AS MATERIALIZED (
    SELECT u.* FROM mt_units u WHERE u.iid IN (SELECT iid FROM named)
), elsewhere AS (  -- identities with rows where the member has none of their own
    SELECT DISTINCT u.iid FROM named_units u
    WHERE NOT EXISTS (
        SELECT 1 FROM vouched v WHERE v.iid = u.iid AND v.place = u.place)
), contested AS (  -- rows where that other person is paid too, under their own ID (a probe's coworker
                   -- 周艳 paid beside the member 周燕, three months of her wages under 周燕's ID, went `auto`)
    SELECT DISTINCT b.iid, b.mid FROM bearers b
    JOIN named_units u ON u.iid = b.iid
    JOIN mt_units w ON w.id_number = b.id_number
    WHERE b.people <= {BORROWER_MAX_PEOPLE} AND u.place = w.place
), borrowed AS (
    SELECT iid, mid, name, id_number FROM bearers
    WHERE same_day OR (people <= {BORROWER_MAX_PEOPLE} AND (iid IN (SELECT iid FROM elsewhere)
                                                           OR (iid, mid) IN (SELECT (iid, mid) FROM contested)))
)
SELECT iid, mid, arg_min(name, {{'id': id_number, 'name': name}}) AS rival_name,   -- in ties too, one name
       left(min(id_number), 6) || '********' || right(min(id_number), 4) AS rival_id, FALSE AS continued
FROM (SELECT * FROM slipped UNION ALL SELECT * FROM borrowed
      UNION ALL SELECT iid, mid, owner_name, owner_id FROM mt_borrowed)
GROUP BY iid, mid
"""


CONTINUED_GAP_MONTHS = 2
"""`continued_sql`: one person's rows under one ID stop at most this many months before the other ID's start."""
PENSION_AGE, WORKING_AGE = 60, 16
"""`continued_sql`: a member paid from this age on (or before that one) is no likely holder of a job a
namesake is paid at: any such namesake there is asked about, however the months and amounts run."""


def continued_sql(version: int, synthetic: tuple[str, ...] = ()) -> str:
    """`mt_continued(uid, iid, mid, rival_name, rival_id)`: the member's own ID (or one slip from it) on
    rows at an employer where another person of a name that sounds the same is paid, under their own valid ID,
    for the same item in the other months: the one job in two people's IDs.

    A linkage probe's son 周国强 was paid at one payer under his own ID for six months and under his
    father's, the applicant's, for the next six (a payroll that re-keyed him): the father's-ID rows
    went `auto` to the 78-year-old father ("身份证号一致，姓名一致") and his household failed on wages
    that were not his. An ID and a name both agreeing cannot tell a namesake's rows from the member's
    when the namesake is a family member; the other ID beside them can. Such units are decided one by
    one (the member's other rows, a pension under the same ID and name, stay `auto`) and asked about,
    naming that person (`decide`: `id_rival`).

    A member of working age is asked about only where the two look like one job: the same source and
    item, one ID's months ending at most `CONTINUED_GAP_MONTHS` before the other's begin, a quarter
    more or less in amount, the other ID regular there (`REGULAR_ROWS`). Paid there in the same months
    they are coworkers; apart in time or amount, one succeeded the other: at 20,000 households, where
    namesakes share employers, 964 of the members' own jobs had been asked about for such a namesake.
    A member of 60 or more (or under 16) is asked about beside any namesake paid there: a second probe
    varied the son's deception (a gap of three months, another item, a raise, his own ID in social
    insurance only, a month overlapping), and a 77-year-old failed on his son's wages each time.

    Never when that person is paid (or pensioned) elsewhere in the member's months there (a namesake
    gone to another job, a father retired: the member succeeded them), nor about an ID that could be
    the member's own mistyped (a slip, day and month swapped: the birth date, or the place and
    sequence, are the member's), nor a member's of the household (the income is the household's
    whichever of them it is). The other ID must be that name's (most of its rows carry it: a
    relative's ID written on one of the member's rows is no other person of the name). Only a named
    employer or payer: a scheme paid without one (城乡居民养老保险) has many namesakes in it."""
    return f"""
CREATE OR REPLACE TEMP TABLE mt_continued AS
WITH own AS MATERIALIZED (   -- the member's own ID (rule 1), or a slip of it (2), at a named employer
    SELECT DISTINCT u.uid, c.iid, c.mid, u.source, u.place, c.pinyin, m.m_id AS id_number, m.m_birth,
           m.request_id, m.household_id
    FROM (SELECT c.iid, c.mid, k.pinyin FROM mt_cand_id c JOIN mt_id_names k USING (iid) WHERE c.rule = 1
          UNION ALL   -- (the few slipped IDs' names keyed apart: all of them through the keys cost 0.2 s)
          SELECT c.iid, c.mid, k.pinyin FROM mt_cand_id c JOIN mt_identities i USING (iid)
          JOIN match_name_keys k ON k.name = i.name AND k.version = {int(version)} WHERE c.rule = 2) c
    JOIN mt_members m USING (mid) JOIN mt_units u ON u.iid = c.iid
    WHERE u.source IN ('tax', 'social_insurance') AND starts_with(u.place, 'employer#')
      AND {named_org_sql(synthetic, "u.organisation")}
), there AS MATERIALIZED (    -- paid there under a valid ID and a name of that sound: the keys first
                              -- (joined on the place alone, a big employer's every unit met every member's)
    SELECT w.uid AS other_uid, w.iid, w.source, w.place, w.n, x.pinyin, x.name, x.id_number
    FROM mt_units w JOIN mt_id_names x USING (iid)
    WHERE w.place IN (SELECT place FROM own) AND x.pinyin IN (SELECT pinyin FROM own)
), others0 AS MATERIALIZED ( -- another person's ID there: not one that could be the member's own mistyped
                             -- (a slip, day and month swapped, `could_be_one_id_sql`), nor a member's of the household
                             -- (whichever of them it is, the income is the household's)
    SELECT o.uid, o.iid, o.mid, o.pinyin, o.source, o.place, o.m_birth, t.name, t.id_number, t.other_uid,
           t.source AS other_source, t.n AS other_n
    FROM own o JOIN there t ON t.place = o.place AND t.pinyin = o.pinyin
    WHERE t.id_number <> o.id_number
      AND NOT {could_be_one_id_sql("t.id_number", "o.id_number")}
      AND NOT EXISTS (SELECT 1 FROM mt_members h WHERE h.request_id = o.request_id AND h.household_id = o.household_id
                                                   AND h.m_id = t.id_number)
), owners AS (               -- the ID is that name's: most of its rows carry it (not a relative's ID
                             -- written on one of the member's rows)
    SELECT id_number, arg_max(pinyin, {{'n': n, 'p': pinyin}}) AS pinyin FROM mt_id_names
    WHERE id_number IN (SELECT id_number FROM others0) GROUP BY ALL
), others AS (             -- (and only pairs either path below could take: a regular namesake in the same
                            -- source, or a member old or young enough; most pairs are coworkers of common names)
    SELECT o.* FROM others0 o JOIN owners w USING (id_number, pinyin)
    WHERE (o.other_source = o.source AND o.other_n >= {REGULAR_ROWS})
       OR o.m_birth <= current_date - INTERVAL {PENSION_AGE} YEAR
       OR o.m_birth >= current_date - INTERVAL {WORKING_AGE + 4} YEAR
), rows AS MATERIALIZED (
    SELECT uid, source, record_id, slot, period, amount FROM match_rows
    WHERE uid IN (SELECT uid FROM others UNION SELECT other_uid FROM others)
), spans AS MATERIALIZED (   -- per unit and item: the months paid
    SELECT uid, slot, min(period) AS first, max(period) AS last FROM rows GROUP BY ALL
), months AS (               -- per member-ID unit: the months paid, every item
    SELECT uid, min(first) AS first, max(last) AS last FROM spans GROUP BY ALL
), adjoining AS MATERIALIZED (   -- one paid up to a month or two before the other starts
    SELECT DISTINCT o.uid, o.other_uid, a.slot
    FROM others o
    JOIN spans a ON a.uid = o.uid JOIN spans b ON b.uid = o.other_uid AND b.slot IS NOT DISTINCT FROM a.slot
    WHERE o.other_source = o.source AND o.other_n >= {REGULAR_ROWS} AND (a.last < b.first OR b.last < a.first)
      AND date_diff('month', least(a.last, b.last), greatest(a.first, b.first)) <= {CONTINUED_GAP_MONTHS}
), unlikely AS MATERIALIZED (    -- a member too old or too young to be paid there, beside a namesake paid there
                                 -- in the other months (a month's overlap at most: a coworker paid beside the
                                 -- member all along is a coworker, the member's rows their own)
    SELECT o.uid, o.other_uid FROM others o JOIN months s ON s.uid = o.uid
    WHERE (s.last >= o.m_birth + INTERVAL {PENSION_AGE} YEAR OR s.last < o.m_birth + INTERVAL {WORKING_AGE} YEAR)
      AND (SELECT count(DISTINCT a.period) FROM rows a JOIN rows b ON b.uid = o.other_uid AND b.period = a.period
           WHERE a.uid = o.uid) <= 1
), candidates AS MATERIALIZED (
    SELECT uid, other_uid FROM adjoining UNION SELECT uid, other_uid FROM unlikely
), meanwhile AS MATERIALIZED (   -- the other person's pay and benefits in the member's months, of their other
                                 -- units (not a bank statement or a resident's contribution: everyone has one)
    SELECT DISTINCT o.uid, o.other_uid, w.place = o.place AS here, r.source, r.slot,
           {named_org_sql(synthetic, "w.organisation")} AS named
    FROM others o SEMI JOIN candidates USING (uid, other_uid) JOIN months s ON s.uid = o.uid
    JOIN mt_units w ON w.id_number = o.id_number AND w.uid <> o.other_uid
    JOIN match_rows r ON r.uid = w.uid AND r.period BETWEEN s.first AND s.last
    WHERE w.id_number IN (SELECT o.id_number FROM others o SEMI JOIN candidates USING (uid, other_uid))
      AND w.source IN ('tax', 'social_insurance')
), adjoining_rows AS MATERIALIZED (
    SELECT * FROM rows SEMI JOIN (SELECT uid, slot FROM adjoining UNION SELECT other_uid, slot FROM adjoining)
                                 USING (uid, slot)
), paid AS MATERIALIZED (        -- the usual amount of those units' rows of that item
    SELECT uid, slot, median(amount) AS amount FROM adjoining_rows GROUP BY ALL
), continued AS MATERIALIZED (   -- ... about as much
    SELECT DISTINCT j.uid, j.other_uid FROM adjoining j
    JOIN paid a ON a.uid = j.uid AND a.slot IS NOT DISTINCT FROM j.slot
    JOIN paid b ON b.uid = j.other_uid AND b.slot IS NOT DISTINCT FROM j.slot
    WHERE a.amount > 0 AND b.amount > 0 AND greatest(a.amount, b.amount) / least(a.amount, b.amount) <= 1.25
    UNION SELECT uid, other_uid FROM unlikely
), elsewhere AS (                -- the other person paid at another named employer in those months, or
                                 -- drawing a pension or unemployment benefit (there too): not here under the
                                 -- member's ID (a namesake gone to a supermarket, a father retired from the
                                 -- plant his son joined). (Their contributions there say the opposite. A bank
                                 -- statement or a resident's medical contribution says nothing: a re-check
                                 -- probe's son's one ¥2,000 statement had let his wages go `auto` again)
    SELECT uid, other_uid FROM meanwhile WHERE source = 'tax' AND NOT here AND named
    UNION
    SELECT uid, other_uid FROM meanwhile   -- (a social-insurance row's slot is its type/record_type)
    WHERE source = 'social_insurance'
      AND ((ends_with(slot, '/待遇') AND (slot LIKE '%养老%' OR slot LIKE '%失业%'))
           OR (ends_with(slot, '/缴费') AND NOT here AND named))   -- (a named employer's: an employee's)
)
SELECT o.uid, o.iid, o.mid, arg_min(o.name, {{'id': o.id_number, 'name': o.name}}) AS rival_name,
       left(min(o.id_number), 6) || '********' || right(min(o.id_number), 4) AS rival_id, TRUE AS continued
FROM others o SEMI JOIN (SELECT * FROM continued EXCEPT SELECT * FROM elsewhere) USING (uid, other_uid)
GROUP BY ALL
"""
