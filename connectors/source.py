"""The one reading path every per-table connector shares: read, map headers, type rows."""

from __future__ import annotations

from pathlib import Path

from connectors.canonical import Canonical, to_canonical
from connectors.errors import FileRejected
from connectors.headers import map_headers, merge_line_keys
from connectors.households import with_household_cells
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
    if raw.format == "jsonl":  # a JSON line carries its own keys: spellings may differ line to line
        raw = merge_line_keys(table, raw)
    try:
        mapping = map_headers(table, raw.headers, raw.path)
    except FileRejected as exc:
        if raw.format not in ("xlsx", "xls") or sheet:
            raise
        raise FileRejected(raw.path, _sheet_hint(exc.reason, raw)) from None
    if table_name == "applicants":   # hand-filled: household cells written once per household block
        raw = with_household_cells(raw, mapping)
    return to_canonical(table, raw, mapping, defaults)


def _sheet_hint(reason: str, raw) -> str:
    """A workbook whose first sheet is not the table (a cover sheet, a notes sheet) is told so, not
    given the CSV advice about separators (a probe's 封面 sheet)."""
    from python_calamine import CalamineWorkbook

    reason = reason.split(". The whole header was read as one column")[0]
    try:
        names = CalamineWorkbook.from_path(str(raw.path)).sheet_names
    except Exception:  # the sheet was read; its neighbours only make the message better
        names = []
    if len(names) < 2:
        return reason
    return (f"{reason}. The table is read from the workbook's first sheet, {raw.sheet!r}; its sheets are "
            f"{', '.join(repr(n) for n in names[:8])}: put the table on the first sheet (or move the others "
            "after it) and send it again")
