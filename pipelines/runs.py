"""The `runs` table: one row per pass, opened at the start and closed with its counts."""

from __future__ import annotations

import time

from pipelines.context import PassContext

COUNTED = ("files_loaded", "files_skipped", "files_rejected", "rows_loaded", "rows_quarantined",
           "households_verified", "reports_written", "findings_fail", "findings_warn", "findings_info",
           "households_unchanged", "households_changed", "alerts")


def sweep_partial_outputs(root) -> int:
    """Remove the temporary files (`.<name>.<random>.part`, `reports.writer.write_atomic`) a killed
    pass left in outbox/ and rejected/ (a probe found one in an agency's folder after recovery);
    only ours: a writer's `*.part` in inbox/ or landing/ is a delivery still arriving."""
    removed = 0
    for folder in ("outbox", "rejected"):
        for path in (root / folder).rglob(".*.part") if (root / folder).is_dir() else ():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


COMMITTED_COUNTS = {
    "files_loaded": "SELECT count(*) FROM files WHERE run_id = $run AND status = 'loaded'",
    "files_skipped": "SELECT count(*) FROM files WHERE run_id = $run AND status = 'skipped'",
    "files_rejected": "SELECT count(*) FROM files WHERE run_id = $run AND status = 'rejected'",
    "rows_loaded": "SELECT coalesce(sum(rows_loaded), 0) FROM files WHERE run_id = $run",
    "rows_quarantined": "SELECT coalesce(sum(rows_quarantined), 0) FROM files WHERE run_id = $run",
    # audit rows are committed with a household's assessment, one per member of every household
    # assessed (one whose assessment raised an error has none, and is not counted here)
    "households_verified": "SELECT count(DISTINCT (request_id, household_id)) FROM audit WHERE run_id = $run",
    "reports_written": "SELECT count(DISTINCT (request_id, household_id)) FROM audit "
                       "WHERE run_id = $run AND coalesce(outputs, '') <> ''",
    # only what was stored: a rolls household re-verified with an unchanged result stores no findings
    "findings_fail": "SELECT count(*) FROM findings WHERE run_id = $run AND severity = 'fail'",
    "findings_warn": "SELECT count(*) FROM findings WHERE run_id = $run AND severity = 'warn'",
    "findings_info": "SELECT count(*) FROM findings WHERE run_id = $run AND severity = 'info'",
    # a change alert points at the report written with it; the rolls' own notices (held, left) do not
    "households_changed": "SELECT count(DISTINCT (request_id, household_id)) FROM alerts "
                          "WHERE run_id = $run AND report_path IS NOT NULL",
    "alerts": "SELECT count(*) FROM alerts WHERE run_id = $run",
}
"""How each count of `runs` is rebuilt from the rows a run committed, for a run that died before
`finish_run` wrote its counts (`households_unchanged` is not kept anywhere, so it stays 0)."""


def committed_counts(con, run_id: str) -> dict[str, int]:
    """The counts of `run_id` as its committed rows show them (`COMMITTED_COUNTS`)."""
    sql = "SELECT " + ", ".join(f"({q}) AS {k}" for k, q in COMMITTED_COUNTS.items())
    row = con.execute(sql, {"run": run_id}).fetchall()[0]
    return {k: int(v) for k, v in zip(COMMITTED_COUNTS, row)}


def start_run(ctx: PassContext) -> None:
    """Open this pass's row; a run still 'running' is one that died (the pass lock admits one
    pass at a time), so it is closed as 'interrupted': what it committed stays, the rest is
    done again by this pass (nothing marks a request answered before its reports exist).

    The dead run never wrote its counts, yet the files it loaded are its own in `files` and no
    later pass loads them again: its counts are rebuilt from what it committed, or no row of
    `runs` would count those files and rows."""
    died = [r for (r,) in ctx.con.execute("SELECT run_id FROM runs WHERE status = 'running'").fetchall()]
    for run_id in died:
        counts = committed_counts(ctx.con, run_id)
        ctx.con.execute(f"UPDATE runs SET status = 'interrupted', finished_at = now(), "
                        "message = 'the process ended before the pass completed (killed, crashed or power lost); "
                        f"counts are what it committed', {', '.join(f'{k} = ?' for k in counts)} WHERE run_id = ?",
                        [*counts.values(), run_id])
    if died:
        sweep_partial_outputs(ctx.root)
        # said, as the operator otherwise learns of it only from `runs` (an operations probe)
        ctx.messages.append(f"the previous pass ({', '.join(died)}) was interrupted before it completed; this "
                            "pass kept what it had committed and did the rest")
    ctx.con.execute("INSERT INTO runs (run_id, kind, started_at, status, as_of) VALUES (?, ?, now(), 'running', ?)",
                    [ctx.run_id, ctx.kind, ctx.as_of])


def finish_run(ctx: PassContext, status: str, message: str | None = None) -> dict:
    """Close the run with its counts, what it compared of the rolls, and its wall time; CHECKPOINT.

    A failed run counts what it committed (`committed_counts`), not what its stages counted: the
    work of the stage that failed, and of those before it whose rows that stage was to commit
    (assessments, reports, alerts), was rolled back, and the next pass does it and counts it. A
    probe's run failed on a full disk reported 50 households verified and 20 alerts, none committed.
    """
    if status == "failed":
        counts = {k: 0 for k in COUNTED} | committed_counts(ctx.con, ctx.run_id)
        message = f"{message}; counts are what it committed" if message else "counts are what it committed"
    else:
        counts = {k: int(ctx.counts.get(k, 0)) for k in COUNTED}
    wall = round(time.perf_counter() - ctx.started, 2)
    rolls = {"rolls_verified": bool(ctx.rolls), "rolls_batch_id": ctx.rolls.get("batch_id"),
             "window_end": ctx.rolls.get("window_end"), "policy_key": ctx.rolls.get("policy_key"),
             "work_reason": ctx.rolls.get("reason")}
    values = {**counts, **rolls, "wall_seconds": wall}
    sets = ", ".join(f"{k} = ?" for k in values)
    ctx.con.execute(f"UPDATE runs SET finished_at = now(), status = ?, message = ?, {sets} WHERE run_id = ?",
                    [status, message, *values.values(), ctx.run_id])
    ctx.con.execute("CHECKPOINT")
    return {"run_id": ctx.run_id, "status": status, "kind": ctx.kind, "as_of": ctx.as_of.isoformat(),
            **counts, "rolls": rolls["work_reason"], "wall_seconds": wall}
