"""`hhverify sql` reads the analyst copy and nothing else, and takes queries as analysts write them.

A probe found that an analyst's query could overwrite the live warehouse (`COPY … TO`), attach
it and read real ID numbers, read the pseudonymisation secret (`read_blob`), and lock a pass out
of the warehouse; that an empty query ended in a traceback; and that a query opening with a SQL
comment, as the README's do, was taken for an unknown option.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from data.generator import generate
from hhverify.cli import app
from pipelines.passes import run_pass

AS_OF = date(2026, 11, 28)
README = Path(__file__).resolve().parents[1] / "README.md"
REFUSED = "analysts can only query the tables of the analyst copy"

runner = CliRunner(env={"COLUMNS": "400", "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sql") / "root"
    generate(root, households=8, seed=41, as_of=AS_OF)
    assert run_pass(root, as_of=AS_OF)["status"] == "completed"
    return root


def _sql(root: Path, query: str, *options: str):
    return runner.invoke(app, ["sql", "--root", str(root), *options, query])


def _text(res) -> str:
    return " ".join(res.output.replace("│", " ").split())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(res) -> None:
    assert res.exit_code == 2, res.output
    assert REFUSED in _text(res), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception


def test_a_query_cannot_overwrite_the_live_warehouse(root):
    live = root / "warehouse.duckdb"
    before = _digest(live)
    res = _sql(root, f"COPY (SELECT 'garbage' AS x) TO '{live}' (FORMAT csv)")
    _refused(res)
    assert _digest(live) == before


def test_a_query_cannot_write_any_file(root, tmp_path):
    _refused(_sql(root, f"COPY (SELECT 1 AS x) TO '{tmp_path / 'out.csv'}' (FORMAT csv)"))
    _refused(_sql(root, f"EXPORT DATABASE '{tmp_path / 'dump'}'"))
    assert not list(tmp_path.iterdir())


def test_a_query_cannot_attach_the_live_warehouse(root):
    """Attached, it would show real ID numbers, and hold the file so the next pass fails on its lock."""
    _refused(_sql(root, f"ATTACH '{root / 'warehouse.duckdb'}' AS w (READ_ONLY)"))
    _refused(_sql(root, f"ATTACH '{root / 'warehouse.duckdb'}' AS w (READ_ONLY); SELECT id_number FROM w.applicant_members"))


def test_a_query_cannot_read_the_pseudonymisation_secret(root):
    secret = (root / ".secrets" / "analyst-key").read_text(encoding="ascii").strip()
    for query in (f"SELECT * FROM read_blob('{root}/.secrets/*')", f"SELECT * FROM read_text('{root}/.secrets/analyst-key')",
                  f"SELECT * FROM read_csv('{root}/.secrets/analyst-key')", f"SELECT * FROM glob('{root}/*')"):
        res = _sql(root, query)
        _refused(res)
        assert secret not in res.output


def test_a_query_cannot_turn_file_access_back_on(root):
    res = _sql(root, f"SET enable_external_access = true; SELECT * FROM read_blob('{root}/.secrets/*')")
    _refused(res)
    _refused(_sql(root, "RESET lock_configuration"))


def test_a_write_to_the_copy_is_refused_with_exit_2(root):
    res = _sql(root, "DELETE FROM runs")
    assert res.exit_code == 2 and "read-only" in _text(res)
    assert "1" in _sql(root, "SELECT count(*) AS n FROM runs", "--csv").output


@pytest.mark.parametrize("query", [";", "   ", "", ";;\n", "-- only a comment"])
def test_an_empty_query_says_so_and_exits_2(root, query):
    res = _sql(root, query)
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "no SQL statement" in _text(res) and "Traceback" not in res.output


def test_a_query_opening_with_a_comment_is_taken_as_the_query(root):
    res = _sql(root, "-- outcomes by county\nSELECT 40 + 2 AS answer")
    assert res.exit_code == 0, res.output
    assert "answer" in res.output and "42" in res.output
    res = _sql(root, "-- the same in CSV\nSELECT 40 + 2 AS answer", "--csv")
    assert res.exit_code == 0 and res.output.split() == ["answer", "42"]


@pytest.mark.parametrize("args, said", [
    (["--rot", "{root}", "SELECT 1"], "no such option: --rot (options: --root, --csv)"),
    (["--root", "{root}", "--cvs", "SELECT 1"], "no such option: --cvs"),
    (["--root", "{root}", "SELECT", "1"], "unexpected argument(s) after the query: 1"),
])
def test_a_mistyped_option_or_an_unquoted_query_is_named(root, args, said):
    """A README probe: `sql --rot data "SELECT 1"` read "unexpected extra argument(s) (data SELECT 1)"."""
    res = runner.invoke(app, ["sql", *[a.format(root=root) for a in args]])
    assert res.exit_code == 2, res.output
    assert said in _text(res), res.output


def test_every_statement_of_a_multi_statement_query_is_printed(root):
    res = _sql(root, "SELECT 1 AS first_col; SELECT 2 AS second_col", "--csv")
    assert res.exit_code == 0, res.output
    assert res.output.split("\n\n") == ["first_col\n1", "second_col\n2\n"]
    res = _sql(root, "SELECT 1 AS first_col; SELECT 2 AS second_col")
    assert res.exit_code == 0 and "first_col" in res.output and "second_col" in res.output


def test_a_temporary_table_can_feed_the_next_statement(root):
    res = _sql(root, "CREATE TEMP TABLE done AS SELECT run_id FROM runs WHERE status = 'completed'; "
                     "SELECT count(*) AS n FROM done", "--csv")
    assert res.exit_code == 0, res.output
    assert res.output.split()[-2:] == ["n", "1"]


def test_an_unknown_table_is_an_error_naming_it(root):
    res = _sql(root, "SELECT * FROM no_such_table")
    assert res.exit_code == 2 and "no_such_table" in _text(res)


def _readme_blocks(heading: str) -> list[str]:
    section = README.read_text(encoding="utf-8").split(heading, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


@pytest.mark.parametrize("heading", ["## What analysts can query", "### Review tables for analysts"])
def test_the_readme_queries_run_through_hhverify_sql_as_written(root, heading):
    """Each block whole, as an analyst pastes it: comments first, several statements."""
    blocks = _readme_blocks(heading)
    assert blocks
    for block in blocks:
        statements = [s for s in block.split(";") if "\n".join(line for line in s.splitlines()
                                                                if not line.strip().startswith("--")).strip()]
        for options in ((), ("--csv",)):
            res = _sql(root, block, *options)
            assert res.exit_code == 0, (block, res.output)
        csv_out = _sql(root, block, "--csv").output
        assert len(csv_out.split("\n\n")) == len(statements), csv_out


SQL_ERRORS = [  # (query, the one line printed): DuckDB's own messages span lines (LINE 1: …, ^^^, hints)
    ("SELECT run_idd FROM runs",
     'Error: Binder Error: Referenced column "run_idd" not found in FROM clause! Candidate bindings: "run_id", '
     '"rows_loaded", "window_end", "kind", "files_loaded" (line 1, at "run_idd")'),
    ("SELEC 1", 'Error: Parser Error: syntax error at or near "SELEC" (line 1, at "SELEC")'),
    ("SELECT count(*) FROM runs WHERE status =",
     'Error: Parser Error: syntax error at or near "=" (line 1, at "=")'),
    ("SELECT 'x'::INT", 'Error: Conversion Error: Could not convert string \'x\' to INT32 (line 1, at "::INT")'),
    ("SELECT 1; SELECT * FROM runz",
     'Error: statement 2 of 2: Catalog Error: Table with name runz does not exist! Did you mean "runs"?'),
    # DuckDB's caret for a later statement falls in the whole query's text: not shown where it misses
    ("SELECT 1; SELECT nope FROM runs",
     'Error: statement 2 of 2: Binder Error: Referenced column "nope" not found in FROM clause! Candidate bindings: '
     '"window_end", "finished_at", "work_reason", "rolls_verified", "reports_written"'),
]


@pytest.mark.parametrize("query, line", SQL_ERRORS, ids=[q for q, _ in SQL_ERRORS])
def test_a_query_duckdb_cannot_run_is_one_line_saying_what_was_wrong(root, query, line):
    res = _sql(root, query)
    assert res.exit_code == 2, res.output
    assert res.output.splitlines() == [line]


def test_a_root_that_does_not_exist_is_named_as_such(tmp_path):
    res = runner.invoke(app, ["sql", "--root", str(tmp_path / "nope"), "SELECT 1"])
    assert res.exit_code == 2 and "does not exist" in _text(res) and "hhverify run" not in _text(res), res.output
