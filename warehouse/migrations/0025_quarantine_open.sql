-- 0025: the quarantined department rows still open: no row of that source and record_id has loaded
-- since (a corrected re-delivery closes it). `quarantine` keeps every refusal for good; counted
-- from it alone, a traceability probe's corrected rows read as open problems. Rows without a
-- record_id (a line that was no record, an applicant's row) stay open here: nothing can close them
-- by record_id.
CREATE VIEW quarantine_open AS
    SELECT q.* FROM quarantine q
    WHERE q.record_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM source_records s
                      WHERE s.source = q.source AND s.record_id = q.record_id AND s.loaded_at >= q.quarantined_at);
