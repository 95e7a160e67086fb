"""The DuckDB gate means what GX means: same suites, same rows, real GX on pandas as the referee.

For every table's suite, a small batch with nulls, boundary values and a violation of every
expectation is validated twice — by `evaluate()` (DuckDB) and by GX 1.x itself (ephemeral
context, pandas datasource, whole-dataframe batch, result_format="COMPLETE") — and the rows GX
reports unexpected must be exactly the rows the gate quarantines, expectation by expectation.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from expectations import Expectation, evaluate, re2_pattern, suite_for
from expectations.suites import HAN, HAN_RANGES

AS_OF = date(2026, 11, 28)
MONEY = pa.decimal128(18, 2)
TABLES = ("tax", "vehicle", "property", "social_insurance", "bank", "applicants", "rolls")


@pytest.fixture(scope="module")
def gx_ctx():
    """One GX context for the module: the import alone costs 3–4 s."""
    from expectations._gx import ephemeral_context

    return ephemeral_context()


def _table(columns: dict[str, pa.Array]) -> pa.Table:
    n = len(next(iter(columns.values())))
    # File row numbers, as connectors give them: the header is line 1.
    return pa.table({**columns, "row_number": pa.array(range(2, n + 2), pa.int64())})


def _pad(values: list, n: int, filler) -> list:
    return values + [filler(i) for i in range(len(values), n)]


N = 24


def _unique_ids() -> pa.Array:
    # a×3 and b×2 are duplicates (every occurrence fails, as pandas duplicated(keep=False));
    # two nulls are not duplicates of each other.
    return pa.array(_pad(["a", "b", "a", None, "b", None, "a", "c"], N, lambda i: f"id{i}"))


def _money(lo: float, hi: float) -> pa.Array:
    d = Decimal("0.01")
    lo, hi = Decimal(str(lo)), Decimal(str(hi))
    return pa.array(_pad([lo, hi, lo - d, hi + d, None, hi * 10, Decimal("-1E6"), Decimal("1234.56")], N,
                         lambda i: Decimal(i)), MONEY)


def _dates(lo: str, hi: str) -> pa.Array:
    lo, hi = date.fromisoformat(lo), date.fromisoformat(hi)
    one = timedelta(days=1)
    return pa.array(_pad([lo, hi, lo - one, hi + one, None, date(1800, 1, 1), date(2099, 1, 1)], N,
                         lambda i: lo + timedelta(days=30 * i)), pa.date32())


def _floats(lo: float, hi: float) -> pa.Array:
    return pa.array(_pad([lo, hi, lo * 0.999, hi * 1.001, None, 0.0, -1.0], N, lambda i: (lo + hi) / 2), pa.float64())


def source_batch(table: str) -> pa.Table:
    """A batch of a department source with a violation, a null and both bounds per expectation."""
    cols = {}
    for exp in suite_for(table, AS_OF):
        kw = exp.kwargs
        if exp.type == "expect_column_values_to_be_unique":
            cols[kw["column"]] = _unique_ids()
        elif isinstance(kw["min_value"], str):
            cols[kw["column"]] = _dates(kw["min_value"], kw["max_value"])
        elif kw["column"] in ("floor_area", "share"):
            cols[kw["column"]] = _floats(kw["min_value"], kw["max_value"])
        else:
            cols[kw["column"]] = _money(kw["min_value"], kw["max_value"])
    return _table(cols)


SAFE_NAMES = [
    "R-2026_001", "家庭001", "张三.户", ".hidden", "a/b", "a b", "x" * 80, "x" * 81, "R1\n", "",
    "R\u3000", "㐀𠀀", "\U0002EBF0x", "中文名", "a..b", "-lead", "_x", "R1\nR2", None, "ok",
    "Ｒ１", "a\\b", "R١", "末尾.",
]


def applicant_batch() -> pa.Table:
    """Rows 2–12 exercise the compound key and member_no; 13–25 the safe-name regexes."""
    keys = [("R1", "H1", 1), ("R1", "H1", 1),          # rows 2, 3: the same member twice
            ("R1", "H1", 99), ("R1", "H2", None),       # row 4: upper bound; rows 5, 6: a partial-null
            ("R1", "H2", None), ("R1", "H1", 0),        # key twice (pandas: NaN equals NaN); row 7: 0
            ("R2", "H1", 100), (None, None, 1),         # row 8: 100; rows 9, 10: partial-null twice
            (None, None, 1), (None, None, None),        # rows 11, 12: all missing, never compared
            (None, None, None)]
    pad = range(len(keys), N)
    request = [k[0] for k in keys] + [SAFE_NAMES[i] for i in pad]
    household = [k[1] for k in keys] + [SAFE_NAMES[i - len(keys)] for i in pad]
    member = [k[2] for k in keys] + [50 for _ in pad]
    county = ["140105", "14010", "1401055", "140105\n", "１４０１０５", "١٤٠١٠٥", "14a105", None, " 140105", "000000"]
    agency = ["relief_A", "relief-B", "a b", "../x", "A\n", None, "民政", "ok", "x.y", "Z9"]
    return _table({
        "county_code": pa.array(_pad(county, N, lambda i: "140105")),
        "member_no": pa.array(member, pa.int64()),
        "request_id": pa.array(request),
        "household_id": pa.array(household),
        "agency": pa.array(_pad(agency, N, lambda i: "a_b")),
        "birth_date": _dates("1900-01-01", AS_OF.isoformat()),
        "declared_monthly_income": _money(0, 1e7),
        "declared_financial_assets": _money(0, 1e10),
    })


def batch_for(table: str) -> pa.Table:
    return applicant_batch() if table in ("applicants", "rolls") else source_batch(table)


def _ours(failures: pa.Table) -> dict[tuple[str, str], set[int]]:
    out: dict[tuple[str, str], set[int]] = {}
    for rn, etype, field in zip(failures.column("row_number").to_pylist(), failures.column("expectation").to_pylist(),
                                failures.column("field").to_pylist()):
        out.setdefault((etype, field), set()).add(rn)
    return out


def _gx_rows(evr) -> set[int]:
    return {i["row_number"] if isinstance(i, dict) else i for i in evr.result["unexpected_index_list"]}


def _field(config) -> str:
    return config.kwargs.get("column") or ",".join(config.kwargs["column_list"])


def _compare(rows: pa.Table, suite: list[Expectation], gx_suite_obj, ctx) -> dict:
    from expectations.gx_reference import validate_with_gx

    ours = _ours(evaluate(rows, suite))
    result = validate_with_gx(rows, gx_suite_obj, context=ctx, result_format="COMPLETE")
    assert len(result.results) == len(suite)
    checked = {}
    for evr in result.results:
        c = evr.expectation_config
        assert not evr.exception_info.get("raised_exception"), (c.type, evr.exception_info)
        key = (c.type, _field(c))
        assert _gx_rows(evr) == ours.get(key, set()), key
        checked[key] = _gx_rows(evr)
    return checked


@pytest.mark.parametrize("table", TABLES)
def test_gate_flags_exactly_the_rows_gx_flags(table, gx_ctx):
    from expectations.gx_suites import gx_suite

    rows = batch_for(table)
    assert 10 <= rows.num_rows <= 30
    checked = _compare(rows, suite_for(table, AS_OF), gx_suite(table, AS_OF), gx_ctx)
    # The batch is a real test: every expectation fails somewhere and meets a null.
    for exp in suite_for(table, AS_OF):
        cols = exp.kwargs.get("column_list") or [exp.kwargs["column"]]
        assert checked[(exp.type, ",".join(cols))], f"{exp.type} on {cols} never fails in the batch"
        assert any(rows.column(c).null_count for c in cols)


def test_semantics_the_batches_pin(gx_ctx):
    """What the equivalence above establishes, spelled out on the tax and applicant batches."""
    tax = _ours(evaluate(batch_for("tax"), suite_for("tax", AS_OF)))
    # unique: all occurrences of a and b (rows 2,4,8 and 3,6), never the two nulls
    assert tax[("expect_column_values_to_be_unique", "record_id")] == {2, 4, 8, 3, 6}
    # between is inclusive: the bounds themselves (rows 2, 3) pass, one cent/day outside fails
    assert tax[("expect_column_values_to_be_between", "income_amount")] == {4, 5, 7, 8}
    assert tax[("expect_column_values_to_be_between", "period")] == {4, 5, 7, 8}
    app = _ours(evaluate(batch_for("applicants"), suite_for("applicants", AS_OF)))
    # regex: only exactly six ASCII digits; no trailing newline, full-width or Arabic-Indic digits
    assert app[("expect_column_values_to_match_regex", "county_code")] == {3, 4, 5, 6, 7, 8, 10}
    assert app[("expect_column_values_to_be_between", "member_no")] == {7, 8}
    compound = app[("expect_compound_columns_to_be_unique", "request_id,household_id,member_no")]
    assert compound == {2, 3, 5, 6, 9, 10}  # partial-null keys compare equal; all-null rows 11, 12 ignored


def test_in_set_means_the_same(gx_ctx):
    from expectations.gx_suites import gx_suite_from

    suite = [Expectation("expect_column_values_to_be_in_set", {"column": "status", "value_set": ["正常", "注销"]}, "r"),
             Expectation("expect_column_values_to_be_in_set", {"column": "n", "value_set": [1, 2]}, "r2")]
    rows = _table({"status": pa.array(["正常", "注销", "报废", None, "正常 ", "", "正常"] * 2),
                   "n": pa.array([1, 2, 3, None, 0, 2, 1] * 2, pa.int64())})
    checked = _compare(rows, suite, gx_suite_from("vehicle", suite), gx_ctx)
    assert checked[("expect_column_values_to_be_in_set", "status")] == {4, 6, 7, 11, 13, 14}


def test_unanchored_and_partial_regexes_search_like_gx(gx_ctx):
    """GX searches (str.contains); so does the gate, so unanchored patterns agree too."""
    from expectations.gx_suites import gx_suite_from

    suite = [Expectation("expect_column_values_to_match_regex", {"column": "a", "regex": "[0-9]{2}"}, "r"),
             Expectation("expect_column_values_to_match_regex", {"column": "b", "regex": r"^ab|cd\Z"}, "r"),
             Expectation("expect_column_values_to_match_regex", {"column": "c", "regex": "a.c"}, "r")]
    values = ["x12y", "1", "ab", "xcd", "cdx", "abx", "a\nc", "abc", None, "xx9", "12", "a c"]
    rows = _table({"a": pa.array(values), "b": pa.array(values), "c": pa.array(values)})
    _compare(rows, suite, gx_suite_from("t", suite), gx_ctx)


def test_validation_result_counts_match_gx(gx_ctx):
    """`to_validation_result` reports the counts GX itself reports (SUMMARY) for the same batch."""
    from expectations.gx_reference import validate_with_gx
    from expectations.gx_suites import gx_suite
    from expectations.results import null_counts, to_validation_result

    for table in ("tax", "applicants"):
        rows = batch_for(table)
        suite = gx_suite(table, AS_OF)
        ours = to_validation_result(table, suite, rows.num_rows, evaluate(rows, suite_for(table, AS_OF)),
                                    f"landing/{table}/x.csv", null_counts=null_counts(rows, suite))
        theirs = validate_with_gx(rows, suite, context=gx_ctx, result_format="SUMMARY")
        by_key = {(r.expectation_config.type, _field(r.expectation_config)): r for r in theirs.results}
        for r in ours.results:
            g = by_key[(r.expectation_config.type, _field(r.expectation_config))]
            assert r.success == g.success
            for k in ("element_count", "unexpected_count", "missing_count", "unexpected_percent",
                      "unexpected_percent_total"):
                assert r.result[k] == pytest.approx(g.result[k]), (table, k)
            gx_index = [i["row_number"] if isinstance(i, dict) else i for i in g.result["partial_unexpected_index_list"]]
            assert sorted(r.result["partial_unexpected_index_list"]) == sorted(gx_index)
        assert ours.statistics == theirs.statistics


# --- regex dialect: where Python re (GX) and RE2 (DuckDB) could part ---------------------------

def _every_code_point() -> pa.Array:
    return pa.array(["/" if 0xD800 <= i <= 0xDFFF else chr(i) for i in range(1, 0x110000)])  # no lone surrogates in UTF-8


def test_han_ranges_are_what_duckdb_reads_as_p_han():
    con = duckdb.connect()
    try:
        con.register("cp", pa.table({"c": _every_code_point()}))
        duck = con.sql(r"SELECT count(*) FILTER (WHERE regexp_full_match(c, '\p{Han}')), "
                       f"count(*) FILTER (WHERE regexp_full_match(c, '[{HAN}]')), "
                       rf"count(*) FILTER (WHERE regexp_full_match(c, '\p{{Han}}') <> regexp_full_match(c, '[{HAN}]')) "
                       "FROM cp").fetchall()[0]
    finally:
        con.close()
    assert duck[0] == duck[1] == sum(b - a + 1 for a, b in HAN_RANGES) and duck[2] == 0


def test_safe_name_class_reads_the_same_in_python_pyarrow_and_duckdb():
    """Python re (GX object path), pyarrow RE2 (pandas 3 strings) and DuckDB RE2 on every code point."""
    import pandas as pd

    regex = suite_for("applicants", AS_OF)[3].kwargs["regex"]
    first_char = regex.split("(?:", 1)[0] + r"\Z"  # ^[A-Za-z0-9{HAN}_-]\Z
    points = _every_code_point()
    py = [re.search(first_char, s) is not None for s in points.to_pylist()]
    pandas = pd.Series(points.to_pandas()).str.contains(first_char).tolist()
    con = duckdb.connect()
    try:
        con.register("cp", pa.table({"c": points}))
        pattern = "'" + re2_pattern(first_char).replace("'", "''") + "'"
        duck = [r[0] for r in con.sql(f"SELECT regexp_matches(c, {pattern}) FROM cp").fetchall()]
    finally:
        con.close()
    assert py == pandas == duck
    assert sum(py) == sum(b - a + 1 for a, b in HAN_RANGES) + 62 + 2


@pytest.mark.parametrize("regex", [r"^\d{6}$", r"^[0-9]{6}$", r"\w+", r"\s", r"\bx", r"(?i)abc", r"(?=a)a",
                                   r"(a)\1", r"\p{Han}", "\\u4e00", r"a++", r"(?>a)"])
def test_constructs_that_differ_between_engines_are_refused(regex):
    with pytest.raises(ValueError):
        re2_pattern(regex)


def test_every_suite_regex_is_portable():
    for table in TABLES:
        for exp in suite_for(table, AS_OF):
            if exp.type == "expect_column_values_to_match_regex":
                assert re2_pattern(exp.kwargs["regex"]).endswith(r"\z")


def test_the_differences_that_made_the_rules():
    """Python's $ and \\d accept what RE2 refuses; RE2's newer \\p{Han} (pyarrow) outgrows DuckDB's."""
    assert re.search(r"^\d{6}$", "140105\n") and re.search(r"^\d{6}$", "１４０１０５")
    con = duckdb.connect()
    try:
        assert con.sql(r"SELECT regexp_matches(E'140105\n', '^\d{6}$') OR regexp_matches('１４０１０５', '^\d{6}$')"
                       ).fetchall()[0][0] is False
        ext_i = "\U0002EBF0"  # CJK Unified Ideographs Extension I (Unicode 15.1)
        assert con.sql(rf"SELECT regexp_matches('{ext_i}', '\p{{Han}}')").fetchall()[0][0] is False
    finally:
        con.close()
    assert pc.match_substring_regex(pa.array([ext_i]), r"\p{Han}").to_pylist() == [True]
