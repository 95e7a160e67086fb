"""Blocking rule 256: two IDs whose first 17 digits are one wrong digit or one adjacent swap apart
always share one of the `SLIP_BLOCKS` keys (the production SQL), so the join cannot miss a slip,
and their difference as numbers is one of `_SLIP_DIFFERENCES`, so the cheap test before the exact
one cannot drop a slip either."""

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from matching.blocking import _SLIP_DIFFERENCES, SLIP_BLOCKS, _slip_keys_sql

_CON = duckdb.connect()
_KEYS = ", ".join(f"k{n}" for n in range(1, len(SLIP_BLOCKS) + 1))
_SQL = f"SELECT {_KEYS} FROM (SELECT {_slip_keys_sql('b')} FROM (SELECT CAST(? AS BIGINT) AS b))"

bodies = st.text(alphabet="0123456789", min_size=17, max_size=17)


def _keys(body: str) -> tuple:
    return _CON.execute(_SQL, [body]).fetchall()[0]


def _share_a_key(a: str, b: str) -> bool:
    return any(x == y for x, y in zip(_keys(a), _keys(b)))


@given(bodies, st.integers(0, 16), st.integers(1, 9))
def test_a_body_one_wrong_digit_away_shares_a_key(body, position, shift):
    slipped = body[:position] + str((int(body[position]) + shift) % 10) + body[position + 1:]
    assert _share_a_key(body, slipped)


@given(bodies, st.integers(0, 15))
def test_a_body_with_two_adjacent_digits_swapped_shares_a_key(body, position):
    swapped = body[:position] + body[position + 1] + body[position] + body[position + 2:]
    assert _share_a_key(body, swapped)


_DIFFERENCES = {int(d) for d in _SLIP_DIFFERENCES.split(", ")}


@given(bodies, st.integers(0, 16), st.integers(1, 9))
def test_a_body_one_wrong_digit_away_differs_by_an_admitted_amount(body, position, shift):
    slipped = body[:position] + str((int(body[position]) + shift) % 10) + body[position + 1:]
    assert abs(int(body) - int(slipped)) in _DIFFERENCES


@given(bodies, st.integers(0, 15))
def test_a_body_with_two_adjacent_digits_swapped_differs_by_an_admitted_amount(body, position):
    swapped = body[:position] + body[position + 1] + body[position] + body[position + 2:]
    if swapped != body:
        assert abs(int(body) - int(swapped)) in _DIFFERENCES


def test_the_admitted_amounts_fit_the_bigint_bodies_and_leave_most_block_pairs_out():
    assert max(_DIFFERENCES) < 2 ** 63
    # two bodies in one block of the sequence digits (a key's pairs) mostly differ by other amounts
    assert 123 not in _DIFFERENCES and 11 not in _DIFFERENCES and 10 in _DIFFERENCES and 90 in _DIFFERENCES


def test_the_blocks_cover_every_position_and_every_adjacent_pair():
    covered = {p for lo, hi in SLIP_BLOCKS for p in range(lo, hi + 1)}
    assert covered == set(range(1, 18))
    assert all(any(lo <= p and p + 1 <= hi for lo, hi in SLIP_BLOCKS) for p in range(1, 17))


def test_bodies_two_digits_apart_in_different_blocks_share_no_key():
    """The keys are not looser than they need be: a county digit and a sequence digit wrong
    together is no slip, and no key pairs it."""
    body = "14010519900307104"
    assert not _share_a_key(body, "2" + body[1:16] + "9")
