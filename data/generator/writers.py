"""Files as departments really deliver them: every format and encoding of the contract.

A `FileSpec` says how one file looks (format, encoding, separator, header language, value
spellings, an XLSX title line, extra columns); `render` turns canonical columns into that
file's cells and `write` puts them on disk as `<name>.part`, renamed into place when
complete. `write_rows` does both a slice of rows at a time (a big export is never held
as cells whole) and writes the same bytes. Output is byte-for-byte reproducible (fixed
XLSX document dates, no wall clock).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from connectors.schema import TABLES

from . import formats as F


@dataclass(frozen=True)
class FileSpec:
    name: str
    """File name; {d} is replaced by the export date YYYYMMDD."""
    fmt: str                      # csv | xlsx | jsonl | parquet
    encoding: str = "utf-8"       # utf-8 | utf-8-sig | gbk | gb18030 (csv only)
    sep: str = ","
    quote_all: bool = False
    crlf: bool = False
    headers: str = "zh"           # zh (a Chinese alias per field) | en | EN (upper case)
    date: str = "iso"             # see formats.fmt_date
    period: str = "dash"
    money: str = "plain"
    share: str = "text"
    title: str | None = None      # XLSX: a title line then an empty row before the header
    extra: tuple[str, ...] = ()   # unknown extra columns (kept by the pipeline as extra data)
    omit_null: bool = False       # JSONL: leave out empty keys instead of writing null
    labels: dict = field(default_factory=dict)

    def filename(self, export_date: dt.date) -> str:
        return self.name.format(d=export_date.strftime("%Y%m%d"))


def headers(table: str, cols: list[str], spec: FileSpec, rng: np.random.Generator) -> list[str]:
    """Column headers: English field names, or one of the field's Chinese aliases chosen per file."""
    t = TABLES[table]
    out = []
    for c in cols:
        if c not in t.names:
            out.append(c)
        elif spec.headers == "zh" and t.field(c).aliases:
            aliases = t.field(c).aliases
            out.append(aliases[int(rng.integers(len(aliases)))])
        else:
            out.append(c.upper() if spec.headers == "EN" else c)
    return out


CHUNK = 1 << 17
"""Rows rendered and written at a time (a divisor of Parquet's 1,048,576-row row group)."""
ROW_GROUP = 1 << 20
"""Rows per Parquet row group (pyarrow's default, which `write_table` used for whole files)."""


_FORMATTED = ("date", "period", "money", "share", "number")
"""Kinds with a spelling of their own; any other field is written as str(value)."""


def _column(df, c: str) -> np.ndarray:
    v = df[c]
    return v.to_numpy() if isinstance(v, pd.Series) else v


def _spelled(df, c: str, spell) -> list:
    """spell(column); for a coded column of a `Rows`, spell its few labels and look the rows up."""
    labels = getattr(df, "labels", {}).get(c)
    if labels is None:
        return spell(_column(df, c))
    cells = np.empty(len(labels), dtype=object)
    cells[:] = spell(labels)
    return cells[df.data[c]].tolist()


class Renderer:
    """Turns a file's rows into header and cells, slice by slice.

    Everything random about the file (money spellings of a `mixed` column, the sole-owner
    share spellings, header aliases, extra columns) is drawn up front for all `n` rows, in
    the order a whole-file render always drew it, so a file is the same byte for byte
    whether it is rendered at once or in slices.
    """

    def __init__(self, table: str, columns, n: int, spec: FileSpec, rng: np.random.Generator):
        t = TABLES[table]
        self.table, self.spec, self.n = table, spec, n
        self.cols = [c for c in t.names if c in columns]
        self.kinds = [t.field(c).kind for c in self.cols]
        self.numeric = spec.fmt in ("xlsx", "parquet") or spec.money == "number"
        self.draws: dict[str, np.ndarray] = {}
        for c, kind in zip(self.cols, self.kinds):
            if kind == "money" and spec.money == "mixed":
                self.draws[c] = F.mixed_styles(n, rng)
            elif kind == "share":
                self.draws[c] = rng.random(n)
        self.head = headers(table, self.cols, spec, rng)
        self.extras = []
        for e in spec.extra:
            self.head.insert(0, e) if e == "序号" else self.head.append(e)
            self.extras.append((e, _extra(e, n, rng)))

    def values(self, df, lo: int = 0) -> list[list]:
        """Cells of `df`, rows lo .. lo + len(df) of the file, one list per column of `head`."""
        spec, hi = self.spec, lo + len(df)
        values = []
        for c, kind in zip(self.cols, self.kinds):
            if kind not in _FORMATTED and hasattr(df, "cells"):    # a Rows: spelled through its labels
                values.append(df.cells(c))
                continue
            if kind == "date":
                style = "date" if spec.date in ("date", "native") else spec.date
                values.append(_spelled(df, c, lambda v: F.fmt_date(v.astype("datetime64[D]"), style)))
                continue
            if kind == "period":
                values.append(_spelled(df, c, lambda v: F.fmt_period(v.astype("datetime64[D]"), spec.period)))
                continue
            v = _column(df, c)
            if kind == "money":
                pick = self.draws[c][lo:hi] if c in self.draws else None
                values.append(F.fmt_money(v, spec.money, None, pick=pick))
            elif kind == "share":
                values.append(F.fmt_share(v, "number" if self.numeric else "text", None, alt=self.draws[c][lo:hi]))
            elif kind == "number":
                vals = F.fmt_number(v, as_text=not self.numeric)
                values.append([int(x) if self.numeric and x is not None and float(x).is_integer() and c == "member_no"
                               else x for x in vals])
            else:
                missing = pd.isna(v).tolist()
                values.append([None if m else str(x) for x, m in zip(v.tolist(), missing)])
        for e, col in self.extras:
            cells = list(range(lo + 1, hi + 1)) if col is None else col[lo:hi].tolist()
            values.insert(0, cells) if e == "序号" else values.append(cells)
        return values


