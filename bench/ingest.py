"""Full ingest of one department export vs the raw parse of the same file, in the same run.

    .venv/bin/python bench/ingest.py                          # 1,000,000 tax rows (GBK CSV), 200,000 (XLSX)
    .venv/bin/python bench/ingest.py --rows 200000 --xlsx-rows 50000
    .venv/bin/python bench/ingest.py --formats csv --repeat 3 --keep /tmp/hhbench

Writes a realistic tax export (个人所得税) with Chinese headers (the `connectors.schema.TAX`
aliases): persons recur (one in five rows is a new person), with legacy 15-digit IDs, a
lowercase `x`, missing IDs and a few that fail their check; months, income items and
withholding agents repeat; amounts are spelled `1234.50`, `1,234.50`, `￥1234.5` and `1234.5元`;
and ~0.1 % of rows are bad (a negative amount, an unparseable month, a repeated record_id), so
the quarantine path is part of the cost. The CSV is GBK; the XLSX has the same columns
(amounts mostly stored as numbers), written with xlsxwriter. The XLSX default is 200,000 rows:
writing a million-row workbook with xlsxwriter alone takes minutes.

Each measurement runs in a fresh child process (so `ru_maxrss` is that case's peak RSS):

- raw: `pyarrow.csv.read_csv(path, read_options=ReadOptions(encoding="gbk"))` for the CSV;
  python-calamine `to_python()` of the first sheet for the XLSX (pyarrow has no XLSX reader);
- ingest: the real code path of one file in a pass: `pipelines.discover.discover` (content
  hash) → `pipelines.ingest.ingest_delivery` (read → canonicalise → gates → load) into a fresh
  file-backed warehouse in a temporary data root, timed per stage by wrapping the functions
  `ingest_delivery` calls.

Prints seconds, rows/s, the ratio ingest/raw (target for the GBK CSV: ≤ 3×) and peak RSS per
million rows (target < 2 GiB). Raw and ingest runs alternate; each timing is the best of
`--repeat` runs, the runs are listed too; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

AS_OF = date(2026, 11, 28)
HEADERS = ("序号", "记录编号", "纳税人姓名", "证件号码", "所属期", "所得项目", "收入额", "已缴税额", "扣缴义务人")


# --------------------------------------------------------------------------- the data

def tax_columns(n: int, seed: int = 7) -> dict[str, list]:
    """Cells of n realistic tax rows (strings, None for empty; amounts as text)."""
    import numpy as np

    from connectors.values import check_char

    rng = np.random.default_rng(seed)
    surnames = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
    given = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红华建国志文斌辉鹏宇浩")
    people = max(1, n // 5)
    first = rng.choice(surnames, people)
    g1, g2 = rng.choice(given, people), rng.choice(given, people)
    two = rng.random(people) < 0.7
    names = np.where(two, np.char.add(np.char.add(first, g1), g2), np.char.add(first, g1)).astype(object)
    minority = rng.random(people) < 0.005
    names[minority] = [f"阿依古丽·{s}{g}" for s, g in zip(first[minority], g1[minority])]
    spaced = rng.random(people) < 0.01                    # 张 三: typed with a space
    names[spaced] = [f"{v[0]} {v[1:]}" for v in names[spaced]]
    county = rng.choice(["140105", "140106", "140107", "140202", "140303", "140402", "140581", "141002"], people)
    birth = rng.integers(np.datetime64("1940-01-01").astype(int), np.datetime64("2006-12-31").astype(int), people)
    ymd = np.datetime_as_string(birth.astype("datetime64[D]")).astype(object)
    seq = rng.integers(0, 1000, people)
    ids = []
    kind = rng.random(people)
    for c, d, s, k in zip(county.tolist(), ymd.tolist(), seq.tolist(), kind.tolist()):
        body = f"{c}{d.replace('-', '')}{s:03d}"
        full = body + check_char(body)
        if k < 0.03 and d < "2000":
            ids.append(c + d[2:4] + d[5:7] + d[8:10] + f"{s:03d}")     # legacy 15 digits
        elif k < 0.04:
            ids.append(full[:17] + ("0" if full[17] != "0" else "1"))  # fails its check
        elif k < 0.06:
            ids.append(None)
        elif full.endswith("X") and k < 0.5:
            ids.append(full[:17] + "x")
        else:
            ids.append(full)
    ids = np.array(ids, dtype=object)

    person = rng.integers(0, people, n)
    months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)][:35]
    period = np.array(months, dtype=object)[rng.integers(0, len(months), n)]
    items = np.array(["工资薪金", "工资、薪金所得", "劳务报酬", "稿酬所得", "经营所得", "利息股息红利",
                      "财产租赁所得", "偶然所得"], dtype=object)
    item = items[rng.choice(len(items), n, p=(0.55, 0.15, 0.12, 0.02, 0.06, 0.05, 0.03, 0.02))]
    cents = np.round(rng.gamma(2.0, 300000.0, n)).astype(np.int64) + 100
    style = rng.choice(4, n, p=(0.6, 0.2, 0.1, 0.1))
    amount = []
    for c, s in zip(cents.tolist(), style.tolist()):
        yuan = c / 100
        if s == 0:
            amount.append(f"{yuan:.2f}")
        elif s == 1:
            amount.append(f"{yuan:,.2f}")
        elif s == 2:
            amount.append(f"￥{yuan:.2f}".rstrip("0").rstrip("."))
        else:
            amount.append(f"{yuan:.2f}".rstrip("0").rstrip(".") + "元")
    tax = np.round(np.maximum(0, cents - 500000) * 0.03).astype(np.int64)
    tax_paid = [f"{t / 100:.2f}" for t in tax.tolist()]
    for i in np.flatnonzero(rng.random(n) < 0.1).tolist():
        tax_paid[i] = None
    agents = np.array([f"太原市{k}商贸有限公司" for k in range(1, 3001)] + ["山西省财政厅", "大同煤矿集团"],
                      dtype=object)
    agent = agents[rng.integers(0, len(agents), n)]
    record = [f"TAX{i:09d}" for i in range(1, n + 1)]
    bad = max(3, n // 1000)
    for k, i in enumerate(rng.choice(n, bad, replace=False).tolist()):
        if k % 3 == 0:
            amount[i] = "-" + amount[i].lstrip("￥")
        elif k % 3 == 1:
            period[i] = "2024-13"
        else:
            record[i] = record[(i + 1) % n]
    return {"序号": [str(i) for i in range(1, n + 1)], "记录编号": record,
            "纳税人姓名": names[person].tolist(), "证件号码": ids[person].tolist(), "所属期": period.tolist(),
            "所得项目": item.tolist(), "收入额": amount, "已缴税额": tax_paid, "扣缴义务人": agent.tolist()}


def write_csv_gbk(path: Path, cols: dict[str, list]) -> None:
    def cell(v):
        if v is None:
            return ""
        return f'"{v}"' if "," in v else v
    rows = zip(*[cols[h] for h in HEADERS])
    text = ",".join(HEADERS) + "\r\n" + "".join(",".join(cell(v) for v in row) + "\r\n" for row in rows)
    path.write_bytes(text.encode("gbk"))


def write_xlsx(path: Path, cols: dict[str, list]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("Sheet1")
    for c, h in enumerate(HEADERS):
        ws.write_string(0, c, h)
    numeric = {"序号", "已缴税额"}
    for r, row in enumerate(zip(*[cols[h] for h in HEADERS]), start=1):
        for c, (h, v) in enumerate(zip(HEADERS, row)):
            if v is None:
                continue
            if h in numeric or (h == "收入额" and v[0].isdigit() and "," not in v and not v.endswith("元")):
                ws.write_number(r, c, float(v))
            else:
                ws.write_string(r, c, v)
    wb.close()


# --------------------------------------------------------------------------- the cases (child processes)

def _peak_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # KiB on Linux
    return kib / 1024


def case_raw(path: Path) -> dict:
    started = time.perf_counter()
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        n = len(rows) - 1
        what = "python-calamine to_python()"
    else:
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding="gbk"))
        n = table.num_rows
        what = "pyarrow.csv.read_csv(encoding='gbk')"
    return {"seconds": time.perf_counter() - started, "rows": n, "what": what}


STAGES = (  # (module, attribute, stage): the functions `ingest_delivery` calls, in order
    ("connectors.source", "read_raw", "read"),
    ("connectors.source", "map_headers", "canonicalise"),
    ("connectors.source", "to_canonical", "canonicalise"),
    ("pipelines.ingest", "evaluate", "gates"),
    ("pipelines.ingest", "_null_counts", "gates"),   # (older code: null_counts, below; never both)
    ("pipelines.ingest", "null_counts", "gates"),
    ("pipelines.ingest", "_expectation_quarantine", "gates"),
    ("pipelines.ingest", "load_delivery", "load"),
)


def case_ingest(path: Path) -> dict:
    import importlib
    import uuid

    from pipelines.context import PassContext
    from pipelines.discover import discover
    import pipelines.ingest as ingest_mod
    from warehouse import open_warehouse

    spent: dict[str, float] = {}
    cpu: dict[str, float] = {}   # CPU seconds of every thread: what overlapping stages could not hide
    for module, attr, stage in STAGES:
        mod = importlib.import_module(module)
        fn = getattr(mod, attr, None)
        if fn is None or (attr == "null_counts" and hasattr(mod, "_null_counts")):
            continue

        def timed(*a, __fn=fn, __stage=stage, **kw):
            t, c = time.perf_counter(), time.process_time()
            try:
                return __fn(*a, **kw)
            finally:
                spent[__stage] = spent.get(__stage, 0.0) + time.perf_counter() - t
                cpu[__stage] = cpu.get(__stage, 0.0) + time.process_time() - c
        setattr(mod, attr, timed)

    root = Path(tempfile.mkdtemp(prefix="hhbench-root-"))
    try:
        landing = root / "landing" / "tax"
        landing.mkdir(parents=True)
        target = landing / path.name
        os.link(path, target) if path.stat().st_dev == landing.stat().st_dev else shutil.copy(path, target)
        con = open_warehouse(root / "warehouse.duckdb")
        ctx = PassContext(root=root, con=con, run_id=f"bench-{uuid.uuid4().hex[:8]}", as_of=AS_OF)
        baseline = _peak_rss_mib()        # libraries imported, warehouse open, no data yet
        started, cpu_started = time.perf_counter(), time.process_time()
        deliveries, _ = discover(root, inbox=False)
        spent["discover+hash"] = time.perf_counter() - started
        status = ingest_mod.ingest_delivery(ctx, deliveries[0])
        t = time.perf_counter()
        con.execute("CHECKPOINT")      # what the commit left in the WAL is part of loading it
        spent["checkpoint"] = time.perf_counter() - t
        total = time.perf_counter() - started
        cpu_total = time.process_time() - cpu_started
        loaded = con.execute("SELECT count(*) FROM tax_all").fetchall()[0][0]
        quarantined = con.execute("SELECT count(DISTINCT row_number) FROM quarantine").fetchall()[0][0]
        con.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    spent["other"] = total - sum(spent.values())
    return {"seconds": total, "status": status, "rows_loaded": loaded, "rows_quarantined": quarantined,
            "stages": spent, "cpu": cpu, "cpu_seconds": cpu_total, "baseline_rss_mib": baseline}


def child(case: str, path: Path) -> None:
    if case.startswith("write-"):       # generation runs in a child too: ru_maxrss survives fork+exec,
        rows = int(case.split("-")[2])   # so a big parent would inflate every later child's figure
        started = time.perf_counter()
        (write_csv_gbk if case.startswith("write-csv") else write_xlsx)(path, tax_columns(rows))
        print(json.dumps({"seconds": time.perf_counter() - started}))
        return
    out = case_raw(path) if case == "raw" else case_ingest(path)
    out["peak_rss_mib"] = _peak_rss_mib()
    print(json.dumps(out))


def run_child(case: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", case, str(path)], capture_output=True, text=True,
                          cwd=REPO)
    if proc.returncode:
        raise SystemExit(f"{case} {path.name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    out = dict(min(runs, key=lambda r: r["seconds"]))
    out["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    out["all_seconds"] = [round(r["seconds"], 2) for r in runs]
    return out


# --------------------------------------------------------------------------- main

def report(label: str, path: Path, rows: int, repeat: int, target: float | None) -> None:
    size = path.stat().st_size / 1e6
    # Interleaved (raw, ingest, raw, ingest …) so that a busy moment of a shared machine does
    # not fall on one side only; each figure is the best of its runs.
    runs = [(run_child("raw", path), run_child("ingest", path)) for _ in range(repeat)]
    raw, full = best([r for r, _ in runs]), best([f for _, f in runs])
    ratio = full["seconds"] / raw["seconds"]
    per_m = full["peak_rss_mib"] / 1024 / (rows / 1e6)
    print(f"\n== {label}: {rows:,} rows, {size:.0f} MB ({path.name}); best of {repeat}")
    print(f"raw parse  {raw['what']:<38} {raw['seconds']:7.2f} s  {rows / raw['seconds']:>11,.0f} rows/s"
          f"  peak RSS {raw['peak_rss_mib']:6.0f} MiB   runs {raw['all_seconds']}")
    print(f"full ingest (discover → ingest_delivery)        {full['seconds']:7.2f} s  "
          f"{rows / full['seconds']:>11,.0f} rows/s  peak RSS {full['peak_rss_mib']:6.0f} MiB   runs {full['all_seconds']}")
    for stage, seconds in full["stages"].items():
        used = full["cpu"].get(stage)
        print(f"    {stage:<16} {seconds:7.2f} s  ({100 * seconds / full['seconds']:4.1f} %)"
              + (f"   CPU {used:5.2f} s" if used is not None else ""))
    print(f"    CPU, all threads: {full['cpu_seconds']:.2f} s over {full['seconds']:.2f} s wall")
    print(f"    status {full['status']}: {full['rows_loaded']:,} rows loaded, "
          f"{full['rows_quarantined']:,} quarantined")
    goal = f" (target ≤ {target:g}×: {'met' if ratio <= target else 'NOT met'})" if target else ""
    print(f"ratio full / raw: {ratio:.2f}×{goal}")
    marginal = (full["peak_rss_mib"] - full["baseline_rss_mib"]) / 1024 / (rows / 1e6)
    print(f"peak RSS per million rows: {per_m:.2f} GiB (target < 2 GiB: {'met' if per_m < 2 else 'NOT met'}); "
          f"above the {full['baseline_rss_mib']:.0f} MiB of a process with the libraries loaded: "
          f"{marginal:.2f} GiB per million rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="tax rows in the GBK CSV")
    ap.add_argument("--xlsx-rows", type=int, default=200_000, help="tax rows in the XLSX (0: skip)")
    ap.add_argument("--formats", default="csv,xlsx", help="comma-separated: csv, xlsx")
    ap.add_argument("--repeat", type=int, default=2, help="runs per measurement; the best is shown")
    ap.add_argument("--keep", type=Path, help="write (or reuse) the generated files in this folder")
    ap.add_argument("--child", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    formats = set(args.formats.split(","))
    work = args.keep or Path(tempfile.mkdtemp(prefix="hhbench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; files in {work}")
        if "csv" in formats and args.rows:
            path = work / f"iit_{args.rows}.csv"
            if not path.exists():
                made = run_child(f"write-csv-{args.rows}", path)
                print(f"generated {path.name} in {made['seconds']:.1f} s")
            report("GBK CSV", path, args.rows, args.repeat, target=3)
        if "xlsx" in formats and args.xlsx_rows:
            path = work / f"iit_{args.xlsx_rows}.xlsx"
            if not path.exists():
                made = run_child(f"write-xlsx-{args.xlsx_rows}", path)
                print(f"generated {path.name} in {made['seconds']:.1f} s")
            report("XLSX", path, args.xlsx_rows, args.repeat, target=None)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
