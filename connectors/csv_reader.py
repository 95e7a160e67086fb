"""CSV in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16; comma, tab or `|` separated.

The encoding is decided from the bytes: a BOM says UTF-8, UTF-16 or GB18030; text that is valid
UTF-8 is UTF-8; UTF-8 Chinese with a few damaged bytes that is not GB18030 either is read as
UTF-8, the rows holding the damage quarantined (not the whole file rejected); anything else is
read as GB18030, the superset of GBK that also covers rare name characters GBK lacks (𠮷, 䶮). pyarrow does the parsing, with every column typed as string,
so `0012` and 18-digit ID numbers arrive exactly as written.

Row numbers are positions below the header, as a clerk finds them in Excel or an editor: a blank
line takes a place (it is not loaded: no row, no error), like a blank sheet row in a workbook or a
blank line in JSON Lines, so the rows below it keep theirs. Arrow keeps blank lines as rows of
empty cells (`ignore_empty_lines=False`), so its own parse (threaded, quote-aware) counts them,
and `drop_blank_rows` then removes them keeping every other row's position: no pass of our own
over the bytes or the rows. A record whose quoted value spans lines is one row, numbered where
it starts (as Excel shows it); a blank line inside quotes is part of the value. A header cell
may span lines too (Excel's Alt+Enter): it is one header (`_records`). A line of
separators only (`,,,,`: a spreadsheet's empty row) reads exactly like a blank line and is
dropped the same way; a row of quoted empty cells (`"",""`) stays a row.

A file cut off in transfer (it ends in the middle of a row) loads its complete rows; the
broken last row is a row error saying the file looks truncated (`connectors.csv_tail`): short
of fields, inside quotes or a character, or, in a file that ends without a line break, a last
value of a shape the column has nowhere else but begins (`cut_short`). A cut that falls exactly
at a line break leaves nothing to detect: such a file reads as complete.

Files that are not tables are rejected before the expensive step (see `connectors.limits`):
a line longer than `MAX_LINE_BYTES`, more than `MAX_COLUMNS` columns, a NUL byte anywhere
(binary data, or a transfer padded with zeros).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.blank_rows import blank_rows, drop_blank_rows
from connectors.canonical import FOOTER_CELL, FOOTER_REASON, TOTALS_LINE, TOTALS_REASON
from connectors.cells import dedupe_headers, tidy_strings
from connectors.csv_tail import TRUNCATED, cut_short, has_utf16_bom, judge_tail, split_tail
from connectors.errors import FileRejected
from connectors.limits import MAX_LINE_BYTES, MAX_LINES_IN_VALUE, check_columns, describe_size, long_line
from connectors.csv_quotes import ragged_reason, swallowed_rows
from connectors.rawfile import RawFile, move_to_errors, row_errors_table, with_row_numbers
from connectors.sniff import HEADER_SEARCH_ROWS, normalise_line_ends, pick_header, sniff_delimiter
from connectors.transcode import (DAMAGED_ENCODINGS, DAMAGED_MIN, GB18030_DAMAGED, SPLITS_BEFORE_DECODING, UTF8_DAMAGED,
                                  Undecodable, damaged_rows, decode_column, gb18030_with_damage, undecodable)

GB18030_BOM = "\ufeff".encode("gb18030")   # 84 31 95 33
# Ragged lines are row errors while they are a minority; when most lines disagree with the
# header, the file's layout (not its rows) is wrong and the whole file is returned.
_MAX_RAGGED_SHARE = 0.5
_DELIMITER_NAMES = {",": "comma", "\t": "tab", "|": "'|'"}


def _workers(n_rows: int) -> int:
    return min(4, os.cpu_count() or 1) if n_rows >= 50_000 else 1


def detect_encoding(path: Path, data: bytes) -> tuple[str, bytes, str]:
    """The encoding of the file, the bytes to parse, and pyarrow's name for their encoding.

    Raises:
        FileRejected: a BOM that lies about its content.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            data[3:].decode("utf-8")
            return "utf-8-sig", data[3:], "utf8"
        except UnicodeDecodeError:
            # GBK text behind a UTF-8 mark (a tool that prepends one): an export probe's clerk was told
            # to save as GBK the GBK file they had sent. Read, damaged bytes and all, as if unmarked
            data = data[3:]
    if has_utf16_bom(data):
        try:
            return "utf-16", data.decode("utf-16").encode("utf-8"), "utf8"
        except UnicodeDecodeError:
            raise undecodable(path, data) from None
    if data.startswith(GB18030_BOM):   # GB18030's own BOM (U+FEFF encoded): left on, it glued itself
        return "gb18030", data[len(GB18030_BOM):], "gb18030"   # to the first header (a probe's file)
    try:
        data.decode("utf-8")
        return "utf-8", data, "utf8"
    except UnicodeDecodeError as exc:
        # UTF-8 text that goes on after the bad bytes is a UTF-8 file with a few damaged bytes (one
        # rejected a probe's whole file): read as UTF-8, the rows holding them quarantined
        # (`damaged_rows`), unless the whole file is valid GB18030 after all. A GBK file fails
        # UTF-8 on every Chinese character: it goes straight on (decoding 100 MB twice to find
        # out would cost a GBK file its speed).
        if _utf8_around(data, exc.start, exc.end):
            text = data.decode("utf-8", errors="replace")
            if text.count("\ufffd") <= max(DAMAGED_MIN, data.count(b"\n") // 1000):
                try:
                    data.decode("gb18030")
                except UnicodeDecodeError:
                    return UTF8_DAMAGED, text.encode("utf-8"), "utf8"
        return "gb18030", data, "gb18030"


def _cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def _utf8_around(data: bytes, start: int, end: int, window: int = 1 << 16) -> bool:
    """Whether the bytes around the first invalid sequence (`start`:`end`) are UTF-8 Chinese: the
    text before it (valid UTF-8 by definition) or after it holds Chinese characters, and what
    follows has at most a few more bad sequences (a character cut by the window's end counts)."""
    after = data[end:end + window].decode("utf-8", errors="replace")
    return after.count("\ufffd") <= 3 and (_cjk(after) or _cjk(data[max(0, start - window):start].decode("utf-8")))


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """The whole file as text and the encoding it was in (for formats parsed in Python)."""
    encoding, body, arrow_encoding = detect_encoding(path, data)
    if encoding == UTF8_DAMAGED:   # a JSON line's damage cannot be told from its values: say where it is
        raise undecodable(path, data)
    try:
        return body.decode("utf-8" if arrow_encoding == "utf8" else arrow_encoding), encoding
    except UnicodeDecodeError:
        raise undecodable(path, body) from None


def _first_lines(path: Path, data: bytes, encoding: str) -> list[tuple[int, int, str]]:
    """(line number, byte offset after the line, text) of the first non-blank lines."""
    found, start, number = [], 0, 0
    while start < len(data) and len(found) < HEADER_SEARCH_ROWS:
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        number += 1
        if end - start > MAX_LINE_BYTES:  # before decoding it: a 100 MB "line" is not a header
            raise long_line(path, number, end - start)
        try:
            text = data[start:end].decode(encoding).rstrip("\r\n")
        except UnicodeDecodeError:
            raise undecodable(path, data) from None
        if text.strip():
            found.append((number, end, text))
        start = end
    return found


def _records(lines: list[tuple[int, int, str]], delimiter: str) -> list[tuple[int, int, str]]:
    """The first lines joined into records where a quoted value spans lines.

    A header cell written with Alt+Enter in Excel (`"收入额\\n（元）"`) is one cell: split at its line
    break, the rest of the header became a phantom data row 1, or the whole file read as ragged.
    A quote never closed within `MAX_LINES_IN_VALUE` lines is a stray quote: its line stands alone.
    """
    records, at = [], 0
    while at < len(lines):
        last, text = at, lines[at][2]
        while _ends_in_quotes(text, delimiter) and last + 1 < len(lines) and last - at < MAX_LINES_IN_VALUE:
            last += 1
            text += "\n" + lines[last][2]
        if _ends_in_quotes(text, delimiter):
            last, text = at, lines[at][2]
        records.append((lines[at][0], lines[last][1], text))
        at = last + 1
    return records


def _ends_in_quotes(text: str, delimiter: str) -> bool:
    """Whether `text` stops inside a quoted value, as Arrow and `csv` read quotes: one opens a
    value only at its start, and `""` inside one is a quote character."""
    state = "start"
    for char in text:
        if state == "quoted":
            state = "closed" if char == '"' else "quoted"
        elif state == "closed" and char == '"':   # "" inside a quoted value
            state = "quoted"
        elif char in (delimiter, "\n"):
            state = "start"
        else:
            state = "quoted" if state == "start" and char == '"' else "field"
    return state == "quoted"


def read_csv(path: Path, data: bytes) -> RawFile:
    """Read a delimited text file; see the module docstring.

    Raises:
        FileRejected: undecodable text, no header, or mostly ragged lines.
    """
    complete, tail = split_tail(normalise_line_ends(data))
    encoding, body, arrow_encoding = detect_encoding(path, complete)
    try:
        return _read_text(path, body, tail, encoding, arrow_encoding)
    except Undecodable:
        text = gb18030_with_damage(body) if arrow_encoding == "gb18030" else None
        if text is None:
            raise
        tail = tail.decode("gb18030", errors="replace").encode("utf-8")
        return _read_text(path, text, tail, GB18030_DAMAGED, "utf8")


def _read_text(path: Path, body: bytes, tail: bytes, encoding: str, arrow_encoding: str) -> RawFile:
    _reject_nul(path, body, tail)
    lines = _first_lines(path, body, "utf-8" if arrow_encoding == "utf8" else arrow_encoding)
    if not lines:
        raise FileRejected(path, "the file has no header row")
    delimiter = sniff_delimiter([text for _, _, text in lines])
    lines = _records(lines, delimiter)
    try:
        cells = [next(csv.reader([text], delimiter=delimiter)) for _, _, text in lines]
    except csv.Error as exc:
        if "new-line character" in str(exc):  # a bare carriage return inside a line
            number = next((n for n, _, text in lines if "\r" in text), lines[0][0])
            raise FileRejected(path, f"line {number} holds a line break (carriage return, \\r) inside a value "
                               "without quotes; remove it or put the value in quotes, and export the file "
                               "again") from exc
        raise FileRejected(path, f"the first lines cannot be split into columns ({exc})") from exc
    for (number, _, _), row in zip(lines, cells):
        check_columns(path, len(row), f"line {number}")
    chosen = pick_header(cells)
    header_line, header_end, _ = lines[chosen]
    names = dedupe_headers(cells[chosen])
    truncated, tail_text, unterminated = None, "", False
    if len(tail) > MAX_LINE_BYTES:
        raise long_line(path, body.count(b"\n") + 1, len(tail))
    if tail:
        truncated, tail_text = judge_tail(tail, "utf-8" if arrow_encoding == "utf8" else arrow_encoding, delimiter,
                                          len(names), is_footer=lambda text: bool(_one_cell_line(text, 0, 1)))
        if truncated is None:  # a last row written without a line break (or cut inside its last value)
            body, tail, unterminated = body + tail + b"\n", b"", True
    try:
        table, row_numbers, errors = _parse_body(path, body[header_end:], names, delimiter, arrow_encoding)
    except FileRejected:
        if not truncated or truncated == "it stops inside a character":  # Arrow must not see broken text
            raise
        # The tail may close a quoted value opened above it: judge the file whole, as before.
        truncated = None
        table, row_numbers, errors = _parse_body(path, (body + tail + b"\n")[header_end:], names, delimiter,
                                                 arrow_encoding)
    # `table` still holds the blank lines (rows of nulls): every row and error is at its position.
    line_breaks = body.count(b"\n", header_end)
    _reject_runaway_quote(path, line_breaks, table, row_numbers, errors)
    last_is_tail = unterminated and table.num_rows > 0 and (  # not a ragged tail set aside among the errors
        table.num_rows if row_numbers is None else int(row_numbers[-1])) == table.num_rows + len(errors)
    if last_is_tail and (truncated := cut_short(table.column(len(names) - 1), names[-1])):
        table = table.slice(0, table.num_rows - 1)     # the last row, cut inside its last value
        row_numbers = None if row_numbers is None else row_numbers[:-1]
    if truncated:
        errors = errors + [(table.num_rows + len(errors) + 1, TRUNCATED.format(detail=truncated), tail_text)]
    table, row_numbers = drop_blank_rows(table, row_numbers)
    with ThreadPoolExecutor(max_workers=_workers(table.num_rows)) as pool:  # Arrow kernels free the GIL
        tidy = list(pool.map(tidy_strings, table.columns))
    table = pa.table(dict(zip(names, tidy)))
    if encoding in DAMAGED_ENCODINGS:
        table, row_numbers, errors = damaged_rows(table, row_numbers, errors, delimiter, DAMAGED_ENCODINGS[encoding])
    if line_breaks > table.num_rows + len(errors):   # some value holds a line break
        table, row_numbers, errors = swallowed_rows(table, row_numbers, errors, delimiter)
    return RawFile(with_row_numbers(table, row_numbers), "csv", encoding, delimiter, header_line, path,
                   row_errors=row_errors_table(errors),
                   truncated=f"the last row is cut off ({truncated})" if truncated else None)


def _reject_nul(path: Path, body: bytes, tail: bytes) -> None:
    """Reject text holding a NUL byte: no CSV export writes one (the first 8 KB were already
    checked for binary data; this finds one further down, e.g. a file padded with zeros)."""
    at = body.find(b"\x00")
    line = body.count(b"\n", 0, at) + 1 if at >= 0 else None
    if line is None and (at := tail.find(b"\x00")) >= 0:
        line = body.count(b"\n") + 1
    if line is not None:
        raise FileRejected(path, f"the file contains a NUL byte (binary zero) on line {line}: it is damaged "
                           "(a transfer that stopped early is often padded with zeros) or is not a text file. "
                           "Export it again as CSV and send it in full")


def _reject_runaway_quote(path: Path, line_breaks: int, table: pa.Table, row_numbers,
                          errors: list[tuple[int, str, str | None]]) -> None:
    """Reject a file where one quoted value runs over more than `MAX_LINES_IN_VALUE` lines.

    The line breaks of the body (a fast byte count) against its rows tell whether any value
    holds many; only then are the values searched, to name the row.
    """
    if line_breaks <= table.num_rows + len(errors) + MAX_LINES_IN_VALUE:
        return
    worst = (0, 0)  # (line breaks, data row)
    for column in table.columns:
        breaks = pc.count_substring(column, "\n")
        most = pc.max(breaks).as_py() or 0
        if most > worst[0]:
            at = pc.index(breaks, most).as_py()
            worst = (most, int(row_numbers[at]) if row_numbers is not None else at + 1)
    for number, _, text in errors:
        if text and text.count("\n") > worst[0]:
            worst = (text.count("\n"), number)
    if worst[0] > MAX_LINES_IN_VALUE:
        raise FileRejected(path, f"a quoted value in data row {worst[1]} runs over {worst[0] + 1:,} lines: a quote "
                           "\" that is never closed makes the rows after it one value, and they would be lost. "
                           f"Check the quotes in data row {worst[1]} and export the file again")


def _parse_body(path: Path, body: bytes, names: list[str], delimiter: str, encoding: str,
                use_threads: bool = True):
    if encoding == "gb18030" and delimiter in SPLITS_BEFORE_DECODING and body and not body.isspace():
        try:  # cells first, then each distinct value decoded once (connectors.transcode)
            cells = pacsv.read_csv(pa.BufferReader(body), **_csv_options(len(names), delimiter, "utf8", pa.binary()))
        except pa.ArrowInvalid:
            cells = None  # a ragged or broken row: its note quotes the line, so decode the whole file
        if cells is not None:
            try:
                with ThreadPoolExecutor(max_workers=_workers(cells.num_rows)) as pool:  # kernels free the GIL
                    columns = list(pool.map(lambda column: decode_column(column, encoding), cells.columns))
                return pa.table(columns, names=cells.column_names), None, []
            except UnicodeDecodeError:
                raise undecodable(path, body) from None
    return _parse_body_as(path, body, names, delimiter, encoding, use_threads)


def _csv_options(width: int, delimiter: str, encoding: str, cell_type: pa.DataType, use_threads: bool = True,
                 invalid_row_handler=None) -> dict:
    # pyarrow wants unique column names; the real ones are put back by position.
    positional = [f"c{i}" for i in range(width)]
    return {
        "read_options": pacsv.ReadOptions(column_names=positional, encoding=encoding, use_threads=use_threads),
        # A blank line is kept as a row of empty cells, so that Arrow counts it among the rows
        # (it is dropped after, keeping the positions: `drop_blank_rows`).
        "parse_options": pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                                            invalid_row_handler=invalid_row_handler),
        # Empty unquoted cells (only those: not 'NA' or 'null') arrive as nulls: tidy_strings
        # then rarely has to null any. A quoted empty cell ("") arrives empty, for tidy_strings to
        # null, so that a row of them is not taken for a blank line.
        "convert_options": pacsv.ConvertOptions(column_types={n: cell_type for n in positional},
                                                null_values=[""], strings_can_be_null=True,
                                                quoted_strings_can_be_null=False),
    }


