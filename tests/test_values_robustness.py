"""No parser ever fails with anything but ValueError, whatever a file holds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.schema import TABLES
from connectors.values import (normalise_id_text, normalise_name, parse_category, parse_date, parse_id,
                               parse_money, parse_number, parse_period, parse_share)

PARSERS = {
    "parse_date": parse_date, "parse_period": parse_period, "parse_money": parse_money,
    "parse_money_negative_ok": lambda raw: parse_money(raw, negative_ok=True),
    "parse_number": parse_number, "parse_share": parse_share, "normalise_name": normalise_name,
    "parse_category": lambda raw: parse_category(raw, TABLES["applicants"].field("program")),
    "parse_id": parse_id, "normalise_id_text": normalise_id_text,
}
cells = st.one_of(st.text(), st.text(alphabet="0123456789.,-/年月日¥元万%E+ x"), st.integers(),
                  st.floats(), st.none(), st.booleans())


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(raw=cells)
def test_parsers_raise_only_value_error_on_arbitrary_input(name, raw):
    try:
        PARSERS[name](raw)
    except ValueError as exc:
        assert str(exc)  # a clerk must be told something


@given(st.text())
def test_parse_id_never_raises(text):
    assert parse_id(text).status in ("valid", "repaired", "invalid", "missing")
