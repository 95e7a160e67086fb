"""Resident identity numbers (公民身份号码, GB 11643-1999) as the outside world issues them.

The generator is the outside world, so it computes check characters itself rather than
borrowing the pipeline's parser: a bug there must not make the test data agree with it.

Example:
    >>> check_char("11010519491231002")
    'X'
    >>> is_valid("11010519491231002X")
    True
    >>> to_legacy("11010519491231002X")
    '110105491231002'
"""

from __future__ import annotations

import numpy as np

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = "10X98765432"


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS.tolist())) % 11]


def is_valid(id_number: str) -> bool:
    return (len(id_number) == 18 and id_number[:17].isdigit()
            and id_number[17] == check_char(id_number[:17]))


def to_legacy(id_number: str) -> str:
    """The 15-digit number issued before 1999: no century, no check character."""
    return id_number[:6] + id_number[8:17]


def _check_chars(digits: np.ndarray) -> np.ndarray:
    """Vectorised check characters for an (n, 17) array of digits."""
    return np.array(list(CHECK))[(digits @ WEIGHTS) % 11]


def make_ids(rng: np.random.Generator, birthplace: np.ndarray, birth: np.ndarray,
             male: np.ndarray) -> np.ndarray:
    """Unique 18-character IDs: birthplace code, YYYYMMDD, sequence (odd = male), check.

    `birth` is datetime64[D]; duplicates (twins, namesakes born the same day in the same
    place) are redrawn until every number is unique.
    """
    n = len(birthplace)
    ymd = np.datetime_as_string(birth.astype("datetime64[D]"), unit="D")
    stem = np.char.add(np.asarray(birthplace, dtype="<U6"), np.char.replace(ymd, "-", ""))
    seq = np.zeros(n, dtype=np.int64)
    todo = np.arange(n)
    while len(todo):
        seq[todo] = 2 * rng.integers(1, 500, size=len(todo)) + male[todo].astype(np.int64)
        key = np.char.add(stem, np.char.zfill(seq.astype(str), 3))
        _, first = np.unique(key, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        todo = np.flatnonzero(dup)
    first17 = np.char.add(stem, np.char.zfill(seq.astype(str), 3))
    digits = np.frombuffer("".join(first17.tolist()).encode("ascii"), dtype=np.uint8)
    digits = (digits.reshape(n, 17) - ord("0")).astype(np.int64)
    return np.char.add(first17, _check_chars(digits)).astype(object)
