"""A whole pass over a big province, in bounded memory: wall time and peak RSS.

    .venv/bin/python bench/scale.py                              # 100,000 households
    .venv/bin/python bench/scale.py --households 20000 --work /tmp/hhscale

Generates the province once (cached under --work; generation is timed and measured too), then
runs the first pass — every export loaded, every household on the rolls and in the inbox
linked, assessed and reported — as `hhverify run --no-prefect` in a child process, as the
nightly starts it, and prints its wall time and peak RSS (the child's `ru_maxrss`), the
warehouse's DuckDB memory limit (`HHVERIFY_MEMORY_LIMIT`, default 8GB) and the run's counts.
A second pass (nothing new: the incremental nightly of a quiet night) is timed as well.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"


def _child(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run `cmd` in a fresh process; its wall seconds and its own peak RSS (GiB, from wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err, text=True, env={**os.environ, "COLUMNS": "200"})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss / 2**20, subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "hhverify-bench-scale")
    args = ap.parse_args(argv)
    py = sys.executable
    pristine = args.work / f"province-{args.households}-{args.seed}"
    print(f"# One pass over {args.households:,} households (seed {args.seed}); "
          f"memory limit {os.environ.get('HHVERIFY_MEMORY_LIMIT', '8GB')}; {os.cpu_count()} cores", flush=True)
    if not (pristine / "landing").is_dir():
        args.work.mkdir(parents=True, exist_ok=True)
        wall, peak, done = _child([py, "-m", "hhverify.cli", "generate", "--root", str(pristine),
                                   "--households", str(args.households), "--seed", str(args.seed), "--as-of", AS_OF])
        if done.returncode:
            print(done.stdout, done.stderr)
            return 1
        print(f"generate         {wall:8.1f} s   peak RSS {peak:5.2f} GiB", flush=True)
    root = args.work / "root"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(pristine, root)
    size = sum(p.stat().st_size for p in (root / "landing").rglob("*") if p.is_file())
    print(f"landing exports  {size / 2**20:8.1f} MiB", flush=True)
    for label in ("first pass", "quiet night"):
        wall, peak, done = _child([py, "-m", "hhverify.cli", "run", "--root", str(root), "--no-prefect",
                                   "--as-of", AS_OF])
        if done.returncode:
            print(done.stdout[-3000:], done.stderr[-3000:])
            return 1
        print(f"{label:16} {wall:8.1f} s   peak RSS {peak:5.2f} GiB", flush=True)
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        runs = con.execute("SELECT status, files_loaded, rows_loaded, rows_quarantined, households_verified, "
                           "reports_written, wall_seconds FROM runs ORDER BY started_at").fetchall()
        links = con.execute("SELECT decision, count(*) FROM links GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()
    for r in runs:
        print(f"  run {r[0]}: {r[1]} files, {r[2]:,} rows loaded, {r[3]:,} quarantined, {r[4]:,} households "
              f"verified, {r[5]:,} reports, {r[6]} s inside the pass")
    print("  links: " + ", ".join(f"{d} {n:,}" for d, n in links))
    print(f"  warehouse {(root / 'warehouse.duckdb').stat().st_size / 2**20:.0f} MiB; "
          f"outbox {sum(1 for _ in (root / 'outbox').rglob('*.json')):,} JSON reports")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
