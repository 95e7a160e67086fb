-- 0011: for matching, an ID cell that cannot be an ID number at all (`1.40105E+17` from a
-- spreadsheet, `不详`, `0`, a phone number) is no ID: the row is paired on its name like any row
-- without one. Before, such a row kept the text as an invalid ID, which no ID rule could use
-- and which kept it out of the name rules, so it was never proposed. An invalid ID of 14 to 19
-- digits (a wrong digit, a swap, a digit dropped or doubled, a check character off, lost last
-- digits) still carries the birth date and region and is compared as an ID. The source tables
-- keep what was written (`id_number`, `id_raw`, `id_status = 'invalid'`, `id_reason`).
CREATE OR REPLACE VIEW match_source_rows AS
    SELECT 'tax' AS source, record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END AS id_number,
           id_status,
           coalesce(nullif(trim(withholding_agent), ''), '所得项目:' || income_item) AS organisation,
           CAST(NULL AS VARCHAR) AS account_number, CAST(NULL AS VARCHAR) AS location,
           income_item AS slot, period FROM tax
    UNION ALL
    SELECT 'vehicle', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END,
           id_status, NULL, NULL, NULL, NULL, NULL FROM vehicle
    UNION ALL
    SELECT 'property', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END,
           id_status, NULL, NULL, location, NULL, NULL FROM property
    UNION ALL
    SELECT 'social_insurance', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END,
           id_status,
           coalesce(nullif(trim(employer), ''), '险种:' || insurance_type || '/' || record_type || '/' || amount),
           NULL, NULL, insurance_type || '/' || record_type, period
      FROM social_insurance
    UNION ALL
    SELECT 'bank', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number END,
           id_status, institution, account_number, NULL, product_type, as_of_date
      FROM bank;
