"""ID numbers: the check character, legacy upgrades, and flags instead of exceptions."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.values import check_char, normalise_id_text, parse_id, upgrade_15

areas = st.integers(110000, 659099).map(lambda n: f"{n:06d}")
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))
sequences = st.integers(0, 999).map(lambda n: f"{n:03d}")


@st.composite
def valid_ids(draw):
    body = draw(areas) + draw(births).strftime("%Y%m%d") + draw(sequences)
    return body + check_char(body)


def test_check_char_matches_the_published_example():
    # GB 11643-1999 appendix example
    assert check_char("11010519491231002") == "X"


@given(valid_ids())
def test_every_id_built_with_check_char_parses_as_valid(id18):
    info = parse_id(id18)
    assert (info.status, info.number, info.reason) == ("valid", id18, None)
    assert info.birth_date == date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    assert info.gender == ("男" if int(id18[16]) % 2 else "女")
    assert info.birthplace == id18[:6]


@given(areas, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_legacy_15_digit_id_upgrades_to_a_verifying_id_born_in_the_1900s(area, born, seq):
    info = parse_id(area + born.strftime("%y%m%d") + seq)
    assert info.status == "repaired"
    assert len(info.number) == 18 and info.number[6:8] == "19"
    assert check_char(info.number[:17]) == info.number[17]
    assert info.birth_date == born
    assert parse_id(info.number).status == "valid"


@given(valid_ids(), st.integers(0, 16), st.integers(1, 9))
def test_a_single_mistyped_digit_is_always_flagged_invalid(id18, position, shift):
    wrong = id18[:position] + str((int(id18[position]) + shift) % 10) + id18[position + 1:]
    info = parse_id(wrong)
    assert info.status == "invalid" and info.number == wrong and info.reason


@given(valid_ids(), st.integers(0, 15))
def test_two_swapped_neighbouring_digits_are_always_flagged_invalid(id18, i):
    swapped = id18[:i] + id18[i + 1] + id18[i] + id18[i + 2:]
    assert swapped == id18 or parse_id(swapped).status == "invalid"


@given(valid_ids())
def test_typing_noise_does_not_change_the_number(id18):
    fullwidth = id18.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    for spelling in (id18.lower(), f" {id18[:6]} {id18[6:14]} {id18[14:]} ", f"{id18[:6]}-{id18[6:]}",
                     fullwidth, "\u3000" + id18 + "\u3000"):
        assert parse_id(spelling).number == id18


@given(valid_ids(), st.data())
def test_a_letter_o_typed_for_a_zero_reads_as_the_zero(id18, data):
    """An analyst probe's applicant 1401O5…: refused as letters, linked to nothing."""
    zeros = [i for i, c in enumerate(id18) if c == "0"]
    if not zeros:
        return
    picked = data.draw(st.sets(st.sampled_from(zeros), min_size=1))
    typed = "".join(data.draw(st.sampled_from("Oo")) if i in picked else c for i, c in enumerate(id18))
    assert (parse_id(typed).status, parse_id(typed).number) == ("valid", id18)
    legacy = id18[:6] + id18[8:17]               # the same on a 15-digit card
    assert parse_id(legacy.replace("0", "O")).number == parse_id(legacy).number


@pytest.mark.parametrize("text", ["ZHAO", "O", "1401O5199O", "14010519900307104O1", "张三"])
def test_an_o_outside_an_id_shaped_number_stays_a_letter(text):
    assert normalise_id_text(text) == text


@given(st.text())
def test_normalising_id_text_twice_changes_nothing(text):
    once = normalise_id_text(text)
    assert normalise_id_text(once) == once


@pytest.mark.parametrize("raw, status, reason", [
    (None, "missing", None),
    ("  ", "missing", None),
    ("140105199003071045", "invalid", "check character mismatch: expected X got 5"),
    ("140105199013071040", "invalid", "impossible birth date 19901307"),
    ("1401051990030710", "invalid", "wrong length: 16 characters, expected 18 (or 15 for an old card)"),
    ("14010519900307104A", "invalid", "contains characters other than digits"),
    ("1.40105199003071E+17", "invalid", "shortened to 15 digits"),
    ("140105198001010000", "invalid", "a spreadsheet cell formatted as a number, its last digits were lost"),
    (140105198001010000, "invalid", "export the ID column as text"),   # the numeric cell itself
    ("140105901307120", "invalid", "impossible birth date 19901307"),
])
def test_bad_ids_are_kept_and_flagged_with_a_reason(raw, status, reason):
    info = parse_id(raw)
    assert info.status == status
    assert (info.reason is None) if reason is None else (reason in info.reason)


def test_invalid_id_still_yields_its_birth_date_and_gender_when_readable():
    info = parse_id("140105199003071045")
    assert (info.birth_date, info.gender, info.birthplace) == (date(1990, 3, 7), "女", "140105")


@pytest.mark.parametrize("bad", ["1401051990030710", "14010519900307A04", ""])
def test_check_char_refuses_anything_but_17_digits(bad):
    with pytest.raises(ValueError, match="is not 17 digits"):
        check_char(bad)


def test_upgrade_15_refuses_anything_but_15_digits():
    with pytest.raises(ValueError, match="accepted: exactly 15 digits"):
        upgrade_15("14010590030712")


BIRTH_CASES = [  # (id_status, the ID's birth date, the declared birth date, the birth date ages count from)
    ("valid", date(1960, 3, 3), date(1970, 1, 1), date(1960, 3, 3)),        # a probe's Excel serial 25569
    ("repaired", date(1960, 3, 3), date(1970, 1, 1), date(1960, 3, 3)),     # a legacy ID, upgraded
    ("invalid", date(1960, 3, 3), date(1970, 1, 1), date(1970, 1, 1)),      # an invalid ID proves nothing
    ("missing", None, date(1970, 1, 1), date(1970, 1, 1)),
    ("invalid", date(1960, 3, 3), None, date(1960, 3, 3)),                  # nothing declared: what the ID gives
    ("valid", date(1960, 3, 3), None, date(1960, 3, 3)),
]


@pytest.mark.parametrize("status,on_id,declared,expected", BIRTH_CASES)
def test_a_valid_or_upgraded_ids_birth_date_prevails_over_a_declared_one_in_python_and_sql(status, on_id, declared,
                                                                                           expected):
    import duckdb

    from connectors.values.idnumber import birth_date_of, birth_date_sql
    assert birth_date_of({"id_status": status, "id_birth_date": on_id, "birth_date": declared}) == expected
    con = duckdb.connect()
    got = con.execute(f"SELECT {birth_date_sql('m.')} FROM (SELECT ? AS id_status, CAST(? AS DATE) AS id_birth_date, "
                      "CAST(? AS DATE) AS birth_date) m", [status, on_id, declared]).fetchall()[0][0]
    con.close()
    assert got == expected
