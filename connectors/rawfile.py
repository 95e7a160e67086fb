"""`RawFile`: a delivered file as a table of strings, before any field is interpreted."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

ROW_ERROR_SCHEMA = pa.schema([("row_number", pa.int64()), ("reason", pa.string()),
                              ("raw_value", pa.string())])


def row_errors_table(errors: list[tuple[int, str, str | None]] | None = None) -> pa.Table:
    """Rows the reader could not split into fields (a ragged CSV line, a line of bad JSON)."""
    errors = errors or []
    return pa.table([pa.array([e[0] for e in errors], pa.int64()),
                     pa.array([e[1] for e in errors], pa.string()),
                     pa.array([e[2] for e in errors], pa.string())], schema=ROW_ERROR_SCHEMA)


@dataclass
class RawFile:
    """One file's rows as strings, with how it was read.

    Attributes:
        table: One string column per header (values as in the file, surrounding whitespace
            stripped, empty -> null; repeated headers deduplicated as `name (2)`), then
            `row_number` (int64, 1 for the first data row): the row's position below the header,
            blank lines and rows not loaded included, in every format, so a clerk finds it where
            the number says. Blank lines (blank sheet rows, CSV lines of separators only) are
            not rows of the table.
        format: `csv`, `xlsx`, `xls`, `jsonl` or `parquet`.
        encoding: For CSV and JSONL: `utf-8`, `utf-8-sig`, `gb18030` or `utf-16`; a CSV in UTF-8
            with a few damaged bytes is `utf-8 (some bytes invalid)` (its damaged rows in `row_errors`).
        delimiter: For CSV: `,`, tab or `|`.
        header_row: 1-based line (CSV) or sheet row (XLSX) of the header; 0 when the format
            has no header line (JSONL, Parquet). For XLSX and JSONL, `header_row + row_number`
            is the row/line in the file; for CSV it is the row Excel shows, and the line in an
            editor unless a quoted value spanning lines precedes the row (such a record is one
            row, as in Excel).
        path: The file read.
        sheet: For XLSX: the sheet read.
        row_errors: Rows that could not be split into fields at all: `row_number`, `reason`,
            `raw_value` (the line). They are not in `table`.
        truncated: Set when the file looks cut off in transfer (a CSV or JSON Lines file
            ending in the middle of a row): what was found. Its complete rows are in `table`,
            the broken last row in `row_errors`.
        other_sheets: For a workbook read from its first sheet: the sheets after it, unread.
    """

    table: pa.Table
    format: str
    encoding: str | None
    delimiter: str | None
    header_row: int
    path: Path
    sheet: str | None = None
    row_errors: pa.Table = field(default_factory=row_errors_table)
    truncated: str | None = None
    other_sheets: tuple[str, ...] = ()
    hidden_sheets: tuple[str, ...] = ()
    """For a workbook: its sheets Excel does not show (hidden or very hidden)."""

    @property
    def headers(self) -> list[str]:
        """The (deduplicated) header names, in file order, without `row_number`."""
        return [name for name in self.table.column_names if name != "row_number"]

    @property
    def rows_read(self) -> int:
        """Data rows in the file, including those in `row_errors`."""
        return self.table.num_rows + self.row_errors.num_rows


def move_to_errors(table: pa.Table, row_numbers, errors: list, reasons: dict[int, str], delimiter: str):
    """Move the rows at the positions `reasons` names from `table` to the row errors, each with its
    reason and its cells joined by `delimiter` as the raw value. Returns (table, row numbers, errors);
    `row_numbers` None means the rows are numbered from 1 in order."""
    if not reasons:
        return table, row_numbers, errors
    numbers = (np.arange(1, table.num_rows + 1, dtype=np.int64) if row_numbers is None
               else np.asarray(row_numbers, dtype=np.int64))
    at = sorted(reasons)
    rows = table.take(pa.array(at, pa.int64())).to_pylist()
    errors = sorted(errors + [(int(numbers[i]), reasons[i], delimiter.join("" if v is None else str(v) for v in row.values()))
                              for i, row in zip(at, rows)])
    keep = np.ones(table.num_rows, dtype=bool)
    keep[at] = False
    return table.filter(pa.array(keep)), numbers[keep], errors


def with_row_numbers(table: pa.Table, row_numbers: pa.Array | list[int] | None = None) -> pa.Table:
    """Append `row_number` (1..n unless given) and drop blank columns the format invented.

    A trailing delimiter or a stray cell right of a sheet's data yields a header-less
    column (`column_<n>`); when it holds nothing it is an artefact, not an extra field.
    """
    for name in list(table.column_names):
        if name.startswith("column_") and table.column(name).null_count == table.num_rows:
            table = table.drop_columns([name])
    if row_numbers is None:
        row_numbers = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return table.append_column("row_number", pa.array(row_numbers, pa.int64()))
