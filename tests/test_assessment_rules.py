"""Hand-computed households for each programme rule: pass, fail, exactly at the threshold,
missing data. Standards: Shanxi 2022 placeholder, urban 低保 ¥628, 特困 1.3 × 628 = ¥816.40."""

from datetime import date

import pytest

from assessment.policy import load_policy
from assessment.rules import Facts, evaluate

POLICY = load_policy()
STD = POLICY.standard("140105", date(2026, 11, 28), "urban")
PARAMS = POLICY.county("140105").params


def _link(decision, id_level, name_level="exact"):
    """A member's link as the report lists it (`matches`), with its ID and name comparison levels."""
    return {"source": "tax", "record_id": "T1", "decision": decision, "match_probability": 0.9999,
            "evidence": {"summary": "", "weights": [{"field": "id_number", "level": id_level, "weight": 9.0},
                                                    {"field": "name", "level": name_level, "weight": 10.0}]}}


def member(no, relation="户主", consent=True, **kw):
    return {"member_no": no, "name": f"成员{no}", "relation": relation,
            "is_member": relation not in ("赡养人", "抚养人", "扶养人"), "consent": consent,
            "id_check": kw.pop("id_check", "valid"), "age": kw.pop("age", 40), "gender": "男",
            "labor_capacity": kw.pop("labor_capacity", "有"), "on_rolls_programs": kw.pop("rolls", []), **kw}


def facts(program="dibao", n=2, income=0.0, financial=0.0, vehicles=(), properties=(), members=None, accounts=(), **kw):
    # a 特困 applicant is old, a child or unable to work (tekun.labor_capacity): 70 unless a test says
    age = 70 if program == "tekun" else 40
    return Facts(program=program,
                 members=members or [member(i + 1, "户主" if i == 0 else "配偶", age=age) for i in range(n)],
                 income={"monthly_total": income, "records": [], "declared_monthly_total": kw.pop("declared", None)},
                 assets={"financial_total": financial, "financial": list(accounts), "held_vehicles": list(vehicles),
                         "held_properties": list(properties),
                         "declared_financial_total": kw.pop("declared_assets", None)},
                 standard=STD, params=kw.pop("params", PARAMS), **kw)


def car(vtype="小型轿车"):
    return {"source": "vehicle", "record_id": "V1", "vehicle_type": vtype, "plate_number": "晋A12345"}


def home(usage="住宅", rid="P1"):
    return {"source": "property", "record_id": rid, "usage": usage, "location": "小店区某街1号"}


