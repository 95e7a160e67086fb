"""Numbers stored as binary floats read as the digits the department meant, or are flagged as
shortened: never printed with digits the float invented."""

from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from connectors import read_raw, read_source
from connectors.cells import render_cell, render_column

FIXTURES = Path(__file__).parent / "fixtures" / "connectors"

RENDER_CELL_CASES = [  # (what the cell holds, text read)
    (140105198005159016.0, "1.40105198005159E+17"),   # an 18-digit ID typed into a number cell
    (140105198001010011.0, "1.4010519800101E+17"),    # G drops the trailing zero, as Excel does
    (-1.4e17, "-1.4E+17"),
    (1e20, "1E+20"),
    (float(2 ** 53), "9.00719925474099E+15"),         # the first whole float that is not exact
    (float(2 ** 53 - 1), "9007199254740991"),         # the last one that is
    (140105900307120.0, "140105900307120"),           # a legacy 15-digit ID fits: kept whole
    (5200.0, "5200"),
    (-0.0, "0"),
]


@pytest.mark.parametrize("value, text", RENDER_CELL_CASES, ids=[t for _, t in RENDER_CELL_CASES])
def test_a_whole_float_too_large_to_be_exact_renders_as_excel_shows_it(value, text):
    assert render_cell(value) == text


def test_an_18_digit_id_stored_as_a_number_in_a_workbook_is_flagged_not_invented():
    """Probe: 140105198005159016 stored as 1.40105198005159E+17 read back as 140105198005159008,
    which passed its check and was stored as the VALID ID of nobody."""
    rows = read_source("tax", FIXTURES / "tax_ids_as_numbers.xlsx").rows.to_pylist()
    by_record = {r["record_id"]: r for r in rows}
    shortened = by_record["T1"]
    assert (shortened["id_number"], shortened["id_status"]) == ("1.40105198005159E+17", "invalid")
    assert shortened["id_reason"] == ("1.40105198005159E+17 is a number shortened to 15 digits (the ID column was "
                                      "stored as numbers, as a spreadsheet does), its last digits are lost; export "
                                      "the ID column as text")
    assert shortened["id_birth_date"] is None  # nothing is read from digits that are not there
    assert (by_record["T2"]["id_number"], by_record["T2"]["id_status"]) == ("14010519900307120X", "repaired")
    assert (by_record["T3"]["id_number"], by_record["T3"]["id_status"]) == ("14010519900307104X", "valid")
    assert by_record["T1"]["income_amount"] == Decimal("5200.00")


NARROW_FLOAT_CASES = [  # (numpy type, stored values, texts read)
    (np.float32, [1234.56, 20000.0, 0.1, 1e-7, -3.25, 123456.7, np.nan],
     ["1234.56", "20000", "0.1", "0.0000001", "-3.25", "123456.7", None]),
    (np.float32, [140105900307120.0, 2.0 ** 24 - 1, 2.0 ** 24, 1e20],   # past 2**24 float32 is not exact
     ["1.401059E+14", "16777215", "1.677722E+07", "1E+20"]),
    (np.float16, [1.5, 0.1, 2047.0, 65504.0], ["1.5", "0.1", "2047", "6.55E+04"]),
]


@pytest.mark.parametrize("numpy_type, values, texts", NARROW_FLOAT_CASES,
                         ids=["float32", "float32-large", "float16"])
def test_a_narrow_float_column_renders_by_its_own_shortest_text(numpy_type, values, texts):
    column = pa.chunked_array([pa.array(np.array(values, dtype=numpy_type))])
    assert render_column(column).to_pylist() == texts


def test_money_in_a_float32_parquet_column_loads_as_written():
    """Probe: 1234.56 in float32 is 1234.56005859375, and its row was quarantined for 3+ decimals."""
    result = read_source("bank", FIXTURES / "bank_float32.parquet")
    assert result.errors.num_rows == 0
    assert result.rows.column("balance").to_pylist() == [Decimal("1234.56"), Decimal("20000.00"), Decimal("0.10")]
    assert read_raw(FIXTURES / "bank_float32.parquet").table.column("证件号码").to_pylist() == [
        None, None, "1.401059E+14"]
    assert result.rows.column("id_status").to_pylist() == ["missing", "missing", "invalid"]


