"""Answers teach the model (issue #8): the next pass after N review links were answered.

    .venv/bin/python bench/review.py                          # 2,000 households (~30 s), N = 0 50 200 1000
    .venv/bin/python bench/review.py --households 400 --answers 0 50 100

A province is generated and loaded (cached under --work, as `bench/matching.py` does), the
work set selected as a pass does, and a first linkage run made. Its `review` links are put in
a fixed random order; for each N the first N (or all, when there are fewer) are answered from
the truth — 确认 when the row is the member's, else 否认 — straight into `review_decision_log`,
and the next pass links again (`matching.link_work_members`, which takes the answers as EM
labels) and applies the answers (`review.apply`). Each N runs in its own rolled-back
transaction, twice: with the answers as labels and without (`learn_from_answers=False`: the
answers only settle their own pairs), so the table separates what the model learned from
what the answers settle by themselves.

Printed per N: answers taken (confirmed / denied), labels the fit used (rows), auto precision
and recall of the next pass, counted links (auto + confirmed) precision and recall, the review
queue left (its `review` links) and the recall of all links, with and without learning.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ANSWER_SQL = """
INSERT INTO review_decision_log (decided_at, reviewer, agency, file, file_hash, row_number, source, record_id,
                                 request_id, household_id, member_no, id_number, decision, note,
                                 match_probability, evidence_hash, run_id)
SELECT now(), 'bench', w.agency, 'bench/review.xlsx', 'bench', a.k + 2, a.source, a.record_id,
       a.request_id, a.household_id, a.member_no,
       CASE WHEN w.id_status IN ('valid', 'repaired') THEN w.id_number END,
       CASE WHEN a.correct THEN 'confirmed' ELSE 'denied' END, NULL, a.match_probability, 'bench', 'bench-answers'
FROM bench_answers a JOIN work_members w USING (request_id, household_id, member_no)
WHERE a.k < ?
"""

SCORE_SQL = """
WITH l AS (SELECT l.*, t.record_id IS NOT NULL AS correct FROM links l
           LEFT JOIN t_true t USING (source, record_id, request_id, household_id, member_no)
           WHERE l.run_id = ?)
SELECT count(*) FILTER (decision = 'auto') AS auto_links,
       count(*) FILTER (decision = 'auto' AND correct) AS auto_ok,
       count(*) FILTER (decision IN ('auto', 'confirmed')) AS counted,
       count(*) FILTER (decision IN ('auto', 'confirmed') AND correct) AS counted_ok,
       count(*) FILTER (decision = 'review') AS queue,
       count(*) FILTER (correct) AS linked_ok,
       (SELECT count(*) FROM t_true) AS n_true
