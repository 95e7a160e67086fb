"""Coded values (救助类别, 所得项目, 状态 …) checked against what a field allows.

Example:
    >>> from connectors.schema import TABLES
    >>> parse_category(" 低保 ", TABLES["applicants"].field("program"))
    'dibao'
    >>> parse_category("工资、薪金所得", TABLES["tax"].field("income_item"))
    '工资薪金'
"""

from __future__ import annotations

import re

from connectors.schema import Field
from connectors.values.text import as_text, fold_width, shorten

_WHITESPACE = re.compile(r"\s+")
_LOOKUPS: dict[int, tuple[Field, dict[str, str]]] = {}


def fold_code(text: str) -> str:
    """The comparison key of a coded value: width-folded, no spaces, case-insensitive."""
    return _WHITESPACE.sub("", fold_width(text)).casefold()


_QUALIFIER = re.compile(r"\([^()]*\)")
_PROGRAMME_TAILS = ("救助金", "保障金", "供养金", "金", "对象", "人员", "户", "家庭", "救助")


def _programme_keys(key: str) -> list[str]:
    """Other keys a programme label written the way agencies' systems name their lists may have:
    without a bracketed qualifier (最低生活保障（城市）, 医疗救助（门诊）) and without one word of
    what the list holds (低保救助, 临时救助金, 特困供养人员, 低保户). An inbox probe's five such
    labels were refused with their households; 住房保障 (another scheme) and 低保边缘户 (not a
    programme here) still are.

    >>> _programme_keys(fold_code("医疗救助（门诊）")), _programme_keys("临时救助金")
    (['医疗救助', '医疗'], ['临时救助金', '临时'])
    """
    bare = _QUALIFIER.sub("", key)
    return [bare] + [bare[: -len(tail)] for tail in _PROGRAMME_TAILS if bare.endswith(tail) and len(bare) > len(tail) + 1][:1]


def _lookup(field: Field) -> dict[str, str]:
    # Field holds a dict, so it is unhashable; cache by identity and keep the field alive so
    # its id cannot be reused by another object.
    cached = _LOOKUPS.get(id(field))
    if cached is None or cached[0] is not field:
        table = {fold_code(label): value for label, value in field.labels.items()}
        table.update({fold_code(value): value for value in field.allowed})
        cached = _LOOKUPS[id(field)] = (field, table)
    return cached[1]


def accepted_values(field: Field) -> str:
    """The accepted spellings of a field, for an error message."""
    text = ", ".join(field.allowed)
    extra = [label for label in field.labels if label not in field.allowed]
    if len(extra) > 8:   # the registers' many spellings would bury the list a clerk needs
        return f"{text} (also {len(extra)} other spellings of them, such as {', '.join(extra[:6])})"
    return f"{text} (also: {', '.join(extra)})" if extra else text


def parse_category(raw: object, field: Field) -> str:
    """Map one coded value to the canonical value of `field`.

    Args:
        raw: The value as written.
        field: A `category` field of the schema (its `allowed` and `labels`).

    Returns:
        The canonical value. An empty string means the spelling explicitly says "none"
        (e.g. 残疾等级 `无`), which the caller stores as null.

    Raises:
        ValueError: not one of the accepted values; the message lists them.
    """
    text = as_text(raw)
    key = fold_code(text)
    if not field.allowed:
        if not key:
            raise ValueError(f"an empty value is not accepted for {field.name}")
        return _WHITESPACE.sub(" ", fold_width(text)).strip()
    value = _lookup(field).get(key)
    if value is None and field.name == "program":
        value = next((v for v in map(_lookup(field).get, _programme_keys(key)) if v), None)
    if value is None:
        got = shorten(text) if key else "an empty value"
        raise ValueError(f"{got} is not an accepted {field.name}; accepted: {accepted_values(field)}")
    return value
