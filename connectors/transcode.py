"""GBK/GB18030 cells to UTF-8 text, decoding each distinct value once instead of the whole file.

Decoding is most of what reading a GBK export costs: Python's codec (which pyarrow's
`encoding=` option also calls) turns ~300 MB/s on one core, while Arrow splits the same
bytes into cells on every core several times faster. A comma- or tab-separated GB18030 file
can be split into cells *before* decoding: every byte of a multi-byte character is 0x30 or
above (lead 0x81–0xFE; trail 0x40–0xFE, or 0x30–0x39 in a four-byte sequence), so the
delimiter, the quote, CR and LF never occur inside one. (`|` is 0x7C, a possible trail byte:
a `|`-separated GBK file is decoded whole.)

The cells of a column then decode per distinct value: a 1,000,000-row tax export holds
62,000 distinct names, 3,000 withholding agents and 7 income items, and its ID numbers,
dates and amounts are ASCII, which is already UTF-8. An undecodable value raises the same
`UnicodeDecodeError` that decoding the whole file would; `undecodable` turns a file that fails
every encoding tried into its rejection, saying where each one fails.

Example:
    >>> import pyarrow as pa
    >>> column = pa.chunked_array([["张三".encode("gb18030"), b"140105", None, "张三".encode("gb18030")]],
    ...                           pa.binary())
    >>> decode_column(column, "gb18030").to_pylist()
    ['张三', '140105', None, '张三']
"""

from __future__ import annotations

import codecs
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.errors import FileRejected
from connectors.rawfile import move_to_errors

SPLITS_BEFORE_DECODING = (",", "\t")
"""Delimiters that cannot occur inside a GB18030 character (see the module docstring)."""
_SEPARATOR = "\x00"
"""Joins the distinct values for one decode call: files holding a NUL are rejected before."""


def _non_ascii(chunk: pa.Array) -> np.ndarray:
    """Per value of a binary chunk: whether it holds a byte of 0x80 or above (False for null)."""
    _, offsets_buf, data_buf = chunk.buffers()
    flags = np.zeros(len(chunk), dtype=bool)
    if data_buf is None or len(chunk) == 0:
        return flags
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=len(chunk) + 1, offset=chunk.offset * 4)
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0]:offsets[-1]]
    if not len(data) or int(data.max()) < 0x80:
        return flags
    high = np.concatenate(([0], np.cumsum(data >= 0x80, dtype=np.int64)))
    rel = offsets - offsets[0]
    return high[rel[1:]] > high[rel[:-1]]


def _decode_values(values: pa.Array, encoding: str) -> pa.Array:
    """Binary values (no nulls) decoded with one codec call and no Python object per value:
    the bytes are joined with NUL between values, decoded, encoded as UTF-8 and cut at the NULs."""
    if len(values) == 0:
        return pa.array([], pa.string())
    _, offsets_buf, data_buf = values.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=len(values) + 1, offset=values.offset * 4)
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0]:offsets[-1]] if data_buf is not None else np.zeros(0, np.uint8)
    joined = np.insert(data, offsets[1:-1] - offsets[0], 0)
    utf8 = np.frombuffer(joined.tobytes().decode(encoding).encode("utf-8"), dtype=np.uint8)
    cuts = np.flatnonzero(utf8 == 0)
    ends = np.concatenate((cuts - np.arange(len(cuts)), [len(utf8) - len(cuts)])).astype(np.int32)
    text = utf8[utf8 != 0]
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(np.concatenate(([0], ends)).astype(np.int32)),
                                       pa.py_buffer(text))


def _decode_distinct(values: pa.Array, encoding: str) -> pa.Array:
    encoded = pc.dictionary_encode(values)
    return pc.take(_decode_values(encoded.dictionary, encoding), encoded.indices)


def decode_column(column: pa.ChunkedArray, encoding: str) -> pa.ChunkedArray:
    """A binary column of `encoding` text as a string column.

    Values of ASCII bytes only are already UTF-8 and are kept as they are; the others are
    decoded once per distinct value.

    Raises:
        UnicodeDecodeError: a value that is not valid in `encoding`.
    """
    flags = np.concatenate([_non_ascii(chunk) for chunk in column.chunks]) if column.num_chunks else np.zeros(0, bool)
    if not flags.any():
        return column.cast(pa.string())
    if flags.all():
        return pa.chunked_array([_decode_distinct(column.combine_chunks(), encoding)])
    mask = pa.array(flags)
    plain = pc.if_else(mask, pa.scalar(None, pa.binary()), column).cast(pa.string()).combine_chunks()
    decoded = _decode_distinct(column.filter(mask).combine_chunks(), encoding)
    return pa.chunked_array([pc.replace_with_mask(plain, mask, decoded)])


ENCODINGS_TRIED = "UTF-8 and GB18030/GBK"


