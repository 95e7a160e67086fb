"""Row-level outcomes: good rows load beside bad ones, and each bad field is reported once."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from connectors import ERRORS_SCHEMA, canonical_schema, read_source
from connectors.schema import TABLES

FIXTURES = Path(__file__).parent / "fixtures" / "connectors"


def test_good_rows_load_beside_a_bad_date_and_a_negative_amount():
    result = read_source("tax", FIXTURES / "tax_mixed.csv")
    assert result.rows.column("record_id").to_pylist() == ["M1", "M4"]
    assert result.rows.column("income_amount").to_pylist() == [Decimal("5000.00"), Decimal("1000.50")]
    errors = result.errors.select(["row_number", "field", "reason", "raw_value"]).to_pylist()
    assert errors == [
        {"row_number": 2, "field": "period", "raw_value": "2024-13",
         "reason": "'2024-13' is not a real month; accepted: 2024-03, 202403, 2024年3月, 2024/3, a full date, "
                   "or a range within one month (2024-03-01至2024-03-31)"},
        {"row_number": 3, "field": "income_amount", "raw_value": "-300",
         "reason": "'-300' is negative; this amount must be 0 or more"},
    ]


def test_error_lines_carry_the_whole_raw_row_as_json():
    result = read_source("tax", FIXTURES / "tax_mixed.csv")
    raw_row = json.loads(result.errors.column("raw_row")[1].as_py())
    assert raw_row["记录编号"] == "M3" and raw_row["收入额"] == "-300" and raw_row["证件号码"] is None


def test_a_row_with_two_bad_fields_gets_two_error_lines_and_stays_out_of_rows(tmp_path):
    path = tmp_path / "two_bad.csv"
    path.write_text("记录编号,纳税人姓名,所属期,所得项目,收入额\nT1,张三,2024-99,彩票,1\nT2,李四,2024-03,工资薪金,2\n",
                    encoding="utf-8")
    result = read_source("tax", path)
    assert result.rows.column("record_id").to_pylist() == ["T2"]
    assert result.errors.select(["row_number", "field"]).to_pylist() == [
        {"row_number": 1, "field": "period"}, {"row_number": 1, "field": "income_item"}]
    assert "accepted: 工资薪金, 劳务报酬" in result.errors.column("reason")[1].as_py()


@pytest.mark.parametrize("mark", ["NaN", "N/A", "-", ""])
def test_a_required_amount_written_as_a_no_value_mark_is_said_to_be_empty_or_such_a_mark(tmp_path, mark):
    """An ingestion probe's clerk, told an amount written NaN was empty, could not find the empty cell."""
    path = tmp_path / "nan.csv"
    path.write_text(f"记录编号,纳税人姓名,所属期,所得项目,收入额\nT1,张三,2024-03,工资薪金,{mark}\n", encoding="utf-8")
    (error,) = read_source("tax", path).errors.to_pylist()
    assert error["reason"] == ("'收入额' is empty (blank, or a no-value mark such as -, N/A, NULL or NaN); "
                               "income_amount is required")


def test_one_account_written_with_spaces_hyphens_or_full_width_digits_is_one_account_number(tmp_path):
    """A probe: 6222 0200 1234 5678 (April) and 6222020012345678 (May) were two accounts, both
    balances counted (18,500 instead of the latest 9,500) and the household failed."""
    path = tmp_path / "bank.csv"
    path.write_bytes("记录编号,户名,金融机构,账号,产品类型,余额,余额日期\n"
                     "B1,张三,工商银行,6222 0200 1234 5678,活期存款,9000,2025-04-30\n"
                     "B2,张三,工商银行,6222020012345678,活期存款,9500,2025-05-31\n"
                     "B3,张三,工商银行,6222-0200-1234-5678,活期存款,9600,2025-06-30\n"
                     "B4,张三,工商银行,６２２２０２００１２３４５６７８,活期存款,9700,2025-07-31\n"
                     "B5,张三,工商银行,6222****5678,活期存款,9800,2025-08-31\n"
                     "B6,张三,工商银行, - ,活期存款,9900,2025-09-30\n".encode("gbk"))
    rows = read_source("bank", path).rows
    assert rows.column("account_number").to_pylist() == ["6222020012345678"] * 4 + ["6222****5678", None]


