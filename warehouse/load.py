"""Atomic, idempotent loads of one delivered file into the warehouse.

A file is the unit of loading: its good rows, its quarantined rows and its `files` entry are
written in one transaction, so a pass killed midway leaves no partial batch and the next pass
loads the file again from scratch. The same bytes load once (content hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.connection import transaction

QUARANTINE_COLUMNS = ("row_number", "field", "reason", "raw_value", "raw_row")


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

    @property
    def batch_id(self) -> str:
        return f"{self.source}-{self.file_hash[:16]}"


@dataclass(frozen=True)
class LoadOutcome:
    status: str  # loaded | skipped | rejected
    batch_id: str | None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str | None = None


def known_status(con: duckdb.DuckDBPyConnection, file_hash: str) -> str | None:
    """'loaded' or 'rejected' when these bytes were handled before, else None."""
    row = con.execute(
        "SELECT status FROM files WHERE file_hash = ? AND status IN ('loaded', 'rejected') LIMIT 1",
        [file_hash],
    ).fetchall()
    return row[0][0] if row else None


def record_file(con, d: Delivery, status: str, run_id: str, *, batch_id=None, file_format=None,
                encoding=None, rows_loaded=0, rows_quarantined=0, message=None) -> None:
    con.execute(
        "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [d.file_hash, d.source, d.agency, d.rel_path, d.size_bytes, status, batch_id, run_id,
         file_format, encoding, rows_loaded, rows_quarantined, message],
    )


def _table_columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()]


def _with_lineage(rows: pa.Table, d: Delivery, extra: dict) -> pa.Table:
    n = rows.num_rows
    cols = {"batch_id": d.batch_id, "file": d.rel_path, "file_hash": d.file_hash, **extra}
    for name, value in cols.items():
        rows = rows.append_column(name, pa.array([value] * n, pa.string()))
    return rows


def load_delivery(con: duckdb.DuckDBPyConnection, d: Delivery, rows: pa.Table, quarantine: pa.Table,
                  run_id: str, *, file_format: str | None = None, encoding: str | None = None) -> LoadOutcome:
    """Load a file's good rows and quarantine its bad ones, all or nothing.

    Source rows go to `<source>_all`; an older current row with the same record_id is marked
    superseded by this batch (a corrected re-delivery), never deleted. Applicant rows (inbox
    requests and rolls snapshots) go to `applicant_rows` and register their requests.
    """
    is_applicant = d.source in ("applicants", "rolls")
    target = "applicant_rows" if is_applicant else f"{d.source}_all"
    extra = {"origin": "inbox" if d.source == "applicants" else "rolls"} if is_applicant else {}
    staged = _with_lineage(rows, d, extra)
    wanted = [c for c in _table_columns(con, target) if c in staged.column_names]
    q = quarantine.select(list(QUARANTINE_COLUMNS)) if quarantine.num_rows else None
    with transaction(con):
        con.register("staged_rows", staged)
        try:
            if not is_applicant and staged.num_rows:
                con.execute(
                    f"UPDATE {target} SET superseded_by = ? WHERE superseded_by IS NULL AND batch_id <> ? "
                    "AND record_id IN (SELECT record_id FROM staged_rows)", [d.batch_id, d.batch_id])
            col_list = ", ".join(wanted)
            con.execute(f"INSERT INTO {target} ({col_list}, loaded_at) "
                        f"SELECT {col_list}, now() FROM staged_rows")
            if is_applicant and staged.num_rows:
                con.execute(
                    "INSERT INTO requests SELECT request_id, any_value(agency), ?, ?, ?, "
                    "count(DISTINCT household_id), now(), NULL, NULL FROM staged_rows GROUP BY request_id",
                    [extra["origin"], d.batch_id, d.rel_path])
        finally:
            con.unregister("staged_rows")
        if q is not None:
            con.register("staged_q", q)
            try:
                con.execute(
                    "INSERT INTO quarantine SELECT ?, ?, ?, ?, ?, row_number, field, reason, raw_value, "
                    "raw_row, ?, now() FROM staged_q",
                    [d.source, d.agency, d.rel_path, d.file_hash, d.batch_id, run_id])
            finally:
                con.unregister("staged_q")
        n_bad = 0 if q is None else len(set(q.column("row_number").to_pylist()))
        record_file(con, d, "loaded", run_id, batch_id=d.batch_id, file_format=file_format,
                    encoding=encoding, rows_loaded=staged.num_rows, rows_quarantined=n_bad)
    return LoadOutcome("loaded", d.batch_id, staged.num_rows, n_bad)
