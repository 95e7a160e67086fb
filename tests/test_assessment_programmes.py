"""Each programme judged on its own terms: 特困 against its own standard, asset limit and
conditions; 就业救助 on the records that show work; the programmes not judged on a standard
(medical, education, housing, employment, temporary) never warned about a line they do not have.

Households are built as the pipeline builds them: register rows in an in-memory warehouse (the
real schema), linked to the members, read by the assessment's evidence queries, then the
report document. Standards: Shanxi 2022 placeholder, 140105 urban 低保 ¥628, 特困 ¥816.40,
asset limit 24 × 628 = ¥15,072.00 per person.
"""

import json
from datetime import date, timedelta, datetime

import duckdb
import pytest

from assessment.evidence import (accounts_sql, income_records_sql, newer_balances_sql, properties_sql, refused_sql,
                                 vehicles_sql)
from assessment.unclaimed import PLACES, places_sql, unclaimed_sql, unclaimed_table_sql
from assessment.unsure_wages import unsure_wages_sql
from assessment.household import SUPPORTER_NOTE, build_household
from assessment.policy import load_policy
from assessment.rules import Facts, evaluate
from matching.address import address_table
from warehouse import apply_migrations
from warehouse.sql import fetch_grouped

POLICY = load_policy()
REQUEST_DATE = date(2026, 11, 28)   # income window 2025-11 .. 2026-10; employment months 2026-05 .. 2026-10
HH = {"request_id": "R1", "household_id": "H1", "agency": "taiyuan", "program": "dibao", "origin": "inbox",
      "county_code": "140105", "request_date": REQUEST_DATE, "run_id": "run-1"}
SOURCE_COLS = "record_id, name, id_number, id_status, batch_id, file, file_hash, row_number, loaded_at"
STD = POLICY.standard("140105", REQUEST_DATE, "urban")
PARAMS = POLICY.county("140105").params


def person(no, relation="户主", born=date(1956, 1, 1), labor="无", grade=None, **kw):
    return {"member_no": no, "name": f"成员{no}", "id_number": f"14010519800101{no:03d}X", "id_status": "valid",
            "relation": relation, "consent": True, "consent_ref": f"SQ{no}", "address": "太原市小店区某街1号",
            "gender": "男", "birth_date": born, "labor_capacity": labor, "disability_grade": grade,
            "declared_monthly_income": None, "declared_financial_assets": None, "on_rolls_programs": [], **kw}


class Warehouse:
    """One household and the register rows linked to its members."""

    def __init__(self, members):
        self.con = duckdb.connect()
        apply_migrations(self.con)
        self.members = members
        self.con.execute("CREATE TEMP TABLE work_households AS SELECT 'R1' AS request_id, 'H1' AS household_id, "
                         "DATE '2026-11-28' AS request_date, DATE '2025-11-01' AS window_start, "
                         "DATE '2026-10-31' AS window_end, '140105' AS county_code")
        self.rows = 0

    def _insert(self, table, source, rid, member, cols, values, decision="auto"):
        self.rows += 1
        self.con.execute(f"INSERT INTO {table} ({SOURCE_COLS}, {cols}) VALUES "
                         f"(?, ?, NULL, NULL, 'b', 'f.csv', 'h', ?, ?, {', '.join('?' * len(values))})",
                         [rid, f"成员{member}", self.rows, datetime(2026, 11, 5), *values])
        if decision is not None:      # None: a row nobody is linked to
            self.con.execute("INSERT INTO links VALUES (?, ?, 'R1', 'H1', ?, 0.99, ?, 'test', NULL, 'run-1', now())",
                             [source, rid, member, decision])

    def wage(self, rid, member, period, amount, item="工资薪金"):
        self._insert("tax_all", "tax", rid, member, "period, income_item, income_amount, withholding_agent",
                     [date.fromisoformat(period), item, amount, "太原市某某有限公司"])

    def insurance(self, rid, member, period, insurance_type, record_type="缴费", base=4000.0, amount=320.0,
                  employer="太原市某某有限公司"):
        self._insert("social_insurance_all", "social_insurance", rid, member,
                     "insurance_type, record_type, period, employer, contribution_base, amount",
                     [insurance_type, record_type, date.fromisoformat(period), employer, base, amount])

    def vehicle(self, rid, member, vtype="小型轿车", decision="auto"):
        self._insert("vehicle_all", "vehicle", rid, member,
                     "plate_number, vehicle_type, registration_date, purchase_price, status",
                     [f"晋A{rid}", vtype, date(2020, 5, 1), 80000, "正常"], decision=decision)

    def property(self, rid, member, usage="住宅", certificate=None, area=80.0, share=None, decision="auto",
                 location=None):
        self._insert("property_all", "property", rid, member,
                     "certificate_number, location, usage, floor_area, share, registration_date, status",
                     [certificate or f"晋(2020)太原市不动产权第{rid}号", location or f"小店区{rid}", usage, area, share,
                      date(2020, 5, 1), "现势"], decision=decision)

    def bank(self, rid, member, balance, account=None, as_of=date(2026, 10, 31), decision="auto", institution="兴业银行"):
        self._insert("bank_all", "bank", rid, member, "institution, account_number, product_type, balance, as_of_date",
                     [institution, account or f"6222{rid}", "定期存款", balance, as_of], decision=decision)

    def report(self, program="dibao", data_as_of=None, delivered_empty=(), **hh):
        def grouped(sql):
            return fetch_grouped(self.con, sql, key=lambda r: (r["request_id"], r["household_id"])).get(("R1", "H1"), [])
        self.con.execute("CREATE OR REPLACE TEMP TABLE work_members (request_id VARCHAR, household_id VARCHAR, "
                         "member_no BIGINT, name VARCHAR, consent BOOLEAN, relation VARCHAR, id_number VARCHAR, address VARCHAR, "
                         "id_birth_date DATE, birth_date DATE, id_status VARCHAR)")
        self.con.executemany("INSERT INTO work_members VALUES ('R1', 'H1', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [[m["member_no"], m["name"], m["consent"], m["relation"], m["id_number"], m.get("address"),
                               m.get("id_birth_date"), m.get("birth_date"), m.get("id_status")]
                              for m in self.members])
        self.con.register(PLACES, address_table([r[0] for r in self.con.execute(places_sql()).fetchall()]))
        self.con.execute(unclaimed_table_sql(places=PLACES))
        return build_household({**HH, "program": program, **hh}, self.members, grouped(income_records_sql()),
                               grouped(vehicles_sql()), grouped(properties_sql()), grouped(accounts_sql()),
                               grouped("SELECT * FROM links"), POLICY, data_as_of or {}, "2026-11-28T02:00:00+08:00",
                               newer_balances=grouped(newer_balances_sql()), unclaimed=grouped(unclaimed_sql()),
                               unsure_wages=grouped(unsure_wages_sql()), refused=grouped(refused_sql()),
                               delivered_empty=tuple(delivered_empty))


@pytest.fixture
def household():
    made = []

    def make(*members):
        made.append(Warehouse(list(members)))
        return made[-1]
    yield make
    for w in made:
        w.con.close()


def rules(doc: dict) -> dict:
    return {f["rule"]: f for f in doc["findings"]}


def cited(found: dict) -> set:
    return {(e["source"], e["record_id"]) for e in found["evidence"]}


# 1. 特困 is held to the asset rules of 低保 ------------------------------------------------------

def test_a_tekun_household_a_cent_over_the_asset_limit_fails_as_a_dibao_one_does(household):
    wh = household(person(1))
    wh.bank("B1", 1, 15072.01)
    tekun, dibao = wh.report("tekun"), wh.report("dibao")
    assert tekun["standards"]["asset_limit_per_capita"] == 15072.0
    assert rules(dibao)["dibao.financial_assets"]["severity"] == "fail"
    found = rules(tekun)["tekun.financial_assets"]
    assert (found["severity"], found["message"]) == (
        "fail", "家庭人均金融资产15,072.01元，超过24倍月低保标准（15,072.00元）")
    assert cited(found) == {("bank", "B1")} and tekun["outcome"] == "fail"


def test_a_tekun_household_is_held_to_the_vehicle_and_home_rules_of_dibao(household):
    wh = household(person(1))
    wh.vehicle("V1", 1)
    wh.vehicle("V2", 1, vtype="普通二轮摩托车")          # exempt, as for 低保
    wh.property("P1", 1)
    wh.property("P2", 1)
    wh.property("S1", 1, usage="商业")
    found = rules(wh.report("tekun"))
    assert {r: f["severity"] for r, f in found.items() if r.startswith("tekun.")} == {
        "tekun.vehicle": "fail", "tekun.homes": "fail", "tekun.non_residential": "fail"}
    assert cited(found["tekun.vehicle"]) == {("vehicle", "V1")}
    assert found["tekun.homes"]["message"] == "家庭拥有住宅2套，超过1套"


# 2. 就业救助: which contributions show work -----------------------------------------------------

def test_employee_scheme_contributions_show_work_and_residents_scheme_contributions_do_not(household):
    able = dict(born=date(1986, 3, 1), labor="有")
    wh = household(*[person(n, "户主" if n == 1 else "子女", **able) for n in range(1, 8)])
    schemes = {1: "失业保险", 2: "职工基本医疗保险", 3: "工伤保险", 4: "机关事业单位养老保险", 5: "企业职工基本养老保险",
               6: "城乡居民基本养老保险", 7: "城乡居民基本医疗保险"}
    for member, scheme in schemes.items():
        employer = "灵活就业人员" if member == 5 else ("" if member >= 6 else "太原市某某有限公司")
        wh.insurance(f"S{member}", member, "2026-09-01", scheme, employer=employer, base=None if member >= 6 else 4000.0,
                     amount=200.0)
    doc = wh.report("employment")
    found = rules(doc)["employment.unemployed_members"]
    assert found["message"] == "成员6、成员7有劳动能力，近6个月无工作收入（工资、劳务报酬、经营所得）或社保缴费记录"
    # shown as work, never as income: only the pension base of an employer stands in for a wage
    listed = {r["record_id"]: r for r in doc["income"]["records"]}
    assert set(listed) == {"S1", "S2", "S3", "S4", "S5"}
    assert [r for r, x in listed.items() if x["counted"]] == ["S4"]
    assert listed["S1"]["note"] == "该险种缴费仅作为在职（就业）佐证，缴费基数不作为工资佐证，不计入收入"
    assert doc["income"]["monthly_total"] == round(4000.0 / 12, 2)


# 3. and 7. the declared-vs-verified check ---------------------------------------------------------

def facts(program, income=0.0, declared=None, financial=0.0, declared_assets=None, members=None):
    members = members or [{"member_no": 1, "name": "成员1", "relation": "户主", "is_member": True, "consent": True,
                           "id_check": "valid", "age": 70, "gender": "男", "labor_capacity": "无",
                           "on_rolls_programs": []}]
    return Facts(program=program, members=members,
                 income={"monthly_total": income, "records": [], "declared_monthly_total": declared},
                 assets={"financial_total": financial, "financial": [], "held_vehicles": [], "held_properties": [],
                         "declared_financial_total": declared_assets},
                 standard=STD, params=PARAMS)


