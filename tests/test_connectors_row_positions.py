"""Row numbers are positions below the header, blank lines included, in every format.

A clerk looks a quarantined row up in the file: in Excel or an editor a blank line takes a row,
so a row's number is its position below the header counting blank lines, whatever format the
delivery came in. A quoted value spanning lines is one row (as Excel shows it; see
`test_connectors_roundtrip`), numbered where its record starts.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest

from connectors import read_raw, read_source

HEADER = ["记录编号", "纳税人姓名", "所属期", "所得项目", "收入额"]
BLANK = None
# header, R1, a blank line, R2, R3 (bad: a negative amount): R3 is data row 4 (line 5).
DELIVERY = [["R1", "张三", "2024-03", "工资薪金", "1200"],
            BLANK,
            ["R2", "王𠮷", "2024-03", "工资薪金", "800.5"],
            ["R3", "李四", "2024-03", "工资薪金", "-5"]]
EXPECTED_ROWS = [("R1", 1), ("R2", 3)]
EXPECTED_ERRORS = [(4, "income_amount")]


@dataclass(frozen=True)
class Case:
    """One spelling of a delivery: format plus, for text, encoding, delimiter and quirks."""
    id: str
    fmt: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ","
    newline: str = "\n"
    quote_all: bool = False
    multiline: bool = False   # R1's name and R2's name hold line breaks (R2's a blank line) inside quotes
    blanks: int = 1           # blank lines where the delivery has one
    blank_after_header: bool = False


def _rows(case: Case, rows: list) -> list:
    out = []
    if case.blank_after_header:
        out.append(BLANK)
    for row in rows:
        if row is BLANK:
            out.extend([BLANK] * case.blanks)
            continue
        row = list(row)
        if case.multiline and row[0] == "R1":
            row[1] = "张\n三"
        if case.multiline and row[0] == "R2":
            row[1] = "王\n\n𠮷"   # a blank line inside a quoted value is part of the value, not a row
        out.append(row)
    return out


def _csv_bytes(case: Case, rows: list) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=case.delimiter, lineterminator=case.newline,
                        quoting=csv.QUOTE_ALL if case.quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in _rows(case, rows):
        if row is BLANK:
            buffer.write(case.newline)
        else:
            writer.writerow(row)
    return buffer.getvalue().encode(case.encoding)


def _jsonl_bytes(case: Case, rows: list) -> bytes:
    lines = ["" if row is BLANK else json.dumps(dict(zip(HEADER, row)), ensure_ascii=False)
             for row in _rows(case, rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(case: Case, rows: list, path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([HEADER] + _rows(case, rows)):
        for c, value in enumerate(row or []):
            if value is not None:
                sheet.write_string(r, c, value)
    book.close()


def _write(tmp_path, case: Case, rows: list):
    path = tmp_path / f"delivery.{case.fmt}"
    if case.fmt == "xlsx":
        _xlsx(case, rows, path)
    else:
        path.write_bytes(_jsonl_bytes(case, rows) if case.fmt == "jsonl" else _csv_bytes(case, rows))
    return path


CASES = [
    Case("csv-utf8-comma"),
    Case("csv-utf8-bom-comma-crlf", encoding="utf-8-sig", newline="\r\n"),
    Case("csv-gbk-comma", encoding="gb18030"),       # 𠮷 needs GB18030; the rest is GBK
    Case("csv-gb18030-tab", encoding="gb18030", delimiter="\t"),
    Case("csv-gb18030-pipe", encoding="gb18030", delimiter="|"),
    Case("csv-utf8-pipe-quoted", delimiter="|", quote_all=True),
    Case("csv-utf8-tab-crlf-quoted", delimiter="\t", newline="\r\n", quote_all=True),
    Case("csv-utf16-tab", encoding="utf-16", delimiter="\t", newline="\r\n"),
    Case("csv-utf8-multiline-values", multiline=True),
    Case("csv-utf8-bom-multiline-values-crlf", encoding="utf-8-sig", newline="\r\n", multiline=True),
    Case("csv-gb18030-multiline-values", encoding="gb18030", multiline=True),
    Case("csv-gb18030-tab-multiline-values-quoted", encoding="gb18030", delimiter="\t", multiline=True,
         quote_all=True),
    Case("csv-gb18030-pipe-multiline-values", encoding="gb18030", delimiter="|", multiline=True),
    Case("jsonl", fmt="jsonl"),
    Case("xlsx", fmt="xlsx", encoding=""),
]


def _outcome(path):
    result = read_source("tax", path)
    rows = [(r["record_id"], r["row_number"]) for r in result.rows.select(["record_id", "row_number"]).to_pylist()]
    errors = [(e["row_number"], e["field"]) for e in result.errors.to_pylist()]
    return rows, errors


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_delivery_with_a_blank_line_numbers_its_rows_by_position_in_every_format(tmp_path, case):
    rows, errors = _outcome(_write(tmp_path, case, DELIVERY))
    assert rows == EXPECTED_ROWS
    assert errors == EXPECTED_ERRORS


SHIFTED = [  # (case, how far the rows move down: the extra blank lines)
    (Case("csv-three-blank-lines", blanks=3), 2),
    (Case("csv-blank-line-after-header", blank_after_header=True), 1),
    (Case("csv-gbk-crlf-blank-line-after-header", encoding="gb18030", newline="\r\n", blank_after_header=True,
          blanks=2), 2),
    (Case("jsonl-three-blank-lines", fmt="jsonl", blanks=3), 2),
    (Case("jsonl-blank-line-first", fmt="jsonl", blank_after_header=True), 1),
    (Case("xlsx-three-blank-rows", fmt="xlsx", blanks=3), 2),
    (Case("xlsx-blank-row-after-header", fmt="xlsx", blank_after_header=True), 1),
]


@pytest.mark.parametrize("case, shift", SHIFTED, ids=[c.id for c, _ in SHIFTED])
def test_more_blank_lines_move_the_rows_below_them_alike_in_every_format(tmp_path, case, shift):
    rows, errors = _outcome(_write(tmp_path, case, DELIVERY))
    first = 1 + (1 if case.blank_after_header else 0)
    assert rows == [("R1", first), ("R2", 3 + shift)]
    assert errors == [(4 + shift, "income_amount")]


# Lines that are not records keep their positions: a spreadsheet's empty row (separators only),
# a repeated header, a totals and a footer line, each among blank lines.
NOT_RECORDS = [["T1", "张三", "2024-03", "工资薪金", "1200"],   # 1
               BLANK,                                            # 2
               ["", "", "", "", ""],                             # 3: separators only
               HEADER,                                           # 4: the header again
               BLANK,                                            # 5
               ["T2", "李四", "2024-03", "工资薪金", "800"],     # 6
               ["合计", "", "", "", "2000"],                     # 7
               BLANK,                                            # 8
               ["制表人：王五", "", "", "", ""],                 # 9
               ["T3", "赵六", "2024-13", "工资薪金", "5"]]       # 10: bad month
NOT_RECORD_CASES = [Case("csv-utf8"), Case("csv-gbk-crlf", encoding="gb18030", newline="\r\n"),
                    Case("csv-gb18030-pipe", encoding="gb18030", delimiter="|"),
                    Case("csv-utf8-tab-quoted", delimiter="\t", quote_all=True),
                    Case("xlsx", fmt="xlsx", encoding="")]


@pytest.mark.parametrize("case", NOT_RECORD_CASES, ids=[c.id for c in NOT_RECORD_CASES])
def test_lines_that_are_not_records_keep_their_positions_among_blank_lines(tmp_path, case):
    result = read_source("tax", _write(tmp_path, case, NOT_RECORDS))
    assert result.rows.select(["record_id", "row_number"]).to_pylist() == [
        {"record_id": "T1", "row_number": 1}, {"record_id": "T2", "row_number": 6}]
    errors = [(e["row_number"], e["field"], e["reason"].split(" ")[:2]) for e in result.errors.to_pylist()]
    assert errors == [(4, None, ["row", "4"]), (7, None, ["row", "7"]), (9, None, ["row", "9"]),
                      (10, "period", ["'2024-13'", "is"])]


ROW_ERROR_CASES = [  # (id, file bytes, row numbers of the good rows, (row number, reason starts) of the row errors)
    ("ragged-row-below-blank-lines",
     "记录编号,纳税人姓名,所属期,所得项目,收入额\nR1,张三,2024-03,工资薪金,1\n\n\nR2,李四,2024-03,工资薪金\n"
     "R3,王五,2024-03,工资薪金,3\n".encode(), [1, 5], [(4, "the row has 4 fields")]),
    ("ragged-row-below-a-multiline-value-and-a-blank-line",
     '记录编号,纳税人姓名,所属期,所得项目,收入额\nR1,"张\n\n三",2024-03,工资薪金,1\n\nR2,李四\n'
     "R3,王五,2024-03,工资薪金,3\n".encode("gbk"), [1, 4], [(3, "the row has 2 fields")]),
    ("truncated-last-row-below-blank-lines",
     "记录编号,纳税人姓名,所属期,所得项目,收入额\nR1,张三,2024-03,工资薪金,1\n\nR2,李四,2024-03,工资薪金,2\n\n"
     "R3,王五,20".encode(), [1, 3], [(5, "the file ends in the middle of this row")]),
    ("damaged-utf8-row-below-a-blank-line",
     "记录编号,纳税人姓名,所属期,所得项目,收入额\nR1,张三,2024-03,工资薪金,1\n\n".encode()
     + "R2,李".encode() + b"\xff" + ",2024-03,工资薪金,2\nR3,王五,2024-03,工资薪金,3\n".encode(),
     [1, 4], [(3, "row 3 holds bytes that are not valid UTF-8")]),
]


@pytest.mark.parametrize("data, good, bad", [c[1:] for c in ROW_ERROR_CASES], ids=[c[0] for c in ROW_ERROR_CASES])
def test_rows_the_reader_cannot_split_are_numbered_by_position_too(tmp_path, data, good, bad):
    path = tmp_path / "tax.csv"
    path.write_bytes(data)
    raw = read_raw(path)
    assert raw.table.column("row_number").to_pylist() == good
    assert [(e["row_number"], e["reason"][:len(reason)]) for e, (_, reason) in
            zip(raw.row_errors.to_pylist(), bad)] == bad
    assert raw.rows_read == len(good) + len(bad)   # blank lines are not rows
