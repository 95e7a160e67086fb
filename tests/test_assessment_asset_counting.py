"""How a household's assets are counted, from a small warehouse through to its report.

Each test loads a few register rows into an in-memory warehouse (the real schema), links them
to the members of one household, runs the assessment's evidence queries and builds the
household's report document, then checks the figures, the findings and the report summary.
"""

from datetime import date, datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.evidence import accounts_sql, other_balances_sql, properties_sql, vehicles_sql
from assessment.household import build_household
from assessment.policy import load_policy
from reports.html import render_household
from reports.view import household_view, index_row
from warehouse import apply_migrations
from warehouse.sql import fetch_grouped

POLICY = load_policy()
REQUEST_DATE = date(2026, 11, 28)
HH = {"request_id": "R1", "household_id": "H1", "agency": "taiyuan", "program": "dibao",
      "county_code": "140105", "request_date": REQUEST_DATE, "run_id": "run-1"}
SOURCE_COLS = ("record_id, name, id_number, id_status, batch_id, file, file_hash, row_number, loaded_at")


def person(no, relation):
    return {"member_no": no, "name": f"成员{no}", "id_number": f"14010519800101{no:03d}X", "id_status": "valid",
            "relation": relation, "consent": True, "consent_ref": f"SQ{no}", "address": "太原市小店区某街1号",
            "gender": "男", "birth_date": date(1980, 1, 1), "labor_capacity": "有", "disability_grade": None,
            "declared_monthly_income": None, "declared_financial_assets": None, "on_rolls_programs": []}


class Warehouse:
    """One household (户主 member 1, 配偶 member 2) and the register rows linked to its members."""

    def __init__(self):
        self.con = duckdb.connect()
        apply_migrations(self.con)
        self.members = [person(1, "户主"), person(2, "配偶")]
        self.con.execute("CREATE TEMP TABLE work_households AS SELECT 'R1' AS request_id, 'H1' AS household_id, "
                         "DATE '2026-11-28' AS request_date")
        self.rows = 0

    def _insert(self, table: str, source: str, rid: str, member: int, loaded: str, decision: str,
                cols: str, values: list) -> None:
        self.rows += 1
        self.con.execute(f"INSERT INTO {table} ({SOURCE_COLS}, {cols}) VALUES "
                         f"(?, ?, NULL, NULL, 'b', 'f.csv', 'h', ?, ?, {', '.join('?' * len(values))})",
                         [rid, f"成员{member}", self.rows, datetime.fromisoformat(loaded), *values])
        self.con.execute("INSERT INTO links VALUES (?, ?, 'R1', 'H1', ?, 0.99, ?, 'test', NULL, 'run-1', now())",
                         [source, rid, member, decision])

    def vehicle(self, rid, member=1, plate="晋A12345", status="正常", vtype="小型轿车", registered="2020-05-01",
                loaded="2026-01-05", decision="auto"):
        self._insert("vehicle_all", "vehicle", rid, member, loaded, decision,
                     "plate_number, vehicle_type, registration_date, purchase_price, status",
                     [plate, vtype, date.fromisoformat(registered), 80000, status])

    def property(self, rid, member=1, cert="晋(2020)太原市不动产权第0000001号", share=None, area=120.0,
                 usage="住宅", status="现势", registered="2020-05-01", loaded="2026-01-05", decision="auto"):
        self._insert("property_all", "property", rid, member, loaded, decision,
                     "certificate_number, location, usage, floor_area, share, registration_date, status",
                     [cert, f"小店区{cert[-4:]}", usage, area, share, date.fromisoformat(registered), status])

    def bank(self, rid, balance, member=1, institution="兴业银行", account=None, product="理财产品",
             as_of="2025-02-28", decision="auto"):
        self._insert("bank_all", "bank", rid, member, "2026-01-05", decision,
                     "institution, account_number, product_type, balance, as_of_date",
                     [institution, account, product, balance, date.fromisoformat(as_of)])

    def report(self, program: str = "dibao") -> dict:
        def grouped(sql):
            return fetch_grouped(self.con, sql, key=lambda r: (r["request_id"], r["household_id"])).get(("R1", "H1"), [])
        links = grouped("SELECT * FROM links")
        return build_household({**HH, "program": program}, self.members, [], grouped(vehicles_sql()), grouped(properties_sql()),
                               grouped(accounts_sql()), links, POLICY, {}, "2026-11-28T02:00:00+08:00",
                               other_balances=grouped(other_balances_sql()))


@pytest.fixture
def wh():
    w = Warehouse()
    yield w
    w.con.close()


def rules(doc: dict) -> dict:
    return {f["rule"]: f for f in doc["findings"]}


def by_id(rows: list[dict]) -> dict:
    return {r["record_id"]: r for r in rows}


# 1. co-owners ------------------------------------------------------------------------------------

def test_a_flat_co_owned_by_two_members_is_one_home_with_their_shares_of_area(wh):
    wh.property("P1", member=1, share=0.5)
    wh.property("P2", member=2, share=0.5)
    doc = wh.report()
    assert "dibao.homes" not in rules(doc)
    assert doc["assets"]["property_count"] == 1 and doc["assets"]["owned_area_total"] == 120.0
    assert [(b["properties"], b["owned_area"]) for b in doc["assets"]["by_member"]] == [(1, 60.0), (1, 60.0)]
    assert all(p["counted"] and p["note"] is None for p in doc["assets"]["properties"])
    assert index_row(doc)["properties"] == 1


def test_shares_of_one_flat_adding_up_to_more_than_the_whole_are_said_to_contradict_each_other(wh):
    """An assets probe: two members' 0.6 shares of one flat read "共同共有同一产权"."""
    wh.property("P1", member=1, share=0.6)
    wh.property("P2", member=2, share=0.6)
    doc = wh.report()
    assert doc["assets"]["property_count"] == 1 and doc["assets"]["owned_area_total"] == 120.0
    assert by_id(doc["assets"]["properties"])["P1"]["note"] == (
        "与成员2的登记份额合计超过整套（60%+60%），请向登记机关核实；家庭合计面积按整套计")


def test_halves_of_a_flat_round_half_up_and_add_up_to_the_flat(wh):
    """An export probe: 50.55 m² × 0.5 showed 25.27 (the binary float 25.2749…) and the report's
    total, the rounded halves summed, 50.54 m²."""
    wh.property("P1", member=1, share=0.5, area=50.55)
    wh.property("P2", member=2, share=0.5, area=50.55)
    doc = wh.report()
    assert [p["owned_area"] for p in doc["assets"]["properties"]] == [25.28, 25.28]
    assert doc["assets"]["owned_area_total"] == 50.55
    assert household_view(doc)["assets"]["owned_area_total"] == 50.55


def test_a_households_area_is_the_exact_sum_of_its_shares_rounded_half_up(wh):
    """An income probe: 92.75 m² whole and half of 69.27 m² (34.635) summed as floats to 127.38499…,
    shown 127.38 beside rows of 92.75 and 34.64."""
    wh.property("P1", member=1, area=92.75, cert="晋(2020)太原市不动产权第0000001号")
    wh.property("P2", member=1, share=0.5, area=69.27, usage="商业", cert="晋(2020)太原市不动产权第0000002号")
    doc = wh.report()
    assert sorted(p["owned_area"] for p in doc["assets"]["properties"]) == [34.64, 92.75]
    assert doc["assets"]["owned_area_total"] == 127.39
    assert [b["owned_area"] for b in doc["assets"]["by_member"] if b["member_no"] == 1] == [127.39]


