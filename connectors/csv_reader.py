"""CSV in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16; comma, tab or `|` separated.

The encoding is decided from the bytes: a BOM says UTF-8 or UTF-16; text that is valid UTF-8
is UTF-8; anything else is read as GB18030, the superset of GBK that also covers rare name
characters GBK lacks (𠮷, 䶮). pyarrow does the parsing, with every column typed as string,
so `0012` and 18-digit ID numbers arrive exactly as written.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from connectors.cells import dedupe_headers, tidy_strings
from connectors.errors import FileRejected
from connectors.rawfile import RawFile, row_errors_table, with_row_numbers
from connectors.sniff import HEADER_SEARCH_ROWS, pick_header, sniff_delimiter

ENCODINGS_TRIED = "UTF-8 and GB18030/GBK"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Ragged lines are row errors while they are a minority; when most lines disagree with the
# header, the file's layout (not its rows) is wrong and the whole file is returned.
_MAX_RAGGED_SHARE = 0.5
_DELIMITER_NAMES = {",": "comma", "\t": "tab", "|": "'|'"}


def has_utf16_bom(head: bytes) -> bool:
    return head.startswith(_UTF16_BOMS)


def _undecodable(path: Path, data: bytes) -> FileRejected:
    try:
        data.decode("gb18030")
        where = ""
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = f" (bytes {data[exc.start:exc.start + 2].hex(' ')} on line {line})"
    return FileRejected(path, f"the text cannot be decoded: tried {ENCODINGS_TRIED}{where}. Save the "
                        "file as UTF-8 (or GBK/ANSI on a Chinese Windows) and send it again")


def detect_encoding(path: Path, data: bytes) -> tuple[str, bytes, str]:
    """The encoding of the file, the bytes to parse, and pyarrow's name for their encoding.

    Raises:
        FileRejected: a BOM that lies about its content.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            data[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise _undecodable(path, data[3:]) from None
        return "utf-8-sig", data[3:], "utf8"
    if has_utf16_bom(data):
        try:
            return "utf-16", data.decode("utf-16").encode("utf-8"), "utf8"
        except UnicodeDecodeError:
            raise _undecodable(path, data) from None
    try:
        data.decode("utf-8")
        return "utf-8", data, "utf8"
    except UnicodeDecodeError:
        return "gb18030", data, "gb18030"


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """The whole file as text and the encoding it was in (for formats parsed in Python)."""
    encoding, body, arrow_encoding = detect_encoding(path, data)
    try:
        return body.decode("utf-8" if arrow_encoding == "utf8" else arrow_encoding), encoding
    except UnicodeDecodeError:
        raise _undecodable(path, body) from None


def _first_lines(path: Path, data: bytes, encoding: str) -> list[tuple[int, int, str]]:
    """(line number, byte offset after the line, text) of the first non-blank lines."""
    found, start, number = [], 0, 0
    while start < len(data) and len(found) < HEADER_SEARCH_ROWS:
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        number += 1
        try:
            text = data[start:end].decode(encoding).rstrip("\r\n")
        except UnicodeDecodeError:
            raise _undecodable(path, data) from None
        if text.strip():
            found.append((number, end, text))
        start = end
    return found


def read_csv(path: Path, data: bytes) -> RawFile:
    """Read a delimited text file; see the module docstring.

    Raises:
        FileRejected: undecodable text, no header, or mostly ragged lines.
    """
    encoding, body, arrow_encoding = detect_encoding(path, data)
    lines = _first_lines(path, body, "utf-8" if arrow_encoding == "utf8" else arrow_encoding)
    if not lines:
        raise FileRejected(path, "the file has no header row")
    delimiter = sniff_delimiter([text for _, _, text in lines])
    try:
        cells = [next(csv.reader([text], delimiter=delimiter)) for _, _, text in lines]
    except csv.Error as exc:
        raise FileRejected(path, f"the first lines cannot be split into columns ({exc})") from exc
    chosen = pick_header(cells)
    header_line, header_end, _ = lines[chosen]
    names = dedupe_headers(cells[chosen])
    table, row_numbers, errors = _parse_body(path, body[header_end:], names, delimiter, arrow_encoding)
    table = pa.table({name: tidy_strings(table.column(i)) for i, name in enumerate(names)})
    return RawFile(with_row_numbers(table, row_numbers), "csv", encoding, delimiter, header_line, path,
                   row_errors=row_errors_table(errors))


def _parse_body(path: Path, body: bytes, names: list[str], delimiter: str, encoding: str,
                use_threads: bool = True):
    ragged: list[pacsv.InvalidRow] = []

    def keep_aside(row: pacsv.InvalidRow) -> str:
        ragged.append(row)
        return "skip"

    # pyarrow wants unique column names; the real ones are put back by position.
    positional = [f"c{i}" for i in range(len(names))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=positional, encoding=encoding,
                                           use_threads=use_threads),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=keep_aside),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in positional}),
        ) if body.strip() else pa.table({n: pa.array([], pa.string()) for n in positional})
    except UnicodeDecodeError:
        raise _undecodable(path, body) from None
    except pa.ArrowInvalid as exc:
        raise FileRejected(path, f"the CSV cannot be parsed ({exc}); check quotes and delimiters") from exc
    if not ragged:
        return table, None, []
    if any(row.number is None for row in ragged) and use_threads:
        # Multi-threaded parsing does not know line numbers; only the clerk's report needs
        # them, so the slow single-threaded read is paid only for files with ragged lines.
        return _parse_body(path, body, names, delimiter, encoding, use_threads=False)
    return _place_ragged(path, table, ragged, len(names), delimiter)


def _place_ragged(path: Path, table: pa.Table, ragged: list, expected: int, delimiter: str):
    total = table.num_rows + len(ragged)
    first = min(ragged, key=lambda row: row.number)
    if len(ragged) > total * _MAX_RAGGED_SHARE:
        raise FileRejected(path, f"{len(ragged)} of {total} data rows do not have the {expected} fields of "
                           f"the header (first: data row {first.number}, {first.actual_columns} fields: "
                           f"{first.text[:80]!r}). Check that the file is {_DELIMITER_NAMES[delimiter]}-"
                           "separated and that values containing the delimiter are quoted")
    bad = {row.number for row in ragged}
    numbers = [n for n in range(1, total + 1) if n not in bad]
    errors = [(row.number, f"the row has {row.actual_columns} fields but the header has {expected}; "
               f"a value probably contains the delimiter ({_DELIMITER_NAMES[delimiter]}) without quotes",
               row.text) for row in sorted(ragged, key=lambda row: row.number)]
    return table, numbers, errors
