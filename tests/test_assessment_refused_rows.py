"""A department row refused at load for one bad cell still belongs to someone: when it carries a
member's ID, the household's report says so and does not pass on what is left.

Found by an ingestion probe: a vehicle row whose optional purchase price read 约8万 was
quarantined (the sender got a row error), the car vanished from the household's assets, and the
household passed 低保 while its neighbour with the same car, price left empty, failed.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from pipelines.passes import run_pass

AS_OF = date(2026, 11, 28)
AGENCY = "xiaodian"
REQUEST_CSV = (
    "request_id,agency,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
    "REQ-R-1,,dibao,HH-CAR-REFUSED,140105,1,王建国,140105198501011117,户主,SQ-1\n"
    "REQ-R-1,,dibao,HH-CAR-LOADED,140105,1,李秀英,140105199003071045,户主,SQ-2\n"
    "REQ-R-1,,dibao,HH-NO-CONSENT,140105,1,赵敏,140105197705050521,户主,\n"
    "REQ-R-1,,dibao,HH-ID-AS-NAME,140105,1,孙立新,140105197203041233,户主,SQ-4\n")
VEHICLE_CSV = (
    "record_id,name,id_number,plate_number,vehicle_type,registration_date,purchase_price,status\n"
    "V-1,王建国,140105198501011117,晋A10001,小型轿车,2024/7/1,约8万,正常\n"
    "V-2,李秀英,140105199003071045,晋A10002,小型轿车,2024/7/1,,正常\n"
    "V-3,赵敏,140105197705050521,晋A10003,小型轿车,2024/7/1,约8万,正常\n"
    "V-4,140105197203041233,,晋A10004,小型轿车,2024/7/1,,正常\n")   # the ID typed into the name column
CORRECTED_CSV = (
    "record_id,name,id_number,plate_number,vehicle_type,registration_date,purchase_price,status\n"
    "V-1,王建国,140105198501011117,晋A10001,小型轿车,2024/7/1,80000,正常\n")


def _first_member_root(tmp_path, source: str):
    """A data root whose inbox asks about the request's first member alone, with `landing/<source>/`."""
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    (root / "landing" / source).mkdir(parents=True)
    (root / "inbox" / AGENCY / "req.csv").write_text("\n".join(REQUEST_CSV.split("\n")[:2]) + "\n", encoding="utf-8")
    return root


