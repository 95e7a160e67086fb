-- 0024: the area a programme label names (城市低保 → urban, 农村特困 → rural; NULL when the label
-- names none): the case system enrols a household in urban or rural 低保 / 特困, and that decides
-- its standard before any reading of its address (assessment.policy.area_and_basis).
ALTER TABLE applicant_rows ADD COLUMN program_area VARCHAR;
