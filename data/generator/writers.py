"""Files as departments really deliver them: every format and encoding of the contract.

A `FileSpec` says how one file looks (format, encoding, separator, header language, value
spellings, an XLSX title line, extra columns); `render` turns canonical columns into that
file's cells and `write` puts them on disk as `<name>.part`, renamed into place when
complete. Output is byte-for-byte reproducible (fixed XLSX document dates, no wall clock).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
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


def render(table: str, df: pd.DataFrame, spec: FileSpec, rng: np.random.Generator) -> tuple[list[str], list[list]]:
    """Canonical columns of `df` (named as the contract's fields) -> header and cell columns."""
    t = TABLES[table]
    cols = [c for c in t.names if c in df.columns]
    numeric = spec.fmt in ("xlsx", "parquet") or spec.money == "number"
    values = []
    for c in cols:
        kind = t.field(c).kind
        v = df[c].to_numpy()
        if kind == "date":
            style = "date" if spec.date in ("date", "native") else spec.date
            values.append(F.fmt_date(v.astype("datetime64[D]"), style))
        elif kind == "period":
            values.append(F.fmt_period(v.astype("datetime64[D]"), spec.period))
        elif kind == "money":
            values.append(F.fmt_money(v, spec.money, rng))
        elif kind == "share":
            values.append(F.fmt_share(v, "number" if numeric else "text", rng))
        elif kind == "number":
            vals = F.fmt_number(v, as_text=not numeric)
            values.append([int(x) if numeric and x is not None and float(x).is_integer() and c == "member_no" else x
                           for x in vals])
        else:
            missing = df[c].isna().to_numpy().tolist()
            values.append([None if m else str(x) for x, m in zip(v.tolist(), missing)])
    head = headers(table, cols, spec, rng)
    for e in spec.extra:
        head.insert(0, e) if e == "序号" else head.append(e)
        col = _extra(e, len(df), rng)
        values.insert(0, col) if e == "序号" else values.append(col)
    return head, values


def column_names(table: str, df: pd.DataFrame, spec: FileSpec) -> list[str]:
    """The field (or extra column) name of each cell list `render` returns, in order."""
    names = [c for c in TABLES[table].names if c in df.columns]
    for e in spec.extra:
        names.insert(0, e) if e == "序号" else names.append(e)
    return names


def _extra(name: str, n: int, rng: np.random.Generator) -> list:
    if name == "序号":
        return list(range(1, n + 1))
    if name == "车身颜色":
        return rng.choice(["白", "黑", "银", "灰", "红", "蓝"], n).tolist()
    return np.where(rng.random(n) < 0.05, rng.choice(["补录", "更正", "历史数据"], n), "").tolist()


def write(path: Path, head: list[str], values: list[list], spec: FileSpec, doc_date: dt.datetime) -> int:
    """Write `<path>.part` and rename it into place; returns the byte size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    if spec.fmt == "csv":
        _csv(part, head, values, spec)
    elif spec.fmt == "jsonl":
        _jsonl(part, head, values, spec)
    elif spec.fmt == "parquet":
        _parquet(part, head, values)
    else:
        _xlsx(part, head, values, spec, doc_date)
    os.replace(part, path)
    return path.stat().st_size


def _csv(part: Path, head, values, spec: FileSpec) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=spec.sep, quoting=csv.QUOTE_ALL if spec.quote_all else csv.QUOTE_MINIMAL,
                   lineterminator="\r\n" if spec.crlf else "\n")
    w.writerow(head)
    w.writerows(zip(*[["" if x is None else x for x in col] for col in values]))
    part.write_bytes(buf.getvalue().encode(spec.encoding))


def _jsonl(part: Path, head, values, spec: FileSpec) -> None:
    lines = []
    for row in zip(*values):
        obj = {k: v for k, v in zip(head, row) if not (spec.omit_null and (v is None or v == ""))}
        lines.append(json.dumps(obj, ensure_ascii=False))
    part.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def _parquet(part: Path, head, values) -> None:
    arrays = []
    for col in values:
        sample = next((x for x in col if x is not None), "")
        if isinstance(sample, dt.date):
            arrays.append(pa.array(col, type=pa.date32()))
        elif isinstance(sample, float):
            arrays.append(pa.array(col, type=pa.float64()))
        elif isinstance(sample, int):
            arrays.append(pa.array(col, type=pa.int64()))
        else:
            arrays.append(pa.array(col, type=pa.string()))
    pq.write_table(pa.Table.from_arrays(arrays, names=head), part, compression="zstd")


def _xlsx(part: Path, head, values, spec: FileSpec, doc_date: dt.datetime) -> None:
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
    for i, row in enumerate(zip(*values), start=r + 1):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                ws.write_string(i, c, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(i, c, dt.datetime(v.year, v.month, v.day), date_fmt)
            else:
                ws.write_number(i, c, v)
    wb.close()
