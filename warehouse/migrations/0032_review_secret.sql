-- 0032: the secret the review keys (复核编号, review.keys) encrypt their link with. A key carried
-- its link in base64: a household numbered by its head's ID number, or a record_id built from one,
-- was readable in full from the review sheet (a caseworker-side probe). Made on first use
-- (32 random bytes, hex); never copied to the analyst copy.
CREATE TABLE review_secret (secret VARCHAR NOT NULL);
