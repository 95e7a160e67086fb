"""Size limits that keep a hostile or broken file from exhausting memory, time or the C stack.

A department file is a table: a header of a few dozen columns over rows of a few hundred
bytes. Files far outside that shape (one 100 MB line, a header of 100,000 columns, a workbook
that inflates 1000-fold, JSON nested 100,000 deep) are not tables anyone meant to send; the
readers reject them (or, in JSON Lines, the offending line) before the expensive step, with a
reason saying what was found and the limit, instead of running for minutes, exhausting memory,
or crashing the process inside a native library (calamine aborts on a failed allocation;
Arrow's JSON parser overflows the C stack on deep nesting). The checks scan bytes in C (a
`find`, a `count`, a regex, zlib); none does Python work per row, except for the rare workbook
whose cells carry no reference (see `check_sheet_extent`). The one with a measurable cost on
the hot path is the workbook scan: about 0.3 s per 100 MB of sheet XML (200,000 rows x 9
columns), which calamine then takes ~3 s to read.

Example:
    >>> check_columns("tax.csv", 12, "the header")
    >>> check_columns("tax.csv", 100_000, "the header")
    Traceback (most recent call last):
    ...
    connectors.errors.FileRejected: tax.csv: the header has 100,000 columns; at most 1,000 are read. ...
    >>> describe_size(150 * 1024 * 1024)
    '150.0 MB'
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from connectors.errors import FileRejected

MAX_COLUMNS = 1_000
"""The widest contract table has 17 fields; an export may carry a few dozen more columns (kept
as `extra`). Each column costs an Arrow array at every step and a key in every row's `extra`
JSON (measured: 1,000 columns x 1,000 rows read in 1 s, and a header of 100,000 columns over
one row took 8 s and 760 MB before this limit); 1,000 is 50 times the widest table."""

MAX_LINE_BYTES = 1 << 20
"""A row of any contract table is under 1 KB. 1 MiB is also Arrow's default block size, the
longest row its CSV and JSON parsers take in one piece: a longer line is either not a table
(binary or a whole file without line breaks) or a quote that is never closed, so that the rest
of the file reads as one value."""

MAX_LINES_IN_VALUE = 20
"""A CSV cell holding an address or a note may span a few lines. One spanning more is a quote
that is never closed: the rows after it, up to the next stray quote, become one value and would
be lost without a word."""

MAX_JSON_DEPTH = 32
"""JSON Lines records are flat (one value per field; a list or object is kept as JSON text in
`extra`). 32 levels is far beyond any record and far below the ~10,000 levels at which Arrow's
JSON parser overflows the C stack and the ~1,000 at which Python's json module gives up."""

MAX_XLSX_INFLATED_BYTES = 2 << 30
"""The declared uncompressed size of all parts of a workbook. A full Excel sheet (1,048,576
rows) of the widest contract table is about 1 GB of XML; more is not a table export."""

MAX_XLSX_RATIO = 100
"""Sheet XML compresses 5-15 fold (measured: 7x for a tax export, 14x for 200,000 identical
rows, 12x for a sheet of empty formatted cells); a zip bomb compresses about 1000 fold."""

XLSX_RATIO_CHECKED_FROM = 16 << 20
"""Parts inflating to less than this are too small to matter, whatever their ratio."""

MAX_SHEET_CELLS = 50_000_000
"""Calamine holds a sheet as one dense grid from its first to its last used row and from its
leftmost to its rightmost used column, 32 bytes a cell, and aborts the whole process when that
allocation fails. A full Excel sheet of the widest contract table (1,048,576 x 17) is 18
million cells; one stray value in column XFD of a 200,000-row sheet makes 3.3 billion (100 GB)."""

_SCAN_CHUNK = 4 << 20


