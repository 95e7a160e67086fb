"""Cells to bytes: one writer per file format of the contract (CSV in any encoding and separator,
JSON Lines, Parquet, XLSX), each writing `part` from consecutive row slices (`values`: one list of
cells per column) as `data.generator.writers.write` hands them over."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

if TYPE_CHECKING:
    from .writers import FileSpec

ROW_GROUP = 1 << 20
"""Rows per Parquet row group (pyarrow's default, which `write_table` used for whole files)."""


def csv_file(part: Path, head, parts, spec: FileSpec) -> None:
    encoder = codecs.getincrementalencoder(spec.encoding)()
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=spec.sep, quoting=csv.QUOTE_ALL if spec.quote_all else csv.QUOTE_MINIMAL,
                   lineterminator="\r\n" if spec.crlf else "\n")
    w.writerow(head)
    with open(part, "wb") as f:
        for values in parts:
            w.writerows(zip(*[["" if x is None else x for x in col] for col in values]))
            f.write(encoder.encode(buf.getvalue()))
            buf.seek(0)
            buf.truncate()
        f.write(encoder.encode(buf.getvalue(), final=True))


def _json_value(v) -> str:
    """`v` as json.dumps(v, ensure_ascii=False) writes it (the scalars a rendered cell can be)."""
    if isinstance(v, str):
        return _encode_str(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        return _float_json(v)
    return json.dumps(v, ensure_ascii=False)


def _float_json(v: float) -> str:
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    return float.__repr__(v)


_encode_str = json.encoder.encode_basestring      # what json.dumps uses with ensure_ascii=False


def jsonl_file(part: Path, head, parts, spec: FileSpec) -> None:
    """One JSON object per row, as json.dumps(row, ensure_ascii=False) writes it ("k": v, ...),
    built a column at a time; with `omit_null`, empty cells leave their key out."""
    keys = [_encode_str(k) + ": " for k in head]
    repeated = len(set(head)) < len(head)
    with open(part, "wb") as f:
        empty = True
        for values in parts:
            if repeated:                         # a repeated header: a dict keeps one of each
                lines = [json.dumps({k: v for k, v in zip(head, row)
                                     if not (spec.omit_null and (v is None or v == ""))}, ensure_ascii=False)
                         for row in zip(*values)]
                if lines:
                    f.write(("\n".join(lines) + "\n").encode("utf-8"))
                    empty = False
                continue
            pairs = []
            for key, col in zip(keys, values):
                kinds = set(map(type, col))
                if spec.omit_null:
                    if kinds <= {str, type(None)}:
                        pairs.append([None if v is None or v == "" else key + _encode_str(v) for v in col])
                    else:
                        pairs.append([None if v is None or v == "" else key + _json_value(v) for v in col])
                elif kinds <= {str}:
                    pairs.append([key + s for s in map(_encode_str, col)])
                elif kinds <= {float} and all(map(math.isfinite, col)):
                    pairs.append([key + s for s in map(float.__repr__, col)])
                else:
                    pairs.append([key + _json_value(v) for v in col])
            lines = ["{" + ", ".join(filter(None, row)) + "}" for row in zip(*pairs)]
            if lines:
                f.write(("\n".join(lines) + "\n").encode("utf-8"))
                empty = False
        if empty:
            f.write(b"\n")


def _arrow_type(col: list) -> pa.DataType | None:
    """The column's type from its first non-empty cell; None while every cell so far is empty."""
    sample = next((x for x in col if x is not None), None)
    if sample is None:
        return None
    if isinstance(sample, dt.date):
        return pa.date32()
    if isinstance(sample, float):
        return pa.float64()
    if isinstance(sample, int):
        return pa.int64()
    return pa.string()


def parquet_file(part: Path, head, parts) -> None:
    """One row group per ROW_GROUP rows, each column one Arrow array: what `write_table` writes
    for the whole file at once, without holding it. A column's type comes from its first
    non-empty cell in the file (string when it has none)."""
    types: list = [None] * len(head)
    waiting: list[list[list]] = []             # slices not yet converted (some column's type unknown)
    ready: list[list[pa.Array]] = []
    size = 0
    writer = None

    def convert(final: bool) -> None:
        nonlocal waiting
        if final:
            types[:] = [t or pa.string() for t in types]
        if all(types):
            ready.extend([pa.array(col, type=t) for col, t in zip(values, types)] for values in waiting)
            waiting = []

    def flush(rows: int) -> None:
        nonlocal ready, size, writer
        taken, left, got = [], [], 0
        for arrays in ready:
            n = len(arrays[0]) if arrays else 0
            if got + n <= rows:
                taken.append(arrays)
                got += n
            elif got < rows:
                k = rows - got
                taken.append([a.slice(0, k) for a in arrays])
                left.append([a.slice(k) for a in arrays])
                got = rows
            else:
                left.append(arrays)
        ready, size = left, size - rows
        columns = [pa.concat_arrays([arrays[i] for arrays in taken]) if taken else pa.array([], type=types[i])
                   for i in range(len(head))]
        table = pa.Table.from_arrays(columns, names=head)
        if writer is None:
            writer = pq.ParquetWriter(part, table.schema, compression="zstd")
        writer.write_table(table)

    for values in parts:
        for i, col in enumerate(values):
            if types[i] is None:
                types[i] = _arrow_type(col)
        waiting.append(values)
        size += len(values[0]) if values else 0
        convert(final=False)
        while size >= ROW_GROUP:
            flush(ROW_GROUP)
    convert(final=True)
    while size >= ROW_GROUP:
        flush(ROW_GROUP)
    if size or writer is None:
        flush(size)
    writer.close()


def xlsx_file(part: Path, head, parts, spec: FileSpec, doc_date: dt.datetime) -> None:
    wb = xlsxwriter.Workbook(str(part), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": doc_date, "author": "export"})
    ws = wb.add_worksheet("Sheet1")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if spec.title:
        ws.write_string(0, 0, spec.title.format(date=doc_date.date().isoformat()))
        r = 2                                      # the title line, then an empty row
    for c, h in enumerate(head):
        ws.write_string(r, c, h)
    i = r + 1
    for values in parts:
        for row in zip(*values):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, str):
                    ws.write_string(i, c, v)
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, c, dt.datetime(v.year, v.month, v.day), date_fmt)
                else:
                    ws.write_number(i, c, v)
            i += 1
    wb.close()
