"""Turn the gate's DuckDB failures into a genuine GX validation result.

`evaluate()` returns failing rows (row_number, field, reason, raw_value, expectation); GX reports
per expectation. `to_validation_result` counts the failures of each expectation of the suite
and builds the `ExpectationSuiteValidationResult` GX itself would build with
`result_format="SUMMARY"`: per expectation `success`, and `result` with element_count,
missing_count/missing_percent (when null counts are given), unexpected_count, unexpected_percent
(of the non-missing values, as GX computes it), unexpected_percent_total,
partial_unexpected_list (≤ 20 raw values), partial_unexpected_index_list (their row numbers)
and partial_unexpected_counts; suite statistics; and meta naming the batch (file, source,
batch id, run id) where GX's Data Docs show it. The full list of failing rows is the
quarantine's job, not the report's.

An expectation on a column the file does not have is skipped by the gate (an optional field
absent from the file cannot fail); it is left out of `results` and the statistics, and listed
under `meta["skipped_expectations"]`, rather than reported as a success.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from expectations._gx import import_gx
from expectations.suites import Expectation

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationSuiteValidationResult

PARTIAL_LIMIT = 20
"""GX's default `partial_unexpected_count`."""


def null_counts(rows: pa.Table, suite=None) -> dict[str, int]:
    """Nulls per column of a batch, for `to_validation_result` (free: Arrow keeps the count).

    With the suite (declared list or GX suite), also the rows whose whole compound key is
    missing, under the key "a,b,c": GX ignores those rows (`ignore_row_if`), so they are its
    missing count for a compound expectation.
    """
    counts = {name: column.null_count for name, column in zip(rows.column_names, rows.columns)}
    # A declared list carries its kwargs already: converting it to GX objects would import GX
    # (2–5 s) in the middle of the gate.
    declared = isinstance(suite, Sequence) and all(isinstance(e, Expectation) for e in suite)
    for config in (suite if declared else _configs(suite)) if suite is not None else []:
        columns = config.kwargs.get("column_list")
        if columns and all(c in counts for c in columns):
            mask = pc.is_null(rows.column(columns[0]))
            for c in columns[1:]:
                mask = pc.and_(mask, pc.is_null(rows.column(c)))
            counts[",".join(columns)] = pc.sum(mask.cast(pa.int64())).as_py() or 0
    return counts


def batch_id_for(label: str) -> str:
    """A batch id safe as a file name in the Data Docs site, distinct per label.

    >>> batch_id_for("landing/tax/2026-11 税务.csv")
    '2026-11_.csv-409302b7'
    """
    name = label.replace("\\", "/").rsplit("/", 1)[-1]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "batch"
    return f"{safe[:60]}-{hashlib.sha1(label.encode()).hexdigest()[:8]}"


def _configs(suite) -> list:
    """ExpectationConfigurations of a GX suite, or of a list of declared `Expectation`s."""
    if isinstance(suite, Sequence) and all(isinstance(e, Expectation) for e in suite):
        from expectations.gx_suites import to_gx_expectation

        return [to_gx_expectation(e).configuration for e in suite]
    return [e.configuration for e in suite.expectations]


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _failure_groups(failures: pa.Table) -> dict[tuple[str, str, str], pa.Table]:
    if failures.num_rows == 0:
        return {}
    keys = pc.binary_join_element_wise(failures.column("expectation"), failures.column("field"),
                                       failures.column("reason"), "\x1f")
    groups = {}
    for key in pc.unique(keys).to_pylist():
        etype, field, reason = key.split("\x1f", 2)
        groups[(etype, field, reason)] = failures.filter(pc.equal(keys, key))
    return groups


