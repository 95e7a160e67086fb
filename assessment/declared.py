"""Declared against verified: the application's own figures beside what the departments show.

A difference within the policy's tolerance is nothing; beyond it, information, or a warning when
the declaration and the verified figure stand on opposite sides of the programme's line (per
capita, as the rules judge it)."""

from __future__ import annotations

from assessment.application import declared_person
from assessment.facts import Facts, finding
from assessment.figures import exact, fen
from assessment.judged import (INFORMATION_ONLY, THRESHOLD_PROGRAMS, asset_limit, assets_per_capita, counted_income,
                               income_per_capita, income_standard, yuan)


def _beyond_tolerance(f: Facts, declared: float, verified: float) -> bool:
    return abs(verified - declared) > max(f.params["declared_tolerance"] * max(declared, verified),
                                          f.params["declared_tolerance_min"])


def _gap(verified: float, declared: float) -> str:
    """`核对比申报多/少 X元`: a signed 相差-150.00元 read oddly to a clerk (a rules probe)."""
    return f"，核对比申报{'多' if verified > declared else '少'}{yuan(abs(verified - declared))}"


def _against(f: Facts, verified_pc: float, declared_pc: float, line: float, what: str, crosses: bool,
             over) -> str:
    """The comparison the rule decides on, per capita, with the line itself: the totals alone,
    both above a 628 standard, were said to cross it (a rules probe: 1,200 and 1,400 for two)."""
    each = f"人均核对{yuan(verified_pc)}、申报{yuan(declared_pc)}" if f.size > 1 else ""
    if not over(verified_pc) and any(not m["consent"] for m in f.household):
        # a figure leaving out members without consent can only rise: below the line is no finding
        # of it (a caseworker probe read 均在标准线以下 beside the summary's 数据不完整，不作判断)
        return f"；{each}{'，' if each else ''}核对数据不完整（有成员未授权核对），不与{what}比较"
    if crosses:
        return f"；{each}{'，' if each else ''}跨越{what}{yuan(line)}"
    side = "以上" if over(verified_pc) else "以下"
    return f"；{each}{'，' if each else ''}均在{what}{yuan(line)}{side}，未改变比较结果"


def _declared_income(f: Facts, declared_total: float) -> list[dict]:
    out = []
    verified = f.income["monthly_total"]
    unverified = f.income.get("declared_unverified") or 0.0   # members without consent: not in declared_total
    if _beyond_tolerance(f, declared_total, verified):
        if f.program in THRESHOLD_PROGRAMS:
            std = income_standard(f)
            # each side as the income rule would judge it: the figure shown against the own standard
            declared_pc, verified_pc = fen(exact(declared_total) / f.size), income_per_capita(f)
            crosses = (declared_pc >= std) != (verified_pc >= std)
            severity = "warn" if crosses else "info"
            tail = _against(f, verified_pc, declared_pc, std, "标准线", crosses, lambda x: x >= std)
        else:
            severity, tail = "info", INFORMATION_ONLY
        out.append(finding("declared.income", severity,
                           f"核对月收入{yuan(verified)}与申报{yuan(declared_total)}"
                           + (f"（不含未授权成员的申报{yuan(unverified)}）" if unverified else "")
                           + _gap(verified, declared_total) + tail,
                           counted_income(f)))   # what was verified
    return out


def declared(f: Facts) -> list[dict]:
    out = declared_person(f)
    declared_total = f.income.get("declared_monthly_total")
    if declared_total is not None:
        out += _declared_income(f, declared_total)
    declared_assets = f.assets.get("declared_financial_total")
    if declared_assets is not None:
        verified_assets = f.assets["financial_total"]
        # members without consent: shown apart, not in declared_financial_total (as for income)
        unverified_assets = f.assets.get("declared_financial_unverified") or 0.0
        if _beyond_tolerance(f, declared_assets, verified_assets):
            if f.program in THRESHOLD_PROGRAMS:
                limit = asset_limit(f)
                declared_pc, verified_pc = fen(exact(declared_assets) / f.size), assets_per_capita(f)
                crosses = (declared_pc > limit) != (verified_pc > limit)
                severity = "warn" if crosses else "info"
                tail = _against(f, verified_pc, declared_pc, limit, "资产上限", crosses, lambda x: x > limit)
            else:
                severity, tail = "info", INFORMATION_ONLY
            out.append(finding("declared.financial_assets", severity,
                               f"核对金融资产{yuan(verified_assets)}与申报{yuan(declared_assets)}"
                               + (f"（不含未授权成员的申报{yuan(unverified_assets)}）" if unverified_assets else "")
                               + _gap(verified_assets, declared_assets) + tail, f.assets.get("counted_accounts", [])))
    return out
