"""Months as `YYYY-MM` text, the form facts and alerts keep them in: arithmetic and runs."""

from __future__ import annotations


def month_of(iso: str | None) -> str | None:
    return iso[:7] if iso else None


def minus_months(ym: str, n: int) -> str:
    y, m = int(ym[:4]), int(ym[5:7]) - n
    while m <= 0:
        y, m = y - 1, m + 12
    return f"{y:04d}-{m:02d}"


def months_text(months: list[str]) -> str:
    """Months as runs: `2026-03至2026-06、2026-09`."""
    runs: list[list[str]] = []
    for m in sorted(months):
        if runs and minus_months(m, 1) == runs[-1][-1]:
            runs[-1].append(m)
        else:
            runs.append([m])
    return "、".join(r[0] if len(r) == 1 else f"{r[0]}至{r[-1]}" for r in runs)
