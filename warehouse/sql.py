"""The one place SQL built elsewhere (functions ending in `_sql`) is executed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable

import duckdb


class WarehouseSQLError(RuntimeError):
    def __init__(self, label: str, sql: str, cause: Exception):
        super().__init__(f"{label} failed: {cause}\n--- SQL ---\n{sql}")
        self.label, self.sql = label, sql


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None, *, label: str = "query"):
    """Execute `sql`, re-raising any error with the step's label and the full statement."""
    try:
        return con.execute(sql, params or [])
    except duckdb.Error as exc:
        raise WarehouseSQLError(label, sql, exc) from exc


def fetch_grouped(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None, *,
                  key: Callable[[dict], Hashable], label: str = "query") -> dict[Hashable, list[dict]]:
    """Run `sql` and group its rows, as {column: value} records, by `key(record)`.

    `key` may also remove the grouping columns from the record (e.g. `lambda r: r.pop("agency")`).
    """
    res = run_sql(con, sql, params, label=label)
    cols = [c[0] for c in res.description]
    out: dict = defaultdict(list)
    for row in res.fetchall():
        rec = dict(zip(cols, row))
        out[key(rec)].append(rec)
    return out
