"""Hostile and broken files are rejected with a reason, or load their good rows and report the
bad ones, in bounded time and memory (issue #7, "hostile input").

Every case is built in `tmp_path` and read by `read_source` in a fresh child process, which
reports the outcome, the time the read took and its peak RSS (VmHWM). The child runs under
an address-space limit, so a regression (a reader that inflates a zip bomb, say) fails the test
instead of exhausting the machine; a hang is caught by the timeout, a native crash by the exit
status. The bounds are generous (this machine has 2 cores shared with others): they guard
against reading a file whole many times over or for minutes, not against small slowdowns.

Long runs of the same idea are in `bench/fuzz.py`; the whole-file property tests at the end
share its strategies.
"""

from __future__ import annotations

import codecs
import importlib.util
import io
import json
import os
import random
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings

from connectors import read_source
from connectors.limits import MAX_COLUMNS, MAX_JSON_DEPTH, MAX_SHEET_CELLS, _column_letters

ROOT = Path(__file__).resolve().parents[1]
PEAK_MIB = 1536        # peak RSS of the child reading one case (its imports alone: ~120 MiB)
SECONDS = 20           # time of one read
TIMEOUT = 90           # the child is killed (and the case fails as hung) after this
ADDRESS_SPACE = 4 << 30  # RLIMIT_AS of the child: importing pyarrow alone maps ~1.4 GiB
MiB = 1 << 20
BIG = 64 * MiB         # "one enormous line": 64 MiB, far past every line limit, cheap to write

HEADER = "记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额"
ROW = "T{i},张三,140105198503071234,2024-03,工资薪金,{i}.50"
GOOD_ROWS = 100
GOOD_CSV = "\n".join([HEADER] + [ROW.format(i=i) for i in range(1, GOOD_ROWS + 1)]) + "\n"
KEYS = HEADER.split(",")
GOOD_JSONL = "".join(json.dumps(dict(zip(KEYS, ROW.format(i=i).split(","))), ensure_ascii=False) + "\n"
                     for i in range(1, GOOD_ROWS + 1))


# --- building the files -----------------------------------------------------------------------

def _junk(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP archive from (name, raw deflate data, crc32, declared uncompressed size)."""
    out, directory = bytearray(), bytearray()
    for name, data, crc, size in members:
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        directory += struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
        directory += struct.pack("<HHHII", 0, 0, 0, 0, len(out)) + encoded  # comment, disk, attributes, offset
        out += struct.pack("<I", 0x04034B50) + struct.pack("<HHHHHIIIHH", *fields) + encoded + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(out), 0)
    return bytes(out + directory + end)


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def _deflated_repeat(prefix: bytes, unit: bytes, copies: int, suffix: bytes) -> tuple[bytes, int]:
    """Raw deflate data of prefix + unit * copies + suffix, built without compressing it all.

    After a full flush deflate forgets what came before, so compressing `unit` again gives the
    same bytes: the block is computed once and repeated. The CRC is left 0 (computing it would
    mean 3 GiB of work); a reader that checks the declared sizes never gets that far.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    tail = compressor.compress(suffix) + compressor.flush()
    return head + block * (copies - 1) + again + tail, len(prefix) + len(unit) * copies + len(suffix)


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
         b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
             b'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
                  b'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                  b'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
                  b'sheet1.xml"/></Relationships>')
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"


def _workbook(sheet: tuple[bytes, int, int]) -> bytes:
    """A minimal .xlsx whose first sheet is the given (deflate data, crc, size)."""
    parts = [("[Content_Types].xml", *_deflated(_CONTENT_TYPES)), ("_rels/.rels", *_deflated(_RELS)),
             ("xl/workbook.xml", *_deflated(_WORKBOOK)), ("xl/_rels/workbook.xml.rels", *_deflated(_WORKBOOK_RELS)),
             ("xl/worksheets/sheet1.xml", *sheet)]
    return _zip(parts)


def _bomb_sheet() -> tuple[bytes, int, int]:
    """A sheet of 3 GiB (one cell of 'A's) in 3 MB, its size declared honestly."""
    data, size = _deflated_repeat(_SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>', b"A" * MiB, 3072,
                                  b"</t></is></c></row>" + _SHEET_TAIL)
    return data, 0, size


