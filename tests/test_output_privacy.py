"""No full ID number of any person in anything a pass writes for people to read: reports
(JSON, HTML), spreadsheets, the quality site, rejection notes, and the command's own output."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from data.generator import generate
from reports.masking import find_full_ids

HUMAN_FACING = (".json", ".html", ".xlsx", ".txt", ".csv", ".log")


@pytest.fixture(scope="module")
def pass_output(tmp_path_factory):
    base = tmp_path_factory.mktemp("privacy")
    root = base / "root"
    generate(root, households=40, seed=23, as_of=pd.Timestamp("2026-11-28").date())
    env = {**os.environ, "COLUMNS": "200"}
    res = subprocess.run([sys.executable, "-m", "hhverify.cli", "run", "--root", str(root), "--no-prefect",
                          "--as-of", "2026-11-28"], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    ids = set(pd.read_parquet(base / "root-truth" / "persons.parquet").id_number)
    return root, res.stdout + res.stderr, ids


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        return "\n".join(" ".join(str(c) for c in row) for name in wb.sheet_names
                         for row in wb.get_sheet_by_name(name).to_python())
    return path.read_text(encoding="utf-8", errors="replace")


def _written_files(root: Path):
    for folder in ("outbox", "quality", "rejected"):
        for p in (root / folder).rglob("*"):
            # rejected/ also holds the delivered files themselves, returned as they came
            if p.is_file() and p.name.endswith(HUMAN_FACING) and not (
                    folder == "rejected" and not p.name.endswith((".error.txt", ".errors.csv"))):
                yield p


def test_reports_spreadsheets_and_quality_pages_hold_no_full_id(pass_output):
    root, _, ids = pass_output
    files = list(_written_files(root))
    assert any(p.suffix == ".xlsx" for p in files) and any(p.parent.parent.name == "quality" or "quality" in p.parts for p in files)
    for p in files:
        text = _text_of(p)
        assert not find_full_ids(text), (p, find_full_ids(text)[:2])
        assert not [i for i in ids if i in text], p


def test_the_command_output_holds_no_full_id(pass_output):
    _, output, ids = pass_output
    assert not find_full_ids(output) and not [i for i in ids if i in output]


def test_outputs_are_owner_only(pass_output):
    root, _, _ = pass_output
    private = [root / "warehouse.duckdb", root / "analyst.duckdb",
               *(p for folder in ("outbox", "rejected", "quality") for p in (root / folder).rglob("*"))]
    assert (root / "analyst.duckdb").exists() and any((root / "rejected").rglob("*.errors.csv"))
    for p in private:
        assert p.stat().st_mode & 0o077 == 0, p


# A privacy probe's crafted deliveries: IDs spelled with spaces and hyphens, inside a rejected
# file's first row, in a column where no ID belongs (Data Docs quote such values), and glued to a
# record number. Each was printed in full somewhere a person reads.
CRAFTED_IDS = ("140105199003070810", "140105198507150225", "140105197201010348", "140105196606060019")


def _run_cli(root: Path) -> str:
    """One pass of the command line over `root`; what it printed (stdout and stderr)."""
    env = {**os.environ, "COLUMNS": "300"}
    res = subprocess.run([sys.executable, "-m", "hhverify.cli", "run", "--root", str(root), "--no-prefect",
                          "--as-of", "2026-11-28"], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout + res.stderr


@pytest.fixture(scope="module")
def crafted_output(tmp_path_factory):
    root = tmp_path_factory.mktemp("crafted") / "root"
    spaced, hyphen, shifted, glued = CRAFTED_IDS
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "landing" / "social_insurance").mkdir(parents=True)
    (root / "inbox" / "xiaodian").mkdir(parents=True)
    # no header: the file is rejected whole, and the note quotes its first row
    (root / "landing" / "tax" / "iit_noheader.csv").write_text(
        f"TX1,张建国,{spaced[:6]} {spaced[6:14]} {spaced[14:]},2026-09,工资薪金,3000\n", encoding="utf-8")
    (root / "landing" / "social_insurance" / "si.jsonl").write_text(
        '{"record_id": "S1", "name": "李四", "insurance_type": "失业保险", "record_type": "待遇", '
        '"period": "2026-09", "amount": 100}\n'
        f'{{"record_id": "S2", "name": "王五", "id_number": "{hyphen[:6]}-{hyphen[6:14]}-{hyphen[14:]}", \n'
        f'{{"record_id": "BK{glued}", "name": "赵六", "insurance_type": "失业保险", "record_type": "待遇", '
        '"period": "2026-13", "amount": 100}\n', encoding="utf-8")
    (root / "inbox" / "xiaodian" / "req.csv").write_text(
        "request_id,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
        "R1,dibao,H1,140105,1,张三,140105198001011234,户主,C1\n"
        f"R1,dibao,H2,{shifted},1,李四,140105198202022345,户主,C2\n", encoding="utf-8")
    return root, _run_cli(root)


def _digits(text: str) -> str:
    import re
    import unicodedata
    return re.sub(r"[\s\-‐-―－]", "", unicodedata.normalize("NFKC", text))


def test_ids_quoted_from_bad_rows_and_files_are_masked_in_every_spelling(crafted_output):
    root, output = crafted_output
    files = list(_written_files(root))
    assert any("quality" in p.parts for p in files) and any(p.name.endswith(".error.txt") for p in files)
    for where, text in [("command output", output)] + [(p, _text_of(p)) for p in files]:
        leaked = [i for i in CRAFTED_IDS if i in _digits(text)]
        assert not leaked, (where, [i[:6] + "…" for i in leaked])


def test_a_household_keyed_by_an_id_number_gets_a_report_file_name_without_it(tmp_path):
    """A privacy probe: an agency that keyed households by the head's ID got reports named
    `<full ID>.json` / `.html` (their contents masked it), and index.html linked to a masked
    name that did not exist."""
    key = "140105199003070810"
    root = tmp_path / "root"
    (root / "inbox" / "xiaodian").mkdir(parents=True)
    (root / "inbox" / "xiaodian" / "req.csv").write_text(
        "request_id,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
        f"R1,dibao,{key},140105,1,张三,{key},户主,C1\n", encoding="utf-8")
    output = _run_cli(root)
    folder = root / "outbox" / "xiaodian" / "R1"
    names = sorted(p.name for p in folder.iterdir() if p.suffix in (".json", ".html") and p.name != "index.html")
    assert [n for n in names if key in n] == [] and len([n for n in names if n.endswith(".json")]) == 1
    html = next(n for n in names if n.endswith(".html") and n != "review.html")
    assert f'href="{html}"' in (folder / "index.html").read_text(encoding="utf-8")
    assert key not in output


def test_a_file_named_after_an_id_number_gets_its_error_notes_under_a_masked_name_the_summary_names(tmp_path):
    """A privacy probe: `landing/tax/<full ID>.csv` with a bad row got `<full ID>.csv.error.txt`,
    and the pass summary sent the clerk to `<masked ID>.csv.error.txt`, which did not exist."""
    key = "140105198001011233"
    root = tmp_path / "root"
    (root / "landing" / "tax").mkdir(parents=True)
    (root / "landing" / "vehicle").mkdir(parents=True)
    (root / "landing" / "tax" / f"{key}.csv").write_text(
        "记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额\nT1,张三,,2026-09,工资薪金,3000\n"
        "T2,张三,,2026-09,工资薪金,abc\n", encoding="utf-8")
    (root / "landing" / "vehicle" / f"{key}.csv").write_text("not,a,vehicle,file\n1,2,3,4\n", encoding="utf-8")
    output = _run_cli(root)
    notes = sorted(p.relative_to(root).as_posix() for p in (root / "rejected").rglob("*.error.txt"))
    assert notes == ["rejected/tax/140105xxxxxxxx1233-0b776e5b.csv.error.txt",
                     "rejected/vehicle/140105xxxxxxxx1233-0b776e5b.csv.error.txt"]
    assert "see rejected/tax/140105xxxxxxxx1233-0b776e5b.csv.error.txt" in output
    assert key not in output
