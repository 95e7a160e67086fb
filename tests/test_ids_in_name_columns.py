"""An ID number typed into a name column (or any other free-text cell) is a row error, and it
never reaches anything a person reads: rejection notes, review sheets, reports, the analyst copy.

Found by a black-box tester: an applicant row whose name was its ID number was rejected, but
`errors.csv` quoted the name in full; a vehicle row whose name was `14010519900515456X` (the X
counted as a letter) loaded, became a review question and printed the ID on review.html/xlsx.
"""

from __future__ import annotations

import csv
import json
from datetime import date

import duckdb
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook

from connectors.columns import parse_field
from connectors.schema import TABLES
from connectors.values.names import normalise_name
from pipelines.passes import run_pass
from pipelines.row_errors import _lines
from pipelines.snapshot import pseudonymise
from reports.html import environment
from reports.masking import find_full_ids
from reports.summary import summary_xlsx
from review import review_rows, write_review_sheet
from review_support import ID_LI, build_warehouse

AS_OF = date(2026, 11, 28)
AGENCY = "jinyuan"
APPLICANT_ID = "140105198501011117"
VEHICLE_NAME_ID = "14010519900515456X"

# The tester's rows, as the agency and the vehicle register sent them, each beside a good row.
REQUEST_CSV = (
    "request_id,agency,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
    f"REQ-P-0020,,dibao,HH140105-00501,140105,1,{APPLICANT_ID},{APPLICANT_ID},户主,SQ-20\n"
    "REQ-P-0020,,dibao,HH140105-00502,140105,1,王芳,140105199003071045,户主,SQ-21\n")
VEHICLE_CSV = (
    "record_id,name,id_number,plate_number,vehicle_type,registration_date,purchase_price,status\n"
    f"PROBE-V-003,{VEHICLE_NAME_ID},140105900515456,晋A9P003,小型轿车,2025/7/1,¥90000,正常\n"
    "PROBE-V-004,王芳,140105199003071045,晋A9P004,小型轿车,2025/7/1,¥90000,正常\n")
LEAKS = (APPLICANT_ID, VEHICLE_NAME_ID, VEHICLE_NAME_ID.lower())


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    root = tmp_path_factory.mktemp("id-in-name") / "root"
    (root / "inbox" / AGENCY).mkdir(parents=True)
    (root / "landing" / "vehicle").mkdir(parents=True)
    (root / "inbox" / AGENCY / "req.csv").write_text(REQUEST_CSV, encoding="utf-8")
    (root / "landing" / "vehicle" / "jdc.csv").write_text(VEHICLE_CSV, encoding="utf-8")
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    return root, summary


