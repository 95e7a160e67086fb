"""The answers already taken in for a pair (record, person), and how a new answer on a returned sheet
stands to them: the same answer again, or an earlier one a sheet sent again would bring back."""

from __future__ import annotations

import re

from review.keys import LinkKey, fold


def who(reviewer) -> str:
    return re.sub(r"\s+", "", fold(reviewer))


def latest_answers(con, keys: list[LinkKey]) -> dict[tuple, dict]:
    pairs = sorted({(k.source, k.record_id) for k in keys})
    if not pairs:
        return {}
    res = con.execute("SELECT source, record_id, member_key, decision, reviewer, decided_at, decision_id, "
                      "match_probability, evidence_hash, request_id, household_id, member_no, note "
                      "FROM review_decisions_latest WHERE (source, record_id) IN "
                      "(SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]))",
                      [[p[0] for p in pairs], [p[1] for p in pairs]])
    return {(r[0], r[1], r[2]): {"decision": r[3], "reviewer": r[4], "decided_at": r[5], "decision_id": r[6],
                                 "match_probability": r[7], "evidence_hash": r[8],
                                 "link": LinkKey(r[0], r[1], r[9], r[10], r[11]), "note": r[12]}
            for r in res.fetchall()}


def answer_history(con, keys: list[LinkKey]) -> dict[tuple, list[dict]]:
    """Every answer taken in for the pairs of `keys`, oldest first, by pair."""
    pairs = sorted({(k.source, k.record_id) for k in keys})
    out: dict[tuple, list[dict]] = {}
    if not pairs:
        return out
    for source, record_id, key, decision, reviewer, note, decision_id, decided_at in con.execute(
            "SELECT source, record_id, member_key, decision, reviewer, note, decision_id, decided_at "
            "FROM review_decisions WHERE (source, record_id) IN (SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])) "
            "ORDER BY decision_id", [[p[0] for p in pairs], [p[1] for p in pairs]]).fetchall():
        out.setdefault((source, record_id, key), []).append(
            {"decision": decision, "reviewer": reviewer, "note": note, "decision_id": decision_id, "decided_at": decided_at})
    return out


def replayed(history: list[dict], before: dict, a: dict) -> dict | None:
    """The earlier answer a row repeats, when that answer has since been replaced and the row was not
    written against the answer in force: a sheet sent again (re-saved, forwarded). A review probe's
    re-sent sheet turned its own reviewer's later 否认 back into 确认, counting a namesake's wage."""
    if a["shown"] == before["decision_id"]:
        return None
    return next((d for d in history if d["decision_id"] < before["decision_id"] and d["decision"] == a["decision"]
                 and who(d["reviewer"]) == who(a["reviewer"]) and (a["note"] or None) in (None, d["note"])), None)


def same_answer(before: dict | None, a: dict) -> bool:
    """The answer in force, given again by its reviewer (a sheet sent twice, or an old one answered
    again): nothing to store. A review probe's re-sent sheets appended every answer again, and
    its re-sent denials were refused as problems, 210 lines of them."""
    return (before is not None and before["decision"] == a["decision"] and who(before["reviewer"]) == who(a["reviewer"])
            and (a["note"] or None) in (None, before["note"]))