def test_digits_a_spreadsheet_was_told_to_keep_as_text_are_the_digits(tmp_path):
    """A bank probe: '6222021111222233334 and ="6222021111222233334" (Excel's marks that keep digits
    text) were two accounts beside the plain number, the old balance added (a wrong fail), and an
    ID in ="…" was invalid."""
    path = tmp_path / "bank.csv"
    path.write_bytes("记录编号,户名,证件号码,金融机构,账号,产品类型,余额,余额日期\n"
                     "B1,张三,'140105198501011117,工商银行,'6222021111222233334,活期存款,9000,2025-04-30\n"
                     'B2,张三,="140105198501011117",工商银行,="6222021111222233334",活期存款,9500,2025-05-31\n'
                     "B3,张三,140105198501011117,工商银行,6222021111222233334,活期存款,9600,2025-06-30\n"
                     "'B4,张三,,工商银行,',活期存款,9700,2025-07-31\n".encode("gbk"))
    rows = read_source("bank", path).rows
    assert rows.column("record_id").to_pylist() == ["B1", "B2", "B3", "B4"]
    assert rows.column("account_number").to_pylist() == ["6222021111222233334"] * 3 + [None]
    assert rows.column("id_status").to_pylist() == ["valid"] * 3 + ["missing"]


def test_an_id_failing_its_check_is_kept_and_flagged_not_an_error():
    result = read_source("tax", FIXTURES / "tax_same_rows_gbk.csv")
    row = [r for r in result.rows.to_pylist() if r["record_id"] == "T004"][0]
    assert (row["id_status"], row["id_reason"]) == ("invalid", "check character mismatch: expected X got 5")
    assert result.errors.num_rows == 0


def test_ragged_csv_lines_are_row_errors_with_their_line_and_the_rest_loads():
    result = read_source("tax", FIXTURES / "tax_ragged.csv")
    assert result.rows.column("record_id").to_pylist() == ["R1", "R3", "R5"]
    assert result.rows.column("row_number").to_pylist() == [1, 3, 5]
    errors = result.errors.to_pylist()
    assert [(e["row_number"], e["field"], e["raw_value"]) for e in errors] == [
        (2, None, "R2,李四,2024-03,工资薪金"), (4, None, "R4,赵,六,2024-03,工资薪金,4")]
    assert "the row has 6 fields but the header has 5" in errors[1]["reason"]


def test_a_jsonl_line_that_is_not_json_is_that_rows_error():
    result = read_source("social_insurance", FIXTURES / "social_insurance.jsonl")
    assert result.rows.column("record_id").to_pylist() == ["S1", "S2"]
    assert result.errors.select(["row_number", "field", "raw_value"]).to_pylist() == [
        {"row_number": 3, "field": None, "raw_value": "not json"}]


def test_unknown_columns_are_kept_as_extra_json():
    result = read_source("social_insurance", FIXTURES / "social_insurance.jsonl")
    assert result.extras == ["社保卡号"]
    assert result.rows.column("extra").to_pylist() == [None, '{"社保卡号": "A001"}']


def test_applicants_take_the_inbox_folder_as_agency_when_the_cell_is_empty():
    result = read_source("applicants", FIXTURES / "applicants.csv", agency_default="xiaodian")
    assert result.rows.column("agency").to_pylist() == ["xiaodian", "xiaodian"]
    assert result.rows.column("member_no").type == pa.int64()
    assert result.rows.column("program").to_pylist() == ["dibao", "dibao"]
    assert result.rows.column("relation").to_pylist() == ["户主", "配偶"]


def test_an_applicant_without_consent_reference_is_kept_for_the_report():
    result = read_source("applicants", FIXTURES / "applicants.csv", agency_default="xiaodian")
    member = result.rows.to_pylist()[1]
    assert (member["name"], member["consent_ref"], member["id_status"]) == ("王𠮷", None, "invalid")


def test_an_empty_required_id_on_an_application_is_an_error_naming_the_header_and_what_a_newborn_takes():
    """An inbox probe: a newborn's row without an ID held the household back, and the note did not
    say that 未落户 would have been taken."""
    result = read_source("applicants", FIXTURES / "applicants.csv", agency_default="xiaodian")
    (error,) = result.errors.select(["row_number", "field", "reason"]).to_pylist()
    assert (error["row_number"], error["field"]) == (3, "id_number")
    assert error["reason"].startswith("'身份证号' is empty (blank, or a no-value mark such as -, N/A, NULL or NaN); "
                                      "id_number is required; a member who has no ID number yet")
    assert "未落户" in error["reason"]


def test_rolls_require_the_agency_in_every_row():
    result = read_source("rolls", FIXTURES / "rolls.csv")
    assert result.rows.column("agency").to_pylist() == ["yingze"]
    assert result.errors.select(["row_number", "field"]).to_pylist() == [{"row_number": 2, "field": "agency"}]


def test_property_shares_and_areas_with_units_parse():
    rows = read_source("property", FIXTURES / "property.csv").rows
    assert rows.column("floor_area").to_pylist() == [89.5, 120.0, 12.5]
    assert rows.column("share").to_pylist() == [1.0, 0.5, 1.0]
    assert rows.column("registration_date").to_pylist() == [date(2020, 6, 1), date(2018, 3, 1), date(2018, 3, 1)]