def describe_size(n_bytes: int) -> str:
    """`1.5 MB`, `3.0 GB`: a byte count for a clerk."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f} {unit}"
    return f"{n_bytes} bytes"


def check_columns(path: Path | str, count: int, what: str) -> None:
    """Reject a file with more than `MAX_COLUMNS` columns.

    Args:
        path: The file, for the message.
        count: The number of columns found.
        what: Where they were found (`the header`, `line 3`, `sheet 'Sheet1'`).

    Raises:
        FileRejected: too many columns.
    """
    if count > MAX_COLUMNS:
        raise FileRejected(path, f"{what} has {count:,} columns; at most {MAX_COLUMNS:,} are read. A table "
                           "export has one column per field: check that the header row is right and "
                           "that the file was exported as a table")


def long_line(path: Path | str, line: int | None, n_bytes: int) -> FileRejected:
    """The rejection for a line longer than `MAX_LINE_BYTES`."""
    where = f"line {line}" if line else "a line"
    return FileRejected(path, f"{where} is {describe_size(n_bytes)} long; a row may be at most "
                        f"{describe_size(MAX_LINE_BYTES)}. The file is not a table with one row per line "
                        "(or a quote \" is never closed, so the rest of the file reads as one value); "
                        "export it again as a table")


# --- JSON nesting ---------------------------------------------------------------------------

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}\n")
_OPENERS = (b"{{", b"{[", b"[{", b"[[")
_STEP = np.zeros(256, dtype=np.int8)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1
_DEPTH_SLICE = 1 << 20


def bracket_depth_ok(data: bytes) -> bool:
    """True when no line of `data` nests more than `MAX_JSON_DEPTH` brackets ([ or {) deep.

    Brackets inside strings count too, so this over-estimates: False means "look closer",
    never "reject". Flat records (the usual case) are recognised without numpy: with everything
    but brackets and line breaks dropped, depth 2 needs two openers in a row. Otherwise the depth
    is a running sum over the brackets, reset at each line break, in slices of bounded memory.
    """
    brackets = data.translate(None, _NOT_BRACKETS)
    if not any(pair in brackets for pair in _OPENERS):
        return True
    depth_before, line_base = 0, 0  # running depth, and that depth at the last line break
    for start in range(0, len(brackets), _DEPTH_SLICE):
        codes = np.frombuffer(brackets, dtype=np.uint8, count=min(_DEPTH_SLICE, len(brackets) - start),
                              offset=start)
        depth = np.cumsum(_STEP[codes], dtype=np.int64) + depth_before
        last_break = np.where(codes == 10, np.arange(len(codes)), -1)
        np.maximum.accumulate(last_break, out=last_break)
        base = np.where(last_break >= 0, depth[last_break], line_base)
        if int((depth - base).max()) > MAX_JSON_DEPTH:
            return False
        depth_before, line_base = int(depth[-1]), int(base[-1])
    return True


def json_depth(value: object) -> int:
    """The nesting depth of a parsed JSON value (1 for a flat object), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in item if isinstance(child, (dict, list)))
    return deepest


# --- workbooks ------------------------------------------------------------------------------

def check_workbook_zip(path: Path, archive: zipfile.ZipFile) -> None:
    """Reject a workbook whose parts would inflate beyond the limits (a zip bomb).

    Only the archive's directory is read: the declared sizes, before anything is inflated.

    Raises:
        FileRejected: too large in total, or a part compressed suspiciously well.
    """
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if (info.file_size >= XLSX_RATIO_CHECKED_FROM
                and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1)):
            raise FileRejected(path, f"the workbook part {info.filename!r} would inflate from "
                               f"{describe_size(info.compress_size)} to {describe_size(info.file_size)} "
                               f"({info.file_size // max(info.compress_size, 1):,} to 1; a real sheet "
                               f"compresses at most about 20 to 1, the limit is {MAX_XLSX_RATIO} to 1). It is "
                               "not a real workbook (a 'zip bomb'); nothing was read. Open it in Excel, "
                               "check the data, and save it again as .xlsx")
    if total > MAX_XLSX_INFLATED_BYTES:
        raise FileRejected(path, f"the workbook would inflate to {describe_size(total)} of XML; at most "
                           f"{describe_size(MAX_XLSX_INFLATED_BYTES)} are read (a full Excel sheet of a "
                           "contract table is about 1 GB). Split the data into several files")


def check_inflates_as_declared(path: Path, archive: zipfile.ZipFile, member: str) -> None:
    """Inflate `member` (if present) as a stream, no further than its declared size.

    `check_workbook_zip` trusts the sizes the archive declares; a part that inflates to more
    than it declares fails its checksum here, before calamine would hold all of it in memory.

    Raises:
        FileRejected: the part does not inflate to what it declares.
    """
    try:
        archive.getinfo(member)
    except KeyError:
        return
    try:
        with archive.open(member) as stream:
            while stream.read(_SCAN_CHUNK):
                pass
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
        raise FileRejected(path, f"the workbook is damaged: its part {member!r} cannot be read ({exc}). Open "
                           "it in Excel and save it again as .xlsx") from exc


