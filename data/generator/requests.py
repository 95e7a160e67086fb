"""The applicant tables: the nightly rolls snapshot and a few inbox request files.

The first households (the inbox plan) are new applicants spread over 3-5 request files of
2-3 agencies; every other household is on the rolls. Members come first (户主 = 1), a tekun
elder's supporters follow as 赡养人. ~2% of IDs are written wrong (legacy or one digit);
~1% of persons have no consent reference. Declared income and assets are honest for most
clean households and often under-declared where the household is over a limit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from connectors.schema import PROGRAM_LABELS

from . import counties as C
from . import noise as noise_mod
from .writers import FileSpec

ROLLS_SPEC = FileSpec("rolls_{d}.csv", "csv", "utf-8-sig", date="slash", money="plain", labels={"program": "zh"})
INBOX_SPECS = (
    FileSpec("request_{d}_{k}.xlsx", "xlsx", date="date", money="number", labels={"program": "short"}),
    FileSpec("request_{d}_{k}.csv", "csv", "gbk", crlf=True, date="cn", money="plain",
             labels={"program": "zh", "relation": "labels", "labor_capacity": "labels", "disability_grade": "digits"}),
    FileSpec("request_{d}_{k}.csv", "csv", "utf-8", headers="en", date="iso", money="plain"),
    FileSpec("request_{d}_{k}.csv", "csv", "utf-8-sig", sep="\t", date="compact", money="yuan",
             labels={"program": "zh"}),
    FileSpec("request_{d}_{k}.jsonl", "jsonl", headers="en", date="iso", money="number"),
)
_ZH = {v: k for k, v in PROGRAM_LABELS.items() if len(k) > 2 and k != "特困供养"}
_SHORT = {"dibao": "低保", "tekun": "特困"}
_REL = {"户主": "本人", "父母": "父亲"}
_LABOR = {"有": "有劳动能力", "部分": "部分劳动能力", "无": "无劳动能力"}
_GRADE = {"一级": "1", "二级": "2", "三级": "3", "四级": "4"}


def plan_inbox(rng: np.random.Generator, n: int) -> list[tuple[int, str, int]]:
    """(file index, county code, households) for each inbox file; at most half of N."""
    if n < 2:
        return []
    n_files = 3 if n < 200 else int(rng.integers(4, 6))
    n_files = min(n_files, max(1, n // 4)) if n < 12 else n_files
    sizes = rng.integers(5, 21, n_files)
    while sizes.sum() > n // 2 and sizes.max() > 1:
        sizes[sizes.argmax()] -= 1
    n_agencies = min(n_files, 2 if n_files == 3 else 3)
    counties = rng.choice(C.CODES, size=n_agencies, replace=False, p=C.WEIGHTS)
    return [(k, str(counties[k % n_agencies]), int(sizes[k])) for k in range(n_files)]


def members(rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame,
            income: np.ndarray, assets: np.ndarray, over: np.ndarray, as_of: dt.date) -> pd.DataFrame:
    """One canonical row per person of every applicant household (members, then supporters)."""
    slot = persons.slot.to_numpy()
    sup = persons.supporter_slot.to_numpy()
    idx = np.concatenate([np.flatnonzero(slot >= 0), np.flatnonzero(sup >= 0)])
    hh = np.concatenate([slot[slot >= 0], sup[sup >= 0]])
    is_sup = np.r_[np.zeros((slot >= 0).sum(), bool), np.ones((sup >= 0).sum(), bool)]
    order = np.lexsort((idx, is_sup, hh))
    idx, hh, is_sup = idx[order], hh[order], is_sup[order]
    start = np.r_[0, np.flatnonzero(hh[1:] != hh[:-1]) + 1]
    member_no = np.arange(len(idx)) - np.repeat(start, np.diff(np.r_[start, len(idx)])) + 1
    P = persons.iloc[idx]
    H = households.iloc[hh]
    year = P.birth_date.to_numpy().astype("datetime64[Y]").astype(int) + 1970
    wid, id_noise = noise_mod.request_id_noise(rng, P.id_number.to_numpy(dtype=object), year)
    inbox = H.inbox.to_numpy()
    sq_year = np.where(inbox, as_of.year, as_of.year - rng.integers(0, 4, len(hh)))
    consent_ref = np.array([f"SQ{y}-{s + 1:06d}" for y, s in zip(sq_year, hh)], dtype=object)
    consent = rng.random(len(idx)) >= 0.01
    consent_ref[~consent] = ""
    plan = over[hh]
    inc, fin = income[idx], assets[idx]
    r = rng.random((len(idx), 4))
    honest_p = np.where(plan != "", 0.35, 0.85)
    under = np.round(inc * rng.uniform(0, 0.5, len(idx)), -1)
    declared_inc = np.where(r[:, 0] < honest_p, np.round(inc), under)
    declared_inc = np.where((r[:, 1] < 0.08) | (P.age.to_numpy() < 16), np.nan, declared_inc)
    declared_fin = np.where(r[:, 2] < honest_p, np.round(fin, -2), np.round(fin * rng.uniform(0, 0.3, len(idx)), -2))
    declared_fin = np.where(r[:, 3] < 0.1, np.nan, declared_fin)
    return pd.DataFrame({
        "slot": hh, "person": idx, "request_id": "", "agency": H.agency.to_numpy(),
        "program": H.program.to_numpy(), "household_id": H.household_id.to_numpy(),
        "county_code": H.county_code.to_numpy(), "member_no": member_no.astype(float),
        "name": P.name.to_numpy(), "id_number": wid, "true_id": P.id_number.to_numpy(), "id_noise": id_noise,
        "relation": np.where(is_sup, "赡养人", P.relation.to_numpy()), "consent_ref": consent_ref,
        "consent": consent, "birth_date": P.birth_date.to_numpy().astype("datetime64[D]"),
        "gender": P.gender.to_numpy(), "address": np.where(is_sup, P.address.to_numpy(), H.address.to_numpy()),
        "labor_capacity": P.labor_capacity.to_numpy(), "disability_grade": P.disability_grade.to_numpy(),
        "declared_monthly_income": declared_inc, "declared_financial_assets": declared_fin,
        "inbox": inbox,
    })


def label(df: pd.DataFrame, spec: FileSpec, rng: np.random.Generator) -> pd.DataFrame:
    """Spell categories the way this file's agency does (Chinese labels, 本人, 1..4 ...)."""
    out = df.copy()
    lab = spec.labels
    if lab.get("program") == "zh":
        out["program"] = out.program.map(_ZH)
    elif lab.get("program") == "short":
        out["program"] = out.program.map(lambda p: _SHORT.get(p, _ZH[p]))
    if lab.get("relation") == "labels":
        some = rng.random(len(out)) < 0.5
        out["relation"] = np.where(some, out.relation.map(lambda r: _REL.get(r, r)), out.relation)
    if lab.get("labor_capacity") == "labels":
        out["labor_capacity"] = out.labor_capacity.map(_LABOR)
    if lab.get("disability_grade") == "digits":
        out["disability_grade"] = out.disability_grade.map(lambda g: _GRADE.get(g, g))
    return out


