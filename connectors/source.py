"""The one reading path every per-table connector shares: read, map headers, type rows."""

from __future__ import annotations

from pathlib import Path

from connectors.canonical import Canonical, to_canonical
from connectors.headers import map_headers
from connectors.readers import read_raw
from connectors.schema import TABLES


def read_table(table_name: str, path: Path, sheet: str | None = None,
               defaults: dict[str, str] | None = None) -> Canonical:
    """Read a file as the schema table `table_name`.

    Args:
        table_name: A key of `schema.TABLES`.
        path: The delivered file.
        sheet: For workbooks, the sheet to read (default: the first).
        defaults: Text for fields whose cells are empty (see `to_canonical`).

    Raises:
        FileRejected: the file cannot be read, or lacks a required column.
    """
    table = TABLES[table_name]
    raw = read_raw(Path(path), sheet=sheet)
    mapping = map_headers(table, raw.headers, raw.path)
    return to_canonical(table, raw, mapping, defaults)
