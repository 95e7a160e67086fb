"""Assemble one household's assessment: figures, rule findings, and the report document.

The document is the contract §4 JSON (plus the detail the HTML needs); the same dict is
rendered by `reports`, so every figure shown is the figure computed here, traceable to the
source rows listed under it.
"""

from __future__ import annotations

from datetime import date

from assessment.figures import (COUNTED_DECISIONS, EMPLOYMENT_ITEMS, WORK_CONTRIBUTION_TYPES, asset_figures,
                                classify_income, exempt_vehicle, fen, income_figures, monthly_series,
                                owned_area)
from assessment.policy import Policy, area_and_basis
from assessment.pending import review_can_change, said_beside_a_fail
from assessment.facts import PROGRAM_LABELS
from assessment.rules import Facts, evaluate
from assessment.evidence import MAX_LAG_MONTHS
from assessment.material import material_review_links, supporters_pending_that_matter
from assessment.unclaimed import QUESTION_METHOD
from assessment.window import months_between, source_windows, sources_behind, window_for
from connectors.values.consent import no_consent_words
from connectors.values.idnumber import birth_date_of, mask_id

SUPPORTER_RELATIONS = ("赡养人", "抚养人", "扶养人")


def _age(birth: date | None, on: date) -> int | None:
    if birth is None or birth > on:   # (born after the request date: no age, `id_check.born_later`)
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _id_check(status: str | None) -> str:
    return {"valid": "valid", "repaired": "repaired"}.get(status or "", "invalid")


def _birth_date(m: dict) -> date | None:
    """The birth date a member's age is counted from, for the report and every rule: a valid (or
    upgraded legacy) ID number's over a declared one (`connectors.values.idnumber.birth_date_of`).
    The contradiction itself is a finding (`declared.birth_date`)."""
    return birth_date_of(m)


def _gender(m: dict) -> str | None:
    """The gender shown and judged: a valid (or upgraded legacy) ID number's, as for the birth
    date (`_birth_date`), else the declared one; a contradiction is `declared.gender`."""
    if m["id_status"] in ("valid", "repaired") and m.get("id_gender"):
        return m["id_gender"]
    return m.get("gender") or m.get("id_gender")


def shared_id_members(members: list[dict]) -> set[int]:
    """member_no of the household members (consenting, supporters aside) whose valid or
    repaired ID number another of them also carries."""
    by_id: dict = {}
    for m in members:
        if m["relation"] not in SUPPORTER_RELATIONS and m["consent"] and m["id_status"] in ("valid", "repaired"):
            by_id.setdefault(m["id_number"], []).append(m["member_no"])
    return {no for nos in by_id.values() if len(nos) > 1 for no in nos}


def _iso(d) -> str | None:
    return d.isoformat() if d is not None else None


def _match(rec: dict) -> dict:
    return {"source": rec["source"], "record_id": rec["record_id"],
            "match_probability": round(float(rec["match_probability"]), 4), "decision": rec["decision"],
            "evidence": rec.get("evidence_json") or {"summary": rec.get("reason")}}


