"""Department exports: each source's canonical rows, with record ids, files and noise.

Rows are shuffled, numbered (record_id unique within the source across its files), split
over the source's files and given per-row noise on the owner's ID and name. The result
keeps the true owner (`person`) and the noise kinds next to the written values, so the
same rows feed both the export files and the truth. Sources are built one at a time
(`build` is a generator) so a 100,000-household province fits in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd

from . import noise as noise_mod
from .assets import Assets
from .profiles import MONTHS, Income
from .rows import Rows, concat, encode, text
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


def _filled(rows: Rows, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A coded text column's (codes, labels), an empty label spelled ''."""
    codes, labels = rows.coded(name)
    return codes, text(["" if pd.isna(v) else v for v in labels.tolist()])


def canonical(rng: np.random.Generator, income: Income, assets: Assets, as_of: dt.date) -> Iterator[tuple[str, Rows]]:
    """The clean rows of every source, owner in `person`, one source at a time.

    Consumes `income.tax`, `income.si` and the asset tables (set to None once used), so
    that only the source being built is held. The vehicles' missing prices are drawn
    first, before any source is shuffled, as they always were. Periods are coded (the
    month index into the window's months), as are the sources' few-valued text columns.
    """
    months = (np.datetime64(as_of, "M") - MONTHS + np.arange(MONTHS)).astype("datetime64[D]")
    no_price = rng.random(len(assets.vehicles)) < 0.1

    r, assets.rent = assets.rent, None
    rent = Rows({"person": r.person.to_numpy(dtype=np.int32), "m": r.m.to_numpy(dtype=np.int8)})
    for c in ("income_item", "payer"):
        rent.set_coded(c, *encode(text(r[c])))
    rent["amount"] = r.amount.to_numpy(dtype=float)
    t, income.tax = concat([income.tax, rent]), None
    del r, rent
    amt = t["amount"]
    items = ("工资薪金", "劳务报酬", "利息股息红利", "偶然所得")
    paid = np.select([t.isin("income_item", [item]) for item in items],
                     [np.maximum(0, amt - 5000) * 0.03,
                      np.where(amt <= 4000, np.maximum(0, amt - 800), amt * 0.8) * 0.2, amt * 0.2, amt * 0.2],
                     np.nan)
    tax = Rows({"person": t["person"]})
    tax.set_coded("period", t["m"], months)
    tax.set_coded("income_item", *t.coded("income_item"))
    tax["income_amount"] = amt
    tax["tax_paid"] = np.round(paid, 2)
    tax.set_coded("withholding_agent", *_filled(t, "payer"))
    del t, amt, paid
    yield "tax", tax
    del tax

    v, assets.vehicles = assets.vehicles, None
    vehicle = Rows({"person": v.person.to_numpy(), "plate_number": text(v.plate_number),
                    "vehicle_type": text(v.vehicle_type), "registration_date": v.registration_date.to_numpy(),
                    "purchase_price": np.where(no_price, np.nan, v.purchase_price), "status": text(v.status)})
    del v
    yield "vehicle", vehicle
    del vehicle

    p, assets.properties = assets.properties, None
    prop = Rows({c: text(p[c]) if p[c].dtype == object or pd.api.types.is_string_dtype(p[c]) else p[c].to_numpy()
                 for c in p.columns})
    del p
    yield "property", prop
    del prop

    s, income.si = income.si, None
    si = Rows({"person": s.data.pop("person")})
    si.set_coded("insurance_type", *s.coded("insurance_type"))
    si.set_coded("record_type", *s.coded("record_type"))
    si.set_coded("period", s.data.pop("m"), months)
    si.set_coded("employer", *_filled(s, "employer"))
    si["contribution_base"] = np.asarray(s.data.pop("base"), dtype=float)
    si["amount"] = np.asarray(s.data.pop("amount"), dtype=float)
    del s
    yield "social_insurance", si
    del si

    b, assets.accounts = assets.accounts, None
    acct = text(b.account_number)
    account = b.account.to_numpy()
    first = np.unique(account, return_index=True)[1]        # an account's rows share number and masking
    spelled = np.empty(account.max() + 1 if len(account) else 0, dtype=object)
    spelled[account[first]] = [f"{a[:4]}****{a[-4:]}" if m else a
                               for a, m in zip(acct[first].tolist(), b.masked.to_numpy()[first].tolist())]
    bank = Rows({"person": b.person.to_numpy()})
    bank.set_coded("institution", *encode(text(b.institution)))
    bank["account_number"] = spelled[account]
    bank["account_full"] = acct
    bank["account"] = account
    bank.set_coded("product_type", *encode(text(b.product_type)))
    bank["balance"] = b.balance.to_numpy()
    bank.set_coded("as_of_date", *encode(b.as_of_date.to_numpy()))
    del b, acct, account, first, spelled
    yield "bank", bank


def _files(rng: np.random.Generator, source: str, df: Rows) -> np.ndarray:
    n = len(df)
    if source == "tax":
        period = df["period"]
        f = (period >= period.max() - np.timedelta64(70, "D")).astype(int)   # last 3 months
        del period
    elif source == "vehicle":
        f = (rng.random(n) >= 0.6).astype(int)
    elif source == "property":
        cert = pd.Series(df["certificate_number"], dtype=object)
        certs = cert.unique()
        pick = dict(zip(certs, (rng.random(len(certs)) >= 0.55).astype(int)))
        f = cert.map(pick).to_numpy()
    elif source == "social_insurance":
        f = rng.choice(3, n, p=(0.55, 0.30, 0.15))
    else:
        f = (~df.isin("institution", BIG_BANKS)).astype(int)
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
          as_of: dt.date) -> Iterator[tuple[str, Rows]]:
    """Per source, in turn: the rows as exported (written name/id) with person, file, record_no, noise.

    Rows are in file order (file, then record id). Each source is yielded before the next is
    built: drop it before asking for the next one. Consumes `income`'s and `assets`' tables.
    """
    ids = persons.id_number.to_numpy(dtype=object)
    names = persons.name.to_numpy(dtype=object)
    year = persons.birth_date.to_numpy().astype("datetime64[Y]").astype(int) + 1970
    rel = relatives(persons)
    for source, df in canonical(rng, income, assets, as_of):
        n = len(df)
        df.take(rng.permutation(n))
        df.prefix = PREFIX[source]
        df["record_no"] = np.arange(1, n + 1, dtype=np.int32 if n < 2**31 - 1 else np.int64)
        df["file"] = _files(rng, source, df).astype(np.int8)
        wid, wname, kinds = noise_mod.apply(rng, ids, names, year, rel, person=df["person"])
        gbk = np.isin(df["file"], [k for k, s in enumerate(EXPORTS[source]) if s.encoding == "gbk"])
        if gbk.any():
            wname[gbk], lost = noise_mod.gbk_safe(wname[gbk])
            idx = np.flatnonzero(gbk)[lost]
            kinds[idx] = [f"{k},gbk_lost" if k else "gbk_lost" for k in kinds[idx]]
        df["name"], df["id_number"] = wname, wid
        df.set_coded("noise", *encode(kinds))
        del wid, wname, kinds, gbk
        df.take(np.argsort(df["file"], kind="stable"))     # record numbers already ascend within a file
        yield source, df
        del df
