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