def test_a_tekun_declaration_is_compared_with_the_tekun_standard_not_the_dibao_one():
    def declared(f):
        (x,) = [x for x in evaluate(f)[0] if x["rule"] == "declared.income"]
        return x["severity"], x["message"]
    # 500 and 700 sit either side of 低保's 628 but both below 特困's 816.40
    assert declared(facts("tekun", income=700.0, declared=500.0)) == (
        "info", "核对月收入700.00元与申报500.00元，核对比申报多200.00元；均在标准线816.40元以下，未改变比较结果")
    # 700 and 900 are both above 628, and either side of 816.40
    assert declared(facts("tekun", income=900.0, declared=700.0)) == (
        "warn", "核对月收入900.00元与申报700.00元，核对比申报多200.00元；跨越标准线816.40元")


def test_a_declared_difference_says_the_per_capita_figures_the_rule_compared_and_the_line():
    """A rules probe: '核对月收入1,200.00元与申报1,400.00元相差-200.00元，且跨越标准线' for two
    members: both totals are above 628, the crossing was per capita (600 and 700)."""
    f = facts("dibao", income=1200.0, declared=1400.0)
    f.members.append({**f.members[0], "member_no": 2, "relation": "配偶"})
    (found,) = [x for x in evaluate(f)[0] if x["rule"] == "declared.income"]
    assert found["severity"] == "warn" and found["message"] == (
        "核对月收入1,200.00元与申报1,400.00元，核对比申报少200.00元；人均核对600.00元、申报700.00元，跨越标准线628.00元")


@pytest.mark.parametrize("program", ["medical", "education", "housing", "employment", "temporary"])
def test_a_declared_difference_in_a_programme_without_a_standard_line_is_information(program):
    f = facts(program, income=1400.0, declared=600.0, financial=40000.0, declared_assets=1000.0)
    found = {x["rule"]: x for x in evaluate(f)[0] if x["rule"].startswith("declared.")}
    assert {r: x["severity"] for r, x in found.items()} == {"declared.income": "info",
                                                             "declared.financial_assets": "info"}
    assert found["declared.income"]["message"] == (
        "核对月收入1,400.00元与申报600.00元，核对比申报多800.00元，本救助项目不按收入标准和资产上限核定，仅供参考")
    assert found["declared.financial_assets"]["message"] == (
        "核对金融资产40,000.00元与申报1,000.00元，核对比申报多39,000.00元，本救助项目不按收入标准和资产上限核定，仅供参考")


# 5. the figure shown is the figure judged -------------------------------------------------------

def _wages(wh, member, amounts):
    months = [f"{y}-{m:02d}-01" for y, m in [(2025, 11), (2025, 12)] + [(2026, k) for k in range(1, 11)]]
    for period, amount in zip(months, amounts):
        wh.wage(f"T{member}-{period[:7]}", member, period, amount)


def test_the_per_capita_income_shown_is_the_one_judged(household):
    """Two households shown at 628.00 came out on opposite sides of the 628.00 standard."""
    cases = [  # (members, a year's wages of member 1, per capita shown, dibao.income fails)
        (2, [1256.0] * 11 + [1255.99], 628.0, True),      # 15,071.99 a year over 2 members
        (3, [1883.99] * 12, 628.0, True),                  # 1,883.99 a month over 3 members
        (2, [1256.0] * 11 + [1255.85], 627.99, False),     # 15,071.85: 627.99375, not 1,255.99 / 2 = 627.995
    ]
    got = []
    for n, amounts, _, _ in cases:
        wh = household(*[person(k, "户主" if k == 1 else "子女") for k in range(1, n + 1)])
        _wages(wh, 1, amounts)
        doc = wh.report("dibao")
        found = rules(doc).get("dibao.income")
        got.append((doc["income"]["monthly_per_capita"], found is not None))
        if found:
            assert found["message"] == "家庭人均月收入628.00元，不低于低保标准628.00元"
    assert got == [(shown, fails) for _, _, shown, fails in cases]


def test_per_capita_income_is_rounded_from_the_exact_sum_of_the_amounts_not_a_float_sum(household):
    """An independent-data probe: 657.75 and 598.24 a month for two members is 627.995 a person,
    628.00 — summed as floats it came to 1,255.9899999…, shown 627.99 and passed a 628.00 standard."""
    wh = household(person(1), person(2, "配偶"))
    _wages(wh, 1, [657.75] * 12)
    _wages(wh, 2, [598.24] * 12)
    doc = wh.report("dibao")
    assert doc["income"]["monthly_total"] == 1255.99
    assert doc["income"]["monthly_per_capita"] == 628.0
    assert rules(doc)["dibao.income"]["message"] == "家庭人均月收入628.00元，不低于低保标准628.00元"


def test_the_per_capita_assets_shown_are_the_ones_judged(household):
    wh = household(person(1), person(2, "配偶"), person(3, "子女"))
    wh.bank("B1", 1, 45216.01)                          # 15,072.0033 a person, shown as 15,072.00
    doc = wh.report("dibao")
    assert doc["assets"]["financial_per_capita"] == 15072.0 == doc["standards"]["asset_limit_per_capita"]
    assert "dibao.financial_assets" not in rules(doc) and doc["outcome"] == "pass"


# 6. a supporter's vehicle and home --------------------------------------------------------------

def test_a_supporters_vehicle_and_home_are_listed_as_not_counted(household):
    wh = household(person(1), person(2, "赡养人", born=date(1980, 1, 1), labor="有"))
    wh.vehicle("V2", 2)
    wh.property("P2", 2)
    wh.bank("B2", 2, 1000.0)
    doc = wh.report("tekun")
    for row in doc["assets"]["vehicles"] + doc["assets"]["properties"] + doc["assets"]["financial"]:
        assert (row["record_id"], row["counted"], row["note"]) == (row["record_id"], False, SUPPORTER_NOTE)
    assert doc["assets"]["vehicle_count"] == doc["assets"]["property_count"] == 0
    assert not [r for r in rules(doc) if r in ("tekun.vehicle", "tekun.homes")]


# 8. employment findings cite their records ------------------------------------------------------

def test_employment_findings_cite_the_wage_and_contribution_rows_they_rest_on(household):
    able = dict(born=date(1986, 3, 1), labor="有")
    wh = household(person(1, **able), person(2, "配偶", **able))
    wh.wage("T1", 1, "2026-09-01", 3000.0)
    wh.insurance("S2", 2, "2026-08-01", "企业职工基本养老保险")
    wh.wage("T0", 1, "2026-01-01", 3000.0)          # before the employment months: not what the finding rests on
    found = rules(wh.report("employment"))["employment.no_unemployed_member"]
    assert cited(found) == {("tax", "T1"), ("social_insurance", "S2")}
    # an independent probe: a single 劳务报酬 row was called a wage ("均有工资或社保缴费记录")
    assert "工作收入（工资、劳务报酬或经营所得）或社保缴费记录" in found["message"]


# 9. who 特困 is for -----------------------------------------------------------------------------

def test_a_tekun_member_of_working_age_able_to_work_is_a_question(household):
    """Request 2026-11-28: born 1966-11-29 is 59, born 1966-11-28 is 60; 2010-11-29 is 15."""
    cases = [  # (birth date, labor capacity, disability grade, severity)
        (date(1986, 3, 1), "有", None, "warn"),
        (date(1986, 3, 1), "部分", "三级", "warn"),
        (date(1966, 11, 29), "有", None, "warn"),
        (date(1966, 11, 28), "有", None, None),
        (date(2010, 11, 29), "有", None, None),
        (date(1986, 3, 1), "部分", "二级", None),
        (date(1986, 3, 1), "有", "一级", None),
        (date(1986, 3, 1), "无", None, None),
        # left blank (the field is optional): said, not held (a rules probe heard nothing)
        (date(1986, 3, 1), None, None, "info"),
        (date(1966, 11, 28), None, None, None),
    ]
    warned = {}
    for born, labor, grade, _ in cases:
        # the birth date as the ID number gives it when the application leaves it out
        wh = household(person(1, born=None, id_birth_date=born, labor=labor, grade=grade))
        found = rules(wh.report("tekun")).get("tekun.labor_capacity")
        warned[(born, labor, grade)] = found["severity"] if found else None
    assert warned == {(b, lab, g): w for b, lab, g, w in cases}
    wh = household(person(1, born=date(1986, 3, 1), labor="有"))
    doc = wh.report("tekun")
    assert rules(doc)["tekun.labor_capacity"]["message"] == (
        "成员成员1，40岁（劳动年龄为16至59岁），劳动能力为“有”，无残疾等级，"
        "不属于老年人、未成年人或丧失劳动能力人员，请核实是否符合特困人员条件")
    assert doc["outcome"] == "review"


# 10. 住房救助: an applicant does not exit ---------------------------------------------------------

def test_a_housing_applicant_with_a_home_is_not_eligible_and_a_household_on_the_rolls_must_exit(household):
    wh = household(person(1))
    wh.property("P1", 1)
    assert rules(wh.report("housing", origin="inbox"))["housing.owns_home"]["message"] == \
        "家庭现拥有住宅1套，不符合住房救助条件"
    assert rules(wh.report("housing", origin="rolls"))["housing.owns_home"]["message"] == \
        "家庭现拥有住宅1套，按住房保障规定应退出"


def test_a_home_waiting_for_review_in_a_housing_household_says_what_confirming_would_mean(household):
    """An evaluator: a housing household's own ID-less home, waiting for review, read
    "如全部确认：家庭住宅1套，超过0套" (住房救助 has no number of homes to exceed)."""
    wh = household(person(1))
    wh.property("P1", 1, decision="review")
    said = rules(wh.report("housing", origin="inbox"))["match.review"]["message"]
    assert "家庭现拥有住宅1套，不符合住房救助条件" in said and "超过0套" not in said


# 11. a declared birth date the ID number contradicts --------------------------------------------

# the probe's member: a legacy ID of 1960-03-03 beside a declared 出生日期 of 1970-01-01 (the Excel
# serial 25569); at the request date 2026-11-28 the ID makes them 66, the declared date 56
PROBED = dict(relation="配偶", name="张三", born=date(1970, 1, 1), id_birth_date=date(1960, 3, 3), labor="有",
              id_number="140105196003031234")


@pytest.mark.parametrize("status", ["valid", "repaired"])
def test_a_declared_birth_date_contradicting_the_id_number_gives_way_to_it_and_is_a_warning(household, status):
    wh = household(person(1, born=date(1950, 5, 1)), person(2, id_status=status, **PROBED))
    doc = wh.report("tekun")
    assert [m["age"] for m in doc["members"]] == [76, 66]
    found = rules(doc)
    # judged at 66, not of working age: no question about their capacity to work
    assert "tekun.labor_capacity" not in found
    assert (found["declared.birth_date"]["severity"], found["declared.birth_date"]["message"]) == (
        "warn", "成员张三（序号2）申报出生日期与身份证号所载出生日期不符（申报1970年，身份证号所载1960年），"
                "年龄按身份证号计算（66岁），请核实")
    # a privacy probe: the ID's birth date beside its masked form (140105********1234) gave the ID back
    assert PROBED["id_number"] not in found["declared.birth_date"]["message"]
    assert "1960-03-03" not in found["declared.birth_date"]["message"]
    assert doc["outcome"] == "review"


