"""Names and coded values: typing noise removed, meaning kept."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.schema import TABLES
from connectors.values import normalise_name, parse_category, to_simplified

NAME_CASES = [
    {"raw": "张三", "expected": "张三"},
    {"raw": " 张 三 ", "expected": "张三"},
    {"raw": "张\u3000三", "expected": "张三"},
    {"raw": "张\u00a0三", "expected": "张三"},
    {"raw": "阿依古丽.买买提", "expected": "阿依古丽·买买提"},
    {"raw": "阿依古丽．买买提", "expected": "阿依古丽·买买提"},
    {"raw": "阿依古丽・买买提", "expected": "阿依古丽·买买提"},
    {"raw": "阿依古丽•买买提", "expected": "阿依古丽·买买提"},
    {"raw": "阿依古丽‧买买提", "expected": "阿依古丽·买买提"},
    {"raw": "阿依古丽 · 买买提", "expected": "阿依古丽·买买提"},
    {"raw": "J.Smith", "expected": "J.Smith"},
    {"raw": "Ｍａｒｙ  Ｌｅｅ", "expected": "Mary Lee"},
    {"raw": "李 Mary", "expected": "李 Mary"},
    {"raw": "張偉", "expected": "張偉"},  # traditional stays: simplification is a matching decision
    {"raw": "王𠮷", "expected": "王𠮷"},
]


@pytest.mark.parametrize("case", NAME_CASES, ids=[c["raw"] for c in NAME_CASES])
def test_names_lose_typing_noise_only(case):
    assert normalise_name(case["raw"]) == case["expected"]


@given(st.text(max_size=40))
def test_normalising_a_name_twice_changes_nothing(text):
    try:
        once = normalise_name(text)
    except ValueError:
        return
    assert normalise_name(once) == once


@given(st.lists(st.sampled_from("张王李赵阿依古丽买提 ·.・•‧\u3000"), min_size=1, max_size=15).map("".join))
def test_normalising_cjk_names_with_dots_and_spaces_twice_changes_nothing(text):
    try:
        once = normalise_name(text)
    except ValueError:
        return
    assert normalise_name(once) == once and "  " not in once


@pytest.mark.parametrize("raw, message", [
    ("", "an empty value is not a name"), ("\u3000", "an empty value is not a name"),
    ("123", "contains no letters"), ("张" * 21, "a name has at most 20"),
    ("14010519800101123X", "it holds 17 digits and an X, like an ID number"),
    ("140105198001011234", "it holds 18 digits, like an ID number"),
])
def test_names_that_are_not_names_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        normalise_name(raw)


def test_to_simplified_converts_traditional_characters():
    assert to_simplified("張偉") == "张伟"
    assert to_simplified("欧阳锋") == "欧阳锋"


@pytest.mark.parametrize("table, field, raw, expected", [
    ("applicants", "program", "低保", "dibao"),
    ("applicants", "program", " DIBAO ", "dibao"),
    ("applicants", "program", "特困人员供养", "tekun"),
    ("applicants", "relation", "妻", "配偶"),
    ("applicants", "gender", "ｍ", "男"),
    ("applicants", "disability_grade", "2", "二级"),
    ("applicants", "disability_grade", "无", ""),
    ("tax", "income_item", "工资、薪金所得", "工资薪金"),
    ("tax", "income_item", "工资 薪金", "工资薪金"),
    ("vehicle", "status", "正常", "正常"),
])
def test_categories_fold_spelling_and_map_labels(table, field, raw, expected):
    assert parse_category(raw, TABLES[table].field(field)) == expected


def test_unknown_category_lists_the_accepted_values():
    with pytest.raises(ValueError) as info:
        parse_category("良好", TABLES["vehicle"].field("status"))
    assert str(info.value).startswith("'良好' is not an accepted status; accepted: 正常, 注销, 报废, 被盗抢, 查封 (also ")
    assert "other spellings of them, such as 抵押" in str(info.value)
