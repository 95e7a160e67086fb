"""The view model: a household report reduced to the fields a human report may show.

Templates never see the pipeline's dict.  They see what ``household_view``
builds from it: identity numbers scrubbed (``masking.scrub``), every record cut
down to a whitelist of keys, lists guaranteed to be lists, and the derived
figures (counts, comparisons against the standard, sorted findings) computed
once here rather than in template logic.  A key not listed below cannot reach
the page, whatever the pipeline puts in the report.
"""

from __future__ import annotations

import re
from typing import Any

from . import formatting as fmt
from .chart import income_chart
from .masking import mask_account, mask_id, scrub
from .picking import amounts, as_dict, dicts, lineage, pick, pick_row

MEMBER_KEYS = ("member_no", "name", "relation", "is_member", "gender", "age", "labor_capacity",
               "disability_grade", "consent", "consent_ref", "id_check", "monthly_income",
               "financial_assets", "vehicles", "properties")
MATCH_KEYS = ("source", "record_id", "match_probability", "decision")
WEIGHT_KEYS = ("field", "level", "weight")
RECORD_KEYS = ("member_no", "source", "record_id", "period", "item", "amount", "match_probability",
               "decision", "reason", "counted", "note", "kind", "record_name")
_HOLDING_KEYS = ("status", "held", "repeat", "counted", "note", "match_probability", "decision", "record_name")
VEHICLE_KEYS = ("member_no", "source", "record_id", "plate_number", "vehicle_type", "registration_date",
                "purchase_price", "exempt", *_HOLDING_KEYS)
PROPERTY_KEYS = ("member_no", "source", "record_id", "certificate_number", "location", "usage", "floor_area",
                 "share", "owned_area", "joint", *_HOLDING_KEYS)
FINANCIAL_KEYS = ("member_no", "source", "record_id", "institution", "product_type", "balance",
                  "as_of_date", "match_probability", "decision", "counted", "note", "record_name")
BY_MEMBER_KEYS = ("member_no", "vehicles", "properties", "owned_area", "financial_total")
STANDARD_KEYS = ("income_standard", "dibao_standard", "asset_limit_per_capita", "asset_multiplier", "policy_version",
                 "placeholder", "effective_from")
INCOME_KEYS = ("monthly_total", "monthly_per_capita", "members_counted", "months_covered",
               "declared_monthly_total", "difference", "declared_unverified")
HEADER_KEYS = ("request_id", "agency", "household_id", "program", "county_code", "county_name", "area",
               "request_date", "generated_at", "run_id")
NOT_AUTH_KEYS = ("member_no", "name", "reason")


def _member_sort_key(item: dict) -> tuple:
    number = fmt.to_number(item.get("member_no"))
    return (number if number is not None else float("inf"), str(item.get("member_no")))


def _compare(value: Any, limit: Any) -> str:
    """'below' | 'above' | 'equal' | 'unknown' — a fact for the reader, not a verdict."""
    a, b = fmt.to_number(value), fmt.to_number(limit)
    if a is None or b is None:
        return "unknown"
    return "below" if a < b else ("above" if a > b else "equal")


def _compare_floor(value: Any, limit: Any, complete: bool) -> str:
    """``_compare``, or 'incomplete' for a figure that leaves out unverified members and is not above."""
    state = _compare(value, limit)
    return state if complete or state in ("above", "unknown") else "incomplete"


CONFIRMED_VERDICT = "；已经人工复核确认"


def _summary(match: dict, text: Any) -> str | None:
    """The linker's reason for a match; a confirmed one's question ("…，需人工复核") is said to be
    answered (a caseworker-side probe read "✔ 已确认" beside "需人工复核")."""
    if not isinstance(text, str):
        return None
    if match.get("decision") == "confirmed" and "需人工复核" in text:
        return text.split("；", 1)[0] + CONFIRMED_VERDICT
    return text