def test_with_an_invalid_id_number_the_declared_birth_date_stands_without_a_finding(household):
    wh = household(person(1, born=date(1950, 5, 1)), person(2, id_status="invalid", **PROBED))
    doc = wh.report("tekun")
    assert doc["members"][1]["age"] == 56
    found = rules(doc)
    assert "declared.birth_date" not in found and found["tekun.labor_capacity"]["message"].startswith("成员张三，56岁")


def test_a_declared_birth_date_agreeing_with_the_id_number_is_no_finding(household):
    wh = household(person(1, born=date(1960, 3, 3), id_birth_date=date(1960, 3, 3)))
    doc = wh.report("tekun")
    assert doc["members"][0]["age"] == 66 and "declared.birth_date" not in rules(doc)
    assert doc["outcome"] == "pass"


@pytest.mark.parametrize("shares", [(1.0, 1.0), (0.5, 0.5), (None, None)], ids=["joint", "halves", "unstated"])
def test_a_home_two_members_own_together_is_its_floor_area_once(household, shares):
    """A probe's register wrote 共同共有 (joint ownership): each spouse's row holds the whole 120 m²
    flat, and the household owned 240 m². A household owns at most a whole property."""
    wh = household(person(1), person(2, "配偶"))
    for member, share in zip((1, 2), shares):
        wh.property(f"P{member}", member, certificate="晋(2019)太原市不动产权第0001234号", area=120.0, share=share)
    doc = wh.report("dibao")
    assert doc["assets"]["property_count"] == 1
    assert doc["assets"]["owned_area_total"] == 120.0



def test_two_members_on_one_id_number_are_a_warning_and_the_figures_incomplete(household):
    """An applicant-side probe: the wife's row carried her husband's ID. Her own wage, deposit and
    car (under her own ID) were linked to no one, the figures said they were complete, and the
    household passed."""
    husband = person(1)
    wife = person(2, "配偶", id_number=husband["id_number"])
    wh = household(husband, wife)
    _wages(wh, 1, [300.0] * 12)
    doc = wh.report("dibao")
    found = rules(doc)["id_check.shared"]
    assert found["severity"] == "warn" and doc["outcome"] == "review"
    assert "成员1（序号1）、成员2（序号2）" in found["message"] and "140105********" in found["message"]
    assert husband["id_number"] not in found["message"]
    assert doc["income"]["complete"] is False and doc["income"]["members_id_shared"] == 2
    assert doc["assets"]["complete"] is False


def test_members_with_their_own_id_numbers_share_nothing(household):
    wh = household(person(1), person(2, "配偶"))
    _wages(wh, 1, [300.0] * 12)
    doc = wh.report("dibao")
    assert "id_check.shared" not in rules(doc) and doc["income"]["complete"] is True


def test_a_declared_gender_contradicting_the_id_number_is_a_warning(household):
    """An applicant-side probe: a wife's row with her husband's ID declared 女 beside a male ID,
    and nothing said so."""
    husband_id = "140105198001010011"                       # 17th digit odd: male
    wife = person(2, "配偶", id_number=husband_id, gender="女", id_gender="男")
    wh = household(person(1), wife)
    doc = wh.report("dibao")
    found = rules(doc)["declared.gender"]
    assert found["severity"] == "warn" and "成员2（序号2）申报性别女与身份证号所载性别男不符" in found["message"]
    assert [m["gender"] for m in doc["members"]] == ["男", "男"]


@pytest.mark.parametrize("declared_birth, held", [(date(1950, 3, 1), True), (date(1977, 5, 2), False)],
                         ids=["another-persons-id", "a-day-typo"])
def test_a_fail_on_records_found_by_an_id_the_application_contradicts_is_a_question(household, declared_birth, held):
    """A linkage probe: a 特困 father born 1950 applied with his namesake son's ID (born 1977) and
    failed on the son's wages. A birth year two or more from the ID's is no typo: the fail stands
    as a warning saying whose identity to settle first. A date off by days stays a fail."""
    wh = household(person(1, born=declared_birth, id_birth_date=date(1977, 5, 1)))
    for month in range(1, 11):
        wh.wage(f"W{month}", 1, f"2026-{month:02d}-01", 7000.0)
    doc = wh.report("tekun")
    found = rules(doc)["tekun.income"]
    if held:
        assert found["severity"] == "warn" and doc["outcome"] == "review"
        assert "成员1申报1950年出生，身份证号所载为1977年，该证件号可能为他人所有" in found["message"]
    else:
        assert found["severity"] == "fail" and doc["outcome"] == "fail"


def test_a_household_without_a_head_row_is_a_warning(household):
    """An agency-request probe: a 配偶 and a 子女 with no 户主 were answered with no word, the area
    'by the head's address' read from someone else's."""
    wh = household(person(1, "配偶"), person(2, "子女"))
    doc = wh.report("dibao")
    found = rules(doc)["household.no_head"]
    assert found["severity"] == "warn" and "成员1（序号1）的住址" in found["message"] and doc["outcome"] == "review"
    assert "household.no_head" not in rules(household(person(1), person(2, "配偶")).report("dibao"))


# 8. Sources behind -------------------------------------------------------------------------------

def test_a_source_more_than_three_months_behind_steps_back_three_and_says_the_figure_may_be_short(household):
    """A rules probe: social insurance delivered to 2025-02 for a window ending 2025-06 was read over
    the request's own window, a 700 pension's undelivered months counted as none, and a household
    over the standard passed with nothing said."""
    wh = household(person(1))
    for month in range(8, 13):
        wh.insurance(f"P25{month}", 1, f"2025-{month:02d}-01", "企业职工基本养老保险", record_type="待遇", base=None,
                     amount=700.0)
    for month in range(1, 7):
        wh.insurance(f"P26{month}", 1, f"2026-{month:02d}-01", "企业职工基本养老保险", record_type="待遇", base=None,
                     amount=700.0)
    doc = wh.report(data_as_of={"tax": "2026-10-31", "social_insurance": "2026-06-30"})
    assert doc["window"]["by_source"]["social_insurance"] == {"start": "2025-08-01", "end": "2026-07-31"}
    assert doc["window"]["behind"] == {"social_insurance": "2026-06-30"}
    assert doc["income"]["monthly_total"] == round(11 * 700 / 12, 2)
    found = rules(doc)["data.source_behind"]
    assert found["severity"] == "warn" and found["message"].startswith("社保数据仅报送至2026年6月")


@pytest.mark.parametrize("program", ["tekun", "dibao"])
def test_a_household_of_supporters_only_is_held_not_passed(household, program):
    """A degenerate-data probe: a 特困 request whose one row was a 赡养人 passed with no finding, its area
    read from the supporter's address."""
    doc = household(person(1, relation="赡养人", born=date(1970, 1, 1))).report(program)
    found = rules(doc).get("household.no_members")
    assert found is not None and found["severity"] == "warn" and doc["outcome"] == "review", doc["findings"]


def test_an_id_born_after_the_request_date_is_a_question_not_an_age_of_minus_one(household):
    """A degenerate-data probe: an ID born the day after the request date passed its check (on the day
    the pass ran); the report said "-1岁" and her car failed the household."""
    wh = household(person(1), person(2, "子女", born=None, id_birth_date=REQUEST_DATE + timedelta(days=1)))
    wh.vehicle("V1", 2)
    doc = wh.report()
    found = rules(doc)["id_check.born_later"]
    assert found["severity"] == "warn" and "晚于申请日期" in found["message"]
    assert [m["age"] for m in doc["members"]][1] is None
    assert doc["outcome"] == "review", doc["findings"]


NOTHING = {"tax": None, "social_insurance": None, "vehicle": None, "property": None, "bank": None}


@pytest.mark.parametrize("program, data_as_of, held", [
    ("dibao", NOTHING, True),
    ("dibao", {**NOTHING, "bank": "2026-10-31"}, False),         # one source checked: said, not held
    ("housing", {**NOTHING, "tax": "2026-10-31"}, True),         # the register it is judged on: none
    ("medical", NOTHING, False),                                 # judged on nothing of them
])
def test_a_household_none_of_whose_judged_sources_has_data_is_held_not_passed(household, program, data_as_of,
                                                                              held):
    """A contract probe: a 低保 household with every source's export empty passed, 通过, with an info
    note: a caseworker reads "checked and clean" where nothing was checked."""
    doc = household(person(1)).report(program, data_as_of=data_as_of)
    found = rules(doc).get("data.nothing_verified")
    assert (found is not None) == held, doc["findings"]
    if held:
        assert found["severity"] == "warn" and doc["outcome"] == "review"


def test_a_source_whose_exports_held_no_row_is_said_delivered_and_empty_not_never_delivered(household):
    """A contract probe: header-only exports, loaded, were "从未报送" in the report."""
    doc = household(person(1)).report(data_as_of={**NOTHING, "tax": "2026-10-31"},
                                      delivered_empty=("vehicle", "property"))
    said = [f["message"] for f in doc["findings"] if f["rule"] == "data.source_missing"]
    assert said == ["社保、金融资产数据从未报送，本次未核对这些来源，其收入与资产不在核对结果中（不是“未查到”）",
                    "机动车登记、不动产登记数据已报送，但报送的文件中没有任何记录，本次未核对这些来源（不是“未查到”）；"
                    "请向该部门核实导出是否完整"], said


def test_a_source_never_delivered_is_said_for_information_and_not_called_found_empty(household):
    """A traceability probe: with only tax ever loaded, a 低保 report said 无核对发现 and 未查到机动车登记
    of a register never loaded. Said, not held: a deployment may have no feed of a source."""
    from reports.html import render_household

    wh = household(person(1))
    doc = wh.report(data_as_of={"tax": "2026-10-31", "social_insurance": None, "vehicle": None,
                                "property": "2026-11-28", "bank": None})
    found = rules(doc)["data.source_missing"]
    assert found["severity"] == "info" and doc["outcome"] == "pass"
    assert found["message"].startswith("社保、机动车登记、金融资产数据从未报送") and "不动产" not in found["message"]
    html = render_household(doc)
    assert "机动车登记无数据入库，未核对" in html and "未查到机动车登记" not in html and "未查到不动产登记" in html
    assert "无机动车登记" not in html      # the summary card too (a caseworker probe read it as no car)


def test_no_base_stands_in_for_a_wage_before_any_tax_export_has_arrived(household):
    """A rules probe: with no tax export at all, a pension base of 7,536 stood in for a wage and
    failed the household; the README's rule is that a base waits for its month's tax export."""
    wh = household(person(1, born=date(1986, 3, 1), labor="有"))
    wh.insurance("S1", 1, "2026-09-01", "企业职工基本养老保险", base=7536.0)
    doc = wh.report(data_as_of={"tax": None, "social_insurance": "2026-10-31"})
    (record,) = doc["income"]["records"]
    assert (record["counted"], record["note"]) == (False, "税务数据尚未报送，缴费基数暂不作为工资佐证")
    assert doc["income"]["monthly_total"] == 0
    found = rules(doc)["income.wage_unverified"]
    assert found["severity"] == "warn" and doc["outcome"] == "review"
    assert cited(found) == {("social_insurance", "S1")}


