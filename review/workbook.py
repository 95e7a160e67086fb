"""review.xlsx: the questions of one request, to be answered in place and dropped in the inbox.

First sheet 待复核, header in row 1, one row per review link: the candidate member and the
department record side by side, the comparison, any competing candidate, then the three
columns the caseworker fills — 复核结论 (a dropdown: 确认 / 否认 / 无法确定), 备注, 复核人 —
and the hidden 复核编号 that intake recognises the sheet by. Second sheet 填写说明: how to
answer and return it.

Every text goes through ``escape_formula`` and ``write_string``: a name or employer that
starts with ``=`` can never become a formula. Nothing here is a full ID number: every text
but the key is scrubbed (``scrub_text``) as it is written.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from reports import formatting as fmt
from reports.masking import escape_formula, scrub_text
from review.keys import DECISION_COLUMN, DECISION_LABELS, KEY_COLUMN, NOTE_COLUMN, REVIEWER_COLUMN

SHEET = "待复核"
HELP_SHEET = "填写说明"


def _fields(row: dict) -> str:
    return "；".join(f"{label} {text}" for label, text in row["record"]["fields"]) or fmt.DASH


# (header, width, kind, getter); kind: text | wrap | int | pct | answer | key
COLUMNS: list[tuple[str, int, str, Any]] = [
    ("序号", 5, "int", lambda r, i: i),
    ("申请编号", 16, "text", lambda r, i: r["request_id"]),
    ("家庭编号", 14, "text", lambda r, i: r["household_id"]),
    ("成员序号", 6, "int", lambda r, i: r["member_no"]),
    ("成员姓名", 10, "text", lambda r, i: r["member"]["name"]),
    ("成员证件号码", 20, "text", lambda r, i: r["member"]["id_masked"]),
    ("与户主关系", 8, "text", lambda r, i: r["member"]["relation"]),
    ("成员出生日期", 11, "text", lambda r, i: r["member"]["birth_date"]),
    ("数据来源", 8, "text", lambda r, i: r["source_label"]),
    ("记录编号", 14, "text", lambda r, i: r["record_id"]),
    ("记录姓名", 10, "text", lambda r, i: r["record"]["name"]),
    ("记录证件号码", 20, "text", lambda r, i: r["record"]["id_masked"]),
    ("记录内容", 40, "wrap", lambda r, i: _fields(r) if r["record"]["found"] else "记录已不在当前数据中"),
    ("比对结果", 34, "wrap", lambda r, i: r["weights_text"]),
    ("匹配概率", 8, "pct", lambda r, i: round(float(r["match_probability"]), 4)),
    ("其他候选", 26, "wrap", lambda r, i: r["competitor"]),
    ("系统说明", 36, "wrap", lambda r, i: r["summary"]),
    ("上次复核", 20, "wrap", lambda r, i: r["previous_text"]),
    (DECISION_COLUMN, 11, "answer", lambda r, i: None),
    (NOTE_COLUMN, 28, "answer", lambda r, i: None),
    (REVIEWER_COLUMN, 10, "answer", lambda r, i: None),
    (KEY_COLUMN, 30, "key", lambda r, i: r["key"]),
]

HELP = (
    ("人工复核清单填写说明", "How to answer this review sheet"),
    ("每行是一条系统无法自动确定的匹配：左侧为申请家庭成员，右侧为部门记录。请核实后在「复核结论」列选择："
     "确认（该记录属于此人）、否认（不属于此人）或无法确定。",
     "Each row is a match the system could not decide. Choose in 复核结论: 确认 (the record is this "
     "person's), 否认 (it is not) or 无法确定 (cannot tell)."),
    ("「复核人」填写作出结论的经办人员姓名（必填）；「备注」可填写依据。未填写结论的行视为未答复，下次仍会出现。",
     "复核人: the name of the person who decided (required). 备注: the grounds (optional). Rows left "
     "without a decision are not answered and will be asked again."),
    ("请勿删除、改名或移动任何列，尤其是隐藏的「复核编号」列；可以删除不想答复的行。",
     "Do not delete, rename or move columns, in particular the hidden 复核编号 column; rows you do not "
     "answer may be deleted."),
    ("填好后另存为新文件名（如 review-张三-20261128.xlsx），先写入临时名 *.part，再改名放入 inbox/<机构>/ 目录。",
     "Save under a new name, write it as *.part and rename it into inbox/<agency>/."),
    ("确认的匹配计入核对；否认的匹配今后不再提出；处理结果与错误说明见 rejected/<机构>/<文件名>.error.txt。",
     "Confirmed matches count in the assessment; denied ones are never proposed again. Errors are "
     "explained in rejected/<agency>/<file>.error.txt; the valid rows of the sheet still count."),
    ("以 ' 开头的文字为防止表格公式注入而加的前缀，不属于原始内容。",
     "A leading ' was added so that text is never run as a formula; it is not part of the data."),
)


def _formats(book: xlsxwriter.Workbook) -> dict:
    base = {"font_name": "等线", "font_size": 10, "valign": "top"}
    return {
        "header": book.add_format({**base, "bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79",
                                   "text_wrap": True, "border": 1, "align": "center", "valign": "vcenter"}),
        "answer_header": book.add_format({**base, "bold": True, "font_color": "#7A4D00", "bg_color": "#FFE8A3",
                                          "text_wrap": True, "border": 1, "align": "center",
                                          "valign": "vcenter"}),
        "text": book.add_format({**base, "num_format": "@"}),
        "wrap": book.add_format({**base, "num_format": "@", "text_wrap": True}),
        "int": book.add_format({**base, "num_format": "0"}),
        "pct": book.add_format({**base, "num_format": "0.0%"}),
        "answer": book.add_format({**base, "num_format": "@", "bg_color": "#FFF3D6", "border": 1,
                                   "border_color": "#B7791F", "locked": False, "text_wrap": True}),
        "key": book.add_format({**base, "num_format": "@", "font_color": "#868E96"}),
        "title": book.add_format({**base, "bold": True, "font_size": 13}),
        "help": book.add_format({**base, "text_wrap": True}),
    }


def _cell(sheet, r: int, c: int, kind: str, value: Any, formats: dict) -> None:
    if kind in ("int", "pct") and fmt.to_number(value) is not None:
        sheet.write_number(r, c, fmt.to_number(value), formats[kind])
    elif fmt.missing(value):
        sheet.write_blank(r, c, None, formats["answer" if kind == "answer" else "text"])
    else:
        text = str(value)
        # names come as departments typed them (an ID in the name column); the key must stay exact
        sheet.write_string(r, c, escape_formula(text if kind == "key" else scrub_text(text)),
                           formats.get(kind, formats["text"]))


def review_xlsx(rows: list[dict], agency: str, request_id: str) -> bytes:
    """The workbook as bytes (the caller writes it atomically)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": f"人工复核清单 {agency} {request_id}", "author": "hhverify"})
    formats = _formats(book)
    sheet = book.add_worksheet(SHEET)
    for c, (header, width, kind, _) in enumerate(COLUMNS):
        sheet.write_string(0, c, header, formats["answer_header" if kind == "answer" else "header"])
        sheet.set_column(c, c, width, None, {"hidden": kind == "key"})
    for i, row in enumerate(rows, start=1):
        for c, (_, _, kind, get) in enumerate(COLUMNS):
            _cell(sheet, i, c, kind, get(row, i), formats)
    last = max(len(rows), 1)
    decision_col = next(c for c, col in enumerate(COLUMNS) if col[0] == DECISION_COLUMN)
    sheet.data_validation(1, decision_col, last, decision_col, {
        "validate": "list", "source": list(DECISION_LABELS.values()),
        "input_title": "复核结论", "input_message": "确认 / 否认 / 无法确定",
        "error_title": "无效的复核结论", "error_message": "请从下拉列表中选择：确认、否认或无法确定。"})
    sheet.freeze_panes(1, 5)
    sheet.autofilter(0, 0, last, len(COLUMNS) - 1)
    sheet.set_row(0, 30)
    help_sheet = book.add_worksheet(HELP_SHEET)
    help_sheet.set_column(0, 0, 70)
    help_sheet.set_column(1, 1, 70)
    for r, (zh, en) in enumerate(HELP):
        style = formats["title"] if r == 0 else formats["help"]
        help_sheet.write_string(r, 0, zh, style)
        help_sheet.write_string(r, 1, en, style)
    book.close()
    return buffer.getvalue()
