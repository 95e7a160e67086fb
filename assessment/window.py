"""The income window: the complete calendar months before the request date."""

from __future__ import annotations

from datetime import date, timedelta


def window_for(request_date: date, months: int = 12) -> tuple[date, date]:
    """First and last day of the `months` complete months before `request_date`.

    Example:
        >>> window_for(date(2026, 11, 28))
        (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    """
    end = request_date.replace(day=1) - timedelta(days=1)
    y, m = end.year, end.month - (months - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1), end


def months_between(start: date, end: date) -> list[str]:
    """'YYYY-MM' labels from start's month to end's month inclusive."""
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
