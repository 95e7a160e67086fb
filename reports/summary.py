"""summary.xlsx: one row per household of a request, for the caseworker's worklist.

Written with xlsxwriter.  Text goes in with ``write_string`` after
``escape_formula`` (a name or id starting with ``=``/``+``/``-``/``@`` can never
become a formula, in Excel, WPS or when re-saved as CSV); numbers are written
as numbers with a money format, missing values as empty cells.  Chinese
headers, a frozen header row, an autofilter and sensible column widths.
"""

from __future__ import annotations

from typing import IO, Any, Iterable

import xlsxwriter

from . import formatting as fmt
from .masking import escape_formula, scrub_text
from .view import index_row

__all__ = ["COLUMNS", "summary_xlsx"]

# (header, width, kind, getter)
COLUMNS: list[tuple[str, int, str, Any]] = [
    ("申请编号", 20, "text", lambda r: r["request_id"]),
    ("家庭编号", 18, "text", lambda r: r["household_id"]),
    ("救助类别", 14, "text", lambda r: r["program_label"]),
    ("区县", 12, "text", lambda r: r["county_name"] if not fmt.missing(r["county_name"]) else r["county_code"]),
    ("区县代码", 10, "text", lambda r: r["county_code"]),
    ("家庭人数", 9, "int", lambda r: r["members"]),
    ("月人均收入(元)", 14, "money", lambda r: r["monthly_per_capita"]),
    ("收入标准(元)", 12, "money", lambda r: r["income_standard"]),
    ("人均金融资产(元)", 16, "money", lambda r: r["financial_per_capita"]),
    ("机动车(辆)", 10, "int", lambda r: r["vehicles"]),
    ("不动产(处)", 10, "int", lambda r: r["properties"]),
    ("核对建议", 10, "outcome", lambda r: r["outcome"]["label"]),
    ("不符合", 8, "int", lambda r: r["finding_counts"]["fail"]),
    ("注意", 8, "int", lambda r: r["finding_counts"]["warn"]),
    ("提示", 8, "int", lambda r: r["finding_counts"]["info"]),
    ("待复核匹配", 10, "int", lambda r: r["review_count"]),
    ("未授权人数", 10, "int", lambda r: r["not_authorised"]),
]

_NOTES = (
    "核对结果仅供经办人员参考，不构成审批决定。",
    "每行一户；明细见同目录下 <家庭编号>.html（核对报告）与 <家庭编号>.json。",
    "待复核匹配：系统匹配把握不足、需经办人员确认的记录条数。未授权人数：无授权书编号、未核对的人数。",
    "以 ' 开头的文字为防止表格公式注入而加的前缀，不属于原始内容。",
)

_OUTCOME_COLOURS = {"pass": "#E3F1E6", "review": "#FFF3D6", "fail": "#F4C7C3", "unknown": "#F1F3F5"}


def _formats(book: xlsxwriter.Workbook) -> dict:
    base = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}
    formats = {
        "header": book.add_format({**base, "bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79",
                                   "text_wrap": True, "border": 1, "align": "center"}),
        "text": book.add_format({**base, "num_format": "@"}),
        "money": book.add_format({**base, "num_format": "#,##0.00"}),
        "int": book.add_format({**base, "num_format": "0"}),
        "note": book.add_format({**base, "italic": True, "font_color": "#5F6B76"}),
    }
    for code, colour in _OUTCOME_COLOURS.items():
        formats[f"outcome-{code}"] = book.add_format({**base, "bold": True, "bg_color": colour, "align": "center"})
    return formats


def _write_cell(sheet, row: int, col: int, kind: str, value: Any, formats: dict, outcome_css: str) -> None:
    if kind in ("money", "int"):
        number = fmt.to_number(value)
        if number is not None:
            sheet.write_number(row, col, number, formats[kind])
            return
        if fmt.missing(value):
            sheet.write_blank(row, col, None, formats[kind])
            return
        kind = "text"  # a non-numeric value where a number belongs: keep it visible, as text
    if fmt.missing(value):
        sheet.write_blank(row, col, None, formats["text"])
        return
    style = formats[f"outcome-{outcome_css}"] if kind == "outcome" else formats["text"]
    # the rows come from scrubbed reports; a caller handing its own rows gets the same mask
    sheet.write_string(row, col, escape_formula(scrub_text(str(value))), style)


def summary_xlsx(target: str | IO[bytes], reports: Iterable[dict], *, rows: list[dict] | None = None,
                 waiting: list[dict] | None = None) -> None:
    """Write the summary workbook to ``target`` (a path or a binary file object); ``rows``: the
    reports' ``index_row``s, when the caller has them already; ``waiting``: the request's
    households not answered yet (``household_id``, ``note``), on a sheet of their own."""
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}
    book = xlsxwriter.Workbook(target, options)
    try:
        sheet = book.add_worksheet("核对汇总")
        formats = _formats(book)
        for col, (header, width, _, _) in enumerate(COLUMNS):
            sheet.write_string(0, col, header, formats["header"])
            sheet.set_column(col, col, width)
        sheet.set_row(0, 30)
        if rows is None:
            rows = [index_row(report) for report in reports]
        for r, row in enumerate(rows, start=1):
            for col, (_, _, kind, getter) in enumerate(COLUMNS):
                _write_cell(sheet, r, col, kind, getter(row), formats, row["outcome"]["css"])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        if waiting:
            held = book.add_worksheet("待更正")
            held.set_column(0, 0, 24)
            held.set_column(1, 1, 70)
            for col, header in enumerate(("家庭编号", "未答复原因")):
                held.write_string(0, col, header, formats["header"])
            for r, w in enumerate(waiting, start=1):
                _write_cell(held, r, 0, "text", w["household_id"], formats, "")
                _write_cell(held, r, 1, "text", f"成员行未通过检查，更正行到达后再核对：见 {w['note']}", formats, "")
        notes = book.add_worksheet("说明")
        notes.set_column(0, 0, 90)
        for r, line in enumerate(_NOTES):
            notes.write_string(r, 0, line, formats["note"] if r else formats["text"])
    finally:
        book.close()
