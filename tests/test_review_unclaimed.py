"""A row nobody is linked to, asked about in a `match.unclaimed` finding, is a question on the review
sheet that a caseworker's answer settles — through real passes over files dropped as departments
and agencies send them."""

import csv
import json
from datetime import date

import pytest

from connectors.values.idnumber import check_char
from pipelines.passes import run_pass
from review_support import fill_sheet, read_sheet

AS_OF = date(2025, 7, 15)
MEMBER_ID = "14010519550312041" + check_char("14010519550312041")


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.DictWriter(f, list(rows[0]))
        out.writeheader()
        out.writerows(rows)


def _province(root):
    _write(root / "inbox" / "minzheng" / "req.csv", [{
        "申请编号": "R1", "救助类别": "最低生活保障", "家庭编号": "H1", "区县代码": "140105", "成员序号": 1,
        "姓名": "刘龙", "身份证号": MEMBER_ID, "与户主关系": "户主", "授权书编号": "SQ1", "劳动能力": "无"}])
    other = "14010619800101033" + check_char("14010619800101033")
    _write(root / "landing" / "tax" / "tax.csv", [{
        "记录编号": f"T{m}", "纳税人姓名": "赵东", "证件号码": other, "所属期": f"2025-{m:02d}", "所得项目": "工资薪金",
        "收入额": "5000.00", "扣缴义务人": "某公司"} for m in range(1, 7)])
    # the register left the owner's ID out: the car is 刘龙's only if the caseworker finds it so
    _write(root / "landing" / "vehicle" / "veh.csv", [{
        "记录编号": "V1", "机动车所有人": "刘龙", "身份证明号码": "", "号牌号码": "晋A12345", "车辆类型": "小型轿车",
        "初次登记日期": "2020-05-01", "购置价格": "120000", "机动车状态": "正常"}])


def _report(root):
    return json.loads((root / "outbox" / "minzheng" / "R1" / "H1.json").read_text(encoding="utf-8"))


def _answer_the_one_question(root, record_id: str, answer: str, note: str) -> dict:
    """Check that R1's review sheet asks about `record_id` alone, answer it, pass again: the new report."""
    sheet = root / "outbox" / "minzheng" / "R1" / "review.xlsx"
    cells = read_sheet(sheet)
    assert [r[cells[0].index("记录编号")] for r in cells[1:]] == [record_id]
    fill_sheet(sheet, root / "inbox" / "minzheng" / "answers.xlsx", {record_id: (answer, "张科员", note)})
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    return _report(root)


@pytest.mark.parametrize("answer, outcome, rule", [("确认", "fail", "dibao.vehicle"), ("否认", "pass", None)])
def test_a_car_nobody_is_linked_to_is_a_question_on_the_sheet_and_its_answer_settles_the_household(
        tmp_path, answer, outcome, rule):
    """Said only in a finding, the question had no answer the system could take: the household
    stayed `review` in every pass. On the sheet, 确认 counts the car and 否认 ends the question."""
    root = tmp_path / "root"
    _province(root)
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    assert doc["outcome"] == "review"
    assert [f["rule"] for f in doc["findings"] if f["severity"] == "warn"] == ["match.unclaimed"]
    # the report lists the question the sheet asks (a probe's said "无待复核匹配" beside it)
    assert [(m["record_id"], m["decision"]) for m in doc["members"][0]["matches"]] == [("V1", "review")]
    assert [(v["record_id"], v["counted"]) for v in doc["assets"]["vehicles"]] == [("V1", False)]
    assert 0 < doc["members"][0]["matches"][0]["match_probability"] <= 0.5
    doc = _answer_the_one_question(root, "V1", answer, "车管所核实")
    assert doc["outcome"] == outcome, doc["findings"]
    rules = {f["rule"] for f in doc["findings"]}
    assert "match.unclaimed" not in rules and (rule is None or rule in rules)

    run_pass(root, as_of=AS_OF, snapshot_mode="off")   # and it stays settled in a later pass
    assert _report(root)["outcome"] == outcome


