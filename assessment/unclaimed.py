"""SQL for the rows under a household member's exact name, without an ID, that nobody is linked to
(`match.unclaimed`): income the linker could give to no one, and vehicles and properties no
linker can tell the owner of. No figure holds them; `assessment.pending` asks about them only
where they could decide the outcome.
"""

from __future__ import annotations

from assessment.evidence import _ORDER, MAX_LAG_MONTHS, WORK, _types
from assessment.figures import EMPLOYMENT_ITEMS, NUMBER_KEY_SQL
from assessment.material import PENSION_AGE_FROM, VEHICLE_AGE_FROM, WAGES_UNLIKELY_FROM, WORKING_AGE_FROM
from matching.link import NAME_KEY_VERSION


UNCLAIMED = "work_unclaimed"


def unclaimed_table_sql(households: str = WORK, lag: int = MAX_LAG_MONTHS,
                        supporters: tuple[str, ...] = ("赡养人", "抚养人", "扶养人"),
                        answers: str | None = None, places: str | None = None,
                        name_version: int = NAME_KEY_VERSION) -> str:
    """`work_unclaimed`: income rows without an ID under exactly a consenting household member's
    name, at a payer where no row under that name carries an ID, that nobody is linked to for
    certain and no member of the household at all — wages and other tax income in (or `lag`
    months before) the window, and benefits paid. The linker could give them to no one: a payer
    that never writes the ID, under a name too common to tell its owner by. No figure holds them;
    the rules ask about them only where one payer's rows could decide the outcome
    (`assessment.pending.unclaimed`). An independent-data probe's remaining wrong passes were all
    such rows: 王浩's odd-job fees paid by 个人, 61 people of that name in the province.

    A payer where an ID is written under the name is left out: its ID-less rows are most likely
    that person's (a payer that leaves an ID out of one month's row writes it in the others), and
    the linker has weighed them (on the generated 20k-household province those are 1.7 M rows; the
    rows left, 1,600). So are bank balances: a bank sends one row per account, so an ID-less
    balance is never at a place where the name has an ID, and under a common name it was a
    namesake's 35 times in 37 that could have decided an outcome (the demo's 17, another probe's
    20, whose other two were a member's, a deposit of 91,808 among them; on a province of realistic
    names, asked under names at most ten people bore, 70 of 73). Built once per pass,
    over every work household, and read slice by slice (`unclaimed_sql`).

    Held vehicles (正常, 查封) and properties (not 注销) without an ID under the name, too, with
    their own columns (plate_number … share; NULL on the income rows). Every row has `namesakes`: how many people
    the warehouse knows by that name (the IDs written under it anywhere; at least the member).

    A property in the member's own county (`local`: the county and city of its location are those
    of the member's address, both read by `matching.address`; `places` is a table of the parsed
    addresses, `places_sql`) has `namesakes_local` too: the people of that name whose ID
    was issued in the household's county, and the member. A second home in one's own county is
    no rarity, and there the competition is the name's people of that county, not of the
    province: a scale probe's 赵秀英, one of 38 in the province and of 2 in 清徐县, passed 低保
    on an ID-less shop in 清徐县 that was hers, said nowhere (4 of its 13 wrong passes; see
    `pending.LOCAL_NAMESAKES_MAX`).

    Not rows the member's age rules out: pay for work (`figures.EMPLOYMENT_ITEMS`) before they
    were 16, a vehicle while they are under 18, a property registered before they were born (a
    fresh-evaluator probe: 8 of its 33 eligible households held for review waited on a 7-year-old's
    wages, a 3-year-old's car or a home registered before the child's birth).

    `answers`: a table of the answers in force (`review.apply.answered_pairs_sql`): a row a
    caseworker denied is the member's is not asked about again (`QUESTION_METHOD`)."""
    local, joins = "FALSE", ""
    if places is not None:
        local = ("coalesce(pl.parts.county = ma.parts.county AND (pl.parts.city IS NULL OR ma.parts.city IS NULL "
                 "OR pl.parts.city = ma.parts.city), FALSE)")
        joins = (f"\n    LEFT JOIN {places} pl ON pl.address = p.location"
                 f"\n    LEFT JOIN {places} ma ON ma.address = m.m_address")
    denied = "" if answers is None else f"""
      AND NOT EXISTS (SELECT 1 FROM {answers} a WHERE a.decision = 'denied' AND a.source = r.source
                      AND a.record_id = r.record_id AND a.request_id = r.request_id
                      AND a.household_id = r.household_id AND a.member_no = r.member_no)"""
    return f"""
CREATE OR REPLACE TEMP TABLE {UNCLAIMED} AS
WITH m AS (
    SELECT w.request_id, w.household_id, w.member_no, w.name, h.window_start, h.window_end, h.request_date,
           w.id_number, w.address AS m_address, h.county_code,
           coalesce(CASE WHEN w.id_status IN ('valid', 'repaired') THEN w.id_birth_date END, w.birth_date) AS m_birth,
           coalesce(nullif(k.name_std, ''), w.name) AS m_std
    FROM work_members w JOIN {households} h USING (request_id, household_id)
    LEFT JOIN match_name_keys k ON k.name = w.name AND k.version = {int(name_version)}
    WHERE w.consent AND w.relation NOT IN ({_types(supporters)}) AND nullif(trim(w.name), '') IS NOT NULL
), variants AS (   -- the spellings of each member's name, as the linker standardises them (simplified,
                   -- separators dropped): a names probe's 楊寶麗 and 艾克拜尔 吾斯曼 went unasked
    SELECT DISTINCT k.name, k.name_std AS std FROM match_name_keys k
    WHERE k.version = {int(name_version)} AND k.name_std IN (SELECT m_std FROM m)
    UNION SELECT name, m_std FROM m
), t0 AS (
    SELECT record_id, v.std AS name, id_number, period, income_item, income_amount, withholding_agent, file, row_number,
           loaded_at, count(id_number) OVER (PARTITION BY name, withholding_agent) AS ids_here,
           count(id_number) OVER (PARTITION BY name, withholding_agent, income_item, period) AS ids_that_month,
           list(DISTINCT id_number) FILTER (WHERE id_number IS NOT NULL) OVER (PARTITION BY name, withholding_agent)
               AS ids
    FROM tax JOIN variants v USING (name)
), t AS (   -- `shared`: in some month an ID-less row stands beside the name's ID-bearing one: two people
    SELECT *, bool_or(id_number IS NULL AND ids_that_month > 0) OVER (PARTITION BY name, withholding_agent) AS shared
    FROM t0
), s0 AS (
    -- the payer: the employer, or without one the scheme's fund (a fresh evaluator's member drawing
    -- a 城乡居民 pension under her ID was taken for paid by the 企业职工 fund of a namesake's rows)
    SELECT record_id, v.std AS name, id_number, period, record_type, insurance_type, amount, employer, file, row_number,
           loaded_at, count(id_number) OVER (PARTITION BY name, employer, CASE WHEN employer IS NULL THEN insurance_type END)
               AS ids_here,
           count(id_number) OVER (PARTITION BY name, employer, insurance_type, record_type, period) AS ids_that_month,
           list(DISTINCT id_number) FILTER (WHERE id_number IS NOT NULL)
               OVER (PARTITION BY name, employer, CASE WHEN employer IS NULL THEN insurance_type END) AS ids
    FROM social_insurance JOIN variants v USING (name)
), s AS (
    SELECT *, bool_or(id_number IS NULL AND record_type = '待遇' AND ids_that_month > 0)
                  OVER (PARTITION BY name, employer, CASE WHEN employer IS NULL THEN insurance_type END) AS shared
    FROM s0
), si_ids AS (    -- the valid IDs an employer's contributions carry under each name (its org key: the tax
                   -- and social-insurance exports spell one employer alike only mostly)
    SELECT s0.name, coalesce(k.org_norm, s0.employer) AS payer, list(DISTINCT s0.id_number) AS ids
    FROM s0 LEFT JOIN match_org_keys k ON k.org = s0.employer
    WHERE s0.id_number IS NOT NULL AND s0.employer IS NOT NULL AND s0.record_type = '缴费' GROUP BY ALL
), regular AS (   -- amounts a payer pays under one ID month after month, and the months it does
    SELECT 'tax' AS source, name, withholding_agent AS payer, income_item AS item, income_amount AS amount,
           id_number, list(DISTINCT period) AS periods
    FROM t0 WHERE id_number IS NOT NULL GROUP BY ALL HAVING count(DISTINCT period) >= 2
    UNION ALL
    SELECT 'social_insurance', name, coalesce(employer, insurance_type), insurance_type, amount, id_number,
           list(DISTINCT period)
    FROM s0 WHERE id_number IS NOT NULL AND record_type = '待遇' GROUP BY ALL HAVING count(DISTINCT period) >= 2
), own_months AS (   -- the months a payer writes a member's own ID under their name (few rows)
    SELECT DISTINCT 'tax' AS source, name, withholding_agent AS payer, income_item AS item, NULL AS record_type,
           period, id_number
    FROM t0 WHERE id_number IN (SELECT id_number FROM m)
    UNION ALL
    SELECT DISTINCT 'social_insurance', name, employer, insurance_type, record_type, period, id_number
    FROM s0 WHERE id_number IN (SELECT id_number FROM m)
), rows AS (
    SELECT m.request_id, m.household_id, m.member_no, 'tax' AS source, t.record_id, 'tax_income' AS kind,
           t.period, t.income_item AS item, CAST(t.income_amount AS DOUBLE) AS amount, t.withholding_agent AS payer,
           NULL::VARCHAR AS insurance_type, NULL::VARCHAR AS institution, NULL::VARCHAR AS account_number,
           NULL::DATE AS as_of_date, t.file, t.row_number, NULL::VARCHAR AS plate_number,
           NULL::VARCHAR AS vehicle_type, NULL::VARCHAR AS status, NULL::VARCHAR AS certificate_number,
           NULL::VARCHAR AS location, NULL::VARCHAR AS usage, NULL::DOUBLE AS share,
           list_contains(t.ids, coalesce(m.id_number, '')) AS own_payer, FALSE AS local,
           coalesce(t.income_item = '工资薪金' AND t.period >= m.m_birth + INTERVAL {WAGES_UNLIKELY_FROM} YEAR, FALSE)
               AS aged, t.loaded_at
    FROM m JOIN t ON t.name = m.m_std
    -- likewise a wage beside the same month's wage of a namesake whose rows there carry an ID (a
    -- review probe's two 3,300 wages a month, a third 张伟 paid 3,800 with his ID, went unsaid), and
    -- then every ID-less row of the name there: the payer pays two people of that name, and one
    -- month's ID says whose that month's other row is not, nothing of the other months (a review
    -- probe's namesake's ID written once, the applicant's twelve ID-less wages passed unsaid)
    -- and a row at a payer where the member's own ID is written in other months but not this one,
    -- that the linker left to nobody (a determinism probe's 田娥艳: fees of 2024-09 between her two
    -- ID-bearing ones, two rows too few for the payer to vouch for her, went unsaid), also where a
    -- namesake's ID is that month's (not the member's): a linkage probe's 王伟, paid with his ID for
    -- six months and without it for six beside another 王伟's ID-bearing wage, passed 低保 unsaid
    WHERE t.id_number IS NULL
      AND (t.ids_here = 0 OR ((t.ids_that_month > 0 OR t.shared) AND NOT list_contains(t.ids, coalesce(m.id_number, '')))
           OR (list_contains(t.ids, coalesce(m.id_number, ''))
               AND NOT EXISTS (SELECT 1 FROM own_months o WHERE o.source = 'tax' AND o.name = t.name
                               AND o.payer IS NOT DISTINCT FROM t.withholding_agent AND o.item = t.income_item
                               AND o.period = t.period AND o.id_number = m.id_number)))
      AND t.period BETWEEN m.window_start - INTERVAL {lag} MONTH AND m.window_end
      AND NOT EXISTS (SELECT 1 FROM regular g WHERE g.source = 'tax' AND g.name = t.name
                      AND g.payer IS NOT DISTINCT FROM t.withholding_agent AND g.item = t.income_item
                      AND g.amount = t.income_amount AND g.id_number IS DISTINCT FROM m.id_number
                      AND NOT list_contains(g.periods, t.period))
      -- not pay for work before the member was 16 (a probe's 7-year-old was asked about 12 wages)
      AND NOT coalesce(t.income_item IN ({_types(EMPLOYMENT_ITEMS)}) AND t.period < m.m_birth + INTERVAL {WORKING_AGE_FROM} YEAR, FALSE)
      -- not wages at an employer whose contributions under the name carry another person's ID, never
      -- the member's: that person is the one employed there (an evaluator's 薛艳, asked about the
      -- ID-less wages of a payer that filed her namesake's contributions with his own ID: 16 of its
      -- 31 wage questions, every one a namesake's)
      AND NOT EXISTS (SELECT 1 FROM si_ids x LEFT JOIN match_org_keys k ON k.org = t.withholding_agent
                      WHERE x.name = t.name AND x.payer = coalesce(k.org_norm, t.withholding_agent)
                        AND NOT list_contains(x.ids, coalesce(m.id_number, '')))
    UNION ALL
    SELECT m.request_id, m.household_id, m.member_no, 'social_insurance', s.record_id, 'benefit', s.period,
           s.insurance_type || '待遇', CAST(s.amount AS DOUBLE), s.employer, s.insurance_type, NULL, NULL, NULL,
           s.file, s.row_number, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           list_contains(s.ids, coalesce(m.id_number, '')), FALSE, FALSE, s.loaded_at
    FROM m JOIN s ON s.name = m.m_std
    -- a benefit beside the same month's benefit of a namesake whose rows carry an ID is not his:
    -- one pension fund pays every pensioner of a name (an outcome probe's 赵涛, 2,950 a month
    -- without an ID, passed 特困 in silence because another 赵涛's pension had one)
    -- (unless the ID there is the member's own: then the linker has weighed the row)
    WHERE s.id_number IS NULL AND s.record_type = '待遇'
      -- not a pension before 45, the earliest retirement (a woman's, on disability): a fresh
      -- evaluator's 44-year-old was asked about a namesake's retirement pension
      AND NOT coalesce(s.insurance_type LIKE '%养老%' AND s.period < m.m_birth + INTERVAL {PENSION_AGE_FROM} YEAR, FALSE)
      AND (s.ids_here = 0 OR ((s.ids_that_month > 0 OR s.shared) AND NOT list_contains(s.ids, coalesce(m.id_number, '')))
           OR (list_contains(s.ids, coalesce(m.id_number, ''))
               AND NOT EXISTS (SELECT 1 FROM own_months o WHERE o.source = 'social_insurance' AND o.name = s.name
                               AND o.payer IS NOT DISTINCT FROM s.employer AND o.item = s.insurance_type
                               AND o.record_type = s.record_type AND o.period = s.period
                               AND o.id_number = m.id_number)))
      AND s.period BETWEEN m.window_start - INTERVAL {lag} MONTH AND m.window_end
      -- the very amount a namesake is paid there under their ID every other month, in the month
      -- their row is missing, is that month's row of theirs (an evaluator's 67-year-old was asked
      -- about the 5,968.00 a 1997-born namesake drew under her ID in every other month)
      AND NOT EXISTS (SELECT 1 FROM regular g WHERE g.source = 'social_insurance' AND g.name = s.name
                      AND g.payer = coalesce(s.employer, s.insurance_type) AND g.item = s.insurance_type
                      AND g.amount = s.amount AND g.id_number IS DISTINCT FROM m.id_number
                      AND NOT list_contains(g.periods, s.period))
    UNION ALL
    -- a vehicle or a property without an ID: a register has no payer whose other rows could say
    -- whose it is, so under a member's exact name it is a question wherever it could decide the
    -- outcome (an outcome probe's 15 wrong passes in 210 households that should fail: a car or a
    -- second home with the ID left out, linked to nobody and said nowhere). Not a car whose plate
    -- a row with an ID places with its owner, nor a share whose certificate one does under this name.
    SELECT m.request_id, m.household_id, m.member_no, 'vehicle', v.record_id, 'vehicle', NULL, v.vehicle_type,
           CAST(v.purchase_price AS DOUBLE), NULL, NULL, NULL, NULL, NULL, v.file, v.row_number,
           v.plate_number, v.vehicle_type, v.status, NULL, NULL, NULL, NULL, FALSE, FALSE, FALSE, NULL
    FROM m JOIN variants vv ON vv.std = m.m_std JOIN vehicle v ON v.name = vv.name
    WHERE v.id_number IS NULL AND v.status IN ('正常', '查封')
      AND NOT coalesce(v.registration_date > m.request_date, FALSE)   -- not held yet on the request date
      -- not a child's (under 18 on the request date: a probe's 3-year-old was asked about a car)
      AND NOT coalesce(m.request_date < m.m_birth + INTERVAL {VEHICLE_AGE_FROM} YEAR, FALSE)
      AND NOT EXISTS (SELECT 1 FROM vehicle o WHERE o.id_number IS NOT NULL
                      AND {NUMBER_KEY_SQL.format(col='o.plate_number')} = {NUMBER_KEY_SQL.format(col='v.plate_number')})
    UNION ALL
    SELECT m.request_id, m.household_id, m.member_no, 'property', p.record_id, 'property', NULL, p.usage,
           NULL, NULL, NULL, NULL, NULL, NULL, p.file, p.row_number,
           NULL, NULL, p.status, p.certificate_number, p.location, p.usage, coalesce(p.share, 1.0), FALSE,
           {local}, FALSE, NULL
    FROM m JOIN variants pv ON pv.std = m.m_std JOIN property p ON p.name = pv.name{joins}
    WHERE p.id_number IS NULL AND p.status <> '注销'
      AND NOT coalesce(p.registration_date < m.m_birth, FALSE)      -- registered before the member was born
      AND NOT coalesce(p.registration_date > m.request_date, FALSE)  -- or after the request date
      AND NOT EXISTS (SELECT 1 FROM property o WHERE o.id_number IS NOT NULL AND o.name = p.name
                      AND {NUMBER_KEY_SQL.format(col='o.certificate_number')}
                      = {NUMBER_KEY_SQL.format(col='p.certificate_number')})
), once AS (   -- a payment a re-export (`file_repeats`: a file mostly of repeats) repeats under a new
               -- record_id is asked about once, as it was first delivered (`repeats.repeated_deliveries`):
               -- a month-of-life probe's denied rows were asked again, a confirmed one's stakes doubled
    SELECT * EXCLUDE (per_file, first_loaded, loaded_at, bulk, own_files) FROM (
        SELECT *, sum(CASE WHEN bulk THEN 0 ELSE 1 END) OVER w AS own_files FROM (
            SELECT r.*, coalesce(fr.repeated >= 2 AND 2 * fr.repeated >= fr.file_rows, FALSE) AS bulk,
                   count(*) OVER (PARTITION BY r.request_id, r.household_id, r.member_no, r.source, r.period, r.item,
                                               r.payer, r.amount, r.file) AS per_file,
                   min(r.loaded_at) OVER (PARTITION BY r.request_id, r.household_id, r.member_no, r.source, r.period,
                                                      r.item, r.payer, r.amount, r.file) AS first_loaded
            FROM rows r LEFT JOIN file_repeats fr ON fr.source = r.source AND fr.file = r.file)
        WINDOW w AS (PARTITION BY request_id, household_id, member_no, source, period, item, payer, amount))
    QUALIFY source NOT IN ('tax', 'social_insurance') OR NOT bulk
         OR (own_files = 0 AND file = first(file ORDER BY per_file DESC, first_loaded, file)
                                      OVER (PARTITION BY request_id, household_id, member_no, source, period, item,
                                                         payer, amount))
), unlinked AS (
    SELECT * FROM once r
    WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.source = r.source AND l.record_id = r.record_id
                      AND (l.decision IN ('auto', 'confirmed') OR (l.request_id = r.request_id
                                                                   AND l.household_id = r.household_id))){denied}
), asked AS (SELECT DISTINCT v.name, v.std FROM unlinked JOIN m USING (request_id, household_id, member_no)
              JOIN variants v ON v.std = m.m_std
), people AS (      -- the people known to bear each such name (any spelling): IDs written under it anywhere
    {" UNION ".join(f"SELECT a.std AS name, id_number FROM {t} JOIN asked a USING (name) "
                    "WHERE id_number IS NOT NULL AND id_status <> 'invalid'"
                    for t in ("tax", "social_insurance", "bank", "vehicle", "property", "applicant_members"))}
    UNION SELECT m_std, id_number FROM m WHERE m_std IN (SELECT std FROM asked) AND id_number IS NOT NULL
)
SELECT o.*, greatest(coalesce(k.n, 0), 1) AS namesakes,
       CASE WHEN o.local THEN greatest((SELECT count(DISTINCT p.id_number) FROM people p WHERE p.name = m.m_std
                                         AND (left(p.id_number, 6) = m.county_code OR p.id_number = m.id_number))
                                       + CASE WHEN m.id_number IS NULL THEN 1 ELSE 0 END, 1) END AS namesakes_local,
       -- for the wages of a member of 70 or more: another bearer of working age (by the ID's birth date;
       -- a namesake child's deposit is no one who earns them, an adversarial probe)
       CASE WHEN o.aged THEN (SELECT count(DISTINCT p.id_number) FROM people p WHERE p.name = m.m_std
                                 AND p.id_number IS DISTINCT FROM m.id_number AND length(p.id_number) = 18
                                 AND TRY_CAST(substr(p.id_number, 7, 4) AS INTEGER)
                                     BETWEEN year(o.period) - 69 AND year(o.period) - {WORKING_AGE_FROM}) END AS earners
FROM unlinked o JOIN m USING (request_id, household_id, member_no)
LEFT JOIN (SELECT name, count(DISTINCT id_number) AS n FROM people GROUP BY name) k ON k.name = m.m_std
"""