def test_a_month_stored_as_the_number_2024_point_1_in_a_workbook_is_quarantined_not_read_as_january(tmp_path):
    """Probe: 所属期 typed as 2024.10 in a number cell (Excel keeps 2024.1) loaded as January 2024,
    outside the window: the household's October wage vanished and it passed."""
    import xlsxwriter

    path = tmp_path / "tax_number_months.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([("记录编号", "纳税人姓名", "证件号码", "所属期", "所得项目", "收入额"),
                             ("T1", "张三", "14010519900307104X", 2024.10, "工资薪金", 7800),
                             ("T2", "张三", "14010519900307104X", 2024.11, "工资薪金", 7800)]):
        sheet.write_row(r, 0, row)
    book.close()
    canon = read_source("tax", path)
    assert [(r["record_id"], r["period"].isoformat()) for r in canon.rows.to_pylist()] == [("T2", "2024-11-01")]
    (error,) = canon.errors.to_pylist()
    assert (error["row_number"], error["field"]) == (1, "period")
    assert "2024.1 could be January or October" in error["reason"]


def test_json_numbers_keep_the_digits_written_when_arrow_would_make_them_floats(tmp_path):
    """An export probe, JSON Lines written by a spreadsheet-minded exporter:
    - a 20-digit record number as a JSON number became the float 1.00120240601E+19, so two records
      shared one key and the second night's replaced the first's;
    - one line's ID written as a float (1.40105197005094e+17) made Arrow read the whole column as
      floats, and five exact IDs written as integers were flagged as shortened by Excel;
    - that float ID itself gained three zeros and became another applicant's valid ID."""
    lines = [
        '{"记录编号": 10012024060100000001, "纳税人姓名": "张三", "证件号码": 140105197403071058, '
        '"所属期": "2024-05", "所得项目": "工资薪金", "收入额": 6000.5}',
        '{"记录编号": 10012024060100000002, "纳税人姓名": "李四", "证件号码": 140105200207191137, '
        '"所属期": "2024-05", "所得项目": "工资薪金", "收入额": 500}',
        '{"记录编号": 10012024060100000003, "纳税人姓名": "王五", "证件号码": 1.40105197005094e+17, '
        '"所属期": "2024-05", "所得项目": "工资薪金", "收入额": 300}',
    ]
    path = tmp_path / "iit.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = {r["record_id"]: r for r in read_source("tax", path).rows.to_pylist()}
    assert sorted(rows) == ["10012024060100000001", "10012024060100000002", "10012024060100000003"]
    assert [(rows[k]["id_number"], rows[k]["id_status"]) for k in sorted(rows)] == [
        ("140105197403071058", "valid"), ("140105200207191137", "valid"), ("1.40105197005094E+17", "invalid")]
    assert rows["10012024060100000001"]["income_amount"] == Decimal("6000.50")


def test_a_json_number_written_in_fewer_digits_than_its_size_keeps_that_form():
    assert render_cell(Decimal("1.40105197005094E+17")) == "1.40105197005094E+17"
    assert render_cell(Decimal("1234.50")) == "1234.50"
    assert render_cell(Decimal("10012024060100000001")) == "10012024060100000001"


def test_a_record_id_stored_as_a_float_is_refused_not_merged_with_its_neighbour(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "iit.parquet"
    pq.write_table(pa.table({"record_id": [1.0012024060100000001e19, 1.0012024060100000002e19, 5.0],
                             "name": ["张三", "李四", "王五"], "period": ["2024-05"] * 3,
                             "income_item": ["工资薪金"] * 3, "income_amount": [100.0, 200.0, 300.0]}), path)
    canon = read_source("tax", path)
    assert canon.rows.column("record_id").to_pylist() == ["5"]
    assert [e["reason"] for e in canon.errors.to_pylist()] == [
        f"record_id 1.00120240601E+19 is a number shortened to 15 digits (the column was stored as floating-point "
        f"numbers): records can no longer be told apart by it; export record_id as text"] * 2


@pytest.mark.parametrize("marker", ["\\N", "无", "NULL", "-"])
def test_a_null_marker_in_an_optional_amount_or_id_is_empty_not_a_bad_value(tmp_path, marker):
    """An export probe: a MySQL/Hive dump writes `\\N` for empty, and 已缴税额 `\\N` or `无` cost
    the row ("not an amount of money"); 证件号码 `无` was kept as an invalid ID."""
    path = tmp_path / "iit.csv"
    path.write_text("记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额,已缴税额\n"
                    f"T1,张三,{marker},2024-05,工资薪金,3000,{marker}\n", encoding="utf-8")
    canon = read_source("tax", path)
    assert canon.errors.num_rows == 0
    row = canon.rows.to_pylist()[0]
    assert (row["tax_paid"], row["id_number"], row["id_status"]) == (None, None, "missing")