def test_a_car_confirmed_in_one_household_is_no_longer_asked_of_a_namesakes_and_is_again_once_taken_back(tmp_path):
    """A probe: H18 kept asking about a car confirmed as H17's (another agency could only deny it),
    and when the confirmation was taken back the car was nobody's question."""
    root = tmp_path / "root"
    _province(root)
    second = "14010519600101002" + check_char("14010519600101002")
    _write(root / "inbox" / "shizheng" / "req.csv", [{
        "申请编号": "R2", "救助类别": "最低生活保障", "家庭编号": "H2", "区县代码": "140105", "成员序号": 1,
        "姓名": "刘龙", "身份证号": second, "与户主关系": "户主", "授权书编号": "SQ2", "劳动能力": "无"}])
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    h2 = root / "outbox" / "shizheng" / "R2" / "H2.json"
    assert json.loads(h2.read_text(encoding="utf-8"))["outcome"] == "review"
    sheet = tmp_path / "kept.xlsx"   # the caseworker keeps the sheet: the pass rewrites the outbox's
    sheet.write_bytes((root / "outbox" / "minzheng" / "R1" / "review.xlsx").read_bytes())

    fill_sheet(sheet, root / "inbox" / "minzheng" / "yes.xlsx", {"V1": ("确认", "张科员", "")})
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    assert _report(root)["outcome"] == "fail"
    doc = json.loads(h2.read_text(encoding="utf-8"))
    assert doc["outcome"] == "pass" and "match.unclaimed" not in {f["rule"] for f in doc["findings"]}
    open_sheet = root / "outbox" / "shizheng" / "review-open" / "review.xlsx"
    assert not open_sheet.exists() or len(read_sheet(open_sheet)) == 1

    fill_sheet(sheet, root / "inbox" / "minzheng" / "no.xlsx", {"V1": ("否认", "张科员", "看错了")})
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    assert _report(root)["outcome"] == "pass"
    assert json.loads(h2.read_text(encoding="utf-8"))["outcome"] == "review"
    cells = read_sheet(open_sheet)
    assert [r[cells[0].index("记录编号")] for r in cells[1:]] == ["V1"]


def test_a_record_re_sent_with_the_members_id_is_linked_afresh_for_an_answered_request(tmp_path):
    """A probe: the corrected car (same record_id, the applicant's own ID now written) lost its old
    link, but the answered request was never linked again: no link, no question, still `review`."""
    root = tmp_path / "root"
    _province(root)
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    assert _report(root)["outcome"] == "review"
    _write(root / "landing" / "vehicle" / "veh_fix.csv", [{
        "记录编号": "V1", "机动车所有人": "刘龙", "身份证明号码": MEMBER_ID, "号牌号码": "晋A12345", "车辆类型": "小型轿车",
        "初次登记日期": "2020-05-01", "购置价格": "120000", "机动车状态": "正常"}])
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    assert doc["outcome"] == "fail" and "dibao.vehicle" in {f["rule"] for f in doc["findings"]}
    assert [(m["record_id"], m["decision"]) for m in doc["members"][0]["matches"]] == [("V1", "auto")]


def test_a_question_is_withdrawn_when_a_later_row_with_an_id_places_the_car_with_its_owner(tmp_path):
    """A probe: an answered request kept asking about a car whose plate a later delivery placed, with
    an ID, with another 刘龙; confirming it then failed the household."""
    root = tmp_path / "root"
    _province(root)
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    assert _report(root)["outcome"] == "review"
    owner = "14010519500101001" + check_char("14010519500101001")
    _write(root / "landing" / "vehicle" / "veh_owner.csv", [{
        "记录编号": "V2", "机动车所有人": "刘龙", "身份证明号码": owner, "号牌号码": "晋A12345", "车辆类型": "小型轿车",
        "初次登记日期": "2020-05-01", "购置价格": "120000", "机动车状态": "正常"}])
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    assert doc["outcome"] == "pass", doc["findings"]
    assert not (root / "outbox" / "minzheng" / "R1" / "review.xlsx").exists()


def test_a_confirmation_stands_again_when_its_record_is_corrected_back_to_the_version_confirmed(tmp_path):
    """A probe: the car confirmed as 刘龙's was re-sent as another man's, then back without an ID;
    the confirmation counted as in force again, yet linked nothing and refused every other answer."""
    root = tmp_path / "root"
    _province(root)
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    fill_sheet(root / "outbox" / "minzheng" / "R1" / "review.xlsx", root / "inbox" / "minzheng" / "yes.xlsx",
               {"V1": ("确认", "张科员", "")})
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    assert _report(root)["outcome"] == "fail"
    row = {"记录编号": "V1", "机动车所有人": "刘龙", "身份证明号码": "", "号牌号码": "晋A12345", "车辆类型": "小型轿车",
           "初次登记日期": "2020-05-01", "购置价格": "120000", "机动车状态": "正常"}
    other = "14010519500101001" + check_char("14010519500101001")
    _write(root / "landing" / "vehicle" / "veh_2.csv", [{**row, "身份证明号码": other}])
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    assert _report(root)["outcome"] == "pass"
    _write(root / "landing" / "vehicle" / "veh_3.csv", [{**row, "购置价格": "120000.00"}])   # not the same bytes
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    assert doc["outcome"] == "fail", doc["findings"]
    assert [(m["record_id"], m["decision"]) for m in doc["members"][0]["matches"]] == [("V1", "confirmed")]


