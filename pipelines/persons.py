"""Who a household's members are across nightly passes: a pseudonymous key per person
(`person_keys`), and the members whose key moved while they stayed (`rekeyed`), so that a
renumbered snapshot or a corrected ID raises no alert of its own (`pipelines.changes`)."""

from __future__ import annotations

from collections import Counter

from matching.person_key import person_id
from pipelines.snapshot import person_key


def person_keys(members, secret: bytes) -> dict[int, str]:
    """member_no → the person, for a household's members (dicts with member_no, name, id_number,
    id_status): `P…` of their trusted ID number, else `N…` of their name.

    HMAC keys, the analyst copy's for an ID (`pipelines.snapshot`): the facts are copied to it
    as they are, and a plain or merely hashed ID there could be read back. Two members who
    would share a key (one ID typed for both, two namesakes without one) keep apart by number.
    """
    keys = {}
    for m in members:
        trusted = person_id(m.get("id_number"), m.get("id_status"))
        keys[int(m["member_no"])] = person_key(secret, trusted, "P") if trusted else person_key(secret, m["name"], "N")
    shared = Counter(keys.values())
    return {n: k if shared[k] == 1 else f"{k}#{n}" for n, k in keys.items()}


def rekeyed(was: list[dict], now: list[dict]) -> dict[str, str]:
    """{earlier key: key now} of members ({person, label}) keyed otherwise now but listed under the
    same name, the only one of that name on either side: a corrected ID number moves a member's key
    (`person_keys`: of the ID once it is trusted, of the name before)."""
    names_was, names_now = Counter(m["label"] for m in was), Counter(m["label"] for m in now)
    came = {m["label"]: m["person"] for m in now if m["person"] not in {w["person"] for w in was}}
    return {m["person"]: came[m["label"]] for m in was
            if m["label"] in came and m["person"] not in {n["person"] for n in now}
            and names_was[m["label"]] == names_now[m["label"]] == 1}