CASES = [
    # (name, facts, expected rules with severity, expected outcome)
    ("dibao below standard passes", facts(income=2 * 627.99), set(), "pass"),
    ("dibao exactly at standard fails", facts(income=2 * 628.0), {("dibao.income", "fail")}, "fail"),
    ("dibao no income data passes", facts(income=0.0), set(), "pass"),
    ("dibao assets exactly at 24x standard pass", facts(financial=2 * 24 * 628.0), set(), "pass"),
    ("dibao assets a cent over fail", facts(financial=2 * 24 * 628.0 + 0.02), {("dibao.financial_assets", "fail")}, "fail"),
    # a bank row of a member refused at load may be the account's newer balance (an outcome probe:
    # 约1万元 on 2025-06-30 refused, 30,000 of 2025-03-31 counted in its place and the household failed)
    ("dibao assets over with a refused bank row is a question",
     facts(financial=2 * 24 * 628.0 + 0.02, accounts=[
         {"member_no": 1, "source": "bank", "record_id": "B1", "decision": "auto", "institution": "兴业银行",
          "account_number": "6222000011112222", "product_type": "活期存款", "balance": 2 * 24 * 628.0 + 0.02,
          "as_of_date": date(2025, 3, 31)}], refused=[
         {"member_no": 1, "name": "成员1", "source": "bank", "record_id": "BX2", "file": "landing/bank/b.csv",
          "row_number": 2, "reasons": "余额：约1万元 is not an amount",
          "raw_row": '{"账号": "6222000011112222", "余额": "约1万元", "余额日期": "2025-06-30"}'}]),
     {("dibao.financial_assets", "warn"), ("data.refused", "warn")}, "review"),
    ("dibao car fails", facts(vehicles=[car()]), {("dibao.vehicle", "fail")}, "fail"),
    ("dibao motorcycle is exempt", facts(vehicles=[car("普通二轮摩托车")]), set(), "pass"),
    ("dibao one home passes", facts(properties=[home()]), set(), "pass"),
    ("dibao two homes fail", facts(properties=[home(), home(rid="P2")]), {("dibao.homes", "fail")}, "fail"),
    ("dibao shop fails", facts(properties=[home("商业")]), {("dibao.non_residential", "fail")}, "fail"),
    ("tekun a cent below standard passes", facts("tekun", n=1, income=816.39), set(), "pass"),
    # not below the standard fails, as for 低保 (it used to pass at exactly 816.40)
    ("tekun exactly at standard fails", facts("tekun", n=1, income=816.40), {("tekun.income", "fail")}, "fail"),
    ("tekun above standard fails", facts("tekun", n=1, income=816.41), {("tekun.income", "fail")}, "fail"),
    ("tekun rich supporter is a finding",
     facts("tekun", n=1, supporters=[{"member_no": 2, "name": "子", "monthly_income": 2 * 628.0 + 1}]),
     {("tekun.supporter", "warn")}, "review"),
    ("tekun supporter at the line is no finding",
     facts("tekun", n=1, supporters=[{"member_no": 2, "name": "子", "monthly_income": 2 * 628.0}]), set(), "pass"),
    ("tekun supporter with savings over the asset line is a finding",
     facts("tekun", n=1, supporters=[{"member_no": 2, "name": "子", "monthly_income": 0.0,
                                     "financial_total": 24 * 628.0 + 1}]), {("tekun.supporter", "warn")}, "review"),
    ("tekun supporter savings are not checked where the policy sets no multiple",
     facts("tekun", n=1, supporters=[{"member_no": 2, "name": "子", "monthly_income": 0.0,
                                     "financial_total": 1e6}], params={**PARAMS, "supporter_asset_multiple": None}),
     set(), "pass"),
    ("tekun supporter with savings at the asset line is no finding",
     facts("tekun", n=1, supporters=[{"member_no": 2, "name": "子", "monthly_income": 0.0,
                                     "financial_total": 24 * 628.0}]), set(), "pass"),
    # a rules probe: a 低保 request's supporter was listed, not counted, and nothing said why
    ("a supporter listed for 低保 is not judged, and the report says so",
     facts(members=[member(1), member(2, "赡养人")]), {("household.supporter_not_judged", "info")}, "pass"),
    ("housing with a home must exit", facts("housing", properties=[home()]), {("housing.owns_home", "fail")}, "fail"),
    ("housing without a home passes", facts("housing"), set(), "pass"),
    # 就业救助 helps members able to work and out of work: finding them is the premise, not a problem
    ("employment: nobody working is zero-employment, the programme's case", facts("employment"),
     {("employment.zero_employment", "info")}, "pass"),
    # a rules probe: the spouse unable to work had a wage, and the household was called 零就业家庭
    ("employment: the only able member idle beside a working spouse unable to work is not zero-employment",
     facts("employment", members=[member(1), member(2, "配偶", labor_capacity="无")], recent_employment={2: {"2026-10"}}),
     {("employment.unemployed_members", "info")}, "pass"),
    ("employment: one working, one idle: the idle one is the case", facts("employment", recent_employment={1: {"2026-10"}}),
     {("employment.unemployed_members", "info")}, "pass"),
    ("employment: everyone able is working: what is the request for?",
     facts("employment", recent_employment={1: {"2026-10"}, 2: {"2026-09"}}),
     {("employment.no_unemployed_member", "warn")}, "review"),
    ("employment: no working-age capable member",
     facts("employment", members=[member(1, age=70), member(2, "配偶", labor_capacity="无")]),
     {("employment.no_unemployed_member", "warn")}, "review"),
    ("medical: member on the dibao roll is entitled",
     facts("medical", members=[member(1, rolls=["dibao"])]), {("rolls.entitled", "info")}, "pass"),
    ("missing consent is a warning", facts(members=[member(1), member(2, "配偶", consent=False)]),
     {("consent", "warn")}, "review"),
    # a programme that judges nobody's means loses nothing it judges by a member left unverified
    ("medical: missing consent is information",
     facts("medical", members=[member(1), member(2, "配偶", consent=False)]), {("consent", "info")}, "pass"),
    ("housing: missing consent is a warning (their home is unknown)",
     facts("housing", members=[member(1), member(2, "配偶", consent=False)]), {("consent", "warn")}, "review"),
    ("invalid member ID is a warning", facts(members=[member(1, id_check="invalid")]), {("id_check", "warn")}, "review"),
    ("an invalid member ID one slip from the ID on their linked rows is a correction to make",
     facts(members=[member(1, id_check="invalid", matches=[_link("auto", "one_substitution")])]),
     {("id_check", "info")}, "pass"),
    ("… not when the only such link waits for review",
     facts(members=[member(1, id_check="invalid", matches=[_link("review", "adjacent_swap")])]),
     {("id_check", "warn")}, "review"),
    ("… nor when the rows linked carry the same invalid ID",
     facts(members=[member(1, id_check="invalid", matches=[_link("auto", "exact")])]), {("id_check", "warn")}, "review"),
    ("a declared birth date the member's ID contradicts is a warning",
     facts(members=[member(1, birth_date=date(1970, 1, 1), id_birth_date=date(1960, 3, 3))]),
     {("declared.birth_date", "warn")}, "review"),
    ("with an invalid ID a differing declared birth date is no finding",
     facts(members=[member(1, id_check="invalid", birth_date=date(1970, 1, 1), id_birth_date=date(1960, 3, 3))]),
     {("id_check", "warn")}, "review"),
    ("review links make the outcome review",
     facts(review_links=[{"source": "tax", "record_id": "T1", "member_no": 1}]), {("match.review", "warn")}, "review"),
    # 就业救助: a pending wage row matters only for a member able to work and out of work (an
    # independent-data probe's 劳务报酬 row of a member with counted work held the household)
    ("employment: a pending row of a member already working changes nothing",
     facts("employment", recent_employment={1: {"2026-10"}},
           review_links=[{"source": "tax", "record_id": "T1", "member_no": 1}]),
     {("employment.unemployed_members", "info"), ("match.review", "info")}, "pass"),
    ("employment: a pending row of the member out of work holds the outcome",
     facts("employment", recent_employment={1: {"2026-10"}},
           review_links=[{"source": "tax", "record_id": "T2", "member_no": 2}]),
     {("employment.unemployed_members", "info"), ("match.review", "warn")}, "review"),
    ("employment: a pending row of a member not of working age changes nothing",
     facts("employment", members=[member(1), member(2, "配偶", age=70)],
           review_links=[{"source": "social_insurance", "record_id": "S1", "member_no": 2}]),
     {("employment.zero_employment", "info"), ("match.review", "info")}, "pass"),
    ("declared within tolerance: no finding", facts(income=1000.0, declared=950.0), set(), "pass"),
    ("declared under by a lot, crossing the standard: warn", facts(income=1400.0, declared=600.0),
     {("declared.income", "warn"), ("dibao.income", "fail")}, "fail"),
    ("declared assets within tolerance: no finding", facts(financial=10000.0, declared_assets=9500.0), set(), "pass"),
    ("declared assets far under, crossing the limit: warn", facts(financial=40000.0, declared_assets=1000.0),
     {("declared.financial_assets", "warn"), ("dibao.financial_assets", "fail")}, "fail"),
    ("declared assets far under, same side of the limit: info", facts(financial=20000.0, declared_assets=1000.0),
     {("declared.financial_assets", "info")}, "pass"),
    ("declared under by a lot, same side of the standard: info", facts(income=1200.0, declared=300.0),
     {("declared.income", "info")}, "pass"),
    # an inbox probe: member 2 filed for 特困 in another county; the household went through as 低保, silently
    ("a member's row naming another programme or county is a question",
     facts(members=[member(1, program="dibao", county_code="140105"),
                    member(2, "配偶", program="tekun", county_code="140106")], county_code="140105"),
     {("household.mixed_rows", "warn")}, "review"),
    ("members' rows agreeing on programme and county: nothing to say",
     facts(members=[member(1, program="dibao", county_code="140105"),
                    member(2, "配偶", program="dibao", county_code="140105")], county_code="140105"), set(), "pass"),
    ("a county the policy does not list is assessed on defaults, for a person to check",
     facts(income=100.0, unconfigured_county="110101"), {("policy.county", "warn")}, "review"),
]


