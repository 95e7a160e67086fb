"""Answers remembered: the SQL that makes each pass respect every answer in force.

Run `apply_decisions_sql(run_id)` right after the linker has written this pass's links, in the
same transaction, with the pass's temp tables `work_households` / `work_members` in place
(the latter with the `consent` column, as `pipelines.verify.select_work` makes it). For every
member at work and every pair whose latest answer is:

* **denied** (否认) — the link is deleted, whatever the linker proposed (auto or review): a
  denied pair is never proposed again, in any later pass, request or nightly run. The record
  is then asked about its competitor, when the link named one in the same request (the
  member whose ID the row carries, a namesake hard to tell apart) who consented and has no
  answer about it: a `review` link to them (`method = 'after_denial'`). Deleted alone, a
  relative's-ID row went to nobody and its wages left the figures unasked (a review probe's
  household passed on it);
* **confirmed** (确认) — a link the linker proposed becomes `decision = 'confirmed'` (its
  probability and method kept); if the linker did not propose the pair this time and the
  record is still current (in `source_records`) and the member consented, a confirmed link is
  inserted with the probability the reviewer saw and `method = 'clerical_review'`. A record
  belongs to one person: any link of the same record to another member of the same request
  is deleted (else its income would count twice), and any unconfirmed link of it to another
  person in any request at work (a probe's full pass asked a namesake's household about a car
  confirmed as another's, a question only a denial could close);
* **undetermined** (无法确定) — the link stays a `review` question.

Every link an answer touched carries it in its evidence JSON:
``"review": {"decision", "reviewer", "decided_at", "note"}``.

`affected_households_sql(run_id)` lists the households whose reports an answer taken in by
this run changes, so the pass can re-verify them (and so regenerate their reports).
"""

from __future__ import annotations

from matching.person_key import member_key_sql

ANSWERS = "review_work_pairs"
"""The temp table of the answers in force for the members at work (`answered_pairs_sql`), kept for
the rest of the pass: the assessment reads it too (a row denied is not asked about again)."""
CLERICAL_METHOD = "clerical_review"
AFTER_DENIAL_METHOD = "after_denial"


