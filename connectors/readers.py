"""`read_raw`: any delivered file (CSV, XLSX, JSON Lines, Parquet) to a `RawFile`.

One reader per format; CSV, with its encoding detection, lives in `csv_reader`, and JSON Lines
in `jsonl_reader`.

Workbooks: the header is the first row that looks like one (see `sniff.pick_header`), so a
title row and a blank row above it are fine. Fully empty rows are skipped, but `row_number`
stays the sheet row minus the header row, so a clerk can find a quarantined row in Excel.
Cells stored as numbers are written without `.0`. An 18-digit ID stored as a number has
already lost its last digits inside Excel (15 significant digits); it is read as Excel shows
it (`1.40105198005159E+17`, see `cells.EXACT_FLOAT_LIMIT`) and flagged by the ID check, never
silently "fixed" nor printed with invented digits.

Files that are no table (a PDF, an archive, a web page or an XML document, a workbook damaged
beyond recognition) are rejected saying what they are and which formats are accepted.

Parquet: every column rendered as text, so it reads like the same data in CSV.

Hostile files (see `connectors.limits`): a workbook is checked before calamine reads it (the
archive's declared sizes against a zip bomb, then the sheet's used range against calamine's
dense grid); more than `MAX_COLUMNS` columns reject a file of any format; a JSON line longer
than `MAX_LINE_BYTES` or nested deeper than `MAX_JSON_DEPTH` is that line's error.

Truncated files (cut off in transfer): a workbook or Parquet file keeps its directory at the
end, so a cut one cannot be read at all and is rejected whole, with a reason saying it looks
truncated and that nothing was loaded. A CSV or JSON Lines file cut in the middle of a row
loads its complete rows and reports the broken last one as a row error (see
`csv_tail.split_tail`).

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tax.txt"
    >>> _ = path.write_bytes("记录编号,姓名\\nT1, 张三 \\n".encode("gbk"))
    >>> raw = read_raw(path)
    >>> raw.format, raw.encoding, raw.table.to_pylist()
    ('csv', 'gb18030', [{'记录编号': 'T1', '姓名': '张三', 'row_number': 1}])
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook

from connectors import csv_reader, csv_tail
from connectors.jsonl_reader import read_jsonl
from connectors.cells import EXACT_FLOAT_LIMIT, dedupe_headers, gc_paused, render_cell, render_column, strings_table
from connectors.errors import FileRejected
from connectors.limits import (check_columns, check_inflates_as_declared, check_sheet_extent, check_workbook_zip,
                               sheet_parts)
from connectors.rawfile import RawFile, with_row_numbers
from connectors.sniff import (HEADER_SEARCH_ROWS, detect_format, is_web_page, is_xml, known_binary, looks_binary,
                             pick_header)

ACCEPTED = "CSV (UTF-8, GBK or GB18030; comma, tab or | separated), XLSX, JSON Lines or Parquet"
# A file that is no table is named for what it is, in both languages as the note's own lines are:
# read as CSV, an XML export or a damaged workbook was refused for six "missing columns", with
# advice on separating them (a probe's).
NOT_A_TABLE = "{zh} / {en}. 可接受的格式 / accepted formats: " + ACCEPTED
WEB_PAGE = NOT_A_TABLE.format(
    zh="文件是网页（HTML），不是工作簿或 CSV",
    en="the file is a web page (HTML), as a web system's 'export to Excel' writes, not a workbook or CSV "
       "(whatever its name says), so its table cannot be read reliably. Open it in Excel and save it as an "
       "Excel Workbook (.xlsx), or export the data as CSV, and send that file")
XML = NOT_A_TABLE.format(
    zh="文件是 XML 文档，不是表格",
    en="the file is an XML document, not a table (whatever its name says). Export the data again in one of the "
       "formats below and send that file")
XML_SPREADSHEET = NOT_A_TABLE.format(
    zh="文件是 Excel 2003 XML 表格，不是现行的工作簿",
    en="the file is an Excel 2003 XML Spreadsheet, not a workbook Excel saves today. Open it in Excel and save "
       "it as an Excel Workbook (.xlsx), and send that file")
DAMAGED_WORKBOOK = NOT_A_TABLE.format(
    zh="文件是损坏的工作簿",
    en="the file is a damaged workbook: it is named {suffix} but is not a valid Excel file (nor a table in any "
       "other format). Open the original in Excel and save it again as an Excel Workbook (.xlsx), or export "
       "the data again, and send that file")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_HEAD_BYTES = 8192
_ZIP_TAIL = 22 + 65535  # the end-of-central-directory record and the longest archive comment
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
    if is_web_page(head):  # never quote it: the page holds the people's data
        raise FileRejected(path, WEB_PAGE)
    if is_xml(head):
        raise FileRejected(path, XML_SPREADSHEET if b"urn:schemas-microsoft-com:office:spreadsheet" in head else XML)
    # Systems export CSV under an Excel name, and Excel opens it: such a file is read as CSV. Bytes
    # that are no text, or text of one column, under that name are what is left of a workbook.
    named_workbook = path.suffix.lower() in _WORKBOOK_SUFFIXES
    if looks_binary(head) and not csv_tail.has_utf16_bom(head):
        if named_workbook:
            raise FileRejected(path, DAMAGED_WORKBOOK.replace("{suffix}", path.suffix.lower()))
        raise FileRejected(path, "the file contains binary data, not text; it is not a CSV, XLSX, JSON "
                           f"Lines or Parquet file. Export the data again as {ACCEPTED}")
    if fmt == "jsonl":
        return read_jsonl(path, data)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[{"):
        raise FileRejected(path, "the file is one JSON array; send JSON Lines instead (one {...} object "
                           "per line, no enclosing [ ])")
    raw = csv_reader.read_csv(path, data)
    if named_workbook and len(raw.headers) < 2:
        raise FileRejected(path, DAMAGED_WORKBOOK.replace("{suffix}", path.suffix.lower()))
    return raw


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
    names = archive.namelist()
    if names and not any(n.startswith("xl/") for n in names):
        # a ZIP of exports, not a workbook: calamine's "Cannot detect file format" and advice to
        # save from Excel told the clerk nothing (an operations probe)
        archive.close()
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise FileRejected(path, f"the file is a ZIP archive ({shown}), not a workbook: unpack it and send "
                           f"each file as it is; accepted formats: {ACCEPTED}")
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
        hidden = tuple(m.name for m in book.sheets_metadata if str(m.visible).rpartition(".")[2] != "Visible")
    except Exception:  # noqa: BLE001 - visibility only makes messages clearer
        hidden = ()
    try:
        return book.get_sheet_by_name(sheet or names[0]), tuple(names), hidden
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
    ws, sheet_names, hidden = _open_sheet(path, fmt, sheet, truncated)
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
                # cells: inlined here exactly as render_cell writes them (one too large to be
                # exact, such as an ID stored as a number, is left to render_cell).
                rendered = [value if (kind := value.__class__) is str
                            else str(int(value)) if (kind is float and value.is_integer()
                                                     and -EXACT_FLOAT_LIMIT < value < EXACT_FLOAT_LIMIT)
                            else render_cell(value) for value in row]
                if any(value and not value.isspace() for value in rendered):
                    rows.append((index, rendered))
        except Exception as exc:  # calamine's own errors while it reads the sheet
            raise FileRejected(path, f"sheet {ws.name!r} cannot be read ({exc})") from exc
        if not rows:
            raise FileRejected(path, f"sheet {ws.name!r} is empty")
        chosen = pick_header([rendered for _, rendered in rows[:HEADER_SEARCH_ROWS]])
        header_index, header = rows[chosen]
        _fill_merged_down(rows, getattr(ws, "merged_cell_ranges", None) or (), header_index)
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
    return RawFile(table, fmt, None, None, header_index + 1, path, sheet=ws.name,
                   other_sheets=sheet_names[1:] if sheet is None else (), hidden_sheets=hidden)


def _fill_merged_down(rows: list[tuple[int, list]], merged, header_index: int) -> None:
    """Give every data row of a merged block the value its top cell shows, in place.

    Registers merge the cells two rows share: two co-owners of one certificate under one merged
    certificate number, location and area; one person's name merged over their two wage rows.
    Excel shows the value on every row, but the file stores it in the top cell only, and the
    rows below read as empty: a probe's second co-owner was quarantined ("不动产权证号 is
    empty") and half of a 120 m² home went missing. Only data rows below the header, and only
    down the block's first column (a block spanning columns holds one value, not one per column).
    """
    by_index = {index: rendered for index, rendered in rows}
    for (top, left), (bottom, _right) in merged:
        if bottom <= top or top <= header_index or top not in by_index:
            continue
        first = by_index[top]
        value = first[left] if left < len(first) else None
        if not value:
            continue
        for index in range(top + 1, bottom + 1):
            row = by_index.get(index)
            if row is not None and left < len(row) and not row[left]:
                row[left] = value


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
    # the row index pandas writes beside the data (`__index_level_0__`) is no column of the export
    source = source.select([i for i, name in enumerate(source.column_names)
                            if not re.fullmatch(r"__index_level_\d+__", name)])
    names = dedupe_headers(source.column_names)
    table = pa.table({name: render_column(source.column(i)) for i, name in enumerate(names)})
    return RawFile(with_row_numbers(table), "parquet", None, None, 0, path)
