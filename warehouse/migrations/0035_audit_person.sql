-- 0035: an audit row names the person verified by their ID number (the warehouse's own: the analyst
-- copy keys it, `pipelines.snapshot`). By request, household and member number alone it named whoever
-- that number is now: a privacy probe re-sent a household with member 2 another person, and the copy's
-- four earlier audit rows of 李娜, who never consented, read as 刘芳's. Rows written before stay NULL.
ALTER TABLE audit ADD COLUMN id_number VARCHAR;
