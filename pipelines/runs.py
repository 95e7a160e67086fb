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


def start_run(ctx: PassContext) -> None:
    """Open this pass's row; a run still 'running' is one that died (the pass lock admits one
    pass at a time), so it is closed as 'interrupted': what it committed stays, the rest is
    done again by this pass (nothing marks a request answered before its reports exist)."""
    died = ctx.con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchall()[0][0]
    ctx.con.execute("UPDATE runs SET status = 'interrupted', finished_at = now(), "
                    "message = 'the process ended before the pass completed (killed, crashed or power lost)' "
                    "WHERE status = 'running'")
    if died:
        sweep_partial_outputs(ctx.root)
    ctx.con.execute("INSERT INTO runs (run_id, kind, started_at, status, as_of) VALUES (?, ?, now(), 'running', ?)",
                    [ctx.run_id, ctx.kind, ctx.as_of])


def finish_run(ctx: PassContext, status: str, message: str | None = None) -> dict:
    """Close the run with its counts, what it compared of the rolls, and its wall time; CHECKPOINT."""
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