def test_a_base_stands_in_over_the_tax_window_when_tax_is_a_month_late(household):
    """A rules probe: tax delivered to 2025-11, social insurance to 2025-12: the tax window stepped
    back a month, but the base-only earner's bases were read over the insurance window, so its
    first month had neither wage nor base and 628 a month came out 575.67, a wrong pass."""
    wh = household(person(1, born=date(1986, 3, 1), labor="有"))
    months = [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]
    for year, month in months:
        wh.insurance(f"S{year}{month:02d}", 1, f"{year}-{month:02d}-01", "企业职工基本养老保险", base=628.0)
    doc = wh.report(data_as_of={"tax": "2026-09-30", "social_insurance": "2026-10-31"})
    assert doc["window"]["by_source"]["tax"] == {"start": "2025-10-01", "end": "2026-09-30"}
    listed = {r["record_id"]: r for r in doc["income"]["records"]}
    assert listed["S202510"]["counted"] and not listed["S202610"]["counted"]
    assert doc["income"]["monthly_total"] == 628.0


def test_a_wage_of_a_month_not_yet_delivered_in_full_is_listed_not_counted(household):
    """A rules probe: a member's own 7,536 wage of a month tax was still filing was left out of the
    report altogether; the clerk read only that tax had not been delivered."""
    wh = household(person(1, born=date(1986, 3, 1), labor="有"))
    wh.wage("W1", 1, "2026-10-01", 7536.0)
    doc = wh.report(data_as_of={"tax": "2026-09-30", "social_insurance": "2026-10-31"})
    (record,) = [r for r in doc["income"]["records"] if r["record_id"] == "W1"]
    assert not record["counted"] and record["note"].startswith("该月税务数据尚未完整报送")
    assert doc["income"]["monthly_total"] == 0


def _march_wage_unplaced(household, record_id="W3", amount=400.0, payer="太原市某某有限公司", **member):
    """A member with a 6,000 pension base every month of 2026 to October and a 400 wage every month
    but March, whose wage row `record_id` (under the member's name, at `payer`) nobody is linked to."""
    wh = household(person(1, born=date(1986, 3, 1), labor="有", **member))
    for month in range(1, 11):
        wh.insurance(f"S{month}", 1, f"2026-{month:02d}-01", "企业职工基本养老保险", base=6000.0)
        if month != 3:
            wh.wage(f"W{month}", 1, f"2026-{month:02d}-01", 400.0)
    wh._insert("tax_all", "tax", record_id, 1, "period, income_item, income_amount, withholding_agent",
               [date(2026, 3, 1), "工资薪金", amount, payer], decision=None)
    return wh


def test_a_base_does_not_stand_in_for_a_month_with_a_wage_row_under_the_members_name_nobody_could_place(household):
    """An outcome probe: a member's own ID-less March wage (400) was left unlinked beside a namesake,
    and her 6,000 pension base was counted for March instead: a wrong fail, no word said."""
    wh = _march_wage_unplaced(household)
    doc = wh.report("dibao", data_as_of={"tax": "2026-10-31", "social_insurance": "2026-10-31"})
    listed = {r["record_id"]: r for r in doc["income"]["records"]}
    assert not listed["S3"]["counted"] and "W3" in listed["S3"]["note"]
    assert doc["income"]["monthly_total"] == 300.0
    found = rules(doc)["income.wage_unsure"]
    assert found["severity"] == "warn" and doc["outcome"] == "review"
    assert "若按缴费基数计，人均月收入为800.00元，跨越标准线628.00元" in found["message"]
    assert ("tax", "W3") in cited(found)
    # a programme that shows income for information still says why its figure is lower
    medical = rules(wh.report("medical", data_as_of={"tax": "2026-10-31", "social_insurance": "2026-10-31"}))
    assert medical["income.wage_unsure"]["severity"] == "info" and "仅供参考" in medical["income.wage_unsure"]["message"]


@pytest.mark.parametrize("payer, unsure", [("太原市某某有限公司", True), ("别的公司", False)],
                         ids=["at the payer of the member's other months", "at a payer the member has no wages at"])
def test_a_wage_row_one_character_off_the_members_name_at_their_own_payer_keeps_the_base_out(household, payer, unsure):
    """An evaluator: 陈军's hospital wage came with his ID every month but one, written 程军 without an
    ID that month; unlinked, the month took his 3,200 base for a 1,487 wage and an eligible
    household failed. At a payer he has no wages at, such a row is nobody's evidence about him."""
    wh = _march_wage_unplaced(household, payer=payer)
    wh.con.execute("UPDATE tax_all SET name = '城员1' WHERE record_id = 'W3'")
    doc = wh.report("dibao", data_as_of={"tax": "2026-10-31", "social_insurance": "2026-10-31"})
    listed = {r["record_id"]: r for r in doc["income"]["records"]}
    assert listed["S3"]["counted"] is not unsure
    assert ("income.wage_unsure" in rules(doc)) is unsure
    if unsure:
        assert "W3" in listed["S3"]["note"] and "姓名仅差一字" in listed["S3"]["note"]


@pytest.mark.parametrize("item", ["工资薪金", "劳务报酬", "经营所得"])
def test_a_pending_pension_contribution_beside_counted_pay_of_its_month_holds_nothing(household, item):
    """An outcome probe: a contribution row waiting for review held the outcome at review, though
    the member's wage that month was counted: its base could stand in for nothing. So beside a fee
    (劳务报酬) or business income, which a base does not stand in for either (a review)."""
    wh = household(person(1, born=date(1986, 3, 1), labor="有"))
    for month in range(1, 11):
        wh.wage(f"W{month}", 1, f"2026-{month:02d}-01", 300.0, item=item)
    wh._insert("social_insurance_all", "social_insurance", "S5", 1,
               "insurance_type, record_type, period, employer, contribution_base, amount",
               ["企业职工基本养老保险", "缴费", date(2026, 5, 1), "太原市某某有限公司", 6000.0, 480.0], decision="review")
    doc = wh.report("dibao", data_as_of={"tax": "2026-10-31", "social_insurance": "2026-10-31"})
    assert doc["outcome"] == "pass" and rules(doc)["match.review"]["severity"] == "info"


def test_a_medical_insurance_reimbursement_is_no_income_under_the_shipped_policy(household):
    """A rules probe: a 5,000 职工基本医疗保险 待遇 (a hospital bill reimbursed) added 416.67 a month
    and failed a household whose wages were under the standard."""
    wh = household(person(1))
    wh.insurance("M1", 1, "2026-03-01", "职工基本医疗保险", record_type="待遇", base=None, amount=5000.0)
    wh.insurance("U1", 1, "2026-03-01", "失业保险", record_type="待遇", base=None, amount=1200.0)
    doc = wh.report()
    listed = {r["record_id"]: r for r in doc["income"]["records"]}
    assert (listed["M1"]["counted"], listed["M1"]["note"]) == (False, "本县规定职工基本医疗保险待遇不计入收入")
    assert listed["U1"]["counted"] and doc["income"]["monthly_total"] == 100.0


def test_a_month_still_being_filed_is_not_a_delivered_month(household):
    """An independent-data probe: a tax export holding June's early filers (5 % of a month's rows)
    made June a delivered month, and pension bases stood in for every June wage not yet filed."""
    from assessment.freshness import data_as_of_sql

    wh = household(person(1))
    for month in range(1, 7):
        for k in range(20):
            wh.wage(f"W{month}-{k}", 1, f"2026-{month:02d}-01", 1000.0)
    wh.wage("W7-0", 1, "2026-07-01", 1000.0)                  # one early filer of July
    as_of = dict(wh.con.execute(data_as_of_sql()).fetchall())
    assert as_of["tax"] == date(2026, 6, 30)
    for k in range(10):                                       # half of a usual month: filed in full
        wh.wage(f"W7-{k + 1}", 1, "2026-07-01", 1000.0)
    assert dict(wh.con.execute(data_as_of_sql()).fetchall())["tax"] == date(2026, 7, 31)



def test_assets_over_the_limit_on_a_balance_an_unlinked_newer_statement_followed_are_a_question(household):
    """An independent-data probe: an account's December balance (40,000, linked) counted, and its
    June statement (2,000, no ID, six namesakes: linked to nobody) was never mentioned; the
    household failed."""
    wh = household(person(1))
    wh.bank("B1", 1, 40000.0, account="62220001", as_of=date(2025, 12, 31))
    wh.bank("B2", 1, 2000.0, account="62220001", as_of=date(2026, 6, 30), decision=None)
    found = rules(doc := wh.report())["dibao.financial_assets"]
    assert found["severity"] == "warn" and "B2（2026-06-30，2,000.00元）" in found["message"]
    assert ("bank", "B2") in cited(found) and doc["outcome"] == "review"
    wh.bank("B3", 1, 39000.0, account="62220001", as_of=date(2026, 8, 31))    # a newer linked one: no question
    assert rules(wh.report())["dibao.financial_assets"]["severity"] == "fail"


def test_an_older_unlinked_statement_of_a_counted_account_written_in_full_is_no_newer_one(household):
    """An outcome probe: the counted June balance was written masked (627187******0169), an
    unlinked March one in full; by the number as written they were two accounts, March was
    'newer' than the full number's January, and a certain asset fail went to review."""
    wh = household(person(1))
    wh.bank("B1", 1, 1000.0, account="6271870000000169", as_of=date(2026, 1, 31))
    wh.bank("B2", 1, 2300.0, account="6271870000000169", as_of=date(2026, 3, 31), decision=None)
    wh.bank("B3", 1, 43716.54, account="627187******0169", as_of=date(2026, 6, 30))
    doc = wh.report()
    assert rules(doc)["dibao.financial_assets"]["severity"] == "fail" and doc["outcome"] == "fail"
    wh.bank("B4", 1, 2000.0, account="6271870000000169", as_of=date(2026, 8, 31), decision=None)   # newer: a question
    assert rules(wh.report())["dibao.financial_assets"]["severity"] == "warn"


@pytest.mark.parametrize("account, day, held", [
    ("6217000011112222", "2026-10-31", False),   # another card: it could only add to the total
    ("6222000011112222", "2026-10-31", True),    # the counted card, a newer statement
    ("6222000011112222", "2026-06-30", False),   # the counted card, an older statement
    ("", "2026年10月", True),                    # no number, no readable date: it could be anything
    ("6222000011112222", "2026-12-05", False),   # dated after the request: no balance the figures read
])
def test_a_refused_bank_row_holds_an_asset_fail_only_when_it_could_be_the_newer_balance(household, account, day, held):
    """A bank probe: a refused 约5000 row of another card held a certain asset fail at review,
    saying it might be the newer balance of the counted one."""
    wh = household(person(1))
    wh.bank("B1", 1, 40000.0, account="6222000011112222", as_of=date(2026, 9, 30))
    raw = {"记录编号": "BX", "户名": "成员1", "证件号码": "14010519800101001X", "金融机构": "建设银行",
           "账号": account, "产品类型": "定期存款", "余额": "约5000", "余额日期": day}
    wh.con.execute("INSERT INTO quarantine (source, file, file_hash, batch_id, row_number, field, reason, raw_value, "
                   "raw_row, run_id, quarantined_at, record_id, id_number) VALUES ('bank', 'b.csv', 'h', 'b', 3, "
                   "'balance', ?, '约5000', ?, 'run-1', now(), 'BX', ?)",
                   ["'约5000' is not an amount of money", json.dumps(raw, ensure_ascii=False), "14010519800101001X"])
    found = rules(doc := wh.report())["dibao.financial_assets"]
    assert found["severity"] == ("warn" if held else "fail"), found["message"]
    assert "data.refused" in rules(doc)


