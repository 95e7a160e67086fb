"""A request file with bad rows: the good rows are answered, and the agency gets an error report
in rejected/<agency>/ saying which rows, which fields and why."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from data.generator import generate
from pipelines.passes import run_pass
from reports.masking import find_full_ids

from ops_support import query, request_rows, write_csv

AS_OF = date(2026, 11, 28)
AGENCY = "qingxu_minzheng"


@pytest.fixture(scope="module")
def answered(tmp_path_factory):
    root = tmp_path_factory.mktemp("errors") / "root"
    generate(root, households=12, seed=31, as_of=AS_OF)
    run_pass(root, as_of=AS_OF, snapshot_mode="off")
    households = [r["household_id"] for r in query(root, "SELECT DISTINCT household_id FROM rolls_current ORDER BY 1 LIMIT 3")]
    rows = request_rows(root, households, "REQ-ERR-0001", AGENCY)
    rows[1] = {**rows[1], "program": "lottery"}              # data row 2: not a programme
    rows[2] = {**rows[2], "name": ""}                         # data row 3: a required field left empty
    rows[3] = {**rows[3], "declared_monthly_income": "-50"}   # data row 4: a negative amount
    bad = {(rows[i]["household_id"], rows[i]["member_no"]) for i in (1, 2, 3)}
    write_csv(root / "inbox" / AGENCY / "request_errors.csv", rows)
    summary = run_pass(root, as_of=AS_OF, include_rolls=False, landing=False, snapshot_mode="off")
    return root, summary, rows, bad


def test_the_error_report_lists_rows_fields_and_reasons(answered):
    root, summary, rows, _ = answered
    note = root / "rejected" / AGENCY / "request_errors.csv.error.txt"
    text = note.read_text(encoding="utf-8")
    assert "inbox/qingxu_minzheng/request_errors.csv" in text
    assert all(f"row {n}" in text for n in (2, 3, 4)) and "row 5 " not in text
    assert "program" in text and "lottery" in text and "name" in text and "declared_monthly_income" in text
    with (root / "rejected" / AGENCY / "request_errors.csv.errors.csv").open(encoding="utf-8-sig") as fh:
        listed = list(csv.DictReader(fh))
    assert {(r["row_number"], r["field"]) for r in listed} >= {("2", "program"), ("3", "name"),
                                                                ("4", "declared_monthly_income")}
    assert all(r["request_id"] == "REQ-ERR-0001" and r["household_id"] for r in listed)
    assert summary["rows_quarantined"] == 3 and any("rejected/qingxu_minzheng" in m for m in summary["messages"])


def test_the_error_report_masks_id_numbers(answered):
    root, _, rows, _ = answered
    for p in (root / "rejected" / AGENCY).iterdir():
        text = p.read_text(encoding="utf-8-sig")
        assert not find_full_ids(text), p
        assert not [r["id_number"] for r in rows if r["id_number"] and len(r["id_number"]) >= 15 and r["id_number"] in text]


def test_a_household_with_a_rejected_member_waits_for_the_corrected_rows(answered):
    root, summary, rows, bad = answered
    held = {h for h, _ in bad}
    folder = root / "outbox" / AGENCY / "REQ-ERR-0001"
    assert {p.stem for p in folder.glob("HH*.json")} == {r["household_id"] for r in rows} - held
    note = (root / "rejected" / AGENCY / "request_errors.csv.error.txt").read_text(encoding="utf-8")
    assert all(h in note.split("not answered until the corrected rows arrive:")[1].splitlines()[0] for h in held)
    fixed = request_rows(root, sorted(held), "REQ-ERR-0001", AGENCY)
    write_csv(root / "inbox" / AGENCY / "request_errors_fixed.csv",
              [r for r in fixed if (r["household_id"], r["member_no"]) in bad])  # only the corrected rows
    again = run_pass(root, as_of=AS_OF, include_rolls=False, landing=False, snapshot_mode="off")
    assert again["files_loaded"] == 1 and again["rows_quarantined"] == 0
    assert {p.stem for p in folder.glob("HH*.json")} == {r["household_id"] for r in rows}
    doc = json.loads((folder / f"{sorted(held)[0]}.json").read_text(encoding="utf-8"))
    assert len(doc["members"]) == sum(1 for r in rows if r["household_id"] in held)


@pytest.fixture(scope="module")
def first_passed(tmp_path_factory):
    """A generated province after its first pass (copied by each test: generating and passing it
    took a few seconds a test)."""
    root = tmp_path_factory.mktemp("two") / "root"
    generate(root, households=6, seed=37, as_of=AS_OF)
    run_pass(root, as_of=AS_OF, snapshot_mode="off")
    return root


def _two_households(tmp_path, request_id: str, base):
    """A copy of `base` (`first_passed`), and the request rows of two of its households (the
    second's row indices too), for a request `request_id` of AGENCY."""
    import shutil

    root = tmp_path / "root"
    shutil.copytree(base, root, symlinks=True)
    households = [r["household_id"] for r in query(root, "SELECT DISTINCT household_id FROM rolls_current ORDER BY 1 LIMIT 2")]
    rows = request_rows(root, households, request_id, AGENCY)
    return root, households, rows, [i for i, r in enumerate(rows) if r["household_id"] == households[1]]


def test_a_request_with_chinese_headers_holds_the_household_of_its_rejected_member_too(tmp_path, first_passed):
    """The rejected row is quoted with the file's own headers (申请编号 …): held households and the
    error report must read them as the file was read (they once looked for `request_id` only, and
    such a household was answered without its member)."""
    from connectors.schema import TABLES

    root, households, rows, two = _two_households(tmp_path, "REQ-ERR-ZH", first_passed)
    rows[two[-1]] = {**rows[two[-1]], "member_no": "x"}          # not a member number
    chinese = {f.name: f.aliases[0] for f in TABLES["applicants"].fields if f.aliases}
    write_csv(root / "inbox" / AGENCY / "request_zh.csv", [{chinese.get(k, k): v for k, v in r.items()} for r in rows])
    run_pass(root, as_of=AS_OF, include_rolls=False, landing=False, snapshot_mode="off")
    folder = root / "outbox" / AGENCY / "REQ-ERR-ZH"
    assert {p.stem for p in folder.glob("*.json")} == {households[0]}
    with (root / "rejected" / AGENCY / "request_zh.csv.errors.csv").open(encoding="utf-8-sig") as fh:
        (listed,) = list(csv.DictReader(fh))
    assert (listed["request_id"], listed["household_id"], listed["field"]) == ("REQ-ERR-ZH", households[1],
                                                                           f"{chinese['member_no']}（member_no）")
    # the corrected row answers it: matched to the rejected one by ID, its number having been the error
    # (a probe's household waited forever for a member numbered `abc`)
    fixed = request_rows(root, [households[1]], "REQ-ERR-ZH", AGENCY)[-1]
    write_csv(root / "inbox" / AGENCY / "request_zh_fixed.csv", [{chinese.get(k, k): v for k, v in fixed.items()}])
    run_pass(root, as_of=AS_OF, include_rolls=False, landing=False, snapshot_mode="off")
    assert {p.stem for p in folder.glob("*.json")} == set(households)


@pytest.mark.parametrize("bad_id", ["abc", "140105199901019999"])
def test_a_row_wrong_in_its_member_number_and_its_id_is_corrected_by_its_members_row_in_a_later_file(tmp_path, bad_id,
                                                                                                     first_passed):
    """An operations probe: a row with 成员序号 `二` and a mistyped ID, corrected in a later file
    (number and ID both right), kept its household unanswered pass after pass: the correction was
    looked for under the wrong ID."""
    root, households, rows, two = _two_households(tmp_path, "REQ-ERR-ID", first_passed)
    right = dict(rows[two[-1]])
    rows[two[-1]] = {**right, "member_no": "二", "id_number": bad_id}
    write_csv(root / "inbox" / AGENCY / "request_id.csv", rows)
    run_pass(root, as_of=AS_OF, include_rolls=False, landing=False, snapshot_mode="off")
    folder = root / "outbox" / AGENCY / "REQ-ERR-ID"
    assert {p.stem for p in folder.glob("*.json")} == {households[0]}
    write_csv(root / "inbox" / AGENCY / "request_id_fixed.csv", [right])
    run_pass(root, as_of=AS_OF, include_rolls=False, landing=False, snapshot_mode="off")
    assert {p.stem for p in folder.glob("*.json")} == set(households)


def test_the_note_points_only_at_answer_folders_that_exist(answered):
    """A note said "answered in outbox/<agency>/<request>/" for a request whose every household
    waited for corrected rows, so the folder it named did not exist (a probe)."""
    root, _, _, _ = answered
    note = (root / "rejected" / AGENCY / "request_errors.csv.error.txt").read_text(encoding="utf-8")
    for folder in __import__("re").findall(r"outbox/[^/\s]+/[^/\s，,]+/", note):
        assert (root / folder).is_dir(), folder


def test_the_pass_summary_says_where_the_reports_went(answered):
    """The serve log printed counts only; it now logs the summary's messages too (a probe)."""
    _, summary, _, _ = answered
    assert any(m.startswith(f"reports written to outbox/{AGENCY}/REQ-ERR-0001/ (") for m in summary["messages"])


def test_a_huge_cell_is_quoted_cut_with_its_length_in_the_error_lines():
    """An operations probe: one 100,000-character name made a 300 KB error note for one row."""
    from pipelines.row_errors import QUOTE_LIMIT, _lines

    name = "张春梅" + "长" * 100_000
    raw_row = json.dumps({"记录编号": "B4", "户名": name}, ensure_ascii=False)
    (line,) = _lines([{"row_number": 2, "field": "name", "reason": "not a name", "raw_value": name,
                       "raw_row": raw_row}], "bank")
    for quoted in (line["name"], line["value"]):
        assert quoted.startswith("张春梅长") and len(quoted) < QUOTE_LIMIT + 40 and "共100003字" in quoted
