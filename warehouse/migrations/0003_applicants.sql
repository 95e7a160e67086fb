-- 0003: verification requests (inbox) and the rolls (full snapshots), one row per person.
CREATE TABLE applicant_rows (
    origin VARCHAR NOT NULL,                 -- inbox | rolls
    request_id VARCHAR NOT NULL, agency VARCHAR NOT NULL, program VARCHAR NOT NULL,
    household_id VARCHAR NOT NULL, county_code VARCHAR NOT NULL, member_no BIGINT NOT NULL,
    name VARCHAR NOT NULL, name_raw VARCHAR,
    id_number VARCHAR, id_raw VARCHAR, id_status VARCHAR, id_birth_date DATE, id_gender VARCHAR,
    id_birthplace VARCHAR, id_reason VARCHAR,
    relation VARCHAR NOT NULL, consent_ref VARCHAR,
    birth_date DATE, gender VARCHAR, address VARCHAR, labor_capacity VARCHAR, disability_grade VARCHAR,
    declared_monthly_income DECIMAL(18,2), declared_financial_assets DECIMAL(18,2), extra VARCHAR,
    batch_id VARCHAR NOT NULL, file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
    row_number BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL
);

-- Request batches as received: which file brought which request, and whether it was answered.
CREATE TABLE requests (
    request_id VARCHAR NOT NULL, agency VARCHAR NOT NULL, origin VARCHAR NOT NULL,
    batch_id VARCHAR NOT NULL, file VARCHAR NOT NULL, households INTEGER,
    received_at TIMESTAMP NOT NULL, answered_run_id VARCHAR, answered_at TIMESTAMP
);

-- The rolls are full snapshots: the latest loaded one is the current roll.
CREATE VIEW rolls_current AS
    SELECT * FROM applicant_rows
    WHERE origin = 'rolls'
      AND batch_id = (SELECT batch_id FROM applicant_rows WHERE origin = 'rolls'
                      ORDER BY loaded_at DESC, batch_id DESC LIMIT 1);

-- Latest version of every person in a request: a re-sent request replaces the earlier rows.
CREATE VIEW applicant_members AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY request_id, household_id, member_no
                                     ORDER BY loaded_at DESC, batch_id DESC, row_number DESC) AS rn
        FROM applicant_rows WHERE origin = 'inbox'
    ) WHERE rn = 1
    UNION ALL BY NAME
    SELECT * FROM rolls_current;
