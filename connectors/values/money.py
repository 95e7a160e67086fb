"""Amounts of money, areas and ownership shares.

Money is yuan with at most 2 decimals (the contract): `3000.123` is a row error, not a
silently different amount. What spreadsheets add is not: they store amounts as binary floats,
so a cell showing 1234.56 often arrives as `1234.5600000000001`; a value within a millionth of
a yuan of a whole fen is that fen (rounded half-up), and its row loads.

Example:
    >>> parse_money("￥1,234.5元"), parse_money("1.5万"), parse_money("1234.5600000000001")
    (Decimal('1234.50'), Decimal('15000.00'), Decimal('1234.56'))
    >>> parse_money("3000.123")
    Traceback (most recent call last):
    ...
    ValueError: '3000.123' has more than 2 decimals: an amount in yuan goes to the fen (0.01), e.g. 3000.12
    >>> parse_number("89.5㎡"), parse_number(65.04000000000002), parse_share("1/2"), parse_share("50%")
    (89.5, 65.04, 0.5, 0.5)
    >>> parse_share("共同共有")  # joint owners: each row lists the whole property
    1.0
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from connectors.values.text import as_text, fold_width, shorten

CENT = Decimal("0.01")
FLOAT_NOISE = Decimal("0.000001")
"""Distance from a whole fen still read as that fen: a float's storage artefact, not a digit."""
MONEY_LIMIT = Decimal(10) ** 16  # decimal128(18, 2) holds 16 digits before the point
MONEY_FORMS = "1234.5, 1,234.50, ¥1234.50, 1234.50元 or 1.5万"
NUMBER_FORMS = "89.5, 1,089.5, 89.5㎡ or 89.5平方米"
SHARE_FORMS = "a fraction above 0 and at most 1 such as 0.5, 50%, 1/2 or 二分之一; 单独所有, 共同共有 or empty mean 1"
SOLE_OWNER = frozenset({"单独所有", "单独", "独有", "个人所有", "全部", "全部所有", "100%"})
JOINT_OWNER = frozenset({"共同共有", "家庭共有"})
"""Joint ownership without quantified shares (typically spouses): each owner holds the whole property."""

_WHITESPACE = re.compile(r"\s+")
_CURRENCY_PREFIX = re.compile(r"^(?P<sign>[-+]?)(?:¥|RMB|CNY|人民币)")
_CURRENCY_SUFFIX = re.compile(r"(?:元|圆|RMB|CNY)$")
_AREA_SUFFIX = re.compile(r"(?:㎡|m²|m2|M2|平方米|平米|平方)$")
_NUMBER = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<frac>\d*))?$")
_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_CN_FRACTION = re.compile(r"^([0-9一二两三四五六七八九十]+)分之([0-9一二三四五六七八九十]+)$")
"""二分之一 (one half), 三分之二 …: a register's share in words."""
_CN_NUMBERS = {c: n for n, c in enumerate("零一二三四五六七八九十")} | {"两": 2}


