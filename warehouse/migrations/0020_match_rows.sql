-- 0020: the match index keeps which unit each current source row folded into (`match_rows`).
-- Writing links per row, and finding the months an ID-less wage shares with a member's own
-- wages, read every current row through `match_source_rows` (6.7 million at 20,000 households),
-- computing each row's ID text and organisation again, to find the unit it belongs to: 0.9 s
-- of the linker's 4.9 s for the links alone. The fold computes that once per row, when its batch
-- is folded in (matching.index); `legacy` is a row that carried a 15-digit ID, `slot` and
-- `period` what `match_source_rows` says of it (income item or benefit, month or balance date).
-- Empty until the index is next refreshed: its version moves, so it is rebuilt from every row.
CREATE TABLE match_rows (
    source VARCHAR NOT NULL, record_id VARCHAR NOT NULL, uid BIGINT NOT NULL,
    legacy BOOLEAN NOT NULL, slot VARCHAR, period DATE
);
