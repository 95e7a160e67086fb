"""The facts of a household the nightly compares from one verification to the next, taken from
its report JSON (`facts_of`); `pipelines.changes` compares two of them.

An income source is a (person, source, item, payer) with a counted record in the income window;
a benefit's scheme (`insurance_type`) is part of it: two pensions of two schemes are two sources.
It is active while it has a record in the last `ACTIVE_MONTHS` months that the department has
delivered (never past the income window), so a department exporting a month late does not make
every job "end" and "start" again. A benefit (a pension, unemployment benefit: social insurance
`待遇`) is paid every month, so it has ended once two delivered months lack it
(`ACTIVE_MONTHS_BENEFIT`: one month without it is more often that month's row left unlinked, without
an ID, than a pension stopped; an evaluator's nightly had 12 such "ended" and "new again" alerts of 46). Every source of the window is in the facts with its months, so income
delivered late for an older month is news, and a source that stops stays known until it leaves
the window. Only review-free links count (a `review` link is not yet the household's); a
member's own pension base beside a wage row waiting for review keeps the job in the facts, its
figure none (`PENDING_WAGE_NOTE`).
"""

from __future__ import annotations

from collections import defaultdict

from assessment.figures import PENDING_WAGE_NOTE
from pipelines.months import minus_months, month_of

ACTIVE_MONTHS, ACTIVE_MONTHS_BENEFIT = 3, 2
FACTS_FORM = 2
"""`household_facts.income_sources` is `{"form": 2, "persons": …, "since": …, "sources": [...]}`:
every source of the window, keyed by person. Form 1, a bare list, is what nightlies stored before:
the active sources only, and every member-keyed item keyed by member_no (`compare` reads both).
`"schemes": true` marks facts whose benefits carry their scheme (`compare` keys on it when both do)."""
KEYRING_TEXT = "hhverify household_facts persons"
"""Hashed with the secret into `persons`: facts whose person keys came from another secret (a root
restored without `.secrets/`) are compared by member_no rather than read as all new people."""


def _who(persons: dict | None, member_no) -> str:
    return persons[member_no] if persons and member_no in persons else str(member_no)


def window_sources(doc: dict, persons: dict | None = None) -> list[dict]:
    """Every income source in the household's window, with its months, monthly average and
    whether it is active; keyed by `persons` (member_no → person), by member_no without it."""
    names = {m["member_no"]: m["name"] for m in doc["members"]}
    window_end = month_of(doc["window"]["end"])
    months = max(int(doc["window"]["months"]), 1)
    totals: dict = defaultdict(float)
    periods: dict = defaultdict(set)
    member_no: dict = {}
    benefit: set = set()
    for r in doc["income"]["records"]:
        # a base beside a wage row waiting for review shows the job, though it counts nothing: left out, a
        # nightly evaluator's new job was flagged a month late, another 'ended' the night its wage came
        # in without an ID and was 'new' again when one came with it
        job = r.get("note") == PENDING_WAGE_NOTE and r["decision"] in ("auto", "confirmed")
        if not job and (not r.get("counted") or r["decision"] == "review"):
            continue
        # a benefit's scheme tells two pensions apart: a 城乡居民 pension and a late 企业职工 one
        # share item and (empty) payer, and the second raised nothing (an evaluator)
        scheme = (r.get("insurance_type") or "") if r.get("kind") == "benefit" else ""
        key = (_who(persons, r["member_no"]), r["source"], r["item"], r.get("payer") or "", scheme)
        totals[key] += float(r["amount"] or 0) if r.get("counted") else 0.0
        periods[key].add(r["period"])
        member_no[key] = r["member_no"]
        if r.get("kind") == "benefit":
            benefit.add(key)
    out = []
    for key in sorted(periods):
        person, source, item, payer, scheme = key
        delivered = min(window_end, month_of((doc.get("data_as_of") or {}).get(source)) or window_end)
        active = ACTIVE_MONTHS_BENEFIT if key in benefit else ACTIVE_MONTHS
        n = member_no[key]
        shown = "，".join(x for x in (scheme if scheme and scheme not in item else "", payer) if x)
        out.append({"key": "|".join(key[:4]), "person": person, "member_no": n, "source": source, "item": item,
                    "payer": payer, "scheme": scheme, "label": f"{names.get(n, n)}：{item}" + (f"（{shown}）" if shown else ""),
                    "monthly": round(totals[key] / months, 2), "months": sorted(periods[key]),
                    "active": max(periods[key]) >= minus_months(delivered, active - 1)})
    return out


def income_sources(doc: dict, persons: dict | None = None) -> list[dict]:
    """Active income sources of the household's members, each with its monthly average."""
    return [s for s in window_sources(doc, persons) if s["active"]]


def _since(doc: dict) -> dict[str, str]:
    """The first month of each source's income window (`assessment.window.source_windows`)."""
    window = doc["window"]
    by_source = window.get("by_source") or {}
    return {s: month_of(w["start"]) for s, w in by_source.items()} or {"*": month_of(window.get("start"))}


def facts_of(doc: dict, persons: dict | None = None, keyring: str | None = None) -> dict:
    """What the nightly compares: figures against their thresholds, held assets, income sources,
    members without consent; members keyed by `persons` (member_no → `person_keys`)."""
    from pipelines.publish import fingerprint  # publish records these facts: import at call time

    names = {m["member_no"]: m["name"] for m in doc["members"]}
    # `counted` (assessment.figures): held, on a link that counts, and not a repeat of another row
    held = lambda items: [x for x in items if x.get("counted", x["held"] and x["decision"] != "review")]  # noqa: E731
    worst = "fail" if doc["outcome"] == "fail" else "warn"
    return {
        "outcome": doc["outcome"], "fingerprint": fingerprint(doc),
        # what holds or fails the household now (not stored: `outcome.changed` says it of the new facts)
        "reasons": [f["message"] for f in doc.get("findings") or () if f.get("severity") == worst][:2],
        "income_per_capita": doc["income"]["monthly_per_capita"],
        "income_standard": doc["standards"]["income_standard"],
        "financial_per_capita": doc["assets"]["financial_per_capita"],
        "asset_limit_per_capita": doc["standards"]["asset_limit_per_capita"],
        "vehicles": sorted(({"key": v["plate_number"], "member_no": v["member_no"],
                             "person": _who(persons, v["member_no"]), "exempt": bool(v.get("exempt")),
                             "label": f"{v['vehicle_type']} {v['plate_number']}（{names.get(v['member_no'], '')}）"}
                            for v in held(doc["assets"]["vehicles"])), key=lambda x: x["key"]),
        "properties": sorted(({"key": p["certificate_number"], "member_no": p["member_no"],
                               "person": _who(persons, p["member_no"]),
                               "label": f"{p['usage']} {p['location']}（{names.get(p['member_no'], '')}）"}
                              for p in held(doc["assets"]["properties"])), key=lambda x: x["key"]),
        "income_sources": {"form": FACTS_FORM, "persons": keyring, "since": _since(doc), "schemes": True,
                           "sources": window_sources(doc, persons),
                           # who the household is: a member leaving is not an income that "ended"
                           "members": [{"person": _who(persons, m["member_no"]), "label": m["name"]}
                                       for m in doc["members"] if m.get("is_member", True) is not False]},
        "unverified": [{"key": _who(persons, m["member_no"]), "person": _who(persons, m["member_no"]),
                        "member_no": m["member_no"], "label": m["name"]}
                       for m in doc["members"] if not m.get("consent")],
    }


def facts_form(facts: dict) -> int:
    return FACTS_FORM if isinstance(facts.get("income_sources"), dict) else 1
