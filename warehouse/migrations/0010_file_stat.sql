-- 0010: a file's modification time (ns) beside its size, so a pass can tell a file it has
-- already seen under the same path without reading and hashing it again: delivered files stay
-- in landing/ and inbox/, and re-hashing (and re-recording as skipped) every one of them on
-- every pass made each inbox drop cost more than the last.
ALTER TABLE files ADD COLUMN mtime_ns BIGINT;