def test_a_newer_unlinked_statement_of_a_full_number_under_another_name_of_its_bank_is_a_question(household):
    """The figures read a full number as its account whatever the bank is called; so does the
    search for its newer statement (山西省农村信用社 in December, 山西农信 in June)."""
    wh = household(person(1))
    wh.bank("B1", 1, 40000.0, account="6230000000000017", as_of=date(2025, 12, 31), institution="山西省农村信用社")
    wh.bank("B2", 1, 2000.0, account="6230000000000017", as_of=date(2026, 6, 30), decision=None, institution="山西农信")
    found = rules(wh.report())["dibao.financial_assets"]
    assert found["severity"] == "warn" and ("bank", "B2") in cited(found)


# rows without an ID under a member's name that the linker could give to nobody -------------------

def _pay(wh, prefix, member, amount, months, decision="auto"):
    for m in months:
        wh.wage(f"{prefix}{m}", member, f"2026-{m:02d}-01", amount) if decision == "auto" else \
            wh._insert("tax_all", "tax", f"{prefix}{m}", member, "period, income_item, income_amount, withholding_agent",
                       [date(2026, m, 1), "劳务报酬", amount, "个人"], decision=None)


@pytest.mark.parametrize("program,months,asked", [
    ("dibao", range(1, 7), True),      # six fees of 1,000: 400 + 500 a month, over 628 were they hers
    ("tekun", range(1, 10), True),     # nine: 400 + 750, over 816.40
    ("dibao", range(1, 2), False),     # one: 483.33 at most, under 628 whoever's it is
    ("medical", range(1, 7), False),   # a programme not judged on income
])
def test_rows_without_an_id_under_a_members_name_that_would_decide_the_outcome_are_a_question(
        household, program, months, asked):
    """Two independent-data probes' wrong passes were all rows the linker could give to nobody: odd
    jobs paid by 个人 without the payee's ID, under a name 61 people carry. Whether they are the
    member's decides the outcome, so it is a question; where they could not, nothing is said."""
    wh = household(person(1))
    _pay(wh, "W", 1, 400.0, range(1, 13))
    _pay(wh, "F", 1, 1000.0, months, decision=None)
    doc = wh.report(program)
    found = rules(doc).get("match.unclaimed")
    assert (found is not None) == asked, doc["findings"]
    if asked:
        assert found["severity"] == "warn" and doc["outcome"] == "review"
        assert cited(found) == {("tax", f"F{m}") for m in months}
        assert "个人" in found["message"] and "请向申请人核实是否本人的收入" in found["message"]


@pytest.mark.parametrize("born, namesake, asked", [
    (date(1936, 5, 1), "19680101001", False),   # 89, a person of working age bears the name: said, not asked
    (date(1956, 1, 1), "19680101001", False),   # 70 from January
    (date(1966, 5, 1), "19680101001", True),    # 60: people work at sixty
    (date(1936, 5, 1), None, True),             # nobody else known by the name: the member's, as likely as not
    (date(1936, 5, 1), "20150101001", True),    # only a child bears it (an adversarial probe): nobody who earns wages
])
def test_idless_wages_under_the_name_of_a_member_of_seventy_are_asked_only_when_nobody_else_bears_it(
        household, born, namesake, asked):
    """A fourth evaluator's 88-year-old 特困 applicant, a small pension his only income, was held for
    three months of a 58-year-old namesake's wages at a construction firm."""
    wh = household(person(1, born=born))
    _pay(wh, "W", 1, 400.0, range(1, 13))
    for m in range(1, 7):
        wh._insert("tax_all", "tax", f"F{m}", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2026, m, 1), "工资薪金", 1000.0, "太原市恒达建筑工程有限公司"], decision=None)
    if namesake:
        from connectors.values.idnumber import check_char
        body = "140105" + namesake
        wh.con.execute(f"INSERT INTO bank_all ({SOURCE_COLS}, institution, account_number, product_type, balance, "
                       "as_of_date) VALUES ('N1', '成员1', ?, 'valid', 'b', 'f.csv', 'h', 1, now(), '中国银行', "
                       "'6217000011112222', '活期存款', 300, DATE '2026-03-01')", [body + check_char(body)])
    doc = wh.report()
    found = rules(doc)
    assert ("match.unclaimed" in found) == asked, doc["findings"]
    if asked:
        assert doc["outcome"] == "review" and "match.unclaimed_aged" not in found
    else:
        assert doc["outcome"] == "pass", doc["findings"]
        note = found["match.unclaimed_aged"]
        assert note["severity"] == "info" and cited(note) == {("tax", f"F{m}") for m in range(1, 7)}
        assert "太原市恒达建筑工程有限公司6条收入记录" in note["message"], note["message"]


@pytest.mark.parametrize("confirmed, asked", [(3, True), (0, False), (1, False)])
def test_the_rest_of_a_payers_rows_stay_a_question_once_some_are_confirmed_and_the_household_fails(
        household, confirmed, asked):
    """A review probe confirmed six of twelve ID-less wages of one payer: the household now failed, the
    other six no longer decided it and left the report and the sheet (the income showing half of it),
    and the caseworker's answers for them were refused as "no longer an open question". (One
    confirmed row leaves the household under the standard: the rest still decide it, `match.unclaimed`.)"""
    wh = household(person(1, born=date(1980, 1, 1)))
    for m in range(1, 7):
        wh._insert("tax_all", "tax", f"W{m}", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2026, m, 1), "工资薪金", 3000.0, "太原某商贸公司"], decision="confirmed" if m <= confirmed else None)
    doc = wh.report()
    found = rules(doc)
    if asked:
        assert doc["outcome"] == "fail", doc["findings"]
        rest = found["match.unclaimed_rest"]
        assert rest["severity"] == "warn" and cited(rest) == {("tax", f"W{m}") for m in range(confirmed + 1, 7)}
        assert "太原某商贸公司3条收入记录（合计9,000.00元）" in rest["message"], rest["message"]
    else:
        assert "match.unclaimed_rest" not in found, doc["findings"]


@pytest.mark.parametrize("owned, said", [
    (0, "如与所列其他同名住宅均属本人，家庭拥有住宅2套，超过1套"),   # neither row alone is a second home
    (1, "如属本人，家庭拥有住宅2套，超过1套"),                       # each alone is
])
def test_each_id_less_home_says_what_it_alone_would_make_of_the_household(household, owned, said):
    """A degenerate-data probe: "如属本人，家庭拥有住宅3套" beside each of three rows, true only were
    all three the member's."""
    wh = household(person(1))
    if owned:
        wh.property("OWN", 1)
    wh.property("X1", 1, decision=None, location="清徐县徐沟镇某街1号")
    wh.property("X2", 1, decision=None, location="清徐县徐沟镇某街2号")
    found = rules(wh.report())["match.unclaimed"]
    assert found["message"].count(said) == 2, found["message"]


def test_an_id_less_shop_under_a_name_too_common_to_ask_about_is_still_said_as_a_note(household):
    """A fresh evaluator's two wrong passes: a shop and a second home without an ID under the head's
    exact name, 14 and 16 people of that name known: no question (too common), and nothing said."""
    from connectors.values.idnumber import check_char

    wh = household(person(1))
    wh.property("SHOP", 1, usage="商业", decision=None, location="清徐县徐沟镇某街12号")
    for k in range(12):       # twelve other people known by the name, each by a valid ID
        body = f"14010919700101{k:02d}1"
        wh.con.execute(f"INSERT INTO tax_all ({SOURCE_COLS}, period, income_item, income_amount, withholding_agent) "
                       "VALUES (?, '成员1', ?, 'valid', 'b', 'f.csv', 'h', 1, now(), DATE '2026-03-01', '工资薪金', "
                       "3000, '太原某厂')", [f"N{k}", body + check_char(body)])
    doc = wh.report()
    found = rules(doc)
    assert "match.unclaimed" not in found and doc["outcome"] == "pass", doc["findings"]
    note = found["match.unclaimed_common"]
    assert note["severity"] == "info" and cited(note) == {("property", "SHOP")}
    assert "（已知同名者13人）同名的非住宅类不动产（商业，清徐县徐沟镇某街12号，记录SHOP" in note["message"], note["message"]


@pytest.mark.parametrize("contributor, asked", [("140105197001010019", False), (None, True)])
def test_idless_wages_where_the_employer_files_a_namesakes_contributions_under_his_own_id_are_his(
        household, contributor, asked):
    """An evaluator: ID-less wages at a payer whose social-insurance contributions under that name carry
    another person's ID (never the member's) were asked about, every one of 31 a namesake's."""
    wh = household(person(1))
    for m in range(1, 13):
        wh._insert("tax_all", "tax", f"W{m}", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2025 + (m > 10), (m + 1) % 12 + 1, 1), "工资薪金", 3000.0, "太原市某厂"], decision=None)
        if contributor:
            wh.con.execute("INSERT INTO social_insurance_all (record_id, name, id_number, id_status, batch_id, file, "
                           "file_hash, row_number, loaded_at, insurance_type, record_type, period, employer, "
                           "contribution_base, amount) VALUES (?, '成员1', ?, 'valid', 'b', 'f.csv', 'h', 1, now(), "
                           "'企业职工基本养老保险', '缴费', ?, '太原市某厂', 3000, 240)",
                           [f"S{m}", contributor, date(2025 + (m > 10), (m + 1) % 12 + 1, 1)])
    assert ("match.unclaimed" in rules(wh.report())) == asked


def _pensions_beside(wh, prefix: str, id_number: str, amount: float, linked: bool = False) -> None:
    """Ten months of a 2,950 pension without an ID under member 1's name (P1…P10, linked to nobody),
    each beside a pension of `amount` with `id_number` under the same name (`linked`: to member 1)."""
    for m in range(1, 11):
        wh._insert("social_insurance_all", "social_insurance", f"P{m}", 1,
                   "insurance_type, record_type, period, employer, contribution_base, amount",
                   ["企业职工基本养老保险", "待遇", date(2026, m, 1), None, None, 2950.0], decision=None)
        wh.con.execute("INSERT INTO social_insurance_all (record_id, name, id_number, id_status, batch_id, file, "
                       "file_hash, row_number, loaded_at, insurance_type, record_type, period, employer, amount) "
                       "VALUES (?, '成员1', ?, 'valid', 'b', 'f.csv', 'h', 1, now(), '企业职工基本养老保险', '待遇', ?, "
                       "NULL, ?)", [f"{prefix}{m}", id_number, date(2026, m, 1), amount])
        if linked:
            wh.con.execute("INSERT INTO links VALUES ('social_insurance', ?, 'R1', 'H1', 1, 0.99, 'auto', 'test', "
                           "NULL, 'run-1', now())", [f"{prefix}{m}"])


def test_a_pension_without_an_id_beside_a_namesakes_pension_of_the_same_month_is_a_question(household):
    """An outcome probe: 赵涛's pension, 2,950 a month without an ID, went unsaid and his 特困
    household passed, because another 赵涛's pension from the same fund carried an ID. One fund pays
    every pensioner of a name: a benefit beside the namesake's own benefit of that month is not his."""
    wh = household(person(1, born=date(1956, 1, 1)))
    _pensions_beside(wh, "N", "140105194001010019", 3100.0)
    doc = wh.report("tekun")
    found = rules(doc).get("match.unclaimed")
    assert found is not None and found["severity"] == "warn" and doc["outcome"] == "review", doc["findings"]
    assert cited(found) == {("social_insurance", f"P{m}") for m in range(1, 11)}


