"""The DuckDB warehouse: schema migrations, atomic loads, and the names analysts query."""

from warehouse.connection import WarehouseBusy, open_warehouse, transaction
from warehouse.migrations import apply_migrations, available_migrations

__all__ = ["WarehouseBusy", "apply_migrations", "available_migrations", "open_warehouse", "transaction"]
