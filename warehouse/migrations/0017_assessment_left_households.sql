-- 0017: only a household that was on the rolls can leave them. 0012 left out every household
-- of a request_id the rolls use that the current roll lacks: an agency's inbox household filed
-- under its rolls request's id (answered, assessed) was missing from the current assessments.
CREATE OR REPLACE VIEW household_assessment AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY request_id, household_id
                                     ORDER BY assessed_at DESC, run_id DESC) AS rn
        FROM assessment_history
    ) h WHERE rn = 1
      AND NOT ((request_id, household_id) IN (SELECT request_id, household_id FROM applicant_rows WHERE origin = 'rolls')
               AND (request_id, household_id) NOT IN (SELECT request_id, household_id FROM rolls_current));
