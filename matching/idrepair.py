"""Valid resident IDs one clerical slip away from an invalid one, computed without a loop.

The ISO 7064 MOD 11-2 check character catches every single wrong digit and every swap of two
adjacent digits, so an ID that fails its check is most likely one such slip away from the
real number. For each of the 17 positions at most one digit makes the check come out right
(the weights are invertible mod 11), so an invalid ID has at most 17 single-substitution
repairs, one repair of the check character itself, and up to 17 adjacent-swap repairs that
validate. Blocking joins these repairs to the IDs on the other side by equality: no fuzzy
join, no quadratic blow-up.

Repairs are returned as integer codes (`id_code`: the 17 digits times 11 plus the check
value, X = 10), which SQL computes the same way (`ID_CODE_SQL`), so millions of candidate
repairs never become strings.

Example:
    >>> t = id_repairs(["140105199003071045"])       # true ID 14010519900307104X
    >>> id_code("14010519900307104X") in t.column("repair_code").to_pylist()
    True
    >>> id_repairs(["14010519900307104X"]).num_rows      # a valid ID needs no repair
    0
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_VALUE = np.array([1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
"""Check value (X = 10) for each residue of the weighted digit sum mod 11."""
RESIDUE_OF_VALUE = np.array([1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
"""Residue for each check value (the map is its own inverse)."""
_INV = np.array([0] + [pow(w, -1, 11) for w in range(1, 11)], dtype=np.int64)
_POW = 10 ** np.arange(16, -1, -1, dtype=np.int64)
KINDS = ("one_substitution", "adjacent_swap")

ID_CODE_SQL = ("CASE WHEN regexp_full_match({col}, '[0-9]{{17}}[0-9X]') THEN "
               "CAST(left({col}, 17) AS BIGINT) * 11 + "
               "CASE WHEN right({col}, 1) = 'X' THEN 10 ELSE CAST(right({col}, 1) AS BIGINT) END END")
"""SQL for `id_code` of a column (NULL unless 17 digits and a digit or X)."""


def id_code(id_number: str) -> int | None:
    """The integer code of an 18-character ID (17 digits times 11 plus the check value)."""
    if len(id_number) != 18 or not id_number[:17].isdigit() or not (id_number[17].isdigit() or id_number[17] == "X"):
        return None
    return int(id_number[:17]) * 11 + (10 if id_number[17] == "X" else int(id_number[17]))


def _parse(ids: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Digits (n, 17), check values (n,) and input indices of the well-formed IDs."""
    ok = pc.fill_null(pc.match_substring_regex(ids, r"^[0-9]{17}[0-9X]$"), False)
    index = np.flatnonzero(ok.to_numpy(zero_copy_only=False))
    if not len(index):
        return np.zeros((0, 17), np.int64), np.zeros(0, np.int64), index
    good = pa.concat_arrays([pc.filter(ids, ok)])  # fresh buffers: offsets start at 0
    raw = np.frombuffer(good.buffers()[2], dtype=np.uint8)[: 18 * len(good)].reshape(-1, 18)
    digits = raw[:, :17].astype(np.int64) - 48
    check = np.where(raw[:, 17] == ord("X"), 10, raw[:, 17].astype(np.int64) - 48)
    return digits, check, index


def _as_array(ids) -> pa.Array:
    arr = ids if isinstance(ids, (pa.Array, pa.ChunkedArray)) else pa.array(list(ids), pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string())