def _lying_sheet() -> tuple[bytes, int, int]:
    """The same 3 GiB in 3 MB, declaring 4 KB: only inflating it shows what it is."""
    data, _ = _deflated_repeat(_SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>', b"A" * MiB, 3072,
                               b"</t></is></c></row>" + _SHEET_TAIL)
    return data, 0, 4096


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


_letters = _column_letters  # the same spelling of column numbers as the guard reads back


def _sheet_rows(rows: list[list[str]], extra: str = "") -> bytes:
    body = "".join(f'<row r="{r}">' + "".join(_cell(f"{_letters(c)}{r}", v) for c, v in enumerate(row, 1))
                   + "</row>" for r, row in enumerate(rows, 1))
    return _SHEET_HEAD + (body + extra).encode() + _SHEET_TAIL


def _good_table() -> list[list[str]]:
    return [KEYS] + [ROW.format(i=i).split(",") for i in range(1, GOOD_ROWS + 1)]


def _xlsxwriter_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def _parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _good_parquet() -> bytes:
    rows = [ROW.format(i=i).split(",") for i in range(1, GOOD_ROWS + 1)]
    return _parquet_bytes(pa.table({k: [r[i] for r in rows] for i, k in enumerate(KEYS)}))


def _write_stream(path: Path, *pieces: bytes | tuple[bytes, int]) -> None:
    """Write pieces, `(bytes, n)` meaning the bytes n times, without building the file in memory."""
    with path.open("wb") as out:
        for piece in pieces:
            if isinstance(piece, tuple):
                unit, times = piece
                for _ in range(times):
                    out.write(unit)
            else:
                out.write(piece)


def _bytes(data: bytes | Callable[[], bytes]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data() if callable(data) else data)