def _q(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _review_json(p: str) -> str:
    return (f"json_object('decision', {p}.decision, 'reviewer', {p}.reviewer, "
            f"'decided_at', strftime({p}.decided_at, '%Y-%m-%dT%H:%M:%S'), 'note', {p}.note)")


def answered_pairs_sql() -> str:
    """The answer in force for each (member at work, record): temp table `review_work_pairs`."""
    return f"""
CREATE OR REPLACE TEMP TABLE {ANSWERS} AS
SELECT m.request_id, m.household_id, m.member_no, coalesce(m.consent, false) AS consent,
       d.source, d.record_id, d.decision, d.reviewer, d.decided_at, d.note, d.match_probability
FROM work_members m
JOIN review_decisions_latest d ON d.member_key = {member_key_sql('m')};
"""


def apply_decisions_sql(run_id: str) -> str:
    """SQL (several statements) applying every answer in force to the links of the members at work.

    Example:
        >>> sql = apply_decisions_sql("run-1")
        >>> [statement.split()[0] for statement in sql.split(";") if statement.strip()]
        ['CREATE', 'INSERT', 'DELETE', 'UPDATE', 'DELETE', 'DELETE', 'INSERT']
    """
    link_match = ("l.source = p.source AND l.record_id = p.record_id AND l.request_id = p.request_id "
                  "AND l.household_id = p.household_id AND l.member_no = p.member_no")
    return answered_pairs_sql() + f"""
INSERT INTO links (source, record_id, request_id, household_id, member_no, match_probability, decision,
                   method, evidence, run_id, linked_at)
SELECT DISTINCT ON (d.source, d.record_id, d.request_id, d.c_household, d.c_member)
       d.source, d.record_id, d.request_id, d.c_household, d.c_member, least(d.c_p, 0.5), 'review', '{AFTER_DENIAL_METHOD}',
       CAST(json_object('summary', '已否认为' || d.denied_name || '本人的记录（' || d.reviewer || '）；'
                                   || d.c_name || '是比对时的另一候选，需人工复核是否为其本人',
                        'weights', json_array(), 'competitor', NULL,
                        'after_denial', json_object('member_no', d.member_no, 'name', d.denied_name,
                                                    'reviewer', d.reviewer)) AS VARCHAR),
       {_q(run_id)}, now()
FROM (SELECT l.source, l.record_id, l.request_id, l.household_id, l.member_no, p.reviewer, w.name AS denied_name,
             json_extract_string(l.evidence, '$.competitor.request_id') AS c_request,
             json_extract_string(l.evidence, '$.competitor.household_id') AS c_household,
             TRY_CAST(json_extract_string(l.evidence, '$.competitor.member_no') AS BIGINT) AS c_member,
             json_extract_string(l.evidence, '$.competitor.name') AS c_name,
             coalesce(TRY_CAST(json_extract_string(l.evidence, '$.competitor.probability') AS DOUBLE), 0) AS c_p
      FROM links l JOIN review_work_pairs p ON {link_match} AND p.decision = 'denied'
      JOIN work_members w ON w.request_id = l.request_id AND w.household_id = l.household_id
                         AND w.member_no = l.member_no
      WHERE json_valid(l.evidence)) d
JOIN work_members c ON c.request_id = d.c_request AND c.household_id = d.c_household AND c.member_no = d.c_member
WHERE d.c_request = d.request_id AND c.consent
  AND NOT EXISTS (SELECT 1 FROM links o WHERE o.source = d.source AND o.record_id = d.record_id
                  AND o.request_id = d.request_id AND o.decision IN ('auto', 'confirmed')
                  AND (o.household_id, o.member_no) NOT IN ((d.household_id, d.member_no), (d.c_household, d.c_member)))
  AND NOT EXISTS (SELECT 1 FROM links o WHERE o.source = d.source AND o.record_id = d.record_id
                  AND o.request_id = d.request_id AND o.household_id = d.c_household AND o.member_no = d.c_member)
  AND NOT EXISTS (SELECT 1 FROM review_work_pairs q WHERE q.source = d.source AND q.record_id = d.record_id
                  AND q.request_id = d.c_request AND q.household_id = d.c_household AND q.member_no = d.c_member);
DELETE FROM links l USING review_work_pairs p
WHERE {link_match} AND p.decision = 'denied';
UPDATE links l SET decision = CASE WHEN p.decision = 'confirmed' THEN 'confirmed' ELSE l.decision END,
       evidence = CAST(json_merge_patch(CASE WHEN json_valid(l.evidence) THEN l.evidence ELSE '{{}}' END,
                                        json_object('review', {_review_json('p')})) AS VARCHAR)
FROM review_work_pairs p
WHERE {link_match} AND (p.decision = 'confirmed' OR (p.decision = 'undetermined' AND l.decision = 'review'));
DELETE FROM links l USING review_work_pairs p
WHERE p.decision = 'confirmed' AND p.consent AND l.source = p.source AND l.record_id = p.record_id
  AND l.request_id = p.request_id AND (l.household_id, l.member_no) <> (p.household_id, p.member_no)
  AND EXISTS (SELECT 1 FROM source_records s WHERE s.source = p.source AND s.record_id = p.record_id);
DELETE FROM links l USING (SELECT DISTINCT source, record_id, member_key FROM review_decisions_latest
                           WHERE decision = 'confirmed') c
WHERE l.source = c.source AND l.record_id = c.record_id AND l.decision <> 'confirmed'
  AND (l.request_id, l.household_id) IN (SELECT request_id, household_id FROM work_households)
  AND NOT EXISTS (SELECT 1 FROM work_members m WHERE m.request_id = l.request_id AND m.household_id = l.household_id
                  AND m.member_no = l.member_no AND {member_key_sql('m')} = c.member_key);
INSERT INTO links (source, record_id, request_id, household_id, member_no, match_probability, decision,
                   method, evidence, run_id, linked_at)
SELECT p.source, p.record_id, p.request_id, p.household_id, p.member_no, coalesce(p.match_probability, 0),
       'confirmed', '{CLERICAL_METHOD}',
       CAST(json_object('summary', '经人工复核确认（' || p.reviewer || '，' || strftime(p.decided_at, '%Y-%m-%d')
                                   || '）；本次自动比对未再提出该匹配',
                        'weights', json_array(), 'review', {_review_json('p')}) AS VARCHAR),
       {_q(run_id)}, now()
FROM review_work_pairs p
WHERE p.decision = 'confirmed' AND p.consent
  AND EXISTS (SELECT 1 FROM source_records s WHERE s.source = p.source AND s.record_id = p.record_id)
  AND NOT EXISTS (SELECT 1 FROM links l WHERE {link_match});
"""


def _since_rolls() -> str:
    return ("\n    OR run_id IN (SELECT run_id FROM runs WHERE NOT coalesce(rolls_verified, FALSE) AND started_at > "
            "coalesce((SELECT max(started_at) FROM runs WHERE rolls_verified AND status = 'completed'), "
            "TIMESTAMP '1900-01-01'))")


def affected_households_sql(run_id: str, since_rolls: bool = False) -> str:
    """SELECT request_id, household_id, agency of the households an answer taken in by `run_id` changes
    (`since_rolls`: or by a pass that did not verify the rolls since the last that did: an inbox-only
    pass leaves the rolls households its answers change to the nightly).

    The households of the answered links, and any other household where the same record is
    linked to the same person (a denial there removes the link too) — or to anyone: a record
    confirmed as one person's is no other's question, and a question answered elsewhere must not
    stay open where nobody can close it (a probe's H18 kept asking about a car confirmed as
    H17's, and another agency's caseworker could only deny it). So is every household with a
    member of an ID-less record's exact name: taken back, the record is their question again.
    """
    return f"""
WITH answered AS (SELECT * FROM review_decisions WHERE run_id = {_q(run_id)}{_since_rolls() if since_rolls else ""}),
touched AS (
    SELECT request_id, household_id FROM answered
    UNION
    SELECT l.request_id, l.household_id
    FROM links l
    JOIN applicant_members m USING (request_id, household_id, member_no)
    JOIN answered a ON a.source = l.source AND a.record_id = l.record_id AND a.member_key = {member_key_sql('m')}
    UNION
    SELECT l.request_id, l.household_id FROM links l JOIN answered a USING (source, record_id)
    UNION
    SELECT m.request_id, m.household_id
    FROM applicant_members m JOIN source_records s ON s.name = m.name AND s.id_number IS NULL
    JOIN answered a ON a.source = s.source AND a.record_id = s.record_id
)
SELECT DISTINCT t.request_id, t.household_id, m.agency
FROM touched t JOIN applicant_members m USING (request_id, household_id)
ORDER BY 1, 2
"""
