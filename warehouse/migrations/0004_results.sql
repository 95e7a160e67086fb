-- 0004: what a verification produces: links, assessments, findings, and the audit trail.

-- Source record linked to a person of a request (contract §5). A denied link is absent.
CREATE TABLE links (
    source VARCHAR NOT NULL, record_id VARCHAR NOT NULL,
    request_id VARCHAR NOT NULL, household_id VARCHAR NOT NULL, member_no BIGINT NOT NULL,
    match_probability DOUBLE NOT NULL,
    decision VARCHAR NOT NULL,               -- auto | review | confirmed
    method VARCHAR,                          -- how the candidate was found and scored
    evidence VARCHAR,                        -- JSON: comparison levels and match weights
    run_id VARCHAR NOT NULL, linked_at TIMESTAMP NOT NULL
);

-- Every assessment ever made; household_assessment shows the latest per household of a request.
CREATE TABLE assessment_history (
    run_id VARCHAR NOT NULL, request_id VARCHAR NOT NULL, household_id VARCHAR NOT NULL,
    agency VARCHAR NOT NULL, program VARCHAR NOT NULL, county_code VARCHAR NOT NULL,
    request_date DATE NOT NULL, members INTEGER NOT NULL,
    monthly_income_total DECIMAL(18,2), monthly_income_per_capita DECIMAL(18,2),
    income_standard DECIMAL(18,2), financial_total DECIMAL(18,2), financial_per_capita DECIMAL(18,2),
    vehicles INTEGER, properties INTEGER, outcome VARCHAR NOT NULL,
    findings_fail INTEGER, findings_warn INTEGER, findings_info INTEGER,
    report_path VARCHAR, fingerprint VARCHAR, assessed_at TIMESTAMP NOT NULL
);

CREATE VIEW household_assessment AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY request_id, household_id
                                     ORDER BY assessed_at DESC, run_id DESC) AS rn
        FROM assessment_history
    ) WHERE rn = 1;

CREATE TABLE findings (
    run_id VARCHAR NOT NULL, request_id VARCHAR NOT NULL, household_id VARCHAR NOT NULL,
    rule VARCHAR NOT NULL, severity VARCHAR NOT NULL, message VARCHAR NOT NULL,
    evidence VARCHAR                         -- JSON list of {source, record_id}
);

-- Append-only: who was verified, for which request, under which consent, what was written.
CREATE TABLE audit (
    audited_at TIMESTAMP NOT NULL, run_id VARCHAR NOT NULL, request_id VARCHAR NOT NULL, agency VARCHAR NOT NULL,
    household_id VARCHAR NOT NULL, member_no BIGINT NOT NULL, id_masked VARCHAR,
    consent_ref VARCHAR, verified BOOLEAN NOT NULL, sources_consulted VARCHAR, outputs VARCHAR
);
