-- 0007: clerical review (issue #8). A caseworker's answer to a `review` link, kept for good,
-- and the questions still open. Self-contained: it reads only tables of 0001–0004, so 0005
-- (matching) may be applied after it on a warehouse that already has it.
--
-- "The pair" an answer is about is (source, record_id, member_key): the department record and
-- the person, so a denial holds in every later request, pass and nightly run of that person.
-- member_key is the member's normalised ID number when it is valid (or an upgraded legacy
-- number), else 'm:<request_id>/<household_id>/<member_no>' (the answer then holds for that
-- member of that request only).
--
-- The answers live in `review_decision_log` under a column named `id_number`, and `member_key`
-- is computed in the view: the analyst copy (pipelines.snapshot) replaces every `id_number`
-- column of every table with a pseudonymous person key, so the view then yields that key and
-- joins to the (equally pseudonymised) applicant rows. A stored member_key column would carry
-- full ID numbers into the analyst copy.

CREATE SEQUENCE review_decision_seq;

-- Append-only: the pipeline only ever INSERTs here. The latest answer per pair wins.
CREATE TABLE review_decision_log (
    decision_id       BIGINT NOT NULL DEFAULT nextval('review_decision_seq'),  -- append order
    decided_at        TIMESTAMP NOT NULL,    -- when the answer was taken in (the sheet's intake)
    reviewer          VARCHAR NOT NULL,      -- 复核人 as written on the sheet
    agency            VARCHAR NOT NULL,      -- the inbox folder the sheet was dropped in
    file              VARCHAR NOT NULL,      -- the sheet, relative to the data root
    file_hash         VARCHAR NOT NULL,
    row_number        BIGINT NOT NULL,       -- the sheet row (as Excel numbers it)
    source            VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    request_id        VARCHAR NOT NULL,
    household_id      VARCHAR NOT NULL,
    member_no         BIGINT NOT NULL,
    id_number         VARCHAR,               -- the member's normalised ID when valid, else NULL
    decision          VARCHAR NOT NULL,      -- confirmed | denied | undetermined
    note              VARCHAR,               -- 备注 (ID-like text masked on intake)
    match_probability DOUBLE,                -- what the reviewer was shown
    evidence_hash     VARCHAR NOT NULL,      -- hash of the evidence the reviewer saw
    run_id            VARCHAR                -- the pass that took the answer in
);

CREATE VIEW review_decisions AS
    SELECT decision_id, decided_at, reviewer, agency, file, file_hash, row_number,
           source, record_id, request_id, household_id, member_no,
           coalesce(id_number, 'm:' || request_id || '/' || household_id || '/' || CAST(member_no AS VARCHAR))
               AS member_key,
           decision, note, match_probability, evidence_hash, run_id
    FROM review_decision_log;

-- The answer in force for each pair: the last one taken in.
CREATE VIEW review_decisions_latest AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY source, record_id, member_key ORDER BY decision_id DESC) AS rn
        FROM review_decisions
    ) WHERE rn = 1;

-- Open questions: review links whose pair has no answer in force, or whose last answer was
-- 无法确定 (undetermined: still a question). A link of a person no longer in any current
-- request or on the current rolls is nobody's question and is left out.
CREATE VIEW review_queue AS
    WITH linked AS (
        SELECT l.source, l.record_id, l.request_id, l.household_id, l.member_no, l.match_probability,
               l.method, l.evidence, l.run_id, l.linked_at, m.agency, m.name AS member_name,
               CASE WHEN m.id_status IN ('valid', 'repaired') AND m.id_number IS NOT NULL THEN m.id_number
                    ELSE 'm:' || m.request_id || '/' || m.household_id || '/' || CAST(m.member_no AS VARCHAR)
               END AS member_key
        FROM links l
        JOIN applicant_members m USING (request_id, household_id, member_no)
        WHERE l.decision = 'review'
    )
    SELECT k.agency, k.request_id, k.household_id, k.member_no, k.member_name, k.source, k.record_id,
           k.match_probability, k.method, try(json_extract_string(k.evidence, '$.summary')) AS summary,
           k.run_id, k.linked_at,
           d.decision AS last_decision, d.reviewer AS last_reviewer, d.decided_at AS last_decided_at,
           d.note AS last_note
    FROM linked k
    LEFT JOIN review_decisions_latest d
           ON d.source = k.source AND d.record_id = k.record_id AND d.member_key = k.member_key
    WHERE d.decision IS NULL OR d.decision = 'undetermined';
