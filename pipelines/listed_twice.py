"""Whether a member of a household at work is listed twice: on the rolls in another household
(`rolls.elsewhere`), or in another household of an application received in the window
(`member.elsewhere`). SQL expressions over `m` (the member's applicant_members row) and `w` (its work
household), each a list of `agency/household/...` strings for `pipelines.verify`'s work_members."""

from __future__ import annotations

from connectors.schema import SUPPORTER_RELATIONS

_SUPPORTERS = "(" + ", ".join(f"'{r}'" for r in SUPPORTER_RELATIONS) + ")"
"""Relations of a legal supporter listed with a household: not a member of it, so not a second
listing of theirs (a probe's 户主 of a 低保 household, named 赡养人 of her mother's 特困
application, had her own household held for review as "listed twice")."""
_OTHER_HOUSEHOLD = "(o.household_id <> m.household_id OR o.agency IS DISTINCT FROM m.agency)"
"""Another household than the member's: household numbers are each agency's own (an inbox probe's
two agencies both numbered a household H022, and one person claiming 低保 in both was not said)."""


def other_rolls_sql() -> str:
    return f"""
       -- the same person on the rolls in another household (another agency's, or twice in one):
       -- paid twice unless one of them is wrong
       coalesce((SELECT list(DISTINCT o.agency || '/' || o.household_id || '/' || o.program
                             ORDER BY o.agency || '/' || o.household_id || '/' || o.program)
                 FROM rolls_current o
                 WHERE o.id_number = m.id_number AND m.id_status IN ('valid', 'repaired')
                   AND o.program IN ('dibao', 'tekun') AND {_OTHER_HOUSEHOLD}
                   AND o.relation NOT IN {_SUPPORTERS}), [])"""


def other_requests_sql() -> str:
    return f"""
       -- the same person in another household of an application received in the window (another
       -- agency's, or a second household of the same request): claimed twice unless one is wrong
       coalesce((SELECT list(DISTINCT o.agency || '/' || o.request_id || '/' || o.household_id
                             ORDER BY o.agency || '/' || o.request_id || '/' || o.household_id)
                 FROM applicant_members o
                 WHERE o.id_number = m.id_number AND m.id_status IN ('valid', 'repaired') AND o.origin = 'inbox'
                   AND {_OTHER_HOUSEHOLD} AND o.relation NOT IN {_SUPPORTERS}
                   -- a claim of the same aid: 低保 and 特困 are one kind (a household's living); a 特困
                   -- person applying for 医疗救助 is no second listing (a probe's rolls household was
                   -- held for review every night for it)
                   AND (o.program = w.program
                        OR (o.program IN ('dibao', 'tekun') AND w.program IN ('dibao', 'tekun')))
                   AND o.request_id IN (SELECT request_id FROM requests
                                        WHERE origin = 'inbox' AND received_at >= w.window_start)
                   -- not, for a rolls household, the case it came from: its agency's application of no one
                   -- outside it (a probe's renumbered roll entry was held every night for its own application)
                   AND NOT (w.origin = 'rolls' AND o.agency = m.agency AND NOT EXISTS (
                       SELECT 1 FROM applicant_members x WHERE x.origin = 'inbox' AND x.request_id = o.request_id
                         AND x.household_id = o.household_id AND x.id_number NOT IN (SELECT y.id_number
                             FROM applicant_members y WHERE y.origin = 'rolls' AND y.request_id = m.request_id
                             AND y.household_id = m.household_id AND y.id_number IS NOT NULL)))), [])"""
