"""Dates and months as departments write them.

Accepted dates: `2024-03-05`, `2024/3/5`, `2024.3.5`, `20240305`, `2024年3月5日`, a datetime
text such as `2024-03-05 00:00:00`, and an Excel serial number. A datetime with a UTC offset
(`2024-03-04T16:00:00Z`, `…+08:00`), as systems that serialise instants write it, is the
calendar day in China (UTC+8, no daylight saving since 1991): a record dated Beijing midnight
and sent as UTC is `2024-03-04T16:00:00Z`, and its day is 2024-03-05. Excel counts days in the 1900
date system and, for compatibility with Lotus 1-2-3, believes 1900 was a leap year: serial 60 is
the phantom 1900-02-29, so serials from 61 on are one day ahead of a plain count
(https://learn.microsoft.com/en-us/office/troubleshoot/excel/wrongly-assumes-1900-is-leap-year).

Example:
    >>> parse_date("2024年3月5日"), parse_date(45356), parse_date("45356.0")
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))
    >>> parse_period("202403"), parse_period("2024-03-17")
    (datetime.date(2024, 3, 1), datetime.date(2024, 3, 1))
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone

from connectors.values.text import as_text, fold_width, shorten

EARLIEST = date(1900, 1, 1)
MAX_SERIAL = 2958465  # 9999-12-31, the last day Excel can show
# A serial written as text is only believed with exactly 5 digits (1927-05-18 .. 2173-10-14):
# a 6-digit text like 202403 is far more likely a month than the year 2454, and `2024.3` a
# month than 1905-07-16. Numeric cells (int/float) may use the whole Excel range.
_PHANTOM_SERIAL = 60
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 -> 1900-03-01

CHINA = timezone(timedelta(hours=8), "CST")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_INSTANT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)? ?"
                      r"(Z|[+-]\d{2}(?::?\d{2})?)$")
"""An ISO 8601 datetime with a UTC offset (`Z`, `+08:00`, `+0800`, `+08`)."""
_SEPARATED = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME + "$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CHINESE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?" + _TIME + "$")
_SERIAL = re.compile(r"^[1-9]\d{4}(?:\.\d+)?$")
_MONTH = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})|(\d{2})|年(\d{1,2})月份?)$")
_JAN_OR_OCT = re.compile(r"^\d{4}\.1$")
"""`2024.1`: a spreadsheet shows October typed as the number 2024.10 as 2024.1, and so does a
CSV saved from it or a JSON number; read as January, a probe's October wage left the window
without a word and the household passed."""

_EPOCH_MS = re.compile(r"^-?\d{11,13}$")
"""Milliseconds since 1970-01-01 UTC: what pandas' `to_json` writes for a date by default (a JSON
Lines probe's vehicle export was refused row by row). No other date spelling has 11 to 13 digits."""

DATE_FORMS = "2024-03-05, 2024/3/5, 20240305, 2024年3月5日 or an Excel serial number"
PERIOD_FORMS = "2024-03, 202403, 2024年3月, 2024/3, a full date, or a range within one month (2024-03-01至2024-03-31)"
_RANGE = re.compile(r"^(.+?)\s*(?:至|到|~|～|—|\s-\s)\s*(.+)$")
"""税款所属期起 至 税款所属期止 written in one cell, as the withholding system prints a period."""


def from_excel_serial(serial: float) -> date:
    """The calendar date of an Excel serial day number (time of day ignored).

    Raises:
        ValueError: outside 1..2958465, or the phantom day 60 (1900-02-29).
    """
    if not math.isfinite(serial) or not 1 <= serial < MAX_SERIAL + 1:
        raise ValueError(f"{serial!r} is not an Excel date serial; accepted: 1 (1900-01-01) to "
                         f"{MAX_SERIAL} (9999-12-31)")
    day = int(serial)
    if day == _PHANTOM_SERIAL:
        raise ValueError("Excel serial 60 is 1900-02-29, a day that never existed; "
                         "check the cell and write the date as 1900-02-28 or 1900-03-01")
    return _EXCEL_EPOCH + timedelta(days=day + (1 if day < _PHANTOM_SERIAL else 0))


def to_excel_serial(day: date) -> int:
    """The Excel serial of a date, the inverse of `from_excel_serial`.

    Example:
        >>> to_excel_serial(date(2024, 3, 5))
        45356
    """
    serial = (day - _EXCEL_EPOCH).days
    return serial - 1 if serial <= _PHANTOM_SERIAL else serial


