"""What people own: vehicles, real estate and financial accounts (with balance snapshots).

Applicant households are modest unless the plan says otherwise: a planned `vehicle` household
has a normal car, `second_home` a second 住宅 or a 商业 unit, `deposits` large balances. The
rest may still own exempt vehicles (motorcycles, tricycles, tractors), cancelled or scrapped
old cars, a sold (注销) home, and small deposits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import counties as C
from .profiles import MONTHS, expand, standard
from .rows import encode

CARS = {"小型轿车": (60e3, 250e3), "小型普通客车": (80e3, 300e3), "轻型货车": (50e3, 150e3),
        "中型客车": (150e3, 400e3), "重型货车": (200e3, 500e3)}
EXEMPT = {"普通二轮摩托车": (3e3, 12e3), "轻便二轮摩托车": (2e3, 5e3), "三轮汽车": (8e3, 25e3),
          "低速货车": (15e3, 40e3), "拖拉机": (10e3, 60e3)}
EXEMPT_TYPES = tuple(EXEMPT)
BANKS = {"中国工商银行": "6222", "中国农业银行": "6228", "中国银行": "6217", "中国建设银行": "6227",
         "中国邮政储蓄银行": "6221", "交通银行": "6222", "晋商银行": "6231", "山西农商银行": "6230",
         "太原农村商业银行": "6232", "招商银行": "6225"}
BANK_P = np.array([18, 20, 12, 16, 14, 5, 6, 6, 2, 1], dtype=float) / 100
BROKERS = ("山西证券", "中信证券", "华泰证券")
INSURERS = ("中国人寿保险", "中国平安人寿保险")
PRODUCTS = ("活期存款", "定期存款", "理财产品", "基金", "股票", "债券", "保险")
PRODUCT_P = (0.30, 0.37, 0.14, 0.07, 0.05, 0.03, 0.04)
PLATE_CHARS = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"))


@dataclass
class Assets:
    vehicles: pd.DataFrame     # person, plate_number, vehicle_type, registration_date, purchase_price, status
    properties: pd.DataFrame   # certificate_number, person, share, location, usage, floor_area,
    #                            registration_date, status (one row per owner)
    accounts: pd.DataFrame     # person, institution, account_number, masked, product_type, balance, as_of_date
    rent: pd.DataFrame         # person, m, income_item, amount, payer (tax events)


def _days_ago(rng, as_of, lo, hi, n):
    return np.datetime64(as_of, "D") - rng.integers(lo, hi, n).astype("timedelta64[D]")


def vehicles(rng, P: pd.DataFrame, over: np.ndarray, as_of: dt.date) -> pd.DataFrame:
    n = len(P)
    age, slot, urban = P.age.to_numpy(), P.slot.to_numpy(), P.urban.to_numpy()
    adult, member = (age >= 20) & (age < 78), slot >= 0
    rows = []   # (person index array, type array, status array, age-in-days range)
    bg = adult & ~member
    car = np.flatnonzero(bg & (rng.random(n) < np.where(urban, 0.24, 0.16)))
    rows.append((car, rng.choice(list(CARS), len(car), p=(0.62, 0.25, 0.09, 0.02, 0.02)), "正常", (30, 4000)))
    ex = np.flatnonzero(adult & (rng.random(n) < np.where(member, 0.012, np.where(urban, 0.03, 0.10))))
    rows.append((ex, rng.choice(EXEMPT_TYPES, len(ex)), "正常", (60, 5000)))
    old = np.flatnonzero(adult & (rng.random(n) < np.where(member, 0.01, 0.06)))
    rows.append((old, rng.choice(list(CARS)[:3], len(old)), rng.choice(["注销", "报废"], len(old)), (3650, 7300)))
    odd = np.flatnonzero(bg & (rng.random(n) < 0.003))
    rows.append((odd, rng.choice(list(CARS)[:2], len(odd)), rng.choice(["被盗抢", "查封"], len(odd)), (300, 3000)))
    planned = []
    for s in np.flatnonzero(over == "vehicle"):
        idx = np.flatnonzero((slot == s) & adult)
        idx = idx if len(idx) else np.flatnonzero(slot == s)
        planned.append(idx[rng.integers(len(idx))])
    planned = np.array(planned, dtype=int)
    rows.append((planned, rng.choice(list(CARS)[:3], len(planned), p=(0.7, 0.2, 0.1)), "正常", (60, 2900)))
    person = np.concatenate([r[0] for r in rows])
    vtype = np.concatenate([np.asarray(r[1], dtype=object) for r in rows])
    status = np.concatenate([np.broadcast_to(np.asarray(r[2], dtype=object), len(r[0])) for r in rows])
    reg = np.concatenate([_days_ago(rng, as_of, r[3][0], r[3][1], len(r[0])) for r in rows])
    lo = np.array([{**CARS, **EXEMPT}[t][0] for t in vtype])
    hi = np.array([{**CARS, **EXEMPT}[t][1] for t in vtype])
    price = np.round(rng.uniform(lo, hi) / 100) * 100
    mine = np.isin(person, planned) & (status == "正常")
    price[mine] = np.minimum(price[mine], 180e3)
    prefix = P.county_code.map(lambda c: C.COUNTY_BY_CODE[c].plate).to_numpy()[person]
    tail = rng.choice(PLATE_CHARS[:24], len(person)).astype(str)
    digits = np.char.zfill(rng.integers(0, 10000, len(person)).astype(str), 4)
    plate = np.char.add(np.char.add(prefix.astype(str), tail), digits).astype(object)
    dup = pd.Series(plate).duplicated().to_numpy()
    plate[dup] = [p[:2] + "D" + p[3:] + str(i % 10) for i, p in enumerate(plate[dup])]   # 5-char new-energy style
    return pd.DataFrame({"person": person, "plate_number": plate, "vehicle_type": vtype,
                         "registration_date": reg, "purchase_price": price, "status": status})


def properties(rng, P: pd.DataFrame, families: pd.DataFrame, over: np.ndarray, households: pd.DataFrame,
               as_of: dt.date) -> pd.DataFrame:
    """Per family: a home (co-owned 0.5/0.5 by a couple), maybe a second home, a shop, a
    parking space or a sold home. A family sharing an earlier family's address owns nothing."""
    f = families
    nf = len(f)
    applicant = f.slot.to_numpy() >= 0
    urban = f.urban.to_numpy()
    shared = f.address.duplicated().to_numpy()
    r = rng.random((nf, 5))
    p_home = np.where(applicant, np.where(urban, 0.45, 0.6), np.where(urban, 0.8, 0.65))
    home = ~shared & (r[:, 0] < p_home)
    plan = np.full(nf, "", dtype=object)
    plan[f.index[applicant]] = over[f.slot.to_numpy()[applicant]]
    home |= plan == "second_home"
    second = np.where(applicant, plan == "second_home", home & (r[:, 1] < 0.12))
    shop = np.where(applicant, (plan == "second_home") & (r[:, 2] < 0.4), r[:, 2] < 0.04)
    second &= ~shop | ~applicant
    parking = ~applicant & home & urban & (r[:, 3] < 0.08)
    sold = r[:, 4] < np.where(applicant, 0.03, 0.05)
    certs = []
    county = f.county_code.to_numpy()
    for kind, mask in (("home", home), ("second", second), ("shop", shop), ("parking", parking), ("sold", sold)):
        for i in np.flatnonzero(mask):
            c = county[i]
            if kind == "home" and shared[i]:      # planned second home of a family at a shared address
                loc, usage, area = C.urban_address(rng, c), "住宅", rng.uniform(50, 140)
            elif kind == "home":
                loc, usage, area = f.address.iat[i], "住宅", rng.uniform(50, 140) if urban[i] else rng.uniform(80, 200)
            elif kind in ("second", "sold"):
                loc, usage, area = C.urban_address(rng, c), "住宅", rng.uniform(45, 150)
            elif kind == "shop":
                loc, usage, area = C.shop_address(rng, c), "商业", rng.uniform(20, 120)
            else:
                loc = f"{f.address.iat[i].split('号楼')[0]}号楼地下车位B{rng.integers(1, 300)}"
                usage, area = "车位", rng.uniform(12, 16)
            status = "注销" if kind == "sold" else ("抵押" if urban[i] and rng.random() < 0.18 else
                                                  ("查封" if rng.random() < 0.01 else "现势"))
            days = int(rng.integers(3650, 9000) if kind == "sold" else rng.integers(60, 9000))
            certs.append((i, loc, usage, round(float(area), 2), days, status))
    heads, spouses = _owners(P, nf)
    rows = []
    for k, (i, loc, usage, area, days, status) in enumerate(certs):
        reg = np.datetime64(as_of, "D") - np.timedelta64(days, "D")
        year = reg.astype("datetime64[Y]").astype(int) + 1970
        cert = f"晋({year}){C.COUNTY_BY_CODE[county[i]].name}不动产权第{k + 1:07d}号"
        owners = [heads[i]] if spouses[i] < 0 or rng.random() < 0.25 else [heads[i], spouses[i]]
        for o in owners:
            rows.append((cert, o, 1.0 / len(owners), loc, usage, area, reg, status))
    return pd.DataFrame(rows, columns=["certificate_number", "person", "share", "location", "usage",
                                       "floor_area", "registration_date", "status"])