def test_an_answered_request_verified_again_in_a_later_pass_keeps_its_request_date_and_window(tmp_path):
    """An evaluator: a household with an open question was verified again when a nightly a month
    later loaded more rows of that source, and its report took the nightly's date, its income window
    moving a month; the request's other households kept the first date."""
    root = tmp_path / "root"
    _province(root)
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    first = _report(root)
    _write(root / "landing" / "vehicle" / "veh_later.csv", [{
        "记录编号": "V7", "机动车所有人": "王五", "身份证明号码": "", "号牌号码": "晋A77777", "车辆类型": "小型轿车",
        "初次登记日期": "2021-05-01", "购置价格": "90000", "机动车状态": "正常"}])
    later = date(2025, 8, 20)
    run_pass(root, as_of=later, include_rolls=False, snapshot_mode="off")
    again = _report(root)
    assert again["generated_at"] != first["generated_at"]          # verified again, not left alone
    assert again["request_date"] == first["request_date"] == AS_OF.isoformat()
    assert again["window"] == first["window"]


def test_a_household_the_agency_sends_again_later_is_verified_on_the_new_date(tmp_path):
    """An adversarial probe: a request re-sent weeks later under its request_id was judged on the
    first answer's date, window and standard."""
    root = tmp_path / "root"
    _province(root)
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    rows = list(csv.DictReader(open(root / "inbox" / "minzheng" / "req.csv", encoding="utf-8-sig")))
    _write(root / "inbox" / "minzheng" / "req_again.csv", [{**r, "申报月收入": "100"} for r in rows])
    later = date(2025, 8, 20)
    run_pass(root, as_of=later, include_rolls=False, snapshot_mode="off")
    assert _report(root)["request_date"] == later.isoformat()


def _one_month_unplaced(root):
    """陈军: wages of 400 with his ID at his hospital every month of 2025 to June but March, when the row
    reads 程军 without an ID; his pension base of 9,000 every month."""
    chen = "14010519800101031"
    chen += check_char(chen)
    _write(root / "inbox" / "minzheng" / "req.csv", [{
        "申请编号": "R1", "救助类别": "最低生活保障", "家庭编号": "H1", "区县代码": "140105", "成员序号": 1,
        "姓名": "陈军", "身份证号": chen, "与户主关系": "户主", "授权书编号": "SQ1", "劳动能力": "有"}])
    _write(root / "landing" / "tax" / "tax.csv", [{
        "记录编号": f"W{m}", "纳税人姓名": "陈军" if m != 3 else "程军", "证件号码": chen if m != 3 else "",
        "所属期": f"2025-{m:02d}", "所得项目": "工资薪金", "收入额": "400.00", "扣缴义务人": "太原市第九人民医院"}
        for m in range(1, 7)])
    _write(root / "landing" / "social_insurance" / "si.csv", [{
        "记录编号": f"S{m}", "姓名": "陈军", "身份证号": chen, "险种": "企业职工基本养老保险", "记录类型": "缴费",
        "所属期": f"2025-{m:02d}", "参保单位": "太原市第九人民医院", "缴费基数": "9000", "金额": "720"}
        for m in range(1, 7)])


@pytest.mark.parametrize("answer, outcome", [("确认", "pass"), ("否认", "fail")])
def test_a_wage_one_character_off_the_members_name_that_decides_the_outcome_is_a_question_on_the_sheet(
        tmp_path, answer, outcome):
    """A probe of the rule: `income.wage_unsure` asked the caseworker whether 程军's March wage was
    陈军's, and the sheet had no row to say so: the household stayed `review` pass after pass.
    确认 counts the wage (the base no longer stands in); 否认 leaves March on its base."""
    root = tmp_path / "root"
    _one_month_unplaced(root)
    run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    doc = _report(root)
    assert doc["outcome"] == "review"
    assert [f["rule"] for f in doc["findings"] if f["severity"] == "warn"] == ["income.wage_unsure"]
    doc = _answer_the_one_question(root, "W3", answer, "医院核实")
    assert doc["outcome"] == outcome, doc["findings"]
    assert "income.wage_unsure" not in {f["rule"] for f in doc["findings"]}
