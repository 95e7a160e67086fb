"""Each person's true income over the 24 months before the request date.

Jobs (employer, monthly wage, a spell that may start or end inside the window), pensions
(企业职工 ~2,000-3,500, 机关事业 ~4,000-6,500, 城乡居民 ~150-250 a month), unemployment
benefit after a lost insured job, and occasional 劳务报酬, interest and lottery wins. The
result is one row per person-month and item: the canonical content of the tax and
social-insurance exports. Applicant households are then held below (or, when planned,
pushed above) their county's 低保 standard so findings vary but are predictable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .counties import COUNTIES, COUNTY_BY_CODE
from .rows import Rows, concat, encode, text

MONTHS = 24
STANDARD = {True: 628.0, False: 496.0}
"""低保 standard per person-month: urban district (区) / rural county (shanxi.yaml placeholder)."""
OVER_REASONS, OVER_P = ("income", "vehicle", "deposits", "second_home"), (0.38, 0.25, 0.22, 0.15)
EXCLUDED_ITEMS = ("偶然所得", "财产转让所得")
ENTERPRISE, PUBLIC, RESIDENT = "企业职工基本养老保险", "机关事业单位养老保险", "城乡居民基本养老保险"
INTEREST_PAYERS = ("中国工商银行股份有限公司山西省分行", "中国建设银行股份有限公司山西省分行",
                   "晋商银行股份有限公司", "中国邮政储蓄银行股份有限公司山西省分行")
LOTTERY = ("山西省福利彩票发行中心", "山西省体育彩票管理中心")

_BRANDS = ("晋能", "汾西", "宏达", "鑫源", "瑞丰", "兴旺", "泰和", "金鼎", "恒信", "永昌", "昌盛",
           "丰源", "龙腾", "晋泰", "三晋", "汾河", "太行", "华晋", "潞安", "阳光", "安泰", "德信",
           "中兴", "新晋", "宏远", "众合", "福瑞", "荣达", "长城", "晋龙", "利民", "佳诚", "聚源",
           "广源", "天一", "鼎盛", "恒达", "正阳", "万通", "国泰")
_INDUSTRIES = ("煤业有限公司", "焦化股份有限公司", "商贸有限公司", "建筑工程有限公司",
               "物业管理有限公司", "集团有限公司", "物流有限公司", "餐饮管理有限公司",
               "机械制造有限公司", "农业科技有限公司", "运输有限公司", "钢铁有限公司",
               "食品有限公司", "房地产开发有限公司", "电力工程有限公司", "家政服务有限公司")
_PUBLIC = ("人民医院", "中医医院", "第一中学", "第二中学", "实验小学", "人民政府办公室",
           "财政局", "住房和城乡建设局", "交通运输局", "市场监督管理局")
LABOR_PAYERS = ("山西省广播电视台", "太原理工大学", "山西大学", "山西晋韵文化传媒有限公司",
                "太原市锦华装饰工程有限公司", "山西晋通咨询服务有限公司", "太原市龙城职业培训学校")
"""Payers of 劳务报酬 (occasional service income)."""


def employer_pools(rng: np.random.Generator) -> dict[str, tuple[list[str], list[str]]]:
    """Per prefecture city: (companies, public bodies). Public bodies pay 机关事业单位 pensions."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    cities: dict[str, list[str]] = {}
    for c in COUNTIES:
        cities.setdefault(c.city, []).append(c.name)
    for city in sorted(cities):
        firms = set()
        while len(firms) < 40:
            brand = _BRANDS[rng.integers(len(_BRANDS))]
            ind = _INDUSTRIES[rng.integers(len(_INDUSTRIES))]
            where = ("山西", city, cities[city][rng.integers(len(cities[city]))])[rng.integers(3)]
            firms.add(f"{where}{brand}{ind}")
        public = [f"{county}{body}" for county in cities[city] for body in _PUBLIC]
        out[city] = (sorted(firms), public)
    return out


@dataclass
class Income:
    tax: Rows
    """person, m, income_item, amount, payer (m = 0..23, month index in the window)"""
    si: Rows
    """person, m, insurance_type, record_type, employer, base, amount"""
    over: np.ndarray
    """per applicant household: '' or the planned over-limit reason"""


def standard(county_code: str) -> float:
    return STANDARD[COUNTY_BY_CODE[county_code].urban]


