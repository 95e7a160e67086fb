-- 0016: which version of a source record a link or a caseworker's answer was about.
-- A corrected re-delivery supersedes the earlier row; when the correction gives the record
-- another name or ID, a link made and an answer given before it were about somebody else's
-- record. A probe's bank row, re-sent as another man's account, kept its review question on
-- the first man's answered request; confirmed from the rewritten sheet, the other man's money
-- counted for him in every later request. A correction keeping the name and ID (an amount, a
-- status, a date) leaves links and answers standing: the record is still that person's.
--
-- `record_identity_history`: every version of each record that has been corrected (few), when
-- it was in force (valid_from <= t < valid_to; the current one has no valid_to), and whether
-- its name or ID differ from the current version's.
CREATE VIEW record_identity_history AS
    WITH moved AS (
        SELECT DISTINCT source, record_id FROM match_source_versions WHERE superseded_by IS NOT NULL
    ), v AS (
        SELECT v.source, v.record_id, v.name, v.id_number, v.loaded_at, v.superseded_by
        FROM match_source_versions v SEMI JOIN moved USING (source, record_id)
    )
    SELECT v.source, v.record_id, v.loaded_at AS valid_from,
           lead(v.loaded_at) OVER (PARTITION BY v.source, v.record_id ORDER BY v.loaded_at) AS valid_to,
           {'name': v.name, 'id': v.id_number} IS DISTINCT FROM {'name': c.name, 'id': c.id_number} AS other_identity
    FROM v JOIN v c ON c.source = v.source AND c.record_id = v.record_id AND c.superseded_by IS NULL;

-- The answer in force for each pair: the last one taken in, unless its record has since been
-- corrected to another name or ID (the pair is a new question then).
CREATE OR REPLACE VIEW review_decisions_latest AS
    WITH latest AS (
        SELECT * EXCLUDE (rn) FROM (
            SELECT *, row_number() OVER (PARTITION BY source, record_id, member_key ORDER BY decision_id DESC) AS rn
            FROM review_decisions
        ) WHERE rn = 1
    )
    SELECT * FROM latest d
    WHERE NOT EXISTS (SELECT 1 FROM record_identity_history h
                      WHERE h.source = d.source AND h.record_id = d.record_id AND h.other_identity
                        AND h.valid_from <= d.decided_at AND (h.valid_to IS NULL OR h.valid_to > d.decided_at));
