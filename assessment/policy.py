"""County policy: assistance standards with effective dates and the parameters of each rule.

Standards are adjusted and republished, so every figure is looked up for the request date:
the entry with the latest `effective_from` on or before that date applies.

Example:
    >>> p = load_policy()
    >>> p.standard("140105", date(2026, 11, 28), "urban").dibao
    628.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Standard:
    effective_from: date
    dibao: float
    """低保 standard, yuan per person-month, for the household's area (urban or rural)."""
    tekun: float
    """特困 basic-living standard, yuan per person-month."""
    area: str


@dataclass(frozen=True)
class CountyPolicy:
    code: str
    name: str
    area: str
    params: dict
    standards: tuple[dict, ...]


@dataclass(frozen=True)
class Policy:
    version: str
    placeholder: bool
    defaults: dict
    counties: dict[str, CountyPolicy] = field(default_factory=dict)

    def county(self, code: str) -> CountyPolicy:
        if code in self.counties:
            return self.counties[code]
        return CountyPolicy(code, code, "urban", dict(self.defaults), tuple(self.defaults["standards"]))

    def param(self, code: str, name: str):
        return self.county(code).params[name]

    def standard(self, code: str, on: date, area: str | None = None) -> Standard:
        """The standard in force on `on` for the county (urban or rural)."""
        county = self.county(code)
        area = area or county.area
        entries = sorted((s for s in county.standards if _as_date(s["effective_from"]) <= on),
                         key=lambda s: _as_date(s["effective_from"]))
        if not entries:
            raise LookupError(f"county {code} has no standard in force on {on.isoformat()}; "
                              f"the earliest is {min(_as_date(s['effective_from']) for s in county.standards)}")
        s = entries[-1]
        dibao = float(s[f"dibao_{area}"])
        tekun = float(s.get(f"tekun_{area}", round(dibao * float(county.params["tekun_ratio"]), 2)))
        return Standard(_as_date(s["effective_from"]), dibao, tekun, area)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def load_policy(path: Path | None = None) -> Policy:
    """Load a policy YAML (default: the shipped Shanxi placeholder policy)."""
    if path is None:
        text = resources.files("assessment").joinpath("policies/shanxi.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    defaults = doc["defaults"]
    counties = {}
    for code, spec in (doc.get("counties") or {}).items():
        spec = spec or {}
        params = {**defaults, **{k: v for k, v in spec.items() if k not in ("name", "area", "standards")}}
        counties[str(code)] = CountyPolicy(str(code), spec.get("name", str(code)), spec.get("area", "urban"),
                                           params, tuple(spec.get("standards") or defaults["standards"]))
    return Policy(str(doc.get("version", "unversioned")), bool(doc.get("placeholder", False)), defaults, counties)


def household_area(county: CountyPolicy, address: str | None) -> str:
    """Urban or rural: a village address (…村…) is rural whatever the county's usual area."""
    return area_and_basis(county, address)[0]


def area_and_basis(county: CountyPolicy, address: str | None) -> tuple[str, str]:
    """Urban or rural, and why, in words for the report.

    Counties hold both urban and rural households, each with its own standard (城市低保 /
    农村低保): an address in a village (…村…) is rural, one in a 社区, 小区 or 街道 urban, whatever
    the county's usual area; an address saying neither takes the county's (`area` in the policy).
    """
    if address and "村" in address and "村委" not in address[:2]:
        return "rural", "户主住址在村（…村…），按农村标准"
    for word in ("社区", "小区", "街道"):
        if address and word in address:
            return "urban", f"户主住址含“{word}”，按城市标准"
    label = {"urban": "城市", "rural": "农村"}.get(county.area, county.area)
    return county.area, f"按区县{county.name or ''}的默认类别（{label}）"
