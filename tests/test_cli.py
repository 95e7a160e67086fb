"""The command line: thin commands with actionable errors."""

from datetime import date

from typer.testing import CliRunner

from hhverify.cli import app

runner = CliRunner(env={"COLUMNS": "400", "NO_COLOR": "1"})


def _text(res) -> str:
    """The output with rich's box drawing and line wrapping folded away."""
    return " ".join(res.output.replace("│", " ").split())


def test_run_on_a_missing_root_says_how_to_create_it(tmp_path):
    res = runner.invoke(app, ["run", "--root", str(tmp_path / "nope"), "--no-prefect"])
    assert res.exit_code == 2
    assert "does not exist" in _text(res) and "hhverify generate" in _text(res)


def test_bad_as_of_date_names_the_accepted_form(tmp_path):
    res = runner.invoke(app, ["run", "--root", str(tmp_path), "--no-prefect", "--as-of", "28/11/2026"])
    assert res.exit_code == 2 and "YYYY-MM-DD" in _text(res)


def test_generate_run_and_sql_round_trip(tmp_path):
    root = tmp_path / "root"
    assert runner.invoke(app, ["generate", "--root", str(root), "--households", "8", "--seed", "2",
                               "--as-of", "2026-11-28"]).exit_code == 0
    res = runner.invoke(app, ["run", "--root", str(root), "--no-prefect", "--as-of", "2026-11-28"])
    assert res.exit_code == 0, res.output
    assert "households verified" in res.output and "outbox" in res.output
    res = runner.invoke(app, ["sql", "--root", str(root), "SELECT count(*) AS n FROM runs WHERE status = 'completed'"])
    assert res.exit_code == 0 and "1" in res.output


def test_sql_without_a_warehouse_says_to_run_first(tmp_path):
    res = runner.invoke(app, ["sql", "--root", str(tmp_path), "SELECT 1"])
    assert res.exit_code == 2 and "run `hhverify run" in _text(res)


def test_a_relative_root_works_as_make_demo_uses_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["generate", "--root", "data", "--households", "6", "--as-of", "2026-11-28"]).exit_code == 0
    res = runner.invoke(app, ["run", "--root", "data", "--no-prefect", "--as-of", "2026-11-28"])
    assert res.exit_code == 0, res.output
    assert list((tmp_path / "data" / "quality").rglob("index.html"))


def test_sql_before_the_first_analyst_copy_says_whether_a_pass_is_running(tmp_path):
    import os

    from typer.testing import CliRunner

    from hhverify.cli import app
    from pipelines.locks import PASS_LOCK

    (tmp_path / PASS_LOCK).write_text(f"pid {os.getpid()}, nightly pass, since now\n")
    out = CliRunner().invoke(app, ["sql", "--root", str(tmp_path), "SELECT 1"])
    assert out.exit_code != 0 and "a pass is running now" in _said(out.output)
    (tmp_path / PASS_LOCK).write_text("")
    out = CliRunner().invoke(app, ["sql", "--root", str(tmp_path), "SELECT 1"])
    assert "run `hhverify run" in _said(out.output)


def _said(output: str) -> str:
    """The words of an error panel, whatever width it was wrapped at (a worker without a terminal
    wraps at 80 columns)."""
    return " ".join(output.replace("│", " ").split())


def test_a_warehouse_held_open_by_an_analysts_duckdb_client_is_named_as_possibly_not_a_pass(tmp_path):
    """Probe: an analyst's read-only DuckDB connection in a Python shell was called 'another
    hhverify process', told to wait for 'that pass', and the pass ended in a traceback."""
    import subprocess
    import sys

    from warehouse import open_warehouse

    open_warehouse(tmp_path / "warehouse.duckdb").close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               "con = duckdb.connect(sys.argv[1], read_only=True)\nprint('open', flush=True)\n"
                               "time.sleep(120)", str(tmp_path / "warehouse.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        res = runner.invoke(app, ["run", "--root", str(tmp_path), "--no-prefect", "--as-of", "2026-11-28"])
    finally:
        holder.kill()
        holder.wait()
    assert res.exit_code == 1 and (res.exception is None or isinstance(res.exception, SystemExit)), res.output
    (line,) = res.output.splitlines()
    assert line.startswith(f"Error: cannot open the warehouse {tmp_path / 'warehouse.duckdb'}: another program "
                           f"has it open: ") and f"(PID {holder.pid})" in line
    assert "a pass or any other program with the database open, such as an analyst's DuckDB client" in line
    assert "close that program" in line and "hhverify sql" in line and "another hhverify process" not in line