def test_a_co_owners_row_waiting_for_review_of_a_home_already_held_holds_nothing(wh):
    """An outcome probe: the wife's half of the couple's flat, waiting for review, held the outcome
    though the husband's counted half already made it their one home: confirming adds no home."""
    wh.property("P1", member=1, share=0.5)
    wh.property("P2", member=2, share=0.5, decision="review")
    doc = wh.report()
    assert doc["outcome"] == "pass" and rules(doc)["match.review"]["severity"] == "info"
    wh.property("P3", member=2, cert="晋(2021)太原市不动产权第0000002号", decision="review")   # another home: a question
    doc = wh.report()
    assert doc["outcome"] == "review" and rules(doc)["match.review"]["severity"] == "warn"


def test_a_couple_co_owning_one_flat_plus_the_husbands_own_flat_own_two_homes(wh):
    wh.property("P1", member=1, share=0.5)
    wh.property("P2", member=2, share=0.5)
    wh.property("P3", member=1, cert="晋(2022)太原市不动产权第0000002号", area=90.0)
    doc = wh.report()
    homes = rules(doc)["dibao.homes"]
    assert homes["message"] == "家庭拥有住宅2套，超过1套"
    assert sorted(e["record_id"] for e in homes["evidence"]) == ["P1", "P2", "P3"]   # every owner's row
    assert doc["assets"]["property_count"] == 2 and doc["assets"]["owned_area_total"] == 210.0
    assert index_row(doc)["properties"] == 2


def test_a_co_owned_home_is_one_home_for_housing_and_a_co_owned_shop_one_finding(wh):
    wh.property("P1", member=1, share=0.5)
    wh.property("P2", member=2, share=0.5)
    wh.property("S1", member=1, cert="晋(2019)太原市不动产权第0000009号", usage="商业", share=0.5)
    wh.property("S2", member=2, cert="晋(2019)太原市不动产权第0000009号", usage="商业", share=0.5)
    doc = wh.report()
    shops = [f for f in doc["findings"] if f["rule"] == "dibao.non_residential"]
    assert len(shops) == 1 and {e["record_id"] for e in shops[0]["evidence"]} == {"S1", "S2"}
    housing = wh.report("housing")
    assert rules(housing)["housing.owns_home"]["message"] == "家庭现拥有住宅1套，不符合住房救助条件"   # an applicant


# 2. the same vehicle or certificate under two record_ids ----------------------------------------

def test_a_vehicle_delivered_under_two_record_ids_counts_once_and_both_stay_as_evidence(wh):
    wh.vehicle("V1", loaded="2026-01-05")
    wh.vehicle("V9", plate="晋A 12345", loaded="2026-06-01")      # the register's full re-export
    doc = wh.report()
    vehicles = by_id(doc["assets"]["vehicles"])
    assert set(vehicles) == {"V1", "V9"}                           # both listed
    assert vehicles["V9"]["counted"] and not vehicles["V1"]["counted"]   # the newer load counts
    assert [vehicles[v]["held"] for v in ("V1", "V9")] == [False, True]   # one vehicle held, not two
    assert vehicles["V1"]["note"] == "与记录V9的号牌相同，同一车辆只计一次"
    assert doc["assets"]["vehicle_count"] == 1 and doc["assets"]["by_member"][0]["vehicles"] == 1
    assert [f["evidence"] for f in doc["findings"] if f["rule"] == "dibao.vehicle"] == [
        [{"source": "vehicle", "record_id": "V9"}]]
    assert index_row(doc)["vehicles"] == 1
    html = render_household(doc)
    assert "与记录V9的号牌相同，同一车辆只计一次" in html
    # a second registration of a car still held, not a car no longer held (a report probe)
    assert vehicles["V1"]["repeat"] is True and "重复登记" in html and "不再持有" not in html


def test_a_review_record_shows_the_name_the_department_wrote_under_the_members(wh):
    """A names probe: 邱伟's car waiting for review was listed under the member 仇伟 only; the
    name as the register wrote it was in the review sheet, not in the report being read."""
    wh.vehicle("V1", decision="review")
    wh.con.execute("UPDATE vehicle_all SET name = '邱伟' WHERE record_id = 'V1'")
    wh.vehicle("V2", plate="晋A99999")
    doc = wh.report()
    listed = by_id(doc["assets"]["vehicles"])
    assert (listed["V1"]["record_name"], listed["V2"]["record_name"]) == ("邱伟", "成员1")
    html = render_household(doc)
    assert html.count("记录姓名：") == 1 and "记录姓名：邱伟" in html


def test_the_same_plate_linked_to_two_members_is_one_vehicle(wh):
    wh.vehicle("V1", member=1)
    wh.vehicle("V2", member=2, registered="2021-03-01")
    doc = wh.report()
    assert doc["assets"]["vehicle_count"] == 1
    assert [b["vehicles"] for b in doc["assets"]["by_member"]] == [0, 1]   # the later registration


def test_the_newest_row_of_a_repeated_plate_decides_whether_it_is_still_held(wh):
    wh.vehicle("V1", loaded="2026-01-05")
    wh.vehicle("V9", status="注销", loaded="2026-06-01")
    doc = wh.report()
    assert doc["assets"]["vehicle_count"] == 0 and "dibao.vehicle" not in rules(doc)
    assert by_id(doc["assets"]["vehicles"])["V1"]["note"] == "与较新的记录V9的号牌相同，该记录状态为注销，不再持有，不计入"
    assert by_id(doc["assets"]["vehicles"])["V1"]["repeat"] is False     # no longer held, not a repeat


def test_a_car_registered_after_the_request_date_is_not_held_and_says_why(wh):
    """Two assets probes: a car registered weeks after the request failed a 低保 household."""
    wh.vehicle("V1", registered="2026-12-10")
    doc = wh.report()
    assert doc["assets"]["vehicle_count"] == 0 and "dibao.vehicle" not in rules(doc)
    (v,) = doc["assets"]["vehicles"]
    assert (v["held"], v["counted"]) == (False, False)
    assert v["note"] == "登记日期（2026-12-10）晚于申请日期，申请时尚未持有，不计入"


def test_a_second_home_registered_after_the_request_date_is_not_a_second_home(wh):
    wh.property("P1", member=1, cert="晋(2020)太原市不动产权第0000001号")
    wh.property("P2", member=2, cert="晋(2026)太原市不动产权第0000009号", registered="2026-11-29")
    doc = wh.report()
    assert doc["assets"]["property_count"] == 1 and "dibao.homes" not in rules(doc)
    assert by_id(doc["assets"]["properties"])["P2"]["note"].startswith("登记日期（2026-11-29）晚于申请日期")
    assert by_id(doc["assets"]["properties"])["P1"]["counted"] is True


