"""Header names map to fields however a department spells them."""

import re

import pytest

from connectors import FileRejected, map_headers
from connectors.schema import TABLES

TAX_REQUIRED = ["记录编号", "纳税人姓名", "所属期", "所得项目"]

HEADER_CASES = [
    {"header": "收入额", "field": "income_amount"},
    {"header": "income_amount", "field": "income_amount"},
    {"header": " INCOME_AMOUNT ", "field": "income_amount"},
    {"header": "ｉｎｃｏｍｅ＿ａｍｏｕｎｔ", "field": "income_amount"},
    {"header": "收 入 额", "field": "income_amount"},
    {"header": "*收入额", "field": "income_amount"},
    {"header": "收入额（元）", "field": "income_amount"},
    {"header": "收入额(元)", "field": "income_amount"},
    {"header": "收入", "field": "income_amount"},
    {"header": "收入额\n（元）", "field": "income_amount"},        # a cell broken over two lines
]


@pytest.mark.parametrize("case", HEADER_CASES, ids=[c["header"] for c in HEADER_CASES])
def test_header_spellings_that_map_to_a_field(case):
    mapping = map_headers(TABLES["tax"], TAX_REQUIRED + [case["header"]])
    assert mapping[case["header"]] == case["field"]


@pytest.mark.parametrize("header", ["所属期（年月）", "所属期\n(年月)", "所属期(yyyy-mm)", "所属期（YYYYMM）"])
def test_a_months_layout_said_beside_its_header_still_names_the_field(header):
    """An export probe's `所属期\n（年月）` left the file without a period column, and it was rejected."""
    mapping = map_headers(TABLES["tax"], ["记录编号", "纳税人姓名", header, "所得项目", "收入额"])
    assert mapping[header] == "period"


def test_a_unit_that_changes_the_value_names_its_field_and_scales_each_cell(tmp_path):
    """Probe: `共有份额(%)` went to `extra` and a half-owned flat counted whole; `购置价格（万元）` left
    the car without a price, with nothing said."""
    from connectors import read_source

    assert map_headers(TABLES["tax"], TAX_REQUIRED + ["收入额（万元）"])["收入额（万元）"] == "income_amount"
    homes = tmp_path / "property.csv"
    homes.write_text("记录编号,权利人,证件号码,不动产权证号,坐落,用途,建筑面积(㎡),共有份额(%),登记日期,权属状态\n"
                     "P1,张三,,晋(2015)1号,太原市小店区1号,住宅,95.2,50,2015-01-01,现势\n"
                     "P2,李四,,晋(2015)2号,太原市小店区2号,住宅,80,1/2,2015-01-01,现势\n", encoding="utf-8")
    assert read_source("property", homes).rows.column("share").to_pylist() == [0.5, 0.5]
    cars = tmp_path / "vehicle.csv"
    cars.write_text("记录编号,机动车所有人,证件号码,号牌号码,车辆类型,初次登记日期,购置价格（万元）,机动车状态\n"
                    "V1,张三,,晋A12345,小型轿车,2020-01-01,15.8,正常\n"
                    "V2,张三,,晋A12346,小型轿车,2020-01-01,158000元,正常\n", encoding="utf-8")
    assert [float(v) for v in read_source("vehicle", cars).rows.column("purchase_price").to_pylist()] == [158000, 158000]


@pytest.mark.parametrize("header", ["收入额（千元）", "收入额(亿元)", "收入额（%）"])
def test_a_unit_a_field_cannot_be_read_in_rejects_the_file_naming_the_column(header):
    with pytest.raises(FileRejected, match=f"column '{re.escape(header)}' gives 'income_amount' in .*accepted: 元"):
        map_headers(TABLES["tax"], TAX_REQUIRED + [header])


def test_unknown_headers_are_left_for_extra():
    mapping = map_headers(TABLES["tax"], TAX_REQUIRED + ["收入额", "备注", "经办人"])
    assert "备注" not in mapping and "经办人" not in mapping