FROM l
"""


def measure(root: Path, answers: list[int], settings: dict | None = None) -> list[dict]:
    from matching import link_work_members
    from pipelines.context import PassContext
    from pipelines.verify import select_work
    from review import apply_decisions_sql
    from warehouse.sql import run_sql

    truth = _load("matching_eval")
    ctx = PassContext.open(root, as_of=_load("matching").AS_OF)
    con = ctx.con
    try:
        select_work(ctx)
        truth.load_truth(con, root.parent / f"{root.name}-truth")
        con.execute("""CREATE OR REPLACE TEMP TABLE t_true AS
                       SELECT r.source, r.record_id, m.request_id, m.household_id, m.member_no
                       FROM t_rows r JOIN t_members m USING (person_key)""")
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM links")
        con.execute("DELETE FROM review_decision_log")
        link_work_members(con, "bench-first")
        first = con.execute("""
                       SELECT l.source, l.record_id, l.request_id, l.household_id, l.member_no, l.match_probability,
                              t.record_id IS NOT NULL AS correct
                       FROM links l LEFT JOIN t_true t USING (source, record_id, request_id, household_id, member_no)
                       WHERE l.run_id = 'bench-first' AND l.decision = 'review'""").df()
        con.execute("ROLLBACK")
        con.register("bench_answers_raw", first)
        con.execute("""CREATE OR REPLACE TEMP TABLE bench_answers AS
                       SELECT *, row_number() OVER (ORDER BY hash(source, record_id, request_id, household_id,
                                                                  member_no)) - 1 AS k
                       FROM bench_answers_raw""")
        available = con.execute("SELECT count(*) FROM bench_answers").fetchall()[0][0]
        out = []
        for n in answers:
            row = {"n": n, "answered": min(n, available), "available": available}
            for learn in (True, False):
                run_id = f"bench-next-{n}-{int(learn)}"
                con.execute("BEGIN TRANSACTION")
                con.execute("DELETE FROM links")
                con.execute("DELETE FROM review_decision_log")
                con.execute(ANSWER_SQL, [n])
                row["confirmed"], row["denied"] = con.execute(
                    "SELECT count(*) FILTER (decision = 'confirmed'), count(*) FILTER (decision = 'denied') "
                    "FROM review_decision_log").fetchall()[0]
                t = time.perf_counter()
                counts = link_work_members(con, run_id, {"learn_from_answers": learn, **(settings or {})})
                run_sql(con, apply_decisions_sql(run_id), label="apply review decisions")
                seconds = time.perf_counter() - t
                a, a_ok, c, c_ok, queue, linked_ok, n_true = con.execute(SCORE_SQL, [run_id]).fetchall()[0]
                key = "learn" if learn else "plain"
                row[key] = {"auto_p": a_ok / max(a, 1), "auto_r": a_ok / max(n_true, 1),
                            "counted_p": c_ok / max(c, 1), "counted_r": c_ok / max(n_true, 1), "queue": queue,
                            "all_r": linked_ok / max(n_true, 1),
                            "labels": (counts.get("labels_match", 0), counts.get("labels_nonmatch", 0)),
                            "seconds": seconds, "prior": counts.get("prior")}
                con.execute("ROLLBACK")
            out.append(row)
        return out
    finally:
        ctx.close()


def report(households: int, rows: list[dict]) -> str:
    lines = [f"\n## {households:,} households: {rows[0]['available']:,} review links in the first pass",
             "", "| N | answered (yes/no) | labels used (rows yes/no) | auto P | auto R | counted P | counted R | "
             "review queue | all R | without learning: auto P | auto R | counted R | queue | all R |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        le, pl = r["learn"], r["plain"]
        lines.append(f"| {r['n']:,} | {r['answered']:,} ({r['confirmed']:,}/{r['denied']:,}) | "
                     f"{le['labels'][0]:,}/{le['labels'][1]:,} | {le['auto_p']:.4f} | {le['auto_r']:.4f} | "
                     f"{le['counted_p']:.4f} | {le['counted_r']:.4f} | {le['queue']:,} | {le['all_r']:.4f} | "
                     f"{pl['auto_p']:.4f} | {pl['auto_r']:.4f} | {pl['counted_r']:.4f} | {pl['queue']:,} | "
                     f"{pl['all_r']:.4f} |")
    lines += ["", "auto: links counted without a person looking; counted: auto + confirmed; queue: `review` links "
              "left after the answers are applied; all R: recall of every link (auto, confirmed, review). Precision and recall against the truth (true (row, member) "
              "links of consenting members at work)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--households", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--answers", type=int, nargs="+", default=[0, 50, 200, 1000])
    ap.add_argument("--label-strength", type=float, default=None,
                    help="matching setting label_strength for the learning runs (default: the settings' value)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "hhverify-bench-review")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    root = _load("matching").prepare(args.work, args.households, args.seed)
    print(f"# Answers teach the model (seed {args.seed}; province ready in {time.perf_counter() - t:.1f} s)",
          flush=True)
    print(report(args.households, measure(root, args.answers, None if args.label_strength is None
                                                               else {"label_strength": args.label_strength})), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
