"""Returned review sheets: recognised by shape, validated row by row, stored append-only."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Callable

import pytest

from review import (apply_decisions_sql, encode_key, is_review_sheet, parse_decision, parse_review_sheet,
                    review_rows, store_decisions, write_error_report, write_review_sheet)
from review_support import build_warehouse, fill_sheet, links, make_work, propose, read_sheet
from review.messages import error_note, problem
from warehouse.sql import run_sql

ANSWER = ("确认", "张科员", "")


@dataclass
class SheetCase:
    name: str
    expected: list
    answers: dict = field(default_factory=lambda: {"T1": ANSWER})
    request_id: str = "R1"
    drop_columns: tuple = ()
    keys: dict | None = None
    after_export: Callable | None = None


INVALID_SHEETS = [
    SheetCase("unknown link", keys={"T1": encode_key(("vehicle", "T1", "R1", "H1", 1), "0123456789abcdef")},
              expected=[(2, "复核编号", "该问题已不在待复核之列 / no longer an open question: vehicle record T1 → "
                                      "request R1, household H1, member 1 is not a link in the warehouse now")]),
    # the visible columns sorted without the hidden key: the answer would land on another link
    SheetCase("a row whose visible cells do not match its hidden key",
              keys={"T1": encode_key(("tax", "T2", "R1", "H1", 1), "0123456789abcdef")},
              expected=[(2, "复核编号", "行内容与隐藏的复核编号不符 / the row does not match its hidden review key: "
                                      "记录编号 shows 'T1' but the key is for 'T2' (tax record T2 → request R1, "
                                      "household H1, member 1)")]),
    SheetCase("evidence changed since export",
              after_export=lambda con: con.execute("UPDATE tax_all SET income_amount = 9999 WHERE record_id = 'T1'"),
              expected=[(2, "复核编号", "证据已变化 / evidence changed since export: the department record "
                                      "or the member of tax record T1 → request R1, household H1, member 1 "
                                      "changed after this sheet was written")]),
    SheetCase("another agency's link", request_id="R9", answers={"T9": ANSWER},
              expected=[(2, "复核编号", "其他机构的匹配 / another agency's link: request R9 is not a request of agency "
                                      "'taiyuan' (the inbox folder the sheet was dropped in)")]),
    SheetCase("invalid decision text", answers={"T1": ("也许吧", "张科员", "")},
              expected=[(2, "复核结论", "无效的复核结论「也许吧」 / invalid decision '也许吧': accepted are "
                                      "确认 (是, 是本人, 属实, confirm, confirmed, yes, y, √, ✓, ✔); "
                                      "否认 (否, 不是本人, 非本人, 不是, deny, denied, no, n, ×, ✗, ✘); "
                                      "无法确定 (不确定, 无法判断, 待定, undetermined, unsure, unknown)")]),
    SheetCase("a note without a decision", answers={"T1": ("", "张科员", "还要再问问")},
              expected=[(2, "复核结论", "复核结论为空 / empty decision: a note was written but no decision chosen")]),
    # a review probe: twelve rows answered N/A, -, / or NULL beside a reviewer vanished without a word
    SheetCase("a reviewer beside an answer that reads as empty", answers={"T1": ("N/A", "张科员", "")},
              expected=[(None, None, "1行只填了复核人、没有复核结论，未作答复 / 1 row(s) name a reviewer but have no "
                                     "decision and were left open: rows 2")]),
    SheetCase("no reviewer", answers={"T1": ("确认", "", "")},
              expected=[(2, "复核人", "复核人为空 / the reviewer (复核人) is empty: write the name of the person "
                                    "who decided")]),
    SheetCase("review key cleared", keys={"T1": ""},
              expected=[(2, "复核编号", "复核编号为空 / the review key (复核编号) is empty: the hidden column was "
                                      "cleared or the row was added by hand")]),
    SheetCase("review key edited", keys={"T1": "RV1.abc"},
              expected=[(2, "复核编号", "无法识别的复核编号 / unrecognised review key 'RV1.abc': it was not written "
                                      "by hhverify")]),
    SheetCase("missing decision column", drop_columns=("复核结论",),
              expected=[(None, "复核结论", "缺少列「复核结论」 / missing column '复核结论': a review sheet keeps every "
                                        "column of the review.xlsx it was exported as")]),
    SheetCase("nothing answered", answers={},
              expected=[(None, None, "表中没有任何复核结论 / the sheet holds no answers: every 复核结论 cell is empty")]),
    SheetCase("no longer a question", after_export=lambda con: con.execute(
                  "UPDATE links SET decision = 'auto' WHERE record_id = 'T1'"),
              expected=[(2, "复核编号", "不是待复核的匹配 / not a review link: tax record T1 → request R1, household "
                                      "H1, member 1 is now 'auto', nothing to decide")]),
]


@pytest.mark.parametrize("case", INVALID_SHEETS, ids=[c.name for c in INVALID_SHEETS])
def test_invalid_sheets_are_reported_row_by_row_with_exact_messages(tmp_path, case: SheetCase):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    agency = "datong" if case.request_id == "R9" else "taiyuan"
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, case.request_id), agency, case.request_id)
    if case.after_export:
        case.after_export(con)
    filled = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "答复.xlsx", case.answers,
                        drop_columns=case.drop_columns, keys=case.keys)
    assert is_review_sheet(filled)
    decisions, errors = parse_review_sheet(con, filled, "taiyuan", "h")
    assert decisions == []
    assert errors == case.expected


def test_the_valid_rows_of_a_partly_invalid_sheet_still_count(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    filled = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "答复.xlsx",
                        {"T1": ("maybe", "张科员", ""), "V1": ("是", "张科员", "")})
    decisions, errors = parse_review_sheet(con, filled, "taiyuan", "h")
    assert [(d["record_id"], d["decision"], d["row_number"]) for d in decisions] == [("V1", "confirmed", 3)]
    assert [(e[0], e[1], e.kind) for e in errors] == [(2, "复核结论", "invalid_decision")]
    assert store_decisions(con, decisions, "run-1") == 1

    note = write_error_report(tmp_path / "rejected" / "taiyuan", filled.name, errors, accepted=len(decisions))
    assert note.name == "答复.xlsx.error.txt" and note.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "rejected" / "taiyuan").stat().st_mode & 0o777 == 0o700
    text = note.read_text(encoding="utf-8")
    assert "已采纳 1 行；以下 1 处问题未采纳，其余行照常生效。" in text
    assert "第 2 行 / row 2 · 列 / column 复核结论\n  原因 / reason: 无效的复核结论「maybe」 / invalid decision 'maybe'" in text
    assert "  处理 / how to fix: 请从下拉列表中选择确认、否认或无法确定。" in text
    # an answer already on record is listed for the clerk but is no problem not taken (a review probe)
    repeated = problem("already_recorded", None, count=11, rows="3-13")
    text = write_error_report(tmp_path / "rejected" / "taiyuan", "again.xlsx", errors + [repeated], accepted=1
                              ).read_text(encoding="utf-8")
    assert "以下 1 处问题未采纳" in text and "11行的答复与现行结论相同" in text


def _answered(tmp_path, answer: str):
    """A warehouse whose V1 a reviewer answered from the request's sheet, applied in the next pass;
    the connection and the sheet."""
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    first = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "a.xlsx", {"V1": (answer, "张科员", "")})
    store_decisions(con, parse_review_sheet(con, first, "taiyuan", "ha")[0], "run-1")
    propose(con, "run-2", ["T1", "T2", "V1"])
    make_work(con, [("R1", "H1")])
    run_sql(con, apply_decisions_sql("run-2"))
    return con, sheet


def test_answers_are_appended_and_the_latest_answer_per_pair_wins(tmp_path):
    con, sheet = _answered(tmp_path, "确认")
    assert links(con)["V1"][0] == "confirmed"

    # the same (old) sheet: a colleague who never saw the confirmation cannot overturn it ...
    other = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "b0.xlsx", {"V1": ("否认", "王科长", "")})
    decisions, errors = parse_review_sheet(con, other, "taiyuan", "hb0")
    assert decisions == [] and errors[0].kind == "stale_answer" and "张科员" in errors[0][2]
    # ... its author, correcting herself, can: a row is added, none changed
    second = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "b.xlsx", {"V1": ("否认", "张 科员", "复查后否认")})
    decisions, errors = parse_review_sheet(con, second, "taiyuan", "hb")
    assert errors == [] and store_decisions(con, decisions, "run-3") == 1
    log = con.execute("SELECT decision_id, decision, reviewer, file_hash FROM review_decisions ORDER BY 1").fetchall()
    assert [r[1:] for r in log] == [("confirmed", "张科员", "ha"), ("denied", "张 科员", "hb")]
    assert con.execute("SELECT decision, reviewer FROM review_decisions_latest WHERE record_id = 'V1'").fetchall() == [
        ("denied", "张 科员")]
    propose(con, "run-4", ["T1", "T2", "V1"])
    run_sql(con, apply_decisions_sql("run-4"))
    assert "V1" not in links(con)

    # the old sheet once more: the pair is denied and no longer proposed, and the message says so
    third = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "c.xlsx", {"V1": ("确认", "王科长", "")})
    decisions, errors = parse_review_sheet(con, third, "taiyuan", "hc")
    day = con.execute("SELECT strftime(max(decided_at), '%Y-%m-%d') FROM review_decisions").fetchall()[0][0]
    assert decisions == [] and errors == [(3, "复核编号", f"该匹配已被否认 / this link was denied on {day} by 张 科员 and "
                                                        "is no longer proposed: vehicle record V1 → request R1, "
                                                        "household H1, member 2")]
    # ... but whoever denied it may correct the denial (a review probe's mistaken 否认 could never
    # be undone, though the README said its author may): the pair is confirmed and linked again
    fourth = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "d.xlsx", {"V1": ("确认", "张科员", "改正误否认")})
    decisions, errors = parse_review_sheet(con, fourth, "taiyuan", "hd")
    assert errors == [] and store_decisions(con, decisions, "run-5") == 1
    propose(con, "run-5", ["T1", "T2"])
    run_sql(con, apply_decisions_sql("run-5"))
    assert links(con)["V1"][:2] == ("confirmed", "clerical_review")


@pytest.mark.parametrize("answer", ["确认", "否认"])
def test_a_sheet_sent_again_stores_nothing_twice_and_says_so(tmp_path, answer):
    """A review probe's re-sent sheets appended every answer again, and its re-sent denials came
    back as 210 'denied before' problems."""
    con, sheet = _answered(tmp_path, answer)
    again = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "a2.xlsx", {"V1": (answer, " 张科员", "")})
    decisions, errors = parse_review_sheet(con, again, "taiyuan", "ha2")
    assert decisions == [] and [e.kind for e in errors] == ["already_recorded"] and errors[0].count == 1
    # a colleague confirming too is an answer of their own, and kept; denying a pair no longer
    # proposed is told it was denied before
    colleague = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "b.xlsx", {"V1": (answer, "王科长", "")})
    decisions, errors = parse_review_sheet(con, colleague, "taiyuan", "hb")
    if answer == "确认":
        assert [d["reviewer"] for d in decisions] == ["王科长"] and errors == []
    else:
        assert decisions == [] and [e.kind for e in errors] == ["denied_before"]
        assert "ask the reviewer named above to answer this row again" in error_note("b.xlsx", errors)  # as its author may


def test_a_confirmation_sent_again_after_the_department_corrected_the_record_is_already_recorded(tmp_path):
    """A review probe: a car confirmed, then re-sent by the register as 注销 (the confirmation stands);
    the reviewer's sheet sent again was refused as "evidence changed, check review-open", which does
    not list a confirmed row."""
    con, sheet = _answered(tmp_path, "确认")
    con.execute("UPDATE vehicle_all SET status = '注销' WHERE record_id = 'V1'")
    again = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "a2.xlsx", {"V1": ("确认", "张科员", "")})
    decisions, errors = parse_review_sheet(con, again, "taiyuan", "ha2")
    assert decisions == [] and [e.kind for e in errors] == ["already_recorded"], errors
    # another answer on the changed record is still sent back to be checked again
    other = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "b.xlsx", {"V1": ("否认", "张科员", "")})
    assert [e.kind for e in parse_review_sheet(con, other, "taiyuan", "hb")[1]] == ["evidence_changed"]


def test_blank_rows_are_not_answers_and_a_csv_copy_of_the_sheet_is_read_too(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    header, *rows = read_sheet(sheet)
    rows[1][header.index("复核结论")], rows[1][header.index("复核人")] = "deny", "张科员"
    rows[0][header.index("复核人")] = "张科员"          # a reviewer name alone does not answer a row
    path = tmp_path / "inbox" / "taiyuan" / "answers.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([header] + rows)
    assert is_review_sheet(path)
    decisions, errors = parse_review_sheet(con, path, "taiyuan", "h")
    assert [e.kind for e in errors] == ["reviewer_only"] and "rows 2" in errors[0][2]   # said, not taken
    assert [(d["record_id"], d["decision"], d["row_number"]) for d in decisions] == [("V1", "denied", 3)]


@pytest.mark.parametrize("second, stored", [("否认", []), ("确认", [("T1", "confirmed", 2)])],
                         ids=["different answers: neither", "the same answer: once"])
def test_one_question_answered_twice_in_one_sheet(tmp_path, second, stored):
    """A review probe: a clerk copied a row and wrote 确认 in one copy and 否认 in the other;
    both were stored and the later one, a denial, silently won (never proposed again)."""
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    header, *rows = read_sheet(sheet)
    t1 = next(r for r in rows if r[header.index("记录编号")] == "T1")
    copy = list(t1)
    for row, answer in ((t1, "确认"), (copy, second)):
        row[header.index("复核结论")], row[header.index("复核人")] = answer, "张科员"
    path = tmp_path / "inbox" / "taiyuan" / "answers.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([header] + rows + [copy])
    decisions, errors = parse_review_sheet(con, path, "taiyuan", "h")
    assert [(d["record_id"], d["decision"], d["row_number"]) for d in decisions] == stored
    if not stored:
        last = len(rows) + 2
        assert [(e[0], e.kind) for e in errors] == [(2, "conflicting_answers"), (last, "conflicting_answers")]
        assert f"rows 2、{last} for tax record T1" in errors[0][2]
    else:
        assert errors == []


def test_one_record_answered_both_ways_for_one_person_under_two_of_their_households_is_refused(tmp_path):
    """A probe: review-open listed a bank row of one person twice, once for her household on the rolls
    and once for her medical request's; 确认 in one row and 否认 in the other were both stored, and
    the last won for both households, with "0 problems" said."""
    from review_support import ID_WANG, add_member

    con = build_warehouse(tmp_path / "warehouse.duckdb")
    add_member(con, "R1", "taiyuan", "H2", 1, "王伟", ID_WANG, "户主")
    con.execute("INSERT INTO links SELECT * REPLACE ('H2' AS household_id) FROM links WHERE record_id = 'T1'")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    header, *rows = read_sheet(sheet)
    twice = [r for r in rows if r[header.index("记录编号")] == "T1"]
    assert len(twice) == 2
    for row, answer in zip(twice, ("确认", "否认")):
        row[header.index("复核结论")], row[header.index("复核人")] = answer, "张科员"
    path = tmp_path / "inbox" / "taiyuan" / "answers.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([header] + rows)
    decisions, errors = parse_review_sheet(con, path, "taiyuan", "h")
    assert [d["record_id"] for d in decisions if d["record_id"] == "T1"] == []
    assert [e.kind for e in errors] == ["conflicting_answers", "conflicting_answers"]


def test_a_sheet_whose_hidden_key_column_was_deleted_is_refused_as_a_review_sheet_missing_its_key(tmp_path):
    """A review probe: read as an applicant request, such a sheet was refused for lacking
    'program' and 'consent_ref', which told the clerk nothing."""
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    filled = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "答复.xlsx", {"T1": ANSWER}, drop_columns=("复核编号",))
    assert is_review_sheet(filled)
    decisions, errors = parse_review_sheet(con, filled, "taiyuan", "h")
    assert decisions == [] and [(e[1], e.kind) for e in errors] == [("复核编号", "missing_column")]


def test_only_sheets_with_the_review_key_column_are_review_sheets(tmp_path):
    request = tmp_path / "request.csv"
    request.write_text("申请编号,家庭编号,姓名\nR1,H1,王伟\n", encoding="utf-8")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really")
    assert not is_review_sheet(request) and not is_review_sheet(junk) and not is_review_sheet(tmp_path / "gone.xlsx")


@pytest.mark.parametrize("text, expected", [
    ("确认", "confirmed"), (" 是 ", "confirmed"), ("ＣＯＮＦＩＲＭ", "confirmed"), ("Yes", "confirmed"),
    ("否认", "denied"), ("否", "denied"), ("deny", "denied"), ("不是 本人", "denied"),
    ("无法确定", "undetermined"), ("不确定", "undetermined"), ("Undetermined", "undetermined"),
    ("", None), (None, None), ("  ", None), ("maybe", "?"), ("确认否认", "?"),
    ("√", "confirmed"), ("✔", "confirmed"), ("×", "denied"), ("确认。", "confirmed"), ("否，", "denied"), ("。", None),
])
def test_decision_spellings(text, expected):
    assert parse_decision(text) == expected


def test_a_new_model_probability_does_not_void_the_answer(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    con.execute("UPDATE links SET match_probability = 0.7 WHERE record_id = 'T1'")   # the model was re-fitted
    filled = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "答复.xlsx", {"T1": ANSWER})
    decisions, errors = parse_review_sheet(con, filled, "taiyuan", "h")
    assert errors == [] and [d["match_probability"] for d in decisions] == [0.7]


def test_a_sheet_answered_behind_an_added_front_sheet_is_still_a_review_sheet(tmp_path):
    """A caseworker added a 说明 sheet in front: the answers were read as a request file and lost."""
    import xlsxwriter

    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    filled = fill_sheet(sheet, tmp_path / "filled.xlsx", {"T1": ANSWER})
    path = tmp_path / "inbox" / "taiyuan" / "answers_with_cover.xlsx"
    path.parent.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write(0, 0, "复核说明：请在第二页填写")
    answers = book.add_worksheet("待复核")
    for r, row in enumerate(read_sheet(filled)):
        for c, value in enumerate(row):
            if value not in (None, ""):
                answers.write(r, c, value)
    book.close()
    assert is_review_sheet(path)
    decisions, errors = parse_review_sheet(con, path, "taiyuan", "h")
    assert errors == [] and [(d["record_id"], d["decision"]) for d in decisions] == [("T1", "confirmed")]


def test_an_older_sheet_arriving_late_does_not_overturn_a_newer_answer(tmp_path):
    """A colleague's sheet written before 小李's confirmation arrived after it: its 否认 removed the
    links (a probe). Then a review probe's old sheet, saved again so that its file was new, did
    the same: the file's time says nothing of which answers its writer saw. The sheet's key
    names the answer it was written against: one that disagrees with a later answer in force is
    refused as stale whenever the file was saved; one that agrees is taken."""
    from datetime import timedelta

    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    first = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "new.xlsx", {"V1": ("确认", "小李", "")})
    store_decisions(con, parse_review_sheet(con, first, "taiyuan", "ha")[0], "run-1")
    in_force = con.execute("SELECT max(decided_at) FROM review_decisions").fetchall()[0][0]
    old = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "old.xlsx", {"V1": ("否认", "老周", "")})
    for saved in (in_force - timedelta(days=2), in_force + timedelta(minutes=5), None):
        decisions, errors = parse_review_sheet(con, old, "taiyuan", "hb", saved_at=saved)
        assert decisions == [] and errors[0][1] == "复核结论"
        assert errors[0][2].startswith("答复早于现行结论 / a stale answer: this sheet was written before")
    agrees = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "agrees.xlsx", {"V1": ("确认", "老周", "")})
    decisions, errors = parse_review_sheet(con, agrees, "taiyuan", "hc")
    assert errors == [] and [d["decision"] for d in decisions] == ["confirmed"]


def test_a_sheet_sent_again_does_not_undo_its_own_reviewers_later_answers(tmp_path):
    """A review probe: 张三 confirmed on one sheet, corrected himself to 否认 on another, then the first
    sheet went out again (re-saved, forwarded): the confirmation came back and a namesake's wage counted.
    Going back to an earlier answer deliberately is done on a sheet written against the later one."""
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    first = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "a.xlsx", {"V1": ("确认", "张三", "")})
    store_decisions(con, parse_review_sheet(con, first, "taiyuan", "ha")[0], "run-1")
    second = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "b.xlsx", {"V1": ("否认", "张三", "查明非本人")})
    decisions, errors = parse_review_sheet(con, second, "taiyuan", "hb")
    assert errors == [] and [d["decision"] for d in decisions] == ["denied"]
    store_decisions(con, decisions, "run-2")
    again = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "a-重发.xlsx", {"V1": ("确认", "张三", "")})
    decisions, errors = parse_review_sheet(con, again, "taiyuan", "hc")
    assert decisions == [] and errors[0][1] == "复核结论"
    assert errors[0][2].startswith("该答复已于") and "has since been replaced (张三" in errors[0][2]
    con.execute("UPDATE links SET decision = 'review' WHERE record_id = 'V1'")   # the link, asked again
    latest, _ = write_review_sheet(tmp_path / "out2", review_rows(con, "R1"), "taiyuan", "R1")
    back = fill_sheet(latest, tmp_path / "inbox" / "taiyuan" / "c.xlsx", {"V1": ("确认", "张三", "")})
    decisions, errors = parse_review_sheet(con, back, "taiyuan", "hd")
    assert errors == [] and [d["decision"] for d in decisions] == ["confirmed"]


def test_a_sheet_written_before_keys_named_their_answer_is_judged_by_when_it_was_saved(tmp_path):
    """RV1 sheets (no answer number in the key) still in caseworkers' hands keep the rule they
    were sent out under."""
    from datetime import timedelta

    con = build_warehouse(tmp_path / "warehouse.duckdb")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    first = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "new.xlsx", {"V1": ("确认", "小李", "")})
    store_decisions(con, parse_review_sheet(con, first, "taiyuan", "ha")[0], "run-1")
    in_force = con.execute("SELECT max(decided_at) FROM review_decisions").fetchall()[0][0]
    v1 = {r["record_id"]: "RV1." + encode_key(r["link"], r["evidence_hash"])[4:].rsplit(".", 1)[0]
          for r in review_rows(con, "R1")}
    old = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "old.xlsx", {"V1": ("否认", "老周", "")}, keys=v1)
    decisions, errors = parse_review_sheet(con, old, "taiyuan", "hb", saved_at=in_force - timedelta(days=2))
    assert decisions == [] and "this sheet was saved" in errors[0][2]
    decisions, errors = parse_review_sheet(con, old, "taiyuan", "hb", saved_at=in_force + timedelta(minutes=5))
    assert errors == [] and [d["decision"] for d in decisions] == ["denied"]


def test_a_denied_link_asks_about_its_competitor_and_a_second_denial_leaves_the_record_to_nobody(tmp_path):
    """A review probe: rows with one member's name and another's ID were
    asked about the first; denied, they went to nobody and their wages left the figures unasked.
    Denied, the record is asked about the competitor the link named; denied again, it is gone."""
    import json

    con = build_warehouse(tmp_path / "warehouse.duckdb")
    evidence = {"summary": "身份证号一致，姓名近似（李那）", "weights": [],
                "competitor": {"request_id": "R1", "household_id": "H1", "member_no": 1, "name": "王伟",
                               "probability": 0.31}}
    con.execute("UPDATE links SET evidence = ? WHERE record_id = 'V1'", [json.dumps(evidence, ensure_ascii=False)])
    make_work(con, [("R1", "H1")])
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    first = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "a.xlsx", {"V1": ("否认", "张科员", "")})
    store_decisions(con, parse_review_sheet(con, first, "taiyuan", "ha")[0], "run-1")
    run_sql(con, apply_decisions_sql("run-1"))
    asked = con.execute("SELECT member_no, decision, method, match_probability, evidence FROM links "
                        "WHERE record_id = 'V1'").fetchall()
    assert [r[:4] for r in asked] == [(1, "review", "after_denial", 0.31)]
    assert "已否认为李娜本人的记录（张科员）" in json.loads(asked[0][4])["summary"]

    # the linker proposes the denied pair again next pass: the question about member 1 stands
    propose(con, "run-2", ["T1", "T2", "V1"])
    con.execute("UPDATE links SET evidence = ? WHERE record_id = 'V1'", [json.dumps(evidence, ensure_ascii=False)])
    run_sql(con, apply_decisions_sql("run-2"))
    assert con.execute("SELECT member_no, decision FROM links WHERE record_id = 'V1'").fetchall() == [(1, "review")]

    sheet, _ = write_review_sheet(tmp_path / "out2", review_rows(con, "R1"), "taiyuan", "R1")
    second = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "b.xlsx", {"V1": ("否认", "张科员", "")})
    decisions, errors = parse_review_sheet(con, second, "taiyuan", "hb")
    assert errors == [] and [(d["member_no"], d["decision"]) for d in decisions] == [(1, "denied")]
    store_decisions(con, decisions, "run-3")
    propose(con, "run-3", ["T1", "T2", "V1"])
    con.execute("UPDATE links SET evidence = ? WHERE record_id = 'V1'", [json.dumps(evidence, ensure_ascii=False)])
    run_sql(con, apply_decisions_sql("run-3"))
    assert "V1" not in links(con)


def test_no_how_to_fix_text_holds_a_placeholder_it_cannot_fill():
    """A review probe read 'ask {reviewer} to answer again': the advice is written as it stands."""
    from review.messages import CATALOGUE

    assert [kind for kind, (_, _, fix) in CATALOGUE.items() if fix and "{" in fix] == []


def test_a_record_is_confirmed_for_one_person_only(tmp_path):
    """A review probe confirmed one car for a father and for his son (two households of a request):
    both were stored and the plate failed both households. Confirmed for two people in one sheet,
    neither is taken; confirmed for a second person later, the second is refused."""
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    con.execute("INSERT INTO links SELECT source, record_id, request_id, household_id, 1, match_probability, decision, "
                "method, evidence, run_id, linked_at FROM links WHERE record_id = 'V1'")
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    both = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "both.xlsx", {"V1": ("确认", "张科员", "")})
    decisions, errors = parse_review_sheet(con, both, "taiyuan", "hb")
    assert [d for d in decisions if d["record_id"] == "V1"] == []
    assert {e.kind for e in errors} == {"confirmed_twice"} and len(errors) == 2
    assert "one record confirmed for two people in this sheet" in errors[0][2]

    one = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "one.xlsx", {"V1": ("确认", "张科员", "")},
                     drop_rows=lambda row: row["成员序号"] == 1)
    store_decisions(con, parse_review_sheet(con, one, "taiyuan", "h1")[0], "run-1")
    second = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / "second.xlsx", {"V1": ("确认", "李科员", "")},
                        drop_rows=lambda row: row["成员序号"] == 2)
    decisions, errors = parse_review_sheet(con, second, "taiyuan", "h2")
    assert decisions == [] and [e.kind for e in errors] == ["confirmed_for_other"]
    # whose confirmation is in force, not the refused row's own pair (a review probe's clerk could
    # not find the row to deny)
    assert "already confirmed as another person's (申请R1 家庭H1 成员2; 张科员" in errors[0][2]
    assert "该记录已被确认属于申请R1 家庭H1 成员2" in errors[0][2]