def _x_swapped(ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Codes of `…X7` read as `…7X` (the check X swapped with the last digit), when valid."""
    hit = pc.fill_null(pc.match_substring_regex(ids, r"^[0-9]{16}X[0-9]$"), False)
    index = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
    if not len(index):
        return index, np.zeros(0, np.int64)
    taken = ids.take(pa.array(index))
    fixed = pc.binary_join_element_wise(pc.utf8_slice_codeunits(taken, 0, 16),
                                        pc.utf8_slice_codeunits(taken, 17, 18), "X", "")
    digits, check, keep = _parse(fixed)
    valid = CHECK_VALUE[(digits @ WEIGHTS) % 11] == check
    return index[keep][valid], (digits @ _POW)[valid] * 11 + 10


def code_text(codes: np.ndarray) -> np.ndarray:
    """ID texts of integer codes (vectorised; the inverse of `id_code`)."""
    codes = np.asarray(codes, dtype=np.int64)
    body = np.char.zfill((codes // 11).astype(str), 17)
    return np.char.add(body, np.array(list("0123456789X"))[codes % 11])


def id_repairs(ids, text: bool = False, with_id: bool = False) -> pa.Table:
    """Every valid ID one substitution or one adjacent swap away from each of `ids`.

    Args:
        ids: Normalised ID texts, typically those flagged `invalid` (others yield nothing).

        text: Also return each repair as text (`repair`), for joins on ID text.
        with_id: Also return the invalid ID itself (`id`); `k` is always its index in `ids`.

    Returns:
        Arrow table (k, repair_code, kind [, id] [, repair]): kind `one_substitution` or
        `adjacent_swap`.
    """
    ids = _as_array(ids)
    digits, check, index = _parse(ids)
    value = digits @ _POW
    small = digits.astype(np.int32)
    total = small @ WEIGHTS.astype(np.int32)
    residue = RESIDUE_OF_VALUE.astype(np.int32)[check]   # the residue the written check stands for
    out_idx, out_code, out_kind = [], [], []

    def emit(mask: np.ndarray, code: np.ndarray, kind: int) -> None:
        if mask.any():
            out_idx.append(index[mask])
            out_code.append(code[mask])
            out_kind.append(np.full(int(mask.sum()), kind, np.int8))

    inv = _INV.astype(np.int32)
    base = value * 11 + check
    for p in range(17):                        # one wrong digit, check character kept
        d = ((residue - total + WEIGHTS[p] * small[:, p]) % 11) * inv[WEIGHTS[p]] % 11
        emit((d <= 9) & (d != small[:, p]), base + (d - digits[:, p]) * (_POW[p] * 11), 0)
    right = CHECK_VALUE[total % 11]            # a wrong check character
    emit(right != check, value * 11 + right, 0)
    for p in range(16):                        # two adjacent digits swapped
        a, b = small[:, p], small[:, p + 1]
        ok = (a != b) & ((total + (WEIGHTS[p + 1] - WEIGHTS[p]) * (a - b)) % 11 == residue)
        emit(ok, base + (digits[:, p + 1] - digits[:, p]) * ((_POW[p] - _POW[p + 1]) * 11), 1)
    # the last digit swapped with the check character (both digits)
    a, c = digits[:, 16], check
    ok = (c <= 9) & (a != c) & (CHECK_VALUE[(total + WEIGHTS[16] * (np.minimum(c, 9) - a)) % 11] == a)
    emit(ok, (value + (c - a)) * 11 + a, 1)
    x_index, x_code = _x_swapped(ids)
    if len(x_index):
        out_idx.append(x_index)
        out_code.append(x_code)
        out_kind.append(np.ones(len(x_index), np.int8))
    idx = np.concatenate(out_idx) if out_idx else np.zeros(0, np.int64)
    codes = np.concatenate(out_code) if out_code else np.zeros(0, np.int64)
    table = pa.table({
        "k": pa.array(idx.astype(np.int32), pa.int32()),
        "repair_code": pa.array(codes, pa.int64()),
        "kind": pa.DictionaryArray.from_arrays(
            pa.array(np.concatenate(out_kind) if out_kind else np.zeros(0, np.int8), pa.int8()), pa.array(KINDS)),
    })
    if with_id:
        table = table.append_column("id", ids.take(pa.array(idx, pa.int64())))
    if text:
        table = table.append_column("repair", pa.array(code_text(codes).tolist() if len(codes) else [], pa.string()))
    return table
