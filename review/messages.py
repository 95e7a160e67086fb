"""What intake says about a returned review sheet: one message per problem, and the note file.

Every problem is a `ReviewError` — a `(row_number, field, reason)` tuple that also knows its
`kind` — with a bilingual reason saying what was received and what is allowed; the note in
`rejected/<agency>/<file>.error.txt` adds, per kind, how to fix it. `row_number` is the sheet
row as Excel numbers it (the header is row 1), or None for a problem of the whole file.

Example:
    >>> err = problem("invalid_decision", 3, value="maybe")
    >>> err.row_number, err.field, err.kind
    (3, '复核结论', 'invalid_decision')
    >>> err.reason.split(" / ")[0]
    '无效的复核结论「maybe」'
"""

from __future__ import annotations

from pathlib import Path

from reports.masking import scrub_text
from reports.writer import file_stem_name, private_dir, write_atomic
from review.keys import ACCEPTED_DECISIONS, DECISION_COLUMN, KEY_COLUMN, REVIEWER_COLUMN


# kind -> (field, reason template, how to fix)
CATALOGUE: dict[str, tuple[str | None, str, str]] = {
    "unreadable": (None, "无法读取文件 / the file cannot be read: {detail}",
                   "请将 review.xlsx 按原格式另存后重新放入。Save the sheet again as .xlsx and drop it in again."),
    "missing_column": ("{column}", "缺少列「{column}」 / missing column '{column}': a review sheet keeps every "
                       "column of the review.xlsx it was exported as",
                       "请使用 outbox 中导出的 review.xlsx 填写，不要删除或改名列。Answer the review.xlsx "
                       "from outbox/ as exported; do not delete or rename its columns."),
    "already_recorded": (None, "{count}行的答复与现行结论相同，已记录在案，未重复保存 / {count} answer(s) repeat the "
                         "answer in force by the same reviewer: already recorded, nothing changed: rows {rows}",
                         "无需处理。Nothing to do."),
    "reviewer_only": (None, "{count}行只填了复核人、没有复核结论，未作答复 / {count} row(s) name a reviewer but "
                      "have no decision and were left open: rows {rows}",
                      "如已作出结论，请在「复核结论」中选择确认、否认或无法确定（N/A、-、/、NULL 视为空白）。"
                      "If they were decided, choose 确认, 否认 or 无法确定 (N/A, -, / and NULL read as empty)."),
    "no_answers": (None, "表中没有任何复核结论 / the sheet holds no answers: every 复核结论 cell is empty",
                   "请在「复核结论」列选择确认、否认或无法确定。Choose 确认, 否认 or 无法确定 in 复核结论."),
    "empty_key": (KEY_COLUMN, "复核编号为空 / the review key (复核编号) is empty: the hidden column was cleared "
                  "or the row was added by hand",
                  "只答复导出的行，不要清空隐藏的「复核编号」列。Answer only the exported rows; keep the "
                  "hidden 复核编号 column as it is."),
    "bad_key": (KEY_COLUMN, "无法识别的复核编号 / unrecognised review key '{value}': it was not written by hhverify",
                "请勿修改「复核编号」列，使用 outbox/<机构>/review-open/review.xlsx（全部待复核问题）。Do not edit 复核编号; answer the "
                "latest review.xlsx from outbox/."),
    "key_mismatch": (KEY_COLUMN, "行内容与隐藏的复核编号不符 / the row does not match its hidden review key: "
                     "{column} shows '{shown}' but the key is for '{expected}' ({link})",
                     "可能只对可见列排序或改动了单元格。请使用 outbox 中导出的 review.xlsx，排序时选中全部列。"
                     "The visible columns were probably sorted without the hidden 复核编号, or a cell was edited: "
                     "answer the review.xlsx as exported, sorting whole rows only."),
    "stale_answer": (DECISION_COLUMN, "答复早于现行结论 / a stale answer: this sheet was {saved} before the "
                     "answer in force for {link} ({reviewer}, {date}), and disagrees with it",
                     "未采纳：填表人未看到该结论。如需改变，请由作出该结论的复核人（见上）答复，或联系系统管理员。"
                     "Not applied: whoever filled this sheet had not seen that answer. To change it, ask the reviewer "
                     "named above to answer again, or the system administrator."),
    "replaced_answer": (DECISION_COLUMN, "该答复已于{earlier}采纳，其后已被更改 / this answer for {link} was taken "
                        "in on {earlier} and has since been replaced ({reviewer}, {date}): the sheet was sent again",
                        "未采纳：重新发送旧的复核表不会撤销其后的答复。如确需恢复原答复，请在最新导出的复核表上填写。"
                        "Not applied: a sheet sent again does not undo the answers given after it. To go back to this "
                        "answer, give it on the latest review sheet."),
    "confirmed_for_other": (DECISION_COLUMN, "该记录已被确认属于{other} / this record was already confirmed as "
                            "another person's ({other}; {reviewer}, {date}): {link}",
                            "一条部门记录只属于一个人。如原确认有误，请先否认原确认，再确认本行。A department record is one "
                            "person's: if the earlier confirmation was wrong, deny it first, then confirm this row."),
    "confirmed_twice": (DECISION_COLUMN, "同一记录在本表中被确认给两个人 / one record confirmed for two people in this "
                        "sheet: rows {rows} for {source} record {record_id}",
                        "这些行均未采纳。一条部门记录只属于一个人：请只确认其中一行。None of these rows was stored: a "
                        "department record is one person's, confirm one row only."),
    "unknown_link": (KEY_COLUMN, "该问题已不在待复核之列 / no longer an open question: {link} is not a link in the "
                     "warehouse now",
                     "后续核对已撤回该问题（核对结论已不取决于这条记录，或记录已重新匹配），本行无需处理；仍需答复的问题都在 "
                     "outbox/<机构>/review-open/review.xlsx。A later pass withdrew the question (the outcome no longer "
                     "depends on the record, or the record was matched afresh): nothing to do for this row; every open "
                     "question is in outbox/<agency>/review-open/review.xlsx."),
    "denied_before": (KEY_COLUMN, "该匹配已被否认 / this link was denied on {date} by {reviewer} and is no longer "
                      "proposed: {link}",
                      "如需撤销否认，请由作出否认的复核人（见上）在该行重新答复，或联系系统管理员。To reverse a "
                      "denial, ask the reviewer named above to answer this row again, or the system administrator."),
    "not_review": (KEY_COLUMN, "不是待复核的匹配 / not a review link: {link} is now '{decision}', nothing to decide",
                   "无需答复此行。Nothing to do for this row."),
    "other_agency": (KEY_COLUMN, "其他机构的匹配 / another agency's link: request {request_id} is not a request "
                     "of agency '{agency}' (the inbox folder the sheet was dropped in)",
                     "请放入本机构的 inbox 目录，只答复本机构的复核清单。Drop the sheet in your own agency's "
                     "inbox folder and answer only your agency's review sheets."),
    "evidence_changed": (KEY_COLUMN, "证据已变化 / evidence changed since export: the department record "
                         "or the member of {link} changed after this sheet was written",
                         "此行未采纳，请按 outbox/<机构>/review-open/review.xlsx 再次核实。This answer was not stored; "
                         "check the row again in outbox/<agency>/review-open/review.xlsx."),
    "conflicting_answers": (DECISION_COLUMN, "同一记录对同一人在本表中答复了两次且结论不同（可能列在其所在的两个家庭下） / "
                            "one record answered twice for one person in this sheet (perhaps under two households "
                            "the person is in) with different decisions: rows {rows} for {link}",
                            "这些行均未采纳。请只保留一行、填写一个结论后重新放入。None of these rows was stored: keep "
                            "one row with one decision and drop the sheet in again."),
    "empty_decision": (DECISION_COLUMN, "复核结论为空 / empty decision: a note was written but no decision chosen",
                       "请在「复核结论」中选择确认、否认或无法确定。Choose 确认, 否认 or 无法确定."),
    "invalid_decision": (DECISION_COLUMN, "无效的复核结论「{value}」 / invalid decision '{value}': accepted are "
                         + ACCEPTED_DECISIONS,
                         "请从下拉列表中选择确认、否认或无法确定。Choose from the dropdown: 确认, 否认 or 无法确定."),
    "empty_reviewer": (REVIEWER_COLUMN, "复核人为空 / the reviewer (复核人) is empty: write the name of the person "
                       "who decided",
                       "请填写作出结论的经办人员姓名。Write the name of the person who decided."),
}


