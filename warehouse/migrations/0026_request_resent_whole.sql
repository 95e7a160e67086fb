-- 0026: a household re-sent whole replaces its earlier delivery. The latest version of each person
-- was taken member by member, so a member left out of a corrected request stayed in it: an inbox
-- probe's household, re-sent without a person listed by mistake, failed on that person's income.
-- An earlier delivery of a household is a version (replaced) when the household's latest delivery
-- lists its 户主 and re-sends a member that delivery had; otherwise it is a part (a request split
-- over two files) or the latest is a patch (one corrected member's row), and the members of both
-- stand, the latest row of each member as before.
CREATE OR REPLACE VIEW applicant_members AS
    WITH inbox AS (SELECT * FROM applicant_rows WHERE origin = 'inbox'),
    last AS (
        SELECT request_id, household_id, arg_max(batch_id, {'at': loaded_at, 'batch': batch_id}) AS last_batch
        FROM inbox GROUP BY request_id, household_id
    ),
    replaced AS (
        SELECT DISTINCT a.batch_id, a.request_id, a.household_id
        FROM inbox a JOIN last l ON l.request_id = a.request_id AND l.household_id = a.household_id
        WHERE a.batch_id <> l.last_batch
          AND EXISTS (SELECT 1 FROM inbox b WHERE b.batch_id = l.last_batch AND b.request_id = a.request_id
                      AND b.household_id = a.household_id AND b.member_no = a.member_no)
          AND EXISTS (SELECT 1 FROM inbox h WHERE h.batch_id = l.last_batch AND h.request_id = a.request_id
                      AND h.household_id = a.household_id AND h.relation = '户主')
    )
    SELECT * EXCLUDE (rn) FROM (
        SELECT i.*, row_number() OVER (PARTITION BY i.request_id, i.household_id, i.member_no
                                       ORDER BY i.loaded_at DESC, i.batch_id DESC, i.row_number DESC) AS rn
        FROM inbox i ANTI JOIN replaced r USING (batch_id, request_id, household_id)
    ) WHERE rn = 1
    UNION ALL BY NAME
    SELECT * FROM rolls_current;
