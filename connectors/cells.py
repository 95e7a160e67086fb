"""Turn cells of any format into the text a department meant, and tidy string columns.

Every reader hands the layers above a table of strings; these helpers keep the rendering
identical across formats, so the same data reads the same from CSV, XLSX, JSONL and Parquet.

Example:
    >>> [render_cell(v) for v in (140105.0, 1234.5, True, "", None)]
    ['140105', '1234.5', 'TRUE', None, None]
    >>> render_cell(140105198005159016.0)  # an 18-digit ID stored as a number: its last digits are gone
    '1.40105198005159E+17'

    >>> dedupe_headers(["姓名", "", "姓名"])
    ['姓名', 'column_2', '姓名 (2)']
"""

from __future__ import annotations

import gc
import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.values.dates import CHINA

EXACT_FLOAT_LIMIT = 2 ** 53
"""Whole floats below this are exact; at and above it a float64 cannot hold every whole number, and a
number cell of a workbook keeps only 15 significant digits anyway. An 18-digit ID stored as a number
(140105198005159016 typed, 1.40105198005159E+17 stored) would print as the exact integer of the float,
140105198005159008: a made-up ID that can even pass its check. Such a float is written as Excel shows
it, 15 significant digits in scientific form, which the ID check flags as shortened by Excel."""


ID_SIZE = Decimal("1e14")
"""The smallest number an ID written as one can be (a 15-digit legacy ID): below it, a number written with
an exponent (`5E+2`, `1.2E+4`: a Java BigDecimal stripped of its zeros) is read as the number it is."""


def render_cell(value: object) -> str | None:
    """The text of one cell; empty text becomes None.

    Whole floats lose their `.0` (a spreadsheet stores codes and IDs as numbers), other
    floats use the shortest round-trip text without exponent, dates are `YYYY-MM-DD`. A whole
    float too large to be exact (`EXACT_FLOAT_LIMIT`) keeps 15 significant digits in Excel's
    scientific form (`1.40105198005159E+17`) instead of inventing the digits it lost.
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
            return str(int(value)) if abs(value) < EXACT_FLOAT_LIMIT else format(value, ".15G")
        text = repr(value)
        return text if "e" not in text else _plain(Decimal(text))
    if isinstance(value, Decimal):   # 1.40105197005094E+17 (JSON) wrote 15 digits of 18: never invent 3
        # below an ID's size an exponent is only how the number was written: 5E+2 is 500 (a JSON probe's
        # Java exporter's round-hundred wages were refused, or not, by what else their file held)
        return (str(value) if value.is_finite() and value.as_tuple().exponent > 0 and abs(value) >= ID_SIZE
                else _plain(value))
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


_HEADER_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")


def dedupe_headers(headers: list[str | None]) -> list[str]:
    """Unique column names: blanks become `column_<n>`, repeats get ` (2)`, ` (3)` …

    A header `row_number` is renamed `row_number (2)`: the name belongs to the reader.

    A line break in a header cell (Excel's Alt+Enter: `收入额\\n（元）`) is dropped with the spaces
    around it: it is layout, not part of the name, and messages quote the name on one line.

    The ` (n)` suffix is recognised by `headers.map_headers`, which rejects a file whose
    repeated header names a field (which of the two columns would be meant?).
    """
    names: list[str] = []
    seen: set[str] = {"row_number"}  # reserved for the reader's own row numbers
    for position, header in enumerate(headers, start=1):
        base = _HEADER_LINE_BREAK.sub("", header or "").strip() or f"column_{position}"
        name, count = base, 1
        while name in seen:
            count += 1
            name = f"{base} ({count})"
        seen.add(name)
        names.append(name)
    return names


NO_VALUE = ("", "-", "--", "—", "——", "－", "/", "N/A", "n/a", "#N/A", "NULL", "null", "None", "NaN", "nan", "\\N")
"""Cells that say "no value": what exporting systems and spreadsheets write in an empty cell (a
dash, `NULL`, pandas' `NaN`, the `\\N` of a MySQL or Hive dump). Read as empty, so an optional field (tax paid, purchase price)
left as `-` does not cost its row, and a required one says it is empty. Words are not here:
`无` is a value of labour capacity and disability grade (none), not a missing one."""
_NO_VALUE = pa.array(NO_VALUE, pa.string())


def _unmark_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A cell without the marks a spreadsheet user or an exporter puts on digits to keep them text:
    a leading apostrophe (`'6222021111222233334`) and the formula `="6222021111222233334"`. Kept,
    one account number written with and without them was two accounts, its old balance added to
    the new (a bank probe's wrong fail), and an ID in `="…"` was invalid."""
    if pc.any(pc.starts_with(column, '="')).as_py():   # the regex only where one may be (1M cells: 10 ms)
        formula = pc.fill_null(pc.match_substring_regex(column, r'^="[^"]*"$'), False)
        column = pc.if_else(formula, pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(column, 2, -1)), column)
    marked = pc.fill_null(pc.starts_with(column, "'"), False)
    if pc.any(marked).as_py():
        column = pc.if_else(marked, pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(column, 1)), column)
    return column


