"""Files that cannot be read at all are rejected with a reason a data clerk can act on."""

import io
import zipfile
from pathlib import Path

import pytest

from connectors import FileRejected, read_raw, read_source

FIXTURES = Path(__file__).parent / "fixtures" / "connectors"


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # A fixed time: the bytes name the test case, and every pytest-xdist worker must collect the same name.
        archive.writestr(zipfile.ZipInfo("tax.csv", date_time=(2026, 1, 1, 0, 0, 0)), "记录编号\nT1\n")
    return buffer.getvalue()


# (fixture file name or raw bytes, expected fragment of the rejection reason)
INVALID_FILES = [
    ("empty.csv", "the file is empty"),
    (b"  \r\n\r\n", "the file is empty"),
    ("junk.csv", "the file contains binary data, not text"),
    (b"%PDF-1.7\n...", "the file is a PDF document, not a table"),
    (b"\x1f\x8b\x08\x00junk", "the file is a gzip archive"),
    ("record_id,name\nT1,\x81\xff\xfe,\x81\xfd\nT2,\x81\xfc\x81\xfb,\x80\n".encode("latin-1"),
     "the text cannot be decoded: tried UTF-8 and GB18030/GBK (bytes 81 ff on line 2)"),
    ("tax_missing_amount.csv",
     "missing required column 'income_amount' (accepted headers: income_amount, 收入额, 收入); "
     "found columns: 记录编号, 纳税人姓名, 证件号码, 所属期, 所得项目, 已缴税额, 扣缴义务人, 备注"),
    ("tax_two_amount_columns.csv", "columns '收入额' and '收入' both mean 'income_amount'"),
    ("记录编号,姓名,所属期,所得项目,收入额,收入额\nT1,张三,2024-03,工资薪金,1,2\n".encode(),
     "column '收入额' appears 2 times"),
    ("tax_wrong_delimiter.csv", "The whole header was read as one column"),
    ("记录编号,纳税人姓名,所属期,所得项目,收入额\nT1,张三,2024-03,工资,薪金,1\nT2;李四\n".encode(),
     "2 of 2 data rows do not have the 5 fields of the header"),
    (b"PK\x03\x04" + b"\x00" * 40, "the file is a ZIP archive but not an Excel workbook"),
    # an operations probe's ZIP of exports was told to save from Excel: say what is inside, and to unpack it
    (_zip_without_workbook(), "the file is a ZIP archive (tax.csv), not a workbook: unpack it and send each file "
                              "as it is; accepted formats: CSV (UTF-8, GBK or GB18030; comma, tab or | separated), "
                              "XLSX, JSON Lines or Parquet"),
    (b"PAR1 this is not parquet", "the file starts like Parquet but cannot be read"),
    (b'{"a": 1\n[1, 2]\n', "no line holds a JSON object"),
    (b'[{"a": 1}]', "the file is one JSON array; send JSON Lines instead"),
    (b"\xef\xbb\xbf\xd5\xc5\xc8\xfd\xff\n", "the text cannot be decoded"),
    # an export probe: UTF-8 lines, then GBK ones (two exports joined) were said to fail on line 1
    ("记录编号,纳税人姓名,所属期,所得项目,收入额\n".encode() + "".join(f"T{i},张三,2024-03,工资薪金,1\n" for i in range(10)).encode()
     + "T99,李四,2024-03,工资薪金,1\n".encode("gbk"),
     "Lines 1-11 read as UTF-8 and line 12 does not (bytes c0 ee): the file mixes UTF-8 and GBK"),
]


@pytest.mark.parametrize("source, fragment", INVALID_FILES,
                         ids=[s if isinstance(s, str) else repr(s[:12]) for s, _ in INVALID_FILES])
def test_unreadable_files_are_rejected_with_a_clear_reason(tmp_path, source, fragment):
    if isinstance(source, bytes):
        path = tmp_path / "delivery.csv"
        path.write_bytes(source)
    else:
        path = FIXTURES / source
    with pytest.raises(FileRejected) as info:
        read_source("tax", path)
    assert fragment in info.value.reason
    assert str(info.value).startswith(f"{path.name}: ")


def test_missing_required_column_message_is_exact():
    with pytest.raises(FileRejected) as info:
        read_source("tax", FIXTURES / "tax_missing_amount.csv")
    assert info.value.reason == (
        "missing required column 'income_amount' (accepted headers: income_amount, 收入额, 收入); "
        "found columns: 记录编号, 纳税人姓名, 证件号码, 所属期, 所得项目, 已缴税额, 扣缴义务人, 备注")


