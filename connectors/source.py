"""The one reading path every per-table connector shares: read, map headers, type rows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow as pa

from connectors.canonical import ERRORS_SCHEMA, Canonical, rows_to_json, to_canonical
from connectors.errors import FileRejected
from connectors.headers import map_headers, merge_line_keys
from connectors.households import with_household_cells
from connectors.readers import read_raw, read_workbook
from connectors.schema import TABLES

UNREAD_SHEET = ("on sheet {sheet!r}{own}, its data row {row}: not read. A workbook's table is read from its first "
                "sheet, {first!r}{hidden}, alone: send the rows of sheet {sheet!r} as a file of their own (or move them "
                "onto the first sheet) and send that again")
HIDDEN = " (a hidden sheet: unhide it in Excel to see it)"
"""Said of a hidden first sheet: a bank probe's clerk was sent to a sheet Excel did not show."""


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
    return _rows_on_other_sheets(to_canonical(table, raw, mapping, defaults), table)


def _rows_on_other_sheets(canon: Canonical, table) -> Canonical:
    """`canon` with an error line for each data row of a later sheet of the workbook that holds the
    same table (its header maps to it): the table is read from the first sheet (contract §2), and an
    export split over sheets (by month, or at Excel's old 65,536 rows) had its later sheets' rows
    dropped without a word (an ingestion probe). They are numbered on after the first sheet's rows, and
    each says which sheet and row it is; a notes or summary sheet (another header) is no table."""
    raw = canon.raw
    if not raw.other_sheets:
        return canon
    numbers = raw.table.column("row_number").to_pylist() + raw.row_errors.column("row_number").to_pylist()
    last, parts = max(numbers, default=0), [canon.errors]
    for name in raw.other_sheets:
        try:
            other = read_workbook(raw.path, raw.format, name)
            map_headers(table, other.headers, raw.path)
        except FileRejected:    # empty, unreadable, or not this table
            continue
        n = other.table.num_rows
        parts.append(pa.table({
            "row_number": pa.array(range(last + 1, last + 1 + n), pa.int64()),
            "field": pa.nulls(n, pa.string()),
            "reason": pa.array([UNREAD_SHEET.format(sheet=name, row=k, first=raw.sheet,
                                                    own=" (hidden in Excel)" if name in raw.hidden_sheets else "",
                                                    hidden=HIDDEN if raw.sheet in raw.hidden_sheets else "")
                                for k in other.table.column("row_number").to_pylist()], pa.string()),
            "raw_value": pa.nulls(n, pa.string()),
            "raw_row": rows_to_json(other.table, other.headers, skip_nulls=False),
        }, schema=ERRORS_SCHEMA))
        last += n
    return replace(canon, errors=pa.concat_tables(parts).combine_chunks()) if len(parts) > 1 else canon


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
    hidden = HIDDEN if raw.sheet in getattr(raw, "hidden_sheets", ()) else ""
    return (f"{reason}. The table is read from the workbook's first sheet, {raw.sheet!r}{hidden}; its sheets are "
            f"{', '.join(repr(n) for n in names[:8])}: put the table on the first sheet (or move the others "
            "after it) and send it again")