def test_same_alias_means_different_fields_in_different_tables():
    assert map_headers(TABLES["vehicle"], ["记录编号", "所有人", "号牌号码", "车辆类型", "登记日期", "状态"])[
        "登记日期"] == "registration_date"
    assert map_headers(TABLES["bank"], ["记录编号", "户名", "开户行", "产品类型", "金额", "查询日期"])[
        "金额"] == "balance"


def test_several_missing_columns_are_all_named():
    with pytest.raises(FileRejected) as info:
        map_headers(TABLES["bank"], ["记录编号", "户名", "开户行"], "bank.csv")
    assert "missing required column 'product_type' (accepted headers: product_type, 产品类型)" in info.value.reason
    assert "missing required column 'as_of_date'" in info.value.reason
    assert info.value.reason.endswith("found columns: 记录编号, 户名, 开户行")


ID_TABLES = sorted(name for name, table in TABLES.items() if "id_number" in table.names)


@pytest.mark.parametrize("table", ID_TABLES)
@pytest.mark.parametrize("header", ["身份证号码", "公民身份证号码", " 身份证号码 ", "*身份证号码"])
def test_the_usual_id_headers_name_the_id_column_in_every_table(table, header):
    others = [f.name for f in TABLES[table].required if f.name != "id_number"]
    assert map_headers(TABLES[table], [header] + others)[header] == "id_number"


def test_a_tax_file_headed_with_身份证号码_loads_its_ids(tmp_path):
    """Probe: the ID column of such a file landed in `extra` and its rows were linked by name alone."""
    from connectors import read_source

    path = tmp_path / "tax.csv"
    path.write_text("记录编号,纳税人姓名,身份证号码,所属期,所得项目,收入额\n"
                    "T1,张三,14010519900307104x,2024-03,工资薪金,5200\n"
                    "T2,李四,140105900307120,2024-03,工资薪金,3000\n", encoding="utf-8")
    rows = read_source("tax", path).rows
    assert rows.select(["id_number", "id_status"]).to_pylist() == [
        {"id_number": "14010519900307104X", "id_status": "valid"},
        {"id_number": "14010519900307120X", "id_status": "repaired"}]
    assert rows.column("extra").to_pylist() == [None, None]


HEADED_WITH_LINE_BREAKS = (
    'record_id,name,id_number,period,income_item,"收入额\n（元）","备注 \r\n （说明）"\n'
    "H1,张三,14010519900307104x,2025-05,工资薪金,1900.00,无\n"
    'H2,李四,,2025-05,工资薪金,"2000.00",无\n')


def test_a_csv_header_cell_holding_a_line_break_is_one_header_read_without_it(tmp_path):
    """Probe: Excel's Alt+Enter in a header cell split the header; its rest became a phantom data
    row 1 (or, under a required column, the whole file was refused as ragged)."""
    from connectors import read_source

    path = tmp_path / "tax.csv"
    path.write_bytes(HEADED_WITH_LINE_BREAKS.encode("utf-8"))
    result = read_source("tax", path)
    assert result.mapping["收入额（元）"] == "income_amount"
    assert result.extras == ["备注（说明）"]
    assert result.errors.num_rows == 0
    assert result.rows.select(["row_number", "record_id"]).to_pylist() == [
        {"row_number": 1, "record_id": "H1"}, {"row_number": 2, "record_id": "H2"}]


def test_an_unknown_header_with_a_line_break_is_named_without_it_beside_the_accepted_headers(tmp_path):
    from connectors import read_source

    path = tmp_path / "tax.csv"
    path.write_text('记录编号,纳税人姓名,所属期,所得项目,"收入\n金额"\nT1,张三,2024-03,工资薪金,5200\n',
                    encoding="utf-8")
    with pytest.raises(FileRejected) as info:
        read_source("tax", path)
    assert "missing required column 'income_amount' (accepted headers: income_amount, 收入额" in info.value.reason
    assert info.value.reason.endswith("found columns: 记录编号, 纳税人姓名, 所属期, 所得项目, 收入金额")
