"""The same rows load to the same canonical rows whatever format and encoding carries them."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import connectors
from connectors import jsonl_reader, read_raw, read_source

FIXTURES = Path(__file__).parent / "fixtures" / "connectors"
SAME_ROWS = {
    "tax_same_rows_gbk.csv": ("csv", "gb18030", ",", 1),
    "tax_same_rows_utf8_bom.csv": ("csv", "utf-8-sig", ",", 1),
    "tax_same_rows_tab.tsv": ("csv", "utf-8", "\t", 1),
    "tax_same_rows_pipe_gb18030.txt": ("csv", "gb18030", "|", 1),
    "tax_same_rows.xlsx": ("xlsx", None, None, 3),
    "tax_same_rows.jsonl": ("jsonl", "utf-8", None, 0),
    "tax_same_rows.parquet": ("parquet", None, None, 0),
}
EXPECTED = [  # the columns a clerk would check, per record
    ("T001", "张三", "14010519900307104X", "valid", date(2024, 3, 1), "工资薪金", Decimal("5200.00"), None),
    ("T002", "李四", "14010519900307120X", "valid", date(2024, 3, 1), "工资薪金", Decimal("3000.50"),
     '{"备注": "补发"}'),
    ("T003", "阿依古丽·买买提", "14010519900307120X", "repaired", date(2024, 3, 1), "劳务报酬",
     Decimal("1200.00"), None),
    ("T004", "王五", "140105199003071045", "invalid", date(2024, 3, 1), "稿酬所得", Decimal("800.00"),
     '{"备注": "证件号待核"}'),
    ("T005", "赵六", None, "missing", date(2024, 4, 1), "偶然所得", Decimal("20000.00"), None),
]
KEY_COLUMNS = ["record_id", "name", "id_number", "id_status", "period", "income_item", "income_amount", "extra"]


def _shared_rows(name):
    rows = read_source("tax", FIXTURES / name).rows
    return rows.filter(pc.not_equal(rows["record_id"], "T006"))


@pytest.mark.parametrize("name", sorted(SAME_ROWS))
def test_every_spelling_of_the_tax_rows_loads_the_same_canonical_rows(name):
    reference = _shared_rows("tax_same_rows_gbk.csv")
    rows = _shared_rows(name)
    assert [tuple(r.values()) for r in rows.select(KEY_COLUMNS).to_pylist()] == EXPECTED
    assert rows.drop_columns(["row_number"]).equals(reference.drop_columns(["row_number"]))
    assert read_source("tax", FIXTURES / name).errors.num_rows == 0


@pytest.mark.parametrize("name", sorted(SAME_ROWS))
def test_reader_reports_format_encoding_delimiter_and_header_row(name):
    raw = read_raw(FIXTURES / name)
    assert (raw.format, raw.encoding, raw.delimiter, raw.header_row) == SAME_ROWS[name]


@pytest.mark.parametrize("name", sorted(SAME_ROWS))
def test_raw_values_are_strings_as_written(name):
    raw = read_raw(FIXTURES / name)
    assert all(str(t) == "string" for t in raw.table.schema.types[:-1])
    assert raw.table.schema.field("row_number").type == "int64"
    first = raw.table.slice(0, 1).to_pylist()[0]
    assert first["记录编号"] == "T001" and first["证件号码"] == "14010519900307104X"


def test_gb18030_file_keeps_a_name_character_gbk_cannot_encode():
    rows = read_source("tax", FIXTURES / "tax_same_rows_pipe_gb18030.txt").rows
    row = rows.filter(pc.equal(rows["record_id"], "T006")).to_pylist()[0]
    assert row["name"] == "王𠮷"
    with pytest.raises(UnicodeEncodeError):
        "𠮷".encode("gbk")


def test_xlsx_title_rows_are_skipped_and_row_numbers_point_at_the_sheet():
    raw = read_raw(FIXTURES / "tax_same_rows.xlsx")
    assert raw.headers[:3] == ["记录编号", "纳税人姓名", "证件号码"]
    vehicle = read_source("vehicle", FIXTURES / "vehicle.xlsx")
    # V2 is on sheet row 4, below the blank row 3: header_row + row_number is the sheet row
    assert vehicle.raw.header_row == 1
    assert vehicle.rows.column("row_number").to_pylist() == [1, 3]


def test_xlsx_numbers_read_without_a_trailing_point_zero():
    raw = read_raw(FIXTURES / "vehicle.xlsx")
    assert raw.table.column("购置价格").to_pylist() == ["98000", None]
    assert raw.table.column("身份证明号码").to_pylist()[1] == "140105900307120"
    assert raw.table.column("初次登记日期").to_pylist() == ["2019-05-20", "2015/8/3"]


def test_csv_keeps_leading_zeros_and_long_digit_strings(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("记录编号,代码,号码\n0012,007,140105199003071045\n", encoding="utf-8")
    assert read_raw(path).table.to_pylist() == [
        {"记录编号": "0012", "代码": "007", "号码": "140105199003071045", "row_number": 1}]


def test_csv_strips_surrounding_whitespace_and_turns_empty_cells_to_null(tmp_path):
    path = tmp_path / "spaces.csv"
    path.write_text('a,b,c\n  x ,"",\u3000y\u3000\n', encoding="utf-8")
    assert read_raw(path).table.to_pylist() == [{"a": "x", "b": None, "c": "y", "row_number": 1}]


def test_format_is_recognised_by_content_not_extension(tmp_path):
    disguised = tmp_path / "tax.csv"
    disguised.write_bytes((FIXTURES / "tax_same_rows.xlsx").read_bytes())
    assert read_raw(disguised).format == "xlsx"


def test_every_table_has_a_connector_with_the_same_entry_point():
    for name in connectors.READERS:
        module = getattr(connectors, name)
        assert module.TABLE.name == name and callable(module.read)


HEADER = "记录编号,纳税人姓名,所属期,所得项目,收入额"
CSV_QUIRKS = [  # (what the department did, bytes, expected header_row, expected encoding)
    ("title and unit lines above the header",
     f"2024年3月个税明细,,,,\n单位：元,,,,\n\n{HEADER}\nT1,张三,2024-03,工资薪金,1\n".encode("gbk"), 4, "gb18030"),
    ("Excel 'Unicode text' export (UTF-16, tabs)",
     f"{HEADER}\r\nT1\t张三\t2024-03\t工资薪金\t1\r\n".replace(",", "\t").encode("utf-16"), 1, "utf-16"),
    ("a trailing delimiter on every line", f"{HEADER},\nT1,张三,2024-03,工资薪金,1,\n".encode(), 1, "utf-8"),
    ("Windows line ends", f"{HEADER}\r\nT1,张三,2024-03,工资薪金,1\r\n".encode("utf-8-sig"), 1, "utf-8-sig"),
    # an export probe: a Mac file was rejected as "a line break inside a value" on line 1, and one
    # invisible \r pasted into a name rejected a whole Windows file
    ("Excel for Mac line ends (\\r alone)", f"{HEADER}\rT1,张三,2024-03,工资薪金,1\r".encode("gbk"), 1, "gb18030"),
    ("a stray \\r inside a value", f"{HEADER}\r\nT1,张\r三,2024-03,工资薪金,1\r\n".encode(), 1, "utf-8"),
    ("a quoted value spanning lines",
     f'{HEADER},地址\nT1,张三,2024-03,工资薪金,1,"太原市\n小店区"\n'.encode(), 1, "utf-8"),
    ("GB18030 with its own BOM (84 31 95 33), tab-separated",
     "\ufeff".encode("gb18030") + f"{HEADER}\nT1,张三,2024-03,工资薪金,1\n".replace(",", "\t").encode("gb18030"),
     1, "gb18030"),
]


@pytest.mark.parametrize("bytes_, header_row, encoding", [c[1:] for c in CSV_QUIRKS],
                         ids=[c[0] for c in CSV_QUIRKS])
def test_csv_quirks_still_read_the_rows(tmp_path, bytes_, header_row, encoding):
    path = tmp_path / "quirk.csv"
    path.write_bytes(bytes_)
    result = read_source("tax", path)
    assert (result.raw.header_row, result.raw.encoding) == (header_row, encoding)
    assert result.rows.select(["record_id", "name", "income_amount", "row_number"]).to_pylist() == [
        {"record_id": "T1", "name": "张三", "income_amount": Decimal("1.00"), "row_number": 1}]
    assert result.errors.num_rows == 0


def test_jsonl_reads_the_same_through_arrow_and_line_by_line(tmp_path, monkeypatch):
    records = [{"记录编号": "J1", "纳税人姓名": "张三", "所属期": "2024-03-05", "所得项目": "工资薪金",
                "收入额": 1234.5, "证件号码": "14010519900307104X", "明细": {"基本工资": 1000}},
               {"记录编号": "J2", "纳税人姓名": "李四", "所属期": "202403", "所得项目": "劳务报酬",
                "收入额": 20, "证件号码": None, "明细": None}]
    path = tmp_path / "tax.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    through_arrow = read_source("tax", path).rows
    monkeypatch.setattr(jsonl_reader, "_arrow_jsonl", lambda *args: None)   # both Arrow routes (bytes, text) off
    line_by_line = read_source("tax", path).rows
    assert through_arrow.equals(line_by_line)
    assert through_arrow.column("extra").to_pylist() == ['{"明细": "{\\"基本工资\\": 1000}"}', None]


@pytest.mark.parametrize("amount, expected", [("5e2", "500.00"), ("1.2E+4", "12000.00"), ("2.5e1", "25.00")])
def test_a_json_amount_written_with_an_exponent_reads_the_same_whatever_else_the_file_holds(tmp_path, monkeypatch,
                                                                                           amount, expected):
    """A JSON Lines probe: a Java exporter's 5E+2 loaded as 500.00 from a clean file and was refused
    ('5E+2' is not an amount of money) from one that also held a blank line."""
    line = '{"记录编号": "J1", "纳税人姓名": "张三", "所属期": "2024-03", "所得项目": "工资薪金", "收入额": %s}' % amount
    path = tmp_path / "tax.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    through_arrow = read_source("tax", path)
    monkeypatch.setattr(jsonl_reader, "_arrow_jsonl", lambda *args: None)
    line_by_line = read_source("tax", path)
    for result in (through_arrow, line_by_line):
        assert result.errors.num_rows == 0 and [str(v) for v in result.rows.column("income_amount").to_pylist()] == [expected]


def test_a_comma_file_whose_header_cells_begin_with_a_tab_is_read_as_comma_separated(tmp_path):
    """A contract probe: a tab before each header cell of a comma-separated export got the file
    rejected with advice to check that it was tab-separated."""
    path = tmp_path / "tabhdr.csv"
    path.write_text("\trecord_id,\tname,\tperiod,\tincome_item,\tincome_amount\n"
                    "T1,张三,2025-01,工资薪金,100\nT2,李四,2025-02,工资薪金,200\n", encoding="utf-8")
    result = read_source("tax", path)
    assert result.raw.delimiter == "," and result.errors.num_rows == 0
    assert result.rows.column("record_id").to_pylist() == ["T1", "T2"]


def test_parquet_nested_columns_are_kept_as_json_text(tmp_path):
    table = pa.table({"记录编号": ["B1"], "户名": ["张三"], "开户行": ["晋商银行"], "产品类型": ["基金"],
                      "余额": [1.5], "余额日期": pa.array([date(2024, 3, 31)]),
                      "持仓": pa.array([{"代码": "000001", "份额": 10}])})
    pq.write_table(table, tmp_path / "bank.parquet")
    rows = read_source("bank", tmp_path / "bank.parquet").rows
    assert json.loads(json.loads(rows.column("extra")[0].as_py())["持仓"]) == {"代码": "000001", "份额": 10}
    assert rows.column("balance").to_pylist() == [Decimal("1.50")]


_JSONL = ('{"记录编号": "T1", "姓名": "张三", "收入额": "5200.5", "所属期": "2024-03"}\n'
          '{"记录编号": "T2", "姓名": "阿依古丽·买买提", "收入额": "1,200", "备注": "补发"}\n')


@pytest.mark.parametrize("data", [
    _JSONL.encode("utf-8"),
    b"\xef\xbb\xbf" + _JSONL.encode("utf-8"),                  # with a BOM
    _JSONL.replace("\n", "\r\n").encode("utf-8"),              # Windows line ends
    (_JSONL + "\n  \n").encode("utf-8"),                       # blank lines after the last record
], ids=["utf8", "bom", "crlf", "trailing-blank"])
def test_a_clean_utf8_jsonl_read_from_its_bytes_equals_the_same_file_read_as_text(tmp_path, data):
    path = tmp_path / "si.jsonl"
    path.write_bytes(data)
    from_bytes = jsonl_reader._read_clean_utf8_jsonl(path, data)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    from_text = jsonl_reader._read_jsonl_rows(path, body.decode("utf-8"), from_bytes.encoding)
    assert from_bytes.table.equals(from_text.table) and from_bytes.encoding == ("utf-8-sig" if body is not data else "utf-8")
    assert read_raw(path).table.equals(from_text.table)


@pytest.mark.parametrize("data", [
    _JSONL.encode("gb18030"),                                  # not UTF-8: the general path names the encoding
    _JSONL.replace("\n", "\n\n", 1).encode("utf-8"),           # a blank line between records shifts line numbers
    (_JSONL + "[1, 2]\n").encode("utf-8"),                     # a line that is no object needs its reason
], ids=["gb18030", "blank-line", "not-an-object"])
def test_a_jsonl_the_byte_reader_cannot_vouch_for_goes_the_general_way(tmp_path, data):
    path = tmp_path / "si.jsonl"
    path.write_bytes(data)
    assert jsonl_reader._read_clean_utf8_jsonl(path, data) is None
    assert read_raw(path).table.num_rows == 2


def test_xlsx_cells_merged_over_data_rows_give_every_row_the_value_excel_shows(tmp_path):
    """An ingestion probe: two co-owners of one certificate, the certificate number, location and
    area merged over both rows. The file stores them in the top cell only: the second owner was
    quarantined ('不动产权证号 is empty') and half of a 120 m² home went missing."""
    import xlsxwriter

    path = tmp_path / "property_merged.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("登记")
    sheet.write_row(0, 1, ["不动产登记信息"])                       # a title row; the table starts in column B
    sheet.write_row(1, 1, ["记录编号", "权利人", "证件号码", "不动产权证号", "坐落", "用途", "建筑面积", "共有份额",
                           "登记日期", "状态"])
    for offset, (rid, name, idn) in enumerate([("R-1", "何红霞", "140105198002020023"),
                                               ("R-2", "何秀兰", "14010519820303004X")]):
        sheet.write_row(2 + offset, 1, [rid, name, idn])
        sheet.write_row(2 + offset, 8, ["1/2", "2020-05-01", "现势"])
    for col, value in [(4, "晋(2020)太原市不动产权第0000201号"), (5, "小店区亲贤街1号"), (6, "住宅"), (7, 120)]:
        sheet.merge_range(2, col, 3, col, value)
    sheet.merge_range(5, 1, 5, 3, "合并的说明行")                     # merged across columns, not down: left alone
    book.close()
    rows = read_source("property", path)
    got = rows.rows.select(["record_id", "certificate_number", "location", "usage", "floor_area"]).to_pylist()
    assert got == [{"record_id": r, "certificate_number": "晋(2020)太原市不动产权第0000201号",
                    "location": "小店区亲贤街1号", "usage": "住宅", "floor_area": 120.0} for r in ("R-1", "R-2")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_jsonl_saved_as_windows_unicode_text_is_read_as_jsonl(tmp_path, encoding):
    """An export probe: a UTF-16 JSON Lines file was read as CSV and rejected for a missing
    record_id, quoting its first JSON line as the columns found."""
    path = tmp_path / "si.jsonl"
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""
    path.write_bytes(bom + _JSONL.encode(encoding))
    raw = read_raw(path)
    assert raw.format == "jsonl" and raw.table.column("记录编号").to_pylist() == ["T1", "T2"]


def test_rows_on_a_later_sheet_of_the_same_table_are_refused_by_sheet_and_row_not_dropped(tmp_path):
    """An ingestion probe: an export split over two sheets loaded the first sheet's rows, and the
    second's were gone without a word. The table is read from the first sheet (contract §2); the rows
    of a later sheet under the same header are each refused, naming the sheet and its row, and a
    notes sheet (another header) is no table."""
    import xlsxwriter

    path = tmp_path / "个税_分表.xlsx"
    book = xlsxwriter.Workbook(path)
    header = ["记录编号", "纳税人姓名", "证件号码", "所属期", "所得项目", "收入额", "扣缴义务人"]
    for name, rows in [("1月", [("X-1", "张三"), ("X-2", "李四")]), ("说明", None), ("2月", [("X-3", "王五")])]:
        sheet = book.add_worksheet(name)
        if rows is None:
            sheet.write_row(0, 0, ["注：本表由系统导出"])
            continue
        sheet.write_row(0, 0, header)
        for r, (rid, person) in enumerate(rows, 1):
            sheet.write_row(r + (r > 1), 0, [rid, person, "110101199003070011", "2025-03", "工资薪金", "100", "甲"])
    book.close()
    canon = read_source("tax", path)
    assert canon.rows.column("record_id").to_pylist() == ["X-1", "X-2"]
    errors = canon.errors.to_pylist()
    assert [(e["row_number"], e["field"]) for e in errors] == [(4, None)]
    assert errors[0]["reason"].startswith("on sheet '2月', its data row 1: not read. A workbook's table is read from "
                                          "its first sheet, '1月', alone")
    assert json.loads(errors[0]["raw_row"])["记录编号"] == "X-3"


def test_rows_on_a_visible_sheet_behind_a_hidden_first_sheet_name_the_hidden_sheet(tmp_path):
    """A bank probe: a hidden first sheet (last month's balances) was read, and the clerk was told to
    move the visible sheet's rows onto a first sheet Excel did not show."""
    import xlsxwriter

    path = tmp_path / "余额.xlsx"
    book = xlsxwriter.Workbook(path)
    header = ["记录编号", "户名", "证件号码", "金融机构", "账号", "产品类型", "余额", "余额日期"]
    for name, rid, balance, day in [("4月", "B-1", "5000", "2025-04-30"), ("5月", "B-2", "50000", "2025-05-31")]:
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, header)
        sheet.write_row(1, 0, [rid, "张三", "110101199003070011", "工商银行", "6222020200001111", "活期", balance, day])
    book.worksheets()[1].activate()
    book.worksheets()[0].hide()
    book.close()
    canon = read_source("bank", path)
    (error,) = canon.errors.to_pylist()
    assert error["reason"].startswith("on sheet '5月', its data row 1: not read. A workbook's table is read from its "
                                      "first sheet, '4月' (a hidden sheet: unhide it in Excel to see it), alone")


