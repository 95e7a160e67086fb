"""Bad input, as real exports carry it: rows the quality gates must quarantine, one unreadable file.

In every source, a few rows (`RATE` of them for each kind, at least 1 and at most `MAX_EACH`)
arrive with:

- `bad_date`: a date that is no real day (`2026-02-30`) or a month that is none (`2026-13`);
- `negative_amount`: a negative amount (or floor area) where only 0 or more is accepted;
- `bad_category`: a coded value outside the allowed set (`彩票中奖` as an income item …);
- `duplicate_record_id`: the same record written twice in one file: the first loads, the copy
  is quarantined as a copy of it (`expectations.settle_exact_copies`).

They are drawn only from rows of people outside every applicant household (and their
supporters), so no household's figures change, and only from text and workbook files (a
Parquet column has one type). The truth keeps the intended values and says in `bad` why a
correct pipeline must quarantine the row. Every choice comes from its own generator
(`[seed, 9]`, see `generator`), so the rest of the province is the same as without bad input.

One delivery cannot be read at all: a tax corrections file whose income column (收入额) is
missing; it is listed under `unreadable` in manifest.json and must land in `rejected/tax/`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .rows import Rows, text

RATE = 0.0005
MAX_EACH = 8
KINDS = ("bad_date", "negative_amount", "bad_category", "duplicate_record_id")
FIELDS = {  # source: (date or period field, amount field, category field, a value outside its set)
    "tax": ("period", "income_amount", "income_item", "彩票中奖"),
    "vehicle": ("registration_date", "purchase_price", "status", "未知"),
    "property": ("registration_date", "floor_area", "usage", "用途不详"),
    "social_insurance": ("period", "amount", "record_type", "补缴"),
    "bank": ("as_of_date", "balance", "product_type", "外汇"),
}
BAD_DATE = {"date": "2026-02-30", "period": "2026-13"}
UNREADABLE_NAME = "iit_corrections_{d}.csv"
UNREADABLE_ROWS = 5
UNREADABLE_REASON = "missing required column 'income_amount' (收入额)"


def generator(seed: int) -> np.random.Generator:
    """The generator every bad-row choice comes from; one per province, used source after source."""
    return np.random.default_rng([seed, 9])


def mark(rng: np.random.Generator, source: str, rows: Rows, outsider: np.ndarray, specs: tuple) -> None:
    """Give one source's rows (in file order) a `bad` column (the kind, or ''), in place.

    A duplicated record is written twice in a row of the same file: the copy follows the
    original and is marked `duplicate_record_id` (the original loads). `rng` is `generator(seed)`, called for the
    sources in their usual order; `outsider` says per person whether they are outside every
    applicant household (and its supporters); `specs` are the source's file specs.
    """
    date_field, amount_field, _, _ = FIELDS[source]
    text_files = [k for k, spec in enumerate(specs) if spec.fmt != "parquet"]
    usable = outsider[rows["person"]] & np.isin(rows["file"], text_files)
    usable &= rows.test(date_field, lambda v: ~pd.isna(v))
    amount = pd.to_numeric(pd.Series(rows[amount_field]), errors="coerce").to_numpy(dtype=float)
    each = min(MAX_EACH, max(1, round(len(rows) * RATE)))
    bad = np.zeros(len(rows), dtype=np.int8)          # codes into ("", *KINDS)
    for code, kind in enumerate(KINDS, start=1):
        ok = usable & (bad == 0)
        if kind == "negative_amount":
            ok &= np.nan_to_num(amount) > 0            # -0 is no negative amount
        candidates = np.flatnonzero(ok)
        if len(candidates):
            bad[rng.choice(candidates, min(each, len(candidates)), replace=False)] = code
    copies = np.flatnonzero(bad == 1 + KINDS.index("duplicate_record_id"))
    if len(copies):                                    # rows are in (file, record id) order: a copy follows
        order = np.sort(np.concatenate([np.arange(len(rows)), copies]), kind="stable")
        bad = bad[order]
        original = np.zeros(len(order), dtype=bool)
        original[:-1] = order[:-1] == order[1:]        # the first of two equal positions is the original
        bad[original] = 0
        rows.take(order)
    rows.set_coded("bad", bad, text(["", *KINDS]))
    del bad


def corrupt(table: str, rows: pd.DataFrame, values: list[list], columns: list[str]) -> None:
    """Write the bad values of `rows` (see `mark`) into the rendered cells, in place.

    Args:
        table: The source.
        rows: The file's rows, in file order, with `bad`.
        values: The rendered cells (`writers.render`), one list per column of `columns`.
        columns: The field (or extra column) name of each list in `values`.
    """
    if "bad" not in rows.columns or table not in FIELDS:
        return
    date_field, amount_field, category_field, outside = FIELDS[table]
    where = {name: i for i, name in enumerate(columns)}
    kind_of_date = "period" if date_field == "period" else "date"
    for i, kind in enumerate(rows["bad"].tolist()):
        if kind == "bad_date":
            values[where[date_field]][i] = BAD_DATE[kind_of_date]
        elif kind == "negative_amount":
            cell = values[where[amount_field]][i]
            values[where[amount_field]][i] = -abs(cell) if isinstance(cell, (int, float)) else "-" + str(cell)
        elif kind == "bad_category":
            values[where[category_field]][i] = outside


def unreadable_rows(tax: Rows, seed: int) -> pd.DataFrame:
    """Tax rows for the unreadable corrections file: copies of good tax rows (the file is rejected
    whole, so they never load twice)."""
    rng = np.random.default_rng([seed, 10])
    clean = np.flatnonzero(tax.isin("bad", [""])) if "bad" in tax else np.arange(len(tax))
    pick = np.sort(rng.choice(len(clean), min(UNREADABLE_ROWS, len(clean)), replace=False))
    return tax.frame([c for c in tax.columns if c != "income_amount"], clean[pick])


def filename(export_date: dt.date) -> str:
    return UNREADABLE_NAME.format(d=export_date.strftime("%Y%m%d"))
