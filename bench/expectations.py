"""Quality gates: DuckDB `evaluate()` vs real GX pandas validation of the same suite, same data.

    .venv/bin/python bench/expectations.py               # 1,000,000 tax rows
    .venv/bin/python bench/expectations.py --rows 200000

Prints, for a tax-shaped Arrow table (the canonical schema: decimals, date32 periods, ~0.1 %
violating rows, some nulls): the raw CSV parse time of the same rows (the ingest target is
3× that), `evaluate()` (one DuckDB query, what the gate runs), GX on pandas with
result_format="COMPLETE" (Arrow→pandas conversion and validation, each timed), the ratio, a
check that both flag the same rows, and the report cost: `to_validation_result` + Data Docs for
a pass of 12 batches.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ["GX_ANALYTICS_ENABLED"] = "False"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402

from expectations import evaluate, suite_for  # noqa: E402

AS_OF = date(2026, 11, 28)


def tax_rows(n: int, seed: int = 7) -> pa.Table:
    """n canonical tax rows; about 0.1 % break each expectation, tax_paid is 5 % null."""
    rng = np.random.default_rng(seed)
    bad = max(1, n // 1000)
    record_id = np.char.add("T", np.arange(n).astype(str))
    record_id[rng.choice(n, bad)] = record_id[rng.choice(n, bad)]  # duplicates
    income = rng.gamma(2.0, 3000.0, n).round(2)
    income[rng.choice(n, bad)] = 2e8
    income[rng.choice(n, bad)] = -5.0
    tax = (income * 0.03).round(2)
    tax_null = rng.random(n) < 0.05
    start = date(2018, 1, 1)
    period = np.array([start + timedelta(days=31 * int(k)) for k in range(120)], dtype="datetime64[D]")
    periods = period[rng.integers(0, 100, n)]
    periods[rng.choice(n, bad)] = np.datetime64("2030-01-01")
    periods[rng.choice(n, bad)] = np.datetime64("1990-06-01")
    money = pa.decimal128(18, 2)
    return pa.table({
        "record_id": pa.array(record_id),
        "name": pa.array(rng.choice(["张伟", "王芳", "李娜", "刘洋", "陈静"], n)),
        "id_number": pa.array(np.char.add("14010519800101", rng.integers(1000, 9999, n).astype(str))),
        "period": pa.array(periods, pa.date32()),
        "income_item": pa.array(rng.choice(["工资薪金", "劳务报酬", "经营所得"], n)),
        "income_amount": pa.array(income).cast(money),
        "tax_paid": pa.array(tax, mask=tax_null).cast(money),
        "withholding_agent": pa.array(rng.choice(["太原某公司", "大同某厂", None], n)),
        "row_number": pa.array(np.arange(1, n + 1), pa.int64()),
    })


def best_of(k: int, fn):
    times, out = [], None
    for _ in range(k):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--batches", type=int, default=12, help="batches in the Data Docs pass")
    args = ap.parse_args()
    n = args.rows
    rows = tax_rows(n)
    suite = suite_for("tax", AS_OF)
    print(f"tax rows: {n:,}; suite: {len(suite)} expectations ({', '.join(e.type[7:] for e in suite)})")

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "tax.csv"
        pacsv.write_csv(rows.drop_columns(["row_number"]), csv)
        t_csv, _ = best_of(3, lambda: pacsv.read_csv(csv))
        mb = csv.stat().st_size / 1e6
    print(f"raw CSV parse (pyarrow, utf-8, {mb:.0f} MB): {t_csv:6.2f} s   (ingest target 3× = {3 * t_csv:.2f} s)")

    t_eval, failures = best_of(3, lambda: evaluate(rows, suite))
    print(f"evaluate() — one DuckDB query:        {t_eval:6.2f} s   ({failures.num_rows:,} failing rows)")

    t = time.perf_counter()
    from expectations._gx import ephemeral_context
    from expectations.gx_reference import gx_frame, validate_with_gx
    from expectations.gx_suites import gx_suite
    ctx = ephemeral_context()
    gsuite = gx_suite("tax", AS_OF)
    t_import = time.perf_counter() - t
    t_frame, frame = best_of(1, lambda: gx_frame(rows))
    t_gx, result = best_of(1, lambda: validate_with_gx(frame, gsuite, context=ctx, result_format="COMPLETE"))
    print(f"GX import + context + suite (once):   {t_import:6.2f} s")
    print(f"GX Arrow→pandas frame:                {t_frame:6.2f} s")
    print(f"GX pandas validation (COMPLETE):      {t_gx:6.2f} s")
    print(f"ratio GX validation / evaluate():     {t_gx / t_eval:6.1f}×   (with the frame: {(t_gx + t_frame) / t_eval:.1f}×)")
    print(f"share of the ingest budget (3× CSV):  evaluate {100 * t_eval / (3 * t_csv):.0f} %, "
          f"GX {100 * (t_gx + t_frame) / (3 * t_csv):.0f} %")

    ours = {}
    for rn, etype, field in zip(failures.column("row_number").to_pylist(), failures.column("expectation").to_pylist(),
                                failures.column("field").to_pylist()):
        ours.setdefault((etype, field), set()).add(rn)
    same = True
    for evr in result.results:
        c = evr.expectation_config
        if evr.exception_info and evr.exception_info.get("raised_exception"):
            print(f"  GX raised on {c.type} {c.kwargs.get('column')}: {evr.exception_info.get('exception_message')}")
            same = False
            continue
        gx_rows = {i["row_number"] if isinstance(i, dict) else i for i in evr.result.get("unexpected_index_list") or []}
        same &= gx_rows == ours.get((c.type, c.kwargs["column"]), set())
    print(f"same failing rows in GX and DuckDB:   {same}")

    from expectations.docs import build_data_docs
    from expectations.results import null_counts, to_validation_result
    counts = null_counts(rows)
    per = max(1, n // args.batches)
    t = time.perf_counter()
    results = []
    for i in range(args.batches):
        chunk = failures.filter(pc.and_(pc.greater(failures.column("row_number"), i * per),
                                                pc.less_equal(failures.column("row_number"), (i + 1) * per)))
        results.append(to_validation_result("tax", gsuite, per, chunk, f"landing/tax/tax_{i:02d}.csv",
                                            run_id="bench", null_counts=counts))
    t_results = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        index = build_data_docs(Path(tmp) / "quality" / "bench", results, suites=[gsuite])
        t_docs = time.perf_counter() - t
        size = sum(p.stat().st_size for p in index.parent.rglob("*") if p.is_file()) / 1e6
    print(f"report: {args.batches} validation results {t_results:.2f} s; Data Docs {t_docs:.2f} s ({size:.1f} MB)")


if __name__ == "__main__":
    main()