def test_a_caseworker_reads_why_a_row_on_another_sheet_was_not_loaded():
    from assessment.application import _cell_words

    reason = ("on sheet '5月', its data row 1: not read. A workbook's table is read from its first sheet, '4月' "
              "(a hidden sheet: unhide it in Excel to see it), alone: send the rows of sheet '5月' as a file")
    assert _cell_words("bank", {"field": None, "raw": None, "reason": reason}) == (
        "该行在工作表“5月”上，而只读取工作簿的第一个工作表“4月”（该表在Excel中被隐藏），未能入库")


def test_rows_on_a_hidden_later_sheet_say_the_sheet_is_hidden(tmp_path):
    """An adversarial probe: rows refused from a hidden second sheet named a sheet the clerk could not see."""
    import xlsxwriter

    path = tmp_path / "个税.xlsx"
    book = xlsxwriter.Workbook(path)
    header = ["记录编号", "纳税人姓名", "证件号码", "所属期", "所得项目", "收入额"]
    for name, rid in [("明细", "X-1"), ("隐藏", "X-2")]:
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, header)
        sheet.write_row(1, 0, [rid, "张三", "110101199003070011", "2025-03", "工资薪金", "100"])
    book.worksheets()[1].hide()
    book.close()
    (error,) = read_source("tax", path).errors.to_pylist()
    assert error["reason"].startswith("on sheet '隐藏' (hidden in Excel), its data row 1: not read.")


def test_a_caseworker_reads_that_a_damaged_row_was_damaged_not_filled_with_asterisks():
    from assessment.application import _cell_words

    reason = ("row 4 holds bytes that are not valid GBK/GB18030 (the rest of the file is GBK/GB18030): its text is "
              "damaged, so it was not loaded")
    assert _cell_words("tax", {"field": None, "raw": "C2-3,黄海,140105198001011234,2025-01,工资薪金,\ufffd",
                               "reason": reason}) == "该行文字在传输中损坏（含无法识别的字节），未能读取"