def test_a_certificate_reissued_after_the_request_date_under_its_record_id_was_held_all_along(wh):
    """An adversarial probe: a home re-sent under its record_id with a later 登记日期 (a reissued
    certificate) stopped counting when the answered request was verified again on its date."""
    wh.property("P1", member=1, cert="晋(2019)太原市不动产权第0000001号")
    wh.property("P2", member=2, cert="晋(2018)太原市不动产权第0000002号", registered="2018-05-01")
    wh.con.execute("UPDATE property_all SET superseded_by = 'b2' WHERE record_id = 'P2'")
    wh.con.execute("INSERT INTO property_all SELECT * REPLACE (DATE '2026-12-10' AS registration_date, NULL AS superseded_by, "
                   "'b2' AS batch_id) FROM property_all WHERE record_id = 'P2'")
    doc = wh.report()
    assert doc["assets"]["property_count"] == 2 and "dibao.homes" in rules(doc)


def test_a_plate_registered_again_after_the_request_date_leaves_the_request_dates_row_deciding(wh):
    wh.vehicle("V1", registered="2020-05-01", loaded="2026-01-05")
    wh.vehicle("V9", registered="2026-12-20", status="注销", loaded="2027-01-05")
    doc = wh.report()
    assert doc["assets"]["vehicle_count"] == 1 and "dibao.vehicle" in rules(doc)
    assert by_id(doc["assets"]["vehicles"])["V1"]["counted"] is True


def test_a_car_the_register_now_names_a_stranger_as_owner_of_is_no_longer_held(wh):
    """An evaluator: a car sold to a stranger, the plate re-exported under the buyer's name and ID (a
    new record_id, linked to nobody here), stayed the household's and failed it for good."""
    wh.vehicle("V1", loaded="2026-01-05")
    wh.con.execute("INSERT INTO vehicle_all (record_id, name, id_number, id_status, batch_id, file, file_hash, row_number, "
                   "loaded_at, plate_number, vehicle_type, registration_date, purchase_price, status) VALUES "
                   "('V9', '陌生买家', '140105199001010011', 'valid', 'b2', 'g.csv', 'h2', 1, TIMESTAMP '2026-06-01', "
                   "'晋A·12345', '小型轿车', DATE '2020-05-01', 80000, '正常')")
    doc = wh.report()
    assert doc["assets"]["vehicle_count"] == 0 and "dibao.vehicle" not in rules(doc)
    assert by_id(doc["assets"]["vehicles"])["V1"]["note"] == "该号牌较新的登记记录V9所有人为他人（已过户），不再持有，不计入"


@pytest.mark.parametrize("mine, theirs", [("晋A3M7Q9", "晋Ａ３Ｍ７Ｑ９"), ("晋Ａ３Ｍ７Ｑ９", "晋A3M7Q9"), ("晋a3m7q9", "晋Ａ·３Ｍ７Ｑ９")])
def test_a_car_sold_to_a_stranger_is_no_longer_held_however_either_row_writes_the_plate(wh, mine, theirs):
    """An evaluator: the buyer's row wrote the plate in full-width characters, the sale was not seen,
    and the household failed on a car it had sold."""
    wh.vehicle("V1", plate=mine, loaded="2026-01-05")
    wh.con.execute("INSERT INTO vehicle_all (record_id, name, id_number, id_status, batch_id, file, file_hash, row_number, "
                   "loaded_at, plate_number, vehicle_type, registration_date, purchase_price, status) VALUES "
                   "('V9', '陌生买家', '140105199001010011', 'valid', 'b2', 'g.csv', 'h2', 1, TIMESTAMP '2026-06-01', "
                   "?, '小型轿车', DATE '2024-09-01', 80000, '正常')", [theirs])
    doc = wh.report()
    assert doc["assets"]["vehicle_count"] == 0 and "dibao.vehicle" not in rules(doc)


def test_a_question_about_a_car_under_a_childs_name_holds_nothing(wh):
    """An evaluator: eligible 特困 orphans waited for review on an adult namesake's ID-less car the linker
    asked about; the age that rules such a row out of the unclaimed questions rules it out of these too."""
    wh.members[1].update(relation="子女", id_number="未落户", id_status="invalid", id_birth_date=None,
                         birth_date=date(2017, 12, 1))
    wh.vehicle("V-KID", member=2, decision="review")
    doc = wh.report()
    assert doc["outcome"] == "pass" and rules(doc)["match.review"]["severity"] == "info", doc["findings"]
    wh.members[1].update(birth_date=date(1990, 1, 1))
    assert rules(wh.report())["match.review"]["severity"] == "warn"


def _stranger_property(wh, rid, cert, registered, share=None, name="陌生买家"):
    wh.con.execute("INSERT INTO property_all (record_id, name, id_number, id_status, batch_id, file, file_hash, row_number, "
                   "loaded_at, certificate_number, location, usage, floor_area, share, registration_date, status) VALUES "
                   "(?, ?, '140105199001010011', 'valid', 'b2', 'g.csv', 'h2', 1, TIMESTAMP '2026-06-01', ?, '小店区某小区', "
                   "'住宅', 90.0, ?, ?, '现势')", [rid, name, cert, share, date.fromisoformat(registered)])


def test_a_home_the_register_now_gives_whole_to_a_stranger_is_no_longer_held(wh):
    """An assets probe: a home sold to a stranger (the buyer's row under the same certificate,
    registered later, 单独所有) still counted, and the household failed on two homes."""
    wh.property("P1", cert="晋(2012)太原市不动产权第0002002号", registered="2012-03-01")
    wh.property("P2", member=2, cert="晋(2016)太原市不动产权第0000002号", registered="2016-05-01")
    _stranger_property(wh, "P9", "晋（2012）太原市不动产权第0002002号", "2024-06-01")
    doc = wh.report()
    assert doc["assets"]["property_count"] == 1 and "dibao.homes" not in rules(doc)
    assert by_id(doc["assets"]["properties"])["P1"]["note"] == (
        "该不动产权证号较新的登记记录P9权利人为他人（已转移登记），不再持有，不计入")


@pytest.mark.parametrize("share, registered", [(0.5, "2024-06-01"), (None, "2012-03-01"), (None, "2027-01-10")],
                         ids=["a-co-owner-added", "registered-the-same-day", "registered-after-the-request"])
def test_a_later_row_of_the_certificate_that_is_no_sale_before_the_request_leaves_the_home_held(wh, share, registered):
    wh.property("P1", cert="晋(2012)太原市不动产权第0002002号", registered="2012-03-01")
    wh.property("P2", member=2, cert="晋(2016)太原市不动产权第0000002号", registered="2016-05-01")
    _stranger_property(wh, "P9", "晋(2012)太原市不动产权第0002002号", registered, share=share)
    doc = wh.report()
    assert doc["assets"]["property_count"] == 2 and rules(doc)["dibao.homes"]["severity"] == "fail"