def _members(report: dict) -> list[dict]:
    members = []
    for raw in sorted(dicts(report.get("members")), key=_member_sort_key):
        member = pick(raw, MEMBER_KEYS)
        member["id_number_masked"] = mask_id(raw.get("id_number_masked")) or None
        matches = []
        for match in dicts(raw.get("matches")):
            item = pick(match, MATCH_KEYS)
            evidence = as_dict(match.get("evidence"))
            item["summary"] = _summary(item, evidence.get("summary"))
            item["weights"] = [pick(w, WEIGHT_KEYS) for w in dicts(evidence.get("weights"))]
            matches.append(item)
        member["matches"] = matches
        member["review_count"] = sum(1 for m in matches if m["decision"] == "review")
        members.append(member)
    return members


_ID_PARTS_RE = re.compile(r"(.*?)(\d+)")


def id_span(ids: list) -> str | None:
    """``TAX000000123 – TAX000000134`` when ``ids`` (3 or more) are one consecutive run, else None."""
    if len(ids) < 3:
        return None
    parts = [_ID_PARTS_RE.fullmatch(i) if isinstance(i, str) else None for i in ids]
    if not all(parts) or len({(p.group(1), len(p.group(2))) for p in parts}) != 1:
        return None
    numbers = sorted(int(p.group(2)) for p in parts)
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return None
    prefix, width = parts[0].group(1), len(parts[0].group(2))
    return f"{prefix}{numbers[0]:0{width}d} – {prefix}{numbers[-1]:0{width}d}"


def _match_groups(members: list[dict]) -> list[dict]:
    """Matches for the appendix, identical ones folded into one row.

    Consecutive matches of one member that agree on source, decision,
    probability and evidence (twelve monthly wage records matched by ID and
    name) become one row listing all their record ids; a ``review`` match is
    always a row of its own.
    """
    groups: list[dict] = []
    for member in members:
        for match in member["matches"]:
            key = (member["member_no"], match["source"], match["decision"], match["match_probability"],
                   match["summary"], tuple(tuple(w.values()) for w in match["weights"]))
            last = groups[-1] if groups else None
            if last is not None and last["key"] == key and match["decision"] != "review":
                last["record_ids"].append(match["record_id"])
                continue
            groups.append({"key": key, "member_no": member["member_no"], "name": member["name"],
                           "record_ids": [match["record_id"]], **{k: match[k] for k in
                           ("source", "decision", "match_probability", "summary", "weights")}})
    for group in groups:
        del group["key"]
        group["id_span"] = id_span(group["record_ids"])
    return groups


def _findings(report: dict) -> list[dict]:
    findings = []
    for raw in dicts(report.get("findings")):
        label, symbol, rank = fmt.severity(raw.get("severity"))
        findings.append({
            "rule": raw.get("rule"), "severity": raw.get("severity") if rank < 3 else "info",
            "label": label, "symbol": symbol, "rank": rank, "message": raw.get("message"),
            "evidence": [pick(e, ("source", "record_id")) for e in dicts(raw.get("evidence"))],
        })
    return sorted(findings, key=lambda f: f["rank"])


def unverified_members(report: dict, members: list[dict]) -> int:
    """Members counted in the household (not supporters) without consent: their income and assets
    were not verified. For a report without ``income.members_unverified``."""
    return sum(1 for m in members if m["is_member"] is not False and not m["consent"])


_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def _month(day: Any) -> str | None:
    """'2026-10' from '2026-10-31' (None when not a date)."""
    found = _MONTH_RE.match(day) if isinstance(day, str) else None
    return f"{found.group(1)}-{found.group(2)}" if found else None


def _months(first: str, last: str) -> list[str]:
    """'YYYY-MM' labels after ``first`` up to and including ``last``."""
    y, m = int(first[:4]), int(first[5:])
    out = []
    while True:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        label = f"{y:04d}-{m:02d}"
        if label > last:
            return out
        out.append(label)


