-- 0018: whose a quarantined department row is. `record_id` as the row wrote it, and `id_number`:
-- the row's ID number normalised, when it validates (or was a legacy ID, upgraded). A row refused
-- for one bad cell (a price written 约8万, a month-only date) carried a member's vehicle, home or
-- wage out of their household's figures without a word in the report, which passed on what was
-- left (an ingestion probe); the assessment now names such rows (`assessment.evidence.refused_sql`).
-- Rows quarantined before this migration have neither.
ALTER TABLE quarantine ADD COLUMN record_id VARCHAR;
ALTER TABLE quarantine ADD COLUMN id_number VARCHAR;
