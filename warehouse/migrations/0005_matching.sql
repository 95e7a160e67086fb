-- 0005: probabilistic record linkage (matching/). What every linkage run estimated and
-- decided, so a link can be explained after the fact, and a cache of standardised names.

-- The Fellegi-Sunter parameters of a run: one row per comparison level.
-- weight = log2(m/u); a term-frequency level's weight is adjusted per value at scoring time.
CREATE TABLE match_parameters (
    run_id      VARCHAR NOT NULL,
    field       VARCHAR NOT NULL,   -- id_number, name, birth_date, gender, county_code, address, organisation
    level       VARCHAR NOT NULL,   -- e.g. exact, same_pinyin, one_substitution
    m           DOUBLE NOT NULL,    -- P(level | same person)
    u           DOUBLE NOT NULL,    -- P(level | different persons), over all row x member pairs
    weight      DOUBLE NOT NULL,    -- log2(m / u), bits of evidence
    tf_adjusted BOOLEAN NOT NULL,   -- the level's u is replaced by the value's frequency
    label       VARCHAR             -- the level in words (Chinese), as reports show it
);

-- One row per linkage run: sizes, blocking, the EM fit and the decisions.
CREATE TABLE match_runs (
    run_id            VARCHAR NOT NULL,
    linked_at         TIMESTAMP NOT NULL,
    source_rows       BIGINT,
    members           BIGINT,           -- consenting members matched
    identities        BIGINT,           -- distinct (name, ID) among the source rows
    candidate_pairs   BIGINT,           -- row x member pairs scored
    blocking          VARCHAR,          -- JSON: row pairs found by each blocking rule
    prior             DOUBLE,           -- lambda: P(a random row x member pair is a match)
    em_iterations     INTEGER,
    em_converged      BOOLEAN,
    threshold_auto    DOUBLE,
    threshold_review  DOUBLE,
    links_auto        BIGINT,
    links_review      BIGINT,
    seconds           DOUBLE,
    settings          VARCHAR           -- JSON of the MatchSettings used
);

-- Standardised names (simplified, no spaces / dots) and their pinyin, computed once per name.
-- `version` changes when the standardisation changes, which invalidates older rows.
CREATE TABLE match_name_keys (
    name     VARCHAR NOT NULL,
    name_std VARCHAR,
    pinyin   VARCHAR,
    n_chars  INTEGER,
    wildcard BOOLEAN,
    version  INTEGER NOT NULL
);

-- The identifying part of every current source row plus what else tells people apart: its
-- *context* — the employer or payer; when there is none, the income item, or the insurance
-- scheme with the amount (a pension is the same sum every month of a year); the bank
-- institution — plus a bank account number and a property's location.
-- `slot` and `period`: a person has at most one row per context, slot and period (one wage
-- payment of an item per payer and month, one contribution per scheme and month, one balance
-- per account and date), so a row cannot be someone's whose slot is already filled.
CREATE VIEW match_source_rows AS
    SELECT 'tax' AS source, record_id, name, id_number, id_status,
           coalesce(nullif(trim(withholding_agent), ''), '所得项目:' || income_item) AS organisation,
           CAST(NULL AS VARCHAR) AS account_number, CAST(NULL AS VARCHAR) AS location,
           income_item AS slot, period FROM tax
    UNION ALL
    SELECT 'vehicle', record_id, name, id_number, id_status, NULL, NULL, NULL, NULL, NULL FROM vehicle
    UNION ALL
    SELECT 'property', record_id, name, id_number, id_status, NULL, NULL, location, NULL, NULL FROM property
    UNION ALL
    SELECT 'social_insurance', record_id, name, id_number, id_status,
           coalesce(nullif(trim(employer), ''), '险种:' || insurance_type || '/' || record_type || '/' || amount),
           NULL, NULL, insurance_type || '/' || record_type, period
      FROM social_insurance
    UNION ALL
    SELECT 'bank', record_id, name, id_number, id_status, institution, account_number, NULL, product_type, as_of_date
      FROM bank;