@pytest.mark.parametrize("name,f,expected,outcome", CASES, ids=[c[0] for c in CASES])
def test_rule_findings_and_outcome(name, f, expected, outcome):
    findings, got = evaluate(f)
    assert {(x["rule"], x["severity"]) for x in findings} == expected
    assert got == outcome


@pytest.mark.parametrize("name_level, says", [("exact", "姓名一致"), ("same_pinyin", "姓名同音或相近")])
def test_an_id_slip_note_says_what_the_rows_name_is(name_level, says):
    """An application probe: 闫新刚's rows, found for 闫欣刚 one ID digit away, were said to agree in name."""
    f = facts(members=[member(1, id_check="invalid", matches=[_link("auto", "one_substitution", name_level)])])
    [note] = [x for x in evaluate(f)[0] if x["rule"] == "id_check"]
    assert says in note["message"] and ("核实姓名" in note["message"]) == (name_level != "exact")


@pytest.mark.parametrize("written, says", [("未办理", "未提供身份证号（申请表填写“未办理”）"),
                                            ("1401********1234", "（序号2）的身份证号校验未通过，可能填写有误")])
def test_a_word_where_the_id_belongs_is_said_missing_not_mistyped(written, says):
    """An edge-case probe: a baby's ID written 未办理 was said to be 'possibly written wrong'; a
    caseworker probe: a mistyped one said nothing of what to do."""
    f = facts(members=[member(1), member(2, "子女", id_check="invalid", id_number_masked=written)])
    [note] = [x for x in evaluate(f)[0] if x["rule"] == "id_check"]
    assert says in note["message"] and note["severity"] == "warn"
    assert "请补充身份证号" in note["message"] or "请对照户口簿或身份证更正申请表" in note["message"]