def _china_day(raw: object, match: re.Match) -> date:
    y, mo, d, h, mi, sec, offset = match.groups()
    day = _calendar(raw, y, mo, d)
    if int(h) > 23 or int(mi) > 59 or int(sec or 0) > 59:
        raise ValueError(f"{shorten(str(raw))} has no such time of day; accepted: {DATE_FORMS}")
    if offset == "Z":
        shift = timedelta(0)
    else:
        hours, minutes = int(offset[1:3]), int(offset[3:].lstrip(":") or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(f"{shorten(str(raw))} has no such UTC offset ({offset}); accepted: Z or +08:00")
        shift = (1 if offset[0] == "+" else -1) * timedelta(hours=hours, minutes=minutes)
    moment = datetime(day.year, day.month, day.day, int(h), int(mi), int(sec or 0), tzinfo=timezone(shift))
    return moment.astimezone(CHINA).date()


def _calendar(raw: object, y: str, m: str, d: str) -> date:
    try:
        result = date(int(y), int(m), int(d))
    except ValueError:
        raise ValueError(f"{shorten(str(raw))} is not a real date (year {y}, month {m}, day {d}); "
                         f"accepted: {DATE_FORMS}") from None
    if result < EARLIEST:
        raise ValueError(f"{shorten(str(raw))} is before 1900-01-01; check the year")
    return result


def parse_date(raw: object) -> date:
    """Parse one date.

    Args:
        raw: Text in an accepted spelling, an Excel serial (int or float), or a date.

    Returns:
        The date.

    Raises:
        ValueError: not a date; the message lists the accepted spellings.
    """
    if isinstance(raw, datetime):
        return (raw.astimezone(CHINA) if raw.tzinfo is not None else raw).date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and abs(raw) < 1e10:
        return from_excel_serial(raw)
    text = fold_width(str(raw)).strip() if raw is not None else ""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        text = str(int(raw))
    if not text:
        raise ValueError(f"an empty value is not a date; accepted: {DATE_FORMS}")
    if match := _INSTANT.match(text):
        return _china_day(raw, match)
    for pattern in (_SEPARATED, _CHINESE):
        if match := pattern.match(text):
            groups = [g for g in match.groups() if g not in ("-", "/", ".")]
            return _calendar(raw, *groups)
    if match := _COMPACT.match(text):
        return _calendar(raw, *match.groups())
    if _SERIAL.match(text):
        return from_excel_serial(float(text))
    if _EPOCH_MS.match(text):
        day = (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(text))).astimezone(CHINA).date()
        if EARLIEST <= day <= date(2100, 12, 31):
            return day
    raise ValueError(f"{shorten(str(raw))} is not a date; accepted: {DATE_FORMS}")


def parse_period(raw: object) -> date:
    """Parse a month (所属期) to its first day.

    Args:
        raw: `2024-03`, `202403`, `2024年3月`, `2024/3`, `2024.3`, or any accepted full date.

    Returns:
        The first day of the month.

    Raises:
        ValueError: not a month; the message lists the accepted spellings.
    """
    if isinstance(raw, float) and not raw.is_integer():
        return parse_date(raw).replace(day=1)  # only an Excel serial has a fraction
    text = fold_width(as_text(raw)).strip()
    numeric = isinstance(raw, (int, float)) and not isinstance(raw, bool)
    if (span := _RANGE.match(text)) and not _MONTH.match(text):
        try:
            first, last = parse_date(span.group(1)), parse_date(span.group(2))
        except ValueError:
            first = last = None
        if first is not None:
            if (first.year, first.month) != (last.year, last.month) or last < first:
                raise ValueError(f"{shorten(text)} covers more than one month; send one row per month "
                                 f"(accepted: {PERIOD_FORMS})")
            return first.replace(day=1)
    if _JAN_OR_OCT.match(text):
        raise ValueError(f"{text} could be January or October (a spreadsheet shows 2024.10 typed as a number as "
                         f"2024.1); write the month as text, e.g. {text[:4]}-01 or {text[:4]}-10")
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(next(g for g in match.groups()[1:] if g))
        if 1 <= month <= 12 and year >= EARLIEST.year:
            return date(year, month, 1)
        if not numeric:  # a number that is no YYYYMM may still be an Excel serial
            raise ValueError(f"{shorten(text)} is not a real month; accepted: {PERIOD_FORMS}")
    try:
        return parse_date(raw).replace(day=1)
    except ValueError:
        if not text:
            raise ValueError(f"an empty value is not a month; accepted: {PERIOD_FORMS}") from None
        raise ValueError(f"{shorten(str(raw))} is not a month; accepted: {PERIOD_FORMS}") from None
