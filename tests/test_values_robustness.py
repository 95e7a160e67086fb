"""No parser ever fails with anything but ValueError, whatever a file holds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.schema import TABLES
from connectors.values import (normalise_id_text, normalise_name, parse_category, parse_date, parse_id,
                               parse_money, parse_number, parse_period, parse_share)

PARSERS = {
    "parse_date": parse_date, "parse_period": parse_period, "parse_money": parse_money,
    "parse_money_negative_ok": lambda raw: parse_money(raw, negative_ok=True),
    "parse_number": parse_number, "parse_share": parse_share, "normalise_name": normalise_name,
    "parse_category": lambda raw: parse_category(raw, TABLES["applicants"].field("program")),
    "parse_id": parse_id, "normalise_id_text": normalise_id_text,
}
cells = st.one_of(st.text(), st.text(alphabet="0123456789.,-/年月日¥元万%E+ x"), st.integers(),
                  st.floats(), st.none(), st.booleans())


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(raw=cells)
def test_parsers_raise_only_value_error_on_arbitrary_input(name, raw):
    try:
        PARSERS[name](raw)
    except ValueError as exc:
        assert str(exc)  # a clerk must be told something


@given(st.text())
def test_parse_id_never_raises(text):
    assert parse_id(text).status in ("valid", "repaired", "invalid", "missing")


# --- the parsers the module above did not reach -------------------------------------------------

import time  # noqa: E402


from connectors.cells import dedupe_headers, render_cell  # noqa: E402
from connectors.errors import FileRejected  # noqa: E402
from connectors.headers import fold_header, map_headers  # noqa: E402
from connectors.values import check_char, from_excel_serial, to_simplified, upgrade_15  # noqa: E402

ALIASES = sorted({s for t in TABLES.values() for f in t.fields for s in (f.name,) + f.aliases})
header_names = st.one_of(st.sampled_from(ALIASES), st.sampled_from(ALIASES).map(lambda a: f" *{a}（元） "),
                         st.text(max_size=20), st.just(""), st.just("row_number"))


@pytest.mark.parametrize("name", ["check_char", "upgrade_15"])
@given(raw=st.one_of(st.text(), st.text(alphabet="0123456789０１２３Xx -", max_size=20)))
def test_id_helpers_raise_only_value_error(name, raw):
    try:
        {"check_char": check_char, "upgrade_15": upgrade_15}[name](raw)
    except ValueError as exc:
        assert str(exc)


@given(serial=st.one_of(st.floats(), st.integers(min_value=-10 ** 20, max_value=10 ** 20)))
def test_excel_serials_raise_only_value_error(serial):
    try:
        assert from_excel_serial(serial).year >= 1900
    except ValueError as exc:
        assert str(exc)


@given(text=st.text())
def test_name_folding_and_header_folding_never_raise(text):
    assert isinstance(to_simplified(text), str)
    assert isinstance(fold_header(text), str)


@pytest.mark.parametrize("table", sorted(TABLES))
@given(headers=st.lists(header_names, max_size=25))
def test_header_mapping_maps_or_rejects_with_a_reason(table, headers):
    names = dedupe_headers(headers)  # as every reader hands them over
    try:
        mapping = map_headers(TABLES[table], names, "delivery.csv")
    except FileRejected as exc:
        assert exc.reason.strip()
        return
    assert set(mapping) <= set(names)
    assert len(set(mapping.values())) == len(mapping)  # one column per field
    assert {f.name for f in TABLES[table].required} <= set(mapping.values())


@given(headers=st.lists(st.one_of(st.none(), header_names), max_size=30))
def test_deduplicated_headers_are_unique_and_keep_their_count(headers):
    names = dedupe_headers(headers)
    assert len(names) == len(headers) and len(set(names)) == len(names) and "row_number" not in names


@given(value=st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.decimals(), st.booleans(),
                       st.dates(), st.datetimes(), st.times(), st.timedeltas(), st.binary(),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                               max_size=3)))
def test_any_cell_renders_as_text_or_nothing(value):
    assert render_cell(value) is None or isinstance(render_cell(value), str)


LONG_INPUTS = {"digits": "1" * 50_000, "commas": "1," * 25_000, "dots": "1." * 25_000, "spaces": " " * 50_000,
               "han": "张" * 50_000, "years": "2024年" * 10_000, "dashes": "2024-" * 10_000, "yuan": "1元" * 25_000,
               "units": "(元)" * 15_000, "middle dots": "·" * 50_000, "full-width": "１" * 50_000}


@pytest.mark.parametrize("name", sorted(PARSERS) + ["fold_header", "to_simplified"])
def test_parsers_take_bounded_time_on_enormous_cells(name):
    """No parser backtracks on a 50,000-character cell (a regex gone quadratic would take minutes)."""
    parser = {**PARSERS, "fold_header": fold_header, "to_simplified": to_simplified}[name]
    for label, raw in LONG_INPUTS.items():
        start = time.perf_counter()
        try:
            parser(raw)
        except ValueError:
            pass
        assert time.perf_counter() - start < 2, label