def test_parquet_typed_columns_parse_like_text():
    rows = read_source("bank", FIXTURES / "bank.parquet").rows
    assert rows.column("balance").to_pylist() == [Decimal("12000.50"), Decimal("50000.00")]
    assert rows.column("as_of_date").to_pylist() == [date(2024, 3, 31)] * 2


@pytest.mark.parametrize("table", sorted(TABLES))
def test_canonical_rows_have_the_same_columns_and_types_for_every_file(table, tmp_path):
    path = tmp_path / "minimal.csv"
    path.write_text(",".join(f.name for f in TABLES[table].required) + "\n", encoding="utf-8")
    result = read_source(table, path, **({"agency_default": "a"} if table == "applicants" else {}))
    assert result.rows.schema == canonical_schema(TABLES[table])
    assert result.errors.schema == ERRORS_SCHEMA


def test_optional_columns_absent_from_the_file_are_typed_nulls():
    rows = read_source("tax", FIXTURES / "tax_ragged.csv").rows  # has no 已缴税额 column
    assert rows.schema.field("tax_paid").type == pa.decimal128(18, 2)
    assert rows.column("tax_paid").null_count == rows.num_rows


def test_canonical_id_columns():
    assert [n for n in canonical_schema(TABLES["vehicle"]).names if n.startswith("id_")] == [
        "id_number", "id_raw", "id_status", "id_birth_date", "id_gender", "id_birthplace", "id_reason"]


def test_read_source_accepts_an_agency_for_any_table_and_reports_format_and_encoding():
    # the ingest stage passes the inbox folder for every delivery; only applicants use it
    result = read_source("tax", FIXTURES / "tax_same_rows_gbk.csv", agency_default=None)
    assert (result.format, result.encoding, result.source) == ("csv", "gb18030", "tax")


def test_applicants_without_an_agency_column_take_the_folder_name(tmp_path):
    path = tmp_path / "request.csv"
    path.write_text("申请编号,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
                    "R1,临时救助,H1,140105,1,张三,14010519900307104X,本人,SQ1\n", encoding="utf-8")
    rows = read_source("applicants", path, agency_default="jinyuan").rows
    assert rows.select(["agency", "program", "relation"]).to_pylist() == [
        {"agency": "jinyuan", "program": "temporary", "relation": "户主"}]


@pytest.mark.parametrize("bad_every", [997, 3])   # few bad rows (zero-copy slices), many (a filter)
def test_dropping_bad_rows_keeps_every_other_row_in_order(bad_every):
    from connectors.canonical import drop_rows

    n = 20_000
    table = pa.table({"row_number": pa.array(range(1, n + 1), pa.int64()),
                      "name": pa.array([f"名{i}" for i in range(n)])})
    table = pa.concat_tables([table.slice(0, 7000), table.slice(7000)])     # chunked, like a CSV read
    bad = list(range(0, n, bad_every))
    kept = drop_rows(table, pa.array(bad, pa.int64()))
    keep = sorted(set(range(n)) - set(bad))
    assert kept.column("row_number").to_pylist() == [i + 1 for i in keep]
    assert kept.column("name").to_pylist() == [f"名{i}" for i in keep]
    assert drop_rows(table, pa.array([], pa.int64())) is table


def test_a_workbooks_totals_line_is_quarantined_once_as_a_totals_line_not_as_empty_fields(tmp_path):
    import xlsxwriter

    path = tmp_path / "个税.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([["记录编号", "纳税人姓名", "所属期", "所得项目", "收入额"],
                             ["T1", "张三", "2024-03", "工资薪金", 1200],
                             ["T2", "李四", "2024-03", "工资薪金", 800.5],
                             ["合 计", None, None, None, 2000.5]]):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    result = read_source("tax", path)
    assert result.rows.column("record_id").to_pylist() == ["T1", "T2"]
    errors = result.errors.to_pylist()
    assert [(e["row_number"], e["field"], e["raw_value"]) for e in errors] == [(3, None, "合 计")]
    assert errors[0]["reason"].startswith("row 3 looks like a totals line ('合 计'), not a record: it was not "
                                          "loaded and nothing needs resending")
    assert json.loads(errors[0]["raw_row"])["收入额"] == "2000.5"


def test_a_row_that_merely_mentions_a_total_in_a_good_record_loads():
    from connectors.canonical import to_canonical
    from connectors.rawfile import RawFile, with_row_numbers

    raw = RawFile(with_row_numbers(pa.table({"记录编号": ["T1"], "姓名": ["张三"], "所属期": ["2024-03"],
                                             "所得项目": ["工资薪金"], "收入额": ["1200"], "备注": ["合计"]})),
                  "csv", "utf-8", ",", 1, Path("tax.csv"))
    result = to_canonical(TABLES["tax"], raw)
    assert result.rows.num_rows == 1 and result.errors.num_rows == 0