def _cn_number(text: str) -> int | None:
    """1 to 99 written as digits or in characters (十, 十二, 二十, 二十五)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_NUMBERS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_NUMBERS[tens] if tens else 1) * 10 + (_CN_NUMBERS[ones] if ones else 0)


def _decimal(text: str) -> Decimal | None:
    match = _NUMBER.match(text)
    if not match or not (match["int"] or match["frac"]):
        return None
    value = Decimal(f"{match['int'].replace(',', '') or '0'}.{match['frac'] or '0'}")
    return -value if match["sign"] == "-" else value


def _clean(raw: object) -> str:
    if isinstance(raw, float) and not math.isfinite(raw):
        return repr(raw)
    return _WHITESPACE.sub("", fold_width(as_text(raw)))


_ACCOUNTING_NEGATIVE = re.compile(r"\((?P<b>[^()\-+]+)\)|(?P<t>[0-9][0-9,.]*)-")


def parse_money(raw: object, negative_ok: bool = False) -> Decimal:
    """Parse an amount in yuan to a Decimal with exactly 2 decimals.

    Args:
        raw: Text such as `¥1,234.50`, `1234.5元`, `１２３４`, `1.5万`; an int, float or Decimal.
        negative_ok: Accept negative amounts (refunds, corrections).

    Raises:
        ValueError: not an amount, more than 2 decimals (beyond a float's noise), negative
            when not allowed, or beyond 16 digits.
    """
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not an amount of money; accepted: {MONEY_FORMS}")
    if isinstance(raw, Decimal):
        value = raw if raw.is_finite() else None
    else:
        text = _clean(raw)
        # an accountant's negative: (123.00) or 123.00- (a ledger export); refused, it read "not an
        # amount" (a probe), where it is an amount below zero
        bracketed = _ACCOUNTING_NEGATIVE.fullmatch(text)
        if bracketed:
            text = "-" + (bracketed["b"] or bracketed["t"])
        match = _CURRENCY_PREFIX.match(text)
        if match:
            text = match["sign"] + text[match.end():]
        text = _CURRENCY_SUFFIX.sub("", text)
        factor = 10000 if text.endswith("万") else 1
        value = _decimal(text.removesuffix("万"))
        value = value * factor if value is not None else None
    if value is None:
        got = "an empty value" if raw is None or not str(raw).strip() else shorten(str(raw))
        raise ValueError(f"{got} is not an amount of money; accepted: {MONEY_FORMS}")
    if abs(value) >= MONEY_LIMIT - CENT / 2:
        raise ValueError(f"{shorten(as_text(raw))} is too large for an amount in yuan "
                         "(at most 16 digits before the decimal point)")
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(value - rounded) > FLOAT_NOISE:
        raise ValueError(f"{shorten(as_text(raw))} has more than 2 decimals: an amount in yuan goes to the fen "
                         f"(0.01), e.g. {rounded}")
    value = rounded
    if value == 0:
        value = abs(value)  # no "-0.00"
    if value < 0 and not negative_ok:
        raise ValueError(f"{shorten(as_text(raw))} is negative; this amount must be 0 or more")
    return value


def parse_number(raw: object, negative_ok: bool = False) -> float:
    """Parse a measured quantity such as a floor area (`89.5`, `89.5㎡`, `89.5平方米`).

    Raises:
        ValueError: not a number, or negative when not allowed.
    """
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
        value: Decimal | None = Decimal(repr(raw))
    else:
        value = None if isinstance(raw, bool) else _decimal(_AREA_SUFFIX.sub("", _clean(raw)))
    if value is not None and value.is_finite() and value.as_tuple().exponent < -6:
        # a spreadsheet's or a JSON float's noise (65.04000000000002 for 65.04): a register
        # measures to the centimetre, and the noise moved a co-owner's area by 0.01 m² (an export probe)
        value = value.quantize(FLOAT_NOISE, rounding=ROUND_HALF_UP)
    result = float(value) if value is not None else math.nan
    if not math.isfinite(result):
        got = "an empty value" if raw is None or not str(raw).strip() else shorten(str(raw))
        raise ValueError(f"{got} is not a number; accepted: {NUMBER_FORMS}")
    if result < 0 and not negative_ok:
        raise ValueError(f"{shorten(as_text(raw))} is negative; this value must be above 0")
    return result + 0.0  # + 0.0 turns -0.0 into 0.0


def parse_share(raw: object) -> float:
    """Parse a co-ownership share (共有份额) to a fraction in (0, 1].

    Empty and `单独所有` (sole ownership) mean the whole property, and so does `共同共有` (joint
    ownership without quantified shares, very common in registers, typically spouses): each
    joint owner's row lists the whole property, so it is 1.0 for each of them. Two joint owners in
    one household must not count the property twice: the assessment caps one certificate at the
    household's 100% (that is done in `assessment/`, not here).

    Raises:
        ValueError: not a share, zero, or above 1 (`50` is refused: 50% or 0.5 was meant?).
    """
    text = _clean(raw)
    if text.startswith("按份共有") and len(text) > 4:   # 按份共有 50%: the register's form before the share
        text = text[4:].strip(" ：:")
    if not text or text in SOLE_OWNER or text in JOINT_OWNER:
        return 1.0
    value: float | None = None
    try:
        if match := _FRACTION.match(text):
            numerator, denominator = int(match[1]), int(match[2])
            value = numerator / denominator if denominator else None
        elif match := _CN_FRACTION.match(text):
            denominator, numerator = _cn_number(match[1]), _cn_number(match[2])
            value = numerator / denominator if denominator and numerator is not None else None
        elif text.endswith("%"):
            number = _decimal(text[:-1])
            value = float(number / 100) if number is not None else None
        else:
            number = _decimal(text)
            value = float(number) if number is not None else None
    except (InvalidOperation, OverflowError):
        value = None
    if value is None or not 0 < value <= 1:
        raise ValueError(f"{shorten(as_text(raw))} is not an ownership share; accepted: {SHARE_FORMS}")
    return value
