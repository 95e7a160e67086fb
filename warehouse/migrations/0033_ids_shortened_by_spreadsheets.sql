-- 0033: an ID a spreadsheet stored as a number and wrote back shortened (1.40105198308081E+17)
-- reads, for matching only, as the spreadsheet shows it in full: 140105198308081000, its first 15
-- digits kept and the rest lost to zeros (the `digits_lost` comparison level). It was no ID at all
-- to the linker, and an export probe's wage rows of 郑华, his exact name on every one, were linked
-- to nobody: his household passed on no income. The row itself keeps the text as written.
CREATE OR REPLACE VIEW match_source_versions AS
    SELECT 'tax' AS source, record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END AS id_number,
           id_status,
           coalesce(nullif(trim(withholding_agent), ''), '所得项目:' || income_item) AS organisation,
           CAST(NULL AS VARCHAR) AS account_number, CAST(NULL AS VARCHAR) AS location,
           income_item AS slot, period, nullif(trim(withholding_agent), '') IS NOT NULL AS named_org,
           batch_id, superseded_by, loaded_at FROM tax_all
    UNION ALL
    SELECT 'vehicle', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END,
           id_status, NULL, NULL, NULL, NULL, NULL, FALSE, batch_id, superseded_by, loaded_at FROM vehicle_all
    UNION ALL
    SELECT 'property', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END,
           id_status, NULL, NULL, location, NULL, NULL, FALSE, batch_id, superseded_by, loaded_at FROM property_all
    UNION ALL
    SELECT 'social_insurance', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END,
           id_status,
           coalesce(nullif(trim(employer), ''), '险种:' || insurance_type || '/' || record_type || '/' || amount),
           NULL, NULL, insurance_type || '/' || record_type, period, nullif(trim(employer), '') IS NOT NULL,
           batch_id, superseded_by, loaded_at
      FROM social_insurance_all
    UNION ALL
    SELECT 'bank', record_id, name,
           CASE WHEN id_status IS DISTINCT FROM 'invalid' THEN id_number
                WHEN regexp_full_match(id_number, '[0-9]{14,19}[0-9Xx]?') THEN id_number
                WHEN regexp_full_match(id_number, '[0-9][.][0-9]{13,16}[Ee][+]?17') THEN rpad(replace(split_part(upper(id_number), 'E', 1), '.', ''), 18, '0') END,
           id_status, institution, account_number, NULL, product_type, as_of_date, TRUE, batch_id, superseded_by, loaded_at
      FROM bank_all;
