"""Which pending (`review`) links could change an outcome: a question holds the household only
when its answer could change a figure or a finding the programme is judged on."""

from __future__ import annotations

from datetime import date

from assessment.figures import (COUNTED_DECISIONS, EMPLOYMENT_ITEMS, PENSION_CONTRIBUTION_TYPES,
                                WORK_CONTRIBUTION_TYPES, certificate_key, exempt_vehicle)


SUPPORTER_SOURCES = ("tax", "social_insurance", "bank")
"""What 特困 judges a supporter on: income and financial assets."""


WORKING_AGE_FROM = 16
"""The age from which a person may work (劳动法 §15): no pay for work before it."""
PENSION_AGE_FROM = 45
"""The earliest retirement (a woman's, on disability): no pension before it."""
VEHICLE_AGE_FROM = 18
"""The age from which a person may drive and register a car."""
WAGES_UNLIKELY_FROM = 70
"""The age from which a wage (工资薪金) without an ID under the member's name is unlikely theirs when
someone else bears the name (`assessment.pending.unclaimed`): possible (rural people work into their
sixties), so not ruled out, but no question either. A fourth evaluator's 88-year-old 特困 applicant,
a ¥168 pension his only income, was held for three months of a 58-year-old namesake's wages at a
construction firm (in its two harder worlds this rule released 2 of 20 eligible households held, and
held no fewer of the ineligible)."""


