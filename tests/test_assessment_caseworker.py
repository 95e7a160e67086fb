"""What a caseworker checks by hand: figures rounded as they round them (四舍五入), declarations
compared only where something was verified, and a review only where a review can change something."""

from datetime import date

import pytest

from assessment.figures import fen, income_figures
from assessment.household import build_household
from assessment.policy import load_policy

POLICY = load_policy()
REQUEST_DATE = date(2026, 11, 28)
HH = {"request_id": "R1", "household_id": "H1", "agency": "taiyuan", "program": "dibao",
      "county_code": "140105", "request_date": REQUEST_DATE, "run_id": "run-1"}
DELIVERED = {"tax": "2026-10-31", "social_insurance": "2026-10-31", "bank": "2026-11-20"}


def person(no, relation="户主", consent=True, **kw):
    return {"member_no": no, "name": f"成员{no}", "id_number": f"14010519800101{no:03d}X", "id_status": "valid",
            "relation": relation, "consent": consent, "consent_ref": f"SQ{no}" if consent else None,
            "address": "太原市小店区某街1号", "gender": "男", "birth_date": date(1980, 1, 1), "labor_capacity": "有",
            "disability_grade": None, "declared_monthly_income": None, "declared_financial_assets": None,
            "on_rolls_programs": [], **kw}


def link(member, source, record_id, decision="review"):
    return {"member_no": member, "source": source, "record_id": record_id, "match_probability": 0.7,
            "decision": decision, "reason": "姓名相同，出生日期相近", "evidence_json": None}


def income_row(member, source, record_id, period, kind, item, amount, decision="auto", insurance_type=None):
    return {**link(member, source, record_id, decision), "kind": kind, "period": period, "item": item,
            "amount": amount, "payer": "某公司", "insurance_type": insurance_type, "file": "f.csv", "row_number": 1}


def account(member, record_id, balance, as_of, decision="auto", number="6222001"):
    return {**link(member, "bank", record_id, decision), "institution": "某银行", "account_number": number,
            "product_type": "活期", "balance": balance, "as_of_date": as_of, "file": "b.csv", "row_number": 1}


def report(members, income=(), accounts=(), links=(), program="dibao"):
    return build_household({**HH, "program": program}, members, [dict(r) for r in income], [], [],
                           [dict(a) for a in accounts], list(links), POLICY, DELIVERED, "2026-11-28T02:00:00+08:00")


# 1. rounding -------------------------------------------------------------------------------------

@pytest.mark.parametrize("exact,shown", [(2471.895, 2471.90), (2032.605, 2032.61), (1682.775, 1682.78),
                                         (216.795, 216.80), (0.005, 0.01), (628.0, 628.0)])
def test_money_is_rounded_half_up_as_a_caseworker_rounds_it(exact, shown):
    assert fen(exact) == shown


def test_a_monthly_income_ending_in_half_a_fen_is_rounded_up_in_every_figure():
    # twelve months of 2,471.895: the monthly average is 2,471.895, shown 2,471.90 (round gave 2,471.89)
    members = [person(1)]
    rows = [income_row(1, "tax", f"T{m}", date(2025 + (m > 12), (m - 1) % 12 + 1, 1), "tax_income", "工资薪金",
                       2471.895) for m in range(11, 23)]
    doc = report(members, rows)
    income = doc["income"]
    assert income["monthly_total"] == 2471.90
    assert income["monthly_per_capita"] == 2471.90
    assert income["by_source"] == {"social_insurance": 0.0, "tax": 2471.90} and income["by_item"] == {"工资薪金": 2471.90}
    assert doc["members"][0]["monthly_income"] == 2471.90
    assert {r["amount"] for r in income["records"]} == {2471.90}
    assert income_figures([{**r, "counted": True} for r in rows], 12, {1})["monthly_total"] == 2471.90


def test_financial_assets_ending_in_half_a_fen_are_rounded_up():
    # round(216.795, 2) gave 216.79
    doc = report([person(1)], accounts=[account(1, "B1", 216.795, date(2026, 11, 1))])
    assets = doc["assets"]
    assert assets["financial_total"] == 216.80 and assets["financial_per_capita"] == 216.80
    assert assets["by_member"][0]["financial_total"] == 216.80
    assert doc["members"][0]["financial_assets"] == 216.80


# 2. declared assets of a member without consent ----------------------------------------------------

def test_a_declared_asset_of_a_member_without_consent_is_left_out_of_the_comparison():
    members = [person(1, declared_financial_assets=0.0),
               person(2, "配偶", consent=False, declared_financial_assets=500.0)]
    doc = report(members)
    assert doc["assets"]["declared_financial_total"] == 0.0
    assert doc["assets"]["declared_financial_unverified"] == 500.0
    assert not [x for x in doc["findings"] if x["rule"] == "declared.financial_assets"], doc["findings"]