def build_household(hh: dict, members: list[dict], income_recs: list[dict], vehicles: list[dict],
                    properties: list[dict], accounts: list[dict], links: list[dict], policy: Policy,
                    data_as_of: dict, generated_at: str, refused: list[dict] = (),
                    newer_balances: list[dict] = (), unclaimed: list[dict] = (),
                    unsure_wages: list[dict] = (), other_balances: list[dict] = (),
                    unreadable: dict | None = None, delivered_empty: tuple = ()) -> dict:
    """The full report document for one household of a request (`refused`: department rows
    refused at load that carry a member's ID, `assessment.evidence.refused_sql`; `newer_balances`:
    newer statements of counted accounts nobody is linked to, `assessment.evidence.newer_balances_sql`)."""
    request_date: date = hh["request_date"]
    county = policy.county(hh["county_code"])
    params = county.params
    head = next((m for m in members if m["relation"] == "户主"), members[0])
    area, area_basis = area_and_basis(county, head.get("address"), hh.get("program_area"))
    standard = policy.standard(hh["county_code"], request_date, area)
    start, end = window_for(request_date, int(params["window_months"]))
    delivered = {s: date.fromisoformat(d) for s, d in (data_as_of or {}).items() if d}
    windows = source_windows(start, end, delivered, MAX_LAG_MONTHS)
    behind = sources_behind(end, delivered, MAX_LAG_MONTHS)
    # a contribution base stands in for a tax wage: it is read over the tax window too (tax a
    # month late, a rules probe's base-only earner lost the window's first month, a wrong pass)
    undelivered = [{**r, "counted": False, "note": LATE_MONTH_NOTE.format(source=SOURCE_CN.get(r["source"], r["source"]))}
                   for r in income_recs if _within(r["period"], (start, end))
                   and r["period"] > windows.get(r["source"], (start, end))[1]
                   and not (r["kind"] == "contribution" and _within(r["period"], windows["tax"]))]
    income_recs = [r for r in income_recs if _within(r["period"], windows.get(r["source"], (start, end)))
                   or r["kind"] == "contribution" and _within(r["period"], windows["tax"])]
    months = months_between(min(w[0] for w in windows.values()), end)

    household_nos = {m["member_no"] for m in members if m["relation"] not in SUPPORTER_RELATIONS and m["consent"]}
    supporter_nos = {m["member_no"] for m in members if m["relation"] in SUPPORTER_RELATIONS and m["consent"]}
    # a base stands in for a wage only in a month whose tax export has arrived: none at all when
    # tax has never been delivered (a rules probe's base of 7,536 failed a household with no tax);
    # a caller that does not say what was delivered (no "tax" key) leaves the window's end
    tax_last = delivered.get("tax")
    tax_none = "tax" in (data_as_of or {}) and tax_last is None
    classify_income(income_recs, params, tax_through=date.min if tax_none
                    else min(windows["tax"][1], tax_last) if tax_last else windows["tax"][1],
                    tax_from=windows["tax"][0], unsure={(r["member_no"], r["period"]): r for r in unsure_wages})
    window_months = len(months_between(start, end))
    inc = income_figures(income_recs, window_months, household_nos)
    assets = asset_figures(vehicles, properties, accounts, household_nos)
    sup_inc = income_figures(income_recs, window_months, supporter_nos)
    sup_assets = asset_figures(vehicles, properties, accounts, supporter_nos)

    # each source's last N months *delivered*: a month tax has not exported yet is not a month
    # without a wage (a programmes probe's 就业 member, paid only in June, was "six months without
    # work" over July to a December nobody had data for)
    n_recent = int(params["employment_months"])
    recent = {s: set(months_between(*w)[-n_recent:]) for s, w in windows.items()}
    employment_through = {s: w[1] for s, w in windows.items() if w[1] < end}
    employment: dict = {}
    employment_rows: dict = {}
    for r in income_recs:
        # a contribution to an employee scheme shows work even where it is not counted as income
        # (a tax wage that month, a self-chosen base of flexible employment, an unemployment or
        # injury insurance paid by the employer); a 城乡居民 one is paid by people without an employer
        works = (r["kind"] == "contribution" and r.get("insurance_type") in WORK_CONTRIBUTION_TYPES
                 or r["kind"] == "tax_income" and r["counted"] and r["item"] in EMPLOYMENT_ITEMS)
        if r["decision"] in COUNTED_DECISIONS and works and r["period"].strftime("%Y-%m") in recent[r["source"]]:
            employment.setdefault(r["member_no"], set()).add(r["period"])
            employment_rows.setdefault(r["member_no"], []).append(r)

    declared = [m["declared_monthly_income"] for m in members
                if m["relation"] not in SUPPORTER_RELATIONS and m["declared_monthly_income"] is not None]
    verified_declared = _verified_declaring(members, "declared_monthly_income")   # none: nothing to compare (not 0)
    # An unverified member's declaration has nothing to be compared with: the declared total is the verified
    # members' (a probe's withdrawn consent showed a difference of -217); theirs is `declared_unverified`.
    unverified_declared = sum(float(m["declared_monthly_income"]) for m in members
                              if m["relation"] not in SUPPORTER_RELATIONS and not m["consent"]
                              and m["declared_monthly_income"] is not None)
    n_members = max(sum(1 for m in members if m["relation"] not in SUPPORTER_RELATIONS), 1)
    # members counted in `members_counted` but not verified (no consent): per-capita figures are incomplete
    unverified_members = sum(1 for m in members if m["relation"] not in SUPPORTER_RELATIONS and not m["consent"])
    # members sharing one ID number with another of the household: at most one of them is its
    # owner, and the other's own records are found under no ID of theirs (a probe's wife on her
    # husband's ID: her wage, deposit and car in no figure, the household passed)
    shared = len(shared_id_members(members))
    complete = unverified_members == 0 and shared == 0
    income = {
        "monthly_total": inc["monthly_total"],
        "monthly_per_capita": fen(inc["monthly_total_exact"] / n_members),
        "members_counted": n_members, "by_source": inc["by_source"], "by_item": inc["by_item"],
        "months_covered": inc["months_covered"], "evidence_basis": inc["evidence_basis"],
        "complete": complete, "members_unverified": unverified_members, "members_id_shared": shared,
        "declared_monthly_total": fen(float(sum(declared)) - unverified_declared) if verified_declared else None,
        "declared_unverified": fen(unverified_declared) if declared else None,
        "difference": fen(inc["monthly_total"] - (float(sum(declared)) - unverified_declared)) if verified_declared else None,
        "monthly_series": monthly_series(inc["series"], months),
        # a month its department has not finished delivering is outside the window; its rows are
        # listed, not counted (a rules probe's clerk never saw a new 7,536 wage)
        "records": [_record_out(r, supporter_nos) for r in sorted(income_recs + undelivered, key=lambda r: (
            r["member_no"], r["period"], r["source"], r["record_id"]))],
    }
    links_by_member: dict = {}
    for ln in links:
        links_by_member.setdefault(ln["member_no"], []).append(_match(ln))

    out_members = []
    for m in members:
        is_member = m["relation"] not in SUPPORTER_RELATIONS
        mine = [b for b in (assets if is_member else sup_assets)["by_member"] if b["member_no"] == m["member_no"]]
        out_members.append({
            "member_no": m["member_no"], "name": m["name"], "id_number_masked": mask_id(m["id_number"]),
            "relation": m["relation"], "is_member": is_member, "gender": _gender(m),
            "age": _age(_birth_date(m), request_date),
            "labor_capacity": m.get("labor_capacity"), "disability_grade": m.get("disability_grade"),
            "consent": m["consent"], "consent_ref": m.get("consent_ref"), "id_check": _id_check(m["id_status"]),
            "monthly_income": (inc if is_member else sup_inc)["per_member"].get(m["member_no"], 0.0) if m["consent"] else None,
            "financial_assets": mine[0]["financial_total"] if mine else None,
            "vehicles": mine[0]["vehicles"] if mine else None,
            "properties": mine[0]["properties"] if mine else None,
            "on_rolls_programs": m.get("on_rolls_programs") or [],
            "other_rolls": m.get("other_rolls") or [],
            "other_requests": m.get("other_requests") or [],
            "matches": sorted(links_by_member.get(m["member_no"], []), key=lambda x: (x["source"], x["record_id"])),
        })

    declared_assets = [m["declared_financial_assets"] for m in members
                       if m["relation"] not in SUPPORTER_RELATIONS and m["declared_financial_assets"] is not None]
    # as for income (a probe's "核对金融资产0.00元与申报500.00元相差-500.00元"): theirs is shown apart
    unverified_assets = sum(float(m["declared_financial_assets"]) for m in members
                            if m["relation"] not in SUPPORTER_RELATIONS and not m["consent"]
                            and m["declared_financial_assets"] is not None)
    fin_pc = fen(assets["financial_total_exact"] / n_members)
    exempt = set(params.get("exempt_vehicle_types") or ())
    assets_out = {
        "vehicles": [_vehicle_out(v, exempt, supporter_nos) for v in vehicles],
        "properties": [_property_out(p, supporter_nos) for p in properties],
        "financial": [_account_out(a, household_nos) for a in accounts],
        "financial_not_counted": [_other_balance_out(a, request_date, {_statement(x) for x in accounts})
                                  for a in other_balances],
        "vehicle_count": assets["vehicle_count"], "property_count": assets["property_count"],
        "owned_area_total": assets["owned_area"],
        "financial_total": assets["financial_total"], "financial_per_capita": fin_pc,
        "complete": complete, "members_unverified": unverified_members, "members_id_shared": shared,
        "declared_financial_total": fen(float(sum(declared_assets)) - unverified_assets)
                                    if _verified_declaring(members, "declared_financial_assets") else None,
        "declared_financial_unverified": fen(unverified_assets) if declared_assets else None,
        "by_member": assets["by_member"],
    }
    supporters = [{"member_no": m["member_no"], "name": m["name"],
                   "monthly_income": sup_inc["per_member"].get(m["member_no"], 0.0),
                   "financial_total": next(b["financial_total"] for b in sup_assets["by_member"]
                                           if b["member_no"] == m["member_no"]),
                   "evidence": [r for r in income_recs if r["member_no"] == m["member_no"] and r.get("counted")],
                   "asset_evidence": [a for a in sup_assets["counted_accounts"] if a["member_no"] == m["member_no"]]}
                  for m in members if m["member_no"] in supporter_nos]
    # a question about a row nobody is linked to is said by its own finding (`match.unclaimed`)
    review = [ln for ln in links if ln["decision"] == "review" and ln.get("method") != QUESTION_METHOD]
    # a supporter's rows are judged on their own, and only where they could cross the supporter's lines
    weighed = supporters_pending_that_matter(review, supporters, income_recs, accounts, hh["program"], params,
                                             standard.dibao, int(params["window_months"]))
    material = {id(ln) for ln in material_review_links(review, income_recs, accounts, params,
                                                        [p for p in properties if p["member_no"] in household_nos],
                                                        [v for v in vehicles if v["member_no"] in household_nos],
                                                        hh["program"], supporter_nos, weighed,
                                                        {m["member_no"]: _birth_date(m) for m in members}, request_date)
                if review_can_change(hh["program"], ln["source"])}
    facts = Facts(program=hh["program"],
                  members=[{**m, **o, "declared_gender": m.get("gender")} for m, o in zip(members, out_members)],
                  income={**income, "records": income_recs},
                  assets={**assets, "financial": accounts, "financial_per_capita": fin_pc,
                          "pending_vehicles": [v for v in vehicles if v["member_no"] in household_nos],
                          "pending_properties": [p for p in properties if p["member_no"] in household_nos],
                          "declared_financial_total": assets_out["declared_financial_total"],
                          "declared_financial_unverified": assets_out["declared_financial_unverified"]},
                  standard=standard, params=params,
                  review_links=[ln for ln in review if id(ln) in material], supporters=supporters,
                  review_links_info=[ln for ln in review if id(ln) not in material],
                  recent_employment=employment, employment_evidence=employment_rows,
                  employment_through=employment_through, origin=hh.get("origin"),
                  refused=list(refused), behind=behind, tax_delivered=not tax_none, request_date=request_date,
                  rolls_rows_held=int(hh.get("rolls_rows_held") or 0),
                  never_delivered=tuple(s for s, d in (data_as_of or {}).items() if not d),
                  unreadable=dict(unreadable or {}), delivered_empty=tuple(delivered_empty),
                  newer_balances=list(newer_balances),
                  unclaimed=_countable(unclaimed, windows, start, end, params),
                  unconfigured_county=None if hh["county_code"] in policy.counties else hh["county_code"],
                  county_code=hh["county_code"])
    findings, outcome = evaluate(facts)
    if outcome == "fail":
        findings = [said_beside_a_fail(x) for x in findings]
    return {
        "request_id": hh["request_id"], "agency": hh["agency"], "household_id": hh["household_id"],
        "program": hh["program"], "program_label": PROGRAM_LABELS.get(hh["program"], hh["program"]),
        "county_code": hh["county_code"], "county_name": county.name, "area": area, "area_basis": area_basis,
        "request_date": request_date.isoformat(), "generated_at": generated_at, "run_id": hh["run_id"],
        "window": {"start": start.isoformat(), "end": end.isoformat(), "months": window_months,
                   # a source not yet delivered for the window's last months is read over an
                   # earlier window of the same length (assessment.window.source_windows)
                   "by_source": {s: {"start": a.isoformat(), "end": b.isoformat()} for s, (a, b) in windows.items()},
                   "behind": {s: d.isoformat() for s, d in behind.items()}},
        "data_as_of": data_as_of,
        "members": out_members, "income": income, "assets": assets_out,
        "standards": {"income_standard": standard.tekun if hh["program"] == "tekun" else standard.dibao,
                      "dibao_standard": standard.dibao, "tekun_standard": standard.tekun,
                      "asset_limit_per_capita": fen(params["asset_multiplier"] * standard.dibao),
                      "asset_multiplier": params["asset_multiplier"], "effective_from": standard.effective_from.isoformat(),
                      "policy_version": policy.version, "placeholder": policy.placeholder},
        "findings": findings, "outcome": outcome,
        "not_authorised": [{"member_no": m["member_no"], "name": m["name"],
                            "reason": f"{no_consent_words(m.get('consent_ref'))}，未核对"}
                           for m in members if not m["consent"]],
    }


