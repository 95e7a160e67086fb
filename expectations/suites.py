"""Row-level quality expectations per canonical table, declared in Great Expectations' vocabulary.

Each expectation is a GX expectation type with its kwargs, plus the reason a data clerk reads
when a row fails it. Declaring them this way keeps GX the place where the rules are named
and reported, while `expectations.evaluate` runs them as one vectorised DuckDB query per batch
(GX on pandas costs ~3 s per 1M rows for 8 expectations; the same checks in DuckDB ~0.45 s,
docs/stack-notes.md).

Parsing already guarantees types, required values and allowed categories (connectors), so the
suites hold what only a whole batch or a plausibility bound can tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Expectation:
    type: str
    """A GX expectation type, e.g. expect_column_values_to_be_unique."""
    kwargs: dict = field(default_factory=dict)
    reason: str = ""
    """What a clerk reads when a row fails: what is wrong and what would be accepted."""


def _unique_record_id() -> Expectation:
    return Expectation("expect_column_values_to_be_unique", {"column": "record_id"},
                       "record_id appears more than once in this file; each record needs its own id")


def _money_range(column: str, max_value: float) -> Expectation:
    return Expectation("expect_column_values_to_be_between",
                       {"column": column, "min_value": 0, "max_value": max_value},
                       f"{column} is outside the plausible range 0 – {max_value:,.0f} yuan")


def _date_range(column: str, earliest: date, latest: date, what: str) -> Expectation:
    return Expectation("expect_column_values_to_be_between",
                       {"column": column, "min_value": earliest.isoformat(), "max_value": latest.isoformat()},
                       f"{column} is not a plausible {what}: accepted {earliest.isoformat()} to {latest.isoformat()}")


# The Han script as RE2 in DuckDB 2.0.1 reads `\p{Han}` (Unicode 15.0), spelled as code point ranges
# so that Python's `re` (GX on pandas) reads the same class: Python has no `\p{...}`, and pyarrow's
# newer RE2 (pandas' string engine) adds CJK Extension I to `\p{Han}` (tests pin both).
HAN_RANGES = ((0x2E80, 0x2E99), (0x2E9B, 0x2EF3), (0x2F00, 0x2FD5), (0x3005, 0x3005), (0x3007, 0x3007),
              (0x3021, 0x3029), (0x3038, 0x303B), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFA6D),
              (0xFA70, 0xFAD9), (0x16FE2, 0x16FE3), (0x16FF0, 0x16FF1), (0x20000, 0x2A6DF), (0x2A700, 0x2B739),
              (0x2B740, 0x2B81D), (0x2B820, 0x2CEA1), (0x2CEB0, 0x2EBE0), (0x2F800, 0x2FA1D), (0x30000, 0x3134A),
              (0x31350, 0x323AF))
HAN = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in HAN_RANGES)


def _safe_name(column: str) -> Expectation:
    # The value names a folder or file under outbox/: no separators, no leading dot.
    # Regexes are written in the subset where Python `re` (what GX means) and RE2 (what DuckDB
    # runs) agree: `[0-9]` not `\d`, explicit ranges not `\p{Han}`, `\Z` not `$` (Python's `$`
    # also matches before a trailing newline). `expectations.evaluate.re2_pattern` enforces it.
    # A dot only ever between two other characters: '..' would climb out of a folder once joined.
    c = f"[A-Za-z0-9{HAN}_-]"
    return Expectation("expect_column_values_to_match_regex",
                       {"column": column, "regex": rf"^{c}(?:{c}|\.{c}){{0,39}}\Z"},
                       f"{column} may use letters, digits, Chinese characters, '_', '-', and single dots between "
                       "them (not first or last, never '..'), at most 40 characters besides the dots, "
                       "no spaces, slashes or control characters")


def suite_for(table: str, as_of: date) -> list[Expectation]:
    """The expectations of one canonical table, with date bounds relative to the pass date."""
    soon = as_of + timedelta(days=31)
    if table == "tax":
        return [_unique_record_id(), _money_range("income_amount", 1e8), _money_range("tax_paid", 1e8),
                _date_range("period", date(1994, 1, 1), soon, "tax period")]
    if table == "vehicle":
        return [_unique_record_id(), _money_range("purchase_price", 1e8),
                _date_range("registration_date", date(1950, 1, 1), soon, "registration date")]
    if table == "property":
        return [_unique_record_id(),
                Expectation("expect_column_values_to_be_between",
                            {"column": "floor_area", "min_value": 0.01, "max_value": 100000},
                            "floor_area must be a positive area in m² below 100,000"),
                Expectation("expect_column_values_to_be_between",
                            {"column": "share", "min_value": 0.0001, "max_value": 1},
                            "share must be a fraction above 0 and at most 1 (or 单独所有)"),
                _date_range("registration_date", date(1950, 1, 1), soon, "registration date")]
    if table == "social_insurance":
        return [_unique_record_id(), _money_range("amount", 1e7), _money_range("contribution_base", 1e7),
                _date_range("period", date(1990, 1, 1), soon, "insurance period")]
    if table == "bank":
        return [_unique_record_id(), _money_range("balance", 1e11),
                _date_range("as_of_date", date(1990, 1, 1), soon, "balance date")]
    if table in ("applicants", "rolls"):
        return [
            Expectation("expect_column_values_to_match_regex", {"column": "county_code", "regex": r"^[0-9]{6}\Z"},
                        "county_code must be a 6-digit administrative division code such as 140105"),
            Expectation("expect_column_values_to_be_between",
                        {"column": "member_no", "min_value": 1, "max_value": 99},
                        "member_no must be a whole number from 1 to 99"),
            Expectation("expect_compound_columns_to_be_unique",
                        {"column_list": ["request_id", "household_id", "member_no"]},
                        "the same member_no appears twice in one household of this request"),
            _safe_name("request_id"), _safe_name("household_id"),
            Expectation("expect_column_values_to_match_regex",
                        {"column": "agency", "regex": r"^[A-Za-z0-9_-]+\Z"},
                        "agency must be a plain folder name (letters, digits, _ and -)"),
            _date_range("birth_date", date(1900, 1, 1), as_of, "birth date"),
            _money_range("declared_monthly_income", 1e7),
            _money_range("declared_financial_assets", 1e10),
        ]
    raise KeyError(f"no expectation suite for table {table!r}")
