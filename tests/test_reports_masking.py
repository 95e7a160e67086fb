"""reports.masking: ID masking, leak detection, formula escaping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.masking import (FULL_ID_RE, _is_id, escape_formula, find_full_ids, mask_account, mask_id, scrub, scrub_cell,
                             scrub_text)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("140105198001011234", "140105********1234"),
        ("14010519800101123X", "140105********123X"),
        ("14010519800101123x", "140105********123x"),
        ("140105800101123", "140105*****1123"),          # 15-digit legacy
        ("140105 19800101 1234", "140105********1234"),   # spaces dropped
        ("140105-19800101-1234", "140105********1234"),
        ("１４０１０５１９８００１０１１２３４", "140105********1234"),  # full-width digits
        ("12345678", "****5678"),                         # short: all but last 4
        ("1401051980010112", "************0112"),         # odd length
        ("1234", "****"),
        ("12", "**"),
        ("", ""),
        (None, ""),
        (140105198001011234, "140105********1234"),       # a number from a spreadsheet
        ("未办理", "未办理"),                              # no number at all: shown as written
        ("无", "无"),
        ("待申报x", "待申报x"),
        ("未办理1234", "***1234"),                        # any digit: masked as before
    ],
)
def test_mask_id(raw, masked):
    assert mask_id(raw) == masked


def test_mask_id_is_idempotent_on_masked_values():
    assert mask_id("140105********1234") == "140105********1234"


def test_mask_account():
    assert mask_account("6217000012345671234") == "6217***********1234"
    assert mask_account("6217****1234") == "6217****1234"
    assert mask_account(None) == ""


def test_find_full_ids():
    text = "甲 140105198001011234，乙 14010519800101123X；丙 140105800101123；丁 140105********1234"
    assert find_full_ids(text) == ["140105198001011234", "14010519800101123X", "140105800101123"]
    assert find_full_ids("１４０１０５１９８００１０１１２３４") == ["140105198001011234"]
    assert find_full_ids("") == []


@pytest.mark.parametrize(
    "text",
    ["TAX000000123", "6217000012345671234", "1401051980010112345", "20261128180211", "H140105000123", "12.5"],
)
def test_full_id_re_ignores_other_numbers(text):
    assert not FULL_ID_RE.search(text)


def test_scrub_masks_keys_and_text_and_keeps_the_rest():
    report = {
        "members": [{"name": "王伟", "id_number": "14010519800101123", "id_number_masked": "140105198001011234",
                     "note": "身份证号140105198001011234一致", "age": 45}],
        "raw_id": 140105198001011234,
        "masked_ok": {"id_number_masked": "140105********1234"},
        "flag": True,
    }
    clean = scrub(report)
    member = clean["members"][0]
    assert member["id_number"] == "*************1123"        # 17 chars: an odd ID, masked anyway
    assert member["id_number_masked"] == "140105********1234"
    assert member["note"] == "身份证号140105********1234一致"
    assert member["age"] == 45 and member["name"] == "王伟"
    assert clean["raw_id"] == "140105********1234"
    assert clean["masked_ok"]["id_number_masked"] == "140105********1234"
    assert clean["flag"] is True
    assert report["members"][0]["id_number"] == "14010519800101123"  # input untouched
    assert scrub_text("无身份证号") == "无身份证号"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("王伟", "王伟"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


def test_the_fraction_of_a_probability_is_not_taken_for_an_id():
    assert find_full_ids("匹配概率 0.946669668904998") == []
    assert find_full_ids("身份证 140105198001011233") == ["140105198001011233"]


def test_scrub_masks_account_numbers_that_the_bank_sent_in_full():
    doc = {"assets": {"financial": [{"account_number": "6222751221753030877", "record_id": "BNK1"},
                                    {"account_number": "6227****0434"}, {"account_number": None}]}}
    out = scrub(doc)["assets"]["financial"]
    assert [a["account_number"] for a in out] == ["6222***********0877", "6227****0434", None]
    assert out[0]["record_id"] == "BNK1"


def _slow_scrub_text(text: str) -> str:
    """scrub_text without its ASCII shortcut: fold everything, then mask what is an ID (a run of 15
    digits beside a Latin letter, `000000000000000b`, is part of a key or a hash: `_is_id`)."""
    import unicodedata
    folded = unicodedata.normalize("NFKC", text)
    if not FULL_ID_RE.search(folded):
        return text
    return FULL_ID_RE.sub(lambda m: mask_id(m.group(0)) if _is_id(m) else m.group(0), folded)


@given(st.text(alphabet=st.sampled_from(list("0123456789Xx .-:abc张伟１２３４５") + ["\u3000"]), max_size=60))
@settings(max_examples=300, deadline=None)
def test_the_ascii_shortcut_masks_exactly_what_folding_everything_would(text):
    assert scrub_text(text) == _slow_scrub_text(text)
    assert not find_full_ids(scrub_text(text))


def test_an_integer_that_reads_as_an_id_is_masked_and_a_small_one_kept():
    assert scrub({"n": 140105198001011234, "m": 12345, "x": 100000000000000}) == {
        "n": "140105********1234", "m": 12345, "x": "100000*****0000"}


@pytest.mark.parametrize("text, masked", [
    ("140105 19900307 0810", "140105********0810"),          # the contract's spellings of an ID
    ("140105-19900307-0810", "140105********0810"),
    ("ID140105199003070810", "ID140105********0810"),         # letters around an ID do not hide it
    ("BK140105199003070810", "BK140105********0810"),
    ("晋A140105199003070810abc", "晋A140105********0810abc"),
    ("6222 0200 1234 5678", "6222 0200 1234 5678"),           # a 16-digit account is no ID
    ("P773408780477949d", "P773408780477949d"),               # nor a person key's digits (16 hex digits)
    ("Pf609973730603158", "Pf609973730603158"),               # ... even when they read like a legacy ID
    ("abc140105800101015", "abc140105*****1015"),             # a legacy ID glued to letters (a vehicle's price)
    ("x140105800101015x", "x140105*****1015x"),
])
def test_scrub_text_masks_ids_spelled_with_separators_or_glued_to_letters(text, masked):
    assert scrub_text(text) == masked


def test_a_float_printed_with_an_ids_digits_is_masked_for_data_stewards():
    assert scrub_cell("1.4010519720101034e+17") == "*************1034"
    assert scrub_cell("0.946669668904998") == "0.946669668904998" and scrub_cell("12.5") == "12.5"
