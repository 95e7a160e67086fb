"""The population: applicant households, tekun supporters and a background of non-applicants.

Families are composed one at a time (relations, ages, who shares whose surname); everything
per person afterwards (birth dates, names, IDs, labour capacity) is vectorised. Applicant
household `slot` i is the i-th of the N households; the background is ~4x the applicant
persons and lives in the same counties with the same names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import counties as C
from . import names as N
from .ids import make_ids

PROGRAMS = ("dibao", "tekun", "medical", "education", "housing", "employment", "temporary")
PROGRAM_P = (0.70, 0.10, 0.06, 0.05, 0.04, 0.03, 0.02)
SIZE_P = {"applicant": (0.30, 0.26, 0.20, 0.14, 0.07, 0.03), "background": (0.16, 0.30, 0.27, 0.17, 0.07, 0.03)}
SHAPES, SHAPE_P = ("nuclear", "grand", "three_gen", "siblings", "grandparent"), (0.66, 0.12, 0.14, 0.05, 0.03)
Member = tuple  # (relation, age, male, surname rule H/S/P/R, twin of previous member)


@dataclass
class Population:
    persons: pd.DataFrame
    households: pd.DataFrame


def _i(rng, lo, hi) -> int:
    return int(rng.integers(lo, hi + 1))


def _compose(rng, size: int, head_age: int | None = None, head_male: bool | None = None,
             shape: str | None = None) -> list[Member]:
    """Relations and ages of a family of `size` (children younger than parents, etc.)."""
    if size == 1:
        age = head_age or (_i(rng, 60, 89) if rng.random() < 0.5 else _i(rng, 22, 59))
        male = bool(rng.random() < (0.45 if age >= 60 else 0.6)) if head_male is None else head_male
        return [("户主", age, male, "H", False)]
    shape = shape or str(rng.choice(SHAPES, p=SHAPE_P))
    lo, hi = {"nuclear": (26, 66), "grand": (55, 78), "three_gen": (30, 52), "siblings": (25, 65),
              "grandparent": (17, 28)}[shape]
    age = head_age or _i(rng, lo, hi)
    male = bool(rng.random() < 0.75) if head_male is None else head_male
    out: list[Member] = [("户主", age, male, "H", False)]
    if shape in ("nuclear", "grand", "three_gen") and rng.random() < (0.85 if shape != "nuclear" else 0.8):
        out.append(("配偶", max(20, age + _i(rng, -5, 5)), not male, "S", False))
    if shape == "three_gen":
        for k in range(1 if size < 4 else _i(rng, 1, 2)):
            out.append(("父母", min(95, age + _i(rng, 22, 34)), k == 0, "H" if k == 0 else "R", False))
    if shape == "grandparent":
        for k in range(min(size - 1, _i(rng, 1, 2))):
            out.append(("祖父母", min(95, age + _i(rng, 45, 60)), k == 0, "H" if k == 0 else "R", False))
    young = min(m[1] for m in out[:2] if m[0] in ("户主", "配偶"))
    while len(out) < size:
        if shape == "siblings" or (shape == "grandparent" and len(out) >= 2):
            out.append(("兄弟姐妹", max(16, age + _i(rng, -10, 10)), bool(rng.random() < 0.5), "H", False))
        elif rng.random() < 0.03:
            out.append(("其他", _i(rng, 5, 70), bool(rng.random() < 0.5), "R", False))
        elif shape == "grand":
            out.append(("孙子女", _i(rng, 1, 17), bool(rng.random() < 0.52), "P", False))
        elif young < 20 or sum(m[0] == "子女" for m in out) >= 4:
            out.append(("父母", min(95, age + _i(rng, 22, 34)), True, "H", False))
        else:
            kids = [m for m in out if m[0] == "子女"]
            if kids and not kids[-1][4] and rng.random() < 0.08:   # twins: same birth date and sex
                out.append(("子女", kids[-1][1], kids[-1][2], "P", True))
            else:
                kid_age = _i(rng, max(0, young - 42), max(0, young - 20))
                out.append(("子女", kid_age, bool(rng.random() < 0.52), "P", False))
    return out


class _Builder:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.p: dict[str, list] = {k: [] for k in ("fam", "rel", "age", "male", "surname", "slot",
                                                   "supporter_slot", "twin_of")}
        self.fam: dict[str, list] = {k: [] for k in ("county", "address", "urban", "slot", "patriline", "head")}
        self._pool = N.surnames(rng, 4096)
        self._k = 0

    def surname(self) -> str:
        if self._k == len(self._pool):
            self._pool, self._k = N.surnames(self.rng, 4096), 0
        self._k += 1
        return str(self._pool[self._k - 1])

    def family(self, members: list[Member], county: str, address=None, slot=-1, head_surname=None,
               supporter_slot=-1) -> int:
        f = len(self.fam["county"])
        if address is None:
            address = C.home_address(self.rng, county)
        head = head_surname or self.surname()
        spouse = self.surname()
        has_spouse = any(m[0] == "配偶" for m in members)
        patri = head if members[0][2] or not has_spouse else spouse
        if not members[0][2] and not has_spouse and self.rng.random() < 0.7:
            patri = self.surname()
        rule = {"H": head, "S": spouse, "P": patri}
        self.fam["head"].append(len(self.p["fam"]))          # the family's first person
        for j, (rel, age, male, key, twin) in enumerate(members):
            self.p["fam"].append(f)
            self.p["rel"].append(rel)
            self.p["age"].append(age)
            self.p["male"].append(male)
            self.p["surname"].append(rule.get(key) or self.surname())
            self.p["slot"].append(slot)
            self.p["supporter_slot"].append(supporter_slot if j == 0 else -1)
            self.p["twin_of"].append(len(self.p["fam"]) - 2 if twin else -1)
        self.fam["county"].append(county)
        self.fam["address"].append(address[0])
        self.fam["urban"].append(address[1])
        self.fam["slot"].append(slot)
        self.fam["patriline"].append(patri)
        return f


def build(rng: np.random.Generator, n: int, inbox_counties: list[str], as_of: dt.date) -> Population:
    """N applicant households (the first len(inbox_counties) are the inbox's new applicants)."""
    b = _Builder(rng)
    k_inbox = len(inbox_counties)
    programs = rng.choice(PROGRAMS, size=n, p=PROGRAM_P)
    county = rng.choice(C.CODES, size=n, p=C.WEIGHTS).astype(object)
    county[:k_inbox] = inbox_counties
    related = np.full(n, -1)
    hh_family = np.zeros(n, dtype=int)
    sizes = rng.choice(np.arange(1, 7), size=n, p=SIZE_P["applicant"])
    for s in range(n):
        if related[s] >= 0:        # an adult child's own household at the parents' address
            a = hh_family[related[s]]
            head_age = max(20, b.p["age"][b.fam["head"][a]] - _i(rng, 22, 30))
            county[s] = b.fam["county"][a]
            members = _compose(rng, max(1, sizes[s] if sizes[s] <= 4 else 3), head_age=head_age, shape="nuclear")
            hh_family[s] = b.family(members, county[s], (b.fam["address"][a], b.fam["urban"][a]), s,
                                    head_surname=b.fam["patriline"][a])
            continue
        if programs[s] == "tekun":
            members = _compose(rng, 1, head_age=_i(rng, 60, 92))
        elif s >= k_inbox and s + 1 < n and programs[s + 1] != "tekun" and rng.random() < 0.05:
            related[s + 1] = s
            members = _compose(rng, max(2, sizes[s]), head_age=_i(rng, 50, 75), shape="nuclear")
        else:
            members = _compose(rng, int(sizes[s]))
        hh_family[s] = b.family(members, county[s], slot=s)
        if programs[s] == "tekun":   # 1-2 adult children living elsewhere support the elder
            elder_age, elder_male = members[0][1], members[0][2]
            kin = b.p["surname"][-1] if elder_male else b.surname()
            for _ in range(_i(rng, 1, 2)):
                other = county[s] if rng.random() < 0.3 else str(rng.choice(C.CODES, p=C.WEIGHTS))
                m = _compose(rng, _i(rng, 1, 4), head_age=max(22, elder_age - _i(rng, 22, 38)), shape="nuclear")
                b.family(m, other, head_surname=kin, supporter_slot=s)
    applicants = sum(1 for x, y in zip(b.p["slot"], b.p["supporter_slot"]) if x >= 0 or y >= 0)
    while len(b.p["fam"]) < 5 * applicants:
        if rng.random() < 0.03:    # relatives of an applicant household at the same address
            a = hh_family[rng.integers(n)]
            b.family(_compose(rng, _i(rng, 1, 4)), b.fam["county"][a], (b.fam["address"][a], b.fam["urban"][a]),
                     head_surname=b.fam["patriline"][a])
        else:
            size = int(rng.choice(np.arange(1, 7), p=SIZE_P["background"]))
            b.family(_compose(rng, size), str(rng.choice(C.CODES, p=C.WEIGHTS)))
    persons = _persons(rng, b, as_of)
    fam = b.fam
    agency = [C.COUNTY_BY_CODE[c].agency for c in county]
    seq: dict[str, int] = {}
    hh_ids = []
    for c in county:
        seq[c] = seq.get(c, 0) + 1
        hh_ids.append(f"HH{c}-{seq[c]:05d}")
    households = pd.DataFrame({
        "slot": np.arange(n), "household_id": hh_ids, "program": programs.astype(object),
        "county_code": county, "agency": agency, "family": hh_family,
        "address": [fam["address"][f] for f in hh_family], "urban": [fam["urban"][f] for f in hh_family],
        "related_slot": related, "inbox": np.arange(n) < k_inbox,
    })
    return Population(persons, households)


def _persons(rng: np.random.Generator, b: _Builder, as_of: dt.date) -> pd.DataFrame:
    p = {k: np.array(v) for k, v in b.p.items()}
    n = len(p["fam"])
    fam = p["fam"]
    county = np.array(b.fam["county"], dtype=object)[fam]
    days = (p["age"] * 365.2425 + rng.integers(1, 365, size=n)).astype(int)
    birth = np.datetime64(as_of, "D") - days.astype("timedelta64[D]")
    twin = p["twin_of"] >= 0
    birth[twin] = birth[p["twin_of"][twin]]
    age = ((np.datetime64(as_of, "D") - birth).astype(int) / 365.2425).astype(int)
    year = birth.astype("datetime64[Y]").astype(int) + 1970
    male = p["male"].astype(bool)
    given = N.given_names(rng, male, year)
    for i in np.flatnonzero(twin):          # twins get matching given names
        pairs = N.TWIN_PAIRS[bool(male[i])]
        a, c = pairs[rng.integers(len(pairs))]
        given[p["twin_of"][i]], given[i] = a, c
    rare = rng.random(n) < 0.001
    given[rare] = rng.choice(np.array(N.RARE_GIVEN), size=int(rare.sum()))
    name = np.char.add(p["surname"].astype(str), given.astype(str)).astype(object)
    minority = (rng.random(n) < 0.01) & ~twin
    name[minority] = [N.minority_name(rng, bool(male[i])) for i in np.flatnonzero(minority)]
    r = rng.random(n)
    shanxi = np.concatenate([C.CODES, np.array(C.BIRTHPLACE_SHANXI_OTHER)])
    birthplace = np.where(r < 0.75, county, np.where(r < 0.95, rng.choice(shanxi, size=n),
                                                     rng.choice(np.array(C.BIRTHPLACE_OTHER_PROVINCE), size=n)))
    xj = minority & (rng.random(n) < 0.6)
    birthplace[xj] = rng.choice(np.array(C.BIRTHPLACE_XINJIANG), size=int(xj.sum()))
    ids = make_ids(rng, birthplace.astype(str), birth, male)
    applicant = (p["slot"] >= 0) | (p["supporter_slot"] >= 0)
    grades = np.array(["", "一级", "二级", "三级", "四级"], dtype=object)
    dis = np.where(rng.random(n) < np.where(p["slot"] >= 0, 0.10, 0.03),
                   rng.choice(grades[1:], size=n, p=(0.15, 0.25, 0.30, 0.30)), "")
    labor = np.where((age < 16) | (age >= 70) | np.isin(dis, ["一级", "二级"]), "无",
                     np.where((age >= 60) | (dis != "") | ((p["slot"] >= 0) & (rng.random(n) < 0.1)), "部分", "有"))
    return pd.DataFrame({
        "person_key": [f"P{i:07d}" for i in range(n)], "family": fam, "relation": p["rel"].astype(object),
        "slot": p["slot"], "supporter_slot": p["supporter_slot"], "is_applicant": applicant,
        "name": name, "gender": np.where(male, "男", "女").astype(object), "male": male,
        "birth_date": birth, "age": age, "county_code": county,
        "address": np.array(b.fam["address"], dtype=object)[fam], "urban": np.array(b.fam["urban"])[fam],
        "birthplace": birthplace.astype(object), "id_number": ids, "twin_of": p["twin_of"],
        "labor_capacity": labor.astype(object), "disability_grade": dis.astype(object),
    })