def expand(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, month) pairs covering each inclusive spell [start, end]."""
    lens = np.maximum(end - start + 1, 0)
    rep = np.repeat(np.arange(len(start)), lens)
    offset = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    return rep, start[rep] + offset


def _table(cols: dict) -> Rows:
    """Income rows as compact columns: person int32, month int8, each text column as codes into
    its few labels (see `rows.Rows`); tens of millions of rows fit in memory."""
    n = max(len(v) for v in cols.values() if isinstance(v, np.ndarray))
    out = Rows({})
    for k, v in cols.items():
        if isinstance(v, str):
            out.set_coded(k, np.zeros(n, dtype=np.int8), text([v]))
        elif isinstance(v, np.ndarray) and v.dtype.kind in "UO":
            out.set_coded(k, *encode(v))
        elif k == "person":
            out[k] = np.asarray(v, dtype=np.int32)
        elif k == "m":
            out[k] = np.asarray(v, dtype=np.int8)
        else:
            out[k] = np.full(n, v) if np.isscalar(v) else v
    return out


def _u(rng, lo, hi, n):
    return np.round(rng.uniform(lo, hi, n), -1)


def build(rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame,
          as_of: dt.date) -> Income:
    n = len(persons)
    age, male, urban = persons.age.to_numpy(), persons.male.to_numpy(), persons.urban.to_numpy()
    slot = persons.slot.to_numpy()
    member, supporter = slot >= 0, persons.supporter_slot.to_numpy() >= 0
    bg = ~member
    over = np.where(rng.random(len(households)) < 0.20,
                    rng.choice(OVER_REASONS, size=len(households), p=OVER_P), "").astype(object)
    wm0 = np.datetime64(as_of, "M") - MONTHS
    cal = ((wm0 + np.arange(MONTHS)).astype(int) % 12) + 1     # calendar month of m
    retire_age = np.where(male, 60, 55)
    retired = age >= retire_age

    # Pensions ------------------------------------------------------------------------
    r = rng.random(n)
    scheme = np.full(n, "", dtype=object)
    scheme[bg & retired & urban & (r < 0.75)] = ENTERPRISE
    scheme[bg & retired & urban & (r >= 0.75) & (r < 0.83)] = PUBLIC
    scheme[bg & retired & ~urban & (r < 0.25)] = ENTERPRISE
    scheme[bg & retired & ~urban & (r >= 0.25) & (r < 0.28)] = PUBLIC
    scheme[(scheme == "") & (age >= 60) & (r < 0.95)] = RESIDENT
    pension = np.select([scheme == ENTERPRISE, scheme == PUBLIC, scheme == RESIDENT],
                        [_u(rng, 2000, 3500, n), _u(rng, 4000, 6500, n), _u(rng, 150, 250, n)], 0.0)

    # Jobs --------------------------------------------------------------------------------
    working = (age >= 18) & ~retired & (persons.labor_capacity.to_numpy() != "无")
    p_emp = np.where(member, 0.30, np.where(supporter, 0.85, np.where(age < 23, 0.35, np.where(urban, 0.72, 0.55))))
    employed = working & (rng.random(n) < p_emp)
    median = np.where(urban, 4800.0, 3600.0)
    wage = np.where(member, _u(rng, 800, 2200, n),
                    np.clip(np.round(median * rng.lognormal(0, 0.4, n), -1), 2000, 40000))
    r2 = rng.random(n)
    start = np.where((r2 >= 0.82) & (r2 < 0.91), rng.integers(1, MONTHS, n), 0)
    end = np.where(r2 >= 0.91, rng.integers(0, MONTHS - 1, n), MONTHS - 1)
    insured = employed & (rng.random(n) < np.where(member, 0.15, 0.85))

    # Over-income applicant households: one member earns (or draws a pension) well above.
    for s in np.flatnonzero(over == "income"):
        idx = np.flatnonzero(slot == s)
        need = 1.35 * standard(households.county_code.iat[s]) * len(idx)
        work = idx[working[idx]]
        if len(work) or not retired[idx].any():    # (an adult without labour capacity still may earn)
            i = work[rng.integers(len(work))] if len(work) else idx[np.argmax(age[idx])]
            employed[i], insured[i] = True, rng.random() < 0.7
            wage[i], start[i], end[i] = max(float(_u(rng, 2500, 5500, 1)[0]), np.ceil(need / 10) * 10), 0, MONTHS - 1
        else:
            i = idx[retired[idx]][0]
            scheme[i], pension[i] = ENTERPRISE, max(float(_u(rng, 2200, 3200, 1)[0]), np.ceil(need / 10) * 10)

    city = persons.county_code.map(lambda c: COUNTY_BY_CODE[c].city).to_numpy()
    employer = np.full(n, "", dtype=object)
    public = np.zeros(n, dtype=bool)
    pools = employer_pools(rng)
    for c, (firms, bodies) in pools.items():
        idx = np.flatnonzero(employed & (city == c))
        pub = bg[idx] & (rng.random(len(idx)) < 0.12)
        employer[idx] = np.where(pub, rng.choice(bodies, len(idx)), rng.choice(firms, len(idx)))
        public[idx] = pub

    tax, si = [], []
    e = np.flatnonzero(employed)
    rep, m = expand(start[e], end[e])
    p = e[rep]
    amt = wage[p] * (1 + rng.normal(0, 0.03, len(p)))
    bonus = bg[p] & (cal[m] == 1) & (rng.random(len(p)) < 0.3)
    amt = np.round(amt + bonus * wage[p] * rng.uniform(0.5, 2, len(p)), 2)
    tax.append(_table({"person": p, "m": m, "income_item": "工资薪金", "amount": amt, "payer": employer[p]}))
    ins = insured[p]
    base = np.clip(np.round(wage, -2), 3900, 20000)
    for kind, rate, who in ((ENTERPRISE, 0.08, ins & ~public[p]), (PUBLIC, 0.08, ins & public[p]),
                            ("职工基本医疗保险", 0.02, ins & (p % 2 == 0))):
        q = p[who]
        si.append(_table({"person": q, "m": m[who], "insurance_type": kind, "record_type": "缴费",
                                "employer": employer[q], "base": base[q], "amount": np.round(base[q] * rate, 2)}))
    # Unemployment benefit after an insured job ended inside the window.
    u = np.flatnonzero(insured & (end < MONTHS - 1) & (rng.random(n) < 0.6))
    rep, m = expand(end[u] + 1, np.minimum(end[u] + 12, MONTHS - 1))
    q = u[rep]
    si.append(_table({"person": q, "m": m, "insurance_type": "失业保险", "record_type": "待遇",
                            "employer": "", "base": np.nan, "amount": _u(rng, 1400, 1900, n)[q]}))
    # Pensions paid from the month after reaching pension age; January raises of ~3%.
    pens = np.flatnonzero(scheme != "")
    page = np.where(scheme[pens] == RESIDENT, 60, retire_age[pens])
    due = persons.birth_date.to_numpy()[pens].astype("datetime64[M]") + (page * 12 + 1).astype("timedelta64[M]")
    first = np.maximum((due - wm0).astype(int), 0)
    rep, m = expand(first, np.full(len(pens), MONTHS - 1))
    q = pens[rep]
    raised = np.cumsum(cal == 1)[m] * (scheme[q] != RESIDENT)
    si.append(_table({"person": q, "m": m, "insurance_type": scheme[q], "record_type": "待遇", "employer": "",
                            "base": np.nan, "amount": np.round(pension[q] * 1.03 ** (raised - 2), 2)}))
    # 城乡居民 pension contributions: rural adults without a job, once a year.
    rc = np.flatnonzero(~urban & (age >= 18) & (age < 60) & ~employed & (rng.random(n) < 0.5))
    month = rng.integers(3, 10, len(rc))
    hit = cal[None, :] == month[:, None]
    q, m = rc[np.nonzero(hit)[0]], np.nonzero(hit)[1]
    levels = np.where(member[q], rng.choice([100.0, 200.0], len(q)), rng.choice([200.0, 300.0, 500.0], len(q)))
    si.append(_table({"person": q, "m": m, "insurance_type": RESIDENT, "record_type": "缴费",
                            "employer": "", "base": np.nan, "amount": levels}))
    # Occasional 劳务报酬, quarterly interest, rare lottery wins.
    adult = (age >= 18) & (age < 75)
    lab = np.flatnonzero(adult & (rng.random(n) < np.where(member, 0.02, 0.04)))
    k = rng.integers(1, 5, len(lab))
    q = np.repeat(lab, k)
    tax.append(_table({"person": q, "m": rng.integers(0, MONTHS, len(q)), "income_item": "劳务报酬",
                             "amount": np.round(np.where(member[q], rng.uniform(500, 1500, len(q)),
                                                         rng.uniform(800, 6000, len(q))), 2),
                             "payer": rng.choice(LABOR_PAYERS, len(q))}))
    saver = over[np.maximum(slot, 0)] == "deposits"
    itr = np.flatnonzero(adult & (rng.random(n) < np.where(member, 0.5 * saver, 0.06)))
    qm = np.flatnonzero(cal % 3 == 0)
    q, m = np.repeat(itr, len(qm)), np.tile(qm, len(itr))
    tax.append(_table({"person": q, "m": m, "income_item": "利息股息红利",
                             "amount": np.round(rng.uniform(20, 1500, n)[q] * rng.uniform(0.9, 1.1, len(q)), 2),
                             "payer": np.array(INTEREST_PAYERS)[q % len(INTEREST_PAYERS)]}))
    lot = np.flatnonzero(bg & adult & (rng.random(n) < 0.004))
    tax.append(_table({"person": lot, "m": rng.integers(0, MONTHS, len(lot)), "income_item": "偶然所得",
                             "amount": np.round(rng.uniform(1000, 20000, len(lot)), 2),
                             "payer": rng.choice(LOTTERY, len(lot))}))
    tax_rows, si_rows = concat(tax), concat(si)
    del tax, si
    fit_households(persons, households, over, tax_rows, si_rows)
    return Income(tax_rows, si_rows, over)


def monthly_income(persons: pd.DataFrame, tax: Rows, si: Rows) -> pd.Series:
    """Per person: average monthly income over the last 12 months of the window (tax income
    except one-off items, plus social-insurance benefits)."""
    t = (tax["m"] >= MONTHS - 12) & ~tax.isin("income_item", EXCLUDED_ITEMS)
    b = (si["m"] >= MONTHS - 12) & si.isin("record_type", ["待遇"])
    rows = pd.DataFrame({"person": np.concatenate([tax["person"][t], si["person"][b]]),
                         "amount": np.concatenate([tax["amount"][t], si["amount"][b]])})
    total = rows.groupby("person").amount.sum()
    return (total / 12).reindex(np.arange(len(persons)), fill_value=0.0)


def fit_households(persons, households, over, tax: Rows, si: Rows) -> None:
    """Hold planned-clean applicant households at <= 85% of the standard per capita (scale
    wages, service income and unemployment benefit down, or drop the job if little is left);
    lift planned over-income households to >= 125%. Changes `tax` and `si` in place."""
    n, h = len(persons), len(households)
    slot = persons.slot.to_numpy()
    inc = monthly_income(persons, tax, si).to_numpy()
    tf = tax.isin("income_item", ["工资薪金", "劳务报酬"])
    uf = si.isin("insurance_type", ["失业保险"])
    rt, ru = tf & (tax["m"] >= MONTHS - 12), uf & (si["m"] >= MONTHS - 12)
    flex_p = (np.bincount(tax["person"][rt], weights=tax["amount"][rt], minlength=n)
              + np.bincount(si["person"][ru], weights=si["amount"][ru], minlength=n)) / 12
    mem = slot >= 0
    total = np.bincount(slot[mem], weights=inc[mem], minlength=h)
    flex = np.bincount(slot[mem], weights=flex_p[mem], minlength=h)
    limit = households.county_code.map(standard).to_numpy() * np.bincount(slot[mem], minlength=h)
    hh_scale = np.ones(h)
    up = (over == "income") & (total > 0) & (total < 1.25 * limit)
    hh_scale[up] = 1.3 * limit[up] / total[up]
    down = (over != "income") & (total > 0.85 * limit) & (flex > 0)
    hh_scale[down] = np.maximum(0.0, (0.8 * limit[down] - (total - flex)[down]) / flex[down])
    scale = np.where(mem, hh_scale[np.maximum(slot, 0)], 1.0)
    if (scale == 1).all():
        return
    st, ss = scale[tax["person"]], scale[si["person"]]
    benefit = si.isin("record_type", ["待遇"])
    tax["amount"] = np.round(tax["amount"] * np.where(tf | (st > 1), st, 1.0), 2)
    si["amount"] = np.round(si["amount"] * np.where(uf | (benefit & (ss > 1)), ss, 1.0), 2)
    drop_t = (st < 0.3) & tf
    drop_s = (ss < 0.3) & (uf | si.isin("record_type", ["缴费"]))
    del st, ss, benefit
    tax.take(np.flatnonzero(~drop_t))
    si.take(np.flatnonzero(~drop_s))