@pytest.mark.parametrize("held_id, gone_id", [("V1", "V2"), ("V2", "V1")])
def test_a_plate_said_held_and_cancelled_on_one_date_is_a_question_whatever_the_rows_order(wh, held_id, gone_id):
    """An assets probe: 正常 and 注销 rows of one plate, one registration date, one file: the household
    failed with one order of the record_ids and passed with the other, the 注销 row a mere "repeat"."""
    wh.vehicle(held_id, status="正常")
    wh.vehicle(gone_id, status="注销")
    doc = wh.report()
    finding = rules(doc)["dibao.vehicle"]
    assert finding["severity"] == "warn" and doc["outcome"] == "review"
    assert {e["record_id"] for e in finding["evidence"]} == {"V1", "V2"}
    assert f"同一登记日期另有记录{gone_id}（注销）称已不再持有" in finding["message"]
    rows = by_id(doc["assets"]["vehicles"])
    assert rows[held_id]["counted"] is True and rows[gone_id]["counted"] is False
    assert "两条记录相互矛盾" in rows[gone_id]["note"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("晋京AaZz09Ｍｑ３（）()－-．.·・／/ \u3000\t第号") + [chr(0xFF21), chr(0xFF10)], max_size=12))
def test_the_sql_plate_and_certificate_key_agrees_with_python(number):
    from assessment.figures import NUMBER_KEY_SQL, _key
    got = duckdb.connect().execute(f"SELECT {NUMBER_KEY_SQL.format(col='x')} FROM (SELECT ?::VARCHAR AS x)",
                                   [number]).fetchall()[0][0]
    want = _key(number, {"record_id": "R"})
    assert got == (want if isinstance(want, str) else "")


def test_a_newer_row_of_the_plate_under_the_owners_own_name_is_no_transfer(wh):
    wh.vehicle("V1", loaded="2026-01-05")
    wh.con.execute("INSERT INTO vehicle_all (record_id, name, id_number, id_status, batch_id, file, file_hash, row_number, "
                   "loaded_at, plate_number, vehicle_type, registration_date, purchase_price, status) VALUES "
                   "('V9', '成员1', NULL, 'missing', 'b2', 'g.csv', 'h2', 1, TIMESTAMP '2026-06-01', "
                   "'晋A12345', '小型轿车', DATE '2020-05-01', 80000, '正常')")
    assert "dibao.vehicle" in rules(wh.report())


def test_joint_owners_rows_of_one_flat_say_it_is_counted_once(wh):
    """A report probe: two members' 共同共有 rows of one 90 m² flat were each shown as 单独所有,
    90 m², beside a household total of 90 m², with nothing to reconcile them."""
    wh.property("P1", member=1, share=1.0, area=90.0)
    wh.property("P2", member=2, share=1.0, area=90.0)
    doc = wh.report()
    rows = by_id(doc["assets"]["properties"])
    assert doc["assets"]["owned_area_total"] == 90.0 and doc["assets"]["property_count"] == 1
    assert [rows[p]["joint"] for p in ("P1", "P2")] == [True, True]
    assert rows["P1"]["note"] == "与成员2共同共有同一产权，家庭合计面积只计一次"
    html = render_household(doc)
    assert html.count("共同共有</td>") == 2 and "单独所有" not in html


def test_a_certificate_delivered_twice_to_one_owner_counts_once(wh):
    wh.property("P1", member=1, area=100.0, loaded="2026-01-05")
    wh.property("P9", member=1, area=100.0, loaded="2026-06-01")
    doc = wh.report()
    assert doc["assets"]["property_count"] == 1 and doc["assets"]["owned_area_total"] == 100.0
    assert doc["assets"]["by_member"][0] == {"member_no": 1, "vehicles": 0, "properties": 1, "owned_area": 100.0,
                                             "financial_total": 0.0}
    props = by_id(doc["assets"]["properties"])
    assert props["P9"]["counted"] and props["P1"]["note"] == "与记录P9的不动产权证号相同，同一产权只计一次"
    assert "dibao.homes" not in rules(doc)
    assert index_row(doc)["properties"] == 1 and household_view(doc)["assets"]["owned_area_total"] == 100.0


def test_a_repeated_certificate_of_two_co_owners_counts_each_share_once(wh):
    for rid, member, loaded in (("P1", 1, "2026-01-05"), ("P2", 2, "2026-01-05"),
                                ("P8", 1, "2026-06-01"), ("P9", 2, "2026-06-01")):
        wh.property(rid, member=member, share=0.5, loaded=loaded)
    doc = wh.report()
    assert doc["assets"]["property_count"] == 1 and doc["assets"]["owned_area_total"] == 120.0
    assert sorted(r for r, p in by_id(doc["assets"]["properties"]).items() if p["counted"]) == ["P8", "P9"]


def test_a_repeated_row_waiting_for_review_is_not_counted_and_does_not_hide_the_counted_one(wh):
    wh.vehicle("V1", loaded="2026-01-05")
    wh.vehicle("V9", loaded="2026-06-01", decision="review")
    doc = wh.report()
    vehicles = by_id(doc["assets"]["vehicles"])
    assert vehicles["V1"]["counted"] and not vehicles["V9"]["counted"]
    assert doc["assets"]["vehicle_count"] == 1


# 3. bank rows without an account number ----------------------------------------------------------

def test_bank_products_without_an_account_number_on_one_statement_are_all_counted(wh):
    wh.bank("B1", 20000)
    wh.bank("B2", 30000)
    wh.bank("B3", 5000, product="基金")
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 55000.0
    assert sorted(a["record_id"] for a in doc["assets"]["financial"]) == ["B1", "B2", "B3"]


def test_an_earlier_statement_of_an_unnumbered_product_is_an_earlier_snapshot(wh):
    wh.bank("B0", 18000, as_of="2024-12-31")          # last quarter's statement of the same products
    wh.bank("B1", 20000)
    wh.bank("B2", 30000, account="  ")                 # a blank number is no number
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 50000.0
    assert sorted(a["record_id"] for a in doc["assets"]["financial"]) == ["B1", "B2"]


@pytest.mark.parametrize("second_file, branch, total", [("b2.csv", "兴业银行", 9000.0), ("f.csv", "兴业银行", 18000.0),
                                                       ("b2.csv", "兴业银行并州支行", 18000.0)])
def test_an_unnumbered_balance_sent_again_in_another_file_counts_once(wh, second_file, branch, total):
    """A degenerate-data probe: the bank re-exported yesterday's statements under new record_ids; an
    unnumbered 9,000 活期 became 18,000 and the household failed. Two rows alike in one file are two
    products of one statement, and both count; so are two branches' exports of one bank (an adversarial
    probe's two 10,000 定期 at 桃园支行 and 并州支行 counted once, a wrong pass)."""
    wh.bank("B1", 9000, product="活期存款")
    wh.bank("B2", 9000, product="活期存款", institution=branch)
    wh.con.execute("UPDATE bank_all SET file = ?, loaded_at = loaded_at + INTERVAL 1 DAY WHERE record_id = 'B2'",
                   [second_file])
    doc = wh.report()
    assert doc["assets"]["financial_total"] == total, doc["assets"]["financial"]
    if total == 9000.0:
        (repeat,) = doc["assets"]["financial_not_counted"]
        assert repeat["record_id"] == "B2" and "部门重新导出" in repeat["note"], repeat


def test_a_numbered_account_still_counts_only_its_latest_snapshot(wh):
    wh.bank("B1", 20000, account="6229081234567890", as_of="2024-12-31")
    wh.bank("B2", 25000, account="6229081234567890", as_of="2025-02-28")
    wh.bank("B3", 7000, account="6229089999999999", as_of="2025-02-28")
    wh.bank("B4", 1e6, account="6229089999999999", as_of="2026-12-31")   # after the request date
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 32000.0
    assert sorted(a["record_id"] for a in doc["assets"]["financial"]) == ["B2", "B3"]