def _report(root, household: str) -> dict:
    (path,) = (root / "outbox" / AGENCY / "REQ-R-1").glob(f"{household}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _rules(doc: dict) -> dict:
    return {f["rule"]: f for f in doc["findings"]}


@pytest.fixture(scope="module")
def passed(tmp_path_factory):
    root = tmp_path_factory.mktemp("refused") / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    (root / "landing" / "vehicle").mkdir(parents=True)
    (root / "inbox" / AGENCY / "req.csv").write_text(REQUEST_CSV, encoding="utf-8")
    (root / "landing" / "vehicle" / "jdc.csv").write_text(VEHICLE_CSV, encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    return root


def test_a_refused_row_carrying_a_members_id_is_named_in_the_report_and_holds_the_outcome(passed):
    doc = _report(passed, "HH-CAR-REFUSED")
    found = _rules(doc)["data.refused"]
    assert found["severity"] == "warn" and doc["outcome"] == "review"
    assert "V-1" in found["message"] and "jdc.csv" in found["message"] and "第1行" in found["message"]
    # in the caseworker's words: the column as the department heads it, not the data clerk's English
    assert "购置价格填写为“约8万”，无法识别" in found["message"], found["message"]
    assert "purchase_price" not in found["message"] and "is not" not in found["message"]
    assert found["evidence"] == [{"source": "vehicle", "record_id": "V-1"}]
    assert "140105198501011117" not in json.dumps(doc, ensure_ascii=False)


def test_a_refused_row_with_the_members_id_in_its_name_column_is_named_in_the_report(passed):
    """An application probe: wage rows whose name column held the member's ID, the ID column empty,
    were refused (the sender was asked whether the ID was in the name column) and her report passed
    on the income left, saying nothing of them."""
    doc = _report(passed, "HH-ID-AS-NAME")
    found = _rules(doc)["data.refused"]
    assert found["severity"] == "warn" and doc["outcome"] == "review"
    assert found["evidence"] == [{"source": "vehicle", "record_id": "V-4"}]
    assert "140105197203041233" not in json.dumps(doc, ensure_ascii=False)


def test_the_same_car_loaded_fails_the_vehicle_rule_and_names_no_refused_row(passed):
    doc = _report(passed, "HH-CAR-LOADED")
    assert "data.refused" not in _rules(doc) and doc["outcome"] == "fail"


def test_a_refused_row_of_a_member_without_consent_is_not_looked_at(passed):
    assert "data.refused" not in _rules(_report(passed, "HH-NO-CONSENT"))


def test_once_the_department_resends_the_row_corrected_it_counts_and_is_no_longer_named(tmp_path):
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    (root / "landing" / "vehicle").mkdir(parents=True)
    (root / "inbox" / AGENCY / "req.csv").write_text(REQUEST_CSV.split("\n", 1)[0] + "\n"
                                                     + REQUEST_CSV.split("\n")[1] + "\n", encoding="utf-8")
    (root / "landing" / "vehicle" / "jdc.csv").write_text(VEHICLE_CSV, encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert "data.refused" in _rules(_report(root, "HH-CAR-REFUSED"))
    assert "V-1" in _open_quarantine(root)
    (root / "landing" / "vehicle" / "jdc-2.csv").write_text(CORRECTED_CSV, encoding="utf-8")
    (root / "inbox" / AGENCY / "req-2.csv").write_text(
        REQUEST_CSV.split("\n", 1)[0] + "\n" + REQUEST_CSV.split("\n")[1].replace("REQ-R-1", "REQ-R-2") + "\n",
        encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    (path,) = (root / "outbox" / AGENCY / "REQ-R-2").glob("HH-CAR-REFUSED.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "data.refused" not in _rules(doc) and doc["outcome"] == "fail"
    # the request answered before is answered again: its report had named the row as refused (a
    # traceability probe's request kept saying so after the correction had loaded)
    doc = _report(root, "HH-CAR-REFUSED")
    assert "data.refused" not in _rules(doc) and doc["outcome"] == "fail"
    assert "V-1" not in _open_quarantine(root) and {"V-3", "V-4"} <= _open_quarantine(root)


def _open_quarantine(root) -> set:
    """record_ids of `quarantine_open` (the analysts' view of refusals not yet corrected)."""
    import duckdb

    con = duckdb.connect(str(root / "analyst.duckdb"), read_only=True)
    try:
        return {r for (r,) in con.execute("SELECT record_id FROM quarantine_open").fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("status, price, question", [("被调出本辖区", "80000", True), ("正常", "约8万", False)])
def test_a_refused_newer_version_of_a_held_car_makes_its_fail_a_question(tmp_path, status, price, question):
    """A register probe: a car loaded as 正常 was re-sent as 转出 (a status not read) and refused;
    the household failed on the old row, and the newer one was said nowhere. A re-sent row whose
    own status says the car is held (its price refused) leaves the fail standing."""
    root = tmp_path / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    (root / "landing" / "vehicle").mkdir(parents=True)
    head, car = VEHICLE_CSV.split("\n")[0], "V-9,王建国,140105198501011117,晋A10009,小型轿车,2024/7/1,{},{}"
    (root / "landing" / "vehicle" / "jdc.csv").write_text(f"{head}\n{car.format('80000', '正常')}\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    (root / "landing" / "vehicle" / "jdc-2.csv").write_text(f"{head}\n{car.format(price, status)}\n", encoding="utf-8")
    (root / "inbox" / AGENCY / "req.csv").write_text("\n".join(REQUEST_CSV.split("\n")[:2]) + "\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    doc = _report_of(root, "REQ-R-1", "HH-CAR-REFUSED")
    found = _rules(doc)
    assert found["data.refused"]["severity"] == "warn"
    assert found["dibao.vehicle"]["severity"] == ("warn" if question else "fail")
    assert ("更新的登记因数据错误未能入库" in found["dibao.vehicle"]["message"]) == question
    assert doc["outcome"] == ("review" if question else "fail")


def _report_of(root, request: str, household: str) -> dict:
    (path,) = (root / "outbox" / AGENCY / request).glob(f"{household}.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("raw, reason, words", [
    ("1234.567", "'1234.567' has more than 2 decimals: an amount in yuan goes to the fen (0.01), e.g. 1234.56",
     "余额填写为“1234.567”，小数超过两位（金额应精确到分）"),
    ("-5000", "'-5000' is negative; this amount must be 0 or more", "余额填写为“-5000”，为负数"),
    ("约5000", "'约5000' is not an amount of money; accepted: …", "余额填写为“约5000”，无法识别"),
    ("0", "floor_area must be a positive area in m² below 100,000", "建筑面积填写为“0”，面积应大于0且小于10万平方米"),
])
def test_a_refused_cell_says_why_in_the_caseworkers_words(raw, reason, words):
    """A bank probe: a balance of 1234.567 was said to be unreadable, while the data clerk's error
    list said it had a third decimal (a degenerate-data probe: a floor area of 0, too)."""
    from assessment.application import _cell_words
    source, field = ("property", "floor_area") if words.startswith("建筑面积") else ("bank", "balance")
    assert _cell_words(source, {"field": field, "raw": raw, "reason": reason}) == words


def test_a_record_id_sent_twice_with_different_values_says_so_not_unreadable():
    """A re-delivery probe: T05-Z sent as 800 and as 900 in one file read "记录编号填写为“T05-Z”，无法识别"."""
    from assessment.application import _cell_words
    reason = ("record_id 'T05-Z' appears more than once in this file, on data rows 3, 4, with different values: "
              "none was loaded, as which is right is for the sender to say; send the right one again")
    assert _cell_words("tax", {"field": "record_id", "raw": "T05-Z", "reason": reason}) == (
        "记录编号填写为“T05-Z”，该记录编号在文件中出现多次且内容不同，无法判断以哪个为准")


def test_a_balance_in_another_currency_is_a_refused_row_that_says_so(tmp_path):
    """An assets probe: a bank export's 币种 column said 美元 and its 5,000 was counted as ¥5,000
    (kept as an extra column, silently). A statement in another currency is refused; the member's
    report names it, and the household waits for review instead of passing on a third of its
    assets."""
    root = _first_member_root(tmp_path, "bank")
    (root / "landing" / "bank" / "b.csv").write_bytes(
        "记录编号,户名,证件号码,金融机构,账号,产品类型,余额,余额日期,币种\n"
        "B1,王建国,140105198501011117,工商银行,6222000011112222,活期存款,5000,2026-10-31,美元\n"
        "B2,王建国,140105198501011117,工商银行,6222000011113333,活期存款,300,2026-10-31,人民币\n"
        "B3,王建国,140105198501011117,工商银行,6222000011114444,活期存款,200,2026-10-31,\n".encode("gbk"))
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    (doc,) = [json.loads(p.read_text(encoding="utf-8")) for p in (root / "outbox" / AGENCY).glob("*/*.json")]
    assert "币种填写为“美元”，不是人民币，余额须按人民币报送" in _rules(doc)["data.refused"]["message"]
    assert doc["assets"]["financial_total"] == 500.0 and doc["outcome"] == "review"


def test_a_pension_row_cut_off_at_the_end_of_its_file_is_named_in_the_members_report(tmp_path):
    """A files probe: the last row of a pension export, cut in transfer inside its amount (…,6 for
    640.00), loaded as 6 yuan and the household passed; refused now, it is whose row it was."""
    root = _first_member_root(tmp_path, "social_insurance")
    head = "记录编号,姓名,公民身份号码,险种,记录类型,所属期,金额"
    rows = [f"S{m},王建国,140105198501011117,企业职工基本养老保险,待遇,2026-{m:02d},640.00" for m in range(1, 10)]
    (root / "landing" / "social_insurance" / "si.csv").write_bytes(
        "\n".join([head] + rows + ["S10,王建国,140105198501011117,企业职工基本养老保险,待遇,2026-10,6"]).encode("gbk"))
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    doc = _report(root, "HH-CAR-REFUSED")
    found = _rules(doc)["data.refused"]
    assert found["evidence"] == [{"source": "social_insurance", "record_id": "S10"}]
    assert "传输中被截断" in found["message"] and "140105198501011117" not in found["message"]
    assert [r["record_id"] for r in doc["income"]["records"] if r["record_id"] == "S10"] == []


def test_one_record_refused_in_two_deliveries_is_named_once(tmp_path):
    """A determinism probe: a full re-export carrying the same bad row made the report say 有2条部门记录,
    naming one record_id twice."""
    root = _first_member_root(tmp_path, "vehicle")
    (root / "landing" / "vehicle" / "jdc.csv").write_text(VEHICLE_CSV, encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    (root / "landing" / "vehicle" / "jdc-full.csv").write_text(
        VEHICLE_CSV + "V-5,孙立新,140105197203041233,晋A10005,小型轿车,2024/7/1,,正常\n", encoding="utf-8")
    (root / "inbox" / AGENCY / "req-2.csv").write_text(
        "\n".join(REQUEST_CSV.split("\n")[:2]).replace("REQ-R-1", "REQ-R-2") + "\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    found = _rules(_report_of(root, "REQ-R-2", "HH-CAR-REFUSED"))["data.refused"]
    assert "有1条部门记录" in found["message"] and found["message"].count("V-1") == 1, found["message"]
    assert "jdc-full.csv" in found["message"]          # the latest refusal


def test_a_refused_date_says_it_is_out_of_range_not_unreadable():
    """A dates probe: a readable balance date refused as too far after the request read 无法识别."""
    from assessment.application import _cell_words
    words = _cell_words("bank", {"field": "as_of_date", "raw": "2024-05-01",
                                 "reason": "not a plausible balance date: accepted 1990-01-01 to 2024-04-15"})
    assert words.startswith("余额日期填写为“2024-05-01”，日期不在可接受的范围内")


def test_a_balance_refused_for_a_date_long_after_the_request_holds_nothing(tmp_path):
    """A dates probe: a statement dated seven weeks after the request, refused at load, held an
    eligible household for review; dated after the request, it is no balance the figures read."""
    root = _first_member_root(tmp_path, "bank")
    (root / "landing" / "bank" / "bank.csv").write_text(
        "记录编号,户名,证件号码,金融机构,账号,产品类型,余额,余额日期\n"
        "B-1,王建国,140105198501011117,工商银行,6222020012345678,活期存款,10000,2026-11-01\n"
        "B-2,王建国,140105198501011117,工商银行,6222020012345678,活期存款,20000,2027-01-20\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    doc = _report(root, "HH-CAR-REFUSED")
    assert _rules(doc)["data.refused"]["severity"] == "info" and doc["outcome"] == "pass", doc["findings"]


def test_a_json_line_giving_a_field_twice_is_named_in_its_members_report(tmp_path):
    """A contract probe: a wage line giving the name under 'name' and '姓名' with different values was
    refused before its columns were mapped, kept no record_id and no ID, and the member's household
    passed on figures without it."""
    root = _first_member_root(tmp_path, "tax")
    lines = [{"record_id": "J_BAD", "name": "王建国", "姓名": "王建図", "id_number": "140105198501011117",
              "period": "2026-03", "income_item": "工资薪金", "income_amount": "30000"},
             {"record_id": "J_OK", "纳税人姓名": "李四", "period": "2026-03", "income_item": "工资薪金", "income_amount": "100"}]
    (root / "landing" / "tax" / "t.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                                                       encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    (doc,) = [json.loads(p.read_text(encoding="utf-8")) for p in (root / "outbox" / AGENCY).glob("*/*.json")]
    said = _rules(doc)["data.refused"]["message"]
    assert "记录J_BAD" in said and "该行以两个列名给出同一字段的不同值" in said
    assert doc["outcome"] == "review"


def test_a_register_whose_only_export_was_rejected_whole_is_said_unreadable_and_holds_the_outcome(tmp_path):
    """An export probe: a vehicle export rejected whole (two status columns) left a household with a
    car passing on a note that the register had "never been delivered"."""
    root = _first_member_root(tmp_path, "vehicle")
    (root / "landing" / "vehicle" / "jdc.csv").write_text(
        "record_id,name,id_number,plate_number,vehicle_type,registration_date,机动车状态,状态\n"
        "V-1,王建国,140105198501011117,晋A10001,小型轿车,2024/7/1,正常,正常\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    doc = _report(root, "HH-CAR-REFUSED")
    rules = _rules(doc)
    assert rules["data.source_unreadable"]["severity"] == "warn" and doc["outcome"] == "review"
    assert rules["data.source_unreadable"]["message"].startswith(
        "机动车登记数据已报送，但最近一次报送的文件jdc.csv无法读取（原因见 rejected/vehicle/ 中的错误说明），此前也无")
    assert "机动车登记" not in rules.get("data.source_missing", {}).get("message", "")
    (root / "landing" / "vehicle" / "jdc2.csv").write_text(VEHICLE_CSV.replace("约8万", ""), encoding="utf-8")
    (root / "inbox" / AGENCY / "req2.csv").write_text(
        "\n".join(REQUEST_CSV.split("\n")[:2]).replace("REQ-R-1", "REQ-R-2") + "\n", encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    (path,) = (root / "outbox" / AGENCY / "REQ-R-2").glob("HH-CAR-REFUSED.json")
    again = json.loads(path.read_text(encoding="utf-8"))
    assert "data.source_unreadable" not in _rules(again) and _rules(again)["dibao.vehicle"]["severity"] == "fail"
    # the first request's answer, which said the register could not be read, is given again too (a
    # month-of-life probe's kept that finding for good)
    first = _report(root, "HH-CAR-REFUSED")
    assert "data.source_unreadable" not in _rules(first) and _rules(first)["dibao.vehicle"]["severity"] == "fail"


def test_an_answered_request_is_verified_again_when_a_linked_record_is_corrected_under_its_record_id(tmp_path):
    """An income probe: the tax bureau re-sent one month's wage with a corrected amount (same record_id);
    the answered request's report kept the old amount and its fail."""
    root = _first_member_root(tmp_path, "tax")
    header = "record_id,name,id_number,period,income_item,income_amount,withholding_agent\n"
    months = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]   # the window
    (root / "landing" / "tax" / "iit.csv").write_text(header + "".join(
        f"T-{i},王建国,140105198501011117,{month},工资薪金,9000,太原某厂\n" for i, month in enumerate(months)),
        encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    assert _report(root, "HH-CAR-REFUSED")["income"]["monthly_total"] == 9000.0
    (root / "landing" / "tax" / "iit_fix.csv").write_text(
        header + "T-5,王建国,140105198501011117,2026-04,工资薪金,300,太原某厂\n", encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 29), snapshot_mode="wait")
    doc = _report(root, "HH-CAR-REFUSED")
    assert doc["income"]["monthly_total"] == round((11 * 9000 + 300) / 12, 2)
    assert doc["request_date"] == AS_OF.isoformat()      # answered again as of its first date
    # it says it replaces the first edition, and what moved (a traceability probe's caseworker, holding
    # the first printout, found another figure in its place with nothing said)
    reissue = doc["reissue"]
    moved = {c["figure"]: (c["before"], c["after"]) for c in reissue["changes"]}
    assert moved["monthly_income_total"] == (9000.0, round((11 * 9000 + 300) / 12, 2))
    assert "financial_total" not in moved and reissue["previous_run_id"] != doc["run_id"]
    (page,) = (root / "outbox").rglob("HH-CAR-REFUSED.html")
    html = page.read_text(encoding="utf-8")
    assert "修订版：本报告为重新核对后出具" in html and "家庭月收入（元）：9,000.00 → 8,275.00" in html


def test_a_refused_home_row_that_could_not_turn_the_outcome_says_so_not_that_the_programme_ignores_homes(tmp_path):
    """An assets probe: a 低保 household's one refused home row (a share of 1.5), within max_homes, read
    本救助项目不据此核定 (this programme does not judge on it); 低保 judges homes."""
    root = _first_member_root(tmp_path, "property")
    (root / "landing" / "property" / "bdc.csv").write_text(
        "记录编号,权利人,证件号码,不动产权证号,坐落,用途,建筑面积,共有份额,登记日期,权属状态\n"
        "P-1,王建国,140105198501011117,晋(2020)太原市不动产权第0000001号,小店区某路1号,住宅,90,1.5,2020-05-01,现势\n",
        encoding="utf-8")
    run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    found = _rules(_report(root, "HH-CAR-REFUSED"))["data.refused"]
    assert found["severity"] == "info" and found["message"].endswith("；即使计入也不改变核对结果，仅供参考")