def _countable(rows, windows: dict, start: date, end: date, params: dict) -> list[dict]:
    """The unclaimed rows (`assessment.unclaimed.unclaimed_sql`) a figure would hold: income in its
    source's window, of an item and a benefit that count; vehicles and properties as they are."""
    excluded_items = set(params.get("excluded_income_items") or ())
    excluded_benefits = set(params.get("excluded_benefit_types") or ())
    out = []
    for r in rows:
        if r["kind"] in ("vehicle", "property"):
            out.append(dict(r))
        elif _within(r["period"], windows.get(r["source"], (start, end))) \
                and not (r["kind"] == "tax_income" and r["item"] in excluded_items) \
                and not (r["kind"] == "benefit" and r.get("insurance_type") in excluded_benefits):
            out.append(dict(r))
    return out


def _common(r: dict) -> dict:
    return {"member_no": r["member_no"], "source": r["source"], "record_id": r["record_id"],
            "match_probability": round(float(r["match_probability"]), 4), "decision": r["decision"],
            "reason": r.get("reason"), "file": r.get("file"), "row_number": r.get("row_number"),
            "record_name": r.get("record_name")}


SUPPORTER_NOTE = "赡养人（非家庭成员）的记录，不计入家庭收入和财产（特困供养据其收入和金融资产核算赡养能力）"
"""Not "used to judge capacity to support" on every row: only 特困 judges a supporter, and only on income and
financial assets (an employment probe read it on a 低保 supporter's wages and a 特困 supporter's car)."""


