"""What a caseworker reads: levels in Chinese, honest percentages, limits and amounts labelled as
what they are, and whether each balance counts."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from matching.comparisons import COMPARISONS, NOT_COMPARED
from reports import formatting as fmt
from reports.html import render_household
from review import evidence as ev

FIXTURE = Path(__file__).parent / "fixtures" / "reports" / "sample_report.json"
CODE = re.compile(r"[a-z]+_[a-z_]+|\b(?:known|other|exact|different|missing|unseen|clash|same|unknown)\b")


@pytest.fixture
def report() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr\b.*?</tr>", html, flags=re.S)


def _all_levels():
    for c in COMPARISONS:
        for lv in c.levels:
            yield c.field, lv.name
        if c.gate:
            yield c.field, NOT_COMPARED


def test_every_level_of_every_comparison_has_a_chinese_label():
    for c in COMPARISONS:
        for lv in c.levels:
            assert lv.label and any(ord(ch) > 127 for ch in lv.label), (c.field, lv.name)


@pytest.mark.parametrize("field,level", list(_all_levels()))
def test_review_sheet_and_report_show_no_level_codes(field, level):
    labelled = ev.weights({"weights": [{"field": field, "level": level, "weight": 1.5}]})
    text = ev.weights_text(labelled)
    assert not CODE.search(text), text
    assert any(ord(ch) > 127 for ch in labelled[0]["level"]), text
    shown = fmt.weight_label({"field": field, "level": level})
    assert not CODE.search(shown), shown


def test_review_levels_named_by_the_probe_are_in_chinese():
    text = ev.weights_text(ev.weights({"weights": [
        {"field": "address", "level": "same_dwelling", "weight": 11.5},
        {"field": "organisation", "level": "known_unique", "weight": 19.8},
        {"field": "id_number", "level": "same_birth_date", "weight": 0.8},
        {"field": "organisation", "level": "other", "weight": -1.0},
        {"field": "address", "level": "same_county", "weight": 1.0}]}))
    assert "住址：坐落与住址为同一住所（+11.5）" in text
    assert "身份证号：不同但出生日期段相同（+0.8）" in text
    assert "same_" not in text and "known" not in text and "other" not in text


@pytest.mark.parametrize("p,shown", [(1, "100%"), (1.0, "100%"), (0.9999, "99.99%"), (0.99999, "99.999%"),
                                     (0.9999999, "≥99.999%"), (0.999, "99.9%"), (0.5, "50.0%"), (0, "0%"),
                                     (0.0000001, "<0.001%"), (0.004, "0.4%")])
def test_probability_below_one_never_shows_100_percent(p, shown):
    assert fmt.percent(p) == shown


def test_near_certain_link_is_not_shown_as_100_percent(report):
    report["assets"]["financial"][0]["match_probability"] = 0.9999
    html = render_household(report)
    row = next(r for r in _rows(html) if "BNK0001" in r)
    assert "99.99%" in row and "100.0%" not in row


def test_tekun_asset_limit_is_labelled_dibao_standard(report):
    report["program"] = "tekun"
    report["standards"].update({"income_standard": 816.4, "tekun_standard": 816.4, "dibao_standard": 628.0,
                                "asset_limit_per_capita": 15072.0, "asset_multiplier": 24})
    html = render_household(report)
    assert "低保标准 ¥628.00×24" in html
    assert "收入标准×24" not in html


def test_contribution_amount_is_labelled_contribution_base(report):
    rec = copy.deepcopy(report["income"]["records"][0])
    rec.update({"record_id": "SIN0042", "source": "social_insurance", "kind": "contribution",
                "item": "职工基本医疗保险缴费（在职佐证）", "amount": 5100.0, "counted": False,
                "note": "该险种缴费仅作为在职（就业）佐证，缴费基数不作为工资佐证，不计入收入"})
    report["income"]["records"].append(rec)
    html = render_household(report)
    row = next(r for r in _rows(html) if "SIN0042" in r)
    assert "¥5,100.00" in row and "缴费基数" in row
    assert "金额 / 缴费基数" in html
    wage = next(r for r in _rows(html) if report["income"]["records"][0]["record_id"] in r)
    assert "缴费基数" not in wage


def test_financial_table_says_whether_each_balance_counts(report):
    fin = report["assets"]["financial"]
    fin[0].update({"counted": True, "note": None})
    fin[1].update({"decision": "review", "match_probability": 0.5, "counted": False, "note": "匹配待复核，暂不计入"})
    extra = copy.deepcopy(fin[0])
    extra.update({"record_id": "BNK0009", "counted": False, "note": None, "as_of_date": "2026-06-30"})
    fin.append(extra)
    html = render_household(report)
    head = html[html.index("<h3>金融资产"):]
    assert "<th>计入</th>" in head[:head.index("</thead>")]
    counted = next(r for r in _rows(html) if "BNK0001" in r)
    review = next(r for r in _rows(html) if "BNK0002" in r)
    earlier = next(r for r in _rows(html) if "BNK0009" in r)
    assert "✔" in counted and "不计入" not in counted
    assert "不计入" in review and "匹配待复核，暂不计入" in review
    assert "不计入" in earlier and 'class="not-counted"' in earlier
