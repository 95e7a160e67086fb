"""The per-table suites as genuine Great Expectations 1.x objects.

`suite_for(table, as_of)` declares each table's expectations in GX's vocabulary; here every
`Expectation` becomes the GX expectation of that type with the same kwargs, and its clerk-facing
reason goes into the expectation's `meta["reason"]` and its `description`, which GX's Data Docs
show in place of their generic sentence ("values must be unique"), so the pages read as the
quarantine does. (GX's other route, suite `meta["notes"]` with the `meta_properties` format,
breaks rendering in 1.24: it injects a kwarg the pydantic models refuse.)

Example:
    >>> from datetime import date
    >>> suite = gx_suite("tax", date(2026, 11, 28))       # doctest: +SKIP
    >>> type(suite.expectations[0]).__name__, suite.expectations[0].meta["reason"][:9]  # doctest: +SKIP
    ('ExpectColumnValuesToBeUnique', 'record_id')
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from expectations._gx import import_gx
from expectations.suites import Expectation, suite_for

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.expectations import Expectation as GXExpectation

GX_CLASSES = {
    "expect_column_values_to_be_unique": "ExpectColumnValuesToBeUnique",
    "expect_column_values_to_be_between": "ExpectColumnValuesToBeBetween",
    "expect_column_values_to_be_in_set": "ExpectColumnValuesToBeInSet",
    "expect_column_values_to_match_regex": "ExpectColumnValuesToMatchRegex",
    "expect_compound_columns_to_be_unique": "ExpectCompoundColumnsToBeUnique",
}
"""Every expectation type `expectations.evaluate` translates to SQL, and its GX 1.x class."""

ENGINE_NOTE = ("Declared here, evaluated by expectations.evaluate as one DuckDB query per batch "
               "(regexes in the subset Python re and RE2 read alike; see expectations.evaluate.re2_pattern)")


def to_gx_expectation(exp: Expectation) -> "GXExpectation":
    """The GX expectation object for one declared `Expectation`."""
    gx = import_gx()
    try:
        cls = getattr(gx.expectations, GX_CLASSES[exp.type])
    except KeyError:
        raise ValueError(f"expectation type {exp.type} has no GX class mapping") from None
    # The description is a string template in Data Docs: a literal $ is written $$.
    return cls(**exp.kwargs, meta={"reason": exp.reason}, description=exp.reason.replace("$", "$$") or None)


def suite_meta(table: str, as_of: date | None) -> dict:
    meta = {"table": table, "engine": ENGINE_NOTE}
    if as_of is not None:
        meta["as_of"] = as_of.isoformat()
    return meta


def gx_suite_from(table: str, suite: list[Expectation], as_of: date | None = None) -> "ExpectationSuite":
    """A GX ExpectationSuite named `table` holding `suite` (e.g. a hand-made list in a test)."""
    gx = import_gx()
    return gx.ExpectationSuite(name=table, expectations=[to_gx_expectation(e) for e in suite],
                               meta=suite_meta(table, as_of))


def gx_suite(table: str, as_of: date) -> "ExpectationSuite":
    """The GX ExpectationSuite of one canonical table, built from `suite_for(table, as_of)`."""
    return gx_suite_from(table, suite_for(table, as_of), as_of)
