"""`read_jsonl`: a JSON Lines delivery to a `RawFile`; `row_number` is the line number.

JSON Lines: a line that is not a JSON object is that row's error, not the file's. Numbers keep
the digits written (`1234.50` stays `1234.50`) because floats are parsed as Decimal, and a
number written in fewer digits than its size (`1.40105197005094e+17`) keeps that form, for the
ID check to flag, instead of gaining zeros.

A clean file (every line an object of consistent types, no blank line) is parsed by Arrow, from
its bytes when it is UTF-8; any other goes line by line in Python, so each bad line gets its
own reason. A line longer than `MAX_LINE_BYTES` or nested deeper than `MAX_JSON_DEPTH` is that
line's error and is never parsed; a file cut off in the middle of its last line loads the
complete lines before it (see `csv_tail.split_tail`).
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from connectors import csv_reader, csv_tail
from connectors.cells import EXACT_FLOAT_LIMIT, dedupe_headers, render_cell, render_column, strings_table
from connectors.errors import FileRejected
from connectors.limits import (MAX_JSON_DEPTH, MAX_LINE_BYTES, bracket_depth_ok, check_columns, describe_size,
                               json_depth)
from connectors.rawfile import RawFile, row_errors_table, with_row_numbers

_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
TRUNCATED_LINE = ("the file ends in the middle of this line ({detail}): it looks cut off in transfer. The "
                  "complete lines before it were loaded; this line was not. Send the file again in full")


def read_jsonl(path: Path, data: bytes) -> RawFile:
    """Read a JSON Lines file; `row_number` is the line number.

    A file that ends in the middle of a line (cut off in transfer) loads its complete lines;
    the broken last one is a row error saying so.

    Raises:
        FileRejected: undecodable, or not a single line holds a JSON object.
    """
    complete, tail = csv_tail.split_tail(data)
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
    if csv_tail.has_utf16_bom(data):  # its line breaks are two bytes
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


class _RepeatedKey(ValueError):
    pass


def _object(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object, refusing a key written twice: which of its values is meant is a question
    for the sender, not something to settle by keeping the last (an export probe: 收入额 2106
    then 9106 in one line loaded 9106 without a word)."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _RepeatedKey(f"the key {key!r} appears twice in this line ({render_cell(out[key])} and "
                               f"{render_cell(value)}); send each field once")
        out[key] = value
    return out


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
        line = line.strip().lstrip("\ufeff")   # two files joined: the second one's BOM opens a line
        if not line:
            continue
        try:
            value = json.loads(line, parse_float=Decimal, object_pairs_hook=_object)
        except json.JSONDecodeError as exc:
            errors.append((number, f"the line is not valid JSON ({exc.msg} at character {exc.colno})", line))
            continue
        except _RepeatedKey as exc:
            errors.append((number, str(exc), line))
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


def _inexact(table: pa.Table) -> bool:
    """A number column Arrow read as floats holding a whole number a float cannot hold exactly:
    a 20-digit record number, or an ID column where one line's ID is written as a float and so
    every line's became one (an export probe: two records collapsed into one key, five valid IDs
    flagged as shortened by Excel). Python's reader keeps every number as written."""
    for column in table.columns:
        if pa.types.is_floating(column.type) and column.null_count < len(column):
            largest = pc.max(pc.abs(column)).as_py()
            if largest is not None and largest >= EXACT_FLOAT_LIMIT:
                return True
    return False


def _arrow_jsonl(path: Path, data: bytes, start: int, end: int, encoding: str) -> RawFile | None:
    """Arrow's JSON reader over `data[start:end]` (UTF-8, no blank line); None unless every
    line became a row."""
    if not bracket_depth_ok(data):  # Arrow's parser recurses: ~10,000 levels overflow the C stack
        return None
    try:
        source = pajson.read_json(pa.BufferReader(pa.py_buffer(memoryview(data)[start:end])))
    except (pa.ArrowException, ValueError):
        return None
    if source.num_rows != data.count(b"\n", start, end) + 1 or _inexact(source):
        return None
    check_columns(path, source.num_columns, "the file")
    names = dedupe_headers([name.strip() for name in source.column_names])
    table = pa.table({name: render_column(source.column(i)) for i, name in enumerate(names)})
    return RawFile(with_row_numbers(table), "jsonl", encoding, None, 0, path)
