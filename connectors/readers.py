"""`read_raw`: any delivered file (CSV, XLSX, JSON Lines, Parquet) to a `RawFile`.

One reader per format; CSV, with its encoding detection, lives in `csv_reader`.

Workbooks: the header is the first row that looks like one (see `sniff.pick_header`), so a
title row and a blank row above it are fine. Fully empty rows are skipped, but `row_number`
stays the sheet row minus the header row, so a clerk can find a quarantined row in Excel.
Cells stored as numbers are written without `.0`. An 18-digit ID stored as a number has
already lost its last digits inside Excel (15 significant digits); it is read as stored and
flagged by the ID check, never silently "fixed".

JSON Lines: a line that is not a JSON object is that row's error, not the file's. Numbers keep
the digits written (`1234.50` stays `1234.50`) because floats are parsed as Decimal.

Parquet: every column rendered as text, so it reads like the same data in CSV.

Hostile files (see `connectors.limits`): a workbook is checked before calamine reads it (the
archive's declared sizes against a zip bomb, then the sheet's used range against calamine's
dense grid); more than `MAX_COLUMNS` columns reject a file of any format; a JSON line longer
than `MAX_LINE_BYTES` or nested deeper than `MAX_JSON_DEPTH` is that line's error.

Truncated files (cut off in transfer): a workbook or Parquet file keeps its directory at the
end, so a cut one cannot be read at all and is rejected whole, with a reason saying it looks
truncated and that nothing was loaded. A CSV or JSON Lines file cut in the middle of a row
loads its complete rows and reports the broken last one as a row error (see
`csv_reader.split_tail`).

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tax.txt"
    >>> _ = path.write_bytes("记录编号,姓名\\nT1, 张三 \\n".encode("gbk"))
    >>> raw = read_raw(path)
    >>> raw.format, raw.encoding, raw.table.to_pylist()
    ('csv', 'gb18030', [{'记录编号': 'T1', '姓名': '张三', 'row_number': 1}])
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook

from connectors import csv_reader
from connectors.cells import dedupe_headers, gc_paused, render_cell, render_column, strings_table
from connectors.errors import FileRejected
from connectors.limits import (MAX_JSON_DEPTH, MAX_LINE_BYTES, bracket_depth_ok, check_columns,
                               check_inflates_as_declared, check_sheet_extent, check_workbook_zip, describe_size,
                               json_depth, sheet_parts)
from connectors.rawfile import RawFile, row_errors_table, with_row_numbers
from connectors.sniff import HEADER_SEARCH_ROWS, detect_format, known_binary, looks_binary, pick_header

ACCEPTED = "CSV (UTF-8 or GBK), XLSX, JSON Lines or Parquet"
_HEAD_BYTES = 8192
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_ZIP_TAIL = 22 + 65535  # the end-of-central-directory record and the longest archive comment
TRUNCATED_LINE = ("the file ends in the middle of this line ({detail}): it looks cut off in transfer. The "
                  "complete lines before it were loaded; this line was not. Send the file again in full")
TRUNCATED_WHOLE = ("the file looks truncated (cut off in transfer): {what}. The whole file is rejected and "
                   "nothing from it was loaded; send it again in full")


def read_raw(path: Path, sheet: str | None = None) -> RawFile:
    """Read a file of any accepted format as strings.

    Args:
        path: The file. Its format is recognised from its content, not its extension.
        sheet: For workbooks: the sheet to read (default: the first).

    Returns:
        The `RawFile`.

    Raises:
        FileRejected: the file cannot be read at all (empty, binary, undecodable, not a
            table); the reason names the file and says what to do.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileRejected(path, f"cannot open the file ({exc.strerror or exc})") from exc
    if not data or data.isspace():  # not data.strip(): that copies a 100 MB file to look at it
        raise FileRejected(path, "the file is empty; send it again with a header row and data rows")
    head = data[:_HEAD_BYTES]
    fmt = detect_format(head)
    if fmt in ("xlsx", "xls"):
        cut = (fmt == "xlsx" and b"PK\x05\x06" not in data[-_ZIP_TAIL:]
               and (b"[Content_Types].xml" in head or b"xl/" in head))
        return read_workbook(path, fmt, sheet, truncated=cut)
    if fmt == "parquet":
        return read_parquet(path, tail=data[-4:])
    what = known_binary(head)
    if what:
        raise FileRejected(path, f"the file is {what}, not a table; accepted formats: {ACCEPTED}")
    if looks_binary(head) and not csv_reader.has_utf16_bom(head):
        raise FileRejected(path, "the file contains binary data, not text; it is not a CSV, XLSX, JSON "
                           f"Lines or Parquet file. Export the data again as {ACCEPTED}")
    if fmt == "jsonl":
        return read_jsonl(path, data)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[{"):
        raise FileRejected(path, "the file is one JSON array; send JSON Lines instead (one {...} object "
                           "per line, no enclosing [ ])")
    return csv_reader.read_csv(path, data)


def _workbook_archive(path: Path, fmt: str) -> zipfile.ZipFile | None:
    """The workbook as a ZIP archive, checked against zip bombs; None for .xls or a broken archive.

    A broken archive is left to calamine, whose error says what is wrong (or that it is cut off).
    """
    if fmt != "xlsx":
        return None
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    try:
        check_workbook_zip(path, archive)
        check_inflates_as_declared(path, archive, "xl/sharedStrings.xml")  # calamine loads it whole
    except FileRejected:
        archive.close()
        raise
    return archive


def _open_sheet(path: Path, fmt: str, sheet: str | None, truncated: bool = False):
    archive = _workbook_archive(path, fmt)
    try:
        return _open_checked_sheet(path, fmt, sheet, truncated, archive)
    finally:
        if archive is not None:
            archive.close()


def _open_checked_sheet(path: Path, fmt: str, sheet: str | None, truncated: bool,
                        archive: zipfile.ZipFile | None):
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip/xml errors and plain ValueErrors
        if truncated:
            raise FileRejected(path, TRUNCATED_WHOLE.format(
                what="an .xlsx workbook is a ZIP archive that ends with its directory, and this one stops "
                     f"before it ({exc})")) from exc
        what = "a ZIP archive but not an Excel workbook" if fmt == "xlsx" else "not a readable workbook"
        raise FileRejected(path, f"the file is {what} ({exc}); save it from Excel as .xlsx") from exc
    names = book.sheet_names
    if not names:
        raise FileRejected(path, "the workbook has no sheets")
    if sheet is not None and sheet not in names:
        raise FileRejected(path, f"the workbook has no sheet named {sheet!r}; its sheets: {', '.join(names)}")
    for part in sheet_parts(archive, sheet or names[0]) if archive is not None else ():
        check_sheet_extent(path, archive, part, sheet or names[0])  # calamine aborts on a grid too large
    try:
        return book.get_sheet_by_name(sheet or names[0])
    except Exception as exc:
        raise FileRejected(path, f"sheet {sheet or names[0]!r} cannot be read ({exc})") from exc


def read_workbook(path: Path, fmt: str = "xlsx", sheet: str | None = None, truncated: bool = False) -> RawFile:
    """Read one sheet of a workbook as strings.

    Args:
        path: The workbook.
        fmt: `xlsx` or `xls`, as recognised from the content.
        sheet: The sheet to read; the first when None.
        truncated: The file holds workbook parts but lacks the ZIP directory that ends every
            .xlsx: if it cannot be opened, the reason says it looks cut off in transfer.

    Raises:
        FileRejected: not a workbook (or a truncated one), no such sheet, or the sheet is empty.
    """
    ws = _open_sheet(path, fmt, sheet, truncated)
    with gc_paused():
        # Rows come from the sheet's first row but its first used column: put back the empty
        # columns before it, so positions (and `column_<n>` names) are those of the sheet.
        left = [""] * (ws.start[1] if ws.start else 0)
        rows = []  # (0-based sheet row, rendered cells) of non-empty rows
        try:
            for index, row in enumerate(ws.iter_rows()):  # row by row: the sheet is never held twice
                if left:
                    row = left + row
                # Text cells pass as they are (tidy_strings strips them later); only the others
                # render. Whole numbers (codes, serials, amounts in yuan) are the commonest other
                # cells: inlined here exactly as render_cell writes them.
                rendered = [value if (kind := value.__class__) is str
                            else str(int(value)) if kind is float and value.is_integer()
                            else render_cell(value) for value in row]
                if any(value and not value.isspace() for value in rendered):
                    rows.append((index, rendered))
        except Exception as exc:  # calamine's own errors while it reads the sheet
            raise FileRejected(path, f"sheet {ws.name!r} cannot be read ({exc})") from exc
        if not rows:
            raise FileRejected(path, f"sheet {ws.name!r} is empty")
        chosen = pick_header([rendered for _, rendered in rows[:HEADER_SEARCH_ROWS]])
        header_index, header = rows[chosen]
        width = max(i + 1 for i, cell in enumerate(header) if cell and cell.strip())
        body = rows[chosen + 1:]
        data = [r for _, r in body]
        longest = max(map(len, data), default=0)
        if any(len(r) != longest for r in data):  # a sheet's rows are rectangular; be safe anyway
            data = [r + [None] * (longest - len(r)) for r in data]
        cells_by_column = list(zip(*data))        # transpose once, not cell by cell
        width = max([width] + [i + 1 for i, column in enumerate(cells_by_column) if any(column)])
        check_columns(path, width, f"sheet {ws.name!r}")
        names = dedupe_headers((header + [None] * width)[:width])
        empty = [None] * len(data)
        columns = {name: cells_by_column[i] if i < len(cells_by_column) else empty for i, name in enumerate(names)}
        table = with_row_numbers(strings_table(columns), [index - header_index for index, _ in body])
    return RawFile(table, fmt, None, None, header_index + 1, path, sheet=ws.name)


def read_jsonl(path: Path, data: bytes) -> RawFile:
    """Read a JSON Lines file; `row_number` is the line number.

    A file that ends in the middle of a line (cut off in transfer) loads its complete lines;
    the broken last one is a row error saying so.

    Raises:
        FileRejected: undecodable, or not a single line holds a JSON object.
    """
    complete, tail = csv_reader.split_tail(data)
    complete, long_lines = _cut_long_lines(complete)
    if not tail and not long_lines and (clean := _read_clean_utf8_jsonl(path, complete)) is not None:
        return clean
    text, encoding = csv_reader.decode_text(path, complete)
    truncated = error = None
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    long_errors = [(line, _LONG_JSON_LINE.format(size=describe_size(size)), first.decode(codec, errors="replace"))
                   for line, size, first in long_lines]
    if len(tail) > MAX_LINE_BYTES:  # not parsed: that would hold it in memory several times over
        error = row_errors_table([(text.count("\n") + 1, _LONG_JSON_LINE.format(size=describe_size(len(tail))),
                                   tail[:_SHOWN_BYTES].decode(codec, errors="replace"))])
    elif tail:
        try:
            json.loads(tail.decode(codec))
            text += tail.decode(codec)          # a last line written without a line break
        except UnicodeDecodeError:
            truncated = "it stops inside a character"
        except (json.JSONDecodeError, RecursionError):
            truncated = "the JSON object is not closed"
    if truncated:
        line = text.count("\n") + 1
        error = row_errors_table([(line, TRUNCATED_LINE.format(detail=truncated),
                                   tail.decode(codec, errors="replace"))])
    raw = _read_jsonl_rows(path, text, encoding, long_errors)
    if error is not None:
        raw = dataclasses.replace(raw, row_errors=pa.concat_tables([raw.row_errors, error]),
                                  truncated=f"the last line is cut off ({truncated})" if truncated else None)
    return raw


_LONG_JSON_LINE = (f"the line is {{size}} long; a record may be at most {describe_size(MAX_LINE_BYTES)}. "
                   "It was not read (its first bytes are shown)")
_DEEP_JSON_LINE = ("the line nests [ ] and {{ }} {depth} levels deep; at most " + str(MAX_JSON_DEPTH) + " are read. "
                   "Each line must hold one flat record {{\"field\": value, ...}}")
_SHOWN_BYTES = 200


def _cut_long_lines(data: bytes) -> tuple[bytes, list[tuple[int, int, bytes]]]:
    """`data` with every line longer than 2 x `MAX_LINE_BYTES` emptied, and (line number, length,
    first bytes) of each, so that such a line is never decoded or parsed.

    Such a line holds a whole window of `MAX_LINE_BYTES` without a line break: one `find` per
    window finds them, never scanning the file byte by byte. Lines between one and two windows
    long are left to the check per line, which holds them in memory a few times at most.
    """
    if csv_reader.has_utf16_bom(data):  # its line breaks are two bytes
        return data, []
    spans, position, window = [], 0, MAX_LINE_BYTES
    while position + window <= len(data):
        if data.find(b"\n", position, position + window) >= 0:
            position += window
            continue
        start = data.rfind(b"\n", 0, position) + 1
        end = data.find(b"\n", position + window)
        end = len(data) if end < 0 else end
        spans.append((start, end))
        position = end + 1
    if not spans:
        return data, []
    pieces, found, line, counted = [], [], 1, 0
    for start, end in spans:
        line += data.count(b"\n", counted, start)
        found.append((line, end - start, data[start:start + _SHOWN_BYTES]))
        pieces.append(data[counted:start])
        counted = end
    pieces.append(data[counted:])
    return b"".join(pieces), found


def _read_jsonl_rows(path: Path, text: str, encoding: str,
                     errors: list[tuple[int, str, str | None]] | None = None) -> RawFile:
    """The rows of a JSON Lines text; `errors`: lines already found bad (and emptied in `text`)."""
    fast = _read_jsonl_with_arrow(path, text, encoding) if not errors else None
    if fast is not None:
        return fast
    objects: list[tuple[int, dict]] = []
    errors = list(errors or [])
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        if len(line) > MAX_LINE_BYTES or (len(line) > MAX_LINE_BYTES // 4
                                          and len(line.encode("utf-8")) > MAX_LINE_BYTES):
            errors.append((number, _LONG_JSON_LINE.format(size=describe_size(len(line.encode("utf-8")))),
                           line[:_SHOWN_BYTES]))
            continue
        line = line.strip()
        if not line:
            continue
        try:
            value = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            errors.append((number, f"the line is not valid JSON ({exc.msg} at character {exc.colno})", line))
            continue
        except RecursionError:
            errors.append((number, _DEEP_JSON_LINE.format(depth="hundreds of"), line[:_SHOWN_BYTES]))
            continue
        if line.count("[") + line.count("{") > MAX_JSON_DEPTH and (depth := json_depth(value)) > MAX_JSON_DEPTH:
            errors.append((number, _DEEP_JSON_LINE.format(depth=depth), line[:_SHOWN_BYTES]))
            continue
        if isinstance(value, dict):
            objects.append((number, value))
        else:
            errors.append((number, "the line is not a JSON object ({...}); each line must hold one record",
                           line))
    if not objects:
        first = f" (line {errors[0][0]}: {errors[0][1]})" if errors else ""
        raise FileRejected(path, f"no line holds a JSON object{first}; send one object per line")
    keys = list(dict.fromkeys(key for _, obj in objects for key in obj))
    if not keys:  # a table needs a column to hold its rows
        raise FileRejected(path, "every JSON object in the file is empty ({}); send one object per line with "
                           "the table's fields")
    check_columns(path, len(keys), "the file")
    columns: dict[str, list] = {name: [] for name in dedupe_headers([k.strip() for k in keys])}
    for _, obj in objects:
        for key, values in zip(keys, columns.values()):
            values.append(render_cell(obj.get(key)))
    return RawFile(with_row_numbers(strings_table(columns), [n for n, _ in objects]), "jsonl", encoding,
                   None, 0, path, row_errors=row_errors_table(errors))


def _read_jsonl_with_arrow(path: Path, text: str, encoding: str) -> RawFile | None:
    """Arrow's JSON reader for a clean file (10x faster); None when Python must go line by line.

    It cannot report a bad line and skips blank lines silently, so it is only used when every
    line is valid and none is blank (line numbers are then row numbers).
    """
    body = text.lstrip("\ufeff").rstrip()
    if _BLANK_LINE.search(body):
        return None
    encoded = body.encode("utf-8")
    return _arrow_jsonl(path, encoded, 0, len(encoded), encoding)


_BLANK_LINE_BYTES = re.compile(rb"\n[ \t\r]*\n")
_UTF8_SLICE = 1 << 24


def _read_clean_utf8_jsonl(path: Path, data: bytes) -> RawFile | None:
    """`_read_jsonl_with_arrow` straight over the bytes of a UTF-8 file, never decoding it to
    Python text: that path holds the file four or five times over (a 1.4 GB social-insurance
    export peaked at 11 GB); this one holds the bytes once beside Arrow's table. None when the
    file is not UTF-8 or not clean, for the general path to judge."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    end = len(data)
    while end > start and data[end - 1] in b" \t\r\n":
        end -= 1
    if end == start or _BLANK_LINE_BYTES.search(data, start, end):
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:  # validated in slices: the decoded text of a slice is dropped at once
        for at in range(start, end, _UTF8_SLICE):
            decoder.decode(data[at:min(at + _UTF8_SLICE, end)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return _arrow_jsonl(path, data, start, end, "utf-8-sig" if start else "utf-8")


def _arrow_jsonl(path: Path, data: bytes, start: int, end: int, encoding: str) -> RawFile | None:
    """Arrow's JSON reader over `data[start:end]` (UTF-8, no blank line); None unless every
    line became a row."""
    if not bracket_depth_ok(data):  # Arrow's parser recurses: ~10,000 levels overflow the C stack
        return None
    try:
        source = pajson.read_json(pa.BufferReader(pa.py_buffer(memoryview(data)[start:end])))
    except (pa.ArrowException, ValueError):
        return None
    if source.num_rows != data.count(b"\n", start, end) + 1:
        return None
    check_columns(path, source.num_columns, "the file")
    names = dedupe_headers([name.strip() for name in source.column_names])
    table = pa.table({name: render_column(source.column(i)) for i, name in enumerate(names)})
    return RawFile(with_row_numbers(table), "jsonl", encoding, None, 0, path)


def read_parquet(path: Path, tail: bytes | None = None) -> RawFile:
    """Read a Parquet file; dates become `YYYY-MM-DD`, numbers plain text without exponent.

    Args:
        path: The file.
        tail: Its last 4 bytes, to tell a truncated file from another unreadable one.

    Raises:
        FileRejected: the file is not readable Parquet (or is truncated).
    """
    try:
        check_columns(path, len(pq.read_schema(path).names), "the file")
        source = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        if tail is not None and tail != b"PAR1":
            raise FileRejected(path, "the file starts like Parquet but cannot be read: " + TRUNCATED_WHOLE.format(
                what="a Parquet file ends with its footer and the marker 'PAR1', and this one stops "
                     "before them")) from exc
        raise FileRejected(path, f"the file starts like Parquet but cannot be read ({exc}); "
                           "export it again") from exc
    names = dedupe_headers(source.column_names)
    table = pa.table({name: render_column(source.column(i)) for i, name in enumerate(names)})
    return RawFile(with_row_numbers(table), "parquet", None, None, 0, path)