def test_lines_that_are_not_records_say_what_they_are_once_and_blank_rows_are_skipped(tmp_path):
    """A concatenated export repeats its header, a report ends with 制表人, a spreadsheet saved
    as CSV keeps rows of separators: a probe got 4-5 "… is empty; … is required" lines for each,
    under "correct these rows and send them again"."""
    path = tmp_path / "iit_joined.csv"
    path.write_text("记录编号,纳税人姓名,所属期,所得项目,收入额\n"
                    "T1,张三,2024-03,工资薪金,1200\n"
                    ",,,,\n"
                    "记录编号,纳税人姓名,所属期,所得项目,收入额\n"
                    "T2,李四,2024-03,工资薪金,800\n"
                    "制表人：王五,,,,\n", encoding="gbk")
    result = read_source("tax", path)
    assert result.rows.column("record_id").to_pylist() == ["T1", "T2"]
    lines = [(e["row_number"], e["field"], e["reason"].split(", not a record")[0]) for e in result.errors.to_pylist()]
    assert lines == [(3, None, "row 3 repeats the header line (files joined together?)"),
                     (5, None, "row 5 looks like a footer line ('制表人：王五')")]
    assert all("nothing needs resending" in e["reason"] for e in result.errors.to_pylist())


@pytest.mark.parametrize("line, what", [("注：数据截至2026年11月30日", "footer"), ('"制表人：王五"', "footer"),
                                        ("合计：2户5人", "totals")])
def test_a_footer_or_totals_line_of_one_cell_without_commas_is_no_record_not_a_ragged_row(tmp_path, line, what):
    """A messages probe: `注：数据截至…` typed under the table without a spreadsheet's commas was "the row
    has 1 fields but the header has 8; a value probably contains the delimiter" and stayed open."""
    path = tmp_path / "iit.csv"
    path.write_text("记录编号,纳税人姓名,所属期,所得项目,收入额\nT1,张三,2024-03,工资薪金,1200\n" + line + "\n",
                    encoding="gbk")
    result = read_source("tax", path)
    assert result.rows.column("record_id").to_pylist() == ["T1"]
    (error,) = result.errors.to_pylist()
    assert error["reason"].startswith(f"row 2 looks like a {what} line") and "nothing needs resending" in error["reason"]


def test_an_english_header_under_the_chinese_and_counted_totals_lines_say_what_they_are(tmp_path):
    """Probe: a second header line in English, `合计：2户5人` and `共计8条记录` each got 4-7 "is empty"
    or "not an accepted income_item" lines under "correct these rows and send them again"."""
    path = tmp_path / "iit.csv"
    path.write_text("记录编号,纳税人姓名,所属期,所得项目,收入额\n"
                    "record_id,name,period,income_item,income_amount\n"
                    "T1,张三,2024-03,工资薪金,1200\n"
                    "合计：1户1人,,,,1200\n"
                    "共计1条记录,,,,\n", encoding="gbk")
    result = read_source("tax", path)
    assert result.rows.column("record_id").to_pylist() == ["T1"]
    lines = [(e["row_number"], e["field"], e["reason"].split(", not a record")[0]) for e in result.errors.to_pylist()]
    assert lines == [(1, None, "row 1 holds column names ('record_id' …), a second header line"),
                     (3, None, "row 3 looks like a totals line ('合计：1户1人')"),
                     (4, None, "row 4 looks like a totals line ('共计1条记录')")]


@pytest.mark.parametrize("above", ["填报单位：,太原市小店区税务局,填报日期：,2026-11-02,", "查询单位：,小店区民政局,,查询时间：,2026-11-02"],
                         ids=["filled-by", "queried-by"])
def test_a_label_and_value_line_above_the_header_is_not_taken_for_it(tmp_path, above):
    """Probe: `填报单位：,…,填报日期：,…` fills as many cells as the header: the file was rejected for
    lacking columns it had."""
    path = tmp_path / "iit.csv"
    path.write_text(above + "\n记录编号,纳税人姓名,所属期,所得项目,收入额\nT1,张三,2024-03,工资薪金,1200\n", encoding="gbk")
    result = read_source("tax", path)
    assert result.rows.column("record_id").to_pylist() == ["T1"] and result.errors.num_rows == 0


@pytest.mark.parametrize("cell", ["-", "—", "－", "/", "NULL", "None", "NaN", "#N/A"])
def test_a_cell_that_says_no_value_is_empty_so_an_optional_field_does_not_cost_its_row(tmp_path, cell):
    path = tmp_path / "jdc.csv"
    path.write_text("记录编号,机动车所有人,证件号码,号牌号码,车辆类型,初次登记日期,购置价格,机动车状态\n"
                    f"V1,张三,{cell},晋A12345,小型轿车,2020-01-01,{cell},正常\n", encoding="utf-8")
    result = read_source("vehicle", path)
    assert result.rows.select(["record_id", "purchase_price", "id_status"]).to_pylist() == [
        {"record_id": "V1", "purchase_price": None, "id_status": "missing"}]
    assert result.errors.num_rows == 0