NOTICES = frozenset({"already_recorded"})
"""Kinds that tell the clerk something about the sheet but refuse nothing."""


class ReviewError(tuple):
    """`(row_number, field, reason)` with the message's `kind` attached."""

    kind: str
    count: int = 1

    def __new__(cls, row_number: int | None, field: str | None, reason: str, kind: str) -> "ReviewError":
        self = super().__new__(cls, (row_number, field, reason))
        self.kind = kind
        return self

    row_number = property(lambda self: self[0])
    field = property(lambda self: self[1])
    reason = property(lambda self: self[2])


def _short(value: object, limit: int = 60) -> str:
    text = scrub_text(str(value)).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problem(kind: str, row_number: int | None, **details: object) -> ReviewError:
    """The message of `kind` for `row_number`, with `details` (cell values shortened and scrubbed)."""
    field, template, _ = CATALOGUE[kind]
    clean = {k: _short(v) if k in ("value", "detail") else v for k, v in details.items()}
    err = ReviewError(row_number, field.format(**clean) if field else None, template.format(**clean), kind)
    err.count = int(details.get("count", 1))   # the rows a sheet-level message speaks for
    return err


def sheet_outcome(stored: int, errors: list) -> tuple[str, str, int]:
    """(file status, summary line, problems) of a returned sheet: `loaded` when answers were
    stored, `skipped` when every answer was already on record, else `rejected`; notices (`NOTICES`)
    are no problems."""
    problems = sum(1 for e in errors if e.kind not in NOTICES)
    repeated = sum(e.count for e in errors if e.kind == "already_recorded")
    message = f"review sheet: {stored} answer(s) stored, {problems} problem(s)"
    message += f", {repeated} already recorded" if repeated else ""
    status = "loaded" if stored else "skipped" if repeated and not problems else "rejected"
    return status, message, problems


