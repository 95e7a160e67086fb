-- 0001: the warehouse as analysts see it (contract §5) plus the bookkeeping the pipeline needs.
-- Physical tables keep every version (history); views give the current picture under the
-- stable names of the contract.

CREATE TABLE runs (
    run_id              VARCHAR PRIMARY KEY,
    kind                VARCHAR NOT NULL,          -- nightly | on_demand | manual
    started_at          TIMESTAMP NOT NULL,
    finished_at         TIMESTAMP,
    status              VARCHAR NOT NULL,          -- running | completed | failed | interrupted (the process died; set by the next pass)
    as_of               DATE,
    files_loaded        INTEGER DEFAULT 0,
    files_skipped       INTEGER DEFAULT 0,
    files_rejected      INTEGER DEFAULT 0,
    rows_loaded         BIGINT DEFAULT 0,
    rows_quarantined    BIGINT DEFAULT 0,
    households_verified INTEGER DEFAULT 0,
    reports_written     INTEGER DEFAULT 0,
    findings_fail       INTEGER DEFAULT 0,
    findings_warn       INTEGER DEFAULT 0,
    findings_info       INTEGER DEFAULT 0,
    message             VARCHAR
);

-- One row per file seen: loaded, skipped (same bytes again) or rejected (unreadable).
CREATE TABLE files (
    file_hash        VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,   -- tax … bank, rolls, applicants
    agency           VARCHAR,            -- inbox agency folder
    path             VARCHAR NOT NULL,   -- relative to the data root
    size_bytes       BIGINT,
    status           VARCHAR NOT NULL,   -- loaded | skipped | rejected
    batch_id         VARCHAR,
    run_id           VARCHAR,
    file_format      VARCHAR,
    encoding         VARCHAR,
    rows_loaded      BIGINT DEFAULT 0,
    rows_quarantined BIGINT DEFAULT 0,
    message          VARCHAR,
    seen_at          TIMESTAMP NOT NULL
);

CREATE TABLE quarantine (
    source         VARCHAR NOT NULL,
    agency         VARCHAR,
    file           VARCHAR NOT NULL,
    file_hash      VARCHAR NOT NULL,
    batch_id       VARCHAR NOT NULL,
    row_number     BIGINT,               -- 1-based over data rows
    field          VARCHAR,
    reason         VARCHAR NOT NULL,
    raw_value      VARCHAR,
    raw_row        VARCHAR,              -- JSON of the row as received
    run_id         VARCHAR,
    quarantined_at TIMESTAMP NOT NULL
);