def test_no_is_a_value_not_an_empty_cell():
    """无 is a labour capacity and a disability grade (none), not a missing value."""
    from connectors.cells import tidy_strings

    assert tidy_strings(pa.array(["无", "-", " NULL "])).to_pylist() == ["无", None, None]


@pytest.mark.parametrize("through_arrow", [True, False], ids=["arrow", "line-by-line"])
def test_jsonl_lines_spelling_a_field_in_english_or_chinese_load_into_one_column(monkeypatch, through_arrow):
    """Probe: line 1 `record_id`, line 6 `记录编号` rejected the whole file, though no line had both."""
    from connectors import jsonl_reader

    if not through_arrow:
        monkeypatch.setattr(jsonl_reader, "_arrow_jsonl", lambda *args: None)
    result = read_source("social_insurance", FIXTURES / "social_insurance_mixed_keys.jsonl")
    assert result.rows.select(["record_id", "name", "insurance_type", "amount", "row_number"]).to_pylist() == [
        {"record_id": "S1", "name": "张三", "insurance_type": "企业职工基本养老保险", "amount": Decimal("1200.00"),
         "row_number": 1},
        {"record_id": "S2", "name": "李四", "insurance_type": "城乡居民基本养老保险", "amount": Decimal("185.50"),
         "row_number": 2},
        {"record_id": "S3", "name": "王五", "insurance_type": "企业职工基本养老保险", "amount": Decimal("900.00"),
         "row_number": 3},
    ]
    (error,) = result.errors.to_pylist()
    assert error["row_number"] == 4
    assert error["reason"] == ("the line gives 'record_id' twice, under the keys 'record_id' and '记录编号', with "
                               "different values; keep one key per field and send the line again")
    assert json.loads(error["raw_value"])["记录编号"] == "S9"  # the line as sent, both keys shown


def _tax_lines_with_two_amounts(tmp_path, monkeypatch, through_arrow: bool, lines: int):
    """A tax JSONL file of `lines` identical lines each giving the amount twice (收入额 100, 收入 90),
    read through Arrow or line by line."""
    from connectors import jsonl_reader

    if not through_arrow:
        monkeypatch.setattr(jsonl_reader, "_arrow_jsonl", lambda *args: None)
    path = tmp_path / "tax.jsonl"
    line = {"记录编号": "T1", "姓名": "张三", "所属期": "2024-03", "所得项目": "工资薪金", "收入额": 100, "收入": 90}
    path.write_text((json.dumps(line, ensure_ascii=False) + "\n") * lines, encoding="utf-8")
    return path


@pytest.mark.parametrize("through_arrow", [True, False], ids=["arrow", "line-by-line"])
def test_jsonl_whose_every_line_holds_two_keys_for_one_field_is_still_rejected_whole(tmp_path, monkeypatch,
                                                                                      through_arrow):
    from connectors import FileRejected

    path = _tax_lines_with_two_amounts(tmp_path, monkeypatch, through_arrow, lines=2)
    with pytest.raises(FileRejected, match="columns '收入额' and '收入' both mean 'income_amount'"):
        read_source("tax", path)


@pytest.mark.parametrize("through_arrow", [True, False], ids=["arrow", "line-by-line"])
def test_jsonl_of_one_line_giving_a_field_twice_is_a_row_error_not_a_rejected_file(tmp_path, monkeypatch,
                                                                                   through_arrow):
    """An inbox probe: a one-household request whose line had "name" and "姓名" went to rejected/ whole."""
    result = read_source("tax", _tax_lines_with_two_amounts(tmp_path, monkeypatch, through_arrow, lines=1))
    assert result.rows.num_rows == 0
    (error,) = result.errors.to_pylist()
    assert error["row_number"] == 1 and "gives 'income_amount' twice" in error["reason"]


def test_a_requests_notes_line_at_the_bottom_is_a_footer_not_a_record(tmp_path):
    """An agency-request probe: '注：以上信息……' under the table gave 7 row errors to correct and resend."""
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
                    "RQ-1,低保,H1,140105,1,张三,140105198501011117,户主,SQ-1\n"
                    "注：以上信息由申请人提供并签字确认,,,,,,,,\n", encoding="utf-8")
    result = read_source("applicants", path, agency_default="xiaodian")
    assert result.rows.num_rows == 1
    (error,) = result.errors.to_pylist()
    assert error["field"] is None and "footer line" in error["reason"] and "nothing needs resending" in error["reason"]


