"""Quality gates: per-table expectation suites, evaluated in DuckDB, declared and reported in GX.

GX is the vocabulary and the report; DuckDB is the engine.

Why. The issue: keep Great Expectations as the place where expectations are declared and
reported while a full ingest stays within 3× the raw CSV parse time. Measured
(docs/stack-notes.md, and `bench/expectations.py` on this 2-core machine, 1,000,000 tax rows,
the 4-expectation tax suite):

    raw CSV parse (pyarrow, utf-8, 92 MB)      0.15–0.23 s  → ingest budget 3× ≈ 0.45–0.7 s
    evaluate(): one DuckDB query               0.11–0.19 s  (24–31 % of the budget; the unique
                                                              check is ~0.12 s of it)
    GX on pandas, result_format=COMPLETE       1.7–2.2 s    (8–16× evaluate; 2.5–4× the whole
                                                              budget, before the Arrow→pandas frame)
    import GX + context + suite (once)         2.0–2.2 s    (3–4 s cold, stack-notes)
    12 validation results + Data Docs          0.01 s + 0.23–0.37 s (4.5 MB per site)

(Ranges over four runs on a shared machine; both engines flag the same 6,940 rows.)

Running the suites through GX's pandas engine would spend the whole ingest budget on checks
alone (stack-notes: ~1.2–1.8 s fixed cost per expectation at 1M rows; 8 expectations ~3 s vs
0.45 s in DuckDB), and GX's SQL path cannot run on DuckDB (SQLAlchemy + duckdb_engine fails, has
no regex, caps row indexes at 20). So:

- Declare in GX's vocabulary. `suites.suite_for(table, as_of)` lists `Expectation(type, kwargs,
  reason)` with GX expectation type names and kwargs; `gx_suites.gx_suite(table, as_of)` turns
  them into genuine GX 1.x objects (`gx.ExpectationSuite` of `ExpectColumnValuesToBeUnique`,
  `…ToBeBetween`, `…ToBeInSet`, `…ToMatchRegex`, `ExpectCompoundColumnsToBeUnique`), the clerk's
  reason in each expectation's `meta["reason"]` and `description`.
- Evaluate in DuckDB. `evaluate.evaluate(rows, suite)` runs a suite over an Arrow batch as ONE
  query returning the failing rows (row_number, field, reason, raw_value, expectation): the
  quarantine. GX is not imported for this — the gate never pays GX's 3–4 s import.
- Report in GX. `results.to_validation_result(...)` turns those failures into a genuine
  `ExpectationSuiteValidationResult` (per expectation: success, element_count, unexpected_count,
  unexpected_percent, ≤ 20 sample values with their row numbers; statistics; meta naming file,
  source, batch and run) and `docs.build_data_docs(site_dir, results)` stores a pass's results in
  an ephemeral GX context and renders GX Data Docs to `<root>/quality/<run_id>/index.html`
  (~0.3 s for 12 batches once GX is imported; see `expectations.docs` for why one site per pass).
- Prove the translation. `tests/test_expectations_gx_equivalence.py` validates small batches
  with REAL GX on pandas (`gx_reference.validate_with_gx`) and requires GX's unexpected row
  indexes to equal `evaluate()`'s rows, expectation by expectation.

Semantics the equivalence tests pin (and the fixes they forced):
- unique: every occurrence of a repeated value fails (pandas `duplicated(keep=False)`); nulls
  never do. Compound unique: nulls in a key compare equal, rows with the whole key missing are
  not compared (GX's default `ignore_row_if="all_values_are_missing"`; evaluate now skips them).
- between: inclusive bounds; nulls ignored; dates compare as dates (GX's model turns the ISO
  bounds into `datetime.date`), numbers as doubles.
- regex: GX's pandas engine *searches* with Python `re` semantics; DuckDB runs RE2. evaluate now
  searches too (`regexp_matches`, not `regexp_full_match`), and `evaluate.re2_pattern` refuses
  constructs the two engines read differently (`\\d \\w \\s \\b`, `$`, `\\p{…}`, lookarounds,
  backreferences, inline flags …): the suites use `[0-9]`, explicit Han ranges and `\\Z`.

Importing this package never imports GX; the GX modules import it inside their functions.
"""

from expectations.docs import build_data_docs
from expectations.evaluate import evaluate, expectation_failures_sql, re2_pattern, settle_exact_copies
from expectations.gx_reference import gx_frame, validate_with_gx
from expectations.gx_suites import gx_suite, gx_suite_from, to_gx_expectation
from expectations.results import null_counts, to_validation_result
from expectations.suites import Expectation, suite_for

__all__ = ["Expectation", "build_data_docs", "evaluate", "expectation_failures_sql", "gx_frame", "gx_suite",
           "gx_suite_from", "null_counts", "re2_pattern", "settle_exact_copies", "suite_for", "to_gx_expectation",
           "to_validation_result",
           "validate_with_gx"]
