"""Atomic, idempotent loads of one delivered file into the warehouse.

A file is the unit of loading: its good rows, its quarantined rows and its `files` entry are
written in one transaction, so a pass killed midway leaves no partial batch and the next pass
loads the file again from scratch. The same bytes load once (content hash).

Analysts: rows of a big batch are not stored in file order; order by `row_number`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.connection import transaction
from warehouse.testhooks import pause_point

QUARANTINE_COLUMNS = ("row_number", "field", "reason", "raw_value", "raw_row")
QUARANTINE_PERSON = ("record_id", "id_number")
"""Optional quarantine columns: the row's record_id and its validated ID number (migration 0018)."""


@dataclass(frozen=True)
class Delivery:
    """A file found under landing/ or inbox/, not yet known to be new."""

    path: Path
    rel_path: str
    """Path relative to the data root, as recorded in lineage."""
    source: str
    """tax, vehicle, property, social_insurance, bank, rolls or applicants."""
    agency: str | None
    file_hash: str
    size_bytes: int
    mtime_ns: int | None = None
    batch_suffix: str = ""
    """Set when bytes loaded before are loaded again as a new batch (a rolls snapshot sent back
    after a later one: `pipelines.ingest._rolls_again`)."""

    @property
    def batch_id(self) -> str:
        return f"{self.source}-{self.file_hash[:16]}{self.batch_suffix}"


@dataclass(frozen=True)
class LoadOutcome:
    status: str  # loaded | skipped | rejected
    batch_id: str | None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str | None = None


def loaded_before(con: duckdb.DuckDBPyConnection, file_hash: str) -> tuple[str | None, str] | None:
    """(agency, path) of the earlier delivery that loaded these bytes, else None.

    Only loads count: bytes that were rejected are read again when they come back (a rejected
    file holds no data, and the reason may since have gone, or should be said again to whoever
    sent the copy), rather than skipped with no word to the sender."""
    row = con.execute("SELECT agency, path FROM files WHERE file_hash = ? AND status = 'loaded' "
                      "ORDER BY seen_at LIMIT 1", [file_hash]).fetchall()
    return (row[0][0], row[0][1]) if row else None


def record_file(con, d: Delivery, status: str, run_id: str, *, batch_id=None, file_format=None,
                encoding=None, rows_loaded=0, rows_quarantined=0, message=None) -> None:
    con.execute(
        "INSERT INTO files (file_hash, source, agency, path, size_bytes, status, batch_id, run_id, file_format, "
        "encoding, rows_loaded, rows_quarantined, message, seen_at, mtime_ns) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
        [d.file_hash, d.source, d.agency, d.rel_path, d.size_bytes, status, batch_id, run_id,
         file_format, encoding, rows_loaded, rows_quarantined, message, d.mtime_ns],
    )


def _table_columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()]


LINEAGE = ("batch_id", "file", "file_hash")
"""Lineage columns every loaded row gets from its delivery (row_number comes with the rows)."""
_BIG_BATCH = 200_000
_BIG_BATCH_SETTINGS = ("preserve_insertion_order",)
"""For a big batch: insert (and compress the row groups written ahead of the commit) on every
thread instead of one, not keeping the file's row order: 1M tax rows in ~0.8 s instead of
~2.3 s (bench/ingest.py). (Turning `enable_optimistic_write` off too looks faster still, but
only moves the work: the commit then writes a 350 MB WAL and the checkpoint pays it later.)"""
@contextmanager
def _bulk_settings(con: duckdb.DuckDBPyConnection, n_rows: int) -> Iterator[None]:
    """`_BIG_BATCH_SETTINGS` off for a big batch, until after its commit (turned back on before
    the commit, the commit itself runs single-threaded)."""
    settings = _BIG_BATCH_SETTINGS if n_rows >= _BIG_BATCH else ()
    for setting in settings:
        con.execute(f"SET {setting} = false")
    try:
        yield
    finally:
        for setting in settings:
            con.execute(f"RESET {setting}")


def load_delivery(con: duckdb.DuckDBPyConnection, d: Delivery, rows: pa.Table, quarantine: pa.Table,
                  run_id: str, *, file_format: str | None = None, encoding: str | None = None,
                  message: str | None = None) -> LoadOutcome:
    """Load a file's good rows and quarantine its bad ones, all or nothing.

    Source rows go to `<source>_all`; an older current row with the same record_id is marked
    superseded by this batch (a corrected re-delivery), never deleted. Applicant rows (inbox
    requests and rolls snapshots) go to `applicant_rows` and register their requests.

    The Arrow rows are read by DuckDB in place: lineage values are query parameters, not
    columns built per row, and a big batch is inserted without preserving the file's row
    order (all threads instead of one; `row_number` keeps the order for whoever needs it;
    see `_BIG_BATCH_SETTINGS`).
    """
    is_applicant = d.source in ("applicants", "rolls")
    target = "applicant_rows" if is_applicant else f"{d.source}_all"
    origin = ("inbox" if d.source == "applicants" else "rolls") if is_applicant else None
    wanted = [c for c in _table_columns(con, target) if c in rows.column_names and c not in LINEAGE]
    lineage = [d.batch_id, d.rel_path, d.file_hash] + ([origin] if is_applicant else [])
    into = ", ".join(wanted + list(LINEAGE) + (["origin"] if is_applicant else []) + ["loaded_at"])
    select = ", ".join(wanted + [f"${i + 1}" for i in range(len(lineage))] + ["now()"])
    person = [c for c in QUARANTINE_PERSON if c in quarantine.column_names]
    q = quarantine.select(list(QUARANTINE_COLUMNS) + person) if quarantine.num_rows else None
    n_rows = rows.num_rows
    with _bulk_settings(con, n_rows), transaction(con):
        con.register("staged_rows", rows)
        try:
            if not is_applicant and n_rows and con.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {target} WHERE superseded_by IS NULL)").fetchall()[0][0]:
                con.execute(
                    f"UPDATE {target} SET superseded_by = ? WHERE superseded_by IS NULL AND batch_id <> ? "
                    "AND record_id IN (SELECT record_id FROM staged_rows)", [d.batch_id, d.batch_id])
            con.execute(f"INSERT INTO {target} ({into}) SELECT {select} FROM staged_rows", lineage)
            if is_applicant and n_rows:
                con.execute(
                    "INSERT INTO requests SELECT request_id, any_value(agency), ?, ?, ?, "
                    "count(DISTINCT household_id), now(), NULL, NULL FROM staged_rows GROUP BY request_id",
                    [origin, d.batch_id, d.rel_path])
        finally:
            con.unregister("staged_rows")
        pause_point("load")  # a test kills the process here: the batch must vanish whole
        if q is not None:
            con.register("staged_q", q)
            try:
                con.execute(
                    "INSERT INTO quarantine (source, agency, file, file_hash, batch_id, row_number, field, reason, "
                    f"raw_value, raw_row, run_id, quarantined_at{''.join(', ' + c for c in person)}) "
                    "SELECT ?, ?, ?, ?, ?, row_number, field, reason, raw_value, raw_row, ?, now()"
                    f"{''.join(', ' + c for c in person)} FROM staged_q",
                    [d.source, d.agency, d.rel_path, d.file_hash, d.batch_id, run_id])
            finally:
                con.unregister("staged_q")
        n_bad = 0 if q is None else len(set(q.column("row_number").to_pylist()))
        record_file(con, d, "loaded", run_id, batch_id=d.batch_id, file_format=file_format,
                    encoding=encoding, rows_loaded=n_rows, rows_quarantined=n_bad, message=message)
    return LoadOutcome("loaded", d.batch_id, n_rows, n_bad)
