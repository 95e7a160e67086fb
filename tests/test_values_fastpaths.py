"""The vectorised fast paths (`connectors.fastpaths`) agree with the Python value parsers.

The Python parsers in `connectors.values` define what a value means; the fast paths parse the
common spellings of a big file with Arrow and numpy. For generated inputs, every value a fast
path claims must parse to exactly what the Python parser returns, and a whole column parsed by
`parse_field` (fast path + Python for the rest) must equal the Python parser cell by cell,
errors included.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors import fastpaths
from connectors.columns import parse_field
from connectors.schema import TABLES
from connectors.values import check_char, parse_id, parse_money

TAX = TABLES["tax"]

# ---------------------------------------------------------------- money

amounts = st.decimals(min_value=0, max_value=Decimal("99999999999999999.99"), places=2)


@st.composite
def money_texts(draw) -> str:
    """Amounts as departments write them, and near misses the fast path must leave alone."""
    d = draw(amounts)
    plain, grouped = f"{d:f}", f"{d:,f}"
    trimmed = plain.rstrip("0").rstrip(".") if "." in plain else plain
    text = draw(st.sampled_from([plain, grouped, trimmed, f"{d:.1f}", f"{d:.3f}", f"{int(d)}"]))
    prefix = draw(st.sampled_from(["", "", "¥", "￥", "-", "¥¥", "RMB", " "]))
    suffix = draw(st.sampled_from(["", "", "元", "万", "元元", ".", ","]))
    return prefix + text + suffix


junk = st.text(alphabet="0123456789,.¥￥元万- ", min_size=1, max_size=24)


def _python_money(value):
    try:
        return parse_money(value), None
    except ValueError as exc:
        return None, str(exc)


@settings(max_examples=300)
@given(st.lists(st.one_of(money_texts(), junk, st.none()), min_size=1, max_size=40))
@example(["1,234.5", "12,34", "1,2345", "0,000", "9999999999999999.99", "10000000000000000", "9,999,999,999,999,999",
          "1,000,000,000,000,000", "¥元", "元", "¥", ".5", "5.", "00012.10", "１２３"])
def test_money_fast_path_claims_only_what_parse_money_reads_the_same(values):
    claimed, fast = fastpaths.money(pa.chunked_array([pa.array(values, pa.string())]))
    for value, is_claimed, got in zip(values, claimed.to_pylist(), fast.to_pylist()):
        if is_claimed:
            assert _python_money(value) == (got, None), value
        else:
            assert got is None


@settings(max_examples=150)
@given(st.lists(st.one_of(money_texts(), junk, st.none()), min_size=1, max_size=40))
def test_a_money_column_parses_like_parse_money_cell_by_cell(values):
    field = TAX.field("tax_paid")            # optional: an empty cell is not an error
    parsed = parse_field(field, pa.chunked_array([pa.array(values, pa.string())]), "已缴税额")
    got = list(zip(parsed.columns["tax_paid"].to_pylist(), parsed.errors.to_pylist()))
    assert got == [(None, None) if v is None else _python_money(v) for v in values]


# ---------------------------------------------------------------- ID numbers

areas = st.sampled_from(["140105", "140106", "110101", "650102", "000000", "999999"])
births = st.dates(min_value=date(1890, 1, 1), max_value=date.today() + timedelta(days=400))


@st.composite
def id_texts(draw) -> str:
    """18-character IDs, valid and almost valid, and other spellings `parse_id` reads."""
    born = draw(births)
    body = f"{draw(areas)}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    full = body + check_char(body)
    kind = draw(st.sampled_from(["valid", "valid", "lower_x", "wrong_check", "bad_month", "bad_day", "legacy",
                                 "spaced", "fullwidth", "x_inside", "short", "random"]))
    if kind == "lower_x":
        return full[:17] + full[17].lower()
    if kind == "wrong_check":
        return full[:17] + draw(st.sampled_from("0123456789X").filter(lambda c: c != full[17]))
    if kind == "bad_month":
        return full[:10] + draw(st.sampled_from(["00", "13", "99"])) + full[12:]
    if kind == "bad_day":
        return full[:12] + draw(st.sampled_from(["00", "30", "31", "32"])) + full[14:]
    if kind == "legacy":
        return full[:6] + full[8:17]
    if kind == "spaced":
        return f"{full[:6]} {full[6:14]} {full[14:]}"
    if kind == "fullwidth":
        return full.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if kind == "x_inside":
        return full[:9] + "X" + full[10:]
    if kind == "short":
        return full[:17]
    return draw(st.text(alphabet="0123456789Xx", min_size=17, max_size=19))


def _python_id(value) -> tuple:
    info = parse_id(value)
    return info.number, info.status, info.birth_date, info.gender, info.birthplace, info.reason


ID_OUTPUTS = ("id_number", "id_status", "id_birth_date", "id_gender", "id_birthplace", "id_reason")


@settings(max_examples=300)
@given(st.lists(st.one_of(id_texts(), st.none()), min_size=1, max_size=40))
@example(["11010519491231002X", "11010519491231002x", "110105194912310021", "140105190001010019",
          "140105189912310010", "140105200002290013", "140105190002290012"])
def test_id_fast_path_claims_only_numbers_parse_id_calls_valid_with_the_same_parts(values):
    claimed, columns = fastpaths.id_numbers(pa.array(values, pa.string()))
    for i, (value, is_claimed) in enumerate(zip(values, claimed.to_pylist())):
        fast = tuple(columns[c][i].as_py() for c in ID_OUTPUTS)
        if is_claimed:
            assert fast == _python_id(value), value
            assert fast[1] == "valid"
        else:
            assert fast == (None,) * 6


@settings(max_examples=150)
@given(st.lists(st.one_of(id_texts(), st.none()), min_size=1, max_size=40))
def test_an_id_column_parses_like_parse_id_cell_by_cell(values):
    parsed = parse_field(TAX.field("id_number"), pa.chunked_array([pa.array(values, pa.string())]), "证件号码")
    got = list(zip(*(parsed.columns[c].to_pylist() for c in ID_OUTPUTS)))
    assert got == [_python_id(v) for v in values]
    assert parsed.columns["id_raw"].to_pylist() == values


def test_id_fast_path_birth_date_bounds_are_those_of_parse_id():
    days = [date(1900, 1, 1), date(1899, 12, 31), date.today(), date.today() + timedelta(days=1),
            date(2000, 2, 29), date(2024, 2, 29)]
    values = []
    for day in days:
        body = f"140105{day:%Y%m%d}123"
        values.append(body + check_char(body))
    claimed, columns = fastpaths.id_numbers(pa.array(values, pa.string()))
    assert claimed.to_pylist() == [_python_id(v)[1] == "valid" for v in values] == [
        True, False, True, False, True, True]
    assert columns["id_birth_date"].to_pylist() == [days[0], None, days[2], None, days[4], days[5]]
