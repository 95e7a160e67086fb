-- 0022: each unit of the match index names its identity (the unit's name and ID text), so the
-- linker reaches a unit's identity, and an identity's units, by an integer: joining the 1.4 M
-- units to the identities on (name, ID text) cost two string-keyed joins per link run (about
-- 0.2 s of the 20k-household benchmark's linker). matching.index fills it as it folds; the index
-- version moved with it, so an index folded before is rebuilt and filled.
ALTER TABLE match_units ADD COLUMN iid BIGINT;
