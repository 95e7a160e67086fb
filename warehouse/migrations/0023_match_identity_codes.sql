-- 0023: each identity of the match index keeps its ID text as integers, `body` (the first 17
-- digits of an 18-character ID) and `code` (matching.idrepair.id_code: 17 digits times 11 plus
-- the check value), so the linker's slip and rival rules join integers: every run cast 580,000 ID
-- texts to their body and 425,000 repair codes back to text (about 0.15 s of the 20k-household
-- benchmark's linker). matching.index fills them as it folds; the index version moved with them.
ALTER TABLE match_identities ADD COLUMN body BIGINT;
ALTER TABLE match_identities ADD COLUMN code BIGINT;