@pytest.mark.parametrize("program, age, severity", [("dibao", 4, "info"), ("dibao", 17, "warn"), ("dibao", None, "warn"),
                                                   ("education", 40, "info"), ("tekun", 15, "info")])
def test_a_child_without_an_id_yet_holds_nothing_back_nor_does_a_programme_that_reads_no_means(program, age, severity):
    """An evaluator: 12 eligible households (教育 and 临时 among them) waited for review on a
    preschooler's 未落户: a child under the working age has no wages to miss."""
    f = facts(program=program, members=[member(1, age=70 if program == "tekun" else 40),
                                        member(2, "子女", id_check="invalid", id_number_masked="未落户", age=age)])
    [note] = [x for x in evaluate(f)[0] if x["rule"] == "id_check"]
    assert note["severity"] == severity and "未提供身份证号（申请表填写“未落户”）" in note["message"]
    if program == "dibao" and age == 4:   # an adversarial probe: a 父母 "born 2015" is a typo, not a child
        f = facts(members=[member(1), member(2, "父母", id_check="invalid", id_number_masked="未落户", age=age)])
        assert [x["severity"] for x in evaluate(f)[0] if x["rule"] == "id_check"] == ["warn"]


@pytest.mark.parametrize("relation, age, severity", [("子女", 9, "info"), ("子女", 30, "warn"), ("父母", 9, "warn"),
                                                    ("子女", None, "warn")])
