-- 0028: per income file, how many of its rows repeat a payment another file holds (same person,
-- month, payer, item and amount) and how many rows it has: a file mostly made of such rows is a
-- re-export or a re-sent month, whose repeats count once (assessment.repeats); one payment alike
-- in a file of other payments is a payment of its own (a supplementary return, back pay). Only
-- months delivered in more than one file are hashed: with one file a month, nothing repeats.
CREATE OR REPLACE VIEW file_repeats AS
    WITH per_period AS (
        SELECT 'tax' AS source, period, file, count(*) AS n FROM tax GROUP BY ALL
        UNION ALL
        SELECT 'social_insurance', period, file, count(*) FROM social_insurance GROUP BY ALL
    ),
    multi AS (SELECT source, period FROM per_period GROUP BY ALL HAVING count(*) > 1),
    keyed AS (
        SELECT 'tax' AS source, t.file,
               hash(coalesce(t.id_number, t.name), t.period, t.withholding_agent, t.income_item, t.income_amount) AS h
        FROM tax t SEMI JOIN (SELECT period FROM multi WHERE source = 'tax') m USING (period)
        UNION ALL
        SELECT 'social_insurance', s.file,
               hash(coalesce(s.id_number, s.name), s.period, s.employer, s.insurance_type, s.record_type, s.amount)
        FROM social_insurance s SEMI JOIN (SELECT period FROM multi WHERE source = 'social_insurance') m USING (period)
    ),
    twins AS (SELECT source, h FROM keyed GROUP BY ALL HAVING min(file) <> max(file)),
    repeated AS (SELECT source, file, count(*) AS repeated FROM keyed SEMI JOIN twins USING (source, h) GROUP BY ALL)
    SELECT p.source, p.file, sum(p.n) AS file_rows, coalesce(any_value(r.repeated), 0) AS repeated
    FROM per_period p LEFT JOIN repeated r USING (source, file)
    GROUP BY p.source, p.file;
