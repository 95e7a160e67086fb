"""A generated province, an uninterrupted pass over a copy of it, and what a pass leaves behind:
shared by the tests that break a pass (kills, full disks, read-only roots) and compare."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from data.generator import generate
from pipelines.passes import run_pass

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 28)
VOLATILE = {"run_id", "generated_at", "answered_run_id"}


@pytest.fixture(scope="session")
def province(tmp_path_factory) -> Path:
    """A folder holding `pristine/`, a generated data root no pass has touched (copy it)."""
    base = tmp_path_factory.mktemp("faults")
    generate(base / "pristine", households=40, seed=23, as_of=AS_OF)
    return base


@pytest.fixture(scope="session")
def reference(province) -> dict:
    """`state` after one uninterrupted pass over a copy of the province."""
    root = province / "reference"
    shutil.copytree(province / "pristine", root)
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="off")
    assert summary["status"] == "completed"
    return state(root)


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def state(root: Path) -> dict:
    """What a pass leaves behind, without run ids, timestamps and the per-run quality pages."""
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        sources = {s: _rows(con, f"SELECT record_id, file, row_number, superseded_by IS NULL FROM {s}_all")
                   for s in ("tax", "vehicle", "property", "social_insurance", "bank")}
        out = {
            "sources": sources,
            "applicants": _rows(con, "SELECT request_id, household_id, member_no, file, row_number FROM applicant_rows"),
            "files": _rows(con, "SELECT path, status, rows_loaded, rows_quarantined FROM files "
                                "WHERE status IN ('loaded', 'rejected')"),
            "quarantine": _rows(con, "SELECT file, row_number, field, reason FROM quarantine"),
            "links": _rows(con, "SELECT source, record_id, request_id, household_id, member_no, decision, "
                                "round(match_probability, 6) FROM links"),
            "assessments": _rows(con, "SELECT request_id, household_id, outcome, monthly_income_total, "
                                      "financial_total, findings_fail, findings_warn, findings_info, fingerprint "
                                      "FROM assessment_history"),
            "findings": _rows(con, "SELECT request_id, household_id, rule, severity, message FROM findings"),
            "audit": _rows(con, "SELECT request_id, household_id, member_no, consent_ref, sources_consulted, "
                                "outputs FROM audit"),
            "answered": _rows(con, "SELECT request_id FROM requests WHERE answered_run_id IS NOT NULL"),
            "facts": _rows(con, "SELECT request_id, household_id, outcome, fingerprint FROM household_facts"),
            "alerts": _rows(con, "SELECT household_id, kind, severity, message FROM alerts"),
        }
    finally:
        con.close()
    files = sorted(p.relative_to(root).as_posix() for p in (root / "outbox").rglob("*") if p.is_file())
    out["outbox"] = files
    out["reports"] = {f: _strip(json.loads((root / f).read_text(encoding="utf-8")))
                      for f in files if f.endswith(".json")}
    out["rejected"] = sorted(p.relative_to(root).as_posix() for p in (root / "rejected").rglob("*") if p.is_file())
    return out
