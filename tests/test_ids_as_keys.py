"""An agency that keys a household or a request by a person's ID number gets every file, folder
and console line about it with that ID masked.

A privacy probe: a rolls household numbered by its head's ID (`140105195701159577`) was masked in
its report and the report's file name, but printed in full in the nightly folder's alerts.csv,
alerts.jsonl and summary.txt; a request whose request_id was an ID number was answered in a folder
named by the ID in full, while the console said the reports were in a masked folder that did not
exist.
"""

from __future__ import annotations

from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from pipelines.passes import run_pass
from reports.masking import find_full_ids

AS_OF = date(2026, 3, 15)
HEAD_ID = "140105195701159577"
ROLLS_CSV = (
    "agency,request_id,program,household_id,county_code,member_no,name,id_number,relation,consent_ref,birth_date\n"
    f"agB,RB2,dibao,{HEAD_ID},140105,1,慕容复,{HEAD_ID},户主,SQ-R51,1957-01-15\n")
REQUEST_CSV = (
    "request_id,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
    f"{HEAD_ID},dibao,Q1,140105,1,慕容复,{HEAD_ID},户主,SQ-301\n")


@pytest.fixture(scope="module")
def keyed_by_id(tmp_path_factory):
    root = tmp_path_factory.mktemp("ids-as-keys") / "root"
    (root / "landing" / "rolls").mkdir(parents=True)
    (root / "inbox" / "agC").mkdir(parents=True)
    (root / "landing" / "rolls" / "rolls.csv").write_text(ROLLS_CSV, encoding="utf-8")
    (root / "inbox" / "agC" / "req3.csv").write_text(REQUEST_CSV, encoding="utf-8")
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="wait")
    return root, summary


def _text(path) -> str:
    if path.suffix == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        return "\n".join(str(c) for s in wb.sheet_names for row in wb.get_sheet_by_name(s).to_python() for c in row)
    return path.read_text(encoding="utf-8-sig", errors="replace")


def test_the_nightly_change_files_mask_a_household_id_that_is_an_id_number(keyed_by_id):
    root, _ = keyed_by_id
    (nightly,) = (root / "outbox" / "agB").glob("nightly-*")
    files = {p.name: _text(p) for p in nightly.iterdir() if p.name in ("alerts.csv", "alerts.jsonl", "summary.txt")}
    assert set(files) == {"alerts.csv", "alerts.jsonl", "summary.txt"}
    assert "140105********9577" in files["alerts.csv"]      # the household is still named, masked
    for name, text in files.items():
        assert HEAD_ID not in text and not find_full_ids(text), name


def test_a_request_id_that_is_an_id_number_is_answered_in_a_masked_folder_the_console_names(keyed_by_id):
    root, summary = keyed_by_id
    (folder,) = [p for p in (root / "outbox" / "agC").iterdir() if p.is_dir() and p.name != "review-open"]
    assert HEAD_ID not in folder.name and folder.name.startswith("140105xxxxxxxx9577-")
    assert any(p.suffix == ".json" for p in folder.iterdir())
    said = [m for m in summary["messages"] if m.startswith("reports written to")]
    assert said and f"outbox/agC/{folder.name}/" in said[0]


def test_no_file_or_folder_under_outbox_names_or_holds_the_id(keyed_by_id):
    root, _ = keyed_by_id
    for p in (root / "outbox").rglob("*"):
        assert HEAD_ID not in str(p.relative_to(root)), p
        if p.is_file() and p.suffix in (".html", ".json", ".jsonl", ".csv", ".txt", ".xlsx"):
            assert not find_full_ids(_text(p)), p


@pytest.mark.parametrize("keyed", ["household_id", "request_id"])
def test_a_review_answer_about_a_household_or_request_numbered_by_an_id_is_taken(tmp_path, keyed):
    """A crash hunt: every answer about a household (or request) numbered by its head's ID was refused,
    '家庭编号 shows 140105********0637 but the key is for 140105********0637': the sheet shows the
    number masked, the check compared it with the number itself."""
    from review_support import fill_sheet

    from ops_support import query

    head = "140105197201140637"
    request, household = (head, "H1") if keyed == "request_id" else ("RQ-A", head)
    root = tmp_path / "root"
    (root / "inbox" / "agA").mkdir(parents=True)
    (root / "landing" / "bank").mkdir(parents=True)
    (root / "landing" / "bank" / "b.csv").write_text(
        "record_id,name,institution,product_type,balance,as_of_date\nB1,欧阳明,中国农业银行,活期存款,80000.00,2026-11-10\n",
        encoding="utf-8")
    (root / "inbox" / "agA" / "req1.csv").write_text(
        "request_id,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
        f"{request},低保,{household},140105,1,欧阳明,{head},户主,SQ1\n", encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 15), snapshot_mode="off")
    assert [r["decision"] for r in query(root, "SELECT decision FROM links WHERE record_id = 'B1'")] == ["review"]
    fill_sheet(root / "outbox" / "agA" / "review-open" / "review.xlsx", root / "inbox" / "agA" / "answered.xlsx",
               {"B1": ("确认", "张科员", "")})
    run_pass(root, as_of=date(2026, 11, 30), snapshot_mode="off")
    assert not list((root / "rejected").rglob("answered.xlsx.error.txt"))
    assert [r["decision"] for r in query(root, "SELECT decision FROM links WHERE record_id = 'B1'")] == ["confirmed"]


def test_the_note_of_a_request_whose_one_household_numbered_by_an_id_waits_sends_nobody_to_a_report(tmp_path):
    """A crash hunt: 'the other 1 row(s) were loaded and are answered in outbox/agA/RQ-A/' of a request
    whose only household, numbered by its head's ID, waited for its refused member row."""
    head = "140105197201140637"
    root = tmp_path / "root"
    (root / "inbox" / "agA").mkdir(parents=True)
    (root / "inbox" / "agA" / "req1.csv").write_text(
        "request_id,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
        f"RQ-A,低保,{head},140105,1,欧阳明,{head},户主,SQ1\n"
        f"RQ-A,低保,{head},99,2,欧阳亮,140105199901010012,子女,SQ2\n", encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 30), snapshot_mode="off")
    note = (root / "rejected" / "agA" / "req1.csv.error.txt").read_text(encoding="utf-8")
    assert "answered in" not in note and "核对报告见" not in note
    assert "not answered until the corrected rows arrive: 140105********0637" in note