def undecodable(path: Path, data: bytes) -> FileRejected:
    """Where each encoding tried fails. A file that is UTF-8 for its first lines and GBK further
    down (two exports joined) fails GB18030 early, on its UTF-8 text: said alone, that pointed a
    clerk at line 1 when the GBK part began on line 12 (an export probe)."""
    where = mixed = ""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = f" (bytes {data[exc.start:exc.start + 2].hex(' ')} on line {line})"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as utf8:
            at = data.count(b"\n", 0, utf8.start) + 1
            if at > line:
                mixed = (f". Lines 1-{at - 1} read as UTF-8 and line {at} does not (bytes "
                         f"{data[utf8.start:utf8.start + 2].hex(' ')}): the file mixes UTF-8 and GBK")
    if where and not mixed:
        allowed = max(DAMAGED_MIN, _lines(data) // 1000)
        _, failures, lines_hit, utf8 = _gb18030_damage(data, most=max(DAMAGE_LOOKED_AT, allowed + 1)) or ("", 0, 0, True)
        if not utf8 and 2 * lines_hit < _lines(data) and failures > allowed:
            # GBK text damaged on too many lines: re-saving it as GBK, as the advice below says, was what
            # its clerk had done (an adversarial probe)
            return Undecodable(path, f"the file is GBK/GB18030 text, but {lines_hit} of its lines hold bytes that are "
                               f"not{where}: more damage than the {DAMAGED_MIN} lines (or one per 1,000) a file may "
                               "hold and still load its other rows. Export the file again from the department's "
                               "system and send it in full")
    return Undecodable(path, f"the text cannot be decoded: tried {ENCODINGS_TRIED}{where}{mixed}. Save the "
                       "file as UTF-8 (or GBK/ANSI on a Chinese Windows) and send it again")


class Undecodable(FileRejected):
    """A file no encoding tried decodes (see `undecodable`)."""


DAMAGED_MIN = 5
"""Invalid byte sequences a file may hold (or one per 1,000 lines) and still be read in its
encoding, its damaged rows quarantined; more, and the text is not in that encoding at all."""
_failures = threading.local()


class _TooDamaged(Exception):
    """More invalid sequences than worth looking at one by one: no damage, another encoding."""


def _note_failure(exc: UnicodeDecodeError) -> tuple[str, int]:
    if len(_failures.spans) >= _failures.most:   # a Latin-1 file read as GBK fails on every accent
        raise _TooDamaged
    _failures.spans.append((exc.start, exc.end))
    return "\ufffd", exc.end


codecs.register_error("hhverify-note", _note_failure)


DAMAGE_LOOKED_AT = 1000
"""Invalid sequences looked at one by one at most: beyond, a file is no damaged GBK (None)."""


def _gb18030_damage(data: bytes, most: int = DAMAGE_LOOKED_AT) -> tuple[str, int, int, bool] | None:
    """`data` decoded as GB18030 with U+FFFD for each invalid sequence; how many such sequences, on how
    many lines; whether a line holding one is valid UTF-8 with Chinese in it (another encoding, not damage).
    None past `most` sequences."""
    _failures.spans, _failures.most = [], most
    try:
        text = data.decode("gb18030", errors="hhverify-note")
        spans = _failures.spans
    except _TooDamaged:
        return None
    finally:
        _failures.spans = []
    starts, utf8 = set(), False
    for start, end in spans:
        first = data.rfind(b"\n", 0, start) + 1
        last = data.find(b"\n", end)
        try:
            utf8 = utf8 or any("\u4e00" <= c <= "\u9fff" for c in data[first:len(data) if last < 0 else last].decode("utf-8"))
        except UnicodeDecodeError:
            pass
        starts.add(first)
    return text, len(spans), len(starts), utf8


def _lines(data: bytes) -> int:
    return data.count(b"\n") + (not data.endswith(b"\n"))


def gb18030_with_damage(data: bytes) -> bytes | None:
    """GB18030 text holding a few damaged bytes, as UTF-8 with U+FFFD where they were (for their
    rows to be quarantined); None when the failures are not damage.

    One damaged byte in a night's GBK tax export rejected the whole file, a million good rows with
    it. A failure is damage, not another encoding, while there are few (`DAMAGED_MIN`, or one per
    1,000 lines), they hit under half the lines, and no line holding one is valid UTF-8 with Chinese
    in it: a UTF-8 line among GBK ones (two exports joined) decodes as GB18030 into wrong characters
    often without any failure, so such a file is refused whole, as `undecodable` says."""
    lines = _lines(data)
    damage = _gb18030_damage(data, most=max(DAMAGED_MIN, lines // 1000))
    if damage is None:
        return None
    text, failures, lines_hit, utf8 = damage
    if not failures or utf8:
        return None
    return text.encode("utf-8") if 2 * lines_hit < lines else None


UTF8_DAMAGED = "utf-8 (some bytes invalid)"
GB18030_DAMAGED = "gb18030 (some bytes invalid)"
DAMAGED_ROW = ("row {row} holds bytes that are not valid {encoding} (the rest of the file is {encoding}): its text is "
               "damaged, so it was not loaded. Check the row in the exporting system and send it again")
DAMAGED_ENCODINGS = {UTF8_DAMAGED: "UTF-8", GB18030_DAMAGED: "GBK/GB18030"}


def damaged_rows(table: pa.Table, row_numbers, errors: list, delimiter: str, encoding: str):
    """Move the rows holding U+FFFD (bytes that were not valid `encoding`) from `table` to the row errors."""
    bad = pa.array(np.zeros(table.num_rows, dtype=bool))
    for column in table.columns:
        bad = pc.or_(bad, pc.fill_null(pc.match_substring(column, "\ufffd"), False))
    numbers = np.arange(1, table.num_rows + 1) if row_numbers is None else np.asarray(row_numbers)
    reasons = {i: DAMAGED_ROW.format(row=int(numbers[i]), encoding=encoding) for i in pc.indices_nonzero(bad).to_pylist()}
    return move_to_errors(table, row_numbers, errors, reasons, delimiter)