def assign(rng: np.random.Generator, m: pd.DataFrame, plan: list[tuple[int, str, int]],
           as_of: dt.date) -> tuple[pd.DataFrame, list[tuple[FileSpec, str, pd.DataFrame]]]:
    """Request ids for every row; the rolls frame and (spec, agency, frame) per inbox file."""
    m = m.assign(name_written=m.name)
    d = as_of.strftime("%Y%m%d")
    seq = m.household_id.str.split("-").str[1].astype(int)
    m.loc[~m.inbox, "request_id"] = "ROLL-" + m.county_code + "-" + seq.map("{:06d}".format)
    files, first, req = [], 0, 1
    for k, code, count in plan:
        slots = list(range(first, first + count))
        first += count
        rows = m[m.slot.isin(slots)].copy()
        split = count >= 8 and k == 0          # one file holds two requests
        half = slots[: count // 2]
        ids = np.where(split & rows.slot.isin(half), f"REQ-{d}-{req:04d}", f"REQ-{d}-{req + split:04d}")
        req += 1 + split
        rows["request_id"] = ids
        m.loc[rows.index, "request_id"] = ids
        spec = INBOX_SPECS[k % len(INBOX_SPECS)]
        spec = dataclasses.replace(spec, name=spec.name.replace("{k}", f"{k + 1:02d}"))
        if spec.encoding == "gbk":             # a GBK system cannot store every name character
            rows["name"], _ = noise_mod.gbk_safe(rows.name.to_numpy())
            m.loc[rows.index, "name_written"] = rows.name
        if k % len(INBOX_SPECS) == 1:
            rows["agency"] = ""                # the folder names the agency
        elif k % len(INBOX_SPECS) == 2:
            rows = rows.drop(columns=["agency"])
        files.append((spec, C.COUNTY_BY_CODE[code].agency, rows))
    return m, files