PLACES = "unclaimed_places"
"""The table of parsed addresses `unclaimed_table_sql` reads (`places_sql`, `matching.address.address_table`)."""


def places_sql() -> str:
    """The addresses whose parts `unclaimed_table_sql` compares: the locations of the properties
    without an ID under a work member's name, and the work members' addresses."""
    return """
SELECT DISTINCT location FROM property
WHERE id_number IS NULL AND location IS NOT NULL AND name IN (SELECT name FROM work_members)
UNION SELECT DISTINCT address FROM work_members WHERE address IS NOT NULL
"""


def unclaimed_sql(households: str = WORK) -> str:
    """The `work_unclaimed` rows of the households in `households` (`unclaimed_table_sql`)."""
    return f"SELECT u.* FROM {UNCLAIMED} u SEMI JOIN {households} USING (request_id, household_id) {_ORDER}"


QUESTION_RULES = ("match.unclaimed", "match.unclaimed_rest")
"""The findings whose cited rows become review questions (`questions_sql`)."""
QUESTION_METHOD = "unclaimed"
"""`links.method` of a review question about a row nobody is linked to (`questions_sql`)."""


def questions_sql(run_id: str, asked: str = "asked_rows") -> str:
    """INSERT a `review` link (`method = 'unclaimed'`) for each row a `match.unclaimed` finding cites
    (`asked`: request_id, household_id, source, record_id) to the member whose name it carries,
    so that the question is on the request's review sheet and in `review-open/`: 确认 counts it
    from the next pass on (`review.apply`), 否认 stops the question (`unclaimed_table_sql`'s
    `answers`). Asked in a finding alone, it had no answer the system could take: the household
    stayed `review` pass after pass. Its probability is one in the number of people known by
    the name, and never over one half: the name alone is all there is (a probe's sheet showed
    "100%" for a name only the applicant was known by, inviting a rubber-stamp 确认)."""
    rid = run_id.replace("'", "''")
    return f"""
INSERT INTO links (source, record_id, request_id, household_id, member_no, match_probability, decision,
                   method, evidence, run_id, linked_at)
SELECT DISTINCT ON (u.source, u.record_id, u.request_id, u.household_id, u.member_no)
       u.source, u.record_id, u.request_id, u.household_id, u.member_no,
       least(round(1.0 / coalesce(u.namesakes_local, u.namesakes), 4), 0.5), 'review', '{QUESTION_METHOD}',
       CAST(json_object('summary', '记录无身份证号，与成员' || w.name || '同名'
                                   || CASE WHEN u.namesakes_local IS NOT NULL
                                           THEN '（已知同名者' || u.namesakes || '人，证件号属本县的' || u.namesakes_local
                                                || '人；房产在本人住址所在区县）'
                                           WHEN u.namesakes > 1 THEN '（已知同名者' || u.namesakes || '人）' ELSE '' END
                                   || '，比对无法确定归属；如属本人将改变核对结果，请核实是否本人的记录',
                        'weights', json_array(), 'competitor', NULL,
                        'unclaimed', json_object('namesakes', u.namesakes, 'namesakes_local', u.namesakes_local))
            AS VARCHAR),
       '{rid}', now()
FROM {UNCLAIMED} u SEMI JOIN {asked} USING (request_id, household_id, source, record_id)
JOIN work_members w USING (request_id, household_id, member_no)
WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.source = u.source AND l.record_id = u.record_id
                  AND l.request_id = u.request_id AND l.household_id = u.household_id AND l.member_no = u.member_no)
"""
