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


INCOME_SOURCES = ("tax", "social_insurance")


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def source_windows(start: date, end: date, delivered: dict[str, date | None],
                   max_lag: int = 3) -> dict[str, tuple[date, date]]:
    """Each income source's window: the request's, stepped back over the months at its end that
    the source has not delivered for anyone yet (at most `max_lag`), same length.

    A department exports a month some days after it ends: between the 1st and the export, the
    newest month of the window holds no record of anyone, and counted as zero it took a twelfth
    off every wage, crossing standards and back each month (a probe's household flip-flopped five
    times in five weeks), and let a contribution base stand in for the wage not yet exported.
    `delivered` is the last day of the latest month the source holds (None: nothing at all).

    A source further behind steps back `max_lag` months all the same, and is `behind`: its last
    months in the window hold nobody's record (a rules probe: four months behind, the window had
    not stepped back at all, and a pension's missing months made a failing household pass).

    Example:
        >>> source_windows(date(2025, 10, 1), date(2026, 9, 30), {"tax": date(2026, 8, 31)})["tax"]
        (datetime.date(2025, 9, 1), datetime.date(2026, 8, 31))
        >>> source_windows(date(2025, 10, 1), date(2026, 9, 30), {"tax": date(2026, 2, 28)})["tax"]
        (datetime.date(2025, 7, 1), datetime.date(2026, 6, 30))
    """
    out = {}
    for source in INCOME_SOURCES:
        last = delivered.get(source)
        lag = min(_month_index(end) - _month_index(last), max_lag) if last else 0
        if lag <= 0:
            out[source] = (start, end)
            continue
        new_end = _month_start(_month_index(end) - lag + 1) - timedelta(days=1)
        out[source] = (_month_start(_month_index(start) - lag), new_end)
    return out


def sources_behind(end: date, delivered: dict[str, date | None], max_lag: int = 3) -> dict[str, date]:
    """The income sources delivered, but more than `max_lag` months short of `end`: their last
    delivered month's last day. Their window's newest months hold nobody's record yet.

    Example:
        >>> sources_behind(date(2026, 9, 30), {"tax": date(2026, 5, 31), "social_insurance": date(2026, 8, 31)})
        {'tax': datetime.date(2026, 5, 31)}
    """
    return {s: last for s in INCOME_SOURCES if (last := delivered.get(s))
            and _month_index(end) - _month_index(last) > max_lag}
