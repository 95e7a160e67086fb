"""The household's figures as the rules judge them: per capita, as the report shows them, against
the programme's own standard and the asset limit; shared by the rules (`assessment.rules`) and by
what pending records could do to them (`assessment.pending`)."""

from __future__ import annotations

from decimal import Decimal

from assessment.facts import Facts
from assessment.figures import exact, fen


def yuan(x: float) -> str:
    return f"{fen(x):,.2f}元"


THRESHOLD_PROGRAMS = ("dibao", "tekun")
"""Programmes judged on the income standard and the asset limit; the others show them for information."""

INFORMATION_ONLY = "，本救助项目不按收入标准和资产上限核定，仅供参考"
"""The tail of a finding that the household's programme is not judged on."""

NON_RESIDENTIAL = ("商业", "办公", "工业", "车位", "其他")
"""Property usages that fail 低保 and 特困 whatever the household's homes."""


def working_age(f: Facts, m: dict) -> bool:
    age = m.get("age")
    return age is not None and f.params["working_age_from"] <= age < f.params["working_age_until"]


def able_to_work(f: Facts) -> list[dict]:
    """The members 就业救助 is about: consenting, of working age, able to work (有 or 部分)."""
    return [m for m in f.household if m["consent"] and working_age(f, m) and m.get("labor_capacity") in ("有", "部分")]


def out_of_work(f: Facts) -> list[dict]:
    """`able_to_work` members without a wage, a service fee, business income or a contribution in
    the employment window."""
    return [m for m in able_to_work(f) if not f.recent_employment.get(m["member_no"])]
def counted_income(f: Facts) -> list[dict]:
    """The income records in the household's figures: a supporter's wage is judged on its own."""
    supporters = {m["member_no"] for m in f.members if not m["is_member"]}
    return [r for r in f.income["records"] if r.get("counted") and r.get("member_no") not in supporters]


def income_per_capita(f: Facts) -> float:
    """The per-capita income the report shows, which is the one judged: a figure displayed as
    628.00 beside a 628.00 standard must not pass because the unrounded one was 627.997."""
    shown = f.income.get("monthly_per_capita")
    if shown is not None:
        return shown
    return fen(income_total_exact(f) / f.size)


def assets_per_capita(f: Facts) -> float:
    """The per-capita financial assets the report shows (see `income_per_capita`)."""
    shown = f.assets.get("financial_per_capita")
    if shown is not None:
        return shown
    return fen(assets_total_exact(f) / f.size)


def asset_limit(f: Facts) -> float:
    """Financial assets per capita allowed (低保 and 特困 alike), as the report shows it."""
    return fen(f.params["asset_multiplier"] * f.standard.dibao)


def income_standard(f: Facts) -> float:
    """The household's own programme standard (the report's `income_standard`)."""
    return f.standard.tekun if f.program == "tekun" else f.standard.dibao


def income_total_exact(f: Facts) -> Decimal:
    """The household's monthly income before rounding (what per-capita figures divide)."""
    return exact(f.income.get("monthly_total_exact", f.income["monthly_total"]))


def assets_total_exact(f: Facts) -> Decimal:
    """The household's financial assets before rounding."""
    return exact(f.assets.get("financial_total_exact", f.assets["financial_total"]))
