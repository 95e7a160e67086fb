"""Display labels and value formatting shared by the HTML report and summary.xlsx.

Every formatter takes whatever the pipeline handed over (a number, a numeric
string, ``None``, a Jinja ``Undefined``) and returns display text; a missing
value is ``—`` (``DASH``), never ``None`` or an exception.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from jinja2 import Undefined

DASH = "—"

SOURCE_LABELS = {
    "tax": "税务",
    "social_insurance": "社保",
    "vehicle": "车辆",
    "property": "不动产",
    "bank": "金融",
    "declared": "申报",
    # an income basis (`income.evidence_basis`): a month without a wage counted at its contribution base
    "social_insurance_contribution_base": "社保缴费基数",
}
SOURCE_ORDER = ("tax", "social_insurance", "vehicle", "property", "bank")

PROGRAM_LABELS = {
    "dibao": "最低生活保障",
    "tekun": "特困人员供养",
    "medical": "医疗救助",
    "education": "教育救助",
    "housing": "住房救助",
    "employment": "就业救助",
    "temporary": "临时救助",
}

AREA_LABELS = {"urban": "城市", "rural": "农村"}

# outcome -> (label, symbol, css class).  Advice to a caseworker, never a decision.
OUTCOMES = {
    "pass": ("通过", "✔", "pass"),
    "review": ("需复核", "？", "review"),
    "fail": ("不通过", "✘", "fail"),
}
UNKNOWN_OUTCOME = ("未判定", "·", "unknown")

# severity -> (label, symbol, sort rank)
SEVERITIES = {
    "fail": ("不符合", "✘", 0),
    "warn": ("注意", "⚠", 1),
    "info": ("提示", "ℹ", 2),
}

DECISIONS = {"auto": "自动匹配", "review": "待复核", "confirmed": "已确认"}
ID_CHECKS = {"valid": "有效", "repaired": "已修正", "invalid": "校验未通过"}


def missing(value: Any) -> bool:
    return value is None or isinstance(value, Undefined) or (isinstance(value, str) and not value.strip())


def to_number(value: Any) -> float | None:
    """A finite float from a number or numeric string; ``None`` otherwise."""
    if missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", "").replace("¥", "").replace("￥", "").strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def text(value: Any) -> str:
    """Plain display text; ``—`` when missing."""
    return DASH if missing(value) else str(value)


def money(value: Any, signed: bool = False) -> str:
    """``¥1,234.50``; ``-¥12.00``; ``+¥900.00`` when ``signed``; ``—`` when missing."""
    number = to_number(value)
    if number is None:
        return DASH if missing(value) else str(value)
    sign = "-" if number < 0 else ("+" if signed and number > 0 else "")
    return f"{sign}¥{abs(number):,.2f}"


def number(value: Any, digits: int = 2) -> str:
    """``44.75``; ``1,234``; trailing zeros dropped; ``—`` when missing."""
    n = to_number(value)
    if n is None:
        return DASH if missing(value) else str(value)
    formatted = f"{n:,.{digits}f}"
    if "." in formatted:
        formatted = formatted.rstrip("0").rstrip(".")
    return formatted


def percent(value: Any) -> str:
    """Match probability 0..1 as ``99.9%``; never ``100%`` (or ``0%``) unless it is exactly 1 (0).

    A probability that rounds to 100.0 gets more decimals (``0.9999`` is ``99.99%``), and past
    three of them is shown as ``≥99.999%``; likewise ``<0.001%`` near 0.
    """
    n = to_number(value)
    if n is None:
        return DASH if missing(value) else str(value)
    if n >= 1:
        return "100%" if n == 1 else f"{n * 100:.1f}%"
    if n <= 0:
        return "0%" if n == 0 else f"{n * 100:.1f}%"
    for digits in (1, 2, 3):
        pct = n * 100
        shown = f"{pct:.{digits}f}"
        if float(shown) not in (100.0, 0.0):
            return f"{shown}%"
    return "≥99.999%" if n > 0.5 else "<0.001%"


def share(value: Any) -> str:
    """Ownership share 0..1: ``1`` is 单独所有, else ``50%``."""
    n = to_number(value)
    if n is None:
        return DASH if missing(value) else str(value)
    if n >= 1:
        return "单独所有"
    return f"{n * 100:.4g}%"


def source_label(source: Any) -> str:
    if missing(source):
        return DASH
    return SOURCE_LABELS.get(str(source), str(source))


def program_label(program: Any, label: Any = None) -> str:
    if not missing(label):
        return str(label)
    if missing(program):
        return DASH
    return PROGRAM_LABELS.get(str(program), str(program))


def outcome(value: Any) -> tuple[str, str, str]:
    """(label, symbol, css class) for an outcome code."""
    return OUTCOMES.get(str(value), UNKNOWN_OUTCOME) if not missing(value) else UNKNOWN_OUTCOME


def severity(value: Any) -> tuple[str, str, int]:
    """(label, symbol, rank) for a finding severity; unknown severities sort last."""
    if missing(value):
        return ("提示", "ℹ", 3)
    return SEVERITIES.get(str(value), (str(value), "·", 3))


def decision(value: Any) -> str:
    return DASH if missing(value) else DECISIONS.get(str(value), str(value))


def id_check(value: Any) -> str:
    return DASH if missing(value) else ID_CHECKS.get(str(value), str(value))


def parse_date(value: Any) -> date | None:
    """A date from ``2026-11-28``, ``2026-11-28T18:02:11+08:00`` or a date object."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if missing(value):
        return None
    raw = str(value).strip()
    try:
        return datetime.fromisoformat(raw).date()
    except ValueError:
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            return None