def _within(day: date, window: tuple[date, date]) -> bool:
    return window[0] <= day <= window[1]


LATE_MONTH_NOTE = "该月{source}数据尚未完整报送，收入期顺延，本条暂不计入月均（仅供参考）"
SOURCE_CN = {"tax": "税务", "social_insurance": "社保"}


def _record_out(r: dict, supporters: set) -> dict:
    # `counted` in a report means counted in the household's figures: a supporter's wage is not
    # (it is judged on its own, under tekun.supporter)
    supporter = r["member_no"] in supporters
    return {**_common(r), "kind": r["kind"], "period": r["period"].strftime("%Y-%m"), "item": r["item"],
            "amount": fen(float(r["amount"] or 0.0)), "payer": r.get("payer"), "repeat_of": r.get("repeat_of"),
            # the scheme a benefit is paid by: two pensions of two schemes are two incomes (nightly alerts)
            "insurance_type": r.get("insurance_type"),
            "counted": r["counted"] and not supporter,
            "note": SUPPORTER_NOTE if supporter and r["counted"] else r["note"]}


def _not_held_note(row: dict) -> str | None:
    if row.get("note") or row["held"]:
        return row.get("note")
    if row.get("transferred_to") and row.get("certificate_number") is not None:
        return f"该不动产权证号较新的登记记录{row['transferred_to']}权利人为他人（已转移登记），不再持有，不计入"
    if row.get("transferred_to"):
        return f"该号牌较新的登记记录{row['transferred_to']}所有人为他人（已过户），不再持有，不计入"
    if row.get("after_request"):
        return f"登记日期（{_iso(row['registration_date'])}）晚于申请日期，申请时尚未持有，不计入"
    return f"状态为{row['status']}，不再持有，不计入"