def test_each_product_of_a_card_counts_its_own_latest_balance(wh):
    """A product missing from a later statement may have been left out of that export rather than
    closed (an independent probe's truth counted it): 定期 9,000 in June and 活期 9,100 in
    September on one card are both held."""
    wh.bank("B1", 9000, account="6222716000842913", product="定期存款", as_of="2025-06-30")
    wh.bank("B2", 9100, account="6222716000842913", product="活期存款", as_of="2025-09-30")
    assert wh.report()["assets"]["financial_total"] == 18100.0


def test_one_account_written_in_full_and_masked_is_one_account(wh):
    """An independent probe: 6222716000842913 with 9,000 in March and 622271******2913 with 9,100
    in September counted as two accounts, 18,100, and the household failed."""
    wh.bank("B1", 9000, account="6222716000842913", product="活期存款", as_of="2025-03-31")
    wh.bank("B2", 9100, account="622271******2913", product="活期存款", as_of="2025-09-30")
    wh.bank("B3", 500, account="6222710000005555", product="活期存款", as_of="2025-09-30")   # another account
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 9600.0
    assert sorted(a["record_id"] for a in doc["assets"]["financial"]) == ["B2", "B3"]


@pytest.mark.parametrize("first, second", [("6.21700001111222E+18", "6.21700001112E+18"),
                                           ("6.21700001111222E+18", "6.21700001111222E+18")],
                         ids=["two-shortened-texts", "one-shortened-text"])
def test_two_accounts_a_spreadsheet_shortened_are_two_accounts(wh, first, second):
    """An export probe: 19-digit account numbers stored as numbers in a workbook, 9,000 and 8,000
    on one date, were one account '尾号E+18' with two balances: 8,000 counted, a wrong review."""
    wh.bank("B1", 9000, account=first, product="活期存款", as_of="2025-05-31")
    wh.bank("B2", 8000, account=second, product="活期存款", as_of="2025-05-31")
    wh.bank("B3", 5000, account=first, product="活期存款", as_of="2025-04-30")   # earlier: a snapshot
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 17000.0
    assert "bank.same_day_balances" not in rules(doc)
    listed = by_id(doc["assets"]["financial"])
    assert sorted(listed) == ["B1", "B2"] and all("以文本格式导出账号" in listed[r]["note"] for r in listed)


def test_a_statement_with_its_number_shortened_is_the_account_whose_full_number_it_begins_with(wh):
    """The same account sent once as text and once from a workbook: one account, its latest
    balance counts (the shortened row is not an unnumbered product beside it)."""
    wh.bank("B1", 40000, account="6217000011112223333", product="活期存款", as_of="2024-12-31")
    wh.bank("B2", 1000, account="6.21700001111222E+18", product="活期存款", as_of="2025-05-31")
    wh.bank("B3", 500, account="6217000099998888777", product="活期存款", as_of="2024-12-31")   # another account
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 1500.0
    listed = by_id(doc["assets"]["financial"])
    assert sorted(listed) == ["B2", "B3"] and not listed["B3"]["note"]
    # … and says so, asking for the numbers as text, as the README promises (a report probe found none)
    assert "已按该成员在同一银行唯一以此开头的账号计为同一账户" in listed["B2"]["note"]


def test_what_confirming_would_give_reads_shortened_numbers_as_the_counted_balances_do():
    from assessment.accounts import financial_if_confirmed
    rows = [{"member_no": 1, "institution": "兴业银行", "product_type": "活期存款", "record_id": rid,
             "account_number": number, "balance": balance, "as_of_date": date.fromisoformat(day)}
            for rid, number, balance, day in [("B1", "6217000011112223333", 40000, "2024-12-31"),
                                              ("B2", "6.21700001111222E+18", 1000, "2025-05-31"),
                                              ("B3", "6.21700009999999E+18", 700, "2025-05-31"),
                                              ("B4", "6.21700008888888E+18", 300, "2025-05-31")]]
    assert financial_if_confirmed(rows, {1}) == 2000


_DIGITS = st.text(alphabet="0123456789", min_size=16, max_size=19).filter(lambda d: d[0] != "0")


@settings(max_examples=150, deadline=None)
@given(_DIGITS, _DIGITS, st.sampled_from(["{:.14E}", "{:.9E}"]), st.booleans())   # Excel's 15 digits, a display format
def test_the_sql_reading_of_a_shortened_account_number_agrees_with_python(full, other, form, lower):
    """account_key and expands, and their SQL twins, on numbers shortened as a spreadsheet or a
    float column writes them; a shortened number always expands to the number it came from."""
    from matching.sides import ACCOUNT_KEY_SQL, EXPANDS_SQL
    from matching.standardise import account_key, expands
    short = form.format(float(full)).replace("E+0", "E+")
    short = short.lower() if lower else short
    con = duckdb.connect()
    for a, b in ((short, full), (short, other)):
        got = con.execute(f"SELECT {EXPANDS_SQL.format(short='s', full='f')}, {ACCOUNT_KEY_SQL.format(col='s')} "
                          "FROM (SELECT ?::VARCHAR AS s, ?::VARCHAR AS f)", [a, b]).fetchall()[0]
        assert got == (expands(a, b), account_key(a)) and got[1] is None
    assert expands(short, full)


def test_a_number_in_scientific_form_with_every_digit_kept_expands_to_itself():
    from matching.standardise import expands
    assert expands("1.000000000000001E+15", "1000000000000001")
    assert not expands("1.000000000000001E+15", "1000000000000002")


@pytest.mark.parametrize("older, newer", [("中国农业银行", "农业银行"), ("中国建设银行", "中国建设银行太原桃园支行"),
                                          ("中国建设银行营业部", "中国建设银行股份有限公司"),
                                          # an independent-data probe: the big banks' short names
                                          ("中国邮政储蓄银行", "邮储银行清徐县支行营业部"), ("中国工商银行", "工行太原并州支行"),
                                          # an outcome probe: the rural credit union's statements, 111 of 500 households
                                          ("山西农信营业部", "山西农信"), ("山西农信太原分行", "山西农信"),
                                          # an income probe: names no list of short names held, one full
                                          # number counted twice in 77 of its 300 households
                                          ("山西省农村信用社", "山西农信"), ("太原农村商业银行", "太原农商银行"),
                                          ("邮政储蓄银行", "邮政银行"), ("清徐县农村信用合作联社", "清徐县农信社")])
def test_one_account_under_two_spellings_of_its_bank_is_one_account(wh, older, newer):
    """An assets probe: 40,000 in December under 中国农业银行 and 1,000 in May under 农业银行, one
    account number, counted 41,000: a wrong fail. A number written in full names its account
    whatever the bank is called."""
    wh.bank("B1", 40000, institution=older, account="6228480012345678901", product="活期存款", as_of="2024-12-31")
    wh.bank("B2", 1000, institution=newer, account="6228480012345678901", product="活期存款", as_of="2025-05-31")
    assert wh.report()["assets"]["financial_total"] == 1000.0


@pytest.mark.parametrize("older, newer", [("山西省农村信用社", "山西农信"), ("太原农村商业银行", "太原农商银行营业部"),
                                          ("清徐县农村信用合作联社", "清徐县农信社"), ("中国邮政储蓄银行", "邮政银行")])