def test_a_declared_asset_difference_says_it_leaves_out_the_unverified_members_declaration():
    members = [person(1, declared_financial_assets=0.0),
               person(2, "配偶", consent=False, declared_financial_assets=500.0)]
    doc = report(members, accounts=[account(1, "B1", 20000.0, date(2026, 11, 1))])
    (found,) = [x for x in doc["findings"] if x["rule"] == "declared.financial_assets"]
    assert "与申报0.00元（不含未授权成员的申报500.00元），核对比申报多20,000.00元" in found["message"], found["message"]


def test_a_declared_difference_beside_figures_missing_a_member_claims_no_side_of_the_line():
    """A caseworker probe: 均在标准线以下，未改变比较结果 stood beside the summary's 数据不完整，不作判断; a
    figure leaving out a member without consent can only rise."""
    members = [person(1, declared_financial_assets=0.0), person(2, "配偶", consent=False)]
    doc = report(members, accounts=[account(1, "B1", 6000.0, date(2026, 11, 1))])
    (found,) = [x for x in doc["findings"] if x["rule"] == "declared.financial_assets"]
    assert "核对数据不完整（有成员未授权核对），不与资产上限比较" in found["message"], found["message"]
    assert "以下" not in found["message"] and "未改变比较结果" not in found["message"]


# 3. review links that cannot change anything ------------------------------------------------------

def test_a_review_link_that_cannot_change_a_figure_does_not_make_the_outcome_review():
    members = [person(1)]
    resident_pension = link(1, "social_insurance", "S-城乡居民")   # not loaded as evidence: neither income nor work
    old_tax = income_row(1, "tax", "T-old", date(2024, 3, 1), "tax_income", "工资薪金", 900.0, "review")
    one_off = income_row(1, "tax", "T-gain", date(2026, 5, 1), "tax_income", "偶然所得", 900.0, "review")
    earlier = account(1, "B-old", 300.0, date(2026, 6, 30), "review")
    latest = account(1, "B-new", 100.0, date(2026, 10, 31))
    links = [resident_pension, link(1, "tax", "T-old"), link(1, "tax", "T-gain"), link(1, "bank", "B-old"),
             link(1, "bank", "B-new", "auto")]
    # the evidence query returns the latest balance only (accounts_sql): the earlier one is among the links
    doc = report(members, [old_tax, one_off], [latest], links)
    assert doc["outcome"] == "pass", doc["findings"]
    (found,) = [x for x in doc["findings"] if x["rule"] == "match.review"]
    assert found["severity"] == "info" and "仅供参考" in found["message"]
    assert len(found["evidence"]) == 4
    matches = doc["members"][0]["matches"]
    assert {m["record_id"] for m in matches if m["decision"] == "review"} == {"S-城乡居民", "T-old", "T-gain", "B-old"}


def _pending(what):
    """(income, accounts, links) of one member with a counted balance and one pending record: a
    wage or a balance big enough to cross the 低保 and 特困 lines were it confirmed, or a vehicle
    or property."""
    income, accounts, links = [], [account(1, "B-new", 100.0, date(2026, 10, 31))], []
    if what == "wage":     # a year's pay in one row
        income.append(income_row(1, "tax", "T1", date(2026, 5, 1), "tax_income", "工资薪金", 12000.0, "review"))
        links.append(link(1, "tax", "T1"))
    elif what == "latest_balance":
        accounts.append(account(1, "B-newer", 30000.0, date(2026, 11, 20), "review"))
        links.append(link(1, "bank", "B-newer"))
    else:
        links.append(link(1, what, "X1"))
    return income, accounts, links


@pytest.mark.parametrize("what", ["wage", "latest_balance", "vehicle"])
def test_a_review_link_that_could_change_a_figure_still_makes_the_outcome_review(what):
    income, accounts, links = _pending(what)
    income.append(income_row(1, "tax", "T-old", date(2024, 3, 1), "tax_income", "工资薪金", 900.0, "review"))
    links.append(link(1, "tax", "T-old"))
    doc = report([person(1)], income, accounts, links)
    assert doc["outcome"] == "review", doc["findings"]
    (found,) = [x for x in doc["findings"] if x["rule"] == "match.review"]
    assert found["severity"] == "warn" and found["message"].startswith("1条")
    assert "另有1条待复核记录不影响核对结果" in found["message"]


@pytest.mark.parametrize("program,holds", [
    ("dibao", {"wage", "latest_balance", "vehicle", "property"}), ("tekun", {"wage", "latest_balance", "vehicle", "property"}),
    ("employment", {"wage"}), ("housing", {"property"}),
    ("medical", set()), ("education", set()), ("temporary", set())])