def tidy_strings(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Strip surrounding whitespace (incl. U+3000) and the marks that keep digits text (`_unmark_text`),
    and turn empty cells (`NO_VALUE`) into nulls."""
    if column.type != pa.string():
        column = column.cast(pa.string())
    trimmed = _unmark_text(pc.utf8_trim_whitespace(column))
    empty = pc.is_in(trimmed, value_set=_NO_VALUE)
    if not pc.any(empty).as_py():  # the usual case once the reader has made empty cells null
        return trimmed
    return pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)


_NARROW_FLOATS = {pa.float32(): (np.float32, 2 ** 24, 7), pa.float16(): (np.float16, 2 ** 11, 4)}
"""Parquet's narrow float types: (numpy type, whole numbers exact below, significant digits kept).

Their values reach Python as float64, with the narrow type's error spelled out: 1234.56 stored in
float32 is 1234.56005859375, which the money check quarantines as "more than 2 decimals". Each is
written as the shortest text that reads back to the same narrow float (`1234.56`), as the exporter
meant it. Past the exact range, whole numbers (an ID in a float32 column) keep the type's own
significant digits in scientific form, `1.401059E+14`, so the ID check flags them as shortened
instead of the digits being invented (see `EXACT_FLOAT_LIMIT`)."""


def _render_narrow_float(value: float | None, kind: tuple[type, int, int]) -> str | None:
    numpy_type, exact_below, digits = kind
    if value is None or not math.isfinite(value):
        return render_cell(value)
    if value.is_integer():
        return str(int(value)) if abs(value) < exact_below else format(value, f".{digits}G")
    return np.format_float_positional(numpy_type(value), unique=True, trim="-")  # never an exponent


def render_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Any Arrow column as strings, rendered like `render_cell`, over its unique values.

    float32 and float16 columns are written by their own type's shortest text (`_NARROW_FLOATS`).
    """
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if column.type == pa.string_view():   # newer writers' strings (Polars): no kernel takes them (an
        column = column.cast(pa.string())  # ingestion probe's bank file crashed every pass)
    elif column.type == pa.binary_view():
        column = column.cast(pa.binary())
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return tidy_strings(column)
    if pa.types.is_integer(column.type):
        return column.cast(pa.string())
    narrow = _NARROW_FLOATS.get(column.type)
    if column.type == pa.float16():  # exact in float32, which (unlike float16) `index_in` can look up
        column = column.cast(pa.float32())
    try:
        unique = pc.unique(column)
    except pa.ArrowNotImplementedError:  # nested types (struct, list) have no hash kernel
        return tidy_strings(pa.array([render_cell(v) for v in column.to_pylist()], pa.string()))
    texts = pa.array([render_cell(v) if narrow is None else _render_narrow_float(v, narrow)
                      for v in unique.to_pylist()], pa.string())
    return tidy_strings(pc.take(texts, pc.index_in(column, value_set=unique)))


def strings_table(columns: dict[str, list[str | None]] | dict[str, pa.Array]) -> pa.Table:
    """A table of tidy string columns from per-column values."""
    return pa.table({name: tidy_strings(pa.array(values, pa.string()) if isinstance(values, (list, tuple))
                                        else values) for name, values in columns.items()})