def _parse_body_as(path: Path, body: bytes, names: list[str], delimiter: str, encoding: str,
                   use_threads: bool = True):
    ragged: list[pacsv.InvalidRow] = []

    def keep_aside(row: pacsv.InvalidRow) -> str:
        ragged.append(row)
        return "skip"

    try:
        # A BufferReader, not io.BytesIO: after a parse error Arrow's read-ahead thread may still
        # be calling into a Python file object, which aborts or deadlocks the process (pyarrow 26).
        table = pacsv.read_csv(
            pa.BufferReader(body),
            **_csv_options(len(names), delimiter, encoding, pa.string(), use_threads, keep_aside),
        ) if body and not body.isspace() else pa.table({f"c{i}": pa.array([], pa.string()) for i in range(len(names))})
    except UnicodeDecodeError:
        raise undecodable(path, body) from None
    except pa.ArrowInvalid as exc:
        if "straddling" in str(exc):  # Arrow's word for a row longer than its block (1 MiB)
            raise FileRejected(path, f"a row is longer than {describe_size(MAX_LINE_BYTES)}: usually a quote \" "
                               "that is never closed, so the rest of the file reads as one value. Check the "
                               "quotes and export the file again") from exc
        raise FileRejected(path, f"the CSV cannot be parsed ({exc}); check quotes and delimiters") from exc
    if not ragged:
        return table, None, []
    if any(row.number is None for row in ragged) and use_threads:
        # Multi-threaded parsing does not know line numbers; only the clerk's report needs
        # them, so the slow single-threaded read is paid only for files with ragged lines.
        return _parse_body_as(path, body, names, delimiter, encoding, use_threads=False)
    return _place_ragged(path, table, ragged, len(names), delimiter)


