-- 0034: a source row's amount (tax: income_amount; social insurance: amount; bank: balance) reads
-- through `match_source_versions`, and the match index keeps it with the row (`match_rows.amount`).
-- Whether a member's wages continue a namesake's job (matching.rivals.continued_sql) compares the
-- two IDs' usual amounts: finding a few rows' amounts by record_id scanned both sources whole, 0.2 s
-- of the linker's 6 s at 20,000 households. Empty until the index is next refreshed: its version
-- moves (7), so it is rebuilt from every row.
ALTER TABLE match_rows ADD COLUMN amount DECIMAL(18, 2);
CREATE OR REPLACE VIEW match_source_versions AS
    SELECT 'tax' AS source, record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END AS id_number,
           id_status,
           coalesce(nullif(trim(withholding_agent), ''), '所得项目:' || income_item) AS organisation,
           CAST(NULL AS VARCHAR) AS account_number, CAST(NULL AS VARCHAR) AS location,
           income_item AS slot, period, nullif(trim(withholding_agent), '') IS NOT NULL AS named_org,
           batch_id, superseded_by, loaded_at, income_amount AS amount FROM tax_all
    UNION ALL
    SELECT 'vehicle', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END,
           id_status, NULL, NULL, NULL, NULL, NULL, FALSE, batch_id, superseded_by, loaded_at, NULL FROM vehicle_all
    UNION ALL
    SELECT 'property', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END,
           id_status, NULL, NULL, location, NULL, NULL, FALSE, batch_id, superseded_by, loaded_at, NULL FROM property_all
    UNION ALL
    SELECT 'social_insurance', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END,
           id_status,
           coalesce(nullif(trim(employer), ''), '险种:' || insurance_type || '/' || record_type || '/' || amount),
           NULL, NULL, insurance_type || '/' || record_type, period, nullif(trim(employer), '') IS NOT NULL,
           batch_id, superseded_by, loaded_at, amount
      FROM social_insurance_all
    UNION ALL
    SELECT 'bank', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END,
           id_status, institution, account_number, NULL, product_type, as_of_date, TRUE, batch_id, superseded_by, loaded_at, balance
      FROM bank_all;
