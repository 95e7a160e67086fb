"""Answers teach the model (issue #8): labelled pairs in the EM fit (`matching.em.fit`).

A province where EM alone is wrong: 1,000 true matches agree on fields a and b (c agrees 95 %),
but 3,000 relatives — non-matches — also agree on a and b and disagree on c. Unsupervised EM
takes the relatives for matches (m of `c disagrees` high, prior four times too big). A few
hundred caseworker answers fix it.
"""

import itertools

import numpy as np
import pandas as pd

from matching.em import Field, fit
from matching.model import patterns_arrays

PATS = np.array(list(itertools.product([0, 1], repeat=3)))
N = 100_000


def _pat(a, b, c):
    return int(np.flatnonzero((PATS == [a, b, c]).all(1))[0])


def _data():
    count = np.zeros(len(PATS))
    count[_pat(0, 0, 0)] += 950
    count[_pat(0, 0, 1)] += 50 + 3000          # matches with c disagreeing + the relatives
    for p in range(len(PATS)):                  # random non-matches, each field agreeing 5 %
        count[p] += 96_000 * np.prod([0.05 if v == 0 else 0.95 for v in PATS[p]])
    fields = [Field(k, ("agree", "disagree"), np.array([0.9, 0.1]), estimate_u=True, background=np.zeros(2))
              for k in "abc"]
    return {"a": PATS[:, 0], "b": PATS[:, 1], "c": PATS[:, 2], "count": count}, fields


def _labels(count):
    lm, ln = np.zeros_like(count), np.zeros_like(count)
    ln[_pat(0, 0, 1)] = 300                     # relatives the caseworkers denied
    lm[_pat(0, 0, 0)] = 50                      # true matches they confirmed
    return lm, ln


def test_em_alone_takes_the_relatives_for_matches():
    pats, fields = _data()
    r = fit(pats, fields, n_total=N)
    assert r.m["c"][1] > 0.5 and r.prior > 0.03 and r.posterior[_pat(0, 0, 1)] > 0.9


def test_answers_move_m_u_and_prior_toward_the_truth():
    pats, fields = _data()
    plain = fit(pats, fields, n_total=N)
    lm, ln = _labels(pats["count"])
    taught = fit({**pats, "label_match": lm, "label_nonmatch": ln}, fields, n_total=N)
    # m(c disagrees | match): truth 0.05; the prior: truth 0.01
    assert taught.m["c"][1] < 0.1 < plain.m["c"][1]
    assert abs(taught.prior - 0.01) < 0.002 < abs(plain.prior - 0.01)
    assert taught.posterior[_pat(0, 0, 1)] < 0.01
    assert taught.posterior[_pat(0, 0, 0)] > 0.95
    # c disagreeing: barely evidence against a match without answers, strong evidence with them
    assert np.log2(taught.m["c"][1] / taught.u["c"][1]) < -5 < np.log2(plain.m["c"][1] / plain.u["c"][1])
    # fixed responsibilities alone (no sharing within a pattern) still move m the same way
    fixed = fit({**pats, "label_match": lm, "label_nonmatch": ln}, fields, n_total=N, label_strength=float("inf"))
    assert fixed.m["c"][1] < plain.m["c"][1] and fixed.prior < plain.prior


def test_confirmations_raise_and_denials_lower_a_pattern():
    pats, fields = _data()
    plain = fit(pats, fields, n_total=N)
    i = _pat(0, 1, 0)                          # a and c agree, b does not: ambiguous
    yes, no = np.zeros(len(PATS)), np.zeros(len(PATS))
    yes[i] = min(20, pats["count"][i])
    confirmed = fit({**pats, "label_match": yes, "label_nonmatch": no}, fields, n_total=N)
    denied = fit({**pats, "label_match": no, "label_nonmatch": yes}, fields, n_total=N)
    assert denied.posterior[i] < plain.posterior[i] < confirmed.posterior[i]
    assert denied.m["b"][1] < plain.m["b"][1] < confirmed.m["b"][1]


def test_no_labels_is_exactly_the_unsupervised_fit():
    pats, fields = _data()
    plain = fit(pats, fields, n_total=N)
    zeros = np.zeros(len(PATS))
    same = fit({**pats, "label_match": zeros, "label_nonmatch": zeros}, fields, n_total=N)
    assert same.prior == plain.prior and same.iterations == plain.iterations
    for k in "abc":
        assert np.array_equal(same.m[k], plain.m[k]) and np.array_equal(same.u[k], plain.u[k])


def test_pattern_frames_carry_the_label_columns():
    _, fields = _data()
    frame = pd.DataFrame({"lv_a": ["agree"], "n": [10], "label_match": [3], "label_nonmatch": [None]})
    from matching import model
    model.LEVEL_COLUMNS.setdefault("a", "lv_a")
    try:
        arrays = patterns_arrays(frame, fields[:1])
    finally:
        model.LEVEL_COLUMNS.pop("a", None)
    assert arrays["label_match"].tolist() == [3.0] and arrays["label_nonmatch"].tolist() == [0.0]
