"""A whole pass over a big province, in bounded memory: wall time and peak RSS.

    .venv/bin/python bench/scale.py                              # 100,000 households
    .venv/bin/python bench/scale.py --households 20000 --work /tmp/hhscale

Generates the province once (cached under --work; generation is timed and measured too), then
runs the first pass — every export loaded, every household on the rolls and in the inbox
linked, assessed and reported — as `hhverify run --no-prefect` in a child process, as the
nightly starts it, and prints its wall time and peak RSS (the child's `ru_maxrss`), the
warehouse's DuckDB memory limit (`HHVERIFY_MEMORY_LIMIT`, default 8GB) and the run's counts.
Under it, each stage's wall time and its own peak RSS (the kernel's high-water mark is reset
at every stage boundary through /proc/self/clear_refs), so a regression points at its stage,
and the peak of the report writers' processes (a big pass renders reports on every core).
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
import threading
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


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def _profiled_pass(root: Path, as_of: str) -> int:
    """The child: one pass (as `hhverify run --no-prefect` runs it), printing per-stage figures."""
    from datetime import date

    sys.path.insert(0, str(REPO))
    from pipelines.passes import run_pass
    from pipelines.progress import listening

    clock = {"name": None, "t": time.perf_counter(), "peak": 0}

    def stage_done(next_name: str | None) -> None:
        if clock["name"]:
            clock["peak"] = max(clock["peak"], _status_kib("VmHWM:"))
            print(f"  stage {clock['name']:18} {time.perf_counter() - clock['t']:8.1f} s   peak RSS "
                  f"{_status_kib('VmHWM:') / 2**20:5.2f} GiB   (RSS after {_status_kib('VmRSS:') / 2**20:5.2f} GiB)",
                  file=sys.stderr, flush=True)
        try:    # "5" resets the high-water mark (Linux >= 4.0), so the next figure is that stage's own
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass
        clock.update(name=next_name, t=time.perf_counter())

    def listener(event: str, **info) -> None:
        if event == "stage":
            stage_done(info["name"])

    # The report writers' pool (pipelines.publish): their VmHWM, sampled every half second.
    # Not RUSAGE_CHILDREN: a spawned child's ru_maxrss starts from its parent's RSS at the fork.
    children = {"peak": 0, "seen": 0, "pids": set()}
    watching = threading.Event()

    def watch_children() -> None:
        me = str(os.getpid())
        while not watching.wait(0.5):
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    if stat.read_text().rsplit(")", 1)[1].split()[1] != me:
                        continue
                    hwm = int(next(line.split()[1] for line in (stat.parent / "status").read_text().splitlines()
                                   if line.startswith("VmHWM:")))
                except (OSError, IndexError, StopIteration, ValueError):
                    continue
                children["pids"].add(stat.parent.name)
                children["peak"] = max(children["peak"], hwm)
            children["seen"] = len(children["pids"])

    threading.Thread(target=watch_children, daemon=True).start()
    with listening(listener):
        summary = run_pass(root, as_of=date.fromisoformat(as_of), kind="nightly")
    stage_done(None)
    print(f"  peak {clock['peak']}", file=sys.stderr, flush=True)   # clear_refs resets ru_maxrss too
    watching.set()
    if children["peak"]:
        print(f"  stage (report writer processes: each peaked at {children['peak'] / 2**20:.2f} GiB at most, "
              f"{children['seen']} seen)", file=sys.stderr, flush=True)
    return 0 if summary["status"] == "completed" else 1


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--child-pass"]:
        return _profiled_pass(Path(sys.argv[2]), AS_OF)
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
        wall, peak, done = _child([py, str(Path(__file__).resolve()), "--child-pass", str(root)])
        if done.returncode:
            print(done.stdout[-3000:], done.stderr[-3000:])
            return 1
        stage_peaks = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("  peak ")]
        peak = max([peak] + [kib / 2**20 for kib in stage_peaks])
        print(f"{label:16} {wall:8.1f} s   peak RSS {peak:5.2f} GiB", flush=True)
        print("\n".join(line for line in done.stderr.splitlines() if line.startswith("  stage ")), flush=True)
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
