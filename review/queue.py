"""The open review queue, for the terminal (`hhverify review`) and for analysts (`review_queue`).

DuckDB lets one process hold a database file, and even a read-only reader blocks the pass
(stack-notes). So the queue is read from the analyst copy `<root>/analyst.duckdb` when it
exists — the last completed pass, never blocked — and only otherwise from the live
`warehouse.duckdb`, opened read-only (which fails while a pass runs: `QueueUnavailable`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

ANALYST_DB = "analyst.duckdb"  # pipelines.snapshot.ANALYST_DB (not imported: no pipeline code here)
LIVE_DB = "warehouse.duckdb"

QUEUE_COLUMNS = ("agency", "request_id", "household_id", "member_no", "member_name", "source", "record_id",
                 "match_probability", "summary", "last_decision")


class QueueUnavailable(RuntimeError):
    """No database to read the queue from, or it is busy / too old; the message says what to do."""


def queue_sql(agency: str | None = None) -> tuple[str, list]:
    """The open questions (of `agency` when given), oldest request first, with parameters.

    Example:
        >>> queue_sql("taiyuan")[1]
        ['taiyuan']
    """
    where, params = ("WHERE agency = ?", [agency]) if agency else ("", [])
    return (f"SELECT {', '.join(QUEUE_COLUMNS)} FROM review_queue {where} "
            "ORDER BY agency, request_id, household_id, member_no, source, record_id", params)


def open_queue(con: duckdb.DuckDBPyConnection, agency: str | None = None) -> list[dict]:
    """The open questions as dicts (keys: `QUEUE_COLUMNS`)."""
    sql, params = queue_sql(agency)
    res = con.execute(sql, params)
    cols = [c[0] for c in res.description]
    return [dict(zip(cols, r)) for r in res.fetchall()]


def queue_database(root: Path) -> Path:
    """The file the queue is read from: the analyst copy if there is one, else the live warehouse."""
    root = Path(root)
    analyst = root / ANALYST_DB
    return analyst if analyst.exists() else root / LIVE_DB


def read_queue(root: Path, agency: str | None = None) -> tuple[Path, list[dict]]:
    """(database read, open questions) for the data root; raises `QueueUnavailable` with advice."""
    path = queue_database(root)
    if not path.exists():
        raise QueueUnavailable(f"no warehouse under {Path(root)}: run `hhverify run --root {root}` first")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise QueueUnavailable(f"{path} is in use by a pass in progress ({exc}); wait for it to finish — after a "
                               f"completed pass the queue is read from {ANALYST_DB}, which is never blocked") from exc
    try:
        return path, open_queue(con, agency)
    except duckdb.CatalogException as exc:
        raise QueueUnavailable(f"{path} has no review_queue yet (warehouse older than migration 0007): "
                               f"run `hhverify run --root {root}` once to bring it up to date") from exc
    finally:
        con.close()