@pytest.mark.parametrize("usage, homes_held, held", [("住宅", 0, False), ("住宅", 1, True), ("商业", 0, True),
                                                      ("仓库？", 0, True)])
def test_a_refused_home_row_holds_the_outcome_only_if_it_could_fail_the_household(household, usage, homes_held, held):
    """A fresh-evaluator probe: a 特困 household with no home was held at review for its one home
    row refused at load (a registration date in the future); one home is allowed."""
    wh = household(person(1))
    for k in range(homes_held):
        wh.property(f"P{k}", 1)
    raw = {"记录编号": "PX", "权利人": "成员1", "证件号码": "14010519800101001X", "不动产权证号": "晋(2020)第9号",
           "坐落": "小店区某街9号", "用途": usage, "建筑面积": "80", "登记日期": "2034-05-01", "权属状态": "现势"}
    wh.con.execute("INSERT INTO quarantine (source, file, file_hash, batch_id, row_number, field, reason, raw_value, "
                   "raw_row, run_id, quarantined_at, record_id, id_number) VALUES ('property', 'p.csv', 'h', 'b', 3, "
                   "'registration_date', 'a date in the future', '2034-05-01', ?, 'run-1', now(), 'PX', ?)",
                   [json.dumps(raw, ensure_ascii=False), "14010519800101001X"])
    doc = wh.report("tekun")
    assert rules(doc)["data.refused"]["severity"] == ("warn" if held else "info")
    assert (doc["outcome"] == "review") == held


def test_pensions_without_an_id_or_a_payer_are_asked_about_scheme_by_scheme(household):
    """A fresh-evaluator probe: a member's own ID-less 城乡居民 pension (169 a month) and a namesake's
    企业职工 one (1,299), neither naming a payer, were one question of 24 rows: confirming it
    counted the namesake's, denying it dropped the member's own."""
    wh = household(person(1, born=date(1956, 1, 1)))
    for m in range(1, 11):
        for kind, amount in (("城乡居民基本养老保险", 169.0), ("企业职工基本养老保险", 1299.0)):
            wh._insert("social_insurance_all", "social_insurance", f"{kind[:2]}{m}", 1,
                       "insurance_type, record_type, period, employer, contribution_base, amount",
                       [kind, "待遇", date(2026, m, 1), None, None, amount], decision=None)
    found = rules(wh.report("tekun"))["match.unclaimed"]
    assert cited(found) == {("social_insurance", f"企业{m}") for m in range(1, 11)}, found["message"]
    assert "企业职工基本养老保险10条收入记录" in found["message"]


def _namesakes_wage(wh, record_id: str, month: date, amount: float, id_number: str = "140105197001010019",
                    payer: str = "太原市某某有限公司") -> None:
    """A 工资薪金 row under member 1's name carrying another person's ID (a namesake), linked to nobody."""
    wh.con.execute("INSERT INTO tax_all (record_id, name, id_number, id_status, batch_id, file, file_hash, "
                   "row_number, loaded_at, period, income_item, income_amount, withholding_agent) "
                   "VALUES (?, '成员1', ?, 'valid', 'b', 'f.csv', 'h', 1, now(), ?, '工资薪金', ?, ?)",
                   [record_id, id_number, month, amount, payer])


def test_a_wage_without_an_id_beside_a_namesakes_wage_of_the_same_month_at_that_payer_is_a_question(household):
    """A review probe: 3,300 a month without an ID at a payer that also paid a third 张伟 3,800 a
    month with his ID was said nowhere, and the households passed."""
    wh = household(person(1, born=date(1980, 1, 1)))     # (of working age: `WAGES_UNLIKELY_FROM`)
    for m in range(1, 11):
        wh._insert("tax_all", "tax", f"W{m}", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2026, m, 1), "工资薪金", 3300.0, "太原市某某有限公司"], decision=None)
        _namesakes_wage(wh, f"N{m}", date(2026, m, 1), 3800.0)
    found = rules(doc := wh.report()).get("match.unclaimed")
    assert found is not None and doc["outcome"] == "review", doc["findings"]
    assert cited(found) == {("tax", f"W{m}") for m in range(1, 11)}


def test_an_id_less_wage_of_the_amount_a_namesake_is_paid_there_every_other_month_is_the_namesakes(household):
    """An evaluator: 5,968.00 without an ID in the two months a 1997-born namesake's 5,968.00 under her
    ID was missing, beside a third namesake's 8,288.00, was asked of a 67-year-old applicant."""
    wh = household(person(1, born=date(1980, 1, 1)))     # (of working age)
    for m in range(1, 11):
        if m not in (3, 8):
            _namesakes_wage(wh, f"N{m}", date(2026, m, 1), 5968.0, id_number="140105199701010021")
        _namesakes_wage(wh, f"E{m}", date(2026, m, 1), 8288.0)
    for m in (3, 8):
        wh._insert("tax_all", "tax", f"W{m}", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2026, m, 1), "工资薪金", 5968.0, "太原市某某有限公司"], decision=None)
    assert "match.unclaimed" not in rules(wh.report())
    for m in (9, 10):       # months she was paid under her ID too: whose, nobody can tell
        wh._insert("tax_all", "tax", f"W{m}", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2026, m, 1), "工资薪金", 5968.0, "太原市某某有限公司"], decision=None)
    assert cited(rules(wh.report())["match.unclaimed"]) == {("tax", "W9"), ("tax", "W10")}


def test_a_payers_id_less_wages_are_a_question_once_one_month_shows_two_people_of_the_name_there(household):
    """A review probe: a namesake's wage carried his ID once; the applicant's twelve ID-less wages
    at that payer (one of them in that month) were taken for his and the household passed."""
    wh = household(person(1, born=date(1980, 1, 1)))     # (of working age)
    for m in range(1, 11):
        wh._insert("tax_all", "tax", f"W{m}", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2026, m, 1), "工资薪金", 2700.0, "太原市某某有限公司"], decision=None)
    _namesakes_wage(wh, "N3", date(2026, 3, 1), 3800.0)
    found = rules(doc := wh.report()).get("match.unclaimed")
    assert found is not None and doc["outcome"] == "review", doc["findings"]
    assert cited(found) == {("tax", f"W{m}") for m in range(1, 11)}


def test_id_less_wages_beside_a_namesakes_own_at_a_payer_that_also_pays_the_member_with_his_id_are_a_question(
        household):
    """A linkage probe: 王伟, paid 1,500 with his ID for six months and then without it, beside another
    王伟 paid 5,000 with his ID every month at the same payer: the six ID-less wages were linked to
    nobody and said nowhere, and the household passed 低保 at 375 a head instead of 750."""
    wh = household(person(1))
    own = wh.members[0]["id_number"]
    for m in range(1, 11):
        if m <= 5:
            _namesakes_wage(wh, f"O{m}", date(2026, m, 1), 1500.0, id_number=own)
            wh.con.execute("INSERT INTO links VALUES ('tax', ?, 'R1', 'H1', 1, 0.99, 'auto', 'test', NULL, 'run-1', "
                           "now())", [f"O{m}"])
        else:
            wh._insert("tax_all", "tax", f"W{m}", 1, "period, income_item, income_amount, withholding_agent",
                       [date(2026, m, 1), "工资薪金", 1500.0, "太原市某某有限公司"], decision=None)
        _namesakes_wage(wh, f"N{m}", date(2026, m, 1), 5000.0)
    found = rules(doc := wh.report()).get("match.unclaimed")
    assert found is not None and doc["outcome"] == "review", doc["findings"]
    assert cited(found) == {("tax", f"W{m}") for m in range(6, 11)}


def test_a_payers_one_id_less_row_in_a_month_without_the_namesakes_is_his_no_question(household):
    """The payer that left a person's ID out of one month's row wrote it in the others: that row is
    his, weighed by the linker, and no question."""
    wh = household(person(1))
    wh._insert("tax_all", "tax", "W5", 1, "period, income_item, income_amount, withholding_agent",
               [date(2026, 5, 1), "工资薪金", 9000.0, "太原市某某有限公司"], decision=None)
    for m in (1, 2, 3, 4, 6, 7, 8):
        _namesakes_wage(wh, f"N{m}", date(2026, m, 1), 9000.0)
    assert "match.unclaimed" not in rules(wh.report())


def test_an_id_less_fee_between_the_members_own_fees_at_that_payer_left_to_nobody_is_a_question(household):
    """A determinism probe: 田娥艳's 劳务报酬 of September without an ID, between her July and February
    fees with her ID at the same payer, was linked to nobody (two rows too few for the payer to vouch)
    and said nowhere."""
    wh = household(person(1))
    own = wh.members[0]["id_number"]
    for m in (2, 9):
        wh._insert("tax_all", "tax", f"O{m}", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2026, m, 1), "劳务报酬", 900.0, "某某文化传媒"])
    wh._insert("tax_all", "tax", "F5", 1, "period, income_item, income_amount, withholding_agent",
               [date(2026, 5, 1), "劳务报酬", 20000.0, "某某文化传媒"], decision=None)
    wh.con.execute("UPDATE tax_all SET id_number = NULL, id_status = 'missing' WHERE record_id = 'F5'")
    wh.con.execute("UPDATE tax_all SET id_number = ?, id_status = 'valid' WHERE record_id IN ('O2', 'O9')", [own])
    found = rules(doc := wh.report()).get("match.unclaimed")
    assert found is not None and ("tax", "F5") in cited(found), doc["findings"]


@pytest.mark.parametrize("member, row, coworker", [("陈军", "程军", False), ("张伟", "张丽", False),
                                                   ("成员1", "城员1", True)],
                         ids=["a surname slip", "a two-character name sharing only the surname",
                              "a name a coworker is paid under with his ID"])
def test_a_one_character_off_wage_row_that_is_plainly_someone_elses_keeps_the_base(household, member, row, coworker):
    """An adversarial probe: 陈俊 was held over an ID-less 程俊 row of 5,200 at his employer, where a
    coworker 程俊 was paid 5,200 with his own ID every other month; 张伟 over a row of 张丽, another
    woman with her own rows there."""
    wh = _march_wage_unplaced(household, "X3", 5200.0, name=member)
    wh.con.execute("UPDATE tax_all SET name = ? WHERE record_id <> 'X3'", [member])
    wh.con.execute("UPDATE tax_all SET name = ?, id_number = NULL, id_status = 'missing' WHERE record_id = 'X3'", [row])
    if coworker:
        wh._insert("tax_all", "tax", "C4", 1, "period, income_item, income_amount, withholding_agent",
                   [date(2026, 4, 1), "工资薪金", 5200.0, "太原市某某有限公司"], decision=None)
        wh.con.execute("UPDATE tax_all SET name = ?, id_number = '140105197001010019' WHERE record_id = 'C4'", [row])
    doc = wh.report("dibao", data_as_of={"tax": "2026-10-31", "social_insurance": "2026-10-31"})
    surname_slip = member == "陈军"
    assert ("income.wage_unsure" in rules(doc)) is surname_slip
    assert {r["record_id"]: r for r in doc["income"]["records"]}["S3"]["counted"] is not surname_slip