def test_a_childs_mistyped_id_holds_no_more_than_a_childs_missing_one(relation, age, severity):
    """A fresh evaluator: 23 eligible households held for a child's ID with a typo (none of the children
    had a department row), while a child with no ID at all was a note."""
    f = facts(members=[member(1), member(2, relation, id_check="invalid", id_number_masked="140702202458068533",
                                        age=age)])
    [note] = [x for x in evaluate(f)[0] if x["rule"] == "id_check"]
    assert note["severity"] == severity and "身份证号校验未通过" in note["message"]
    assert ("（未满16周岁，仅供参考）" in note["message"]) == (severity == "info")


@pytest.mark.parametrize("ref, says", [(None, "（序号2）无授权书编号，未经授权"),
                                       ("已撤回", "（序号2）授权书编号栏填写“已撤回”，不是有效授权，未经授权")])
def test_a_consent_withdrawn_in_words_is_said_so_not_called_missing(ref, says):
    """A privacy probe: consent written 已撤回 was reported as 无授权书编号, a form left blank."""
    f = facts(members=[member(1), member(2, "配偶", consent=False, consent_ref=ref)])
    [found] = [x for x in evaluate(f)[0] if x["rule"] == "consent"]
    assert says in found["message"]


def test_a_refused_rows_finding_counts_them_in_plain_words():
    """An income probe: twelve refused rows were said as 有等12条, garbled."""
    refused = [{"member_no": 1, "name": "成员1", "source": "tax", "record_id": f"T{i}", "file": "landing/tax/a.csv",
                "row_number": i, "reasons": "所得项目 is not accepted",
                "cells": [{"field": "income_item", "raw": "奖金?"}]} for i in range(1, 13)]
    [found] = [x for x in evaluate(facts(refused=refused))[0] if x["rule"] == "data.refused"]
    message = found["message"]
    assert "有12条部门记录" in message and "有等" not in message
    assert "税务文件a.csv第5行（记录T5）：所得项目填写为“奖金?”，无法识别等" in message, message
    assert len(found["evidence"]) == 12


def test_findings_cite_their_evidence_rows():
    findings, _ = evaluate(facts(vehicles=[car()]))
    assert findings[0]["evidence"] == [{"source": "vehicle", "record_id": "V1"}]


def test_a_declared_figure_that_differs_cites_the_records_it_was_verified_from():
    record = {"source": "tax", "record_id": "T1", "counted": True}
    account = {"source": "bank", "record_id": "B1"}
    f = facts(income=1200.0, declared=300.0, financial=20000.0, declared_assets=1000.0)
    f.income["records"] = [record, {"source": "tax", "record_id": "T2", "counted": False}]
    f.assets["counted_accounts"] = [account]
    findings = {x["rule"]: x["evidence"] for x in evaluate(f)[0]}
    assert findings["declared.income"] == [{"source": "tax", "record_id": "T1"}]
    assert findings["declared.financial_assets"] == [{"source": "bank", "record_id": "B1"}]


def _flex(member_no, month, counted_wage=False):
    base = {"member_no": member_no, "source": "social_insurance", "record_id": f"S{member_no}-{month}",
            "kind": "contribution", "period": f"2026-{month:02d}", "item": "缴费基数（工资佐证）", "amount": 3500.0,
            "payer": "灵活就业", "counted": False, "decision": "auto",
            "note": "灵活就业人员自选缴费基数（多为最低档），不作为工资佐证，收入需另行核实"}
    wage = {**base, "source": "tax", "record_id": f"T{member_no}-{month}", "kind": "tax_income", "item": "工资薪金",
            "amount": 2000.0, "payer": "某公司", "counted": True, "note": None}
    return [base, wage] if counted_wage else [base]


def test_flexible_employment_without_a_wage_asks_for_the_income_to_be_checked():
    f = facts()
    f.income["records"] = [r for m in range(1, 7) for r in _flex(2, m)] + [r for m in (1, 2) for r in _flex(1, m, True)]
    found = [x for x in evaluate(f)[0] if x["rule"] == "income.self_employed"]
    assert [(x["severity"], x["message"]) for x in found] == [
        ("warn", "成员成员2以灵活就业身份参保（6个月），无税务工资记录可核其收入，需另行核实（缴费基数为本人自选，未计入收入）")]
    assert evaluate(f)[1] == "review"
    assert {e["record_id"] for e in found[0]["evidence"]} == {f"S2-{m}" for m in range(1, 7)}


