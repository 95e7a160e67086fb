-- 0021: what the linker derives from one distinct value alone is kept across runs, as the name
-- keys are (match_name_keys): the valid IDs one slip from each invalid ID text
-- (matching.idrepair), and the parts of each address (matching.address). Every run recomputed
-- them for every value: 200,000 invalid IDs (3.6 M repairs) and 25,000 addresses took 0.65 s of
-- the 20k-household benchmark's 5.8 s linker, in Python on one core; a night now computes only the
-- values it has not met (matching.memo). `version` moves when the computation changes, which
-- invalidates older rows. `repair_code` is an ID as an integer (matching.idrepair.id_code): these
-- tables stay out of the analyst copy, like the match index.
CREATE TABLE match_id_repairs (
    id_number   VARCHAR NOT NULL,   -- an invalid ID text, as in match_identities
    repair_code BIGINT NOT NULL,    -- a valid ID one wrong digit or one adjacent swap from it
    version     INTEGER NOT NULL
);
CREATE TABLE match_id_repaired (    -- every ID text repaired, with or without a repair
    id_number VARCHAR NOT NULL,
    version   INTEGER NOT NULL
);
CREATE TABLE match_address_parts (
    address VARCHAR NOT NULL,
    parts   STRUCT(province VARCHAR, city VARCHAR, county VARCHAR, street VARCHAR, community VARCHAR,
                   road VARCHAR, building VARCHAR, unit VARCHAR, room VARCHAR),
    version INTEGER NOT NULL
);
