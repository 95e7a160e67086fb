"""Files as departments really deliver them: every format and encoding of the contract.

A `FileSpec` says how one file looks (format, encoding, separator, header language, value
spellings, an XLSX title line, extra columns); `render` turns canonical columns into that
file's cells and `write` puts them on disk as `<name>.part` (each format's bytes:
`data.generator.serialise`), renamed into place when complete. `write_rows` does both a slice
of rows at a time (a big export is never held as cells whole) and writes the same bytes. Output is byte-for-byte reproducible (fixed
XLSX document dates, no wall clock).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from connectors.schema import TABLES

from . import formats as F
from . import serialise as S


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
"""Rows rendered and written at a time (a divisor of Parquet's row group, `serialise.ROW_GROUP`)."""


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
        S.csv_file(part, head, parts, spec)
    elif spec.fmt == "jsonl":
        S.jsonl_file(part, head, parts, spec)
    elif spec.fmt == "parquet":
        S.parquet_file(part, head, parts)
    else:
        S.xlsx_file(part, head, parts, spec, doc_date)
    os.replace(part, path)
    return path.stat().st_size