def source_windows(window: Any, data_as_of: Any = None) -> list[dict]:
    """The income sources read over a window other than the request's (``window.by_source``:
    a source that has not delivered the window's last months steps back over them), each with
    its own months and the months it has not delivered yet, in the usual source order: those after
    its window, and those inside it after the source's latest delivery (``data_as_of``; a source more
    months behind than a window steps back: a time probe's header left out 2025-02, inside the
    shifted window and undelivered too)."""
    window = as_dict(window)
    delivered = as_dict(data_as_of)
    end = _month(window.get("end"))
    start = _month(window.get("start"))
    by_source = as_dict(window.get("by_source"))
    out = []
    for source, own in amounts(by_source):
        own = as_dict(own)
        own_start, own_end = _month(own.get("start")), _month(own.get("end"))
        if own_start is None or own_end is None or (own_start, own_end) == (start, end):
            continue
        through = _month(delivered.get(source))
        after = through if through is not None and own_start <= through < own_end else own_end
        out.append({"source": source, "start": own_start, "end": own_end,
                    "undelivered": _months(after, end) if end and after < end else []})
    return out


def undelivered_months(sources: list[dict]) -> dict[str, list[str]]:
    """{month: [source, …]} — the months of the window a source has not delivered yet."""
    out: dict[str, list[str]] = {}
    for item in sources:
        for month in item["undelivered"]:
            out.setdefault(month, []).append(item["source"])
    return out


THRESHOLD_PROGRAMS = ("dibao", "tekun")
"""Programmes whose outcome depends on the income standard and the asset limit (assessment.rules)."""