def timestamp(value: Any) -> str:
    """``2026-11-28 18:02`` (local time as written) from an ISO timestamp."""
    if missing(value):
        return DASH
    raw = str(value).strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    return moment.strftime("%Y-%m-%d %H:%M")


def days_between(earlier: Any, later: Any) -> int | None:
    first, second = parse_date(earlier), parse_date(later)
    if first is None or second is None:
        return None
    return (second - first).days


FIELD_LABELS = {
    "id_number": "身份证号",
    "name": "姓名",
    "name_pinyin": "姓名拼音",
    "birth_date": "出生日期",
    "gender": "性别",
    "address": "住址",
    "county_code": "区县",
}
LEVEL_LABELS = {
    "exact": "一致",
    "close": "相近",
    "fuzzy": "近似",
    "partial": "部分一致",
    "transposed": "位置互换",
    "missing": "缺失",
    "null": "缺失",
    "another_persons": "是他人的",      # matching.evidence.ANOTHER_PERSONS_ID
    "different": "不一致",
    "mismatch": "不一致",
    "else": "不一致",
    "not_compared": "未比对",
}


def weight_label(weight: Any) -> str:
    """One comparison of a link in words, e.g. 身份证号相邻两位颠倒, using the linker's own
    wording of its levels (`matching.LEVEL_LABELS`) and falling back to field + level."""
    from matching import LEVEL_LABELS as MATCH_LEVELS

    field, level = (weight.get("field"), weight.get("level")) if isinstance(weight, dict) else (None, None)
    label = MATCH_LEVELS.get(str(field), {}).get(str(level))
    return label or f"{field_label(field)}{level_label(level)}"


def field_label(value: Any) -> str:
    return DASH if missing(value) else FIELD_LABELS.get(str(value), str(value))


def level_label(value: Any) -> str:
    return DASH if missing(value) else LEVEL_LABELS.get(str(value), str(value))


def signed(value: Any, digits: int = 1) -> str:
    """A match weight as ``+14.2`` / ``-3.0``."""
    n = to_number(value)
    if n is None:
        return DASH if missing(value) else str(value)
    return f"{n:+.{digits}f}"
