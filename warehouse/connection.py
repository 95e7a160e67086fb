"""Opening the warehouse: one read-write DuckDB connection per process, schema up to date."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.migrations import apply_migrations

MEMORY_ENV = "HHVERIFY_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "8GB"
"""DuckDB's own default is 80 % of RAM, which leaves a 24 GiB machine no room for the pass's
Python side (Arrow batches, report documents) or anything else running: 8 GB bounds it, and
DuckDB spills joins, sorts and aggregates beyond it to `<warehouse>.tmp/`. A 100k-household
pass stays within it (bench/scale.py); raise it with HHVERIFY_MEMORY_LIMIT=12GB."""


TIME_ZONE = "Asia/Shanghai"
"""The zone of every time the warehouse stores (as wall-clock time, without a zone) and of its sessions."""


class WarehouseBusy(RuntimeError):
    """Another process holds DuckDB's lock on the warehouse file.

    Every pass waits for the pass lock before it opens the file, so the holder is seldom a pass:
    more often a program opened the live file itself, such as an analyst's DuckDB client, which
    locks it even read-only (a probe's `duckdb.connect(…, read_only=True)` in a Python shell was
    called "another hhverify process" and the operator told to wait for a pass that did not exist).
    """

    def __init__(self, path: Path, duckdb_message: str):
        held = re.search(r"lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)", duckdb_message)
        self.pid = int(held["pid"]) if held else None
        self.holder = f"{held['program']} (PID {self.pid})" if held else f"unknown ({duckdb_message})"
        super().__init__(
            f"cannot open the warehouse {path}: another program has it open: {self.holder}. It may be a pass "
            "or any other program with the database open, such as an analyst's DuckDB client (the duckdb "
            "shell, duckdb.connect() in Python, a SQL tool), which locks the file even read-only. Wait for "
            "a pass to finish, or close that program"
            + (f" (`ps -fp {self.pid}` shows what it is)" if self.pid else "")
            + ", then run the pass again; analysts should query the analyst copy (hhverify sql, or "
            "analyst.duckdb read-only), never the live warehouse.duckdb")


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse at `path` and bring its schema up to date.

    DuckDB lets one process hold the file; a second process gets an IOException naming the
    lock holder, which becomes `WarehouseBusy`, a message an operator can act on.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        if "conflicting lock" not in str(exc).lower():
            # not another process: a file it may not open (an operations probe's immutable file,
            # Operation not permitted, was said to be in use), told as the storage problem it is
            raise
        raise WarehouseBusy(path, str(exc)) from exc
    # Verification data is personal data: nobody but the service account reads the file.
    os.chmod(path, 0o600)
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{memory_limit()}'")
    con.execute(f"SET TimeZone = '{TIME_ZONE}'")
    apply_migrations(con)
    return con


def memory_limit() -> str:
    """DuckDB's memory limit for every database the pipeline opens: the warehouse and the analyst copy."""
    value = os.environ.get(MEMORY_ENV, DEFAULT_MEMORY_LIMIT).strip()
    if not value[:-2].replace(".", "", 1).isdigit() or value[-2:].upper() not in ("MB", "GB"):
        raise ValueError(f"{MEMORY_ENV}={value!r}: give a size such as 8GB or 6000MB")
    return value


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
