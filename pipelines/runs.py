"""The `runs` table: one row per pass, opened at the start and closed with its counts."""

from __future__ import annotations

from pipelines.context import PassContext

COUNTED = ("files_loaded", "files_skipped", "files_rejected", "rows_loaded", "rows_quarantined",
           "households_verified", "reports_written", "findings_fail", "findings_warn", "findings_info")


def start_run(ctx: PassContext) -> None:
    ctx.con.execute("INSERT INTO runs (run_id, kind, started_at, status, as_of) VALUES (?, ?, now(), 'running', ?)",
                    [ctx.run_id, ctx.kind, ctx.as_of])


def finish_run(ctx: PassContext, status: str, message: str | None = None) -> dict:
    counts = {k: int(ctx.counts.get(k, 0)) for k in COUNTED}
    sets = ", ".join(f"{k} = ?" for k in counts)
    ctx.con.execute(f"UPDATE runs SET finished_at = now(), status = ?, message = ?, {sets} WHERE run_id = ?",
                    [status, message, *counts.values(), ctx.run_id])
    ctx.con.execute("CHECKPOINT")
    return {"run_id": ctx.run_id, "status": status, **counts}