@pytest.mark.parametrize("program,severity", [("dibao", "warn"), ("tekun", "warn"), ("employment", "warn"),
                                              ("medical", "info"), ("education", "info"), ("housing", "info"),
                                              ("temporary", "info")])
def test_flexible_employment_holds_the_outcome_only_of_a_programme_that_reads_wages(program, severity):
    f = facts(program)
    f.income["records"] = [r for m in range(1, 7) for r in _flex(2, m)]
    (found,) = [x for x in evaluate(f)[0] if x["rule"] == "income.self_employed"]
    assert found["severity"] == severity
    assert ("仅供参考" in found["message"]) == (severity == "info")


def test_a_declaration_of_a_member_without_consent_is_left_out_of_the_comparison():
    """Nothing of theirs was verified: their declared 217 made a probe's difference -217."""
    f = facts(income=1000.0, declared=1000.0)
    f.income["declared_unverified"] = 217.0
    assert not [x for x in evaluate(f)[0] if x["rule"] == "declared.income"]
    f = facts(income=2000.0, declared=1000.0)
    f.income["declared_unverified"] = 217.0
    (found,) = [x for x in evaluate(f)[0] if x["rule"] == "declared.income"]
    assert "与申报1,000.00元（不含未授权成员的申报217.00元），核对比申报" in found["message"], found["message"]


def test_a_member_on_another_households_rolls_is_a_question_of_double_payment():
    """A probe's household was on two agencies' 低保 rolls and neither heard of the other."""
    f = facts(members=[member(1, other_rolls=["jinyuan_minzheng/HH140110-00006/dibao"]), member(2, "配偶")])
    (found,) = [x for x in evaluate(f)[0] if x["rule"] == "rolls.elsewhere"]
    assert found["severity"] == "warn"
    assert found["message"] == "成员成员1同时在jinyuan_minzheng的低保名册中（家庭HH140110-00006），请核实是否重复享受"
    assert not [x for x in evaluate(facts("medical", members=[member(1, other_rolls=["a/H/dibao"])]))[0]
                if x["rule"] == "rolls.elsewhere"]


def test_a_supporter_without_consent_is_said_to_be_unchecked_not_uncounted():
    """A programmes probe: an unconsented 赡养人 was 'a member whose income and assets were not
    counted' (they never are); what is missing is whether they can support the applicant."""
    f = facts("tekun", n=1, members=[member(1, age=70), member(2, "赡养人", consent=False)])
    (found,) = [x for x in evaluate(f)[0] if x["rule"] == "consent"]
    assert found["message"].startswith("赡养人成员2（序号2）无授权书编号") and "赡养" in found["message"]
    assert "未计入" not in found["message"]


def test_a_supporters_threshold_says_what_it_is_a_multiple_of():
    """A programmes probe: '超过1,256.00元' did not say it is twice the 低保 standard."""
    f = facts("tekun", n=1, supporters=[{"member_no": 2, "name": "子", "monthly_income": 2 * 628.0 + 1}])
    (found,) = [x for x in evaluate(f)[0] if x["rule"] == "tekun.supporter"]
    assert f"超过1,256.00元（{PARAMS['supporter_income_multiple']:g}倍月低保标准）" in found["message"]


def test_zero_employment_says_a_pending_row_of_an_idle_member_may_change_it():
    """A programmes probe read "符合就业救助对象条件" beside the warning that held the outcome for a
    pending wage of the very member said to be out of work."""
    said = {f["rule"]: f for f in evaluate(facts("employment", review_links=[
        {"source": "tax", "record_id": "T2", "member_no": 2}]))[0]}
    assert "另有待复核记录" in said["employment.zero_employment"]["message"]
    said = {f["rule"]: f for f in evaluate(facts("employment"))[0]}
    assert "另有待复核记录" not in said["employment.zero_employment"]["message"]


@pytest.mark.parametrize("program, source, severity", [("dibao", "tax", "warn"), ("medical", "tax", "info"),
                                                      ("housing", "tax", "info"), ("housing", "property", "warn"),
                                                      ("employment", "tax", "warn"), ("temporary", "bank", "info")])