@pytest.mark.parametrize("what", ["wage", "latest_balance", "vehicle", "property"])
def test_a_review_link_holds_the_outcome_only_where_the_programme_reads_its_source(program, holds, what):
    """An independent-data probe: 59 of 1,012 households asking for medical, education or temporary
    relief went to review for a deposit or a wage row their programme shows for information only."""
    income, accounts, links = _pending(what)
    doc = report([person(1)], income, accounts, links, program=program)
    (found,) = [x for x in doc["findings"] if x["rule"] == "match.review"]
    assert found["severity"] == ("warn" if what in holds else "info")
    if what not in holds:
        assert "本救助项目不据此核定" in found["message"] and doc["outcome"] != "review", doc["findings"]


@pytest.mark.parametrize("program", ["dibao", "tekun"])
@pytest.mark.parametrize("wage,balance,held", [
    (300.0, None, False),          # 25 a month more: 425 at most, under 628
    (None, 2000.0, False),          # 2,100 at most, under the 15,072 limit
    (300.0, 2000.0, False),
    (12000.0, None, True),          # 1,400 at most: it could cross
    (None, 30000.0, True),          # over the limit at most: it could
])
def test_a_review_link_that_could_not_cross_the_standard_even_confirmed_does_not_hold_the_outcome(
        program, wage, balance, held):
    """An independent-data probe: 65 of 564 households that should pass went to review for a row
    that, confirmed, could not have moved them over the standard or the limit."""
    members = [person(1, labor_capacity="无")]          # 特困: unable to work
    income = [income_row(1, "tax", f"T{m}", date(2026, m, 1), "tax_income", "工资薪金", 400.0) for m in range(1, 11)]
    accounts, links = [account(1, "B-old", 100.0, date(2026, 10, 31))], [link(1, "tax", f"T{m}", "auto")
                                                                          for m in range(1, 11)]
    if wage is not None:
        income.append(income_row(1, "tax", "T-side", date(2026, 6, 1), "tax_income", "劳务报酬", wage, "review"))
        links.append(link(1, "tax", "T-side"))
    if balance is not None:
        accounts.append(account(1, "B-new", balance, date(2026, 11, 20), "review", number="6222999"))
        links.append(link(1, "bank", "B-new"))
    doc = report(members, income, accounts, links, program=program)
    (found,) = [x for x in doc["findings"] if x["rule"] == "match.review"]
    assert found["severity"] == ("warn" if held else "info"), found
    if not held:
        assert "即使全部确认" in found["message"] and doc["outcome"] == "pass", doc["findings"]


@pytest.mark.parametrize("payer,held", [("某公司", False), ("灵活就业人员", True)])
def test_an_employers_pending_contribution_is_bounded_like_a_wage_flexible_employment_is_held(payer, held):
    """An employer's base may stand in for a wage: it adds at most itself. A base paid as flexible
    employment would, confirmed, raise income.self_employed: it holds the outcome however small."""
    row = {**income_row(1, "social_insurance", "S1", date(2026, 6, 1), "contribution", "缴费基数（工资佐证）", 1140.0,
                        "review", insurance_type="企业职工基本养老保险"), "payer": payer}
    doc = report([person(1)], [row], [], [link(1, "social_insurance", "S1")])
    (found,) = [x for x in doc["findings"] if x["rule"] == "match.review"]
    assert found["severity"] == ("warn" if held else "info"), found


@pytest.mark.parametrize("what", ["no_tax_export", "supporter"])
def test_a_review_link_that_could_change_another_finding_holds_whatever_the_households_figures(what):
    """A base confirmed before any tax export arrived raises income.wage_unverified; a supporter's
    row is judged on its own (tekun.supporter), against the supporter's line (2 x 628 a month:
    20,000 in the window is 1,666.67), not the household's figures. (A supporter's row that could
    not cross the line holds nothing: test_a_supporters_pending_row_holds_a_tekun_household_….)"""
    members = [person(1, labor_capacity="无")]
    if what == "no_tax_export":
        rows = [income_row(1, "social_insurance", "S1", date(2026, 6, 1), "contribution", "缴费基数（工资佐证）", 300.0,
                           "review", insurance_type="企业职工基本养老保险")]
        links = [link(1, "social_insurance", "S1")]
    else:
        members.append(person(2, "赡养人"))
        rows = [income_row(2, "tax", "T-s", date(2026, 6, 1), "tax_income", "工资薪金", 20000.0, "review")]
        links = [link(2, "tax", "T-s")]
    doc = build_household({**HH, "program": "tekun"}, members, rows, [], [], [], links, POLICY,
                          {**DELIVERED, "tax": None} if what == "no_tax_export" else DELIVERED,
                          "2026-11-28T02:00:00+08:00")
    (found,) = [x for x in doc["findings"] if x["rule"] == "match.review"]
    assert found["severity"] == "warn", found