def _counted_note(row: dict, supporters: set) -> dict:
    # a supporter's vehicle or home is not the household's: the report said `counted: true`
    # beside household totals that left it out
    if row["member_no"] in supporters and row.get("counted"):
        return {"counted": False, "note": SUPPORTER_NOTE}
    return {"counted": bool(row.get("counted")), "note": _not_held_note(row)}


def _vehicle_out(v: dict, exempt: set, supporters: set) -> dict:
    return {**_common(v), "plate_number": v["plate_number"], "vehicle_type": v["vehicle_type"],
            "registration_date": _iso(v["registration_date"]), "purchase_price": v["purchase_price"],
            # a repeat of another row's plate is not a second vehicle held
            "status": v["status"], "exempt": exempt_vehicle(v["vehicle_type"], exempt), "held": bool(v["held"]) and not v.get("repeat"),
            "repeat": bool(v.get("duplicate")), **_counted_note(v, supporters)}


def _property_out(p: dict, supporters: set) -> dict:
    return {**_common(p), "certificate_number": p["certificate_number"], "location": p["location"],
            "usage": p["usage"], "floor_area": p["floor_area"], "share": p["share"],
            "owned_area": fen(owned_area(p)), "registration_date": _iso(p["registration_date"]),
            "status": p["status"], "held": bool(p["held"]) and not p.get("repeat"), "repeat": bool(p.get("duplicate")),
            "joint": bool(p.get("joint")), **_counted_note(p, supporters)}