def test_a_refused_row_holds_only_a_programme_it_could_change(program, source, severity):
    """A report probe: a refused wage row held 医疗, 教育 and 临时救助 households (which read no means)
    and a 住房 one (judged on homes), where a pending link to the same row would not."""
    refused = [{"member_no": 1, "name": "成员1", "source": source, "record_id": "X1", "file": "landing/x/a.csv",
                "row_number": 2, "reasons": "r", "cells": [{"field": "name", "raw": "?"}]}]
    [found] = [x for x in evaluate(facts(program=program, refused=refused))[0] if x["rule"] == "data.refused"]
    assert found["severity"] == severity and ("仅供参考" in found["message"]) == (severity == "info")


def test_a_findings_evidence_is_in_one_order_whatever_order_the_rows_came_in():
    """A determinism probe: re-sent files listed the same records in another order, and the
    finding's fingerprint moved with nothing new."""
    from assessment.facts import finding
    rows = [{"source": "tax", "record_id": "T2"}, {"source": "bank", "record_id": "B1"},
            {"source": "tax", "record_id": "T10"}, {"source": "tax", "record_id": None}]
    once = finding("x", "warn", "m", rows)["evidence"]
    assert once == finding("x", "warn", "m", list(reversed(rows)))["evidence"]
    assert {"source": "tax", "record_id": None} in once


@pytest.mark.parametrize("vtype", ["普通正三轮摩托车", "侧三轮摩托车", "正三轮载货摩托车", "普通低速货车", "厢式低速货车",
                                   "手扶拖拉机", "轮式拖拉机", "M21普通二轮摩托车", "普通二轮摩托车（M21）", "低速载货汽车",
                                   "三轮农用运输车", "四轮农用运输车", "二轮摩托车", "残疾人专用小型自动挡载客汽车",
                                   "普通二輪摩托車", "H51", "m21", "农用三轮车"])
def test_a_vehicle_of_an_exempt_kind_as_the_register_writes_it_is_exempt(vtype):
    """A register probe: 18 vehicles of the policy's exempt kinds, written as the vehicle register
    writes them (sub-kinds, type codes, older names), were read as cars and failed their households."""
    findings, outcome = evaluate(facts(vehicles=[car(vtype)]))
    assert outcome == "pass", findings


@pytest.mark.parametrize("vtype", ["小型轿车", "K33小型轿车", "小型普通客车", "轻型普通货车", "中型普通客车"])
def test_a_car_as_the_register_writes_it_is_not_exempt(vtype):
    findings, outcome = evaluate(facts(vehicles=[car(vtype)]))
    assert outcome == "fail" and ("dibao.vehicle", "fail") in {(f["rule"], f["severity"]) for f in findings}



def test_a_fail_on_income_says_how_many_of_its_rows_a_caseworker_confirmed():
    """A review probe: a fail resting on 12 confirmed wage rows read as if the linker had found them."""
    rows = [{"member_no": 1, "source": "tax", "record_id": f"T{i}", "amount": 900.0, "counted": True,
             "decision": "confirmed" if i < 2 else "auto"} for i in range(3)]
    f = facts(n=1, income=900.0)
    f.income["records"] = rows
    [found] = [x for x in evaluate(f)[0] if x["rule"] == "dibao.income"]
    assert found["message"].endswith("（其中2条记录经人工复核确认）")


def test_two_heads_are_a_warning_naming_both_and_whose_address_set_the_area():
    """A request probe: two 户主 rows, one in a village and one in a 街道: the row order decided the
    standard (¥132 a person apart) and nothing was said."""
    f = facts(members=[member(1), member(2, "户主"), member(3, "子女")])
    [found] = [x for x in evaluate(f)[0] if x["rule"] == "household.two_heads"]
    assert found["severity"] == "warn" and "成员1（序号1）、成员2（序号2）" in found["message"]
    assert "household.two_heads" not in {x["rule"] for x in evaluate(facts())[0]}


