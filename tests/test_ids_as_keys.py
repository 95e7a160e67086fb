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
