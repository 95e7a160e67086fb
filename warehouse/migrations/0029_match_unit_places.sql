-- 0029: each unit of the match index keeps where its rows are paid or held, as the linker
-- compares it: `s_org` (the employer or payer, normalised; for a bank row, its bank and masked
-- account) and `place` (the same, prefixed with its kind: employer# or bank#). Five statements
-- of every link run built these strings again for up to 1.4 M units at 20k households, from the
-- organisation keys the run computed in Python. The keys of each organisation name are kept in
-- match_org_keys, computed once when a new name is folded in. matching.index fills both; the
-- index version moved with them, so an index folded before is rebuilt and filled.
ALTER TABLE match_units ADD COLUMN s_org VARCHAR;
ALTER TABLE match_units ADD COLUMN place VARCHAR;
CREATE TABLE match_org_keys (
    org       VARCHAR NOT NULL,   -- an organisation as match_units holds it
    org_norm  VARCHAR,            -- matching.standardise.normalise_org
    bank_norm VARCHAR             -- matching.standardise.institution_key
);
