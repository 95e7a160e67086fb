-- 0036: quarantine_open has `problem`, the reason without the values it quotes ('-4564.50' is
-- negative … → … is negative …) or the details in brackets after them: the README's "open rows by
-- source and reason" gave a README probe 44 groups for 99 rows, every negative amount a group of one.
CREATE OR REPLACE VIEW quarantine_open AS
    SELECT q.*, regexp_replace(regexp_replace(q.reason, '''[^'']*''', '…', 'g'), ' \([^)]*\)', '', 'g') AS problem
    FROM quarantine q
    WHERE NOT (q.reason LIKE '%nothing needs resending%' OR q.reason LIKE '%exact copy of data row%')
      AND (q.record_id IS NULL
           OR NOT EXISTS (SELECT 1 FROM source_records s
                          WHERE s.source = q.source AND s.record_id = q.record_id AND s.loaded_at >= q.quarantined_at));