# --- the corpus -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One broken file: how to write it, and what reading it must give.

    `expect` is `rejected` (the reason must contain `fragment`) or `loaded` (some row error's
    reason must contain `fragment`, and `rows` good rows must load).
    """

    id: str
    suffix: str
    build: Callable[[Path], None]
    expect: str
    fragment: str
    rows: int | None = None
    source: str = "tax"


CASES = [
    # CSV in UTF-8 and GBK
    Case("csv-cut-mid-row", ".csv", _bytes(GOOD_CSV.encode() + "T101,李".encode()), "loaded",
         "the file ends in the middle of this row (2 of the header's 6 fields)", rows=GOOD_ROWS),
    Case("csv-gbk-cut-mid-character", ".csv", _bytes(GOOD_CSV.encode("gbk") + "T101,李".encode("gbk")[:-1]),
         "loaded", "the file ends in the middle of this row (it stops inside a character)", rows=GOOD_ROWS),
    Case("csv-cut-inside-quotes", ".csv", _bytes(GOOD_CSV.encode() + b'T101,"Zhang, San'), "loaded",
         "a quoted value is not closed", rows=GOOD_ROWS),
    Case("csv-utf16-without-bom", ".csv", _bytes(GOOD_CSV.encode("utf-16-le")), "rejected",
         "the file contains binary data, not text"),
    Case("csv-utf16-cut-to-odd-length", ".csv", _bytes(codecs.BOM_UTF16_LE + GOOD_CSV.encode("utf-16-le")[:-1]),
         "rejected", "the text cannot be decoded: tried UTF-8 and GB18030/GBK"),
    Case("csv-gbk-with-latin1-bytes", ".csv",
         _bytes(GOOD_CSV.encode("gbk") + b"T101,Jos\xe9,,2024-03,salary,1\n"),
         "loaded", "row 101 holds bytes that are not valid GBK/GB18030", rows=GOOD_ROWS),
    Case("csv-gbk-with-a-utf8-line", ".csv",
         _bytes(GOOD_CSV.encode("gbk") + "T101,李四五,,2024-03,工资薪金,1\n".encode()),
         "rejected", "the text cannot be decoded: tried UTF-8 and GB18030/GBK (bytes 94 2c on line"),
    Case("csv-utf8-bom-over-gbk-damaged", ".csv",
         _bytes(codecs.BOM_UTF8 + GOOD_CSV.encode("gbk") + b"T101,\xff\xff,,2024-03,salary,1\n"), "loaded", "row 101 holds bytes that are not valid GBK/GB18030", rows=GOOD_ROWS),
    Case("csv-random-bytes", ".csv", _bytes(_junk(100_000)), "rejected", "the file contains binary data"),
    Case("csv-png-renamed", ".csv", _bytes(b"\x89PNG\r\n\x1a\n" + _junk(5000)), "rejected",
         "the file is a PNG image, not a table"),
    Case("csv-zip-renamed", ".csv", _bytes(lambda: _zip([("tax.csv", *_deflated(GOOD_CSV.encode()))])),
         "rejected", "the file is a ZIP archive (tax.csv), not a workbook: unpack it"),
    Case("csv-nul-in-first-kb", ".csv", _bytes(GOOD_CSV.encode().replace(b"T5,", b"T5\x00,")), "rejected",
         "the file contains binary data, not text"),
    Case("csv-nul-far-down", ".csv",
         _bytes(lambda: (HEADER + "\n" + "".join(ROW.format(i=i) + "\n" for i in range(1, 3001)))
                .encode().replace(b"T2500,", b"T2500\x00,")),
         "rejected", "the file contains a NUL byte (binary zero) on line 2501"),
    Case("csv-zero-padded-tail", ".csv",
         _bytes(lambda: (HEADER + "\n" + "".join(ROW.format(i=i) + "\n" for i in range(1, 501))).encode()
                + b"\x00" * 100_000),
         "rejected", "a transfer that stopped early is often padded with zeros"),
    Case("csv-one-enormous-line", ".csv", lambda p: _write_stream(p, (b"a" * MiB, BIG // MiB)), "rejected",
         "line 1 is 64.0 MB long; a row may be at most 1.0 MB"),
    Case("csv-enormous-line-of-commas", ".csv", lambda p: _write_stream(p, (b"," * MiB, BIG // MiB)),
         "rejected", "line 1 is 64.0 MB long"),
    Case("csv-enormous-last-line", ".csv",
         lambda p: _write_stream(p, GOOD_CSV.encode(), b"T101,", (b"9" * MiB, BIG // MiB)),
         "rejected", f"line {GOOD_ROWS + 2} is 64.0 MB long"),
    Case("csv-enormous-row-in-the-body", ".csv",
         lambda p: _write_stream(p, GOOD_CSV.encode(), b"T101,", (b"9" * MiB, BIG // MiB), b"\n",
                                 GOOD_CSV.encode()),
         "rejected", "a row is longer than 1.0 MB"),
    Case("csv-quote-never-closed", ".csv",
         _bytes(lambda: GOOD_CSV.encode() + b'T101,"Zhang,,2024-03,x,1\n' + GOOD_CSV.encode() * 300),
         "rejected", "a quoted value in data row 101 runs over"),
    Case("csv-quote-never-closed-in-the-last-column", ".csv",
         _bytes(lambda: GOOD_CSV.encode() + b'T101,Zhang,x,2024-03,x,"1\n' + GOOD_CSV.encode() * 3),
         "rejected", "a quoted value in data row 101 runs over 30"),
    Case("csv-header-of-100000-columns", ".csv",
         _bytes(lambda: (",".join(f"列{i}" for i in range(100_000)) + "\n" + ",".join(["1"] * 100_000) + "\n")
                .encode()),
         "rejected", f"line 1 has 100,000 columns; at most {MAX_COLUMNS:,} are read"),
    Case("csv-real-header-then-100000-columns", ".csv",
         _bytes(lambda: (HEADER + "," + ",".join(f"c{i}" for i in range(100_000)) + "\n"
                         + ROW.format(i=1) + "," * 100_000 + "\n").encode()),
         "rejected", "line 1 has 100,006 columns"),
    Case("csv-header-of-empty-cells", ".csv", _bytes(b",,,\n,,,\n"), "rejected", "missing required column"),
    Case("csv-bare-carriage-return-in-a-cut-last-line", ".csv", _bytes(GOOD_CSV.encode() + b"T101,\r\x18"),
         "loaded", "the file ends in the middle of this row", rows=GOOD_ROWS),
    Case("csv-member-number-beyond-int64", ".csv",
         _bytes("request_id,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
                "R1,dibao,H1,140105,1,张三,140105198503071234,户主,C1\n"
                "R1,dibao,H1,140105,99999999999999999999,李四,140105198503071234,配偶,C2\n".encode()),
         "loaded", "'99999999999999999999' is not a member number", rows=1, source="applicants"),
    # XLSX
    Case("xlsx-not-a-zip", ".xlsx", _bytes(_junk(5000, seed=3)), "rejected", "the file is a damaged workbook"),
    Case("xlsx-zip-magic-then-junk", ".xlsx", _bytes(b"PK\x03\x04" + _junk(5000)), "rejected",
         "the file is a ZIP archive but not an Excel workbook"),
    Case("xlsx-cut-in-half", ".xlsx", _bytes(lambda: (x := _xlsxwriter_bytes(_good_table()))[:len(x) // 2]),
         "rejected", "the file looks truncated (cut off in transfer)"),
    Case("xlsx-zip-bomb", ".xlsx", _bytes(lambda: _workbook(_bomb_sheet())), "rejected",
         "the workbook part 'xl/worksheets/sheet1.xml' would inflate from"),
    Case("xlsx-zip-bomb-lying-about-its-size", ".xlsx", _bytes(lambda: _workbook(_lying_sheet())), "rejected",
         "the workbook is damaged"),
    Case("xlsx-100000-columns", ".xlsx",
         _bytes(lambda: _workbook(_deflated(_sheet_rows([[f"列{i}" for i in range(100_000)], ["1"]])))),
         "rejected", f"uses 100,000 columns (up to column EQXD); at most {MAX_COLUMNS:,} are read"),
    Case("xlsx-stray-cell-in-column-XFD", ".xlsx",
         _bytes(lambda: _workbook(_deflated(_sheet_rows(_good_table(), _cell("XFD1048576", "x"))))),
         "rejected", "uses 16,384 columns (up to column XFD)"),
    Case("xlsx-stray-cell-far-below", ".xlsx",
         _bytes(lambda: _workbook(_deflated(_sheet_rows(_good_table(), '<row r="1048576">'
                                                        + _cell("ZZ1048576", "x") + "</row>")))),
         "rejected", f"uses cells up to row 1,048,576 and column ZZ: a grid of 736,100,352 cells, at most "
                     f"{MAX_SHEET_CELLS:,}"),
    Case("xlsx-stray-cell-spelt-otherwise", ".xlsx",
         _bytes(lambda: _workbook(_deflated(_sheet_rows(_good_table(), '<row r="102"><c s="0"  r=\'XFD102\' '
                                                        't="inlineStr"><is><t>x</t></is></c></row>')))),
         "rejected", "uses 16,384 columns (up to column XFD)"),
    Case("xlsx-cells-without-references", ".xlsx",
         _bytes(lambda: _workbook(_deflated(_SHEET_HEAD + b"<row>" + b"<c/>" * 20_000
                                            + b'<c t="inlineStr"><is><t>x</t></is></c></row><row r="1000000">'
                                            + b'<c t="inlineStr"><is><t>y</t></is></c></row>' + _SHEET_TAIL))),
         "rejected", "uses 20,027 columns"),
    # JSON Lines
    Case("jsonl-cut-mid-line", ".jsonl", _bytes(GOOD_JSONL.encode() + '{"记录编号": "T101", "纳'.encode()),
         "loaded", "the file ends in the middle of this line (the JSON object is not closed)", rows=GOOD_ROWS),
    Case("jsonl-cut-mid-character", ".jsonl", _bytes(GOOD_JSONL.encode() + '{"记录编号": "T1'.encode()
                                                     + "李".encode()[:-1]),
         "loaded", "it stops inside a character", rows=GOOD_ROWS),
    Case("jsonl-binary-junk", ".jsonl", _bytes(b"{" + _junk(100_000).replace(b"\x00", b"")), "rejected",
         "the text cannot be decoded"),
    Case("jsonl-one-enormous-line", ".jsonl",
         lambda p: _write_stream(p, GOOD_JSONL.encode(), b'{"note": "', (b"x" * MiB, BIG // MiB), b'"}\n',
                                 GOOD_JSONL.encode()),
         "loaded", "the line is 64.0 MB long; a record may be at most 1.0 MB", rows=2 * GOOD_ROWS),
    Case("jsonl-enormous-last-line", ".jsonl",
         lambda p: _write_stream(p, GOOD_JSONL.encode(), b'{"note": "', (b"x" * MiB, BIG // MiB)),
         "loaded", "the line is 64.0 MB long", rows=GOOD_ROWS),
    Case("jsonl-lines-that-are-not-objects", ".jsonl", _bytes(GOOD_JSONL.encode() + b'[1, 2]\n"text"\n3\nnull\n'),
         "loaded", "the line is not a JSON object ({...}); each line must hold one record", rows=GOOD_ROWS),
    Case("jsonl-only-empty-objects", ".jsonl", _bytes(b"{}\n;\n{}\n{}\n"), "rejected",
         "every JSON object in the file is empty ({})"),
    Case("jsonl-no-object-at-all", ".jsonl", _bytes(b'{"a": 1\n[1, 2]\n"x"\n' * 100), "rejected",
         "no line holds a JSON object"),
    Case("jsonl-nested-100000-deep", ".jsonl",
         _bytes(GOOD_JSONL.encode() + b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"), "loaded",
         "levels deep; at most 32 are read", rows=GOOD_ROWS),
    Case("jsonl-objects-nested-100000-deep", ".jsonl",
         _bytes(GOOD_JSONL.encode() + b'{"a": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}\n"),
         "loaded", "levels deep", rows=GOOD_ROWS),
    Case("jsonl-nested-40-deep", ".jsonl",
         _bytes(GOOD_JSONL.encode() + b'{"a": ' + b"[" * 39 + b"]" * 39 + b"}\n"), "loaded",
         f"the line nests [ ] and {{ }} 40 levels deep; at most {MAX_JSON_DEPTH}", rows=GOOD_ROWS),
    Case("jsonl-brackets-never-closed", ".jsonl",
         _bytes(GOOD_JSONL.encode() + b'{"a": ' + b"[" * 1_000_000 + b"\n" + GOOD_JSONL.encode()), "loaded",
         "levels deep", rows=2 * GOOD_ROWS),
    Case("jsonl-brackets-never-closed-last-line", ".jsonl",
         _bytes(GOOD_JSONL.encode() + b'{"a": ' + b"[" * 100_000), "loaded", "the JSON object is not closed",
         rows=GOOD_ROWS),
    Case("jsonl-record-of-20000-keys", ".jsonl",
         _bytes(lambda: GOOD_JSONL.encode() + ("{" + ",".join(f'"k{i}": 1' for i in range(20_000)) + "}\n")
                .encode()),
         "rejected", "the file has 20,006 columns; at most 1,000 are read"),
    Case("jsonl-record-longer-than-a-row-may-be", ".jsonl",
         _bytes(lambda: GOOD_JSONL.encode() + b"[1]\n" + b'{"note": "' + b"x" * (2 * MiB) + b'"}\n'),
         "loaded", "the line is 2.0 MB long", rows=GOOD_ROWS),
    Case("jsonl-records-of-5000-keys-and-a-bad-line", ".jsonl",
         _bytes(lambda: GOOD_JSONL.encode() + b"[1]\n" + ("{" + ",".join(f'"k{i}": 1' for i in range(5000))
                                                          + "}\n").encode()),
         "rejected", "the file has 5,006 columns"),
    # Parquet
    Case("parquet-cut-in-half", ".parquet", _bytes(lambda: (x := _good_parquet())[:len(x) // 2]), "rejected",
         "a Parquet file ends with its footer and the marker 'PAR1'"),
    Case("parquet-magic-then-junk", ".parquet", _bytes(b"PAR1" + _junk(5000)), "rejected",
         "the file starts like Parquet but cannot be read"),
    Case("parquet-wrong-end-magic", ".parquet", _bytes(lambda: _good_parquet()[:-4] + b"PAR2"), "rejected",
         "the file looks truncated"),
    Case("parquet-5000-columns", ".parquet",
         _bytes(lambda: _parquet_bytes(pa.table({f"c{i}": ["1"] for i in range(5000)}))), "rejected",
         "the file has 5,000 columns; at most 1,000 are read"),
]


# --- reading a case in a child process --------------------------------------------------------

CHILD = r'''
import json, os, resource, sys, time
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from connectors import FileRejected, read_source
def status(key):  # a /proc/self/status line in MiB (Linux), None elsewhere
    try:
        return next(round(int(l.split()[1]) / 1024) for l in open("/proc/self/status") if l.startswith(key))
    except (OSError, StopIteration):
        return None
before = status("VmRSS:")
start = time.perf_counter()
try:
    result = read_source(sys.argv[1], sys.argv[2], agency_default="agency")
    reasons = result.errors.column("reason").to_pylist()
    out = {"outcome": "loaded", "rows": result.rows.num_rows, "errors": len(reasons),
           "every_error_has_a_reason": all(isinstance(r, str) and r.strip() for r in reasons),
           "reasons": list(dict.fromkeys(r[:300] for r in reasons if r))[:50]}
except FileRejected as exc:
    out = {"outcome": "rejected", "reason": exc.reason, "message": str(exc)}
except BaseException as exc:
    out = {"outcome": "crashed", "error": (type(exc).__name__ + ": " + str(exc))[:2000]}
out["seconds"] = round(time.perf_counter() - start, 3)
# VmHWM, not ru_maxrss: after fork and exec, ru_maxrss still counts the parent's pages.
out["peak_mib"] = status("VmHWM:") or round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
out["imports_mib"] = before
print(json.dumps(out, ensure_ascii=False), flush=True)
# Leave without tearing the interpreter down: pyarrow's thread pools occasionally abort a process
# that exits right after a read ("terminate called without an active exception", apache/arrow
# #34314), which is not what this test is about. A crash during the read still shows.
os._exit(0)
'''


def read_in_child(source: str, path: Path, timeout: float = TIMEOUT) -> dict:
    """`read_source` in a fresh process: its outcome, seconds and peak RSS (MiB).

    Raises:
        subprocess.TimeoutExpired: the read did not end within `timeout`.
        AssertionError: the child died (a native crash, an abort, the address-space limit).
    """
    proc = subprocess.run([sys.executable, "-c", CHILD, source, str(path), str(ADDRESS_SPACE)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "RUST_BACKTRACE": "0"})
    assert proc.returncode == 0 and proc.stdout.strip(), (
        f"the reader's process died (exit status {proc.returncode}): {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_outcome(case: Case, path: Path, result: dict) -> None:
    assert result["outcome"] == case.expect, result
    if case.expect == "rejected":
        assert case.fragment in result["reason"], result["reason"]
        assert result["message"].startswith(f"{path.name}: ")
    else:
        assert result["every_error_has_a_reason"]
        assert any(case.fragment in reason for reason in result["reasons"]), result["reasons"]
        if case.rows is not None:
            assert result["rows"] == case.rows, result


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_file_is_rejected_or_reported_in_bounded_time_and_memory(tmp_path, case):
    path = tmp_path / f"delivery{case.suffix}"
    case.build(path)
    try:
        result = read_in_child(case.source, path)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still reading {case.id} after {TIMEOUT} s")
    finally:
        path.unlink(missing_ok=True)  # the big ones: give the disk back at once
    check_outcome(case, path, result)
    assert result["seconds"] < SECONDS, result
    assert result["peak_mib"] < PEAK_MIB, result


def test_the_hand_built_workbook_reads_when_nothing_is_wrong(tmp_path):
    """The XLSX cases are rejected for what is wrong with them, not for how they are built."""
    path = tmp_path / "tax.xlsx"
    path.write_bytes(_workbook(_deflated(_sheet_rows(_good_table()))))
    result = read_source("tax", path)
    assert (result.rows.num_rows, result.errors.num_rows) == (GOOD_ROWS, 0)


def test_the_zip_bomb_is_a_real_one():
    """The bomb declares (and deflate-encodes) 3 GiB in about 3 MB: the reader refuses a real bomb."""
    data = _workbook(_bomb_sheet())
    sheet = _bomb_sheet()
    assert len(data) < 4 * MiB and sheet[2] > 3 << 30
    inflater = zlib.decompressobj(-15)
    assert len(inflater.decompress(sheet[0][:64 * 1024], 64 * MiB)) >= 32 * MiB  # inflates ~1000 to 1


def test_the_csv_parser_reads_from_an_arrow_buffer(monkeypatch, tmp_path):
    """Arrow's CSV reader gets an Arrow buffer, not a Python file object: after a parse error (a
    row longer than its block, say) its read-ahead thread may still be calling into the Python
    object, which aborted the process at exit or deadlocked the next read about half the time
    (pyarrow 26). A regression there shows as a flaky crash; this shows it every time."""
    import pyarrow.csv as pacsv

    sources = []
    parse = pacsv.read_csv

    def spy(source, *args, **kw):
        sources.append(source)
        return parse(source, *args, **kw)

    monkeypatch.setattr(pacsv, "read_csv", spy)
    path = tmp_path / "tax.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    assert read_source("tax", path).rows.num_rows == GOOD_ROWS
    assert sources and all(isinstance(source, pa.NativeFile) for source in sources)


@pytest.mark.slow
def test_repeated_parse_errors_leave_the_process_healthy(tmp_path):
    """Soak: five rows longer than Arrow's block in one process, in ten processes; they must
    exit cleanly (see test_the_csv_parser_reads_from_an_arrow_buffer)."""
    path = tmp_path / "delivery.csv"
    _write_stream(path, GOOD_CSV.encode(), b"T101,", (b"9" * MiB, 8), b"\n", GOOD_CSV.encode())
    script = ("import sys\nfrom connectors import FileRejected, read_source\nfor _ in range(5):\n"
              "    try:\n        read_source('tax', sys.argv[1])\n    except FileRejected:\n        pass\n")
    failures = []
    for _ in range(10):
        proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                              timeout=TIMEOUT, cwd=ROOT)
        if proc.returncode:
            failures.append(f"exit status {proc.returncode}: {proc.stderr[-500:]}")
    # With a Python file object about 6 in 10 processes died; one in 10 is left to pyarrow's rare
    # abort at exit, which happens whatever the reader does (see CHILD).
    assert len(failures) <= 1, failures


# --- whole files built at random (the strategies of bench/fuzz.py) ----------------------------

def _fuzz_module():
    spec = importlib.util.spec_from_file_location("hhverify_fuzz", ROOT / "bench" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz_module()
FUZZ_SETTINGS = settings(max_examples=30, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ_SETTINGS
@given(delivery=fuzz.csv_files())
def test_random_csv_files_are_rejected_with_a_reason_or_load_with_reasons(delivery):
    outcome = fuzz.read_delivery(delivery)
    assert outcome.kind in ("clean", "row errors", "rejected"), outcome


@FUZZ_SETTINGS
@given(delivery=fuzz.jsonl_files())
def test_random_jsonl_files_are_rejected_with_a_reason_or_load_with_reasons(delivery):
    outcome = fuzz.read_delivery(delivery)
    assert outcome.kind in ("clean", "row errors", "rejected"), outcome


def test_read_delivery_reports_a_crash_as_one():
    """The classifier the property tests rely on does tell a crash from a rejection."""
    def boom(*_args, **_kw):
        raise RuntimeError("boom")

    outcome = fuzz.read_delivery(fuzz.Delivery("tax", ".csv", GOOD_CSV.encode()), read=boom)
    assert outcome.kind == "crash" and "RuntimeError: boom" in outcome.detail
    outcome = fuzz.read_delivery(fuzz.Delivery("tax", ".csv", GOOD_CSV.encode()))
    assert outcome.kind == "clean" and outcome.rows == GOOD_ROWS
