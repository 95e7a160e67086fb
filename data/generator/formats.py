"""Value spellings the contract allows (§2): dates, periods, money, shares.

Each function takes a whole column and returns a column of the chosen spelling; `None`
stands for an empty cell. Styles:

- dates: iso 2024-03-05, slash 2024/3/5, compact 20240305, cn 2024年3月5日,
  serial (Excel serial number), date (a real date value for XLSX / Parquet)
- periods: dash 2024-03, compact 202403, cn 2024年3月
- money: plain 1234.50, comma 1,234.50, yen ¥1234.5, fullyen ￥1,234.50, yuan 1234.5元,
  mixed (plain / comma / yuan per row), number (a float for XLSX / Parquet / JSON)

Example:
    >>> import numpy as np
    >>> fmt_date(np.array(["2024-03-05"], dtype="datetime64[D]"), "cn")
    ['2024年3月5日']
    >>> fmt_money(np.array([1234.5]), "fullyen")
    ['￥1,234.50']
"""

from __future__ import annotations

import datetime as dt

import numpy as np

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def _ymd(d: np.ndarray):
    d = d.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    return y.tolist(), m.tolist(), day.tolist()


def fmt_date(d: np.ndarray, style: str) -> list:
    nat = np.isnat(d)
    safe = np.where(nat, np.datetime64("2000-01-01", "D"), d.astype("datetime64[D]"))
    if style == "serial":
        out = (safe - EXCEL_EPOCH).astype(int).tolist()
    elif style == "date":
        out = safe.astype(dt.date).tolist()
    else:
        y, m, day = _ymd(safe)
        pattern = {"iso": "{0:04d}-{1:02d}-{2:02d}", "slash": "{0}/{1}/{2}", "compact": "{0:04d}{1:02d}{2:02d}",
                   "cn": "{0}年{1}月{2}日"}[style]
        out = [pattern.format(a, b, c) for a, b, c in zip(y, m, day)]
    return [None if n else v for v, n in zip(out, nat.tolist())]


def fmt_period(d: np.ndarray, style: str) -> list:
    y, m, _ = _ymd(d)
    pattern = {"dash": "{0:04d}-{1:02d}", "compact": "{0:04d}{1:02d}", "cn": "{0}年{1}月"}[style]
    return [pattern.format(a, b) for a, b in zip(y, m)]


def _trim(x: float) -> str:
    s = f"{x:.2f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


_MONEY = {
    "plain": lambda x: f"{x:.2f}",
    "comma": lambda x: f"{x:,.2f}",
    "yen": lambda x: "¥" + _trim(x),
    "fullyen": lambda x: f"￥{x:,.2f}",
    "yuan": lambda x: _trim(x) + "元",
}


def mixed_styles(n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """The per-row spelling of a `mixed` money column (drawn once for the whole column)."""
    return (rng or np.random.default_rng(0)).choice(["plain", "comma", "yuan"], n, p=(0.5, 0.3, 0.2))


def fmt_money(x: np.ndarray, style: str, rng: np.random.Generator | None = None,
              pick: np.ndarray | None = None) -> list:
    """`pick`: this slice of the column's `mixed_styles` (else drawn here from `rng`)."""
    vals = np.asarray(x, dtype=float)
    nan = np.isnan(vals).tolist()
    if style == "number":
        return [None if n else v for v, n in zip(vals.tolist(), nan)]
    if style == "mixed":
        pick = mixed_styles(len(vals), rng) if pick is None else pick
        return [None if n else _MONEY[s](v) for v, s, n in zip(vals.tolist(), pick.tolist(), nan)]
    f = _MONEY[style]
    return [None if n else f(v) for v, n in zip(vals.tolist(), nan)]


def fmt_share(share: np.ndarray, style: str, rng: np.random.Generator | None,
              alt: np.ndarray | None = None) -> list:
    """Ownership share: a fraction, or for a sole owner 单独所有 / empty / 1 (text) or 1 / empty (number).

    `alt`: this slice of the column's `rng.random(n)` draw (else drawn here).
    """
    out = []
    alt = (rng.random(len(share)) if alt is None else np.asarray(alt)).tolist()
    for s, a in zip(np.asarray(share, dtype=float).tolist(), alt):
        if s < 1:
            out.append(round(s, 4) if style == "number" else _trim(s))
        elif style == "number":
            out.append(None if a < 0.3 else 1)
        else:
            out.append("单独所有" if a < 0.5 else ("" if a < 0.8 else "1"))
    return out


def fmt_number(x: np.ndarray, as_text: bool) -> list:
    vals = np.asarray(x, dtype=float)
    if as_text:
        return [None if np.isnan(v) else _trim(v) for v in vals.tolist()]
    return [None if np.isnan(v) else v for v in vals.tolist()]
