"""Blank lines in a CSV, kept by the parser as rows so that every row keeps its position.

A row number is the row's position below the header, as a clerk finds it in Excel or an editor:
a blank line takes a place, as a blank sheet row or a blank JSON line does. Arrow keeps blank
lines as rows of empty cells (`ignore_empty_lines=False`, see `connectors.csv_reader`); these
functions find those rows and remove them, keeping every other row's position.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_MAX_SLICED_RUNS = 64
"""Runs of rows between blank lines up to which `drop_blank_rows` slices instead of copying."""


def blank_rows(table: pa.Table) -> np.ndarray | None:
    """Per row, whether Arrow read it from a blank line (or a line of separators only): every
    cell null before `tidy_strings`. None when no row is (the usual case, found from the null
    counts without a pass over the rows)."""
    if table.num_rows == 0 or table.num_columns == 0 or min(c.null_count for c in table.columns) == 0:
        return None
    blank = np.ones(table.num_rows, dtype=bool)
    for column in table.columns:
        blank &= pc.is_null(column).to_numpy(zero_copy_only=False)
    return blank if blank.any() else None


def drop_blank_rows(table: pa.Table, row_numbers) -> tuple[pa.Table, np.ndarray | None]:
    """`table` without its blank-line rows, and the positions of the rows kept.

    `row_numbers` are the positions of `table`'s rows (None: 1..n); the positions of the rows
    kept are unchanged, so rows below a blank line keep their place.
    """
    blank = blank_rows(table)
    if blank is None:
        return table, row_numbers
    keep = ~blank
    numbers = (np.arange(1, table.num_rows + 1, dtype=np.int64) if row_numbers is None
               else np.asarray(row_numbers, dtype=np.int64))
    # Blank lines are few and mostly at the end: the runs of rows between them are sliced out
    # without copying a byte; only a file with many scattered blank lines is copied by a filter.
    edges = np.flatnonzero(np.diff(np.concatenate(([False], keep, [False])).astype(np.int8)))
    if len(edges) // 2 <= _MAX_SLICED_RUNS:
        runs = [table.slice(start, stop - start) for start, stop in zip(edges[::2], edges[1::2])]
        kept = pa.concat_tables(runs) if runs else table.slice(0, 0)
    else:
        kept = table.filter(pa.array(keep))
    return kept, numbers[keep]