def _years_after(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:   # 29 February
        return born.replace(year=born.year + years, day=28)


def ruled_out_by_age(ln: dict, born: date | None, request_date: date | None, record: dict | None) -> bool:
    """A record the member's age rules out, as the unclaimed-row questions are ruled out
    (`assessment.unclaimed`): pay for work before they were 16, a pension before 45, a vehicle while
    they are under 18, a property registered before they were born. An evaluator's eligible 特困
    orphans waited for review on an adult namesake's car the linker asked about."""
    if born is None or record is None:
        return False
    if ln["source"] == "vehicle":
        return request_date is not None and request_date < _years_after(born, VEHICLE_AGE_FROM)
    if ln["source"] == "property":
        return record.get("registration_date") is not None and record["registration_date"] < born
    period = record.get("period")
    if period is None:
        return False
    if ln["source"] == "tax":
        return record.get("item") in EMPLOYMENT_ITEMS and period < _years_after(born, WORKING_AGE_FROM)
    if ln["source"] == "social_insurance":   # a pension paid (a contribution before 45 is work, no pension)
        if record.get("kind") == "contribution":   # an employee's contribution: work (an evaluator's 7-year-old
                                                    # was asked about a namesake's 企业职工 contributions)
            return (record.get("insurance_type") in WORK_CONTRIBUTION_TYPES
                    and period < _years_after(born, WORKING_AGE_FROM))
        return (record.get("kind") == "benefit" and "养老" in str(record.get("insurance_type") or "")
                and period < _years_after(born, PENSION_AGE_FROM))
    return False


def material_review_links(review: list[dict], income_recs: list[dict], accounts: list[dict],
                          params: dict, properties: list[dict] = (), vehicles: list[dict] = (),
                          program: str = "dibao", supporter_nos: set = frozenset(),
                          weighed: set = frozenset(), births: dict | None = None,
                          request_date: date | None = None) -> list[dict]:
    """The review links whose record, once confirmed, could change a figure or a finding.

    Income: a row in the source's window (`income_recs` is already cut to it) of a kind that
    counts or shows work — a tax item not in `excluded_income_items`, a benefit not in
    `excluded_benefit_types`, an employee-scheme contribution (the evidence query loads no
    other). A 城乡居民 contribution, a row outside the window, a one-off gain cannot. Bank: a
    row among `accounts`, i.e. the latest balance of its account (an earlier or superseded
    balance, or one dated after the request, cannot). A vehicle: when held (正常, 查封) and of a
    type not exempt. A property: when held (not 注销) and non-residential, or a home that would
    take the household's homes past `max_homes` (住房救助: any home). An outcome probe's 8 of 46
    needless reviews were a 三轮汽车, a scrapped car or the household's only home. Any other
    source: always. A supporter's (`supporter_nos`) row: only income or a balance of a supporter
    whose pending rows could cross a supporter line (`weighed`, `supporters_pending_that_matter`).
    The others stay in the report (members' `matches`), for information only.
    (Whether the programme reads the source at all is `pending.review_can_change`.)
    """
    excluded_items = set(params.get("excluded_income_items") or ())
    excluded_benefits = set(params.get("excluded_benefit_types") or ())
    income = {(r["source"], r["record_id"], r["member_no"]): r for r in income_recs}
    latest = {(a["source"], a["record_id"], a["member_no"]) for a in accounts}
    # a pension base stands in only for a month without counted pay for work (a wage, a fee 劳务报酬,
    # business income: `figures.EMPLOYMENT_ITEMS`, as `classify_income` reads them): beside it the
    # base can change no figure, and the pay already shows the work (an outcome probe's two needless
    # reviews; a review's contribution beside a member's monthly 300 fee held a 低保 household)
    taxed = {(r["member_no"], r["period"]) for r in income_recs
             if r["kind"] == "tax_income" and r["item"] in EMPLOYMENT_ITEMS and r.get("counted")}
    # a co-owner's row of a home the household already holds on a counted row adds no home (the
    # rules count homes by certificate): an outcome probe's household held for one
    held_homes = {certificate_key(p) for p in properties if p["decision"] in COUNTED_DECISIONS and p.get("counted")}
    pending_homes = {(p["record_id"], p["member_no"]): certificate_key(p) for p in properties
                     if p["decision"] not in COUNTED_DECISIONS}
    exempt = set(params.get("exempt_vehicle_types") or ())
    cars = {(v["record_id"], v["member_no"]): v["held"] and not exempt_vehicle(v["vehicle_type"], exempt) for v in vehicles}
    homes_allowed = 0 if program == "housing" else int(params.get("max_homes", 1))
    pending = {(p["record_id"], p["member_no"]): p for p in properties if p["decision"] not in COUNTED_DECISIONS}
    homes_if_all = held_homes | {certificate_key(p) for p in pending.values() if p["held"] and p["usage"] == "住宅"}
    records = {**income, **{(v["source"], v["record_id"], v["member_no"]): v for v in vehicles},
               **{(p["source"], p["record_id"], p["member_no"]): p for p in properties}}
    out = []
    for ln in review:
        key = (ln["source"], ln["record_id"], ln["member_no"])
        if ruled_out_by_age(ln, (births or {}).get(ln["member_no"]), request_date, records.get(key)):
            continue
        if ln["member_no"] in supporter_nos and (ln["member_no"] not in weighed
                                                 or ln["source"] not in SUPPORTER_SOURCES):
            continue
        if ln["source"] == "property" and pending_homes.get((ln["record_id"], ln["member_no"])) in held_homes:
            continue
        if ln["source"] == "vehicle" and not cars.get((ln["record_id"], ln["member_no"]), True):
            continue
        if ln["source"] == "property" and (p := pending.get((ln["record_id"], ln["member_no"]))) is not None \
                and (not p["held"] or (p["usage"] == "住宅" and len(homes_if_all) <= homes_allowed)
                     or (p["usage"] != "住宅" and program == "housing")):
            continue
        if ln["source"] in ("tax", "social_insurance"):
            r = income.get(key)
            if r is None or (r["kind"] == "tax_income" and r["item"] in excluded_items) \
                    or (r["kind"] == "benefit" and r.get("insurance_type") in excluded_benefits) \
                    or (r["kind"] == "contribution" and r.get("insurance_type") in PENSION_CONTRIBUTION_TYPES
                        and (r["member_no"], r["period"]) in taxed):
                continue
        elif ln["source"] == "bank" and key not in latest:
            continue
        out.append(ln)
    return out


def supporters_pending_that_matter(review: list[dict], supporters: list[dict], income_recs: list[dict],
                                   accounts: list[dict], program: str, params: dict, dibao: float,
                                   months: int) -> set[int]:
    """The supporters (member_no) whose pending rows could change `tekun.supporter`: only 特困 judges a
    supporter, only on income and financial assets, and only above `supporter_income_multiple` /
    `supporter_asset_multiple` times the 低保 standard. A probe's 25 of 277 eligible 特困
    households were held for a supporter's ID-less 2,000 balance or 800 wage, or a namesake's car
    under a supporter's name, none of which could cross those lines."""
    if program != "tekun" or not supporters:
        return set()
    line = float(params["supporter_income_multiple"]) * dibao
    multiple = params.get("supporter_asset_multiple")
    asset_line = float(multiple) * dibao if multiple is not None else None
    income = {(r["source"], r["record_id"], r["member_no"]): r for r in income_recs}
    balances = {(a["source"], a["record_id"], a["member_no"]): a for a in accounts}
    out = set()
    for s in supporters:
        no = s["member_no"]
        mine = [(ln["source"], ln["record_id"], no) for ln in review if ln["member_no"] == no]
        more_income = sum(float(income[k]["amount"] or 0) for k in mine if k in income) / max(months, 1)
        more_assets = sum(float(balances[k]["balance"] or 0) for k in mine if k in balances)
        now_income, now_assets = s["monthly_income"] or 0.0, s.get("financial_total") or 0.0
        if now_income <= line < now_income + more_income or (
                asset_line is not None and now_assets <= asset_line < now_assets + more_assets):
            out.add(no)
    return out