def _errors_csv(path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_an_id_typed_into_the_name_column_is_masked_in_errors_csv(probed):
    root, _ = probed
    (listed,) = _errors_csv(root / "rejected" / AGENCY / "req.csv.errors.csv")
    assert (listed["row_number"], listed["household_id"], listed["field"]) == ("1", "HH140105-00501", "name")
    assert listed["name"] == "140105********1117" and listed["value"] == "140105********1117"


def test_a_source_row_whose_name_is_an_id_number_is_a_row_error(probed):
    root, summary = probed
    assert summary["rows_quarantined"] == 2
    (listed,) = _errors_csv(root / "rejected" / "vehicle" / "jdc.csv.errors.csv")
    assert (listed["row_number"], listed["field"], listed["name"]) == ("1", "name", "140105********456X")
    assert "ID number" in listed["reason"]
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        assert [r for (r,) in con.execute("SELECT record_id FROM vehicle_all ORDER BY 1").fetchall()] == ["PROBE-V-004"]
    finally:
        con.close()


def test_an_id_in_a_name_column_reaches_no_human_facing_file(probed):
    root, _ = probed
    files = [p for folder in ("outbox", "rejected", "quality") for p in (root / folder).rglob("*")
             if p.is_file() and p.name.endswith((".html", ".json", ".csv", ".txt", ".xlsx"))]
    assert any(p.name.endswith(".errors.csv") for p in files)
    for p in files:
        if p.suffix == ".xlsx":
            wb = CalamineWorkbook.from_path(str(p))
            text = "\n".join(str(c) for s in wb.sheet_names for row in wb.get_sheet_by_name(s).to_python() for c in row)
        else:
            text = p.read_text(encoding="utf-8-sig", errors="replace")
        assert not find_full_ids(text) and not [x for x in LEAKS if x in text], p


def test_the_analyst_copy_holds_no_id_quoted_from_a_rejected_name(probed):
    root, _ = probed
    con = duckdb.connect(str(root / "analyst.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT field, reason, raw_value, raw_row FROM quarantine ORDER BY ALL").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == ["name", "name"]
    assert not [x for r in rows for x in LEAKS if x in " ".join(map(str, r))]


@pytest.mark.parametrize("table", sorted(t for t, spec in TABLES.items() if any(f.kind == "name" for f in spec.fields)))
@pytest.mark.parametrize("raw", [VEHICLE_NAME_ID, APPLICANT_ID, "140105900515456", "张三140105198501011117",
                                 "１４０１０５１９９００５１５４５６Ｘ"])
def test_every_tables_name_refuses_an_id_number(table, raw):
    field = next(f for f in TABLES[table].fields if f.kind == "name")
    parsed = parse_field(field, pa.chunked_array([pa.array([raw, "王芳"])]), "姓名")
    errors = parsed.errors.to_pylist()
    assert "ID number" in errors[0] and errors[1] is None
    assert not find_full_ids(errors[0])  # the reason does not quote the value


@pytest.mark.parametrize("raw", ["X12", "A1234567", "1号2号3"])
def test_a_name_that_is_mostly_digits_is_refused(raw):
    with pytest.raises(ValueError, match="mostly digits"):
        normalise_name(raw)


@pytest.mark.parametrize("name", ["张三", "阿依古丽·买买提", "John Smith", "李4", "王伟2"])
def test_names_with_a_digit_or_two_still_load(name):
    assert normalise_name(name) == name


def test_every_quoted_cell_of_a_rejected_row_is_masked_in_the_error_lines():
    """Any column of the sender's row can hold an ID; a JSON or spreadsheet file gives numbers."""
    raw_row = json.dumps({"申请编号": APPLICANT_ID, "家庭编号": f"户{APPLICANT_ID}", "成员序号": int(APPLICANT_ID),
                          "姓名": f"张三 {VEHICLE_NAME_ID}"}, ensure_ascii=False)
    (line,) = _lines([{"row_number": 3, "field": "member_no", "reason": f"{APPLICANT_ID} is not a member number",
                       "raw_value": APPLICANT_ID, "raw_row": raw_row}], "applicants")
    assert line["request_id"] == "140105********1117" and line["household_id"] == "户140105********1117"
    assert line["member_no"] == "140105********1117" and line["name"] == "张三 140105********456X"
    assert line["value"] == "140105********1117" and not find_full_ids(json.dumps(line, ensure_ascii=False))


@pytest.fixture
def review_con(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


def test_a_department_name_holding_an_id_is_masked_on_the_review_sheet_and_page(review_con, tmp_path):
    review_con.execute("UPDATE vehicle_all SET name = ?, name_raw = ? WHERE record_id = 'V1'",
                       [VEHICLE_NAME_ID, VEHICLE_NAME_ID])
    sheet, page = write_review_sheet(tmp_path / "out", review_rows(review_con, "R1"), "taiyuan", "R1")
    cells = [str(c) for row in CalamineWorkbook.from_path(str(sheet)).get_sheet_by_index(0).to_python() for c in row]
    html = page.read_text(encoding="utf-8")
    for text in ("\n".join(cells), html):
        assert VEHICLE_NAME_ID not in text and not find_full_ids(text)
        assert "140105********456X" in text


def test_the_review_writers_mask_ids_in_rows_handed_to_them_unscrubbed(review_con, tmp_path):
    rows = review_rows(review_con, "R1")
    for r in rows:
        r["record"]["name"] = ID_LI
        r["member"]["relation"] = f"户主 {APPLICANT_ID}"
    sheet, page = write_review_sheet(tmp_path / "out", rows, "taiyuan", "R1")
    cells = [str(c) for row in CalamineWorkbook.from_path(str(sheet)).get_sheet_by_index(0).to_python() for c in row]
    for text in ("\n".join(cells), page.read_text(encoding="utf-8")):
        assert ID_LI not in text and APPLICANT_ID not in text and not find_full_ids(text)


def test_report_pages_and_the_summary_workbook_mask_ids_in_text_they_print(tmp_path):
    assert environment().from_string("{{ name }}").render(name=VEHICLE_NAME_ID) == "140105********456X"
    row = {"request_id": f"R-{APPLICANT_ID}", "household_id": f"户{APPLICANT_ID}", "program_label": "低保",
           "county_name": None, "county_code": "140105", "members": 1, "monthly_per_capita": 100,
           "income_standard": 800, "financial_per_capita": 0, "vehicles": 0, "properties": 0,
           "outcome": {"css": "pass", "label": "通过"}, "finding_counts": {"fail": 0, "warn": 0, "info": 0},
           "review_count": 0, "not_authorised": 0}
    target = tmp_path / "summary.xlsx"
    summary_xlsx(str(target), [], rows=[row])
    wb = CalamineWorkbook.from_path(str(target))
    text = "\n".join(str(c) for s in wb.sheet_names for r in wb.get_sheet_by_name(s).to_python() for c in r)
    assert APPLICANT_ID not in text and "户140105********1117" in text


def test_the_analyst_copy_masks_ids_in_name_columns():
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE vehicle_all (record_id VARCHAR, name VARCHAR, name_raw VARCHAR, id_number VARCHAR)")
        con.execute("INSERT INTO vehicle_all VALUES ('V3', ?, ?, NULL), ('V4', '王芳', '王芳', NULL)",
                    [VEHICLE_NAME_ID, VEHICLE_NAME_ID])
        con.execute("CREATE TABLE match_name_keys (name VARCHAR, name_std VARCHAR, pinyin VARCHAR, version INTEGER)")
        con.execute("INSERT INTO match_name_keys VALUES (?, ?, ?, 1)", [VEHICLE_NAME_ID] * 3)
        pseudonymise(con, b"k")
        assert con.execute("SELECT name, name_raw FROM vehicle_all ORDER BY record_id").fetchall() == [
            ("[ID]", "[ID]"), ("王芳", "王芳")]
        assert con.execute("SELECT name, name_std, pinyin FROM match_name_keys").fetchall() == [("[ID]",) * 3]
    finally:
        con.close()


def test_the_analyst_copy_masks_an_id_written_into_a_consent_reference():
    """A privacy probe: 授权<the member's ID> came out in full in applicant_members and audit."""
    con = duckdb.connect()
    try:
        for table in ("applicant_members", "audit"):
            con.execute(f"CREATE TABLE {table} (household_id VARCHAR, consent_ref VARCHAR)")
            con.execute(f"INSERT INTO {table} VALUES ('H1', ?), ('H2', 'SQ-2026-001')", [f"授权{APPLICANT_ID}"])
        pseudonymise(con, b"k")
        for table in ("applicant_members", "audit"):
            assert con.execute(f"SELECT consent_ref FROM {table} ORDER BY household_id").fetchall() == [
                ("授权[ID]",), ("SQ-2026-001",)]
    finally:
        con.close()


def test_an_id_typed_with_spaces_into_the_name_column_is_masked_in_the_error_lines():
    spaced = "140105 19850101 1117"
    (line,) = _lines([{"row_number": 1, "field": "name", "reason": "the value is not a name",
                       "raw_value": spaced, "raw_row": json.dumps({"姓名": spaced}, ensure_ascii=False)}],
                     "applicants")
    assert line["name"] == line["value"] == "140105********1117"
