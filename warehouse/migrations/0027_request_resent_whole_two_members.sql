-- 0027: a household's delivery is its new version only when it lists its 户主 and at least two
-- members sent before (the household listed again, one left out). 0026 took the 户主 alone: an
-- adversarial probe's re-sent head row (an address corrected) dropped the spouse and child, and a
-- head sent with a newborn dropped everyone else. A 户主's row alone, or with new members, patches.
CREATE OR REPLACE VIEW applicant_members AS
    WITH inbox AS (SELECT * FROM applicant_rows WHERE origin = 'inbox'),
    last AS (
        SELECT request_id, household_id, arg_max(batch_id, {'at': loaded_at, 'batch': batch_id}) AS last_batch
        FROM inbox GROUP BY request_id, household_id
    ),
    shared AS (   -- each earlier delivery of a household and the members its latest one sends again
        SELECT a.batch_id, a.request_id, a.household_id, count(DISTINCT a.member_no) AS again
        FROM inbox a JOIN last l ON l.request_id = a.request_id AND l.household_id = a.household_id
        JOIN inbox b ON b.batch_id = l.last_batch AND b.request_id = a.request_id
                    AND b.household_id = a.household_id AND b.member_no = a.member_no
        WHERE a.batch_id <> l.last_batch
        GROUP BY a.batch_id, a.request_id, a.household_id
    ),
    replaced AS (
        SELECT s.batch_id, s.request_id, s.household_id FROM shared s JOIN last l USING (request_id, household_id)
        WHERE s.again >= 2
          AND EXISTS (SELECT 1 FROM inbox h WHERE h.batch_id = l.last_batch AND h.request_id = s.request_id
                      AND h.household_id = s.household_id AND h.relation = '户主')
    )
    SELECT * EXCLUDE (rn) FROM (
        SELECT i.*, row_number() OVER (PARTITION BY i.request_id, i.household_id, i.member_no
                                       ORDER BY i.loaded_at DESC, i.batch_id DESC, i.row_number DESC) AS rn
        FROM inbox i ANTI JOIN replaced r USING (batch_id, request_id, household_id)
    ) WHERE rn = 1
    UNION ALL BY NAME
    SELECT * FROM rolls_current;