def test_unknown_sheet_names_the_sheets_there_are():
    with pytest.raises(FileRejected, match="no sheet named '汇总'; its sheets: 个税明细"):
        read_raw(FIXTURES / "tax_same_rows.xlsx", sheet="汇总")


def test_a_header_without_data_rows_is_an_empty_delivery_not_a_rejection(tmp_path):
    path = tmp_path / "header_only.csv"
    path.write_text("记录编号,纳税人姓名,所属期,所得项目,收入额\n", encoding="utf-8")
    result = read_source("tax", path)
    assert (result.rows.num_rows, result.errors.num_rows) == (0, 0)


def test_missing_file_is_rejected_not_crashed(tmp_path):
    with pytest.raises(FileRejected, match="cannot open the file"):
        read_raw(tmp_path / "nope.csv")


def test_a_utf8_file_with_a_damaged_row_loads_its_other_rows_and_quarantines_that_one(tmp_path):
    """One bad byte rejected a probe's whole file: the rest was good UTF-8."""
    from connectors.readers import read_raw

    raw = read_raw(FIXTURES / "undecodable.csv")     # a UTF-8 header, then T1 with ff fe fa
    assert raw.encoding == "utf-8 (some bytes invalid)" and raw.headers == ["记录编号", "姓名"]
    (error,) = raw.row_errors.to_pylist()
    assert error["row_number"] == 1
    assert error["reason"].startswith("row 1 holds bytes that are not valid UTF-8 (the rest of the file is UTF-8)")
    path = tmp_path / "damaged.csv"
    path.write_bytes((FIXTURES / "undecodable.csv").read_bytes() + "T2,张三\n".encode())
    assert read_raw(path).table.column("记录编号").to_pylist() == ["T2"]


_GBK_HEAD = "记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额\n"
_GBK_ROWS = [f"T{i},张三{i},,2024-03,工资薪金,{i}\n".encode("gbk") for i in range(1, 31)]


@pytest.mark.parametrize("damage", [b"T99,\xc0\xee\xff,,2024-03,\xb9\xa4\xd7\xca,5\n",   # 李 then a byte no GBK has
                                    b"T99,Jos\xe9,,2024-03,salary,5\n"],                   # a Latin-1 name
                         ids=["stray-0xff", "latin-1-name"])
def test_a_gbk_file_with_a_damaged_row_loads_its_other_rows_and_quarantines_that_one(tmp_path, damage):
    """One damaged byte rejected a whole GBK export, every good row of the night with it."""
    path = tmp_path / "个税.csv"
    path.write_bytes(_GBK_HEAD.encode("gbk") + b"".join(_GBK_ROWS[:10]) + damage + b"".join(_GBK_ROWS[10:]))
    result = read_source("tax", path)
    assert result.raw.encoding == "gb18030 (some bytes invalid)"
    assert result.rows.column("record_id").to_pylist() == [f"T{i}" for i in range(1, 31)]
    assert result.rows.column("name").to_pylist()[:2] == ["张三1", "张三2"]
    (error,) = result.errors.to_pylist()
    assert error["row_number"] == 11
    assert error["reason"].startswith("row 11 holds bytes that are not valid GBK/GB18030 (the rest of the file is "
                                      "GBK/GB18030): its text is damaged, so it was not loaded")


def test_a_gbk_file_damaged_on_many_rows_is_still_refused_whole(tmp_path):
    """Damage on a row in ten is no damaged row but another encoding, or a file to export again."""
    path = tmp_path / "个税.csv"
    rows = [r if i % 5 else b"T9%d,Jos\xe9,,2024-03,salary,5\n" % i for i, r in enumerate(_GBK_ROWS)]
    path.write_bytes(_GBK_HEAD.encode("gbk") + b"".join(rows))
    with pytest.raises(FileRejected) as info:
        read_source("tax", path)
    assert info.value.reason.startswith("the file is GBK/GB18030 text, but 6 of its lines hold bytes that are not "
                                        "(bytes e9 2c on line 2): more damage than the 5 lines (or one per 1,000)")
    assert "Save the file as" not in info.value.reason   # re-saving a GBK file as GBK fixes nothing


def test_a_workbook_whose_first_sheet_is_a_cover_says_so_not_how_to_separate_csv_columns(tmp_path):
    import xlsxwriter

    path = tmp_path / "个税.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("封面").write(0, 0, "2024年3月 个人所得税明细 导出说明")
    data = book.add_worksheet("明细")
    for c, h in enumerate(["记录编号", "纳税人姓名", "所属期", "所得项目", "收入额"]):
        data.write(0, c, h)
    book.close()
    with pytest.raises(FileRejected) as info:
        read_source("tax", path)
    assert "read from the workbook's first sheet, '封面'; its sheets are '封面', '明细'" in info.value.reason
    assert "separate columns with a comma" not in info.value.reason