_DIRECTORY_PART_BYTES = 16 << 20  # workbook.xml and its relationships: a few KB in a real workbook
# A cell reference as writers put it: `<c r="XFD1048576"`. The pattern starts with a literal, which
# the regex engine finds fast, and matches only unusual cells: a column of two letters or more, a
# row of 7 digits or more, a reference spelt otherwise (quotes, spaces, not the first attribute),
# or none (calamine then counts the cell along its row). A table export has few of them; every
# other cell lies within A1:Z999999.
_UNUSUAL_CELL = re.compile(rb'<c(?:/?>|(?=\s)(?!\sr="[A-Z]?[0-9]{1,6}")(?:[^>]*?\sr\s*=\s*["\']([A-Z]*)([0-9]*))?)')
_CELL_ROW = re.compile(rb'<c\s[^>]*?r\s*=\s*["\'][A-Z]*([0-9]+)')
_USUAL_ROWS = 999_999


def sheet_parts(archive: zipfile.ZipFile, sheet: str) -> list[str]:
    """The archive member holding the worksheet named `sheet`; every worksheet when it cannot be told."""
    names = set(archive.namelist())
    try:
        if any(archive.getinfo(n).file_size > _DIRECTORY_PART_BYTES
               for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")):
            raise ValueError("not a workbook directory")
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        rel_id = next(value for element in workbook.iter() if element.tag.endswith("sheet")
                      and element.get("name") == sheet
                      for key, value in element.attrib.items() if key.endswith("}id"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if part in names:
            return [part]
    except (KeyError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError,
            AttributeError):
        pass
    return sorted(n for n in names if "worksheets/" in n and n.endswith(".xml"))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _slices(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part inflated in slices that end before a `<`, so that no tag straddles two."""
    carry = b""
    with archive.open(part) as stream:  # stops at the declared size; a CRC error if it lied
        while chunk := stream.read(_SCAN_CHUNK):
            text = carry + chunk
            cut = text.rfind(b"<")
            cut = cut if cut > 0 else len(text)
            yield text[:cut]
            carry = text[cut:]
    if carry:
        yield carry


def check_sheet_extent(path: Path, archive: zipfile.ZipFile, part: str, sheet: str) -> None:
    """Reject a sheet whose used range is too large for calamine's dense grid, before it is read.

    The sheet's XML is inflated as a stream and scanned in C for the farthest row and column its
    cells name (see `_UNUSUAL_CELL`); a second scan for the last row runs only for a sheet wider
    than `MAX_SHEET_CELLS / 999,999` columns. Writers put a reference on every cell; for cells
    without one (calamine counts them along the row) the longest row's cell count is added to
    the column, and the number of rows to the row (Python work per row, for those files only).

    Raises:
        FileRejected: too many columns or cells, or a damaged part.
    """
    max_col, max_row = 26, 0  # usual cells lie within A1:Z999999
    unreferenced, widest_row, row_cells, rows_seen = False, 0, 0, 0
    try:
        for text in _slices(archive, part):
            for letters, digits in _UNUSUAL_CELL.findall(text):
                if digits:
                    max_col, max_row = max(max_col, _column_number(letters)), max(max_row, int(digits))
                else:
                    unreferenced = True
            if unreferenced:
                pieces = text.split(b"<row")
                row_cells += pieces[0].count(b"<c")
                rows_seen += len(pieces) - 1
                for piece in pieces[1:]:
                    widest_row, row_cells = max(widest_row, row_cells), piece.count(b"<c")
        if max_col * _USUAL_ROWS <= MAX_SHEET_CELLS:
            max_row = max(max_row, _USUAL_ROWS)  # the bound is enough
        elif max_row < _USUAL_ROWS:
            for text in _slices(archive, part):  # a wide sheet: find its real last row
                if rows := _CELL_ROW.findall(text):
                    max_row = max(max_row, int(np.array(rows, dtype=np.int64).max()))
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
        raise FileRejected(path, f"sheet {sheet!r} cannot be read: the workbook is damaged ({exc}). Open it "
                           "in Excel and save it again as .xlsx") from exc
    max_col, max_row = max_col + max(widest_row, row_cells), max_row + rows_seen
    if max_col > MAX_COLUMNS:
        raise FileRejected(path, f"sheet {sheet!r} uses {max_col:,} columns (up to column "
                           f"{_column_letters(max_col)}); at most {MAX_COLUMNS:,} are read. Delete the stray "
                           "cells right of the table (or copy the table into a new workbook) and send it again")
    cells = max(max_row, 1) * max_col
    if cells > MAX_SHEET_CELLS:
        raise FileRejected(path, f"sheet {sheet!r} uses cells up to row {max_row:,} and column "
                           f"{_column_letters(max_col)}: a grid of {cells:,} cells, at most {MAX_SHEET_CELLS:,} "
                           "are read. Delete the stray cells below or right of the table (or copy the table "
                           "into a new workbook) and send it again")
