from datetime import date

import pyarrow as pa
import pytest

from expectations import Expectation, evaluate, suite_for

AS_OF = date(2026, 11, 28)


def _rows(**cols):
    n = len(next(iter(cols.values())))
    return pa.table({"row_number": list(range(1, n + 1)), **cols})


CASES = [
    # (table, rows, expected failing (row_number, field) pairs)
    ("tax", _rows(record_id=["a", "b", "a"]), {(1, "record_id"), (3, "record_id")}),
    ("tax", _rows(record_id=["a", "b"], income_amount=[pa.scalar(5.0).as_py(), 2e9]), {(2, "income_amount")}),
    ("tax", _rows(record_id=["a", "b"], period=[date(2026, 10, 1), date(2027, 3, 1)]), {(2, "period")}),
    ("property", _rows(record_id=["a", "b"], share=[1.0, 1.5], floor_area=[80.0, 0.0]),
     {(2, "share"), (2, "floor_area")}),
    ("applicants", _rows(county_code=["140105", "14010"], member_no=[1, 0], agency=["a_b", "../x"],
                         request_id=["R", "R"], household_id=["H", "H"]),
     {(2, "county_code"), (2, "member_no"), (2, "agency")}),
    ("applicants", _rows(request_id=["R", "R"], household_id=["H", "H"], member_no=[1, 1]),
     {(1, "request_id,household_id,member_no"), (2, "request_id,household_id,member_no")}),
]


@pytest.mark.parametrize("table,rows,expected", CASES)
def test_each_failing_row_is_reported_with_its_field(table, rows, expected):
    failures = evaluate(rows, suite_for(table, AS_OF))
    assert {(r, f) for r, f in zip(failures.column("row_number").to_pylist(), failures.column("field").to_pylist())} == expected


def test_good_rows_produce_no_failures():
    rows = _rows(record_id=["a", "b"], income_amount=[1.0, 2.0], period=[date(2026, 1, 1), date(2026, 2, 1)])
    assert evaluate(rows, suite_for("tax", AS_OF)).num_rows == 0


def test_a_failure_reason_says_what_would_be_accepted():
    rows = _rows(record_id=["a"], period=[date(2030, 1, 1)])
    reason = evaluate(rows, suite_for("tax", AS_OF)).column("reason")[0].as_py()
    assert "accepted 1994-01-01 to 2026-12-29" in reason


def test_expectations_on_absent_optional_columns_are_skipped():
    rows = _rows(record_id=["a"])
    assert evaluate(rows, [Expectation("expect_column_values_to_be_between", {"column": "tax_paid", "min_value": 0})]).num_rows == 0