def test_member_numbers_with_a_gap_are_noted_as_a_row_that_may_be_missing():
    """A request probe: members numbered 1, 2, 3, 7 were answered without a word; a gap is most often a
    member's row gone missing, and their income with it."""
    f = facts(members=[member(1), member(2, "配偶"), member(3, "子女"), member(7, "子女")])
    [found] = [x for x in evaluate(f)[0] if x["rule"] == "household.member_numbers"]
    assert found["severity"] == "info" and "1、2、3、7" in found["message"]
    assert "household.member_numbers" not in {x["rule"] for x in evaluate(facts(n=3))[0]}


def test_a_reissued_report_says_the_household_lost_a_member():
    """A request probe: a re-sent household without one member read 核对建议和主要数字没有变化."""
    from pipelines.reissue import reissue_of

    previous = {"run_id": "r1", "assessed_at": "2026-12-01 02:00:00", "outcome": "fail", "members": 7,
                "monthly_income_total": 1000, "monthly_income_per_capita": 142.86, "financial_total": 0,
                "vehicles": 0, "properties": 0}
    doc = {"outcome": "fail", "members": [{"is_member": True}] * 6 + [{"is_member": False}],
           "income": {"monthly_total": 1000.0, "monthly_per_capita": 166.67},
           "assets": {"financial_total": 0.0, "vehicle_count": 0, "property_count": 0}}
    moved = {c["figure"]: c["message"] for c in reissue_of(previous, doc)["changes"]}
    assert moved["members"] == "家庭人口（人）：7 → 6"


def test_a_reissued_report_says_the_declared_income_was_corrected(tmp_path):
    """A request probe: a one-row correction of a declared income (1,500.50 → 6,500.00) gave a 修订版
    whose box of changes was empty: the clerk's own correction was not among them."""
    import json

    from pipelines.reissue import reissue_of

    (tmp_path / "H1.json").write_text(json.dumps({"income": {"declared_monthly_total": 1500.5}}), encoding="utf-8")
    previous = {"run_id": "r1", "assessed_at": "2026-12-01 02:00:00", "outcome": "pass", "members": 1,
                "monthly_income_total": 0, "monthly_income_per_capita": 0, "financial_total": 0,
                "vehicles": 0, "properties": 0, "report_path": "H1.json"}
    doc = {"outcome": "pass", "members": [{"is_member": True}],
           "income": {"monthly_total": 0.0, "monthly_per_capita": 0.0, "declared_monthly_total": 6500.0},
           "assets": {"financial_total": 0.0, "vehicle_count": 0, "property_count": 0}}
    moved = {c["figure"]: c["message"] for c in reissue_of(previous, doc, tmp_path)["changes"]}
    assert moved == {"declared_monthly_total": "申报家庭月收入（元）：1,500.50 → 6,500.00"}
    # an earlier edition that cannot be read says nothing of it (rather than '— → 6,500.00')
    assert reissue_of({**previous, "report_path": "gone.json"}, doc, tmp_path)["changes"] == []


def test_a_reissued_report_names_the_per_capita_assets_the_limit_is_judged_on():
    """A corrections probe: a deposit corrected 40,000 → 30,000 turned fail into pass, and the 修订版
    named the household's total alone, not the per-capita figure that crossed the limit."""
    from pipelines.reissue import reissue_of

    previous = {"run_id": "r1", "assessed_at": "2026-12-01 02:00:00", "outcome": "fail", "members": 2,
                "monthly_income_total": 0, "monthly_income_per_capita": 0, "financial_total": 40000.0,
                "financial_per_capita": 20000.0, "vehicles": 0, "properties": 0}
    doc = {"outcome": "pass", "members": [{"is_member": True}] * 2,
           "income": {"monthly_total": 0.0, "monthly_per_capita": 0.0},
           "assets": {"financial_total": 30000.0, "financial_per_capita": 15000.0, "vehicle_count": 0,
                      "property_count": 0}}
    moved = {c["figure"]: c["message"] for c in reissue_of(previous, doc)["changes"]}
    assert moved["financial_per_capita"] == "人均金融资产（元）：20,000.00 → 15,000.00"
