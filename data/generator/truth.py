"""The truth behind the synthetic province, written outside the data root.

persons.parquet, members.parquet, source_rows.parquet (one wide table, nullable columns
per source; `bad` says why a correct pipeline quarantines the row, see `bad.py`; written
a source at a time by `SourceRows`), households.parquet (with the figures a perfect pipeline computes from the
clean values) and manifest.json. Income figures use the 12 complete months before the
request date, tax items except 偶然所得/财产转让所得 plus social-insurance benefits (待遇).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .assets import EXEMPT_TYPES
from .profiles import EXCLUDED_ITEMS, standard
from .rows import Rows
from . import serialise

WINDOW = 12
SOURCE_COLUMNS = ("period", "income_item", "income_amount", "tax_paid", "withholding_agent", "insurance_type",
                  "record_type", "employer", "contribution_base", "amount", "plate_number", "vehicle_type",
                  "registration_date", "purchase_price", "status", "certificate_number", "location", "usage",
                  "floor_area", "share", "institution", "account_number", "product_type", "balance", "as_of_date")
SOURCE_ROWS_COLUMNS = ("source", "record_id", "file", "person_key", "noise", "bad", "name_as_written", "id_as_written",
                       *SOURCE_COLUMNS)
DATE_COLUMNS = ("period", "registration_date", "as_of_date")
FLOAT_COLUMNS = ("income_amount", "tax_paid", "contribution_base", "amount", "purchase_price", "floor_area", "share",
                 "balance")
"""source_rows' date and number columns; every other column is text."""


def figures_part(source: str, rows: Rows, n: int, as_of: dt.date) -> np.ndarray | None:
    """One source's share of `person_figures` (its rows as built, before bad rows are marked):
    income over the window per person (tax, social_insurance), latest balances (bank)."""
    if source == "bank":
        b = pd.DataFrame({c: rows[c] for c in ("account", "as_of_date", "person", "balance")})
        b = b.sort_values(["account", "as_of_date"]).drop_duplicates("account", keep="last")
        return np.bincount(b.person, weights=b.balance, minlength=n)
    if source not in ("tax", "social_insurance"):
        return None
    start = (np.datetime64(as_of, "M") - WINDOW).astype("datetime64[D]")
    recent = rows.test("period", lambda v: v >= start)
    if source == "tax":
        keep = recent & ~rows.isin("income_item", EXCLUDED_ITEMS)
        return np.bincount(rows["person"][keep], weights=rows["income_amount"][keep], minlength=n)
    keep = recent & rows.isin("record_type", ["待遇"])
    return np.bincount(rows["person"][keep], weights=rows["amount"][keep], minlength=n)


