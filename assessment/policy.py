"""County policy: assistance standards with effective dates and the parameters of each rule.

Standards are adjusted and republished, so every figure is looked up for the request date:
the entry with the latest `effective_from` on or before that date applies.

Example:
    >>> p = load_policy()
    >>> p.standard("140105", date(2026, 11, 28), "urban").dibao
    628.0
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import yaml

from assessment.figures import fen


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
        tekun = float(s.get(f"tekun_{area}", fen(dibao * float(county.params["tekun_ratio"]))))
        return Standard(_as_date(s["effective_from"]), dibao, tekun, area)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class PolicyError(ValueError):
    """The policy file cannot be used: what is wrong, where, and what would be accepted."""


NUMBERS = {   # parameter -> (smallest accepted, may be null)
    "window_months": (1, False), "asset_multiplier": (0.01, False), "tekun_ratio": (0.01, False),
    "declared_tolerance": (0, False), "declared_tolerance_min": (0, False), "supporter_income_multiple": (0.01, False),
    "supporter_asset_multiple": (0.01, True), "employment_months": (1, False), "max_homes": (0, False),
    "working_age_from": (0, False), "working_age_until": (1, False)}
LISTS = ("excluded_income_items", "excluded_benefit_types", "exempt_vehicle_types", "no_labor_disability_grades")
STANDARD_KEYS = ("effective_from", "dibao_urban", "dibao_rural", "tekun_urban", "tekun_rural")
AREAS = ("urban", "rural")


class _ImpossibleDate(str):
    """A date YAML cannot make (2022-02-30), kept as written with YAML's reason, so that `_check`
    names its key: failing inside the YAML parser, the message could name only the file."""

    reason = ""


class _PolicyLoader(yaml.SafeLoader):
    pass


def _date_or_impossible(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:
        text = _ImpossibleDate(loader.construct_scalar(node))
        text.reason = str(exc)
        return text


_PolicyLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_impossible)


def _check(doc: object, where: str) -> None:
    """Refuse a policy a pass would misread: a typo'd key is not a default silently applied (a
    probe's `asset_multipler` left every request unanswered while the pass said 'completed'),
    and a standard of -628 is not a standard."""
    def fail(what: str) -> None:
        raise PolicyError(f"policy {where}: {what}")

    def params(spec: dict, at: str, allowed: set[str]) -> None:
        for key, value in spec.items():
            if key not in allowed:
                near = [k for k in sorted(allowed) if k[:5] == str(key)[:5]]
                fail(f"unknown key {key!r} in {at}" + (f" (did you mean {near[0]!r}?)" if near else "")
                     + f"; accepted: {', '.join(sorted(allowed))}")
            if key in NUMBERS:
                low, nullable = NUMBERS[key]
                if value is None and nullable:
                    continue
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
                    fail(f"{at}.{key} is {value!r}; it must be a number of at least {low}"
                         + (" (or null: not checked)" if nullable else ""))
            if key in LISTS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                fail(f"{at}.{key} must be a list of names, e.g. [偶然所得]")
            if key == "standards":
                standards(value, f"{at}.standards")

    def standards(value: object, at: str) -> None:
        if not isinstance(value, list) or not value:
            fail(f"{at} must be a list of entries with effective_from, dibao_urban and dibao_rural")
        for i, s in enumerate(value):
            if not isinstance(s, dict):
                fail(f"{at}[{i}] must be an entry with effective_from, dibao_urban and dibao_rural")
            for key in s:
                if key not in STANDARD_KEYS:
                    fail(f"unknown key {key!r} in {at}[{i}]; accepted: {', '.join(STANDARD_KEYS)}")
            for key in ("effective_from", "dibao_urban", "dibao_rural"):
                if key not in s:
                    fail(f"{at}[{i}] lacks {key}")
            value = s["effective_from"]
            if isinstance(value, _ImpossibleDate):
                fail(f"{at}[{i}].effective_from is {value}, not a real date ({value.reason}); write a real date "
                     "YYYY-MM-DD, such as 2026-07-01")
            try:
                _as_date(value)
            except (TypeError, ValueError):
                fail(f"{at}[{i}].effective_from is {value!r}; write a real date YYYY-MM-DD, such as 2026-07-01")
            for key in STANDARD_KEYS[1:]:
                v = s.get(key)
                if key in s and (isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0):
                    fail(f"{at}[{i}].{key} is {v!r}; a standard is yuan per person-month, a number above 0")

    if not isinstance(doc, dict) or not isinstance(doc.get("defaults"), dict):
        fail("it needs a `defaults:` section (the parameters and standards every county starts from)")
    top = {"version", "placeholder", "defaults", "counties"}
    for key in doc:
        if key not in top:
            fail(f"unknown top-level key {key!r}; accepted: {', '.join(sorted(top))}")
    allowed = set(NUMBERS) | set(LISTS) | {"standards"}
    params(doc["defaults"], "defaults", allowed)
    if "standards" not in doc["defaults"]:
        fail("defaults lacks standards (entries with effective_from, dibao_urban and dibao_rural)")
    for code, spec in (doc.get("counties") or {}).items():
        if not (isinstance(code, (str, int)) and str(code).isdigit() and len(str(code)) == 6):
            fail(f"county code {code!r} is not a 6-digit 区县代码 (write it in quotes, e.g. \"140105\")")
        spec = spec or {}
        if not isinstance(spec, dict):
            fail(f"counties.{code} must be a mapping such as {{name: 小店区, area: urban}}")
        if spec.get("area", "urban") not in AREAS:
            fail(f"counties.{code}.area is {spec.get('area')!r}; accepted: urban, rural")
        params({k: v for k, v in spec.items() if k not in ("name", "area")}, f"counties.{code}", allowed)


def _shipped_defaults() -> dict:
    text = resources.files("assessment").joinpath("policies/shanxi.yaml").read_text(encoding="utf-8")
    return {k: v for k, v in yaml.safe_load(text)["defaults"].items() if k != "standards"}


def load_policy(path: Path | None = None) -> Policy:
    """Load a policy YAML (default: the shipped Shanxi placeholder policy).

    Raises:
        PolicyError: the file is not YAML, or a key, value or county code is wrong (the
            message names the file, the key and what would be accepted).
    """
    if path is None:
        where = "assessment/policies/shanxi.yaml"
        text = resources.files("assessment").joinpath("policies/shanxi.yaml").read_text(encoding="utf-8")
    else:
        where = str(path)
        text = Path(path).read_text(encoding="utf-8")
    try:
        doc = yaml.load(text, Loader=_PolicyLoader)   # a SafeLoader reading impossible dates as text
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy {where} is not valid YAML: {exc}") from None
    _check(doc, where)
    # a parameter the file leaves out takes the shipped policy's value (a file need only say
    # what it changes); before, a missing one failed every household that used it
    defaults = {**_shipped_defaults(), **doc["defaults"]}
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


_VILLAGE = re.compile(r"(?<!新)村")
"""A village (…村…), not a city's residential compound named 新村 (双塔新村)."""


