"""The nightly: a full pass against the next night's pass with 1 % new source rows; and the
drop-to-report latency of `hhverify serve`.

    .venv/bin/python bench/nightly.py                    # 2,000 households, seed 7
    .venv/bin/python bench/nightly.py --households 500 --no-drop

Prints, for a generated province:

1. full — the first nightly on an empty warehouse: load every export and the rolls, verify every
   household (rolls and inbox), write every report, publish the analyst copy;
2. delta — the next night, after 1 % new source rows (new record ids, sampled across the five
   sources: late tax and social-insurance rows, new vehicles and properties, fresh bank
   balances) land: the incremental nightly. Its ratio to (1) is the figure of the issue
   (target <= 0.2);
3. delta --full — the same night forced to re-verify every household on the rolls, to show where
   the saving comes from (only changed households get a report either way);
4. drop latency — `hhverify serve` on the night-2 root as a subprocess (no Prefect server): a
   10-household request renamed into the inbox, timed until its index.html exists, five times,
   after a warm-up drop.

Passes run in this process after importing what they need (GX included), so import time is in
neither side of the ratio; a nightly started by Prefect pays ~3–5 s of imports on top. Each
ratio is printed twice: for the pass (until the reports, alerts and warehouse are committed and
the pass lock is free) and with the analyst copy published after it.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import duckdb  # noqa: E402

from connectors.schema import SOURCES, TABLES  # noqa: E402
from data.generator import generate  # noqa: E402
from pipelines.passes import run_pass  # noqa: E402

DAY1 = date(2026, 11, 20)
DAY2 = DAY1 + timedelta(days=1)
REQUEST_FIELDS = ("request_id", "agency", "program", "household_id", "county_code", "member_no", "name",
                  "id_number", "relation", "consent_ref", "birth_date", "gender", "address", "labor_capacity")


def _rows(con, sql: str, params=()) -> list[dict]:
    res = con.execute(sql, list(params))
    cols = [c[0] for c in res.description]
    return [dict(zip(cols, r)) for r in res.fetchall()]


def _write(path: Path, fields, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    with part.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(fields), extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    os.replace(part, path)


def write_delta(root: Path, fraction: float, seed: int = 1) -> int:
    """1 % (fraction) of each source's rows again as new records, dated for the next night."""
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    total = 0
    try:
        for source in SOURCES:
            fields = TABLES[source].names
            rows = _rows(con, f"SELECT * REPLACE (id_raw AS id_number) FROM {source} "
                              f"USING SAMPLE {fraction * 100}% (bernoulli, {seed})")
            for i, r in enumerate(rows):
                r["record_id"] = f"D{DAY2:%Y%m%d}-{source}-{i}"
                if source in ("tax", "social_insurance"):
                    r["period"] = "2026-10"
                elif source == "vehicle":
                    r.update(plate_number=f"晋K{i:05d}", registration_date=DAY1, status="正常")
                elif source == "property":
                    r.update(certificate_number=f"晋(2026)不动产权第D{i:07d}号", registration_date=DAY1, status="现势")
                elif source == "bank":
                    r.update(as_of_date=DAY1, balance=round(float(r["balance"]) * (0.5 + (i % 11) / 10), 2))
            _write(root / "landing" / source / f"delta_{DAY2:%Y%m%d}.csv", fields, rows)
            total += len(rows)
    finally:
        con.close()
    return total


def timed_pass(root: Path, **kw) -> dict:
    started = time.perf_counter()
    s = run_pass(root, kind="nightly", **kw)
    s["seconds"] = round(time.perf_counter() - started, 2)
    return s


def show(label: str, s: dict) -> None:
    print(f"{label:<14} {s['seconds']:7.2f} s (pass {s['wall_seconds']:6.2f} s + snapshot)  files {s['files_loaded']:>3}  rows {s['rows_loaded']:>8,}  "
          f"verified {s['households_verified']:>5}  unchanged {s['households_unchanged']:>5}  "
          f"reports {s['reports_written']:>5}  alerts {s['alerts']:>5}  ({s['rolls']})")