def _verified_declaring(members: list[dict], declared: str) -> list[dict]:   # consenting members who declared it
    return [m for m in members if m["relation"] not in SUPPORTER_RELATIONS and m["consent"] and m[declared] is not None]


def _statement(a: dict) -> tuple:   # a balance as a re-export repeats it
    return (a["member_no"], a["institution"], a["product_type"], a["as_of_date"], a["balance"])


def _other_balance_out(a: dict, request_date: date, counted: set = frozenset()) -> dict:
    """A linked bank row no figure reads (`evidence.other_balances_sql`), and why."""
    note = (f"余额日期晚于申请日期（{_iso(request_date)}），不计入" if a["after_request"]
            else f"同一卡号已按成员{a['counted_for']}的记录计入，不重复计算" if a.get("counted_for")
            else "与另一文件中同日同额的余额记录相同（部门重新导出），只计一次" if _statement(a) in counted
            else "该账户同一产品较早的余额（或同日较大的一笔），只计最新一期")
    return {**_common(a), "institution": a["institution"], "account_number": a["account_number"],
            "product_type": a["product_type"], "balance": a["balance"], "as_of_date": _iso(a["as_of_date"]),
            "counted": False, "note": note}


def _account_out(a: dict, household: set) -> dict:
    counted = a["decision"] in COUNTED_DECISIONS and a["member_no"] in household
    note = (None if counted else "匹配待复核，暂不计入" if a["decision"] not in COUNTED_DECISIONS
            else SUPPORTER_NOTE)
    if a.get("same_day") and counted:
        note = "同一账户同日另有不同余额，按较小者计入，待向银行核实"
    elif a.get("account_number_lost") and counted:
        note = ("账号被存为数字、末几位已丢失，无法据此区分账户：按同一银行同类产品最新日期的各笔余额计入；"
                "请银行以文本格式导出账号")
    elif a.get("account_number_shortened") and counted:
        # read as the one account whose full number it begins with: still worth the bank's correction
        # (a report probe found no note where the README promised one)
        note = "账号被存为数字、末几位已丢失，已按该成员在同一银行唯一以此开头的账号计为同一账户；请银行以文本格式导出账号"
    return {**_common(a), "institution": a["institution"], "account_number": a["account_number"],
            "product_type": a["product_type"], "balance": a["balance"], "as_of_date": _iso(a["as_of_date"]),
            "counted": counted, "note": note,
            **({"same_day_balances": a["same_day"]} if a.get("same_day") else {})}
