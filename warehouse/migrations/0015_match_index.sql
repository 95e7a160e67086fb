-- 0015: the match index (matching.index). Folding every current source row into the units and
-- identities the linker compares was a full pass over all rows on every link run — the same
-- work every night and for every three-household inbox drop. The index keeps them here and
-- brings them up to date from the batches loaded since: the rows of a new batch count in, the
-- rows it superseded count out. `match_index_batches` lists the batches folded in, with the
-- index version that folded them (a new version rebuilds the index from all rows).
--
-- `match_source_versions` is `match_source_rows` over every version of a row, with the batch
-- that loaded it, the batch that superseded it and when it was loaded (what a link or a
-- caseworker's answer saw: `warehouse.record_versions`); `match_source_rows` is now its current rows.
-- `named_org`: the row names its employer, payer or bank (the organisation is not a context
-- made up for it). Asking the organisation itself meant building the made-up context — an
-- amount cast to text — for every social-insurance row only to throw it away.
CREATE VIEW match_source_versions AS
    SELECT 'tax' AS source, record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END AS id_number,
           id_status,
           coalesce(nullif(trim(withholding_agent), ''), '所得项目:' || income_item) AS organisation,
           CAST(NULL AS VARCHAR) AS account_number, CAST(NULL AS VARCHAR) AS location,
           income_item AS slot, period, nullif(trim(withholding_agent), '') IS NOT NULL AS named_org,
           batch_id, superseded_by, loaded_at FROM tax_all
    UNION ALL
    SELECT 'vehicle', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END,
           id_status, NULL, NULL, NULL, NULL, NULL, FALSE, batch_id, superseded_by, loaded_at FROM vehicle_all
    UNION ALL
    SELECT 'property', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END,
           id_status, NULL, NULL, location, NULL, NULL, FALSE, batch_id, superseded_by, loaded_at FROM property_all
    UNION ALL
    SELECT 'social_insurance', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END,
           id_status,
           coalesce(nullif(trim(employer), ''), '险种:' || insurance_type || '/' || record_type || '/' || amount),
           NULL, NULL, insurance_type || '/' || record_type, period, nullif(trim(employer), '') IS NOT NULL,
           batch_id, superseded_by, loaded_at
      FROM social_insurance_all
    UNION ALL
    SELECT 'bank', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END,
           id_status, institution, account_number, NULL, product_type, as_of_date, TRUE, batch_id, superseded_by, loaded_at
      FROM bank_all;

CREATE OR REPLACE VIEW match_source_rows AS
    SELECT * EXCLUDE (batch_id, superseded_by, loaded_at) FROM match_source_versions WHERE superseded_by IS NULL;

-- A unit: the current rows of one source that agree on everything the comparisons read.
CREATE TABLE match_units (
    uid BIGINT NOT NULL, source VARCHAR NOT NULL, name VARCHAR NOT NULL, id_number VARCHAR,
    organisation VARCHAR, account_number VARCHAR, location VARCHAR,
    n BIGINT NOT NULL, n_legacy BIGINT NOT NULL, n_invalid BIGINT NOT NULL
);

-- An identity: the current rows of all sources with one (name, ID text).
CREATE TABLE match_identities (
    iid BIGINT NOT NULL, name VARCHAR NOT NULL, id_number VARCHAR,
    n BIGINT NOT NULL, n_legacy BIGINT NOT NULL, n_invalid BIGINT NOT NULL,
    n_tax BIGINT NOT NULL, n_social_insurance BIGINT NOT NULL, n_bank BIGINT NOT NULL,
    n_vehicle BIGINT NOT NULL, n_property BIGINT NOT NULL
);

CREATE TABLE match_index_batches (
    batch_id VARCHAR NOT NULL, version INTEGER NOT NULL, indexed_at TIMESTAMP NOT NULL
);
