-- 0002: one table per department source, every version kept (`*_all`), and a view of the
-- current rows under the source's own name. A corrected re-delivery of a record_id sets
-- superseded_by on the older row instead of deleting it.
-- ID columns: id_number is the normalised 18-character number when it validates (or was a
-- legacy 15-digit number, upgraded); id_raw is what the department wrote.

CREATE TABLE tax_all (
    record_id VARCHAR NOT NULL, name VARCHAR NOT NULL, name_raw VARCHAR,
    id_number VARCHAR, id_raw VARCHAR, id_status VARCHAR, id_birth_date DATE, id_gender VARCHAR,
    id_birthplace VARCHAR, id_reason VARCHAR,
    period DATE NOT NULL, income_item VARCHAR NOT NULL, income_amount DECIMAL(18,2) NOT NULL,
    tax_paid DECIMAL(18,2), withholding_agent VARCHAR, extra VARCHAR,
    batch_id VARCHAR NOT NULL, file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
    row_number BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR
);

CREATE TABLE vehicle_all (
    record_id VARCHAR NOT NULL, name VARCHAR NOT NULL, name_raw VARCHAR,
    id_number VARCHAR, id_raw VARCHAR, id_status VARCHAR, id_birth_date DATE, id_gender VARCHAR,
    id_birthplace VARCHAR, id_reason VARCHAR,
    plate_number VARCHAR NOT NULL, vehicle_type VARCHAR NOT NULL, registration_date DATE NOT NULL,
    purchase_price DECIMAL(18,2), status VARCHAR NOT NULL, extra VARCHAR,
    batch_id VARCHAR NOT NULL, file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
    row_number BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR
);

CREATE TABLE property_all (
    record_id VARCHAR NOT NULL, name VARCHAR NOT NULL, name_raw VARCHAR,
    id_number VARCHAR, id_raw VARCHAR, id_status VARCHAR, id_birth_date DATE, id_gender VARCHAR,
    id_birthplace VARCHAR, id_reason VARCHAR,
    certificate_number VARCHAR NOT NULL, location VARCHAR NOT NULL, usage VARCHAR NOT NULL,
    floor_area DOUBLE NOT NULL, share DOUBLE, registration_date DATE NOT NULL, status VARCHAR NOT NULL,
    extra VARCHAR,
    batch_id VARCHAR NOT NULL, file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
    row_number BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR
);

CREATE TABLE social_insurance_all (
    record_id VARCHAR NOT NULL, name VARCHAR NOT NULL, name_raw VARCHAR,
    id_number VARCHAR, id_raw VARCHAR, id_status VARCHAR, id_birth_date DATE, id_gender VARCHAR,
    id_birthplace VARCHAR, id_reason VARCHAR,
    insurance_type VARCHAR NOT NULL, record_type VARCHAR NOT NULL, period DATE NOT NULL,
    employer VARCHAR, contribution_base DECIMAL(18,2), amount DECIMAL(18,2) NOT NULL, extra VARCHAR,
    batch_id VARCHAR NOT NULL, file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
    row_number BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR
);

CREATE TABLE bank_all (
    record_id VARCHAR NOT NULL, name VARCHAR NOT NULL, name_raw VARCHAR,
    id_number VARCHAR, id_raw VARCHAR, id_status VARCHAR, id_birth_date DATE, id_gender VARCHAR,
    id_birthplace VARCHAR, id_reason VARCHAR,
    institution VARCHAR NOT NULL, account_number VARCHAR, product_type VARCHAR NOT NULL,
    balance DECIMAL(18,2) NOT NULL, as_of_date DATE NOT NULL, extra VARCHAR,
    batch_id VARCHAR NOT NULL, file VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
    row_number BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL, superseded_by VARCHAR
);

CREATE VIEW tax AS SELECT * EXCLUDE (superseded_by) FROM tax_all WHERE superseded_by IS NULL;
CREATE VIEW vehicle AS SELECT * EXCLUDE (superseded_by) FROM vehicle_all WHERE superseded_by IS NULL;
CREATE VIEW property AS SELECT * EXCLUDE (superseded_by) FROM property_all WHERE superseded_by IS NULL;
CREATE VIEW social_insurance AS SELECT * EXCLUDE (superseded_by) FROM social_insurance_all WHERE superseded_by IS NULL;
CREATE VIEW bank AS SELECT * EXCLUDE (superseded_by) FROM bank_all WHERE superseded_by IS NULL;

-- The person-identifying part of every current source row, for matching and for analysts.
CREATE VIEW source_records AS
    SELECT 'tax' AS source, record_id, name, name_raw, id_number, id_raw, id_status, id_birth_date,
           id_gender, id_birthplace, withholding_agent AS organisation,
           batch_id, file, file_hash, row_number, loaded_at FROM tax
    UNION ALL
    SELECT 'vehicle', record_id, name, name_raw, id_number, id_raw, id_status, id_birth_date,
           id_gender, id_birthplace, NULL, batch_id, file, file_hash, row_number, loaded_at FROM vehicle
    UNION ALL
    SELECT 'property', record_id, name, name_raw, id_number, id_raw, id_status, id_birth_date,
           id_gender, id_birthplace, NULL, batch_id, file, file_hash, row_number, loaded_at FROM property
    UNION ALL
    SELECT 'social_insurance', record_id, name, name_raw, id_number, id_raw, id_status, id_birth_date,
           id_gender, id_birthplace, employer, batch_id, file, file_hash, row_number, loaded_at
      FROM social_insurance
    UNION ALL
    SELECT 'bank', record_id, name, name_raw, id_number, id_raw, id_status, id_birth_date,
           id_gender, id_birthplace, institution, batch_id, file, file_hash, row_number, loaded_at FROM bank;
