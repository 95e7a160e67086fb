"""GX validation results from the gate's failures, and the Data Docs site of a pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from expectations import evaluate, suite_for

AS_OF = date(2026, 11, 28)
RUN = "20261128T101500-abcd1234"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gx_ctx():
    """GX imported once for the module (3–4 s)."""
    from expectations._gx import ephemeral_context

    return ephemeral_context()


def _tax_rows() -> pa.Table:
    n = 30
    ids = [f"T{i}" for i in range(n)]
    ids[5] = ids[6] = "<img src=x onerror=alert(1)>"  # a duplicate, and hostile to a browser
    income = [Decimal("100.00")] * n
    income[9] = Decimal("200000000.00")
    return pa.table({
        "record_id": pa.array(ids),
        "income_amount": pa.array(income, pa.decimal128(18, 2)),
        "period": pa.array([date(2026, 1, 1)] * n, pa.date32()),
        "row_number": pa.array(range(2, n + 2), pa.int64()),
    })


def _bank_rows() -> pa.Table:
    return pa.table({"record_id": ["B1", "B2", None], "balance": pa.array([Decimal("1.00")] * 3, pa.decimal128(18, 2)),
                     "as_of_date": pa.array([date(2026, 11, 1)] * 3, pa.date32()),
                     "row_number": pa.array([2, 3, 4], pa.int64())})


def _result(table: str, rows: pa.Table, label: str):
    from expectations.gx_suites import gx_suite
    from expectations.results import null_counts, to_validation_result

    suite = gx_suite(table, AS_OF)
    return to_validation_result(table, suite, rows.num_rows, evaluate(rows, suite_for(table, AS_OF)), label,
                                source=table, run_id=RUN, run_time=datetime(2026, 11, 28, 2, 15, tzinfo=timezone.utc),
                                null_counts=null_counts(rows, suite))


def test_suites_are_genuine_gx_objects_with_the_reason_in_meta(gx_ctx):
    import great_expectations as gx

    from expectations.gx_suites import gx_suite

    for table in ("tax", "vehicle", "property", "social_insurance", "bank", "applicants", "rolls"):
        suite = gx_suite(table, AS_OF)
        declared = suite_for(table, AS_OF)
        assert isinstance(suite, gx.ExpectationSuite) and suite.name == table
        assert [e.expectation_type for e in suite.expectations] == [e.type for e in declared]
        assert [e.meta["reason"] for e in suite.expectations] == [e.reason for e in declared]
        assert isinstance(suite.expectations[0], (gx.expectations.ExpectColumnValuesToBeUnique,
                                                  gx.expectations.ExpectColumnValuesToMatchRegex))


def test_validation_result_is_a_genuine_gx_result(gx_ctx):
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult

    rows = _tax_rows()
    result = _result("tax", rows, "landing/tax/2026-11 税务.csv")
    assert isinstance(result, ExpectationSuiteValidationResult) and not result.success
    assert all(isinstance(r, ExpectationValidationResult) for r in result.results)
    by_column = {r.expectation_config.kwargs["column"]: r for r in result.results}
    assert set(by_column) == {"record_id", "income_amount", "period"}  # tax_paid is absent: skipped
    assert [s["kwargs"]["column"] for s in result.meta["skipped_expectations"]] == ["tax_paid"]
    unique = by_column["record_id"]
    assert not unique.success
    assert unique.result["element_count"] == 30 and unique.result["unexpected_count"] == 2
    assert unique.result["unexpected_percent"] == pytest.approx(100 * 2 / 30)
    assert unique.result["partial_unexpected_index_list"] == [7, 8]
    assert unique.result["partial_unexpected_list"] == ["<img src=x onerror=alert(1)>"] * 2
    assert by_column["income_amount"].result["partial_unexpected_index_list"] == [11]
    assert by_column["period"].success and by_column["period"].result["unexpected_count"] == 0
    assert result.statistics == {"evaluated_expectations": 3, "successful_expectations": 1,
                                 "unsuccessful_expectations": 2, "success_percent": pytest.approx(100 / 3)}
    spec = result.meta["batch_spec"]
    assert spec["file"] == "landing/tax/2026-11 税务.csv" and spec["source"] == "tax" and spec["run_id"] == RUN
    assert result.meta["run_id"]["run_name"] == RUN
    json.dumps(result.to_json_dict())  # serialisable as GX stores it


def test_partial_lists_hold_at_most_20_values(gx_ctx):
    from expectations.results import to_validation_result

    n = 100
    rows = pa.table({"record_id": ["same"] * n, "row_number": pa.array(range(1, n + 1), pa.int64())})
    r = to_validation_result("tax", suite_for("tax", AS_OF), n, evaluate(rows, suite_for("tax", AS_OF)), "f.csv")
    res = r.results[0].result
    assert res["unexpected_count"] == 100
    assert res["partial_unexpected_index_list"] == list(range(1, 21)) and len(res["partial_unexpected_list"]) == 20
    assert res["partial_unexpected_counts"] == [{"value": "same", "count": 100}]


def test_data_docs_for_two_results_name_the_failing_expectation_and_the_file(tmp_path, gx_ctx):
    from expectations.docs import build_data_docs

    tax = _result("tax", _tax_rows(), "landing/tax/2026-11 税务.csv")
    bank = _result("bank", _bank_rows(), "landing/bank/工行-2026-11.xlsx")
    site = tmp_path / "quality" / RUN
    index = build_data_docs(site, [tax, bank])
    assert index == site / "index.html" and index.is_file()
    text = index.read_text(encoding="utf-8")
    for expected in ("expect_column_values_to_be_unique", "landing/tax/2026-11 税务.csv",
                     "record_id appears more than once", "landing/bank/工行-2026-11.xlsx", "FAILED", "passed"):
        assert expected in text
    # The linked GX validation page renders the failure with the clerk's reason.
    pages = sorted((site / "validations").rglob("*.html"))
    assert len(pages) == 2
    tax_page = next(p for p in pages if "tax" in p.relative_to(site).parts)
    assert tax_page.relative_to(site).as_posix() in text
    page = tax_page.read_text(encoding="utf-8")
    assert "record_id appears more than once in this file" in page and "2026-11 税务.csv" in page
    # Untrusted values never reach a page unescaped.
    for p in [index, *pages]:
        assert "<img src=x" not in p.read_text(encoding="utf-8")
    # Only the site was written next to it; no build leftovers.
    assert [p.name for p in site.parent.iterdir()] == [RUN]


def test_rebuilding_a_site_replaces_it(tmp_path, gx_ctx):
    from expectations.docs import build_data_docs

    site = tmp_path / "q"
    build_data_docs(site, [_result("tax", _tax_rows(), "a.csv")])
    build_data_docs(site, [_result("bank", _bank_rows(), "b.csv")])
    assert "b.csv" in (site / "index.html").read_text(encoding="utf-8")
    assert not list((site / "validations").glob("tax"))
    assert [p.name for p in tmp_path.iterdir()] == ["q"]


def test_analytics_are_off(gx_ctx):
    assert os.environ["GX_ANALYTICS_ENABLED"] == "False"
    assert gx_ctx.variables.analytics_enabled is False
    assert gx_ctx.variables.progress_bars["globally"] is False


def test_docs_write_nothing_under_home_and_print_no_progress_bars(tmp_path):
    """In a fresh process whose HOME is an empty folder: GX import, validation and docs."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from datetime import date
        from pathlib import Path
        import pyarrow as pa
        from expectations import evaluate, suite_for, gx_suite, to_validation_result, build_data_docs
        from expectations.gx_reference import validate_with_gx
        rows = pa.table({{"record_id": ["a", "a"], "row_number": pa.array([1, 2], pa.int64())}})
        suite = gx_suite("tax", date(2026, 11, 28))
        validate_with_gx(rows, suite)
        r = to_validation_result("tax", suite, 2, evaluate(rows, suite_for("tax", date(2026, 11, 28))), "t.csv")
        print(build_data_docs(Path({str(work)!r}) / "quality" / "run", [r]))
    """)
    env = {k: v for k, v in os.environ.items() if k != "GX_ANALYTICS_ENABLED"}
    env.update(HOME=str(home), USERPROFILE=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"))
    done = subprocess.run([sys.executable, "-c", script], cwd=work, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_file()
    assert list(home.iterdir()) == []
    assert sorted(p.name for p in work.iterdir()) == ["quality"]
    assert "Calculating Metrics" not in done.stderr and "it/s]" not in done.stderr
