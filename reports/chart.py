"""Monthly income by source as a stacked-bar chart in plain inline SVG.

No JavaScript and no external resources: agencies open reports on closed
networks and print them.  Each source gets a fill that also differs in grey
(dark / light / hatched), so the chart survives a black-and-white printer.
Every month is one ``<g class="bar-group">`` with a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

from .formatting import SOURCE_ORDER, money, source_label, to_number

WIDTH, HEIGHT = 680, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 34, 40

# (fill, pattern?) per series position: dark, hatched mid, light, dotted...
_FILLS = [
    ("#1f4e79", None),
    ("#e08a1e", "hatch"),
    ("#9dc3e6", None),
    ("#6b8e23", "dots"),
    ("#7f6a93", None),
    ("#c0504d", "hatch"),
]


def _nice_ceiling(value: float) -> tuple[float, float]:
    """(axis maximum, tick step) with 4–5 round ticks covering ``value``."""
    if value <= 0:
        return 100.0, 25.0
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step * 4 >= value:
            break
    ticks = math.ceil(value / step)
    return step * ticks, step


def _axis_money(value: float) -> str:
    if value >= 10000:
        return f"¥{value / 10000:g}万"
    return f"¥{value:,.0f}"


def _series_order(series: list[dict]) -> list[str]:
    seen: set[str] = set()
    for entry in series:
        seen.update(str(k) for k in entry["by_source"])
    known = [s for s in SOURCE_ORDER if s in seen]
    return known + sorted(seen - set(known))


def _normalise(monthly_series: Any) -> list[dict]:
    """``[{"month": "2025-11", "by_source": {src: amount>=0}}]`` sorted by month."""
    out = []
    if not isinstance(monthly_series, (list, tuple)):
        return out
    for entry in monthly_series:
        if not isinstance(entry, dict) or entry.get("month") in (None, ""):
            continue
        raw = entry.get("by_source")
        by_source = {}
        if isinstance(raw, dict):
            for src, amount in raw.items():
                n = to_number(amount)
                by_source[str(src)] = n if n is not None and n > 0 else 0.0
        out.append({"month": str(entry["month"]), "by_source": by_source})
    return sorted(out, key=lambda e: e["month"])


def _month_label(month: str, first: bool) -> tuple[str, str]:
    """('11月', '2025') — the year only under the first bar and under January."""
    year, _, mm = month.partition("-")
    if not mm.isdigit():
        return month, ""
    return f"{int(mm)}月", (year if first or int(mm) == 1 else "")


def income_chart(monthly_series: Any, reference: float | None = None, reference_label: str = "",
                 undelivered: dict[str, list[str]] | None = None) -> Markup:
    """The SVG for ``income.monthly_series``; an empty Markup when there is no series.

    ``reference`` draws a dashed horizontal line (e.g. the household's total
    standard: per-capita standard × members counted) labelled ``reference_label``.
    ``undelivered`` ({month: [source, …]}) marks the months a source has not delivered yet
    with 未报送 (a dashed outline and a label), not as a month of no income.
    """
    undelivered = undelivered if isinstance(undelivered, dict) else {}
    series = _normalise(monthly_series)
    if not series:
        return Markup("")
    sources = _series_order(series)
    totals = [sum(e["by_source"].values()) for e in series]
    peak = max(totals + ([reference] if reference else []))
    y_max, step = _nice_ceiling(peak * 1.08 if peak else 0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / len(series)
    bar_w = min(band * 0.62, 44)

    def y(v: float) -> float:
        return TOP + plot_h - (v / y_max) * plot_h

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="按月收入（按来源堆叠）">',
        "<defs>"
        '<pattern id="p-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="white"/><rect width="3" height="6" fill="currentColor"/></pattern>'
        '<pattern id="p-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        '<rect width="5" height="5" fill="white"/><circle cx="2.5" cy="2.5" r="1.4" fill="currentColor"/></pattern>'
        "</defs>",
    ]
    # grid + y axis
    tick = 0.0
    while tick <= y_max + 1e-9:
        ty = y(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(f'<text class="ytick" x="{LEFT - 6}" y="{ty + 3.5:.1f}" text-anchor="end">{escape(_axis_money(tick))}</text>')
        tick += step
    parts.append(f'<text class="axis-title" x="{LEFT - 6}" y="{TOP - 14}" text-anchor="end">元/月</text>')
    # bars
    fills = {src: _FILLS[i % len(_FILLS)] for i, src in enumerate(sources)}
    for i, (entry, total) in enumerate(zip(series, totals)):
        x = LEFT + band * i + (band - bar_w) / 2
        month = escape(entry["month"])
        missing = [str(src) for src in undelivered.get(entry["month"]) or ()]
        note = "、".join(source_label(src) for src in missing)
        title = f"{month} 合计 {escape(money(total))}" + (f"（{escape(note)}未报送）" if missing else "")
        parts.append(f'<g class="bar-group{" undelivered" if missing else ""}" data-month="{month}"><title>{title}</title>')
        if missing:
            parts.append(f'<rect class="undelivered" x="{x:.1f}" y="{TOP}" width="{bar_w:.1f}" height="{plot_h}" '
                         f'fill="none" stroke="#868e96" stroke-width="0.8" stroke-dasharray="3 3"/>')
            label_y = (y(total) - 16) if total > 0 else (TOP + plot_h - 6)
            parts.append(f'<text class="undelivered-label" x="{x + bar_w / 2:.1f}" y="{label_y:.1f}" '
                         f'text-anchor="middle">未报送</text>')
        base = 0.0
        for src in sources:
            amount = entry["by_source"].get(src, 0.0)
            if amount <= 0:
                continue
            top, bottom = y(base + amount), y(base)
            colour, pattern = fills[src]
            fill = f"url(#p-{pattern})" if pattern else colour
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_w:.1f}" height="{max(bottom - top, 0.5):.1f}" '
                f'fill="{fill}" color="{colour}" stroke="{colour}" stroke-width="0.8">'
                f"<title>{month} {escape(source_label(src))} {escape(money(amount))}</title></rect>"
            )
            base += amount
        if total > 0:
            parts.append(f'<text class="bar-total" x="{x + bar_w / 2:.1f}" y="{y(total) - 4:.1f}" text-anchor="middle">{total:,.0f}</text>')
        label, year = _month_label(entry["month"], i == 0)
        cx = LEFT + band * i + band / 2
        parts.append(f'<text class="xtick" x="{cx:.1f}" y="{TOP + plot_h + 15}" text-anchor="middle">{escape(label)}</text>')
        if year:
            parts.append(f'<text class="xyear" x="{cx:.1f}" y="{TOP + plot_h + 28}" text-anchor="middle">{escape(year)}</text>')
        parts.append("</g>")
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    if reference and reference > 0:
        ry = y(reference)
        parts.append(f'<line class="reference" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ry:.1f}" y2="{ry:.1f}"/>')
    # legend along the top: one swatch per source, then the reference line
    lx = LEFT
    for src in sources:
        colour, pattern = fills[src]
        fill = f"url(#p-{pattern})" if pattern else colour
        parts.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="{fill}" color="{colour}" stroke="{colour}"/>')
        label = source_label(src)
        parts.append(f'<text class="legend" x="{lx + 16}" y="16">{escape(label)}</text>')
        lx += 30 + 12 * len(label)
    if reference and reference > 0:
        parts.append(f'<line class="reference" x1="{lx}" x2="{lx + 22}" y1="12" y2="12"/>')
        parts.append(f'<text class="legend" x="{lx + 28}" y="16">{escape(reference_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
