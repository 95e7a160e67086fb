"""Expectation-maximisation of the Fellegi-Sunter m and u probabilities and the prior.

The data are *patterns*: distinct combinations of comparison levels (and term-frequency
values) over the candidate pairs, with their counts — a few thousand numbers summarise
millions of pairs, so the fit takes milliseconds and no Python touches a pair.

The space is every (row, member) pair. Candidates are where matches can be; the pairs no
blocking rule produced are non-matches, described per level by `background` counts. So:

- m[level] = expected matches at the level / expected matches (a weak Dirichlet prior
  toward the settings' starting values keeps unseen levels finite);
- u[level] of a blocking field (ID, name) = (expected non-matches among candidates at the
  level + background pairs at the level) / all non-matches; u of the other fields is the
  random-pair frequency, fixed;
- prior = expected matches / all pairs.

A term-frequency level (name `exact`, organisation `known`) uses the pair's own u in the
E-step, so 王伟 = 王伟 counts for less than 欧阳子䶮 = 欧阳子䶮.

Labels (semi-supervised EM): a pattern may carry `label_match` / `label_nonmatch` counts —
pairs a caseworker confirmed or denied (part of `count`). Their responsibility is fixed at 1
or 0 instead of the E-step's estimate. The model cannot tell the pairs of one pattern apart,
so the answers are also a sample of the rest of it: its unlabelled pairs get the E-step's
estimate gamma updated by the answers as a Beta prior of `label_strength` pseudo-pairs,

    share   = (label_match + label_strength * gamma) / (label_match + label_nonmatch + label_strength)
    matches = share * (count - label_match - label_nonmatch) + label_match

(fixed responsibilities alone barely move a pattern of thousands of pairs whose answered few
say EM is wrong; `label_strength=inf` is that plain semi-supervised EM). m, u and the prior
then move toward what the caseworkers said. Without labels (absent or all zero) the fit is
exactly the unsupervised one.

Example (three fields, true m = 0.9, u = 0.2, prior = 0.1; exact expected counts):
    >>> import itertools, numpy as np
    >>> pats = np.array(list(itertools.product([0, 1], repeat=3)))
    >>> agree = (pats == 0).sum(1)
    >>> count = 1e5 * (0.1 * 0.9**agree * 0.1**(3 - agree) + 0.9 * 0.2**agree * 0.8**(3 - agree))
    >>> fields = [Field(k, ("agree", "disagree"), np.array([0.7, 0.3]), estimate_u=True,
    ...                 background=np.zeros(2)) for k in "abc"]
    >>> r = fit({"a": pats[:, 0], "b": pats[:, 1], "c": pats[:, 2], "count": count}, fields, n_total=1e5)
    >>> round(float(r.m["a"][0]), 2), round(float(r.u["a"][0]), 2), round(float(r.prior), 2)
    (0.9, 0.2, 0.1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Field:
    name: str
    levels: tuple[str, ...]
    m0: np.ndarray
    estimate_u: bool
    u_fixed: np.ndarray | None = None
    """Random-pair frequencies (fields whose u is not estimated)."""
    background: np.ndarray | None = None
    """Non-candidate pair counts per level (fields whose u is estimated)."""
    u_max: dict[int, float] = field(default_factory=dict)
    """Level -> ceiling on its u (a fact of the domain; see `comparisons.Level.u_max`)."""
    fixed_weight: dict[int, float] = field(default_factory=dict)
    """Levels whose weight (bits) is given: their m follows u (m = u * 2^weight)."""
    tf: dict[int, str] = field(default_factory=dict)
    """Level -> pattern column holding the pair's own u for that level (term frequency;
    NaN: use the level's u)."""
    monotone: tuple[tuple[int, int], ...] = ()
    """(level, weaker level): m of the first is at least m of the second; an estimate that says
    otherwise pools the two (their mean), as isotonic regression would."""


@dataclass
class Fit:
    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    prior: float
    iterations: int
    converged: bool
    posterior: np.ndarray = field(repr=False)


def _log_bf(patterns: dict, fields: list[Field], m: dict, u: dict) -> np.ndarray:
    out = np.zeros(len(patterns["count"]))
    for f in fields:
        idx = patterns[f.name]
        on = idx >= 0
        lm = np.log(m[f.name])[np.where(on, idx, 0)]
        lu = np.log(u[f.name])[np.where(on, idx, 0)]
        for level, key in f.tf.items():
            if key in patterns:
                tf = patterns[key]
                use = on & (idx == level) & np.isfinite(tf) & (tf > 0)
                lu = np.where(use, np.log(np.where(use, tf, 1.0)), lu)
        out += np.where(on, lm - lu, 0.0)
    return out


