"""Recognise what a delivered file is from its bytes, not its name.

Departments rename files freely (`.csv` holding a workbook, `.txt` holding CSV), so the
format is decided by content: zip magic for XLSX, `PAR1` for Parquet, a first `{` for JSON
Lines, and CSV otherwise.

Example:
    >>> detect_format(b"PK\\x03\\x04...")
    'xlsx'
    >>> sniff_delimiter(["记录编号|姓名|收入额"])
    '|'
"""

from __future__ import annotations

import codecs
import csv
import re

# Formats we cannot read, recognised so the clerk is told what was sent instead of "junk".
KNOWN_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{\\rtf", "an RTF document"),
    (b"SQLite format 3", "an SQLite database"),
)
WEB_PAGE_STARTS = (b"<html", b"<!doctype html", b"<table", b"<head", b"<meta", b"<body")
"""How an HTML page begins. Web systems' "export to Excel" often writes an HTML table and names it
`.xls` (Excel opens it, with a warning); read as CSV, its markup became one column named
`<html><body>…`, and the rejection quoted the page, names of people included."""
DELIMITERS = (",", "\t", "|")
HEADER_SEARCH_ROWS = 20


def detect_format(head: bytes) -> str:
    """`xlsx`, `xls`, `parquet`, `jsonl` or `csv`, from the first bytes of a file."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: Excel 97-2003 workbook
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):   # Windows' "Unicode" text: JSON Lines too (an export probe's was read as CSV)
            return "jsonl" if head[len(bom):].decode(codec, errors="ignore").lstrip().startswith("{") else "csv"
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"{"):
        return "jsonl"
    return "csv"


def known_binary(head: bytes) -> str | None:
    """A plain description of a recognised non-table file (PDF, archive, image), else None."""
    for magic, what in KNOWN_MAGIC:
        if head.startswith(magic):
            return what
    return None


def is_web_page(head: bytes) -> bool:
    """True when the bytes begin like an HTML page (after a BOM, whitespace or an XML declaration).

    Example:
        >>> is_web_page(b"\\xef\\xbb\\xbf\\r\\n<HTML><body><table>"), is_web_page(b"<,a,b")
        (True, False)
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"<?xml"):  # an XHTML page declares itself first
        text = text[text.find(b"?>") + 2:].lstrip() if b"?>" in text[:200] else text
    return text[:16].lower().startswith(WEB_PAGE_STARTS)


def is_xml(head: bytes) -> bool:
    """True when the bytes begin like XML (an element or a declaration) but not like an HTML page.

    Example:
        >>> is_xml(b'<?xml version="1.0"?><rows/>'), is_xml(b"<rows>"), is_xml(b"<5000,a,b")
        (True, True, False)
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    return re.match(rb"<[?!A-Za-z_]", head.removeprefix(codecs.BOM_UTF8).lstrip()) is not None


def looks_binary(head: bytes) -> bool:
    """True when the bytes cannot be text in any encoding we accept (NUL bytes)."""
    return b"\x00" in head


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter of the first line containing any of `,` tab `|` (outside quotes).

    Title lines written before the header usually carry no delimiter, so they are skipped;
    a file whose lines carry none has one column and is comma-separated by convention.
    """
    for i, line in enumerate(lines):
        counts = {d: _fields(line, d) - 1 for d in DELIMITERS}
        found = [d for d in DELIMITERS if counts[d] > 0]
        if len(found) > 1:
            # two could split the header: the one the lines below split into as many fields wins (a
            # contract probe's comma file, a tab before each header cell, was read as tab-separated)
            below = lines[i + 1:i + 6]
            return max(found, key=lambda d: (sum(_fields(x, d) == counts[d] + 1 for x in below), counts[d]))
        if found:
            return found[0]
    return ","


def _fields(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return line.count(delimiter) + 1


def pick_header(rows: list[list[str | None]]) -> int:
    """Index of the header among the first non-empty rows of a sheet or CSV.

    A title (`2024年3月个人所得税明细`) or a note (`单位：元`) above the header fills one or
    two cells; the header fills about as many cells as the widest row. So the header is the row
    naming the most columns of any table (two at least), or else the first row filling at least
    half as many cells as the widest of the first 20 rows.

    Args:
        rows: Cell texts of the first rows (empty rows already removed).

    Returns:
        The index into `rows`; 0 when `rows` is empty.
    """
    filled = [sum(1 for cell in row if cell and not cell.isspace()) for row in rows[:HEADER_SEARCH_ROWS]]
    if not filled:
        return 0
    # a row of column names wins: a `填报单位：,小店区税务局,填报日期：,2026-11-02` line above the header
    # fills as many cells, and a probe's file was rejected for lacking the columns it had
    from connectors.headers import is_header_name   # (headers reads the schema; the sniffers need neither)
    named = [sum(1 for cell in row if cell and is_header_name(cell)) for row in rows[:HEADER_SEARCH_ROWS]]
    if max(named) >= 2:
        return named.index(max(named))
    widest = max(filled)
    need = max(2, (widest + 1) // 2) if widest >= 2 else 1
    return next((i for i, count in enumerate(filled) if count >= need), 0)  # 0: no cell filled at all


_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BARE_CR = re.compile(rb"\r(?!\n)")


def normalise_line_ends(data: bytes) -> bytes:
    """Lines ended by `\\r` alone (Excel for Mac's "CSV (Macintosh)") end in `\\n`; in a file whose
    lines end in `\\n`, a `\\r` that ends nothing is an invisible character pasted into a value
    (`太原\\r某公司`) and is dropped. Read as a line break, it had cut its row in two — an export
    probe's 20-row file was rejected whole for one, and a Mac file "held a line break inside a
    value" on its first line. UTF-16 (its `\\r` is two bytes) is left to its own reader; in UTF-8,
    GBK and GB18030 the byte 0x0D is never part of another character.

    >>> normalise_line_ends(b"a,b\\rc,d\\r"), normalise_line_ends(b"a,b\\r\\nc\\r,d\\r\\n")
    (b'a,b\\nc,d\\n', b'a,b\\r\\nc,d\\r\\n')
    """
    if b"\r" not in data or data.startswith(_UTF16):
        return data
    if b"\n" not in data:
        return data.replace(b"\r", b"\n")
    if _BARE_CR.search(data) is None:   # one scan (0.04 s per 100 MB); counting both took 0.11 s
        return data
    return _BARE_CR.sub(b"", data)
