"""Vectorised twins of the value parsers for the spellings that make up most of a big file.

A million-row export repeats few spellings: amounts like `1234.50`, `1,234.50`, `￥1234.5` or
`1234.5元`, and clean 18-character ID numbers. Parsing those one Python call per value costs
seconds; here they are parsed with Arrow kernels and numpy over the whole column. Each fast
path *claims* only values whose result it computes exactly as the Python parser would
(`connectors.values`) and leaves every other value (negatives, `万`, odd spaces, 15-digit IDs,
IDs failing their check …) to the Python parser, which stays the single definition of the
semantics and of every error message. `tests/test_values_fastpaths.py` checks, on generated
inputs, that a claimed value parses to exactly what the Python parser returns.

Example:
    >>> import pyarrow as pa
    >>> claimed, value = money(pa.chunked_array([["1,234.5", "￥12元", "-5", None]]))
    >>> claimed.to_pylist(), [str(v) if v is not None else None for v in value.to_pylist()]
    ([True, True, False, False], ['1234.50', '12.00', None, None])
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.values.idnumber import CHECK_CHARS, WEIGHTS

MONEY = pa.decimal128(18, 2)
_NULL = pa.scalar(None, pa.string())

MONEY_SPELLING = (r"^[¥￥]?(?:[0-9]{1,16}|[0-9]{1,3}(?:,[0-9]{3}){1,4}|[0-9],[0-9]{3}(?:,[0-9]{3}){4})"
                  r"(?:\.[0-9]{1,2})?元?$")
"""What `money` claims: at most 16 integer digits (plain or in groups of three), at most 2
decimals, an optional leading `¥`/`￥` and trailing `元`."""


def money(column: pa.ChunkedArray | pa.Array) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Amounts the fast path can parse, and their values.

    Claims a non-negative amount of at most 16 integer digits and 2 decimals, written with
    ASCII digits, optionally with thousands separators, a leading `¥`/`￥` and a trailing `元`
    and nothing else (no spaces: cells arrive trimmed). `parse_money` returns the same Decimal
    for every claimed value.

    Returns:
        (claimed, value): a boolean column (false for nulls and unclaimed values) and the
        decimal128(18, 2) value (null where not claimed).
    """
    claimed = pc.fill_null(pc.match_substring_regex(column, MONEY_SPELLING), False)
    text = pc.if_else(claimed, column, _NULL)
    # One sign at most at each end and commas only between digit groups (the regex): strip them.
    digits = pc.replace_substring(pc.utf8_trim(text, characters="¥￥元"), ",", "")
    return claimed, digits.cast(MONEY)


_CLEAN_ID = r"^[0-9]{17}[0-9Xx]$"
_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)
_CHECK_CODES = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_EARLIEST_BIRTH = np.datetime64("1900-01-01", "D")


def _ascii_matrix(strings: pa.Array, width: int) -> np.ndarray:
    """The bytes of a non-null string array whose every value has `width` bytes, as an (n, width) matrix."""
    _, offsets_buf, data_buf = strings.buffers()
    n = len(strings)
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=n + 1, offset=strings.offset * 4)
    if n and not (np.diff(offsets) == width).all():
        raise ValueError("not every value has the expected width")
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, np.uint8)
    start = int(offsets[0]) if n else 0
    return data[start:start + n * width].reshape(n, width)


def id_numbers(values: pa.Array) -> tuple[pa.Array, dict[str, pa.Array]]:
    """ID numbers the fast path can parse (valid 18-character numbers), and what they say.

    Claims a value of 17 ASCII digits and a digit, `X` or `x`, whose birth date is a real day
    from 1900-01-01 to today and whose check character verifies: exactly the numbers
    `parse_id` calls `valid` without cleaning anything but the case of `x`. Everything else
    (15-digit numbers, spaces, full-width digits, a failing check …) is left to `parse_id`.

    Args:
        values: A string array (e.g. the distinct values of a column).

    Returns:
        (claimed, columns): a boolean array, and `id_number`, `id_status`, `id_birth_date`,
        `id_gender`, `id_birthplace`, `id_reason` arrays aligned with `values` (null where not
        claimed; `id_reason` is always null: a claimed number is valid).
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    n = len(values)
    shaped = pc.fill_null(pc.match_substring_regex(values, _CLEAN_ID), False)
    where = pc.indices_nonzero(shaped)
    candidates = pc.ascii_upper(values.filter(shaped))
    chars = _ascii_matrix(candidates, 18)
    digits = chars[:, :17].astype(np.int64) - 48
    check_ok = _CHECK_CODES[(digits @ _WEIGHTS) % 11] == chars[:, 17]
    year = digits[:, 6] * 1000 + digits[:, 7] * 100 + digits[:, 8] * 10 + digits[:, 9]
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    month_ok = (month >= 1) & (month <= 12)
    first = ((year - 1970) * 12 + np.where(month_ok, month, 1) - 1).astype("datetime64[M]")
    days_in_month = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    born = first.astype("datetime64[D]") + (np.clip(day, 1, 31) - 1)
    birth_ok = (month_ok & (day >= 1) & (day <= days_in_month) & (born >= _EARLIEST_BIRTH)
                & (born <= np.datetime64(date.today(), "D")))
    ok = check_ok & birth_ok
    claimed_where = where.filter(pa.array(ok))
    claimed = np.zeros(n, dtype=bool)
    claimed[claimed_where.to_numpy()] = True
    good = candidates.filter(pa.array(ok))
    k = len(good)
    male = (digits[ok, 16] % 2 == 1)

    def spread(array: pa.Array) -> pa.Array:
        out = pa.nulls(n, array.type)
        return pc.replace_with_mask(out, pa.array(claimed), array) if k else out

    columns = {
        "id_number": spread(good),
        "id_status": spread(pa.array(np.full(k, "valid", dtype=object), pa.string())),
        "id_birth_date": spread(pa.array(born[ok], pa.date32())),
        "id_gender": spread(pa.array(np.where(male, "男", "女").astype(object), pa.string())),
        "id_birthplace": spread(pc.utf8_slice_codeunits(good, 0, 6)),
        "id_reason": pa.nulls(n, pa.string()),
    }
    return pa.array(claimed), columns
