"""Turn cells of any format into the text a department meant, and tidy string columns.

Every reader hands the layers above a table of strings; these helpers keep the rendering
identical across formats, so the same data reads the same from CSV, XLSX, JSONL and Parquet.

Example:
    >>> [render_cell(v) for v in (140105.0, 1234.5, True, "", None)]
    ['140105', '1234.5', 'TRUE', None, None]
    >>> dedupe_headers(["姓名", "", "姓名"])
    ['姓名', 'column_2', '姓名 (2)']
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from connectors.values.dates import CHINA


def render_cell(value: object) -> str | None:
    """The text of one cell; empty text becomes None.

    Whole floats lose their `.0` (a spreadsheet stores codes and IDs as numbers), other
    floats use the shortest round-trip text without exponent, dates are `YYYY-MM-DD`.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None if math.isnan(value) else str(value)
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return text if "e" not in text else _plain(Decimal(text))
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # an instant: the day and time it was in China (see values.dates)
            value = value.astimezone(CHINA)
            return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _plain(number: Decimal) -> str:
    return format(number, "f") if number.is_finite() else str(number)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a reader builds millions of small lists.

    Rows of cells are lists; every few hundred new ones the collector walks all those still
    alive, which tripled the time to read a 200,000-row workbook. Nothing built here forms a
    cycle, so nothing is lost by collecting later.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def dedupe_headers(headers: list[str | None]) -> list[str]:
    """Unique column names: blanks become `column_<n>`, repeats get ` (2)`, ` (3)` …

    A header `row_number` is renamed `row_number (2)`: the name belongs to the reader.

    The ` (n)` suffix is recognised by `headers.map_headers`, which rejects a file whose
    repeated header names a field (which of the two columns would be meant?).
    """
    names: list[str] = []
    seen: set[str] = {"row_number"}  # reserved for the reader's own row numbers
    for position, header in enumerate(headers, start=1):
        base = (header or "").strip() or f"column_{position}"
        name, count = base, 1
        while name in seen:
            count += 1
            name = f"{base} ({count})"
        seen.add(name)
        names.append(name)
    return names


NO_VALUE = ("", "-", "--", "—", "——", "－", "/", "N/A", "n/a", "#N/A", "NULL", "null", "None", "NaN", "nan")
"""Cells that say "no value": what exporting systems and spreadsheets write in an empty cell (a
dash, `NULL`, pandas' `NaN`). Read as empty, so an optional field (tax paid, purchase price)
left as `-` does not cost its row, and a required one says it is empty. Words are not here:
`无` is a value of labour capacity and disability grade (none), not a missing one."""
_NO_VALUE = pa.array(NO_VALUE, pa.string())


def tidy_strings(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Strip surrounding whitespace (incl. U+3000) and turn empty cells (`NO_VALUE`) into nulls."""
    if column.type != pa.string():
        column = column.cast(pa.string())
    trimmed = pc.utf8_trim_whitespace(column)
    empty = pc.is_in(trimmed, value_set=_NO_VALUE)
    if not pc.any(empty).as_py():  # the usual case once the reader has made empty cells null
        return trimmed
    return pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)


def render_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Any Arrow column as strings, rendered like `render_cell`, over its unique values."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return tidy_strings(column)
    if pa.types.is_integer(column.type):
        return column.cast(pa.string())
    try:
        unique = pc.unique(column)
    except pa.ArrowNotImplementedError:  # nested types (struct, list) have no hash kernel
        return tidy_strings(pa.array([render_cell(v) for v in column.to_pylist()], pa.string()))
    texts = pa.array([render_cell(v) for v in unique.to_pylist()], pa.string())
    return tidy_strings(pc.take(texts, pc.index_in(column, value_set=unique)))


def strings_table(columns: dict[str, list[str | None]] | dict[str, pa.Array]) -> pa.Table:
    """A table of tidy string columns from per-column values."""
    return pa.table({name: tidy_strings(pa.array(values, pa.string()) if isinstance(values, (list, tuple))
                                        else values) for name, values in columns.items()})