def fit(patterns: dict, fields: list[Field], n_total: float, prior_strength: float = 5.0,
        max_iterations: int = 100, tolerance: float = 1e-6, prior0: float | None = None,
        label_strength: float = 5.0, prior_fixed: float | None = None) -> Fit:
    """Fit m, u and the prior on pattern counts.

    Args:
        patterns: `count` (pairs per pattern), one level-index array per field (-1: null
            level, not compared) and the term-frequency arrays named by `Field.tf_key`;
            optionally `label_match` / `label_nonmatch`: labelled pairs among `count`.
        fields: The comparisons, with their starting m and their u source.
        n_total: All row x member pairs (candidates and the rest).
        prior_strength: Pseudo-matches of the Dirichlet prior on m.
        max_iterations, tolerance: Stop when no m, u or prior moves by more than `tolerance`.
        prior0: Starting prior; default 1 / (pairs per candidate-rich member).
        label_strength: Weight (pseudo-pairs) of the E-step's estimate against a pattern's
            answers, for its unlabelled pairs (see the module docstring).
        prior_fixed: Hold the prior at this value instead of estimating it (a small run takes
            the warehouse's from its latest big run: `matching.link._earlier_fit`).

    Returns:
        A `Fit`; `posterior` is each pattern's probability of being a match.
    """
    count = np.asarray(patterns["count"], dtype=float)
    floor = 0.5 / max(n_total, 1.0)
    m0 = {f.name: np.asarray(f.m0, float) / np.sum(f.m0) for f in fields}
    m = {k: v.copy() for k, v in m0.items()}
    u = {}
    for f in fields:
        base = f.u_fixed if not f.estimate_u else f.background + count @ _onehot(patterns[f.name], len(f.levels))
        base = np.maximum(np.asarray(base, float), 0.0)
        if base.sum() > 0:
            u[f.name] = _capped(np.maximum(base / base.sum(), floor), f)
        else:   # no pair compares the field at all (a tiny warehouse): no evidence either way, weight 0
            u[f.name] = m0[f.name].copy()
    for f in fields:
        for level, bits in f.fixed_weight.items():
            m[f.name][level] = u[f.name][level] * 2.0 ** bits
    prior = prior0 if prior0 is not None else min(0.5, max(count.sum() * 0.5 / n_total, floor))
    if prior_fixed is not None:
        prior = prior_fixed
    converged, it = False, 0
    gamma = np.zeros_like(count)
    lab_m = np.asarray(patterns.get("label_match", np.zeros_like(count)), dtype=float)
    lab_n = np.asarray(patterns.get("label_nonmatch", np.zeros_like(count)), dtype=float)
    labelled = bool(lab_m.sum() + lab_n.sum() > 0)
    if labelled:
        lab_m = np.clip(lab_m, 0.0, count)
        lab_n = np.clip(lab_n, 0.0, count - lab_m)
        free = count - lab_m - lab_n
    for it in range(1, max_iterations + 1):
        logit = np.log(prior) - np.log1p(-prior) + _log_bf(patterns, fields, m, u)
        gamma = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        if labelled:
            if np.isinf(label_strength):
                share = gamma
            else:
                share = (lab_m + label_strength * gamma) / (lab_m + lab_n + label_strength)
            matches = share * free + lab_m
        else:
            matches = gamma * count
        nonmatches = count - matches
        delta = 0.0
        for f in fields:
            onehot = _onehot(patterns[f.name], len(f.levels))
            if f.estimate_u and (nonmatches @ onehot + f.background).sum() > 0:   # else: nothing to learn from
                new_u = nonmatches @ onehot + f.background
                new_u = _capped(np.maximum(new_u / new_u.sum(), floor), f)
                delta = max(delta, float(np.max(np.abs(np.log(new_u) - np.log(u[f.name])))) * 1e-2)
                u[f.name] = new_u
            new_m = matches @ onehot + prior_strength * m0[f.name]
            new_m = new_m / new_m.sum()
            for better, worse in f.monotone:
                if new_m[better] < new_m[worse]:
                    new_m[better] = new_m[worse] = (new_m[better] + new_m[worse]) / 2.0
            for level, bits in f.fixed_weight.items():   # before comparing: it is not estimated
                new_m[level] = u[f.name][level] * 2.0 ** bits
            delta = max(delta, float(np.max(np.abs(new_m - m[f.name]))))
            m[f.name] = np.maximum(new_m, 1e-12)
        new_prior = prior_fixed if prior_fixed is not None else min(max(matches.sum() / n_total, floor), 0.5)
        delta = max(delta, abs(np.log(new_prior) - np.log(prior)) * 1e-2)
        prior = new_prior
        if delta < tolerance:
            converged = True
            break
    return Fit(m=m, u=u, prior=prior, iterations=it, converged=converged, posterior=gamma)


def _capped(u: np.ndarray, f: Field) -> np.ndarray:
    for level, ceiling in f.u_max.items():
        u[level] = min(u[level], ceiling)
    return u


def _onehot(idx: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((len(idx), k))
    on = idx >= 0
    out[np.flatnonzero(on), idx[on]] = 1.0
    return out


def weights(fit_: Fit) -> dict[str, np.ndarray]:
    """Match weight (bits) of every level: log2(m / u)."""
    return {k: np.log2(fit_.m[k] / fit_.u[k]) for k in fit_.m}
