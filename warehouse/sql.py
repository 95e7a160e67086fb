"""The one place SQL built elsewhere (functions ending in `_sql`) is executed."""

from __future__ import annotations

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
