"""`hhverify run --kind` records only the kinds of contract §5: a probe's `--kind weekly` was
recorded in `runs` as it was typed."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from typer.testing import CliRunner

from data.generator import generate
from hhverify.cli import app

runner = CliRunner(env={"COLUMNS": "400", "NO_COLOR": "1"})


def _text(res) -> str:
    return " ".join(res.output.replace("│", " ").split())


@pytest.mark.parametrize("kind", ["weekly", "Nightly", "manual", "on-demand", ""])
def test_run_refuses_a_kind_other_than_nightly_or_on_demand(tmp_path, kind):
    (tmp_path / "inbox").mkdir()
    res = runner.invoke(app, ["run", "--root", str(tmp_path), "--no-prefect", "--kind", kind])
    assert res.exit_code == 2, res.output
    assert f"--kind {kind!r}" in _text(res) and "nightly" in _text(res) and "on_demand" in _text(res)
    assert not (tmp_path / "warehouse.duckdb").exists(), "nothing may be started for a refused kind"


def test_run_records_an_accepted_kind(tmp_path):
    root = tmp_path / "root"
    generate(root, households=4, seed=5, as_of=date(2026, 11, 28))
    res = runner.invoke(app, ["run", "--root", str(root), "--no-prefect", "--as-of", "2026-11-28",
                              "--kind", "on_demand"])
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT kind FROM runs").fetchall() == [("on_demand",)]
    finally:
        con.close()
