-- 0009: a file's row-error note (rejected/<agency>/<file>.error.txt) is written by the first
-- pass that completes after the file loaded, not only by the pass that loaded it: a pass that
-- died between the two (killed, disk full) leaves the note to the next one. Files loaded by
-- earlier versions had their notes written by their own pass.
ALTER TABLE files ADD COLUMN errors_reported_at TIMESTAMP;
UPDATE files SET errors_reported_at = seen_at WHERE status = 'loaded' AND rows_quarantined > 0;
