"""Money, areas and ownership shares."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.values import parse_money, parse_number, parse_share

amounts = st.decimals(min_value=0, max_value=Decimal("9999999999999999.99"), places=2)
FULLWIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def money_spellings(d: Decimal) -> list[str]:
    plain, grouped = f"{d:f}", f"{d:,f}"
    return [plain, grouped, f"¥{grouped}", f"￥{plain}", f"{grouped}元", f"RMB {plain}", f"  {plain}\u3000",
            grouped.translate(FULLWIDTH), f"¥ {grouped} 元", plain.rstrip("0").rstrip(".") or "0"]


@given(amounts)
def test_every_accepted_spelling_of_an_amount_parses_back_equal(d):
    for spelling in money_spellings(d):
        assert parse_money(spelling) == d, spelling


@given(amounts.filter(lambda d: d > 0))
def test_negative_amounts_parse_only_where_the_field_allows_them(d):
    # an accountant's brackets and trailing minus are a negative too (a probe: "(123.00)" was "not an amount")
    for spelling in (f"-{d:f}", f"-¥{d:,f}", f"¥-{d:f}", f"－{d:f}", f"({d:,f})", f"{d:f}-"):
        assert parse_money(spelling, negative_ok=True) == -d
        with pytest.raises(ValueError, match="is negative; this amount must be 0 or more"):
            parse_money(spelling)


@pytest.mark.parametrize("raw, expected", [
    ("1234.5600000000001", Decimal("1234.56")),  # a float artefact from a spreadsheet
    (0.1 + 0.2, Decimal("0.30")),
    ("1234.560", Decimal("1234.56")),            # trailing zeros are no extra decimals
    ("1.2345万", Decimal("12345.00")),
    ("1.5万", Decimal("15000.00")),
    ("2.35万元", Decimal("23500.00")),
    (".5", Decimal("0.50")),
    (1200, Decimal("1200.00")),
    (1234.5, Decimal("1234.50")),
])
def test_amounts_come_to_whole_fen_and_a_floats_noise_is_not_a_decimal(raw, expected):
    assert parse_money(raw) == expected
    assert parse_money(raw).as_tuple().exponent == -2


@pytest.mark.parametrize("raw, message", [
    ("abc", "'abc' is not an amount of money; accepted: 1234.5, 1,234.50, ¥1234.50, 1234.50元"),
    ("1,2345", "is not an amount of money"),      # a comma that is no thousands separator
    ("1.2E+5", "is not an amount of money"),
    ("", "an empty value is not an amount of money"),
    ("12345678901234567", "too large for an amount in yuan"),
    ("3000.123", "'3000.123' has more than 2 decimals: an amount in yuan goes to the fen"),
    ("-0.001", "has more than 2 decimals"),
    ("1.2345678万", "has more than 2 decimals"),
    (Decimal("12.005"), "has more than 2 decimals"),
    (True, "is not an amount of money"),
])
def test_bad_amounts_say_what_is_accepted(raw, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("+", r"\+")):
        parse_money(raw)


@pytest.mark.parametrize("raw, expected", [
    ("89.5", 89.5), ("89.5㎡", 89.5), ("89.5平方米", 89.5), ("1,089.5 m²", 1089.5), ("１２０", 120.0), (75, 75.0),
])
def test_areas_accept_units_and_separators(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["-3", "八十", "", "12.5.1"])
def test_bad_areas_are_refused(raw):
    with pytest.raises(ValueError, match="accepted: 89.5, 1,089.5, 89.5㎡ or 89.5平方米|must be above 0"):
        parse_number(raw)


@pytest.mark.parametrize("raw, expected", [
    (None, 1.0), ("", 1.0), ("单独所有", 1.0), ("0.5", 0.5), ("1/2", 0.5), ("１／３", 1 / 3), ("50%", 0.5),
    ("100%", 1.0), ("1", 1.0),
])
def test_shares_are_fractions_with_sole_ownership_as_one(raw, expected):
    assert parse_share(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["共同共有", " 共同共有 ", "共同 共有", "共同\u3000共有"])
def test_joint_ownership_without_quantified_shares_is_the_whole_property(raw):
    """Probe: 共同共有 (typically spouses) was refused and the whole property row quarantined."""
    assert parse_share(raw) == 1.0


def test_a_refused_share_names_joint_ownership_among_the_accepted_forms():
    with pytest.raises(ValueError, match="单独所有, 共同共有 or empty mean 1"):
        parse_share("一半")


@pytest.mark.parametrize("raw, expected", [("二分之一", 0.5), ("三分之二", 2 / 3), ("两分之一", 0.5), ("十分之三", 0.3),
                                           ("十二分之五", 5 / 12), ("4分之1", 0.25)])
def test_a_share_written_in_words_is_its_fraction(raw, expected):
    """An income probe's register wrote 二分之一, and the row was refused."""
    assert parse_share(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["0", "50", "3/2", "1/0", "共同", "-0.5", "二分之三", "零分之一", "百分之五十"])
def test_shares_outside_zero_to_one_are_refused(raw):
    with pytest.raises(ValueError, match="is not an ownership share; accepted: a fraction above 0"):
        parse_share(raw)