def _place_ragged(path: Path, table: pa.Table, ragged: list, expected: int, delimiter: str):
    """Row errors for the ragged lines; the positions of `table`'s rows (Arrow numbers rows,
    blank lines included, in its single-threaded parse)."""
    total = table.num_rows + len(ragged)
    first = min(ragged, key=lambda row: row.number)
    blank = blank_rows(table)
    lines = total - (int(blank.sum()) if blank is not None else 0)   # blank lines are not rows
    if len(ragged) > lines * _MAX_RAGGED_SHARE:
        raise FileRejected(path, f"{len(ragged)} of {lines} data rows do not have the {expected} fields of "
                           f"the header (first: data row {first.number}, {first.actual_columns} fields: "
                           f"{first.text[:80]!r}). Check that the file is {_DELIMITER_NAMES[delimiter]}-"
                           "separated and that values containing the delimiter are quoted")
    placed = np.ones(total, dtype=bool)
    placed[np.fromiter((row.number - 1 for row in ragged), dtype=np.int64, count=len(ragged))] = False
    numbers = np.flatnonzero(placed).astype(np.int64) + 1
    errors = [(row.number, _one_cell_line(row.text, row.number, row.actual_columns)
               or ragged_reason(row.text, row.actual_columns, expected, _DELIMITER_NAMES[delimiter]), row.text)
              for row in sorted(ragged, key=lambda row: row.number)]
    return table, numbers, errors


def _one_cell_line(text: str | None, number: int, columns: int) -> str | None:
    """A one-cell footer or totals line (`注：数据截至…` without a spreadsheet's commas): no record, not
    a value holding an unquoted delimiter, as a messages probe's clerk was told."""
    cell = (text or "").strip().strip('"').strip()
    reason = FOOTER_REASON if re.match(FOOTER_CELL, cell) else TOTALS_REASON if re.match(TOTALS_LINE, cell) else None
    return reason.format(row=number, cell=cell[:40]) if reason and columns == 1 else None
