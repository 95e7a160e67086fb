"""Deterministic linkage on the normalised ID number: the floor every smarter linker must beat.

A source row whose validated (or upgraded legacy) ID equals a consenting member's links to
that member. Equal IDs with different names are a relative's ID written by mistake as often
as a typo in the name, so such a pair is only ever a `review` link, never `auto`.
"""

from __future__ import annotations

ID_EXACT_AUTO_PROBABILITY = 0.999
ID_EXACT_NAME_DIFFERS_PROBABILITY = 0.5


def link_by_id_sql(run_id: str) -> str:
    """INSERT the ID-equality links of every member in `work_members` (a temp table)."""
    rid = run_id.replace("'", "''")
    return f"""
INSERT INTO links
SELECT s.source, s.record_id, m.request_id, m.household_id, m.member_no,
       CASE WHEN s.name = m.name THEN {ID_EXACT_AUTO_PROBABILITY} ELSE {ID_EXACT_NAME_DIFFERS_PROBABILITY} END,
       CASE WHEN s.name = m.name THEN 'auto' ELSE 'review' END,
       'id_exact',
       json_object(
         'summary', CASE WHEN s.name = m.name THEN '身份证号一致，姓名一致'
                         ELSE '身份证号一致，但姓名不同（' || s.name || '）：可能误填亲属证件号，需人工复核' END,
         'weights', json_array(
            json_object('field', 'id_number', 'level', CASE WHEN s.id_status = 'repaired' OR m.id_status = 'repaired'
                                                           THEN 'legacy_equal' ELSE 'exact' END),
            json_object('field', 'name', 'level', CASE WHEN s.name = m.name THEN 'exact' ELSE 'different' END))),
       '{rid}', now()
FROM source_records s
JOIN work_members m ON s.id_number = m.id_number
WHERE s.id_status IN ('valid', 'repaired') AND m.id_status IN ('valid', 'repaired') AND m.consent
"""
