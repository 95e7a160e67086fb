-- 0012: a household whose rows of the latest rolls snapshot were rejected keeps its previous
-- version until a snapshot brings them corrected. Before, a bad cell in one member's row
-- (申报月收入 -50) re-verified the household without that member, with false alerts, and a
-- household whose every row lacked its agency silently left the rolls (a black-box probe).
-- `rolls_held` (rebuilt by every pass from `quarantine`, see pipelines/row_errors.py) lists, per
-- rolls snapshot, the households with a rejected row whose member that snapshot lacks.
CREATE TABLE rolls_held (
    batch_id VARCHAR NOT NULL, household_id VARCHAR NOT NULL, rows_rejected INTEGER NOT NULL
);

CREATE OR REPLACE VIEW rolls_current AS
WITH snapshots AS (
    SELECT batch_id, max(loaded_at) AS loaded_at FROM applicant_rows WHERE origin = 'rolls' GROUP BY batch_id
), latest AS (
    SELECT batch_id FROM snapshots ORDER BY loaded_at DESC, batch_id DESC LIMIT 1
), held AS (
    SELECT DISTINCT household_id FROM rolls_held WHERE batch_id = (SELECT batch_id FROM latest)
), kept AS (       -- each held household's latest earlier version that was not held itself
    SELECT a.household_id, arg_max(a.batch_id, {'at': s.loaded_at, 'batch': a.batch_id}) AS batch_id
    FROM (SELECT DISTINCT batch_id, household_id FROM applicant_rows
          WHERE origin = 'rolls' AND household_id IN (SELECT household_id FROM held)) a
    JOIN snapshots s USING (batch_id)
    WHERE a.batch_id <> (SELECT batch_id FROM latest)
      AND NOT EXISTS (SELECT 1 FROM rolls_held h WHERE h.batch_id = a.batch_id AND h.household_id = a.household_id)
    GROUP BY a.household_id
)
SELECT r.* FROM applicant_rows r
WHERE r.origin = 'rolls' AND r.batch_id = (SELECT batch_id FROM latest)
  AND r.household_id NOT IN (SELECT household_id FROM held)
UNION ALL
SELECT r.* FROM applicant_rows r JOIN kept k USING (batch_id, household_id) WHERE r.origin = 'rolls';

-- A household that has left the rolls leaves the current assessments too (its history stays in
-- assessment_history): counted by county it would still look like a household receiving aid.
CREATE OR REPLACE VIEW household_assessment AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY request_id, household_id
                                     ORDER BY assessed_at DESC, run_id DESC) AS rn
        FROM assessment_history
    ) h WHERE rn = 1
      AND NOT (request_id IN (SELECT request_id FROM requests WHERE origin = 'rolls')
               AND (request_id, household_id) NOT IN (SELECT request_id, household_id FROM rolls_current));