def household_view(report: dict, *, scrubbed: bool = False) -> dict:
    """Everything ``household.html.j2`` renders, built from a pipeline report dict.

    ``scrubbed=True`` says the caller already passed the report through ``scrub`` (the writer
    does, once, for both the JSON and the HTML: it is a third of the rendering time)."""
    report = as_dict(report) if scrubbed else scrub(as_dict(report))
    view = pick(report, HEADER_KEYS)
    view["program_label"] = fmt.program_label(report.get("program"), report.get("program_label"))
    view["area_label"] = fmt.AREA_LABELS.get(str(report.get("area")), report.get("area"))
    window = pick(report.get("window"), ("start", "end", "months"))
    window["sources"] = source_windows(report.get("window"), report.get("data_as_of"))
    view["window"] = window
    outcome_label, outcome_symbol, outcome_class = fmt.outcome(report.get("outcome"))
    view["outcome"] = {"label": outcome_label, "symbol": outcome_symbol, "css": outcome_class}

    members = _members(report)
    view["members"] = members
    view["match_groups"] = _match_groups(members)
    names = {m["member_no"]: (m["name"] if m["is_member"] is not False or fmt.missing(m["relation"])
                              else f"{m['name']}（{m['relation']}）") for m in members}
    view["member_names"] = names

    income = as_dict(report.get("income"))
    view["income"] = pick(income, INCOME_KEYS)
    view["income"]["by_source"] = [(k, a) for k, a in amounts(income.get("by_source")) if a != 0]   # lines with income
    view["income"]["by_item"] = amounts(income.get("by_item"), by_source=False)
    # each line is rounded once from its exact sum, and so is the total: lines of 83.335 + 83.335
    # show 83.34 + 83.34 beside a total of 166.67, which a caseworker adding them up should be told
    parts = [a for _, a in view["income"]["by_source"] if isinstance(a, (int, float))]
    total = income.get("monthly_total")
    view["income"]["rounding_note"] = (isinstance(total, (int, float)) and len(parts) > 1
                                       and abs(round(sum(parts), 2) - total) >= 0.005)
    basis = income.get("evidence_basis")
    view["income"]["evidence_basis"] = [str(b) for b in basis] if isinstance(basis, (list, tuple)) else []
    records = [pick_row(r, RECORD_KEYS) for r in dicts(income.get("records"))]
    for r in records:   # a confirmed row's reason says its question was answered, as its match's does
        r["reason"] = _summary(r, r["reason"])
    view["income"]["records"] = sorted(records, key=lambda r: (*_member_sort_key(r), str(r["source"]), str(r["period"])))
    view["income"]["has_counted"] = any(r["counted"] is not None for r in records)

    assets = as_dict(report.get("assets"))
    vehicles = [pick_row(v, VEHICLE_KEYS) for v in dicts(assets.get("vehicles"))]
    properties = [pick_row(p, PROPERTY_KEYS) for p in dicts(assets.get("properties"))]
    financial = []   # the linked balances no figure reads follow, marked 不计入 with the reason
    for raw in dicts(assets.get("financial")) + dicts(assets.get("financial_not_counted")):
        item = pick_row(raw, FINANCIAL_KEYS)
        item["account_number"] = mask_account(raw.get("account_number")) or None
        financial.append(item)
    view["assets"] = {
        "vehicles": sorted(vehicles, key=_member_sort_key),
        "properties": sorted(properties, key=_member_sort_key),
        "financial": sorted(financial, key=_member_sort_key),
        "financial_total": assets.get("financial_total"),
        "financial_per_capita": assets.get("financial_per_capita"),
        # the declarations, beside what was verified (a probe found them only in a finding's text)
        "declared_financial_total": assets.get("declared_financial_total"),
        "declared_financial_unverified": assets.get("declared_financial_unverified"),
        "by_member": sorted((pick(b, BY_MEMBER_KEYS) for b in dicts(assets.get("by_member"))), key=_member_sort_key),
    }
    # what the household holds now, on links that count: a deregistered car, a sold flat or a
    # link still awaiting review is listed in the tables but not counted (as in assessment);
    # nor are a supporter's (赡养人 …): their means are judged separately, in the findings;
    # nor a row that repeats another's plate or certificate (assessment marks it counted: false)
    supporters = {m["member_no"] for m in members if m["is_member"] is False}

    def counts(row: dict) -> bool:
        return (row["held"] is not False and row["counted"] is not False and row["decision"] != "review"
                and row["member_no"] not in supporters)

    held_vehicles = [v for v in vehicles if counts(v)]
    held_properties = [p for p in properties if counts(p)]
    view["held_vehicles"] = len({str(v["record_id"] if fmt.missing(v["plate_number"]) else v["plate_number"])
                                 for v in held_vehicles})  # one plate, one vehicle
    view["flag_vehicles"] = sum(1 for v in held_vehicles if v["exempt"] is not True)
    view["exempt_known"] = all(v["exempt"] is not None for v in held_vehicles)
    certificates = {str(p["record_id"] if fmt.missing(p["certificate_number"]) else p["certificate_number"])
                    for p in held_properties}
    view["property_count"] = len(certificates)  # co-owners of one home are two rows, one property
    total = fmt.to_number(assets.get("owned_area_total"))   # exact: rounded halves gave 50.54 for 50.55 (a probe)
    rows = sum(fmt.to_number(p["owned_area"]) or 0.0 for p in held_properties)
    view["assets"]["owned_area_total"] = (rows if total is None else total) if held_properties else None

    # a counted member without consent adds nothing to the figures but divides them: they are
    # not a verified low income, so they are marked incomplete and not compared (contract: a person
    # without consent is not verified and the report says so)
    unverified = unverified_members(report, members)
    for key, section in (("income", income), ("assets", assets)):
        flag, count = section.get("complete"), section.get("members_unverified")
        count = count if isinstance(count, int) and not isinstance(count, bool) else unverified
        view[key]["members_unverified"] = count
        shared = section.get("members_id_shared")
        view[key]["members_id_shared"] = shared if isinstance(shared, int) and not isinstance(shared, bool) else 0
        view[key]["complete"] = flag if isinstance(flag, bool) else count == 0

    standards = pick(report.get("standards"), STANDARD_KEYS)
    view["standards"] = standards
    # incomplete figures are a floor: the members left out can only add to them, so "above" still
    # holds, but "below" / "equal" is not known (a verified low income it is not)
    view["income_vs_standard"] = _compare_floor(view["income"]["monthly_per_capita"], standards["income_standard"],
                                                view["income"]["complete"])
    view["assets_vs_limit"] = _compare_floor(view["assets"]["financial_per_capita"],
                                             standards["asset_limit_per_capita"], view["assets"]["complete"])
    # Only 低保 and 特困 are judged on these lines: for the others the comparison is information,
    # and a red "above the standard" beside "pass" read as a contradiction (a probe).
    view["standards_judge"] = report.get("program") in THRESHOLD_PROGRAMS
    view["area_basis"] = report.get("area_basis")

    findings = _findings(report)
    view["findings"] = findings
    view["finding_counts"] = {s: sum(1 for f in findings if f["severity"] == s) for s in ("fail", "warn", "info")}
    # a nightly report says what brought it (a probe: its printed page never did, only the JSON)
    view["changes"] = _findings({"findings": [{**c, "rule": c.get("kind")} for c in dicts(report.get("changes"))]})
    # an answered request's report issued again says so, and what moved (`pipelines.reissue`)
    view["reissue"] = report.get("reissue") if isinstance(report.get("reissue"), dict) else None

    # review links, counted once per (source, record_id) across members, income and assets
    review = {(m["source"], m["record_id"]) for member in members for m in member["matches"] if m["decision"] == "review"}
    for row in records + vehicles + properties + financial:
        if row["decision"] == "review":
            review.add((row["source"], row["record_id"]))
    view["review_count"] = len(review)

    view["not_authorised"] = sorted((pick(n, NOT_AUTH_KEYS) for n in dicts(report.get("not_authorised"))), key=_member_sort_key)

    as_of = as_dict(report.get("data_as_of"))
    freshness = []
    for source, _ in amounts({k: None for k in as_of}):
        day = as_of.get(source)
        freshness.append({"source": source, "date": day, "age_days": fmt.days_between(day, report.get("request_date"))})
    view["freshness"] = freshness

    reference, reference_label = None, ""
    standard, counted = fmt.to_number(standards["income_standard"]), fmt.to_number(view["income"]["members_counted"])
    if standard and counted:
        reference = standard * counted
        reference_label = f"收入标准×{counted:g}人 = {fmt.money(reference)}"
    undelivered = undelivered_months(window["sources"])
    view["chart"] = income_chart(income.get("monthly_series"), reference, reference_label, undelivered)
    view["undelivered"] = [{"month": m, "sources": undelivered[m]} for m in sorted(undelivered)]
    view["chart_months"] = len(dicts(income.get("monthly_series")))
    return view


def index_row(report: dict) -> dict:
    """One household's line in index.html and summary.xlsx."""
    return index_row_of(household_view(report))


def index_row_of(view: dict) -> dict:
    """`index_row` from a `household_view` already built (the writer builds one per household)."""
    members = [m for m in view["members"] if m["is_member"] is not False]
    counted = view["income"]["members_counted"]
    return {
        "request_id": view["request_id"], "household_id": view["household_id"], "program": view["program"],
        "program_label": view["program_label"], "county_code": view["county_code"],
        "county_name": view["county_name"], "members": counted if counted is not None else len(members),
        "monthly_per_capita": view["income"]["monthly_per_capita"],
        "income_standard": view["standards"]["income_standard"],
        "financial_per_capita": view["assets"]["financial_per_capita"],
        "vehicles": view["held_vehicles"], "properties": view["property_count"],
        "outcome": view["outcome"],
        "finding_counts": view["finding_counts"], "review_count": view["review_count"],
        "not_authorised": len(view["not_authorised"]),
        "income_complete": view["income"]["complete"], "assets_complete": view["assets"]["complete"],
        "changes": [c["message"] for c in view.get("changes") or []]}
