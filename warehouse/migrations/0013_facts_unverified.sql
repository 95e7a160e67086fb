-- 0013: the members a household's verification left out for want of consent, in its facts, so
-- the nightly can say "member X is no longer verified" instead of reading their income sources
-- as ended (a black-box probe: a withdrawn consent came out as "收入来源不再出现：…：养老金").
-- Rebuilt rather than altered: rows are inserted positionally with recorded_at last.
CREATE TABLE household_facts_0013 (
    run_id VARCHAR NOT NULL, as_of DATE NOT NULL,
    request_id VARCHAR NOT NULL, household_id VARCHAR NOT NULL, agency VARCHAR NOT NULL,
    roll_batch_id VARCHAR, roll_hash VARCHAR,
    outcome VARCHAR, fingerprint VARCHAR,
    income_per_capita DECIMAL(18,2), income_standard DECIMAL(18,2),
    financial_per_capita DECIMAL(18,2), asset_limit_per_capita DECIMAL(18,2),
    vehicles VARCHAR, properties VARCHAR, income_sources VARCHAR,
    unverified VARCHAR,                               -- JSON: members without consent {key: member_no, label: name}
    recorded_at TIMESTAMP NOT NULL
);
INSERT INTO household_facts_0013
SELECT run_id, as_of, request_id, household_id, agency, roll_batch_id, roll_hash, outcome, fingerprint,
       income_per_capita, income_standard, financial_per_capita, asset_limit_per_capita,
       vehicles, properties, income_sources, NULL, recorded_at
FROM household_facts;
DROP VIEW household_facts_latest;
DROP TABLE household_facts;
ALTER TABLE household_facts_0013 RENAME TO household_facts;
CREATE VIEW household_facts_latest AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY request_id, household_id
                                     ORDER BY recorded_at DESC, run_id DESC) AS rn
        FROM household_facts
    ) WHERE rn = 1;