@pytest.mark.parametrize("account", ["622991******3057", None], ids=["masked", "unnumbered"])
def test_a_masked_or_unnumbered_account_under_two_names_of_its_rural_bank_is_one(wh, older, newer, account):
    """Without a full number the bank's name tells the account: the rural banks' and credit unions'
    long and short names are one bank (an income probe's 77 households counted twice)."""
    wh.bank("B1", 40000, institution=older, account=account, product="定期存款", as_of="2024-12-31")
    wh.bank("B2", 1000, institution=newer, account=account, product="定期存款", as_of="2025-05-31")
    assert wh.report()["assets"]["financial_total"] == 1000.0


def test_linked_balances_no_figure_reads_are_listed_as_not_counted_with_why(wh):
    """A bank probe: a 50,000 balance dated after the request showed only as a record number, the
    financial table saying 未查到金融资产; earlier statements showed no amount or date either."""
    wh.bank("B1", 9000, account="6222020011112222", product="活期存款", as_of="2025-06-30")
    wh.bank("B2", 800, account="6222020011112222", product="活期存款", as_of="2025-09-30")
    wh.bank("B3", 50000, account="6217000099998888777", product="定期存款", as_of="2026-12-03")
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 800.0
    other = by_id(doc["assets"]["financial_not_counted"])
    assert sorted(other) == ["B1", "B3"] and not any(o["counted"] for o in other.values())
    assert "晚于申请日期（2026-11-28）" in other["B3"]["note"] and "较早的余额" in other["B1"]["note"]
    shown = {a["record_id"]: a for a in household_view(doc)["assets"]["financial"]}
    assert shown["B3"]["balance"] == 50000 and shown["B3"]["counted"] is False and shown["B2"]["counted"] is True
    assert "50,000.00" in render_household(doc)


def test_one_card_number_on_two_members_statements_is_one_account(wh):
    """An adversarial probe: husband and wife each reported on card 6230000000000002, 20,000 each,
    counted 40,000: a wrong fail."""
    wh.bank("B1", 20000, member=1, institution="中国建设银行", account="6230000000000002", product="活期存款",
            as_of="2025-01-31")
    wh.bank("B2", 20000, member=2, institution="中国建设银行", account="6230000000000002", product="活期存款",
            as_of="2025-02-28")
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 20000.0
    assert [a["record_id"] for a in doc["assets"]["financial"]] == ["B2"]
    [other] = doc["assets"]["financial_not_counted"]
    assert other["record_id"] == "B1" and other["note"] == "同一卡号已按成员2的记录计入，不重复计算"


def test_a_masked_number_at_another_bank_is_not_a_copy_of_a_full_one(wh):
    """An adversarial probe: 622271******2913 at 中国工商银行 was taken for the member's 山西农信 card
    6222716000842913, its 8,000 dropped as an earlier balance: a wrong pass."""
    wh.bank("B1", 8000, institution="山西农信", account="6222716000842913", product="活期存款", as_of="2025-01-31")
    wh.bank("B2", 9000, institution="中国工商银行", account="622271******2913", product="活期存款", as_of="2025-02-28")
    assert wh.report()["assets"]["financial_total"] == 17000.0


def test_one_passbook_number_at_two_banks_is_two_accounts(wh):
    """An adversarial probe: 12-digit passbook numbers repeat across banks; 农业银行's and 邮储's were
    one account, 12,000 counted of 21,000."""
    wh.bank("B1", 12000, institution="中国农业银行", account="041200001234", product="定期存款", as_of="2025-01-31")
    wh.bank("B2", 9000, institution="中国邮政储蓄银行", account="041200001234", product="定期存款", as_of="2025-02-28")
    assert wh.report()["assets"]["financial_total"] == 21000.0


def test_two_full_numbers_sharing_their_first_and_last_four_digits_are_two_accounts(wh):
    """A review: one bank's cards share their first digits, so two of a member's accounts there can
    differ only in the middle; read as a masked copy reads them they were one, 9,000 counted of
    17,000, and the household passed."""
    wh.bank("B1", 9000, institution="中国工商银行", account="6222020011112222", product="活期存款", as_of="2025-10-31")
    wh.bank("B2", 8000, institution="中国工商银行", account="6222020099992222", product="活期存款", as_of="2025-10-30")
    assert wh.report()["assets"]["financial_total"] == 17000.0


def test_a_masked_number_that_could_copy_two_of_the_members_full_numbers_is_neither(wh):
    """Which of the two accounts 622202******2222 masks nobody can say: it is an account of its own
    beside them, not one that hides either balance."""
    wh.bank("B1", 900, account="6222020011112222", product="活期存款", as_of="2025-01-31")
    wh.bank("B2", 800, account="6222020099992222", product="活期存款", as_of="2025-01-31")
    wh.bank("B3", 700, account="622202******2222", product="活期存款", as_of="2025-09-30")
    assert wh.report()["assets"]["financial_total"] == 2400.0


_NUMBERS = ["6222020011112222", "6222020099992222", "622202******2222", "6.22202001111222E+15",
            "62220200", None, "6217000011112223333", "6217000011112223333"]
_BANKS = ["中国工商银行", "工行太原并州支行", "山西农信", "山西省农村信用社", "兴业银行"]


@pytest.fixture(scope="module")
def shared_wh():
    w = Warehouse()
    yield w
    w.con.close()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_NUMBERS), st.sampled_from(_BANKS), st.sampled_from(["活期存款", "定期存款"]),
                          st.sampled_from(["2025-03-31", "2025-06-30", "2025-09-30"]), st.integers(1, 9)),
                min_size=1, max_size=7))
def test_what_confirming_would_give_counts_the_balances_the_figures_count(shared_wh, rows):
    """`financial_if_confirmed` (what the pending links could add) reads accounts as the figures
    do (`accounts_sql`): with every link certain the two agree, whatever the numbers and banks."""
    from assessment.accounts import financial_if_confirmed
    wh = shared_wh
    wh.con.execute("DELETE FROM bank_all; DELETE FROM links")
    for k, (number, bank, product, day, balance) in enumerate(rows):
        wh.bank(f"B{k}", balance * 1000, institution=bank, account=number, product=product, as_of=day)
    accounts = [{"member_no": 1, "institution": bank, "account_number": number, "product_type": product,
                 "as_of_date": date.fromisoformat(day), "balance": balance * 1000, "record_id": f"B{k}"}
                for k, (number, bank, product, day, balance) in enumerate(rows)]
    assert wh.report()["assets"]["financial_total"] == float(financial_if_confirmed(accounts, {1}))


def test_the_bank_of_china_is_not_any_bank():
    from connectors.values.institution import institution_key
    assert institution_key("中国银行太原分行") == "中国银行" != institution_key("中国农业银行")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=list("中国农业建设工商邮政储蓄行银信用社联合分支营业部太原 某") + ["\u3000", "\t", "\n"],
               max_size=14))
def test_the_sql_reading_of_a_bank_name_agrees_with_python(name):
    from connectors.values.institution import INSTITUTION_KEY_SQL, institution_key
    got = duckdb.connect().execute(f"SELECT {INSTITUTION_KEY_SQL.format(col='x')} FROM (SELECT ?::VARCHAR AS x)",
                                   [name]).fetchall()[0][0]
    assert got == institution_key(name)


