"""One source's rows as plain columns, cheap enough for tens of millions of rows.

A `Rows` is a dict of equal-length numpy arrays. A column with few distinct values (an
income item, an employer, a period, the noise kinds) is kept as small integer codes into
its labels and decoded only when read (`rows[name]`), so a row costs a few dozen bytes
rather than the hundreds pandas' Arrow-backed `str` columns take. Other text columns are
`object` arrays pointing at shared Python strings. Reordering works one column at a time
(a source never exists twice in memory), and the record id is kept as its number, spelled
(`TAX000000001`) only for the slices being written. `slice` and `frame` hand out small
pieces for the writers and the truth.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np
import pandas as pd
import pyarrow as pa


def text(values, n: int | None = None) -> np.ndarray:
    """An `object` array of the values (a scalar is repeated `n` times, all rows sharing it)."""
    if isinstance(values, str):
        out = np.empty(n, dtype=object)
        out[:] = values
        return out
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype=object)
    return np.asarray(values, dtype=object)


def code_type(n_labels: int) -> type:
    return np.int8 if n_labels <= 127 else np.int16 if n_labels <= 32767 else np.int32


BLOCK = 1 << 20
"""Rows coded (or drawn, see noise.py) at a time."""


def encode(values, block: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels) with labels[codes] == values; labels in order of first appearance.

    Coded a block of rows at a time (pandas' factorize of a whole column of tens of millions
    of rows would hold 8-byte codes and a copy of the column).
    """
    if isinstance(values, str):
        raise TypeError("encode a column, not a scalar")
    values = np.asarray(values)
    block = block or BLOCK
    found: dict = {}                            # value -> code
    firsts = []                                 # each value as factorize spelled it first
    codes = np.empty(len(values), dtype=np.int32)
    for lo in range(0, len(values), block):
        part, uniques = pd.factorize(values[lo:lo + block], use_na_sentinel=False)
        uniques = np.asarray(uniques)
        lookup = np.empty(len(uniques), dtype=np.int32)
        for i, u in enumerate(uniques.tolist()):
            code = found.get(u)
            if code is None:
                code = found[u] = len(found)
                firsts.append(uniques[i:i + 1])
            lookup[i] = code
        codes[lo:lo + block] = lookup[part]
    labels = np.concatenate(firsts) if firsts else values[:0]
    if labels.dtype.kind in "OUS":
        labels = labels.astype(object)
    return codes.astype(code_type(len(labels))), labels


class Rows:
    """Equal-length columns; `record_no` (the number) stands for the `record_id` column.

    `labels[name]`, when present, says that `data[name]` holds codes into those labels.
    """

    def __init__(self, columns: dict[str, np.ndarray], prefix: str = "",
                 labels: dict[str, np.ndarray] | None = None):
        self.data = dict(columns)
        self.prefix = prefix
        self.labels = dict(labels or {})

    def __len__(self) -> int:
        return len(next(iter(self.data.values()))) if self.data else 0

    @property
    def columns(self) -> list[str]:
        return ["record_id" if c == "record_no" else c for c in self.data]

    def __contains__(self, name: str) -> bool:
        return name in self.data or (name == "record_id" and "record_no" in self.data)

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "record_id" and "record_no" in self.data:
            return np.array([f"{self.prefix}{i:09d}" for i in self.data["record_no"].tolist()], dtype=object)
        if name in self.labels:
            return self.labels[name][self.data[name]]
        return self.data[name]

    def __setitem__(self, name: str, values: np.ndarray) -> None:
        self.data[name] = values
        self.labels.pop(name, None)

    def set_coded(self, name: str, codes: np.ndarray, labels: np.ndarray) -> None:
        self.data[name] = codes
        self.labels[name] = labels

    def coded(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, labels) of a column, coding it if it is not."""
        if name not in self.labels:
            self.set_coded(name, *encode(self.data[name]))
        return self.data[name], self.labels[name]

    def isin(self, name: str, values) -> np.ndarray:
        """Rows whose value is one of `values` (as `pandas.Series.isin`)."""
        if name in self.labels:
            hit = pd.Series(self.labels[name], dtype=object).isin(values).to_numpy()
            return hit[self.data[name]]
        return pd.Series(self.data[name], dtype=object).isin(values).to_numpy()

    def test(self, name: str, fn) -> np.ndarray:
        """`fn(column)` for an elementwise test, evaluated on the labels of a coded column."""
        if name in self.labels:
            return np.asarray(fn(self.labels[name]), dtype=bool)[self.data[name]]
        return np.asarray(fn(self.data[name]), dtype=bool)

    def cells(self, name: str) -> list:
        """The column as text cells: str(value), None where empty."""
        if name in self.labels:
            labels = self.labels[name]
            spelled = np.empty(len(labels), dtype=object)
            spelled[:] = [None if pd.isna(v) else str(v) for v in labels.tolist()]
            return spelled[self.data[name]].tolist()
        if name == "record_id" and "record_no" in self.data:
            return [f"{self.prefix}{i:09d}" for i in self.data["record_no"].tolist()]
        cells = self[name].tolist()
        if set(map(type, cells)) <= {str, type(None)}:    # str(x) is x: the common case, checked fast
            return cells
        missing = pd.isna(np.asarray(self[name], dtype=object)).tolist()
        return [None if m else str(x) for x, m in zip(cells, missing)]

    def take(self, index: np.ndarray) -> None:
        """Reorder (or filter, or repeat) every column in place, one column at a time."""
        for name in list(self.data):
            self.data[name] = self.data[name][index]

    def slice(self, lo: int, hi: int) -> Rows:
        return Rows({name: v[lo:hi] for name, v in self.data.items()}, self.prefix, self.labels)

    def frame(self, columns: list[str] | None = None, index: np.ndarray | None = None) -> pd.DataFrame:
        """A small pandas frame of some columns (and rows), record_id spelled and codes decoded."""
        part = self if index is None else Rows({c: v[index] for c, v in self.data.items()}, self.prefix, self.labels)
        return pd.DataFrame({c: part[c] for c in (columns or part.columns)})


def concat(parts: list[Rows]) -> Rows:
    """The parts' rows one after another; each part's column is dropped once copied.

    A column coded in every part stays coded (the parts' labels merged); otherwise parts
    are decoded first.
    """
    out = Rows({})
    for name in list(parts[0].data):
        if all(name in p.labels for p in parts):
            merged: dict = {}
            remapped = []
            for p in parts:
                lookup = np.array([merged.setdefault(v, len(merged)) for v in p.labels[name].tolist()], dtype=np.int64)
                remapped.append(lookup)
            labels = np.empty(len(merged), dtype=object)
            labels[:] = list(merged)
            codes = np.concatenate([lookup[p.data[name]] for lookup, p in zip(remapped, parts)])
            out.set_coded(name, codes.astype(code_type(len(labels))), labels)
        else:
            out[name] = np.concatenate([p[name] for p in parts])
        for p in parts:
            del p.data[name]
            p.labels.pop(name, None)
    return out


def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):         # not glibc: nothing to trim
        return None


_TRIM = _malloc_trim()


def release_memory() -> None:
    """Hand memory freed by the last source back to the system (glibc's heap keeps freed
    small blocks, pyarrow's pool its pages) before the next one is built."""
    if _TRIM is not None:
        _TRIM(0)
    pa.default_memory_pool().release_unused()