@pytest.mark.parametrize("amount, asked", [(1000.0, True), (700.0, False)],
                         ids=["together they reach the standard", "not even together"])
def test_id_less_fees_at_two_payers_that_reach_the_standard_only_together_are_a_question(household, amount, asked):
    """An evaluator: 徐强's odd jobs at two payers that never write IDs, neither payer's enough
    alone, together 516.35 against 496: each payer was judged alone, nothing said, a wrong pass."""
    wh = household(person(1))
    for payer in ("个体装修队", "老王面馆"):
        for m in range(1, 6):
            wh._insert("tax_all", "tax", f"{payer[:2]}{m}", 1, "period, income_item, income_amount, withholding_agent",
                       [date(2026, m, 1), "劳务报酬", amount, payer], decision=None)
    wh.con.execute("UPDATE tax_all SET id_number = NULL, id_status = 'missing'")
    found = rules(doc := wh.report()).get("match.unclaimed")
    assert (found is not None) is asked, doc["findings"]
    if asked:
        assert len(cited(found)) == 10 and "个体装修队、老王面馆2个单位共10条收入记录" in found["message"]
        assert doc["outcome"] == "review"


@pytest.mark.parametrize("people, asked", [(10, True), (11, False)])
def test_an_id_less_wage_under_a_name_more_than_ten_people_bear_is_no_question(household, people, asked):
    """A scale probe of 3,000 households with realistic names: income questions held 615 of 639
    truly eligible households for review, 4 of its 827 about a member's own row. Beyond ten people
    of the name, the chance is under one in ten: said nowhere, as for vehicles and homes."""
    wh = household(person(1))
    for i in range(people - 1):          # the member and people - 1 others known by the name
        _namesakes_wage(wh, f"K{i}", date(2026, 1, 1), 100.0, f"1401051960010{i:04d}1", f"别处{i}")
    wh._insert("tax_all", "tax", "W1", 1, "period, income_item, income_amount, withholding_agent",
               [date(2026, 3, 1), "劳务报酬", 20000.0, "个人"], decision=None)
    assert ("match.unclaimed" in rules(wh.report())) == asked


def test_a_pension_without_an_id_beside_the_members_own_pension_of_the_month_is_no_question(household):
    """The member's own pension carries his ID at that fund: an ID-less one beside it is a
    namesake's, weighed by the linker, and asking about it would hold the household for nothing."""
    wh = household(person(1, born=date(1956, 1, 1)))
    _pensions_beside(wh, "O", wh.members[0]["id_number"], 300.0, linked=True)
    assert "match.unclaimed" not in rules(wh.report())


def test_an_unlinked_balance_under_a_members_name_is_no_question(household):
    """A bank sends one row per account: an ID-less balance under a common name was a namesake's 35
    times in 37 where it could have decided an outcome (the demo, a probe). The linker weighs it
    when the name is uncommon; otherwise it is left out, not asked about."""
    wh = household(person(1))
    wh.bank("B1", 1, 2000.0, account="62220001")
    wh.bank("B2", 1, 20000.0, account="62229999", decision=None)        # nobody's, over 15,072
    assert "match.unclaimed" not in rules(doc := wh.report()) and doc["outcome"] == "pass"


def test_a_household_that_fails_anyway_gets_no_question_about_rows_nobody_is_linked_to(household):
    wh = household(person(1))
    _pay(wh, "W", 1, 900.0, range(1, 13))
    _pay(wh, "F", 1, 1000.0, range(1, 7), decision=None)
    assert "match.unclaimed" not in rules(doc := wh.report()) and doc["outcome"] == "fail"


@pytest.mark.parametrize("kw, said", [({"consent": False, "labor": "有"}, "成员1未授权核对"),
                                      ({"labor": None}, "成员1申请未填写劳动能力")])
def test_an_employment_member_never_verified_is_not_said_to_be_unable_to_work(household, kw, said):
    """An employment probe: a 35-year-old able to work but without consent (or with the capacity
    left blank) was reported as 'no member of working age able to work'."""
    doc = household(person(1, born=date(1990, 3, 1), **kw)).report("employment")
    message = rules(doc)["employment.no_unemployed_member"]["message"]
    assert "家庭中没有经核实有劳动能力的劳动年龄成员" in message and said in message


def _unlinked_car_of_an_owner_with_an_id(wh):
    """V9 without an ID under member 1's name, and the same plate re-exported with its owner's ID."""
    wh.vehicle("V9", 1, decision=None)
    wh.con.execute("INSERT INTO vehicle_all (record_id, name, id_number, id_status, batch_id, file, file_hash, "
                   "row_number, loaded_at, plate_number, vehicle_type, registration_date, purchase_price, status) "
                   "VALUES ('V10', '成员1', '140105195001010013', 'valid', 'b', 'f.csv', 'h', 9, now(), '晋a V9', "
                   "'小型轿车', DATE '2020-05-01', 80000, '正常')")


def _car_asked_of_another_household(wh):
    wh.vehicle("V9", 1, decision=None)
    wh.con.execute("INSERT INTO links VALUES ('vehicle', 'V9', 'R2', 'H7', 1, 0.4, 'review', 'test', NULL, 'run-1', now())")


@pytest.mark.parametrize("program, setup, asked", [
    ("dibao", lambda wh: wh.vehicle("V9", 1, decision=None), True),
    ("tekun", lambda wh: wh.vehicle("V9", 1, decision=None), True),
    ("dibao", lambda wh: wh.vehicle("V9", 1, "普通二轮摩托车", decision=None), False),   # exempt: fails nothing
    ("dibao", lambda wh: (wh.vehicle("V1", 1), wh.vehicle("V9", 1, decision=None)), False),   # fails on V1 anyway
    ("dibao", _unlinked_car_of_an_owner_with_an_id, False),         # the plate's owner is known by ID
    ("dibao", _car_asked_of_another_household, True),               # a review link elsewhere settles nothing here
    ("medical", lambda wh: wh.vehicle("V9", 1, decision=None), False),
    ("dibao", lambda wh: wh.property("P9", 1, decision=None), False),   # one home is allowed
    ("dibao", lambda wh: (wh.property("P1", 1), wh.property("P9", 1, decision=None)), True),   # a second
    ("dibao", lambda wh: (wh.property("P1", 1, certificate="C1"),                             # its own home
                          wh.property("P9", 1, certificate="C1", decision=None)), False),
    ("dibao", lambda wh: wh.property("P9", 1, "商业", decision=None), True),
    ("housing", lambda wh: wh.property("P9", 1, decision=None), True),
    ("housing", lambda wh: wh.vehicle("V9", 1, decision=None), False),    # 住房救助 judges homes only
])
def test_a_car_or_home_without_an_id_under_a_members_name_that_would_fail_the_household_is_a_question(
        household, program, setup, asked):
    """An outcome probe's 15 wrong passes in 210 households that should fail: a car or a second home
    the register wrote without the owner's ID, under the member's exact name, linked to nobody and
    said nowhere. Were it the member's, the household would fail: that is a question."""
    wh = household(person(1))
    setup(wh)
    doc = wh.report(program)
    found = rules(doc).get("match.unclaimed")
    assert (found is not None) == asked, doc["findings"]
    if asked:
        assert found["severity"] == "warn" and doc["outcome"] == "review"
        assert ("vehicle", "V9") in cited(found) or ("property", "P9") in cited(found)


@pytest.mark.parametrize("here, location, asked", [
    (1, "太原市小店区坞城街道某村3号", True),     # in the member's county, two people of the name there
    (1, "太原市阳曲县高平乡南关村7号", False),    # elsewhere: thirteen people of the name in the province
    (3, "太原市小店区坞城街道某村3号", False),    # four people of the name in the county
])
def test_an_id_less_shop_in_the_members_own_county_is_a_question_while_few_of_the_name_live_there(
        household, here, location, asked):
    """A scale probe: 赵秀英, one of 38 in the province and of 2 in 清徐县, passed 低保 on an ID-less
    shop in 清徐县 that was hers. In the member's own county the competition is the name's people
    whose ID was issued there."""
    wh = household(person(1))
    for i in range(here):
        _namesakes_wage(wh, f"L{i}", date(2026, 1, 1), 100.0, f"1401051960010{i:04d}1", f"本地{i}")
    for i in range(11):
        _namesakes_wage(wh, f"K{i}", date(2026, 1, 1), 100.0, f"1401221960010{i:04d}1", f"别处{i}")
    wh.property("P9", 1, "商业", decision=None, location=location)
    found = rules(doc := wh.report()).get("match.unclaimed")
    assert (found is not None) == asked, doc["findings"]
    if asked:
        assert ("property", "P9") in cited(found) and f"证件号属本县的{here + 1}人" in found["message"]


@pytest.mark.parametrize("born, setup, asked", [
    (date(2019, 5, 8), lambda wh: [wh._insert("tax_all", "tax", f"W{m}", 2, "period, income_item, income_amount, "
                                              "withholding_agent", [date(2026, m, 1), "工资薪金", 3000.0, "某建筑公司"],
                                              decision=None) for m in range(1, 11)], False),    # a 7-year-old's wages
    (date(2009, 5, 8), lambda wh: [wh._insert("tax_all", "tax", f"W{m}", 2, "period, income_item, income_amount, "
                                              "withholding_agent", [date(2026, m, 1), "工资薪金", 3000.0, "某建筑公司"],
                                              decision=None) for m in range(1, 11)], True),     # a 17-year-old's
    (date(2023, 5, 29), lambda wh: wh.vehicle("V9", 2, decision=None), False),                 # a 3-year-old's car
    (date(2008, 1, 1), lambda wh: wh.vehicle("V9", 2, decision=None), True),                   # an 18-year-old's
    (date(2021, 1, 1), lambda wh: wh.property("P9", 2, "商业", decision=None), False),          # registered 2020
    (date(2012, 1, 1), lambda wh: wh.property("P9", 2, "商业", decision=None), True),           # a child may own one
])
def test_no_question_asks_whether_a_child_earned_a_wage_or_held_a_car_or_a_home_before_birth(
        household, born, setup, asked):
    """A fresh-evaluator probe: 8 of its 33 eligible households held for review were asked whether
    a 7-year-old's name on twelve ID-less wages, a 3-year-old's on a car, or a home registered
    before the child was born were theirs."""
    wh = household(person(1), person(2, "子女", born=born))
    setup(wh)
    doc = wh.report()
    assert ("match.unclaimed" in rules(doc)) == asked, doc["findings"]


def test_the_age_rule_for_questions_reads_the_birth_date_of_a_valid_id_only(household):
    """An adversarial probe: an ID failing its check with 2015 in its date digits, the declared
    birth 1970 (the age the report uses, 56), and twelve ID-less wages were never asked about."""
    wh = household(person(1), person(2, "配偶", born=date(1970, 1, 1), id_status="invalid",
                                     id_birth_date=date(2015, 1, 1)))
    for m in range(1, 11):
        wh._insert("tax_all", "tax", f"W{m}", 2, "period, income_item, income_amount, withholding_agent",
                   [date(2026, m, 1), "工资薪金", 3000.0, "某建筑公司"], decision=None)
    assert "match.unclaimed" in rules(wh.report())