_PAGE = "<html><body><table><tr><td>记录编号</td><td>纳税人姓名</td></tr><tr><td>U1</td><td>张三</td></tr></table></body></html>"
WEB_PAGES = [  # (how the page starts, file name or bytes)
    ("GBK with a meta charset, named .xls", "tax_web_export.xls"),
    ("UTF-8 BOM and blank lines first", b"\xef\xbb\xbf\r\n\r\n  " + _PAGE.encode()),
    ("a bare table in upper case", _PAGE.replace("<html><body>", "").upper().encode("gbk")),
    ("a doctype", b"<!DOCTYPE html>\n" + _PAGE.encode()),
    ("an XHTML declaration", b'<?xml version="1.0" encoding="utf-8"?>\n' + _PAGE.encode()),
    ("UTF-16 with its BOM", _PAGE.encode("utf-16")),
]


@pytest.mark.parametrize("source", [c[1] for c in WEB_PAGES], ids=[c[0] for c in WEB_PAGES])
def test_a_web_page_named_like_a_spreadsheet_is_rejected_as_such_without_quoting_it(tmp_path, source):
    """Probe: an HTML 'Excel export' was read as CSV and its rejection quoted the page, a name included."""
    if isinstance(source, bytes):
        path = tmp_path / "导出.xls"
        path.write_bytes(source)
    else:
        path = FIXTURES / source
    with pytest.raises(FileRejected) as info:
        read_source("tax", path)
    assert info.value.reason.startswith("文件是网页（HTML），不是工作簿或 CSV / the file is a web page (HTML)")
    assert "save it as an Excel Workbook (.xlsx), or export the data as CSV" in info.value.reason
    assert "张三" not in str(info.value) and "<" not in info.value.reason


ACCEPTED_NOTE = ("可接受的格式 / accepted formats: CSV (UTF-8, GBK or GB18030; comma, tab or | separated), XLSX, "
                 "JSON Lines or Parquet")
NOT_TABLES = [  # (file name, bytes, what the note must call it) — a probe's notes listed six missing columns
    ("bank_export.xml", b'<?xml version="1.0"?><rows><row><record_id>X1</record_id></row></rows>',
     "文件是 XML 文档，不是表格 / the file is an XML document, not a table"),
    ("rows.csv", b"\xef\xbb\xbf\n<rows><row>X1</row></rows>", "the file is an XML document, not a table"),
    ("汇总.xls", b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
                b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>',
     "the file is an Excel 2003 XML Spreadsheet, not a workbook Excel saves today"),
    ("web.xls", _PAGE.encode(), "文件是网页（HTML），不是工作簿或 CSV / the file is a web page (HTML)"),
    ("garbage.xlsx", b"not a zip\n", "文件是损坏的工作簿 / the file is a damaged workbook: it is named .xlsx "
                                    "but is not a valid Excel file"),
    ("garbage.xls", b"\x00\x01\x02junk" * 20, "the file is a damaged workbook: it is named .xls but"),
]


@pytest.mark.parametrize("name, data, what", NOT_TABLES, ids=[c[0] for c in NOT_TABLES])
def test_a_file_that_is_no_table_says_what_it_is_and_the_formats_accepted_not_missing_columns(tmp_path, name, data,
                                                                                             what):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FileRejected) as info:
        read_source("bank", path)
    assert what in info.value.reason
    assert info.value.reason.endswith(ACCEPTED_NOTE)
    assert "missing required column" not in info.value.reason and "X1" not in info.value.reason


def test_a_csv_named_like_a_workbook_still_loads(tmp_path):
    path = tmp_path / "tax.xls"   # systems export CSV under an Excel name; Excel opens it
    path.write_text("记录编号,纳税人姓名,所属期,所得项目,收入额\nT1,张三,2024-03,工资薪金,5200\n", encoding="gbk")
    assert read_source("tax", path).rows.num_rows == 1


def test_a_gbk_file_behind_a_utf8_byte_order_mark_reads_as_gbk(tmp_path):
    """An export probe: the clerk of a GBK file a tool had prefixed with a UTF-8 mark was told to save it
    as GBK."""
    path = tmp_path / "不动产登记.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _GBK_HEAD.encode("gbk") + b"".join(_GBK_ROWS[:3]))
    result = read_source("tax", path)
    assert result.raw.encoding == "gb18030" and result.errors.num_rows == 0
    assert result.rows.column("name").to_pylist() == ["张三1", "张三2", "张三3"]