def link_text(link) -> str:
    """``tax record T1 → request R1, household H1, member 2``."""
    return (f"{link.source} record {link.record_id} → request {link.request_id}, household {link.household_id}, "
            f"member {link.member_no}")


def error_note(file_name: str, errors: list, accepted: int | None = None) -> str:
    """The text of `<file>.error.txt`."""
    lines = [f"复核表处理结果 / review sheet result: {file_name}", ""]
    if accepted is not None:
        # notices (answers already on record) are listed but are no problems: counted as such, a
        # review probe's note said "2 problems" where the pass summary said one and 11 repeats
        problems = sum(1 for e in errors if getattr(e, "kind", "") not in NOTICES)
        lines += [f"已采纳 {accepted} 行；以下 {problems} 处问题未采纳，其余行照常生效。",
                  f"{accepted} answered rows were stored; the {problems} problems below were not, "
                  "the other rows count as usual.", ""]
    for err in errors:
        where = "整个文件 / whole file" if err[0] is None else f"第 {err[0]} 行 / row {err[0]}"
        column = f" · 列 / column {err[1]}" if err[1] else ""
        lines.append(f"{where}{column}")
        lines.append(f"  原因 / reason: {scrub_text(err[2])}")
        fix = CATALOGUE.get(getattr(err, "kind", ""), (None, None, None))[2]
        if fix:
            lines.append(f"  处理 / how to fix: {fix}")
        lines.append("")
    lines.append("更正后请另存为新文件名，再放入 inbox/<机构>/。Save the corrected sheet under a new name and "
                 "drop it in inbox/<agency>/ again.")
    return "\n".join(lines) + "\n"


def write_error_report(rejected_dir: Path, file_name: str, errors: list, accepted: int | None = None) -> Path:
    """Write `<rejected_dir>/<file_name>.error.txt` (atomic, owner-only); returns its path.

    `file_name` is the returned sheet's name (any folder part is dropped).
    """
    name = Path(str(file_name)).name
    if not name or name.startswith(".") or name in ("..", "."):
        raise ValueError(f"unsafe file name for an error report: {file_name!r}")
    rejected_dir = private_dir(Path(rejected_dir))
    return write_atomic(rejected_dir / f"{file_stem_name(name)}.error.txt",
                        error_note(name, errors, accepted).encode("utf-8"))
