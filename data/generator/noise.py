"""Clerical noise on IDs and names, applied per row at realistic rates and recorded.

ID (one of): missing, legacy (15 digits), wrong_digit, swap (adjacent digits), relative_id
(a household member's ID on this person's row); then, independently: lowercase_x,
fullwidth (digits), spaces (spaces or hyphens inside). Name: homophone (same pinyin),
traditional characters, stray_space (ASCII or ideographic). gbk_lost: a GBK export
replaced a character GBK cannot encode with '?'. The noise column lists the kinds in
this order, comma-separated, empty when the row is clean.

Example:
    >>> fullwidth("14010519491231002X")
    '１４０１０５１９４９１２３１００２X'
"""

from __future__ import annotations

import numpy as np

from .ids import to_legacy
from .names import HOMOPHONES, TRADITIONAL

ID_PRIMARY = (("missing", 0.05), ("legacy", 0.03), ("wrong_digit", 0.02), ("swap", 0.01), ("relative_id", 0.002))
ID_FORMAT = (("fullwidth", 0.02), ("spaces", 0.02))
LOWER_X = 0.3
"""Share of rows whose ID ends in X that write it lowercase."""
NAME_NOISE = (("homophone", 0.03), ("traditional", 0.02), ("stray_space", 0.02))
KINDS = tuple(k for k, _ in ID_PRIMARY) + ("lowercase_x",) + tuple(k for k, _ in ID_FORMAT) \
    + tuple(k for k, _ in NAME_NOISE) + ("gbk_lost",)
_FW = str.maketrans("0123456789", "０１２３４５６７８９")


def fullwidth(s: str) -> str:
    return s.translate(_FW)


def wrong_digit(rng: np.random.Generator, s: str) -> str:
    pos = int(rng.integers(0, min(17, len(s))))
    d = (int(s[pos]) + int(rng.integers(1, 10))) % 10
    return s[:pos] + str(d) + s[pos + 1:]


def swap(rng: np.random.Generator, s: str) -> str | None:
    spots = [i for i in range(min(16, len(s) - 1)) if s[i] != s[i + 1]]
    if not spots:
        return None
    i = spots[int(rng.integers(len(spots)))]
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]


def spaced(rng: np.random.Generator, s: str) -> str:
    k = int(rng.integers(3))
    if k == 0:
        return f"{s[:6]} {s[6:-4]} {s[-4:]}"
    if k == 1:
        return f"{s[:6]}-{s[6:-4]}-{s[-4:]}"
    pos = int(rng.integers(1, len(s)))
    return s[:pos] + " " + s[pos:]


def homophone(rng: np.random.Generator, name: str) -> str | None:
    spots = [i for i, ch in enumerate(name) if ch in HOMOPHONES]
    if not spots:
        return None
    i = spots[int(rng.integers(len(spots)))]
    alts = HOMOPHONES[name[i]]
    return name[:i] + alts[int(rng.integers(len(alts)))] + name[i + 1:]


def traditional(name: str) -> str | None:
    out = "".join(TRADITIONAL.get(ch, ch) for ch in name)
    return out if out != name else None


def stray_space(rng: np.random.Generator, name: str) -> str:
    sp = " " if rng.random() < 0.6 else "\u3000"
    k = int(rng.integers(3))
    return (name[:1] + sp + name[1:]) if k == 0 else (name + sp if k == 1 else sp + name)


def _tag(noise: np.ndarray, idx, kind: str) -> None:
    for i in idx:
        noise[i] = f"{noise[i]},{kind}" if noise[i] else kind


def apply(rng: np.random.Generator, ids: np.ndarray, names: np.ndarray, birth_year: np.ndarray,
          relative_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Written ID, written name and noise kinds for each row (true values in, noisy out)."""
    n = len(ids)
    wid, wname = np.array(ids, dtype=object), np.array(names, dtype=object)
    noise = np.full(n, "", dtype=object)
    u = rng.random(n)
    edges = np.cumsum([0] + [p for _, p in ID_PRIMARY])
    kind_of = {k: np.flatnonzero((u >= lo) & (u < hi)) for (k, _), lo, hi in zip(ID_PRIMARY, edges[:-1], edges[1:])}
    done = []
    for i in kind_of["legacy"]:
        if birth_year[i] < 2000:
            wid[i] = to_legacy(ids[i])
            done.append(i)
    _tag(noise, done, "legacy")
    _tag(noise, kind_of["wrong_digit"], "wrong_digit")
    for i in kind_of["wrong_digit"]:
        wid[i] = wrong_digit(rng, ids[i])
    done = []
    for i in kind_of["swap"]:
        s = swap(rng, ids[i])
        if s:
            wid[i] = s
            done.append(i)
    _tag(noise, done, "swap")
    rel = [i for i in kind_of["relative_id"] if relative_ids[i]]
    wid[rel] = relative_ids[rel]
    _tag(noise, rel, "relative_id")
    wid[kind_of["missing"]] = None
    _tag(noise, kind_of["missing"], "missing")
    present = np.array([w is not None for w in wid])
    ends_x = np.array([w is not None and w.endswith("X") for w in wid], dtype=bool)
    low = np.flatnonzero(present & ends_x & (rng.random(n) < LOWER_X))
    wid[low] = [w[:-1] + "x" for w in wid[low]]
    _tag(noise, low, "lowercase_x")
    u2 = rng.random((n, 2))
    for j, (kind, p) in enumerate(ID_FORMAT):
        idx = np.flatnonzero(present & (u2[:, j] < p))
        wid[idx] = [fullwidth(w) if kind == "fullwidth" else spaced(rng, w) for w in wid[idx]]
        _tag(noise, idx, kind)
    u3 = rng.random((n, 3))
    for j, (kind, p) in enumerate(NAME_NOISE):
        done = []
        for i in np.flatnonzero(u3[:, j] < p):
            s = homophone(rng, wname[i]) if kind == "homophone" else (
                traditional(wname[i]) if kind == "traditional" else stray_space(rng, wname[i]))
            if s:
                wname[i] = s
                done.append(i)
        _tag(noise, done, kind)
    return wid, wname, noise


def request_id_noise(rng: np.random.Generator, ids: np.ndarray, birth_year: np.ndarray,
                     rate: float = 0.02) -> tuple[np.ndarray, np.ndarray]:
    """IDs as written on an application: ~2% legacy (if born before 2000) or one wrong digit."""
    wid = np.array(ids, dtype=object)
    noise = np.full(len(ids), "", dtype=object)
    for i in np.flatnonzero(rng.random(len(ids)) < rate):
        legacy = birth_year[i] < 2000 and rng.random() < 0.5
        wid[i] = to_legacy(ids[i]) if legacy else wrong_digit(rng, ids[i])
        noise[i] = "legacy" if legacy else "wrong_digit"
    return wid, noise


def gbk_safe(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Replace characters GBK cannot encode with '?', as a GBK export does; mask of changed rows."""
    out = np.array(values, dtype=object)
    lost = np.zeros(len(out), dtype=bool)
    for i, v in enumerate(out):
        if isinstance(v, str) and not v.isascii():
            try:
                v.encode("gbk")
            except UnicodeEncodeError:
                out[i] = "".join(ch if _gbk_ok(ch) else "?" for ch in v)
                lost[i] = True
    return out, lost


def _gbk_ok(ch: str) -> bool:
    try:
        ch.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False
