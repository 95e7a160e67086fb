"""A quote left open in a CSV row: the value runs on into the lines below it.

A quoted value may hold line breaks (an address typed with Alt+Enter), so a quote that is never
closed makes the next lines part of the value, up to the next quote. Over `MAX_LINES_IN_VALUE`
lines the whole file is refused (`csv_reader._reject_runaway_quote`); a shorter run swallowed the
rows below it without a word: an adversarial probe's row `…,"未闭合的引号` took the next row, a
¥1,000 wage, into its payer's name, and that wage was lost. A value whose later lines have the
shape of a row of their own (the header's number of fields, the first shaped like the first
column's values) is such a run: its row is refused, saying so and naming the rows it holds, so the department resends them.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from connectors.csv_tail import shapes
from connectors.rawfile import move_to_errors


def ragged_reason(text: str | None, fields: int, expected: int, delimiter_name: str) -> str:
    """Why a row has another number of fields than the header. One that runs over several lines is
    a quote left open taking the lines below into it (an adversarial probe's row whose swallowed
    neighbour had a quoted amount, "¥1,000", was said to lack quotes around a comma, and the clerk
    told to resend it alone: the rows it held were never sent again)."""
    if text and "\n" in text:
        n = text.count("\n")
        return (f'the row runs over {n + 1} lines: a quote " in it opens a value that runs into the {n} line(s) '
                f"below it, which were read as part of this row ({fields} fields, the header has {expected}) and "
                "not loaded. Close or remove the quote in this row and send it and the rows below it again")
    return (f"the row has {fields} fields but the header has {expected}; a value probably contains the delimiter "
            f"({delimiter_name}) without quotes")


SWALLOWED = ('a quote " in this row opens a value that runs over the {n} line(s) below it, which look like rows '
             'of their own: they were read into field "{field}" and not loaded. If they are rows, close or remove '
             "the quote in this row and send it and the rows below it again")


def _swallowed(value: str, delimiter: str, width: int, first_shapes: set[str]) -> str | None:
    """The first line after a break in `value` that reads as a row of its own: the header's number
    of fields, the first of the shape of the first column's values (an address over two lines
    with commas in it is not one), or None."""
    for line in value.split("\n")[1:]:
        fields = line.split(delimiter)
        if len(fields) == width and shapes(pa.array([fields[0].strip().strip('"')]))[0].as_py() in first_shapes:
            return line
    return None


def swallowed_rows(table: pa.Table, row_numbers, errors: list, delimiter: str):
    """Move rows whose value swallowed whole rows below it from `table` to the row errors.

    Only values holding a line break are looked at, and only when the file has any (`table` rows
    and their numbers as `csv_reader.read_csv` holds them after the blank rows are dropped)."""
    width = table.num_columns
    first_shapes = set(shapes(table.column(0).slice(0, 1000)).to_pylist()) - {""}
    found: dict[int, str] = {}
    for name, column in zip(table.column_names, table.columns):
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        broken = pc.fill_null(pc.match_substring(column, "\n"), False)
        for at in pc.indices_nonzero(broken).to_pylist():
            value = column[at].as_py()
            if at not in found and _swallowed(value, delimiter, width, first_shapes) is not None:
                found[at] = SWALLOWED.format(n=value.count("\n"), field=name)
    return move_to_errors(table, row_numbers, errors, found, delimiter)
