"""From pattern counts and background counts to a fitted Fellegi-Sunter model.

`build_fields` turns the comparisons and the non-candidate description (see `background`)
into EM fields; `fit_model` runs EM and returns the parameters per field and level, the
form `scoring.scored_sql` and the `match_parameters` table take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from matching.comparisons import COMPARISONS, ID_AGREES, LEVEL_COLUMNS, Comparison
from matching.em import Field, Fit, fit


@dataclass
class Model:
    params: dict[str, dict[str, tuple[float, float]]]
    """field -> level -> (m, u)"""
    prior: float
    fit: Fit

    def rows(self, run_id: str) -> list[tuple]:
        """Rows of `match_parameters`."""
        out = []
        for c in COMPARISONS:
            for lv in c.scored_levels:
                m, u = self.params[c.field][lv.name]
                tf = lv.name in dict(c.tf_columns)
                out.append((run_id, c.field, lv.name, m, u, float(np.log2(m / u)), tf, lv.label))
        return out


def _rates(c: Comparison, counts: dict[str, tuple[float, float]], exclude: tuple[str, ...] = ()) -> np.ndarray:
    """Sample frequencies of the scored levels, each level given half a sampled unit more
    (a level never seen in n units is rarer than 1/n, not impossible)."""
    total_w = sum(w for w, _ in counts.values()) or 1.0
    units = sum(n for _, n in counts.values()) or 1.0
    half = 0.5 * total_w / units
    raw = np.array([0.0 if lv.name in exclude else counts.get(lv.name, (0.0, 0.0))[0] + half
                    for lv in c.scored_levels])
    return raw / raw.sum()


def build_fields(sample: dict[str, dict[str, tuple[float, float]]], candidates: dict[str, dict[str, float]],
                 totals: dict[str, float], n_total: float, n_candidates: float) -> list[Field]:
    """EM fields whose u is estimated over all pairs: the candidates' non-matches plus the
    non-candidate pairs, described by `background` counts.

    Background: random-pair `sample` rates (field -> level -> (weight, units)) times the
    non-candidate pairs, except where exact totals are known: no non-candidate pair has an
    agreeing ID (blocking is complete for them); pairs agreeing on the name or its pinyin,
    and property rows at the member's very address, are counted exactly (`totals`: `exact`,
    `pinyin`, `address`).
    """
    rest = max(n_total - n_candidates, 0.0)
    out = []
    for c in COMPARISONS:
        levels = tuple(lv.name for lv in c.scored_levels)
        m0 = np.array([lv.m0 for lv in c.scored_levels])
        tf = {levels.index(level): col for level, col in c.tf_columns}
        cand = candidates.get(c.field, {})
        counts = sample.get(c.field, {})
        if c.field == "id_number":
            bg = _rates(c, counts, exclude=ID_AGREES) * rest
        elif c.field == "name":
            exact = max(totals["exact"] - cand.get("exact", 0.0), 0.0)
            pinyin = max(totals["pinyin"] - totals["exact"] - cand.get("same_pinyin", 0.0), 0.0)
            bg = _rates(c, counts, exclude=("exact", "same_pinyin")) * max(rest - exact - pinyin, 0.0)
            bg[levels.index("exact")] = exact
            bg[levels.index("same_pinyin")] = pinyin
        else:
            bg = _rates(c, counts) * rest
            if c.field == "address":
                i = levels.index("same_dwelling")
                bg[i] = max(bg[i], totals.get("address", 0.0) - cand.get("same_dwelling", 0.0), 0.0)
        fixed = {i: lv.fixed_weight for i, lv in enumerate(c.scored_levels) if lv.fixed_weight is not None}
        u_max = {i: lv.u_max for i, lv in enumerate(c.scored_levels) if lv.u_max is not None}
        monotone = tuple((levels.index(a), levels.index(b)) for a, b in c.m_at_least)
        out.append(Field(c.field, levels, m0, True, background=bg, tf=tf, fixed_weight=fixed, u_max=u_max,
                         monotone=monotone))
    return out


def patterns_arrays(patterns: pd.DataFrame, fields: list[Field]) -> dict[str, np.ndarray]:
    """Level indices (-1 for null / uncompared levels) and TF arrays from a pattern frame."""
    out: dict[str, np.ndarray] = {"count": patterns["n"].to_numpy(dtype=float)}
    for col in ("label_match", "label_nonmatch"):
        if col in patterns:
            out[col] = pd.to_numeric(patterns[col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    for f in fields:
        lookup = {name: i for i, name in enumerate(f.levels)}
        out[f.name] = patterns[LEVEL_COLUMNS[f.name]].map(lambda v: lookup.get(v, -1)).to_numpy(dtype=np.int64)
        for key in f.tf.values():
            out[key] = pd.to_numeric(patterns[key], errors="coerce").to_numpy(dtype=float)
    return out


def fit_model(patterns: pd.DataFrame, fields: list[Field], n_total: float, *, prior_strength: float,
              max_iterations: int, tolerance: float, label_strength: float = 5.0,
              prior_fixed: float | None = None) -> Model:
    arrays = patterns_arrays(patterns, fields)
    result = fit(arrays, fields, n_total, prior_strength=prior_strength, max_iterations=max_iterations,
                 tolerance=tolerance, label_strength=label_strength, prior_fixed=prior_fixed)
    params = {f.name: {lv: (float(result.m[f.name][i]), float(result.u[f.name][i])) for i, lv in enumerate(f.levels)}
              for f in fields}
    return Model(params=params, prior=float(result.prior), fit=result)
