"""Real GX validation of a batch on pandas: the reference the DuckDB gate is tested against.

Not used by the pipeline (it is ~7× slower than `evaluate`, see bench/expectations.py); it runs
in the faithfulness tests and the benchmark, and is there for anyone who wants GX's own verdict
on a batch.

The batch is shown to GX the way `evaluate` sees it:
- the DataFrame index is `row_number`, so GX's `unexpected_index_list` holds row numbers;
- dates stay `datetime.date` objects (Arrow's own conversion): GX's pydantic model turns the
  ISO string bounds the suites declare into `datetime.date`, which pandas 3 refuses to compare
  with a `datetime64` column but Python compares with dates, as `evaluate` does (CAST … AS DATE);
- decimals become float64, the domain `evaluate` compares numbers in (CAST … AS DOUBLE). On
  `Decimal` objects GX would compare exactly against the binary float bound, so a value equal to
  a bound such as 0.01 would fail it (Decimal('0.01') < 0.01000000000000000020…).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from expectations._gx import ephemeral_context

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationSuiteValidationResult

_SOURCE, _ASSET, _BATCH = "hhverify_reference", "batch", "whole_dataframe"


def gx_frame(rows: pa.Table) -> "pd.DataFrame":
    """`rows` as the pandas DataFrame GX validates (index = row_number)."""
    import pandas as pd

    columns = {}
    for name, column in zip(rows.column_names, rows.columns):
        t = column.type
        if pa.types.is_decimal(t):
            columns[name] = pd.Series(column.cast(pa.float64()).to_pandas(), name=name)
        else:
            columns[name] = column.to_pandas()
    frame = pd.DataFrame(columns)
    if "row_number" in frame.columns:
        frame.index = pd.Index(frame.pop("row_number").astype("int64"), name="row_number")
    return frame


def _batch_definition(context):
    try:
        source = context.data_sources.get(_SOURCE)
    except (KeyError, ValueError, LookupError):
        source = context.data_sources.add_pandas(_SOURCE)
    try:
        asset = source.get_asset(_ASSET)
    except (KeyError, ValueError, LookupError):
        asset = source.add_dataframe_asset(_ASSET)
    try:
        return asset.get_batch_definition(_BATCH)
    except (KeyError, ValueError, LookupError):
        return asset.add_batch_definition_whole_dataframe(_BATCH)


def validate_with_gx(rows: pa.Table | "pd.DataFrame", suite: "ExpectationSuite", *, context=None,
                     result_format: str = "COMPLETE") -> "ExpectationSuiteValidationResult":
    """GX's own validation of `rows` against `suite` (pandas engine, whole-dataframe batch).

    Pass one `context` (from `expectations._gx.ephemeral_context()`) to reuse it across calls.
    """
    context = context or ephemeral_context()
    frame = gx_frame(rows) if isinstance(rows, pa.Table) else rows
    batch = _batch_definition(context).get_batch(batch_parameters={"dataframe": frame})
    return batch.validate(suite, result_format=result_format)