def area_and_basis(county: CountyPolicy, address: str | None, program_area: str | None = None) -> tuple[str, str]:
    """Urban or rural, and why, in words for the report.

    A programme label naming the area (城市低保, 农村特困人员: `program_area`) decides: the case
    system enrolled the household in that programme, whatever its address reads like (a
    programmes probe's 农村低保 household under a 街道 address was judged on the urban standard).

    Counties hold both urban and rural households, each with its own standard (城市低保 /
    农村低保): an address under a 街道 (a city's sub-district) is urban, else one in a village
    (…村…, not a 新村 compound) rural, else one in a 社区 or 小区 urban, whatever the county's
    usual area; an address saying neither takes the county's (`area` in the policy). A rules
    probe's 太原市迎泽区桥东街道双塔新村 had been judged on the rural standard for its 村.
    """
    if program_area in ("urban", "rural"):
        return program_area, f"救助类别注明{'城市' if program_area == 'urban' else '农村'}，按{'城市' if program_area == 'urban' else '农村'}标准"
    if address and "街道" in address:      # a city's sub-district: its 城中村 and 新村 are urban
        return "urban", "户主住址含“街道”，按城市标准"
    if address and _VILLAGE.search(address) and "村委" not in address[:2]:
        return "rural", "户主住址在村（…村…），按农村标准"
    for word in ("社区", "小区"):
        if address and word in address:
            return "urban", f"户主住址含“{word}”，按城市标准"
    label = {"urban": "城市", "rural": "农村"}.get(county.area, county.area)
    return county.area, f"按区县{county.name or ''}的默认类别（{label}）"