def test_a_car_delivered_twice_without_an_id_is_one_question_citing_both_rows(household):
    wh = household(person(1))
    wh.vehicle("V9", 1, decision=None)
    wh._insert("vehicle_all", "vehicle", "V8", 1, "plate_number, vehicle_type, registration_date, purchase_price, status",
               ["晋AV9", "小型轿车", date(2020, 5, 1), 80000, "正常"], decision=None)
    found = rules(wh.report())["match.unclaimed"]
    assert cited(found) == {("vehicle", "V8"), ("vehicle", "V9")} and found["message"].count("晋AV9") == 1


def test_a_member_stated_unable_to_work_who_has_wages_is_named_with_the_rows(household):
    """A programmes probe: a 40-year-old, 劳动能力 无, paid 3,000 in June, read only "家庭中没有有劳动能力的
    劳动年龄成员" — the contradiction a caseworker must look into went unsaid, and no row was cited."""
    wh = household(person(1, born=date(1986, 3, 1), labor="无"))
    wh.wage("T1", 1, "2026-09-01", 3000.0)
    found = rules(wh.report("employment"))["employment.no_unemployed_member"]
    assert cited(found) == {("tax", "T1")}
    assert "成员1申请填写无劳动能力，但近6个月有工作收入或社保缴费记录" in found["message"], found["message"]


def test_zero_employment_reads_only_the_months_tax_has_delivered(household):
    """A programmes probe: tax had exported nothing for the newest month, and a member paid only in
    the month before the six was "six months without work" over a month nobody had data for."""
    wh = household(person(1, born=date(1986, 3, 1), labor="有"))
    wh.wage("T1", 1, "2026-04-01", 3000.0)   # six months back from September, not from October
    doc = wh.report("employment", data_as_of={"tax": "2026-09-30", "social_insurance": "2026-09-30"})
    assert "employment.no_unemployed_member" in rules(doc), doc["findings"]
    doc = wh.report("employment", data_as_of={"tax": "2026-10-31", "social_insurance": "2026-10-31"})
    assert "数据截至" not in rules(doc)["employment.zero_employment"]["message"]
    wh2 = household(person(1, born=date(1986, 3, 1), labor="有"))
    said = rules(wh2.report("employment", data_as_of={"tax": "2026-09-30", "social_insurance": "2026-10-31"}))
    assert "税务数据截至2026年9月" in said["employment.zero_employment"]["message"]


@pytest.mark.parametrize("others, asked", [(1, True), (9, True), (10, False)])
def test_a_car_without_an_id_is_asked_about_only_while_few_people_bear_the_name(household, others, asked):
    """Under a name that ten or more people are known by (IDs written under it in any source), an
    ID-less car is under a one-in-ten chance the member's: an outcome probe drawing on a small pool of
    names saw 278 of 308 such questions ask about namesakes' rows."""
    wh = household(person(1))
    wh.vehicle("V9", 1, decision=None)
    for k in range(others):
        _namesakes_wage(wh, f"N{k}", date(2026, 1, 1), 100.0, f"1401051970010100{k:02d}", "X")
    found = rules(wh.report()).get("match.unclaimed")
    assert (found is not None) == asked
    if asked:
        assert f"已知同名者{others + 1}人" in found["message"]


@pytest.mark.parametrize("program, setup, held", [
    ("dibao", lambda wh: wh.vehicle("V1", 1, decision="review"), True),
    ("dibao", lambda wh: wh.vehicle("V1", 1, "三轮汽车", decision="review"), False),      # exempt
    ("dibao", lambda wh: wh.property("P1", 1, decision="review"), False),                 # the only home
    ("dibao", lambda wh: (wh.property("P1", 1), wh.property("P2", 1, decision="review")), True),   # a second
    ("dibao", lambda wh: wh.property("P1", 1, "商业", decision="review"), True),
    ("housing", lambda wh: wh.property("P1", 1, decision="review"), True),               # any home
    ("housing", lambda wh: wh.property("P1", 1, "车位", decision="review"), False),
])
def test_a_pending_car_or_home_holds_the_outcome_only_when_confirming_it_could_fail_the_household(
        household, program, setup, held):
    """An outcome probe's 8 of 46 needless reviews: a 三轮汽车, a scrapped car, the household's only home."""
    wh = household(person(1))
    setup(wh)
    doc = wh.report(program)
    assert rules(doc)["match.review"]["severity"] == ("warn" if held else "info")
    assert doc["outcome"] == ("review" if held else "pass")


def test_a_row_under_the_name_of_two_members_is_asked_about_once_naming_both(household):
    """A probe: two members named 袁伟 got the same question twice, word for word."""
    wh = household(person(1), person(2, "子女", name="成员1", id_number="140105200001010011"))
    wh.vehicle("V9", 1, decision=None)
    found = rules(wh.report())["match.unclaimed"]
    assert found["message"].count("晋AV9") == 1 and "1、2号成员同名" in found["message"]
    assert cited(found) == {("vehicle", "V9")} and len(found["evidence"]) == 1


@pytest.mark.parametrize("setup, held", [
    (lambda wh: wh.bank("B2", 2, 2000.0, decision="review"), False),     # far under 24 x 628
    (lambda wh: wh.bank("B2", 2, 20000.0, decision="review"), True),     # over 15,072: capacity to support
    (lambda wh: wh.vehicle("V2", 2, decision="review"), False),          # a supporter is not judged on cars
    (lambda wh: [wh._insert("tax_all", "tax", f"S{m}", 2, "period, income_item, income_amount, withholding_agent",
                            [date(2026, m, 1), "工资薪金", 800.0, "某公司"], decision="review")
                 for m in range(1, 11)], False),                        # 800 a month < 2 x 628
])
def test_a_supporters_pending_row_holds_a_tekun_household_only_when_it_could_show_capacity_to_support(
        household, setup, held):
    """A probe: 25 of 277 eligible 特困 households were held for a supporter's ID-less 2,000 balance or
    800 wage, or a namesake's car under a supporter's name: none could cross the supporter's lines."""
    wh = household(person(1, born=date(1950, 1, 1)), person(2, "赡养人", born=date(1980, 1, 1), labor="有"))
    setup(wh)
    doc = wh.report("tekun")
    assert rules(doc)["match.review"]["severity"] == ("warn" if held else "info"), doc["findings"]
    assert doc["outcome"] == ("review" if held else "pass")


def _fund_pensions(wh, amount=2500.0, months=range(1, 4)):
    """企业职工 pensions without an ID or a payer under member 1's name, linked to nobody."""
    for m in months:
        wh._insert("social_insurance_all", "social_insurance", f"Q{m}", 1,
                   "insurance_type, record_type, period, employer, contribution_base, amount",
                   ["企业职工基本养老保险", "待遇", date(2026, m, 1), None, None, amount], decision=None)


def test_a_members_own_residents_pension_does_not_make_the_employees_fund_her_payer(household):
    """A fresh evaluator: a member drawing a 180 城乡居民 pension under her ID, her name borne by 12
    others with IDs, was asked about a namesake's ID-less 企业职工 pension as if its fund wrote her ID;
    five eligible households with common names were held so."""
    wh = household(person(1))
    own = wh.members[0]["id_number"]
    for m in range(1, 11):
        wh.con.execute("INSERT INTO social_insurance_all (record_id, name, id_number, id_status, batch_id, file, "
                       "file_hash, row_number, loaded_at, insurance_type, record_type, period, employer, amount) "
                       "VALUES (?, '成员1', ?, 'valid', 'b', 'f.csv', 'h', 1, now(), '城乡居民基本养老保险', '待遇', ?, "
                       "NULL, 180)", [f"R{m}", own, date(2026, m, 1)])
        wh.con.execute("INSERT INTO links VALUES ('social_insurance', ?, 'R1', 'H1', 1, 0.99, 'auto', 'test', NULL, "
                       "'run-1', now())", [f"R{m}"])
    for k in range(12):                       # twelve other people of the name, each with their ID
        _namesakes_wage(wh, f"N{k}", date(2026, 1, 1), 3000.0, id_number=f"1401051970010{k:02d}19", payer=f"某厂{k}")
    _fund_pensions(wh)
    assert "match.unclaimed" not in rules(wh.report())


@pytest.mark.parametrize("born, asked", [(date(1982, 6, 1), False), (date(1970, 6, 1), True)])
def test_a_pension_is_not_asked_of_a_member_too_young_to_draw_one(household, born, asked):
    """A fresh evaluator: a 44-year-old was asked about a namesake's retirement pension; no one
    retires before 45 (a woman, on disability)."""
    wh = household(person(1, born=born))
    _fund_pensions(wh, amount=4000.0, months=range(1, 11))
    assert ("match.unclaimed" in rules(wh.report())) == asked


@pytest.mark.parametrize("written", ["成員1", "成员 1", "成员·1"], ids=["traditional", "space", "dot"])
def test_a_car_without_an_id_under_another_spelling_of_a_members_name_is_a_question(household, written):
    """A names probe: ID-less cars and wages under 楊寶麗 (the member 杨宝丽) or 艾克拜尔 吾斯曼 (艾克拜尔·吾斯曼)
    raised nothing and the households passed; the exact spelling was asked about. The spellings are
    the linker's own standardisation (`match_name_keys.name_std`)."""
    from matching.link import NAME_KEY_VERSION

    wh = household(person(1))
    for name in {"成员1", written}:
        wh.con.execute("INSERT INTO match_name_keys (name, name_std, version) VALUES (?, '成员1', ?)",
                       [name, NAME_KEY_VERSION])
    wh.con.execute("INSERT INTO vehicle_all (record_id, name, id_number, id_status, batch_id, file, file_hash, "
                   "row_number, loaded_at, plate_number, vehicle_type, registration_date, purchase_price, status) "
                   "VALUES ('VX', ?, NULL, NULL, 'b', 'f.csv', 'h', 1, now(), '晋A99999', '小型轿车', DATE '2020-05-01', "
                   "80000, '正常')", [written])
    found = rules(doc := wh.report()).get("match.unclaimed")
    assert found is not None and doc["outcome"] == "review", doc["findings"]
    assert cited(found) == {("vehicle", "VX")}


def test_a_question_on_a_household_that_fails_anyway_says_it_adds_a_reason_not_changes_the_outcome(household):
    """A caseworker probe: 足以改变核对结果 on a household already refused on its assets."""
    wh = household(person(1))
    _pay(wh, "W", 1, 400.0, range(1, 13))
    _pay(wh, "F", 1, 1000.0, range(1, 7), decision=None)           # ID-less fees under the member's name
    wh.bank("B1", 1, 90000.0, account="6222020012340000", as_of=date(2026, 10, 31))
    doc = wh.report()
    found = rules(doc)["match.unclaimed"]
    assert doc["outcome"] == "fail" and "足以改变核对结果" not in found["message"]
    assert "本户已因其他核对发现不符合条件" in found["message"]


def test_zero_employment_is_not_said_of_a_household_with_a_working_age_member_not_verified(household):
    """A traceability probe: "零就业家庭" beside a spouse without consent, whose wages were in the tax export."""
    wh = household(person(1, born=date(1986, 3, 1), labor="有"),
                   person(2, "配偶", born=date(1988, 5, 1), labor="有", consent=False, consent_ref=None))
    said = rules(wh.report("employment"))["employment.zero_employment"]["message"]
    assert not said.startswith("零就业家庭") and "成员2未经授权未核对，是否零就业家庭无法确定" in said, said
