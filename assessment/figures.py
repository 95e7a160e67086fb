"""A household's verified income and assets, computed from its linked evidence rows.

Only `auto` and `confirmed` links count; a `review` link is shown to the caseworker but not
added in until a person confirms it. Supporters (赡养人 …) are not household members: their
means are computed the same way and judged separately (特困).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

COUNTED_DECISIONS = ("auto", "confirmed")
WAGE_ITEMS = ("工资薪金",)
EMPLOYMENT_ITEMS = ("工资薪金", "劳务报酬", "经营所得")


@dataclass
class MemberMeans:
    member_no: int
    monthly_income: float = 0.0
    financial_total: float = 0.0
    vehicles: int = 0
    properties: int = 0
    owned_area: float = 0.0
    employment_months: set = field(default_factory=set)


def _counted(rec: dict) -> bool:
    return rec["decision"] in COUNTED_DECISIONS


def classify_income(records: list[dict], params: dict) -> list[dict]:
    """Mark each income record counted or not, with the reason, in place; returns the records.

    A contribution base stands in as wage evidence only for a member-month without a wage row
    from tax — neither counted nor waiting for review: the base is no measure of a wage whose
    own record a caseworker is about to confirm (it has a floor, so it overstated low wages while
    their tax rows sat in review) — and only once per member-month (several insurances share one
    base).
    """
    excluded_items = set(params.get("excluded_income_items") or ())
    excluded_benefits = set(params.get("excluded_benefit_types") or ())
    taxed_months = {(r["member_no"], r["period"]) for r in records
                    if r["kind"] == "tax_income" and r["item"] in WAGE_ITEMS and _counted(r)}
    pending_months = {(r["member_no"], r["period"]) for r in records
                      if r["kind"] == "tax_income" and r["item"] in WAGE_ITEMS and not _counted(r)}
    base_taken: set = set()
    for r in sorted(records, key=lambda r: (r["kind"], -(r["amount"] or 0))):
        r["counted"], r["note"] = False, None
        if not _counted(r):
            r["note"] = "匹配待复核，暂不计入"
        elif r["kind"] == "tax_income" and r["item"] in excluded_items:
            r["note"] = f"{r['item']}为一次性所得，不计入月收入"
        elif r["kind"] == "benefit" and r["insurance_type"] in excluded_benefits:
            r["note"] = f"本县规定{r['insurance_type']}待遇不计入收入"
        elif r["kind"] == "contribution":
            key = (r["member_no"], r["period"])
            if key in taxed_months:
                r["note"] = "当月已有税务工资记录，缴费基数不重复计入"
            elif key in pending_months:
                r["note"] = "当月税务工资记录待复核，缴费基数不作为工资佐证"
            elif key in base_taken:
                r["note"] = "同月缴费基数已计入一次"
            else:
                base_taken.add(key)
                r["counted"], r["note"] = True, "无税务工资记录，以社保缴费基数作为工资佐证"
        else:
            r["counted"] = True
    return records


def income_figures(records: list[dict], months: int, member_nos: set[int]) -> dict:
    """Monthly averages over the window (total / window months), by source, item and month."""
    by_source: dict = defaultdict(float)
    by_item: dict = defaultdict(float)
    series: dict = defaultdict(lambda: defaultdict(float))
    per_member: dict = defaultdict(float)
    covered, basis = set(), set()
    for r in records:
        if not r.get("counted") or r["member_no"] not in member_nos:
            continue
        by_source[r["source"]] += r["amount"]
        by_item[r["item"]] += r["amount"]
        month = r["period"].strftime("%Y-%m")
        series[month][r["source"]] += r["amount"]
        per_member[r["member_no"]] += r["amount"]
        covered.add(month)
        basis.add("social_insurance_contribution_base" if r["kind"] == "contribution" else r["source"])
    total = sum(by_source.values())
    return {
        "monthly_total": round(total / months, 2),
        "by_source": {k: round(v / months, 2) for k, v in sorted(by_source.items())},
        "by_item": {k: round(v / months, 2) for k, v in sorted(by_item.items())},
        "months_covered": len(covered),
        "evidence_basis": sorted(basis),
        "per_member": {m: round(v / months, 2) for m, v in per_member.items()},
        "series": series,
    }


def monthly_series(series: dict, window_months: list[str]) -> list[dict]:
    return [{"month": m, "by_source": {k: round(v, 2) for k, v in sorted(series.get(m, {}).items())}}
            for m in window_months]


def asset_figures(vehicles: list[dict], properties: list[dict], accounts: list[dict],
                  member_nos: set[int]) -> dict:
    """Held vehicles and properties, latest financial balances; per member and in total."""
    by_member = {m: MemberMeans(m) for m in sorted(member_nos)}
    held_v = [v for v in vehicles if v["held"] and _counted(v) and v["member_no"] in member_nos]
    held_p = [p for p in properties if p["held"] and _counted(p) and p["member_no"] in member_nos]
    counted_a = [a for a in accounts if _counted(a) and a["member_no"] in member_nos]
    for v in held_v:
        by_member[v["member_no"]].vehicles += 1
    for p in held_p:
        by_member[p["member_no"]].properties += 1
        by_member[p["member_no"]].owned_area += p["owned_area"] or 0.0
    for a in counted_a:
        by_member[a["member_no"]].financial_total += a["balance"] or 0.0
    return {
        "held_vehicles": held_v, "held_properties": held_p, "counted_accounts": counted_a,
        "financial_total": round(sum(a["balance"] or 0.0 for a in counted_a), 2),
        "by_member": [{"member_no": m.member_no, "vehicles": m.vehicles, "properties": m.properties,
                       "owned_area": round(m.owned_area, 2), "financial_total": round(m.financial_total, 2)}
                      for m in by_member.values()],
    }