def render(table: str, df: pd.DataFrame, spec: FileSpec, rng: np.random.Generator) -> tuple[list[str], list[list]]:
    """Canonical columns of `df` (named as the contract's fields) -> header and cell columns."""
    r = Renderer(table, df.columns, len(df), spec, rng)
    return r.head, r.values(df)


def column_names(table: str, df: pd.DataFrame, spec: FileSpec) -> list[str]:
    """The field (or extra column) name of each cell list `render` returns, in order."""
    names = [c for c in TABLES[table].names if c in df.columns]
    for e in spec.extra:
        names.insert(0, e) if e == "序号" else names.append(e)
    return names


def _extra(name: str, n: int, rng: np.random.Generator) -> np.ndarray | None:
    """An extra column's cells for all n rows (None for 序号, the row number)."""
    if name == "序号":
        return None
    if name == "车身颜色":
        return rng.choice(["白", "黑", "银", "灰", "红", "蓝"], n)
    return np.where(rng.random(n) < 0.05, rng.choice(["补录", "更正", "历史数据"], n), "")


def write_rows(path: Path, table: str, rows, spec: FileSpec, rng: np.random.Generator, doc_date: dt.datetime,
               fix=None, chunk: int | None = None) -> int:
    """Render and write `rows` (a DataFrame, or a `Rows`) `chunk` (CHUNK) rows at a time; returns the byte size.

    `fix(rows_slice, cells, names)` may change a slice's cells in place before they are written
    (`bad.corrupt`); `names` are the field names of the cell lists.
    """
    r = Renderer(table, rows.columns, len(rows), spec, rng)
    names = column_names(table, rows, spec)
    chunk = chunk or CHUNK

    def slices():
        for lo in range(0, max(len(rows), 1), chunk):
            part = rows.iloc[lo:lo + chunk] if isinstance(rows, pd.DataFrame) else rows.slice(lo, lo + chunk)
            cells = r.values(part, lo)
            if fix is not None:
                fix(part, cells, names)
            yield cells

    return write(path, r.head, slices(), spec, doc_date)


def write(path: Path, head: list[str], values, spec: FileSpec, doc_date: dt.datetime) -> int:
    """Write `<path>.part` and rename it into place; returns the byte size.

    `values` is one list of cells per column, or an iterable of such (consecutive row slices).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    parts = [values] if isinstance(values, list) else values
    if spec.fmt == "csv":
        _csv(part, head, parts, spec)
    elif spec.fmt == "jsonl":
        _jsonl(part, head, parts, spec)
    elif spec.fmt == "parquet":
        _parquet(part, head, parts)
    else:
        _xlsx(part, head, parts, spec, doc_date)
    os.replace(part, path)
    return path.stat().st_size


def _csv(part: Path, head, parts, spec: FileSpec) -> None:
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


def _jsonl(part: Path, head, parts, spec: FileSpec) -> None:
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


def _parquet(part: Path, head, parts) -> None:
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


def _xlsx(part: Path, head, parts, spec: FileSpec, doc_date: dt.datetime) -> None:
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
