"""The person a (source row, person) pair is about, as one key across passes and requests.

A member's key is their normalised ID when it can be trusted (valid, or repaired from a legacy
number), else ``m:<request>/<household>/<member>``: the same person asked about in two requests
is one key when their ID is sound. Caseworkers' answers are stored against this key
(`review`), and the linker reads them back as labelled pairs (`matching.link.estimate`), so it
lives here, below both. Migration 0007's `review_decisions` view spells the same expression.

Example:
    >>> member_key("14010519900307104X", "valid", "R1", "H1", 2)
    '14010519900307104X'
    >>> member_key("1401051990030710", "invalid", "R1", "H1", 2)
    'm:R1/H1/2'
"""

from __future__ import annotations

from typing import Any

VALID_ID_STATUSES = ("valid", "repaired")


def person_id(id_number: Any, id_status: Any) -> str | None:
    """The member's ID as the pair's person key, when it can be trusted; else None."""
    if id_number and id_status in VALID_ID_STATUSES:
        return str(id_number)
    return None


def member_key(id_number: Any, id_status: Any, request_id: str, household_id: str, member_no: Any) -> str:
    """The pair's person key (see module docstring)."""
    return person_id(id_number, id_status) or f"m:{request_id}/{household_id}/{int(member_no)}"


def member_key_sql(alias: str) -> str:
    """SQL for `member_key` of an applicant-shaped row `alias` (applicant_members, work_members)."""
    a, trusted = alias, ", ".join(f"'{status}'" for status in VALID_ID_STATUSES)
    return (f"CASE WHEN {a}.id_status IN ({trusted}) AND {a}.id_number IS NOT NULL THEN {a}.id_number "
            f"ELSE 'm:' || {a}.request_id || '/' || {a}.household_id || '/' || CAST({a}.member_no AS VARCHAR) END")