@pytest.mark.parametrize("written,relation", [("妻子", "配偶"), ("丈夫", "配偶"), ("儿子", "子女"), ("长女", "子女"),
                                              ("孙女", "孙子女"), ("外祖母", "祖父母"), ("弟弟", "兄弟姐妹"),
                                              ("儿媳", "其他"), ("岳母", "父母"), ("婆婆", "父母"), ("嫂子", "兄弟姐妹"),
                                              ("其他亲属", "其他"), ("侄子", "其他"), ("02", "户主"), ("12", "配偶"),
                                              ("22", "子女"), ("32", "子女"), ("28", "其他"), ("38", "其他"),
                                              ("41", "孙子女"), ("56", "父母"), ("61", "祖父母"), ("72", "兄弟姐妹"),
                                              ("81", "其他"), ("99", "其他"),
                                              # relative to the head (an inbox probe's 之子 held 5 of 25 households)
                                              ("之子", "子女"), ("之妻", "配偶"), ("之孙女", "孙子女"), ("之孙", "孙子女"),
                                              ("之长子", "子女"), ("之儿媳", "其他"), ("户主之女", "子女"),
                                              ("户主的儿子", "子女"), ("之配偶", "配偶"), ("孙媳", "其他"), ("其它", "其他")])
def test_relations_as_household_registers_write_them_are_the_contracts(tmp_path, written, relation):
    """An agency-request probe: 妻子, 儿子, 女儿, 孙女 … were row errors that held nearly every household."""
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
                    "RQ-1,城市低保,H1,140105,1,张三,140105198501011117,户主,SQ-1\n"
                    f"RQ-1,城市低保,H1,140105,2,李四,140105199003071045,{written},SQ-2\n", encoding="utf-8")
    result = read_source("applicants", path, agency_default="xiaodian")
    assert result.errors.num_rows == 0
    assert result.rows.column("relation").to_pylist() == ["户主", relation]
    assert result.rows.column("program").to_pylist() == ["dibao", "dibao"]


@pytest.mark.parametrize("written,relation", [("赡养义务人", "赡养人"), ("扶养义务人", "扶养人"), ("法定赡养人", "赡养人"),
                                              ("子女（赡养人）", "赡养人"), ("赡养人(儿子)", "赡养人"), ("抚养人", "抚养人")])
@pytest.mark.parametrize("written_grade,grade", [("1级", "一级"), ("一级残疾", "一级"), ("肢体一级", "一级"),
                                                 ("精神二级", "二级"), ("贰级", "二级"), ("肢体残疾三级", "三级"),
                                                 ("Ⅳ级", "四级"), ("无残疾", None)])
def test_supporters_and_disability_grades_as_offices_write_them_load(tmp_path, written, relation, written_grade, grade):
    """A rules probe: 1级, 一级残疾, 肢体一级, 贰级 and 赡养义务人, 子女（赡养人） were row errors that held
    特困 households unanswered."""
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号,残疾等级\n"
                    f"RQ-1,特困,H1,140105,1,张三,140105195001011113,户主,SQ-1,{written_grade}\n"
                    f"RQ-1,特困,H1,140105,2,张四,140105198003071041,{written},SQ-2,\n", encoding="utf-8")
    result = read_source("applicants", path, agency_default="xiaodian")
    assert result.errors.num_rows == 0
    assert result.rows.column("relation").to_pylist() == ["户主", relation]
    assert result.rows.column("disability_grade").to_pylist() == [grade, None]


@pytest.mark.parametrize("written", ["五级", "残疾", "被赡养人"])
def test_a_grade_or_relation_that_says_no_grade_or_the_applicant_is_still_a_row_error(tmp_path, written):
    relation, grade = (written, "") if "养" in written else ("户主", written)
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号,残疾等级\n"
                    f"RQ-1,特困,H1,140105,1,张三,140105195001011113,{relation},SQ-1,{grade}\n", encoding="utf-8")
    result = read_source("applicants", path, agency_default="xiaodian")
    (error,) = result.errors.to_pylist()
    assert f"'{written}' is not an accepted" in error["reason"]


