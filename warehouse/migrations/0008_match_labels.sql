-- 0008: answers teach the model (issue #8). How many caseworkers' answers (latest per pair,
-- confirmed = match, denied = non-match) the linkage run's EM fit took as labels, in source rows.
ALTER TABLE match_runs ADD COLUMN labels_match BIGINT DEFAULT 0;     -- confirmed (row, member) pairs used
ALTER TABLE match_runs ADD COLUMN labels_nonmatch BIGINT DEFAULT 0;  -- denied (row, member) pairs used