class Serve:
    def __init__(self, root: Path, env: dict):
        self.lines: list[str] = []
        self.proc = subprocess.Popen([sys.executable, "-m", "hhverify.cli", "serve", "--root", str(root)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in ln for ln in list(self.lines)):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("serve did not start:\n" + "".join(self.lines))
            time.sleep(0.05)


def drop_latency(root: Path, tmp: Path, rounds: int = 5) -> list[float]:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        households = [h for (h,) in con.execute(
            "SELECT DISTINCT household_id FROM rolls_current ORDER BY 1 LIMIT ?", [10 * (rounds + 1)]).fetchall()]
        rows = _rows(con, "SELECT * REPLACE (id_raw AS id_number) FROM rolls_current "
                          "WHERE household_id IN (SELECT unnest(?)) ORDER BY household_id, member_no", [households])
    finally:
        con.close()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp / "prefect")
    serve = Serve(root, env)
    latencies = []
    try:
        serve.wait_for("watching", 120)
        serve.wait_for("on_demand pass", 120)
        time.sleep(5)  # the background warm-up import of GX
        for k in range(rounds + 1):
            mine = set(households[10 * k:10 * k + 10])
            request = [{**r, "request_id": f"REQ-BENCH-{k}", "agency": "bench_agency"} for r in rows
                       if r["household_id"] in mine]
            folder = root / "inbox" / "bench_agency"
            folder.mkdir(parents=True, exist_ok=True)
            _write(folder / f".req_{k}.tmp", REQUEST_FIELDS, request)
            target = root / "outbox" / "bench_agency" / f"REQ-BENCH-{k}" / "index.html"
            started = time.perf_counter()
            os.replace(folder / f".req_{k}.tmp", folder / f"req_{k}.csv")
            while not target.exists():
                if time.perf_counter() - started > 60:
                    raise RuntimeError("no answer within 60 s:\n" + "".join(serve.lines[-5:]))
                time.sleep(0.01)
            if k:  # the first drop warms the pass up
                latencies.append(time.perf_counter() - started)
            time.sleep(3)  # let the pass publish its snapshot before the next drop
    finally:
        serve.proc.terminate()
        serve.proc.wait(60)
    return latencies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fraction", type=float, default=0.01, help="new source rows, as a share of all")
    ap.add_argument("--no-drop", action="store_true", help="skip the serve drop-latency part")
    args = ap.parse_args()

    import great_expectations  # noqa: F401 - paid before timing, on neither side of the ratio

    with tempfile.TemporaryDirectory(prefix="bench-nightly-") as tmp:
        tmp = Path(tmp)
        root = tmp / "root"
        t = time.perf_counter()
        generate(root, households=args.households, seed=args.seed, as_of=DAY1)
        print(f"province: {args.households} households, seed {args.seed} ({time.perf_counter() - t:.1f} s to generate)")
        full = timed_pass(root, as_of=DAY1)
        show("full", full)
        n = write_delta(root, args.fraction)
        print(f"night 2: {n:,} new source rows ({100 * n / full['rows_loaded']:.2f} % of {full['rows_loaded']:,})")
        forced = tmp / "forced"
        shutil.copytree(root, forced, ignore=shutil.ignore_patterns("outbox", "quality"))
        delta = timed_pass(root, as_of=DAY2)
        show("delta", delta)
        again = timed_pass(forced, as_of=DAY2, full=True)
        show("delta --full", again)
        for label, key in (("pass", "wall_seconds"), ("pass + analyst copy", "seconds")):
            print(f"ratio delta / full, {label + ':':<21} {delta[key] / full[key]:.3f}   (target <= 0.2);"
                  f"  delta --full / full: {again[key] / full[key]:.3f}")
        if not args.no_drop:
            lat = drop_latency(root, tmp)
            print(f"drop → report, 10 households, serve warm ({len(lat)} drops): min {min(lat):.2f} s, "
                  f"median {statistics.median(lat):.2f} s, max {max(lat):.2f} s   (target <= 10 s)")


if __name__ == "__main__":
    main()
