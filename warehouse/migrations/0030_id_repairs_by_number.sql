-- 0030: a repaired ID text is numbered (match_id_repaired.tid) and its repairs name it by that
-- number instead of by the text. Two statements of every link run read all the repairs (3.6 M
-- at 20k households): reading the text column was 0.1 s each, the number a tenth of it. The
-- repairs are a cache of what matching.idrepair computes from each text: they are emptied here
-- and the next link run computes them again (matching.memo).
DELETE FROM match_id_repairs;
DELETE FROM match_id_repaired;
ALTER TABLE match_id_repaired ADD COLUMN tid BIGINT;
ALTER TABLE match_id_repairs DROP COLUMN id_number;
ALTER TABLE match_id_repairs ADD COLUMN tid BIGINT;
