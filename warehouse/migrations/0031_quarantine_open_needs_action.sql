-- 0031: quarantine_open leaves out the lines that ask nothing of the sender: a repeated header, a
-- totals or footer line (their reason says nothing needs resending) and an exact copy of a loaded
-- row. Their text stood as their record_id ('合计', the 注 line), no row could ever close them, and
-- an ingestion probe's clerks found them among the refusals not yet corrected for good.
CREATE OR REPLACE VIEW quarantine_open AS
    SELECT q.* FROM quarantine q
    WHERE NOT (q.reason LIKE '%nothing needs resending%' OR q.reason LIKE '%exact copy of data row%')
      AND (q.record_id IS NULL
           OR NOT EXISTS (SELECT 1 FROM source_records s
                          WHERE s.source = q.source AND s.record_id = q.record_id AND s.loaded_at >= q.quarantined_at));
