"""Income and asset figures from evidence rows, hand-computed (12-month window)."""

from datetime import date

import pytest

from assessment.figures import asset_figures, classify_income, income_figures

PARAMS = {"excluded_income_items": ["偶然所得"], "excluded_benefit_types": ["城乡居民基本养老保险"]}


def rec(member, kind, month, item, amount, decision="auto", source=None, insurance_type=None):
    return {"member_no": member, "kind": kind, "period": date(2026, month, 1), "item": item, "amount": amount,
            "decision": decision, "source": source or ("tax" if kind == "tax_income" else "social_insurance"),
            "insurance_type": insurance_type, "record_id": f"{kind}-{member}-{month}-{item}"}


CASES = [
    # (name, records, expected monthly_total, expected basis)
    ("wages over the window are averaged over 12 months",
     [rec(1, "tax_income", m, "工资薪金", 3000.0) for m in range(1, 7)], 1500.0, ["tax"]),
    ("a contribution base stands in for a month without a tax wage row",
     [rec(1, "tax_income", 1, "工资薪金", 3000.0), rec(1, "contribution", 1, "缴费基数（工资佐证）", 4000.0),
      rec(1, "contribution", 2, "缴费基数（工资佐证）", 4000.0)], (3000.0 + 4000.0) / 12,
     ["social_insurance_contribution_base", "tax"]),
    # a scale probe: a 315.44 fee and the base its payer contributed on, counted both
    ("a contribution base does not stand in for a month with a fee (劳务报酬) row",
     [rec(1, "tax_income", 1, "劳务报酬", 315.44), rec(1, "contribution", 1, "缴费基数（工资佐证）", 315.44)],
     315.44 / 12, ["tax"]),
    ("two insurances with the same base count once a month",
     [rec(1, "contribution", 3, "缴费基数（工资佐证）", 4000.0), rec(1, "contribution", 3, "缴费基数（工资佐证）", 4000.0)],
     4000.0 / 12, ["social_insurance_contribution_base"]),
    ("one-off gains are excluded", [rec(1, "tax_income", 4, "偶然所得", 12000.0)], 0.0, []),
    ("an excluded benefit type is not income",
     [rec(1, "benefit", 5, "养老金", 200.0, insurance_type="城乡居民基本养老保险")], 0.0, []),
    ("pensions count", [rec(1, "benefit", m, "养老金", 2400.0, insurance_type="企业职工基本养老保险") for m in range(1, 13)],
     2400.0, ["social_insurance"]),
    ("review links are shown but not counted", [rec(1, "tax_income", 1, "工资薪金", 12000.0, decision="review")], 0.0, []),
    ("no base stands in for a wage whose tax row waits for review",
     [rec(1, "tax_income", 1, "工资薪金", 2300.0, decision="review"),
      rec(1, "contribution", 1, "缴费基数（工资佐证）", 4000.0), rec(1, "contribution", 2, "缴费基数（工资佐证）", 4000.0)],
     4000.0 / 12, ["social_insurance_contribution_base"]),
    ("confirmed links count like auto", [rec(1, "tax_income", 1, "工资薪金", 12000.0, decision="confirmed")], 1000.0, ["tax"]),
    ("supporters' income is not household income", [rec(9, "tax_income", 1, "工资薪金", 12000.0)], 0.0, []),
]


@pytest.mark.parametrize("name,records,total,basis", CASES, ids=[c[0] for c in CASES])
def test_monthly_income(name, records, total, basis):
    figures = income_figures(classify_income(records, PARAMS), 12, member_nos={1, 2})
    assert figures["monthly_total"] == pytest.approx(round(total, 2))
    assert figures["evidence_basis"] == basis


def test_every_income_record_says_whether_and_why_it_counts():
    records = classify_income([rec(1, "tax_income", 1, "工资薪金", 1.0), rec(1, "tax_income", 1, "偶然所得", 1.0)], PARAMS)
    assert [(r["counted"], r["note"]) for r in records] == [(True, None), (False, "偶然所得为一次性所得，不计入月收入")]


def test_assets_count_only_held_items_of_counted_links():
    vehicles = [{"member_no": 1, "held": True, "decision": "auto"}, {"member_no": 1, "held": False, "decision": "auto"},
                {"member_no": 2, "held": True, "decision": "review"}]
    properties = [{"member_no": 1, "held": True, "decision": "auto", "owned_area": 44.5},
                  {"member_no": 2, "held": True, "decision": "confirmed", "owned_area": 44.5}]
    accounts = [{"member_no": 1, "decision": "auto", "balance": 100.0}, {"member_no": 2, "decision": "auto", "balance": 50.5},
                {"member_no": 9, "decision": "auto", "balance": 1e6}]
    a = asset_figures(vehicles, properties, accounts, member_nos={1, 2})
    assert len(a["held_vehicles"]) == 1 and len(a["held_properties"]) == 2
    assert a["financial_total"] == 150.5
    assert a["by_member"][0] == {"member_no": 1, "vehicles": 1, "properties": 1, "owned_area": 44.5, "financial_total": 100.0}



FLEX = [{**rec(2, "contribution", m, "缴费基数（工资佐证）", 3500.0), "payer": "灵活就业人员"} for m in range(1, 13)]


def test_a_base_paid_as_flexible_employment_is_no_wage_evidence():
    """灵活就业: the person chooses their own base, usually the lowest band, so it says nothing of
    what they earn (a probe's spouse got 3,500 a month of income from it). An employer's still is."""
    employee = [{**rec(1, "contribution", m, "缴费基数（工资佐证）", 4000.0), "payer": "太原市某某有限公司"} for m in (1, 2)]
    records = classify_income([dict(r) for r in FLEX] + employee, PARAMS)
    assert income_figures(records, 12, member_nos={1, 2})["monthly_total"] == pytest.approx(round(8000.0 / 12, 2))
    assert {r["note"] for r in records if r["member_no"] == 2} == {
        "灵活就业人员自选缴费基数（多为最低档），不作为工资佐证，收入需另行核实"}