def person_figures(parts: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per person: average monthly income over the window and latest financial balances."""
    income = (parts["tax"] + parts["social_insurance"]) / WINDOW
    return pd.DataFrame({"monthly_income": np.round(income, 2), "financial": np.round(parts["bank"], 2)})


def households(pop_households: pd.DataFrame, persons: pd.DataFrame, members: pd.DataFrame,
               src: dict[str, pd.DataFrame], figures: pd.DataFrame, over: np.ndarray) -> pd.DataFrame:
    h = pop_households
    n_h = len(h)
    slot = persons.slot.to_numpy()
    mem = slot >= 0
    size = np.bincount(slot[mem], minlength=n_h)
    sup = persons.supporter_slot.to_numpy()
    n_sup = np.bincount(sup[sup >= 0], minlength=n_h)
    income = np.bincount(slot[mem], weights=figures.monthly_income.to_numpy()[mem], minlength=n_h)
    fin = np.bincount(slot[mem], weights=figures.financial.to_numpy()[mem], minlength=n_h)
    sup_income = np.bincount(sup[sup >= 0], weights=figures.monthly_income.to_numpy()[sup >= 0], minlength=n_h)

    def count(df: pd.DataFrame, mask: np.ndarray, key: str | None = None) -> np.ndarray:
        d = df[mask]
        s = slot[d.person.to_numpy()]
        d = d[s >= 0].assign(slot=s[s >= 0])
        if key:
            d = d.drop_duplicates(["slot", key])
        return np.bincount(d.slot, minlength=n_h)

    v, p = src["vehicle"], src["property"]
    normal = (v.status == "正常").to_numpy()
    exempt = v.vehicle_type.isin(EXEMPT_TYPES).to_numpy()
    alive = (p.status != "注销").to_numpy()
    home = (p.usage == "住宅").to_numpy()
    first = members.drop_duplicates("slot").set_index("slot").reindex(range(n_h))
    declared = members[members.relation != "赡养人"].groupby("slot").declared_monthly_income.sum(min_count=1)
    std = h.county_code.map(standard).to_numpy()
    out = pd.DataFrame({
        "request_id": first.request_id.to_numpy(), "agency": first.agency.to_numpy(),
        "household_id": h.household_id.to_numpy(), "program": h.program.to_numpy(),
        "county_code": h.county_code.to_numpy(), "n_members": size, "n_supporters": n_sup,
        "on_rolls": ~h.inbox.to_numpy(), "address": h.address.to_numpy(),
        "related_household_id": np.where(h.related_slot >= 0,
                                         h.household_id.to_numpy()[np.maximum(h.related_slot, 0)], None),
        "over_plan": over, "standard": std,
        "monthly_income": np.round(income, 2), "income_per_capita": np.round(income / np.maximum(size, 1), 2),
        "declared_monthly_total": declared.reindex(range(n_h)).to_numpy(),
        "supporters_monthly_income": np.round(sup_income, 2),
        "vehicles_normal": count(v, normal & ~exempt), "vehicles_exempt": count(v, normal & exempt),
        "vehicles_inactive": count(v, ~normal),
        "homes_count": count(p, alive & home, "certificate_number"),
        "other_properties_count": count(p, alive & ~home, "certificate_number"),
        "financial_total": np.round(fin, 2), "financial_per_capita": np.round(fin / np.maximum(size, 1), 2),
    })
    out["income_over"] = out.income_per_capita > out.standard
    return out


class SourceRows:
    """source_rows.parquet, written a source (and a slice of rows) at a time.

    The bytes are those of the whole table written by pandas (`to_parquet`, zstd): the same
    schema and pandas metadata, row groups of 1,048,576 rows, and within a row group the text
    columns in one Arrow chunk per source (as pandas' Arrow-backed strings are after `concat`),
    the others in one chunk. At most one row group's rows wait in memory (as Arrow arrays;
    a source's missing columns only as a length).
    """

    def __init__(self, path: Path, keys: np.ndarray):
        """`keys`: the persons' person_key."""
        self.path = path
        self.keys = pa.array(keys, type=pa.large_string())
        self.part = path.with_name(path.name + ".part")
        self.schema = _source_rows_schema()
        self.text = {f.name for f in self.schema if pa.types.is_large_string(f.type)}
        self.pending: list[tuple[str, dict[str, pa.Array], int]] = []    # (source, columns it has, rows)
        self.size = 0
        self.writer: pq.ParquetWriter | None = None

    CHUNK = 1 << 18
    """Rows turned into Arrow at a time."""
    FROM = {"noise": "noise", "bad": "bad", "name_as_written": "name", "id_as_written": "id_number",
            **{c: "account_full" if c == "account_number" else c for c in SOURCE_COLUMNS}}
    """The source rows' column behind each truth column (the others are made in `add`)."""

    def add(self, source: str, rows: Rows, file_names: list[str]) -> None:
        """Append one source's rows (after `bad.mark`)."""
        files = pa.array(file_names, type=pa.large_string())
        for lo in range(0, len(rows), self.CHUNK):
            part = rows.slice(lo, lo + self.CHUNK)
            n = len(part)
            number = pc.cast(pa.array(part.data["record_no"]), pa.string())
            arrays = {"source": pa.repeat(pa.scalar(source, pa.large_string()), n),
                      "record_id": pc.binary_join_element_wise(part.prefix, pc.utf8_lpad(number, 9, "0"), "")
                                     .cast(pa.large_string()),
                      "file": files.take(pa.array(part.data["file"])),
                      "person_key": self.keys.take(pa.array(part.data["person"]))}
            for f in self.schema:
                col = self.FROM.get(f.name)
                if f.name in arrays or col not in part:
                    continue
                arrays[f.name] = _arrow(part, col, f.type)
            if "bad" not in arrays:
                arrays["bad"] = pa.repeat(pa.scalar("", pa.large_string()), n)
            self.pending.append((source, arrays, n))
            self.size += n
            while self.size >= serialise.ROW_GROUP:
                self._flush(serialise.ROW_GROUP)

    def close(self) -> None:
        if self.size or self.writer is None:
            self._flush(self.size)
        self.writer.close()
        os.replace(self.part, self.path)

    def abort(self) -> None:
        """Drop the unfinished file (generation failed)."""
        if self.writer is not None:
            self.writer.close()
        self.part.unlink(missing_ok=True)

    def _flush(self, rows: int) -> None:
        taken, left, got = [], [], 0
        for source, arrays, n in self.pending:
            if got + n <= rows:
                taken.append((source, arrays, n))
                got += n
            elif got < rows:
                k = rows - got
                taken.append((source, {c: a.slice(0, k) for c, a in arrays.items()}, k))
                left.append((source, {c: a.slice(k) for c, a in arrays.items()}, n - k))
                got = rows
            else:
                left.append((source, arrays, n))
        self.pending, self.size = left, self.size - rows
        columns = []
        for f in self.schema:                   # column by column, letting go of the pieces as we go
            pieces = [(source, arrays.pop(f.name, None), n) for source, arrays, n in taken]
            if f.name in self.text:             # one chunk per source
                runs: list[list] = []
                for source, a, n in pieces:
                    if not runs or runs[-1][0] != source:
                        runs.append([source, []])
                    runs[-1][1].append(pa.nulls(n, f.type) if a is None else a)
                chunks = [pa.concat_arrays(arrays) for _, arrays in runs]
            else:
                chunks = [pa.concat_arrays([pa.nulls(n, f.type) if a is None else a for _, a, n in pieces])] \
                    if pieces else []
            del pieces
            columns.append(pa.chunked_array(chunks, type=f.type))
        table = pa.Table.from_arrays(columns, schema=self.schema)
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.part, self.schema, compression="zstd")
        self.writer.write_table(table)


def _arrow(rows: Rows, name: str, type_: pa.DataType) -> pa.Array:
    """A column as Arrow (empty cells null; a coded column through its labels)."""
    date = pa.types.is_date32(type_)
    if name in rows.labels:
        labels = rows.labels[name]
        labels = pa.array(labels.astype("datetime64[D]") if date else labels, type=type_, from_pandas=True)
        return labels.take(pa.array(rows.data[name]))
    v = rows[name]
    return pa.array(np.asarray(v).astype("datetime64[D]") if date else v, type=type_, from_pandas=True)


def _source_rows_schema() -> pa.Schema:
    """What pandas hands pyarrow for the whole source_rows frame (types and pandas metadata)."""
    sample = {}
    for c in SOURCE_ROWS_COLUMNS:
        if c in DATE_COLUMNS:
            sample[c] = pd.Series([dt.date(2000, 1, 1)], dtype=object)
        elif c in FLOAT_COLUMNS:
            sample[c] = pd.Series([0.0], dtype="float64")
        else:
            sample[c] = pd.Series(["x"], dtype="str")
    return pa.Schema.from_pandas(pd.DataFrame(sample), preserve_index=False)


def write(truth_dir: Path, tables: dict[str, pd.DataFrame], manifest: dict) -> None:
    """The truth tables other than source_rows (see `SourceRows`), and manifest.json."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_parquet(truth_dir / f"{name}.parquet", index=False, compression="zstd")
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                             encoding="utf-8")
