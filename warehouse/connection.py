"""Opening the warehouse: one read-write DuckDB connection per process, schema up to date."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.migrations import apply_migrations


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse at `path` and bring its schema up to date.

    DuckDB lets one process hold the file; a second process gets an IOException naming the
    lock holder, which we turn into a message an operator can act on.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise RuntimeError(
            f"cannot open the warehouse {path}: another hhverify process is using it ({exc}). "
            "Wait for that pass to finish; analysts should query the published snapshot "
            "(hhverify sql) instead of the live file."
        ) from exc
    # Verification data is personal data: nobody but the service account reads the file.
    os.chmod(path, 0o600)
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    apply_migrations(con)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit on success, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
