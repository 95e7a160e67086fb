"""The end of a delimited text file: a last row written without a line break, or one cut off in
transfer (`connectors.csv_reader`, `connectors.jsonl_reader`).

A cut that leaves the last row short of fields, inside a quoted value or inside a character is
plain to see. One inside the row's last value is not: `…,待遇,2025-06,6` reads as a complete row
whose amount is 6 (a files probe: a pension of 640.00 loaded as 6.00, and the household passed).
What gives it away is the shape of that value beside the same column in the rows above it: in
a file that ends without a line break, a last value whose shape (digits, letters, Chinese
characters, punctuation, in order) no other row's value has, but which is the beginning of
other rows' shape, is taken for cut (`cut_short`). A shop written 太原钢铁 beside 太原钢铁集团 in
such a file would be held for a clerk too; a file that ends with a line break, as exports do, is
never judged so.
"""

from __future__ import annotations

import codecs
import csv

import pyarrow as pa
import pyarrow.compute as pc

CUT_ROW = "the file ends in the middle of this"
"""How the error of a CSV row or a JSON line cut in transfer begins (`is_cut_row`)."""
TRUNCATED = (CUT_ROW + " row ({detail}): it looks cut off in transfer. The complete "
             "rows before it were loaded; this row was not. Send the file again in full")
CUT_SHORT_MARK = "is shorter than that column's values"
"""How a last value judged cut by its shape alone is told (`cut_short`): a guess, where a row short of
fields, an open quote or a broken character is plain."""
CUT_SHORT_MIN_ROWS = 5
"""Values above the last one that a column needs before its shape is judged at all."""
CUT_SHORT_SAMPLE = 10_000
"""Rows above the last one whose shapes are compared (the shapes of a column are few)."""
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def has_utf16_bom(head: bytes) -> bool:
    return head.startswith(_UTF16_BOMS)


def split_tail(data: bytes) -> tuple[bytes, bytes]:
    """(complete lines, the bytes after the last line break) of a text file.

    The tail is empty when the file ends with a line break (or holds a single line, or is
    UTF-16, whose line breaks are two bytes). A file written completely usually ends with one;
    a tail is either a last row written without it (fine) or a row cut off in transfer, which
    the reader must judge.
    """
    data = data.rstrip(b"\x1a")   # a DOS end-of-file mark after the last line is no row (a rolls probe's)
    if not data or data.endswith((b"\n", b"\r")) or has_utf16_bom(data):
        return data, b""
    cut = data.rfind(b"\n") + 1
    if cut == 0 or not data[cut:].strip():
        return data, b""
    return data[:cut], data[cut:]


def judge_tail(tail: bytes, encoding: str, delimiter: str, width: int, is_footer=None) -> tuple[str | None, str]:
    """(why the last row looks truncated or None, its text) for a tail after the last line break;
    a one-cell line `is_footer` says is a footer (注：…) is none (a rolls probe's was refused as cut)."""
    try:
        text = tail.decode(encoding)
    except UnicodeDecodeError:
        return "it stops inside a character", tail.decode(encoding, errors="replace")
    text = text.rstrip("\r")
    if text.count('"') % 2:
        return "a quoted value is not closed", text
    try:
        fields = len(next(csv.reader([text], delimiter=delimiter), []))
    except csv.Error:  # a bare carriage return inside the line: count the delimiters instead
        fields = text.count(delimiter) + 1
    if fields < width and not (fields == 1 and is_footer and is_footer(text)):
        return f"{fields} of the header's {width} fields", text
    return None, text


def shapes(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Each value's shape: a digit is 9, a Latin letter a, any other non-ASCII character 汉,
    anything else itself (`1,234.50` → `9,999.99`); an empty cell is ''."""
    out = pc.fill_null(pc.cast(values, pa.string()), "")
    out = pc.replace_substring_regex(out, "[0-9]", "9")
    out = pc.replace_substring_regex(out, "[A-Za-z]", "a")
    return pc.replace_substring_regex(out, "[^\\x00-\\x7f]", "汉")


def cut_short(column: pa.Array | pa.ChunkedArray, header: str) -> str | None:
    """Why the last value of `column` (the last row of a file that ends without a line break)
    looks cut short, or None: no value above it has its shape, and some value's shape begins
    with it (see the module). None when fewer than `CUT_SHORT_MIN_ROWS` values stand above it."""
    n = len(column)
    above = column.slice(max(0, n - 1 - CUT_SHORT_SAMPLE), min(n - 1, CUT_SHORT_SAMPLE))
    if n < 2 or len(above) - above.null_count < CUT_SHORT_MIN_ROWS:
        return None
    value = column.slice(n - 1, 1).to_pylist()[0] or ""
    last = shapes(column.slice(n - 1, 1)).to_pylist()[0]
    if not value.strip():       # an optional last cell left empty is no cut
        return None
    seen = set(pc.unique(shapes(above)).to_pylist())
    if last in seen or not any(len(s) > len(last) and s.startswith(last) for s in seen):
        return None
    if "汉" in last and not pc.any(pc.starts_with(above, value)).as_py():
        # words have too few shapes to tell a cut from a short name (an adversarial probe's 太原某公司
        # among 太原某某有限公司 was taken for cut): a word is cut when it begins a value above it
        return None
    return (f"its last value {value!r} under {header!r} {CUT_SHORT_MARK} in the rows above "
            "and the file ends without a line break")


def is_cut_row(field: str | None, reason: object) -> bool:
    """Whether a row error (field, reason) is a row cut in transfer: a whole row, no one cell."""
    return field is None and str(reason or "").startswith(CUT_ROW)


def cut_row_cells(errors: pa.Table, raw) -> list[tuple[int, dict]]:
    """(row_number, {header: cell}) of the whole-row errors of `errors` (row_number, field, reason,
    raw_value) that the file's table does not hold (a row cut in transfer, a ragged line, a quote never
    closed), read from their text (`raw`: the file as read, with its delimiter): such a row's
    record_id and ID still say whose row it was (a files probe's quarantine entry of a cut row named
    no record_id, though the row showed it; an ingestion probe's, of an unclosed quote)."""
    delimiter = getattr(raw, "delimiter", None)
    if not delimiter:
        return []
    headers = [c for c in raw.table.column_names if c != "row_number"]
    whole = [(number, text) for number, field_name, text in zip(*(errors.column(c).to_pylist()
                                                                  for c in ("row_number", "field", "raw_value")))
             if text and field_name is None]
    if not whole:
        return []
    numbers = pa.array([number for number, _ in whole], pa.int64())
    held = set(pc.filter(numbers, pc.is_in(numbers, value_set=raw.table.column("row_number").combine_chunks())).to_pylist())
    out = []
    for number, text in whole:
        if number not in held:
            try:
                values = next(csv.reader([text], delimiter=delimiter), [])
            except csv.Error:
                continue
            out.append((number, {h: (v.strip() or None) for h, v in zip(headers, values)}))
    return out

