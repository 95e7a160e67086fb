"""Department exports: each source's canonical rows, with record ids, files and noise.

Rows are shuffled, numbered (record_id unique within the source across its files), split
over the source's files and given per-row noise on the owner's ID and name. The result
keeps the true owner (`person`) and the noise kinds next to the written values, so the
same frame feeds both the export files and the truth.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import noise as noise_mod
from .assets import Assets
from .profiles import MONTHS, Income
from .writers import FileSpec

EXPORTS: dict[str, tuple[FileSpec, ...]] = {
    "tax": (
        FileSpec("iit_withholding_{d}.csv", "csv", "gbk", crlf=True, period="dash", money="plain", extra=("序号",)),
        FileSpec("iit_recent_{d}.csv", "csv", "utf-8-sig", quote_all=True, period="cn", money="comma"),
    ),
    "vehicle": (
        FileSpec("jdc_register_{d}.xlsx", "xlsx", date="serial", money="number",
                 title="机动车登记信息导出 {date}", extra=("车身颜色",)),
        FileSpec("jdc_register_{d}_2.csv", "csv", "gb18030", headers="en", date="slash", money="yen"),
    ),
    "property": (
        FileSpec("bdc_qlr_{d}.csv", "csv", "gb18030", sep="|", date="cn", extra=("备注",)),
        FileSpec("bdc_qlr_{d}_2.xlsx", "xlsx", date="iso"),
    ),
    "social_insurance": (
        FileSpec("si_records_{d}.parquet", "parquet", headers="en", period="dash", money="number"),
        FileSpec("si_records_{d}_zh.jsonl", "jsonl", period="compact", money="fullyen", omit_null=True),
        FileSpec("si_benefits_{d}.jsonl", "jsonl", headers="en", period="cn", money="number"),
    ),
    "bank": (
        FileSpec("fin_assets_{d}.parquet", "parquet", date="native", money="number"),
        FileSpec("fin_assets_{d}_local.csv", "csv", "utf-8", sep="\t", headers="EN", date="compact", money="mixed"),
    ),
}
PREFIX = {"tax": "TAX", "vehicle": "VEH", "property": "PRP", "social_insurance": "SIN", "bank": "BNK"}
BIG_BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行")


def canonical(rng: np.random.Generator, income: Income, assets: Assets, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """The clean rows of every source, owner in `person`."""
    months = (np.datetime64(as_of, "M") - MONTHS + np.arange(MONTHS)).astype("datetime64[D]")
    t = pd.concat([income.tax, assets.rent], ignore_index=True)
    amt, item = t.amount.to_numpy(), t.income_item.to_numpy()
    paid = np.select([item == "工资薪金", item == "劳务报酬", item == "利息股息红利", item == "偶然所得"],
                     [np.maximum(0, amt - 5000) * 0.03,
                      np.where(amt <= 4000, np.maximum(0, amt - 800), amt * 0.8) * 0.2, amt * 0.2, amt * 0.2],
                     np.nan)
    tax = pd.DataFrame({"person": t.person.to_numpy(), "period": months[t.m.to_numpy()], "income_item": item,
                        "income_amount": amt, "tax_paid": np.round(paid, 2),
                        "withholding_agent": t.payer.fillna("").to_numpy(dtype=object)})
    s = income.si
    si = pd.DataFrame({"person": s.person.to_numpy(), "insurance_type": s.insurance_type.to_numpy(dtype=object),
                       "record_type": s.record_type.to_numpy(dtype=object), "period": months[s.m.to_numpy()],
                       "employer": s.employer.fillna("").to_numpy(dtype=object),
                       "contribution_base": s.base.to_numpy(dtype=float), "amount": s.amount.to_numpy(dtype=float)})
    v = assets.vehicles.copy()
    v["purchase_price"] = np.where(rng.random(len(v)) < 0.1, np.nan, v.purchase_price)
    b = assets.accounts
    acct = b.account_number.to_numpy(dtype=object)
    written = np.where(b.masked, [f"{a[:4]}****{a[-4:]}" for a in acct], acct)
    bank = pd.DataFrame({"person": b.person.to_numpy(), "institution": b.institution.to_numpy(dtype=object),
                         "account_number": written, "account_full": acct, "account": b.account.to_numpy(),
                         "product_type": b.product_type.to_numpy(dtype=object), "balance": b.balance.to_numpy(),
                         "as_of_date": b.as_of_date.to_numpy()})
    return {"tax": tax, "vehicle": v, "property": assets.properties.copy(), "social_insurance": si, "bank": bank}


def _files(rng: np.random.Generator, source: str, df: pd.DataFrame) -> np.ndarray:
    n = len(df)
    if source == "tax":
        f = (df.period.to_numpy() >= df.period.max() - np.timedelta64(70, "D")).astype(int)   # last 3 months
    elif source == "vehicle":
        f = (rng.random(n) >= 0.6).astype(int)
    elif source == "property":
        certs = df.certificate_number.unique()
        pick = dict(zip(certs, (rng.random(len(certs)) >= 0.55).astype(int)))
        f = df.certificate_number.map(pick).to_numpy()
    elif source == "social_insurance":
        f = rng.choice(3, n, p=(0.55, 0.30, 0.15))
    else:
        f = (~df.institution.isin(BIG_BANKS)).to_numpy().astype(int)
    for k in range(len(EXPORTS[source])):     # every file gets at least one row
        if n > k and not (f == k).any():
            big = np.bincount(f).argmax()
            f[np.flatnonzero(f == big)[0]] = k
    return f


def relatives(persons: pd.DataFrame) -> np.ndarray:
    """For each person, the ID of another member of their family (a tekun elder: a supporter)."""
    fam = persons.family.to_numpy()
    order = np.argsort(fam, kind="stable")
    f = fam[order]
    start = np.r_[0, np.flatnonzero(f[1:] != f[:-1]) + 1]
    size = np.diff(np.r_[start, len(f)])
    pos = np.arange(len(f)) - np.repeat(start, size)
    nxt = np.repeat(start, size) + (pos + 1) % np.repeat(size, size)
    rel = np.empty(len(f), dtype=object)
    ids = persons.id_number.to_numpy(dtype=object)
    rel[order] = np.where(np.repeat(size, size) > 1, ids[order[nxt]], None)
    slot, sup = persons.slot.to_numpy(), persons.supporter_slot.to_numpy()
    first = {}
    for i in np.flatnonzero(slot >= 0)[::-1]:
        first[slot[i]] = i
    for i in np.flatnonzero(sup >= 0):
        rel[first[sup[i]]] = ids[i]
    return rel


def build(rng: np.random.Generator, persons: pd.DataFrame, income: Income, assets: Assets,
          as_of: dt.date) -> dict[str, pd.DataFrame]:
    """Per source: the rows as exported (written name/id) with person, file, record_id, noise."""
    ids = persons.id_number.to_numpy(dtype=object)
    names = persons.name.to_numpy(dtype=object)
    year = persons.birth_date.to_numpy().astype("datetime64[Y]").astype(int) + 1970
    rel = relatives(persons)
    out = {}
    for source, df in canonical(rng, income, assets, as_of).items():
        df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
        df.insert(0, "record_id", [f"{PREFIX[source]}{i:09d}" for i in range(1, len(df) + 1)])
        df["file"] = _files(rng, source, df)
        p = df.person.to_numpy()
        wid, wname, kinds = noise_mod.apply(rng, ids[p], names[p], year[p], rel[p])
        gbk = np.isin(df.file.to_numpy(), [k for k, s in enumerate(EXPORTS[source]) if s.encoding == "gbk"])
        if gbk.any():
            wname[gbk], lost = noise_mod.gbk_safe(wname[gbk])
            idx = np.flatnonzero(gbk)[lost]
            kinds[idx] = [f"{k},gbk_lost" if k else "gbk_lost" for k in kinds[idx]]
        df["name"], df["id_number"], df["noise"] = wname, wid, kinds
        out[source] = df.sort_values(["file", "record_id"], kind="stable").reset_index(drop=True)
    return out