@pytest.mark.parametrize("plate", ["晋A·12345", "晋A-12345", "晋Ａ１２３４５", "晋a 12345"])
def test_a_plate_written_otherwise_is_the_same_vehicle(wh, plate):
    """An assets probe: a car re-exported as 晋A·12345 注销 stayed held as 晋A12345: a wrong fail."""
    wh.vehicle("V1", loaded="2026-01-05")
    wh.vehicle("V9", plate=plate, status="注销", loaded="2026-06-01")
    doc = wh.report()
    assert doc["assets"]["vehicle_count"] == 0 and "dibao.vehicle" not in rules(doc)


def test_a_certificate_written_with_full_width_brackets_is_the_same_property(wh):
    """An assets probe: two co-owners' halves of one flat, 晋(2015)… and 晋（2015）…, were two homes."""
    wh.property("P1", member=1, share=0.5, cert="晋(2015)小店区不动产权第0001234号")
    wh.property("P2", member=2, share=0.5, cert="晋（2015）小店区不动产权第０００１２３４号")
    doc = wh.report()
    assert doc["assets"]["property_count"] == 1 and "dibao.homes" not in rules(doc)


def test_two_balances_of_one_account_on_one_date_count_the_smaller_and_hold_the_outcome(wh):
    """A probe's account had 16,000 and 9,000 on 2025-05-31 under two record_ids: the later
    record_id counted without a word, and the household passed."""
    wh.bank("B1", 40000, account="6222020012342222", product="活期存款", as_of="2025-05-31")
    wh.bank("B2", 9000, account="6222020012342222", product="活期存款", as_of="2025-05-31")
    wh.bank("B3", 500, account="6222020012342222", product="活期存款", as_of="2025-04-30")   # earlier: a snapshot
    wh.bank("B4", 700, account="6222020099990000", product="活期存款", as_of="2025-05-31")
    wh.bank("B5", 700, account="6222020099990000", product="活期存款", as_of="2025-05-31")   # the same again
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 9700.0
    listed = by_id(doc["assets"]["financial"])
    assert listed["B2"]["counted"] and listed["B2"]["same_day_balances"] == [
        {"record_id": "B2", "balance": 9000.0}, {"record_id": "B1", "balance": 40000.0}]
    finding = rules(doc)["bank.same_day_balances"]
    assert finding["severity"] == "warn" and doc["outcome"] == "review"     # 40,700 / 2 is over the limit
    assert "9,000.00元（记录B2）、40,000.00元（记录B1）" in finding["message"] and "尾号2222" in finding["message"]
    assert {e["record_id"] for e in finding["evidence"]} == {"B1", "B2"}
    assert "same_day_balances" not in listed[next(r for r in ("B4", "B5") if r in listed)]


def test_a_balance_re_exported_beside_a_different_one_is_one_balance_in_the_finding(wh):
    """A month-of-life probe: '3个不同余额：12,000.00元、20,000.00元、20,000.00元', the 20,000 a repeat."""
    wh.bank("B1", 12000, account="6222020012342222", product="活期存款", as_of="2025-05-31")
    wh.bank("B2", 20000, account="6222020012342222", product="活期存款", as_of="2025-05-31")
    wh.bank("B3", 20000, account="6222020012342222", product="活期存款", as_of="2025-05-31")
    message = rules(wh.report())["bank.same_day_balances"]["message"]
    assert "有2个不同余额：12,000.00元（记录B1）、20,000.00元（记录B2、B3）" in message, message


@pytest.mark.parametrize("program, larger, said", [
    ("dibao", 16000, "按较大余额计，家庭人均金融资产8,350.00元，仍不超过资产上限"),
    ("medical", 40000, "本救助项目不按收入标准和资产上限核定，仅供参考"),
    ("education", 600000, "本救助项目不按收入标准和资产上限核定，仅供参考"),
])
def test_two_balances_on_one_date_that_could_change_no_outcome_are_said_for_information(wh, program, larger, said):
    """A programmes probe: 医疗, 教育 and 临时 households, judged on no asset limit, waited for
    review on 400 beside 600,000; so did a 低保 household whose larger balance left it under."""
    wh.bank("B1", larger, account="6222020012342222", product="活期存款", as_of="2025-05-31")
    wh.bank("B2", 9000, account="6222020012342222", product="活期存款", as_of="2025-05-31")
    wh.bank("B4", 700, account="6222020099990000", product="活期存款", as_of="2025-05-31")
    doc = wh.report(program)
    finding = rules(doc)["bank.same_day_balances"]
    assert finding["severity"] == "info" and said in finding["message"] and "仅供参考" in finding["message"]
    assert doc["outcome"] == "pass" and doc["assets"]["financial_total"] == 9700.0


@pytest.mark.parametrize("account", ["6222020012340000", None], ids=["numbered", "unnumbered"])
def test_an_old_balance_over_the_limit_is_a_question_when_a_newer_one_under_it_waits_for_review(wh, account):
    """An outcome probe: statements of 2024-12 and 2025-03 over the limit (with the ID) counted
    while the latest, 3,000 without the ID, waited for review: the household failed, though
    confirming one link would make it pass."""
    wh.bank("B1", 78000, account=account, product="活期存款", as_of="2024-12-31")
    wh.bank("B2", 78000, account=account, product="活期存款", as_of="2025-03-31")
    wh.bank("B3", 3000, account=account, product="活期存款", as_of="2025-07-10", decision="review")
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 78000.0          # the figure: counted rows only
    finding = rules(doc)["dibao.financial_assets"]
    assert finding["severity"] == "warn" and doc["outcome"] == "review"
    assert "如确认，人均为1,500.00元" in finding["message"]


def test_an_old_balance_over_the_limit_fails_when_the_newer_one_waiting_is_over_it_too(wh):
    wh.bank("B1", 78000, account="6222020012340000", product="活期存款", as_of="2025-03-31")
    wh.bank("B2", 60000, account="6222020012340000", product="活期存款", as_of="2025-07-10", decision="review")
    doc = wh.report()
    assert rules(doc)["dibao.financial_assets"]["severity"] == "fail" and doc["outcome"] == "fail"


def test_an_accounts_newest_balance_waiting_for_review_leaves_its_latest_counted_one_standing(wh):
    """A grader's account whose newest row was a review link counted nothing at all."""
    wh.bank("B1", 5908.51, account="6222****0060", as_of="2025-08-09")
    wh.bank("B2", 24598.87, account="6222****0060", as_of="2025-10-13", decision="review")
    wh.bank("B3", 300.0, product="基金", as_of="2025-01-31")                     # no account number
    wh.bank("B4", 900.0, product="基金", as_of="2025-02-28", decision="review")
    doc = wh.report()
    assert doc["assets"]["financial_total"] == 6208.51
    listed = by_id(doc["assets"]["financial"])
    assert set(listed) == {"B1", "B2", "B3", "B4"}
    assert [listed[r]["counted"] for r in ("B1", "B2", "B3", "B4")] == [True, False, True, False]
    assert listed["B2"]["note"] == "匹配待复核，暂不计入"


# 4. vehicle status ---------------------------------------------------------------------------------

