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


def test_a_pass_dated_before_the_last_completed_one_is_refused_and_changes_nothing(tmp_path):
    """A time probe: a pass dated three weeks back re-judged the rolls by the older standard and
    alerted 通过→不通过 (to flip back the next night)."""
    root = tmp_path / "root"
    generate(root, households=4, seed=5, as_of=date(2026, 11, 28))
    assert runner.invoke(app, ["run", "--root", str(root), "--no-prefect", "--as-of", "2026-11-28"]).exit_code == 0
    res = runner.invoke(app, ["run", "--root", str(root), "--no-prefect", "--as-of", "2026-11-07"])
    assert res.exit_code == 2, res.output
    assert "last verified as of 2026-11-28; a pass dated 2026-11-07" in _text(res)
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT as_of FROM runs").fetchall() == [(date(2026, 11, 28),)]
    finally:
        con.close()
    assert runner.invoke(app, ["run", "--root", str(root), "--no-prefect", "--as-of", "2026-11-28"]).exit_code == 0


def test_a_file_path_that_reads_as_console_markup_is_printed_as_it_is(tmp_path):
    """A hostile-input probe: a request file at inbox/agA/x[/y].csv stopped the summary with a rich
    MarkupError (exit 1) after the pass had completed; an ESC in a name recoloured the terminal."""
    root = tmp_path / "root"
    generate(root, households=4, seed=5, as_of=date(2026, 11, 28))
    (root / "inbox" / "agA" / "x[").mkdir(parents=True)
    (root / "inbox" / "agA" / "x[" / "y].csv").write_text("申请编号,家庭编号\n", encoding="utf-8")
    (root / "inbox" / "agA" / "e\x1b[31mred.csv").write_text("申请编号,家庭编号\n", encoding="utf-8")
    res = runner.invoke(app, ["run", "--root", str(root), "--no-prefect", "--as-of", "2026-11-28"])
    assert res.exit_code == 0, res.output
    assert "x[/y].csv" in res.output and "\x1b" not in res.output and "e\\x1b[31mred.csv" in res.output


def test_a_pass_dated_after_today_is_refused_before_anything_starts(tmp_path):
    """A README probe typed 2027 for 2026: the pass judged the rolls on months nobody had delivered,
    and every pass after it (serve's too) was refused as backdated, advised to leave --as-of out."""
    from datetime import timedelta

    from pipelines.context import today_shanghai

    (tmp_path / "inbox").mkdir()
    tomorrow = today_shanghai() + timedelta(days=1)
    res = runner.invoke(app, ["run", "--root", str(tmp_path), "--no-prefect", "--as-of", tomorrow.isoformat()])
    assert res.exit_code == 2, res.output
    assert f"--as-of {tomorrow} is after today" in _text(res)
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_todays_pass_after_one_dated_in_the_future_says_what_to_do(tmp_path):
    from datetime import timedelta

    from pipelines.context import BackdatedPass, PassContext, today_shanghai

    root = tmp_path / "root"
    generate(root, households=4, seed=5, as_of=date(2026, 11, 28))
    later = today_shanghai() + timedelta(days=30)
    ctx = PassContext.open(root, as_of=later)    # (as a pass dated so before this guard existed)
    ctx.con.execute("INSERT INTO runs (run_id, kind, as_of, started_at, status) VALUES ('r-future', 'manual', ?, "
                    "now(), 'completed')", [later])
    ctx.close()
    with pytest.raises(BackdatedPass, match=f"after today .*--as-of {later}"):
        PassContext.open(root)
