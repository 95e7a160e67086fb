"""Helpers for the operations tests: request files and department deltas in the contract's shape."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb

REQUEST_FIELDS = ("request_id", "agency", "program", "household_id", "county_code", "member_no", "name",
                  "id_number", "relation", "consent_ref", "birth_date", "gender", "address", "labor_capacity",
                  "declared_monthly_income")


def query(root: Path, sql: str, params=None) -> list[dict]:
    """Rows of `sql` on the live warehouse, opened read-only (only while no pass runs)."""
    con = duckdb.connect(str(Path(root) / "warehouse.duckdb"), read_only=True)
    try:
        res = con.execute(sql, params or [])
        cols = [c[0] for c in res.description]
        return [dict(zip(cols, r)) for r in res.fetchall()]
    finally:
        con.close()


def request_rows(root: Path, households: list[str], request_id: str, agency: str) -> list[dict]:
    """The rolls rows of `households` as a new request of `agency` (as the agency would write them)."""
    rows = query(root, "SELECT * REPLACE (id_raw AS id_number) FROM rolls_current "
                       "WHERE household_id IN (SELECT unnest(?)) ORDER BY household_id, member_no", [households])
    return [{**{f: r[f] for f in REQUEST_FIELDS}, "request_id": request_id, "agency": agency} for r in rows]


def write_csv(path: Path, rows: list[dict], fields=None, *, rename: bool = True) -> Path:
    """Write rows as UTF-8 CSV the way writers deliver: to `<name>.part`, then rename into place
    (with rename=False, leave the `.part` for the caller to rename, and return it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = list(fields or rows[0].keys())
    part = path.with_name(path.name + ".part")
    with part.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k) for k in fields})
    if not rename:
        return part
    os.replace(part, path)
    return path
