-- 0014: every reading of a name's polyphonic characters (郑朝: zheng zhao|chao), so a name typed
-- by another reading (郑超) still sounds the same (matching.pinyin.name_readings). The cached keys
-- of the earlier version lack them and are dropped; the next link run keys its names again.
ALTER TABLE match_name_keys ADD COLUMN pinyin_alts VARCHAR;
DELETE FROM match_name_keys;