@pytest.mark.parametrize("status,held", [("正常", True), ("查封", True), ("被盗抢", False), ("注销", False),
                                         ("报废", False)])
def test_a_sealed_vehicle_still_belongs_to_its_owner(wh, status, held):
    wh.vehicle("V1", status=status)
    doc = wh.report()
    assert doc["assets"]["vehicles"][0]["held"] is held
    assert doc["assets"]["vehicle_count"] == int(held)
    assert ("dibao.vehicle" in rules(doc)) is held
    assert index_row(doc)["vehicles"] == int(held)


def test_the_declared_total_is_the_verified_members_and_a_member_without_consent_is_shown_apart(wh):
    wh.members[0]["declared_monthly_income"] = 0
    wh.members[1].update(declared_monthly_income=217, consent=False, consent_ref=None)
    income = wh.report()["income"]
    assert (income["declared_monthly_total"], income["declared_unverified"], income["difference"]) == (0.0, 217.0, 0.0)
    assert income["difference"] == round(income["monthly_total"] - income["declared_monthly_total"], 2)


def test_declarations_of_members_none_of_whom_was_verified_compare_nothing(wh):
    """A contract probe: the only declaring member had not consented, and the report said "declared 0,
    difference 0" beside income 0, as if verified and matching."""
    wh.members[0].update(declared_monthly_income=None, declared_financial_assets=None)
    wh.members[1].update(declared_monthly_income=300, declared_financial_assets=5000, consent=False, consent_ref=None)
    doc = wh.report()
    income, assets = doc["income"], doc["assets"]
    assert (income["declared_monthly_total"], income["declared_unverified"], income["difference"]) == (None, 300.0, None)
    assert (assets["declared_financial_total"], assets["declared_financial_unverified"]) == (None, 5000.0)
    assert not {"declared.income", "declared.financial_assets"} & set(rules(doc))


def _wage(member, year, month, amount=3000.0, source="tax", kind="tax_income", item="工资薪金"):
    return {"member_no": member, "source": source, "record_id": f"{source}-{member}-{year}{month:02d}-{kind}",
            "match_probability": 1.0, "decision": "auto", "kind": kind, "period": date(year, month, 1),
            "item": item, "amount": amount, "payer": "某公司", "insurance_type": "企业职工基本养老保险",
            "reason": None, "file": "f.csv", "row_number": 1}


def test_a_month_the_department_has_not_exported_yet_is_not_a_month_of_no_income():
    """On 10-01 the window ends with September, whose tax file comes on 10-06: counted as zero it
    took a twelfth off every wage each month, and a probe's household crossed the standard and
    back five times in five weeks; its September contribution base stood in for the wage."""
    members = [person(1, "户主")]
    hh = {**HH, "request_date": date(2026, 10, 1)}
    wages = [_wage(1, y, m) for y, m in [(2025, 9), (2025, 10), (2025, 11), (2025, 12)] + [(2026, k) for k in range(1, 9)]]
    base = [_wage(1, 2026, 9, 4000.0, "social_insurance", "contribution", "缴费基数（工资佐证）")]
    delivered = {"tax": "2026-08-31", "social_insurance": "2026-09-30"}
    doc = build_household(hh, members, [dict(r) for r in wages + base], [], [], [], [], POLICY, delivered,
                          "2026-10-01T02:00:00+08:00")
    assert doc["income"]["monthly_total"] == 3000.0
    assert doc["window"]["by_source"]["tax"] == {"start": "2025-09-01", "end": "2026-08-31"}
    (contribution,) = [r for r in doc["income"]["records"] if r["kind"] == "contribution"]
    assert not contribution["counted"] and contribution["note"] == "该月税务数据尚未送达，缴费基数暂不作为工资佐证"
    # once September is delivered, the window is the request's own again
    doc = build_household(hh, members, [dict(r) for r in wages + [_wage(1, 2026, 9)] + base], [], [], [], [],
                          POLICY, {"tax": "2026-09-30", "social_insurance": "2026-09-30"}, "2026-10-06T02:00:00+08:00")
    assert doc["income"]["monthly_total"] == round(3000.0 * 12 / 12, 2)
    assert doc["window"]["by_source"]["tax"] == {"start": "2025-10-01", "end": "2026-09-30"}


def test_a_review_question_that_could_fail_the_household_says_what_confirming_it_would_do(wh):
    """A caseworker probe: the only reason for 需复核 was 1条部门记录与成员的匹配不确定，待人工复核后计入 —
    a second home in the applicant's name; the page never said that confirming it fails 低保."""
    wh.property("P1", 1, cert="晋(2020)太原市不动产权第0000001号")
    wh.property("P2", 1, cert="晋(2021)太原市不动产权第0000777号", decision="review")
    wh.vehicle("V1", 2, decision="review")
    found = rules(doc := wh.report())["match.review"]
    assert found["severity"] == "warn" and doc["outcome"] == "review"
    assert "如全部确认：" in found["message"] and "家庭住宅2套，超过1套" in found["message"], found["message"]
    assert "名下有非豁免机动车（小型轿车 晋A12345）" in found["message"]


def test_a_questions_stakes_count_an_accounts_newer_statement_in_place_of_its_older_one(wh):
    """A linkage probe: one account's March statement (¥58,000, counted) and its November statement
    without an ID (¥60,000, asked about) read 如全部确认：人均金融资产至多118,000 — only the latest counts."""
    wh.bank("B1", 58000, account="6222****1234", product="活期存款", as_of="2026-03-31")
    wh.bank("B2", 60000, account="6222****1234", product="活期存款", as_of="2026-11-20", decision="review")
    found = rules(wh.report())["match.review"]
    assert "人均金融资产至多30,000.00" in found["message"], found["message"]


@pytest.mark.parametrize("source, record, born, ruled_out", [
    ("social_insurance", {"kind": "benefit", "insurance_type": "企业职工基本养老保险", "period": date(2026, 5, 1)},
     date(1990, 1, 1), True),                      # a pension at 36
    ("social_insurance", {"kind": "contribution", "insurance_type": "企业职工基本养老保险",
                          "period": date(2026, 5, 1)}, date(1990, 1, 1), False),   # contributions at 36 are work
    ("social_insurance", {"kind": "contribution", "insurance_type": "企业职工基本养老保险",
                          "period": date(2026, 5, 1)}, date(2019, 1, 2), True),    # ... and not a 7-year-old's
    ("social_insurance", {"kind": "contribution", "insurance_type": "城乡居民基本养老保险",
                          "period": date(2026, 5, 1)}, date(2009, 1, 2), False),   # paid for a 17-year-old, no work
    ("tax", {"item": "工资薪金", "period": date(2026, 5, 1)}, date(2014, 1, 1), True),
    ("tax", {"item": "工资薪金", "period": date(2026, 5, 1)}, date(2009, 1, 1), False),
    ("property", {"registration_date": date(2015, 1, 1)}, date(2017, 1, 1), True),
    ("vehicle", {}, date(2009, 1, 1), True), ("vehicle", {}, date(2008, 1, 1), False)])
def test_which_records_a_members_age_rules_out(source, record, born, ruled_out):
    from assessment.material import ruled_out_by_age
    assert ruled_out_by_age({"source": source}, born, REQUEST_DATE, record) is ruled_out