@pytest.mark.parametrize("table, column, written, canonical", [
    ("vehicle", "status", "抵押", "正常"), ("vehicle", "status", "违法未处理", "正常"), ("vehicle", "status", "强制注销", "注销"),
    ("vehicle", "status", "A", "正常"), ("vehicle", "status", "E", "注销"),
    ("property", "usage", "成套住宅", "住宅"), ("property", "usage", "城镇住宅用地/住宅", "住宅"), ("property", "usage", "商服", "商业"),
    ("property", "usage", "车库", "车位"), ("property", "status", "已注销", "注销"), ("property", "status", "查封,抵押", "查封"),
    ("property", "status", "异议登记", "现势"), ("property", "share", "按份共有 50%", 0.5), ("property", "share", "家庭共有", 1.0),
    ("social_insurance", "insurance_type", "城镇职工基本养老保险", "企业职工基本养老保险"),
    ("social_insurance", "insurance_type", "城乡居民社会养老保险", "城乡居民基本养老保险"),
    ("social_insurance", "insurance_type", "职工医保", "职工基本医疗保险"),
    ("social_insurance", "record_type", "养老金发放", "待遇"), ("social_insurance", "record_type", "正常缴费", "缴费"),
    ("social_insurance", "record_type", "报销", "待遇"),
    ("tax", "income_item", "保险营销员佣金收入", "劳务报酬"), ("tax", "period", "2025-01-01至2025-01-31", date(2025, 1, 1)),
    # an income probe's annual bonus (a sub-item of 工资薪金), pension receipts (领取) …
    ("tax", "income_item", "全年一次性奖金收入", "工资薪金"), ("tax", "income_item", "正常工资薪金", "工资薪金"),
    ("tax", "income_item", "一般劳务报酬所得", "劳务报酬"), ("tax", "income_item", "其他连续劳务报酬", "劳务报酬"),
    ("tax", "income_item", "个体工商户的生产、经营所得", "经营所得"), ("tax", "income_item", "利息、股息、红利所得", "利息股息红利"),
    ("social_insurance", "record_type", "领取", "待遇"), ("social_insurance", "record_type", "发放", "待遇"),
    ("social_insurance", "record_type", "缴纳", "缴费"), ("social_insurance", "record_type", "待遇", "待遇"),
    # … and a bank probe's products
    ("bank", "product_type", "活期", "活期存款"), ("bank", "product_type", "整存整取", "定期存款"),
    ("bank", "product_type", "大额存单", "定期存款"), ("bank", "product_type", "理财", "理财产品"),
    ("bank", "product_type", "储蓄国债", "债券"), ("bank", "product_type", "定期存款", "定期存款"),
])
def test_values_as_the_registers_and_schemes_export_them_are_the_contracts(tmp_path, table, column, written, canonical):
    """A register probe: these spellings, each as one of the four systems writes it, were refused and
    held their households (a 抵押 car and a 成套住宅 home alike)."""
    rows = {
        "vehicle": ("记录编号,机动车所有人,证件号码,号牌号码,车辆类型,初次登记日期,购置价格,机动车状态",
                    ["V1", "张三", "140105198501011117", "晋A12345", "小型轿车", "2020-05-01", "80000", "正常"]),
        "property": ("记录编号,权利人,证件号码,不动产权证号,坐落,用途,建筑面积,共有份额,登记日期,权属状态",
                     ["P1", "张三", "140105198501011117", "晋(2020)太原市不动产权第0000001号", "小店区某街1号", "住宅",
                      "89.5", "", "2020-05-01", "现势"]),
        "social_insurance": ("记录编号,姓名,公民身份号码,险种,记录类型,所属期,金额",
                             ["S1", "张三", "140105198501011117", "企业职工基本养老保险", "缴费", "2025-01", "320"]),
        "tax": ("记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额",
                ["T1", "张三", "140105198501011117", "2025-01", "工资薪金", "3000"]),
        "bank": ("记录编号,户名,证件号码,金融机构,账号,产品类型,余额,余额日期",
                 ["B1", "张三", "140105198501011117", "工商银行", "6222020012345678", "活期存款", "9000", "2025-04-30"]),
    }[table]
    header, cells = rows
    cells[[f.name for f in TABLES[table].fields].index(column)] = written
    path = tmp_path / f"{table}.csv"
    path.write_text(header + "\n" + ",".join(f'"{c}"' for c in cells) + "\n", encoding="utf-8")
    result = read_source(table, path)
    assert result.errors.num_rows == 0, result.errors.to_pylist()
    assert result.rows.column(column).to_pylist() == [canonical]


@pytest.mark.parametrize("written", ["140105", "140105000000", "140105001", "140105003000", "140105.0"])
@pytest.mark.parametrize("program", ["低保", "特困人员救助供养"])
def test_a_county_given_as_its_longer_division_code_or_as_a_number_is_its_six_digits(tmp_path, written, program):
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
                    f"RQ-1,{program},H1,{written},1.0,张三,140105198501011117,户主,SQ-1\n", encoding="utf-8")
    result = read_source("applicants", path, agency_default="xiaodian")
    assert result.rows.column("county_code").to_pylist() == ["140105"] and result.errors.num_rows == 0


@pytest.mark.parametrize("written", ["1401050", "140105.5", "14010.0"])
def test_a_county_code_that_is_no_division_code_is_kept_as_written_for_the_gate_to_refuse(tmp_path, written):
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
                    f"RQ-1,低保,H1,{written},1,张三,140105198501011117,户主,SQ-1\n", encoding="utf-8")
    result = read_source("applicants", path, agency_default="xiaodian")
    assert result.rows.column("county_code").to_pylist() == [written]