def _owners(P, nf):
    heads, spouses = np.full(nf, -1), np.full(nf, -1)
    rel, fam = P.relation.to_numpy(), P.family.to_numpy()
    heads[fam[rel == "户主"]] = np.flatnonzero(rel == "户主")
    spouses[fam[rel == "配偶"]] = np.flatnonzero(rel == "配偶")
    return heads, spouses


def accounts(rng, P: pd.DataFrame, over: np.ndarray, households: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    n = len(P)
    age, slot = P.age.to_numpy(), P.slot.to_numpy()
    member = slot >= 0
    second, third = rng.random(n) < np.where(member, 0.3, 0.55), rng.random(n) < np.where(member, 0.05, 0.2)
    k = np.where(age >= 18, 1 + second + third, (rng.random(n) < 0.1).astype(int))
    person = np.repeat(np.arange(n), k)
    first = np.r_[True, person[1:] != person[:-1]]
    m = len(person)
    product = np.where(first, "活期存款", rng.choice(PRODUCTS, m, p=PRODUCT_P)).astype(object)
    bank = rng.choice(list(BANKS), m, p=BANK_P)
    inst = np.select([product == "股票", product == "保险", (product == "基金") & (rng.random(m) < 0.5)],
                     [rng.choice(BROKERS, m), rng.choice(INSURERS, m), rng.choice(BROKERS, m)], bank).astype(object)
    bal = np.round(np.where(member[person], rng.lognormal(np.log(1500), 1.0, m),
                            rng.lognormal(np.log(25000), 1.2, m) / k[person]), 2)
    bal = np.where(age[person] < 18, np.round(bal / 10, 2), bal)
    std = households.county_code.map(standard).to_numpy()
    size = np.bincount(slot[member], minlength=len(households))
    hh = np.where(member[person], slot[person], -1)
    total = np.bincount(hh[hh >= 0], weights=bal[hh >= 0], minlength=len(households))
    plan = np.where(hh >= 0, over[np.maximum(hh, 0)], "")
    cap = 0.4 * 24 * std * size
    scale = np.where(total > cap, cap / np.maximum(total, 1), 1.0)
    bal = np.where((hh >= 0) & (plan != "deposits"), np.round(bal * scale[np.maximum(hh, 0)], 2), bal)
    for s in np.flatnonzero(over == "deposits"):   # one adult's second account holds the savings
        rows = np.flatnonzero((hh == s) & (age[person] >= 18))
        rows = rows if len(rows) else np.flatnonzero(hh == s)
        if len(rows):
            j = rows[rng.integers(len(rows))]
            bal[j] = round(float(rng.uniform(1.5, 4.0) * 24 * std[s] * size[s]), 2)
            product[j] = "定期存款" if rng.random() < 0.7 else "理财产品"
            inst[j] = bank[j]
    product, inst = _shared(product), _shared(inst)
    number = _account_numbers(rng, inst, product)
    masked = rng.random(m) < 0.6
    # Balance snapshots: quarter ends inside the window plus a recent query date; the
    # latest one (usually among the last three dates) is the balance that counts.
    months = np.datetime64(as_of, "M") - np.arange(0, MONTHS)
    q_ends = months[(months.astype(int) % 3) == 0].astype("datetime64[D]") - 1   # Mar/Jun/Sep/Dec end
    cands = np.unique(np.append(q_ends, np.datetime64(as_of, "D") - rng.integers(1, 20)))
    nc = len(cands)
    last = nc - 1 - np.where(rng.random(m) < 0.9, rng.integers(0, 3, m), rng.integers(3, nc - 1, m))
    keys = rng.random((m, nc))
    col = np.arange(nc)[None, :]
    keys[col > last[:, None]] = 2.0
    keys[col == last[:, None]] = -1.0
    rank = np.argsort(np.argsort(keys, axis=1), axis=1)
    chosen = rank < np.minimum(rng.integers(2, 6, m), last + 1)[:, None]
    j, c = np.nonzero(chosen)
    walk = np.where((c == last[j]) | (product[j] == "定期存款"), bal[j], bal[j] * rng.uniform(0.6, 1.4, len(j)))
    shared = {k: pd.Series(v, dtype=object) for k, v in            # an account's rows share its strings
              (("institution", inst[j]), ("account_number", number[j]), ("product_type", product[j]))}
    return pd.DataFrame({"person": person[j], **shared, "masked": masked[j], "balance": np.round(walk, 2),
                         "as_of_date": cands[c], "account": j})[
        ["person", "institution", "account_number", "masked", "product_type", "balance", "as_of_date", "account"]]


def _shared(values: np.ndarray) -> np.ndarray:
    """The same values, each distinct one a single shared Python string (millions of rows)."""
    codes, labels = encode(values)
    return labels[codes]


def _account_numbers(rng, inst, product) -> np.ndarray:
    m = len(inst)
    body = ["".join(map(str, row)) for row in rng.integers(0, 10, (m, 15)).tolist()]
    prefix = np.array([BANKS.get(i, "") for i in inst], dtype=object)
    num = np.where(prefix != "", prefix + np.array(body, dtype=object),
                   np.where(np.isin(inst, BROKERS), np.array([b[:12] for b in body], dtype=object),
                            "P" + np.array([b[:14] for b in body], dtype=object)))
    return num.astype(object)


def rent(rng, props: pd.DataFrame, P: pd.DataFrame) -> pd.DataFrame:
    """Second homes let out: monthly 财产租赁所得 for the first owner from some month on."""
    homes = props[(props.usage == "住宅") & (props.status != "注销")]
    first = homes.drop_duplicates("certificate_number")
    extra = first[first.person.duplicated()]          # the owner's second (or later) home
    let = extra[rng.random(len(extra)) < 0.5]
    start = rng.integers(0, 12, len(let))
    rep, m = expand(start, np.full(len(let), MONTHS - 1))
    person = let.person.to_numpy()[rep]
    amount = np.round(rng.uniform(800, 2500, len(let)), -1)[rep]
    return pd.DataFrame({"person": person, "m": m, "income_item": "财产租赁所得", "amount": amount, "payer": ""})


def build(rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame, over: np.ndarray,
          as_of: dt.date) -> Assets:
    families = persons.groupby("family", sort=True).agg(
        county_code=("county_code", "first"), address=("address", "first"), urban=("urban", "first"),
        slot=("slot", "max")).reset_index(drop=True)
    v = vehicles(rng, persons, over, as_of)
    p = properties(rng, persons, families, over, households, as_of)
    a = accounts(rng, persons, over, households, as_of)
    return Assets(v, p, a, rent(rng, p, persons))
