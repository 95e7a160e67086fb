-- 0006: operations — what a pass did, what the nightly compares, and the change alerts it raises.
-- Self-contained on purpose: 0005 belongs to matching and may be applied after this file on a
-- warehouse that already has it.

-- What each pass covered, so the next nightly knows what is new since the last rolls pass.
ALTER TABLE runs ADD COLUMN rolls_verified BOOLEAN DEFAULT false;  -- the pass compared the rolls
ALTER TABLE runs ADD COLUMN rolls_batch_id VARCHAR;                -- the rolls snapshot it compared
ALTER TABLE runs ADD COLUMN window_end DATE;                       -- last day of the income window
ALTER TABLE runs ADD COLUMN policy_key VARCHAR;                    -- hash of the rules and standards in force
ALTER TABLE runs ADD COLUMN work_reason VARCHAR;                   -- full (and why) or incremental
ALTER TABLE runs ADD COLUMN households_unchanged INTEGER DEFAULT 0; -- on the rolls, not re-verified
ALTER TABLE runs ADD COLUMN households_changed INTEGER DEFAULT 0;   -- on the rolls, with a change alert
ALTER TABLE runs ADD COLUMN alerts INTEGER DEFAULT 0;
ALTER TABLE runs ADD COLUMN wall_seconds DOUBLE;

-- What the nightly compares for a household on the rolls: one row per re-verification.
CREATE TABLE household_facts (
    run_id VARCHAR NOT NULL, as_of DATE NOT NULL,
    request_id VARCHAR NOT NULL, household_id VARCHAR NOT NULL, agency VARCHAR NOT NULL,
    roll_batch_id VARCHAR, roll_hash VARCHAR,        -- the household's rows on the rolls, hashed
    outcome VARCHAR, fingerprint VARCHAR,
    income_per_capita DECIMAL(18,2), income_standard DECIMAL(18,2),
    financial_per_capita DECIMAL(18,2), asset_limit_per_capita DECIMAL(18,2),
    vehicles VARCHAR,                                 -- JSON: held vehicles {plate, type, member_no}
    properties VARCHAR,                               -- JSON: held properties {certificate, usage, location, member_no}
    income_sources VARCHAR,                           -- JSON: active income sources {key, label, monthly}
    recorded_at TIMESTAMP NOT NULL
);

CREATE VIEW household_facts_latest AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY request_id, household_id
                                     ORDER BY recorded_at DESC, run_id DESC) AS rn
        FROM household_facts
    ) WHERE rn = 1;

-- A change the nightly found in a household on the rolls, against its previous verification.
CREATE TABLE alerts (
    run_id VARCHAR NOT NULL, as_of DATE NOT NULL,
    agency VARCHAR NOT NULL, request_id VARCHAR NOT NULL, household_id VARCHAR NOT NULL,
    county_code VARCHAR, program VARCHAR,
    kind VARCHAR NOT NULL,        -- new_on_rolls, vehicle.new, property.new, income.crossed_standard, ...
    severity VARCHAR NOT NULL,    -- info | warn
    message VARCHAR NOT NULL,
    before VARCHAR, after VARCHAR,
    report_path VARCHAR,          -- the household's full report written with the alert
    raised_at TIMESTAMP NOT NULL
);