def test_a_jsonl_line_writing_one_key_twice_is_that_rows_error_and_a_bom_inside_the_file_is_not(tmp_path):
    """An export probe: `"amount": 2106, …, "amount": 9106` loaded 9106 without a word, and a line
    opening with a BOM (two exports joined) was refused as invalid JSON."""
    base = '"name": "韩春梅", "insurance_type": "企业职工基本养老保险", "record_type": "待遇", "period": "2024-05"'
    path = tmp_path / "si.jsonl"
    path.write_text("\n".join([
        '{"record_id": "J1", ' + base + ', "amount": 2106}',
        '{"record_id": "J2", ' + base + ', "amount": 2106, "amount": 9106}',
        '\ufeff{"record_id": "J3", ' + base + ', "amount": 300}']) + "\n", encoding="utf-8")
    result = read_source("social_insurance", path)
    assert result.rows.column("record_id").to_pylist() == ["J1", "J3"]
    assert [(e["row_number"], e["reason"]) for e in result.errors.to_pylist()] == [
        (2, "the key 'amount' appears twice in this line (2106 and 9106); send each field once")]


@pytest.mark.parametrize("label, program, area", [
    ("农村低保", "dibao", "rural"), ("城市最低生活保障", "dibao", "urban"), ("城镇低保", "dibao", "urban"),
    ("最低生活保障", "dibao", None), ("dibao", "dibao", None), ("农村特困人员", "tekun", "rural"),
    ("城市特困", "tekun", "urban"), ("农村五保", "tekun", "rural"), ("特困人员救助供养", "tekun", None),
    ("城乡低保", "dibao", None), ("城乡居民最低生活保障", "dibao", None),   # both areas: the address decides
    ("医疗", "medical", None), ("临时", "temporary", None),                 # the short names clerks type
    # the names of agencies' own lists (an inbox probe's five were refused with their households)
    ("低保救助", "dibao", None), ("最低生活保障（城市）", "dibao", "urban"), ("医疗救助(农村)", "medical", "rural"),
    ("医疗救助（门诊）", "medical", None), ("临时救助金", "temporary", None), ("特困供养人员", "tekun", None),
    ("低保户", "dibao", None), ("五保户", "tekun", "rural"), ("城市低保家庭", "dibao", "urban"),
    ("低保（农村、城市）", "dibao", None),                                   # both areas: the address decides
])
def test_a_programme_label_naming_urban_or_rural_keeps_the_area_beside_the_programme(tmp_path, label, program, area):
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
                    f"RQ-1,{label},H1,140105,1,张三,140105198501011117,户主,SQ-1\n", encoding="utf-8")
    result = read_source("applicants", path, agency_default="xiaodian")
    assert result.errors.num_rows == 0
    assert result.rows.select(["program", "program_area"]).to_pylist() == [{"program": program, "program_area": area}]


@pytest.mark.parametrize("label", ["住房保障", "低保边缘户", "低保边缘", "救助"])
def test_a_label_of_another_scheme_or_of_no_programme_here_is_still_refused(tmp_path, label):
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
                    f"RQ-1,{label},H1,140105,1,张三,140105198501011117,户主,SQ-1\n", encoding="utf-8")
    (error,) = read_source("applicants", path, agency_default="xiaodian").errors.to_pylist()
    assert error["field"] == "program" and "is not an accepted program" in error["reason"]


def test_a_json_line_giving_a_field_twice_names_only_the_keys_it_gives(tmp_path):
    """A contract probe: the message listed '纳税人姓名', a key only another line of the file used."""
    path = tmp_path / "t.jsonl"
    path.write_text('{"record_id":"J1","name":"张三","姓名":"张叁","period":"2026-03","income_item":"工资薪金","income_amount":"1"}\n'
                    '{"record_id":"J2","纳税人姓名":"李四","period":"2026-03","income_item":"工资薪金","income_amount":"1"}\n',
                    encoding="utf-8")
    result = read_source("tax", path)
    (error,) = result.errors.to_pylist()
    assert "under the keys 'name' and '姓名', with different values" in error["reason"]
    assert result.rows.column("record_id").to_pylist() == ["J2"]


@pytest.mark.parametrize("written, read", [("部分丧失劳动能力", "部分"), ("完全丧失劳动能力", "无"), ("丧失", "无"),
                                           ("有劳动能力", "有")])
def test_labour_capacity_in_the_words_of_disability_paperwork_is_read(tmp_path, written, read):
    """A request probe: 部分丧失劳动能力 and 完全丧失劳动能力 were refused, and the household held."""
    path = tmp_path / "req.csv"
    path.write_text("申请编号,救助项目,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号,劳动能力\n"
                    f"RQ-1,特困,H1,140105,1,张三,140105198501011117,户主,SQ-1,{written}\n", encoding="utf-8")
    result = read_source("applicants", path, agency_default="xiaodian")
    assert result.errors.num_rows == 0 and result.rows.column("labor_capacity").to_pylist() == [read]
