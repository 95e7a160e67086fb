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
import pandas as pd

from . import rows as _rows
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


def _below(rng: np.random.Generator, n: int, p: list[float]) -> list[np.ndarray]:
    """`[u[:, j] < p[j] for j]` for `u = rng.random((n, len(p)))`, drawn a block of rows at a time:
    the same numbers, without holding n x len(p) floats."""
    block = _rows.BLOCK
    out = [np.empty(n, dtype=bool) for _ in p]
    for lo in range(0, n, block):
        u = rng.random((min(block, n - lo), len(p)))
        for j, pj in enumerate(p):
            out[j][lo:lo + len(u)] = u[:, j] < pj
    return out


def _tag(noise: np.ndarray, idx, kind: str) -> None:
    for i in idx:
        noise[i] = f"{noise[i]},{kind}" if noise[i] else kind


def apply(rng: np.random.Generator, ids: np.ndarray, names: np.ndarray, birth_year: np.ndarray,
          relative_ids: np.ndarray, person: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Written ID, written name and noise kinds for each row (true values in, noisy out).

    With `person`, the four arrays are per person and row i is person[i]'s (nothing is
    gathered per row but the written values); without it they are per row.
    """
    if person is None:
        person = np.arange(len(ids))
    n = len(person)
    wid, wname = np.asarray(ids, dtype=object)[person], np.asarray(names, dtype=object)[person]
    noise = np.full(n, "", dtype=object)
    kind_of = _primary(rng, n)
    changed = []                               # rows whose ID is no longer the true one
    done = []
    for i in kind_of["legacy"]:
        if birth_year[person[i]] < 2000:
            wid[i] = to_legacy(ids[person[i]])
            done.append(i)
    _tag(noise, done, "legacy")
    changed += done
    _tag(noise, kind_of["wrong_digit"], "wrong_digit")
    for i in kind_of["wrong_digit"]:
        wid[i] = wrong_digit(rng, ids[person[i]])
    done = []
    for i in kind_of["swap"]:
        s = swap(rng, ids[person[i]])
        if s:
            wid[i] = s
            done.append(i)
    _tag(noise, done, "swap")
    changed += done
    rel = [i for i in kind_of["relative_id"] if relative_ids[person[i]]]
    wid[rel] = relative_ids[person[rel]]
    _tag(noise, rel, "relative_id")
    wid[kind_of["missing"]] = None
    _tag(noise, kind_of["missing"], "missing")
    present = pd.notna(wid)
    tail_x = np.fromiter((isinstance(w, str) and w.endswith("X") for w in ids), dtype=bool, count=len(ids))
    ends_x = tail_x[person]                    # true IDs per person; then the rows written otherwise
    for i in [*changed, *kind_of["wrong_digit"], *rel, *kind_of["missing"]]:
        ends_x[i] = wid[i] is not None and wid[i].endswith("X")
    low = np.flatnonzero(present & ends_x & _below(rng, n, [LOWER_X])[0])
    del ends_x
    wid[low] = [w[:-1] + "x" for w in wid[low]]
    _tag(noise, low, "lowercase_x")
    u2 = _below(rng, n, [p for _, p in ID_FORMAT])
    for j, (kind, p) in enumerate(ID_FORMAT):
        idx = np.flatnonzero(present & u2[j])
        wid[idx] = [fullwidth(w) if kind == "fullwidth" else spaced(rng, w) for w in wid[idx]]
        _tag(noise, idx, kind)
    del u2, present
    u3 = _below(rng, n, [p for _, p in NAME_NOISE])
    for j, (kind, p) in enumerate(NAME_NOISE):
        done = []
        for i in np.flatnonzero(u3[j]):
            s = homophone(rng, wname[i]) if kind == "homophone" else (
                traditional(wname[i]) if kind == "traditional" else stray_space(rng, wname[i]))
            if s:
                wname[i] = s
                done.append(i)
        _tag(noise, done, kind)
    return wid, wname, noise


def _primary(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Rows per primary ID noise kind from `u = rng.random(n)` (drawn a block at a time)."""
    block = _rows.BLOCK
    edges = np.cumsum([0] + [p for _, p in ID_PRIMARY])
    found: dict[str, list] = {k: [] for k, _ in ID_PRIMARY}
    for start in range(0, n, block):
        u = rng.random(min(block, n - start))
        for (k, _), lo, hi in zip(ID_PRIMARY, edges[:-1], edges[1:]):
            found[k].append(np.flatnonzero((u >= lo) & (u < hi)) + start)
    return {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for k, v in found.items()}


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
    seen: dict[str, str | None] = {}          # name -> its GBK-safe spelling, None when it is safe
    for i, v in enumerate(out):
        if isinstance(v, str) and not v.isascii():
            if v not in seen:
                try:
                    v.encode("gbk")
                    seen[v] = None
                except UnicodeEncodeError:
                    seen[v] = "".join(ch if _gbk_ok(ch) else "?" for ch in v)
            if seen[v] is not None:
                out[i] = seen[v]
                lost[i] = True
    return out, lost


def _gbk_ok(ch: str) -> bool:
    try:
        ch.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False