def to_validation_result(table: str, suite: "ExpectationSuite | list[Expectation]", rows_count: int,
                         failures: pa.Table, batch_label: str, *, source: str | None = None,
                         batch_id: str | None = None, run_id: str | None = None,
                         run_time: datetime | None = None,
                         null_counts: Mapping[str, int] | None = None) -> "ExpectationSuiteValidationResult":
    """The GX validation result of one batch, from the failures `evaluate()` returned for it.

    Args:
        table: the canonical table (the GX suite and data asset name).
        suite: the batch's GX suite (`gx_suite(table, as_of)`), or the declared list (`suite_for`).
        rows_count: rows in the batch (GX's element_count).
        failures: what `evaluate(rows, suite_for(table, as_of))` returned for the batch.
        batch_label: the file, as the clerk knows it (e.g. `landing/tax/2026-11.csv`).
        source: department or agency the file came from (default: `table`).
        batch_id: id of the batch, used as its page name in Data Docs (default: from the label).
        run_id: the pass (`PassContext.run_id`); the GX run name.
        run_time: when the pass ran (default: now).
        null_counts: nulls per column (`null_counts(rows, suite)`); gives GX's missing counts and
            unexpected_percent over non-missing values, and tells which columns the batch has
            (expectations on other columns were skipped by the gate). Without it every column
            is taken as present with no nulls.
    """
    import_gx()
    from great_expectations import __version__ as gx_version
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.util import convert_to_json_serializable

    run_time = run_time or datetime.now(timezone.utc)
    if run_time.tzinfo is None:
        run_time = run_time.astimezone()
    batch_id = batch_id or batch_id_for(batch_label)
    source = source or table
    groups = _failure_groups(failures)
    results, skipped = [], []
    for config in _configs(suite):
        kwargs = config.kwargs
        columns = list(kwargs.get("column_list") or [kwargs.get("column")])
        if null_counts is not None and not all(c in null_counts for c in columns):
            skipped.append({"type": config.type, "kwargs": convert_to_json_serializable(dict(kwargs)),
                            "why": f"column {', '.join(c for c in columns if c not in null_counts)} "
                                   "is absent from this file"})
            continue
        reason = (config.meta or {}).get("reason", "")
        rows = groups.get((config.type, ",".join(columns), reason))
        if rows is None:  # a suite whose reasons were edited after evaluation: match on type+field
            rows = next((g for (t, f, _), g in groups.items() if t == config.type and f == ",".join(columns)), None)
        unexpected = rows.num_rows if rows is not None else 0
        # For a compound key, GX's missing rows are those with the whole key missing (ignored).
        missing = (null_counts or {}).get(",".join(columns))
        nonmissing = rows_count - (missing or 0)
        partial = rows.slice(0, PARTIAL_LIMIT) if rows is not None else None
        counts = []
        if rows is not None:
            value_counts = pc.value_counts(rows.column("raw_value")).to_pylist()
            value_counts.sort(key=lambda vc: (-vc["counts"], str(vc["values"])))
            counts = [{"value": vc["values"], "count": vc["counts"]} for vc in value_counts[:PARTIAL_LIMIT]]
        result = {
            "element_count": rows_count,
            "unexpected_count": unexpected,
            "unexpected_percent": _percent(unexpected, nonmissing) or 0.0,
            "partial_unexpected_list": partial.column("raw_value").to_pylist() if partial is not None else [],
            "partial_unexpected_index_list": partial.column("row_number").to_pylist() if partial is not None else [],
            "partial_unexpected_counts": counts,
            "unexpected_percent_total": _percent(unexpected, rows_count) or 0.0,
            "unexpected_percent_nonmissing": _percent(unexpected, nonmissing) or 0.0,
        }
        if missing is not None:
            result["missing_count"] = missing
            result["missing_percent"] = _percent(missing, rows_count) or 0.0
        results.append(ExpectationValidationResult(
            success=unexpected == 0, expectation_config=config, result=result,
            exception_info={"raised_exception": False, "exception_traceback": None, "exception_message": None}))
    successful = sum(r.success for r in results)
    statistics = {"evaluated_expectations": len(results), "successful_expectations": successful,
                  "unsuccessful_expectations": len(results) - successful,
                  "success_percent": _percent(successful, len(results)) if results else None}
    batch_spec = {"data_asset_name": table, "file": batch_label, "source": source, "batch_id": batch_id,
                  "run_id": run_id, "rows": rows_count, "engine": "duckdb (expectations.evaluate)"}
    meta = {
        "great_expectations_version": gx_version,
        "batch_spec": batch_spec,
        "active_batch_definition": {"datasource_name": source, "data_connector_name": "hhverify",
                                    "data_asset_name": table, "batch_identifiers": {"file": batch_label}},
        "batch_label": batch_label,
        "source": source,
        "batch_id": batch_id,
        "run_id": {"run_name": run_id, "run_time": run_time.isoformat()},
        "validation_time": datetime.now(timezone.utc).isoformat(),
        "result_format": "SUMMARY",
        "skipped_expectations": skipped,
    }
    return ExpectationSuiteValidationResult(
        success=all(r.success for r in results), results=results,
        suite_name=table if isinstance(suite, Sequence) else suite.name,
        statistics=statistics, meta=meta, batch_id=batch_id)
