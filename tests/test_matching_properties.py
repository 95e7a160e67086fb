"""Invariants of the linker's parts: idempotent standardisation, symmetric comparisons,
complete ID repairs, and an EM fit that recovers the parameters it was given."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.values.idnumber import check_char
from matching import id_repairs, level_of, name_pinyin, normalise_org, parse_address, standardise_name
from matching.em import Field, fit
from matching.idrepair import id_code

NAME_CHARS = "张章王汪李理伟玮炜丽莉静靖張偉麗華国國单曾区欧阳·・ 　?？ＡａB䶮-－—"
names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=6)


@given(names)
def test_standardised_names_stay_standard(raw):
    once = standardise_name(raw)
    assert standardise_name(once) == once
    if once:
        assert name_pinyin(standardise_name(once)) == name_pinyin(once)


@pytest.mark.parametrize("left, right, same", [
    ("太原市华晋煤业有限责任公司", "太原华晋煤业有限公司", True),      # one payer, two clerks
    ("山西省华晋煤业公司", "山西华晋煤业有限公司", True),
    ("北京市朝阳区某某商贸有限公司", "北京朝阳区某某商贸", True),
    ("山西金鼎机械制造有限公司（本部）", "山西金鼎机械制造", True),
    ("太原金鼎机械", "山西金鼎机械", False),                          # the place itself still tells firms apart
    ("城市建设集团", "城建设集团", False),                            # a 市 that follows no place is a word
    ("大都市物业管理有限公司", "大都物业管理有限公司", False),         # 都市, 超市 …: a brand's word (an adversarial probe)
    ("华联超市连锁", "华联超连锁", False),
    ("晋城市兰花煤炭", "晋城兰花煤炭", True),
    ("大同城市建设有限公司", "大同城建设有限公司", False),
])
def test_organisation_spellings_that_are_one_payer_normalise_alike(left, right, same):
    assert (normalise_org(left) == normalise_org(right)) == same


@given(st.text(alphabet="山西太原市省有限责任公司股份（）()金鼎煤业 ", min_size=1, max_size=20))
def test_normalised_organisations_stay_normal(raw):
    once = normalise_org(raw)
    assert normalise_org(once) == once


def _valid_id(digits: str) -> str:
    body = "1401051" + digits[:10]
    return body + check_char(body)


ids = st.text(alphabet="0123456789", min_size=10, max_size=10).map(_valid_id)


@given(ids, st.integers(0, 17), st.integers(1, 9))
def test_a_wrong_digit_is_always_repaired(true_id, pos, shift):
    if pos == 17:
        wrong = true_id[:17] + ("0" if true_id[17] != "0" else "1")
    else:
        wrong = true_id[:pos] + str((int(true_id[pos]) + shift) % 10) + true_id[pos + 1:]
    assert id_code(true_id) in id_repairs([wrong]).column("repair_code").to_pylist()


@given(ids, st.integers(0, 16))
def test_a_swap_is_always_repaired(true_id, pos):
    if true_id[pos] == true_id[pos + 1]:
        return
    wrong = true_id[:pos] + true_id[pos + 1] + true_id[pos] + true_id[pos + 2:]
    if wrong[17] == "X" or wrong[:17].isdigit():
        assert id_code(true_id) in id_repairs([wrong]).column("repair_code").to_pylist()


id_pool = st.sampled_from(["14010519900307104X", "14010519900307184X", "14010519900307014X",
                           "14020219900307205X", "140105198811230016", None])
addr_pool = st.sampled_from(["太原市小店区坞城街道南内环社区3号楼2单元501室", "小店区坞城街道南内环社区3号楼2单元501室",
                             "太原市小店区坞城街道南内环社区3号楼1单元302室", "清徐县徐沟镇西楚王村12号",
                             "太原市小店区亲贤街道锦绣苑社区1号楼1单元101室", None])


@settings(max_examples=40, deadline=None)
@given(st.tuples(id_pool, names, addr_pool), st.tuples(id_pool, names, addr_pool))
def test_symmetric_fields_compare_the_same_both_ways(a, b):
    def side(v):
        return {"id_number": v[0], "name": v[1] if standardise_name(v[1]) else "张伟", "address": v[2],
                "source": "property"}

    for field in ("id_number", "name", "address"):
        assert level_of(field, side(a), side(b)) == level_of(field, side(b), side(a))


@given(addr_pool.filter(bool), st.sampled_from(["", " ", "\u3000"]))
def test_address_parts_ignore_typing(address, space):
    typed = address.translate(str.maketrans("0123456789", "０１２３４５６７８９")).replace("号楼", space + "号楼")
    assert parse_address(typed) == parse_address(address)


def test_em_recovers_the_parameters_it_was_given():
    """Four fields, known m, u and prior; the exact expected pattern counts go in."""
    m = np.array([[0.9, 0.07, 0.03], [0.95, 0.05, 0.0], [0.8, 0.2, 0.0], [0.85, 0.15, 0.0]])
    u = np.array([[0.01, 0.09, 0.9], [0.1, 0.9, 0.0], [0.3, 0.7, 0.0], [0.2, 0.8, 0.0]])
    k = [3, 2, 2, 2]
    prior, n = 0.05, 1e6
    pats = np.array(list(itertools.product(*[range(x) for x in k])))
    pm = np.prod([m[f, pats[:, f]] for f in range(4)], axis=0)
    pu = np.prod([u[f, pats[:, f]] for f in range(4)], axis=0)
    count = n * (prior * pm + (1 - prior) * pu)
    fields = [Field(f"f{f}", tuple(str(i) for i in range(k[f])), np.full(k[f], 1.0 / k[f]), estimate_u=True,
                    background=np.zeros(k[f])) for f in range(4)]
    fields[0].m0 = np.array([0.6, 0.3, 0.1])
    patterns = {f"f{f}": pats[:, f] for f in range(4)} | {"count": count}
    result = fit(patterns, fields, n_total=n, prior_strength=0.0, max_iterations=2000, tolerance=1e-10)
    assert result.converged
    assert abs(result.prior - prior) < 1e-3
    for f in range(4):
        np.testing.assert_allclose(result.m[f"f{f}"], m[f, :k[f]], atol=2e-3)
        np.testing.assert_allclose(result.u[f"f{f}"], np.maximum(u[f, :k[f]], 0.5 / n), atol=2e-3)


def test_em_with_a_fixed_weight_level_converges_and_keeps_that_weight():
    """A level whose weight is given (the organisation's `clash`) is not estimated: the fit must
    still converge (it once compared the estimate with the fixed value every iteration and ran
    to its cap) and the level must end with exactly the given weight."""
    pats = np.array(list(itertools.product(range(3), range(2))))
    count = np.array([900.0, 50.0, 30.0, 400.0, 5.0, 2000.0])
    fields = [Field("a", ("agree", "clash", "other"), np.array([0.8, 0.01, 0.19]), estimate_u=True,
                    background=np.array([10.0, 50.0, 1e5]), fixed_weight={1: -10.0}),
              Field("b", ("agree", "disagree"), np.array([0.9, 0.1]), estimate_u=True, background=np.array([1.0, 1e5]))]
    result = fit({"a": pats[:, 0], "b": pats[:, 1], "count": count}, fields, n_total=1e5, max_iterations=500)
    assert result.converged and result.iterations < 500
    assert abs(np.log2(result.m["a"][1] / result.u["a"][1]) + 10.0) < 1e-9


def test_a_field_no_pair_compares_gets_no_weight_instead_of_nan():
    """A tiny warehouse where every pair's ID agrees compares no birth date at all: EM had 0/0 for
    its u, the weights came out NaN and the scoring SQL (`THEN nan`) failed every later pass."""
    from matching.scoring import weight_case_sql

    pats = np.array([[0, -1], [1, -1]])
    fields = [Field("a", ("agree", "disagree"), np.array([0.9, 0.1]), estimate_u=True, background=np.array([0.0, 5.0])),
              Field("b", ("same", "other"), np.array([0.8, 0.2]), estimate_u=True, background=np.zeros(2))]
    result = fit({"a": pats[:, 0], "b": pats[:, 1], "count": np.array([10.0, 2.0])}, fields, n_total=12.0)
    assert np.isfinite(result.m["b"]).all() and np.isfinite(result.u["b"]).all()
    assert "nan" not in weight_case_sql("birth_date", {"exact": (float("nan"), 0.1), "different": (0.1, 0.0)})


def test_em_never_makes_a_weaker_agreement_commoner_among_matches_than_a_stronger_one():
    """A review probe's world taught EM that matches agree on a homophone more often than on the
    exact name; `Field.monotone` pools the two instead."""
    import numpy as np

    from matching.em import Field, fit

    levels = ("exact", "same_pinyin", "different")
    name = np.array([0, 1, 1, 1, 2, 2])
    ident = np.array([0, 0, 0, 0, 1, 1])
    count = np.array([5.0, 40.0, 40.0, 40.0, 5000.0, 5000.0])
    fields = [Field("name", levels, np.array([0.9, 0.05, 0.05]), True, background=np.array([10.0, 10.0, 1e6]),
                    monotone=((0, 1),)),
              Field("id", ("agree", "other"), np.array([0.9, 0.1]), True, background=np.array([0.0, 1e6]))]
    free = fit({"name": name, "id": ident, "count": count}, [fields[0].__class__(**{**fields[0].__dict__, "monotone": ()}),
                                                            fields[1]], n_total=2e6)
    assert free.m["name"][0] < free.m["name"][1]       # what EM says left alone
    pooled = fit({"name": name, "id": ident, "count": count}, fields, n_total=2e6)
    assert pooled.m["name"][0] >= pooled.m["name"][1]
