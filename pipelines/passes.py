"""One verification pass as a tuple of plain stage functions over a shared context.

`run_pass` runs them directly (tests, scripts, the inbox watcher); `pipelines.flows` runs the
same tuple with each stage as a Prefect task, so orchestration adds observability, never logic.

Around the stages, `run_pass` holds the pass lock (`pipelines.locks`: DuckDB admits one process
at a time, so passes from the watcher, a nightly flow run and an operator queue up instead of
failing), and after a completed pass publishes the analyst snapshot (`pipelines.snapshot`):
copied while the lock is held, pseudonymised and renamed into place after it is released, so the
next pass does not wait for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from pipelines import snapshot
from pipelines.alerts import detect_changes, write_alerts
from pipelines.context import PassContext
from pipelines.ingest import ingest as load_new_files
from pipelines.locks import pass_lock, snapshot_lock
from pipelines.progress import emit
from pipelines.publish import write_reports
from pipelines.row_errors import report_row_errors
from pipelines.storage import storage_problem
from pipelines.runs import finish_run, start_run
from pipelines.verify import assess, link, select_work
from reports.masking import scrub_text


def ingest(ctx: PassContext) -> dict:
    """Stage: load every new file in the folders this pass reads (landing/ and/or inbox/)."""
    return load_new_files(ctx, landing=ctx.landing, inbox=ctx.inbox)


STAGES: tuple[Callable[[PassContext], object], ...] = (
    ingest, report_row_errors, select_work, link, assess, detect_changes, write_reports, write_alerts)


def _direct(stage: Callable[[PassContext], object], ctx: PassContext) -> object:
    return stage(ctx)


def _stages(ctx: PassContext, call: Callable) -> dict:
    start_run(ctx)
    try:
        for i, stage in enumerate(STAGES):
            emit("stage", name=stage.__name__, index=i, total=len(STAGES))
            call(stage, ctx)
    except BaseException as exc:
        try:
            finish_run(ctx, "failed", scrub_text(f"{type(exc).__name__}: {exc}"))
        except Exception:  # noqa: BLE001 - a full or read-only disk fails this too; report the first failure
            pass
        raise
    return finish_run(ctx, "completed", "; ".join(map(scrub_text, ctx.messages)) or None)


def run_pass(root: Path, *, as_of: date | None = None, kind: str | None = None, include_rolls: bool = True,
             landing: bool = True, inbox: bool = True, full: bool = False, policy_path: Path | None = None,
             snapshot_mode: str = "wait",
             call: Callable[[Callable, PassContext], object] = _direct) -> dict:
    """Run every stage once over the data root; returns the run summary (also in `runs`).

    Args:
        include_rolls: compare the households on the current rolls (the nightly's work).
        landing, inbox: which folders to load new files from (the watcher reads inbox/ only).
        kind: recorded in `runs` (contract §5: `nightly` or `on_demand`); by default `nightly`
            for a pass that verifies the rolls, `on_demand` for one that does not.
        full: re-verify every household on the rolls, not only those new data could change.
        snapshot_mode: after a completed pass, publish `analyst.duckdb` and return ("wait"),
            publish it on a thread and return at once ("background": the watcher, so a drop
            never waits for the previous pass's copy), or not at all ("off").
    """
    kind = kind or ("nightly" if include_rolls else "on_demand")
    if snapshot_mode not in ("wait", "background", "off"):
        raise ValueError(f"snapshot_mode {snapshot_mode!r}: use 'wait', 'background' or 'off'")
    root = Path(root)
    staged = None
    with ExitStack() as after_pass:
        with pass_lock(root, f"{kind} pass", on_wait=lambda holder: emit("waiting", holder=holder)):
            ctx = PassContext.open(root, as_of=as_of, kind=kind, policy_path=policy_path, include_rolls=include_rolls,
                                   landing=landing, inbox=inbox, full=full)
            try:
                summary = _stages(ctx, call)
            finally:
                ctx.close()
            if snapshot_mode != "off":
                emit("stage", name="publish_snapshot", index=len(STAGES), total=len(STAGES))
                try:
                    staged = snapshot.stage_copy(root, ctx.run_id)
                except OSError as exc:
                    # the pass is committed whole: a full disk here stops only the analyst copy (an
                    # operations probe's pass was said to have stopped, exit 74, its reports written)
                    problem = storage_problem(exc) or f"{type(exc).__name__}: {exc}"
                    ctx.messages.append(f"analyst snapshot not published ({problem}); the pass itself completed: "
                                        "analysts keep the previous copy until a pass can publish one")
                else:
                    # taken before the pass lock is let go: snapshots are published in pass order
                    after_pass.enter_context(snapshot_lock(root))
        # a note quotes what a file held (a rejected file's first row): masked like every output
        summary["messages"] = [scrub_text(m) for m in ctx.messages]
        if staged is not None:
            publish = _publisher(root, staged, ctx.run_id, summary, after_pass.pop_all())
            if snapshot_mode == "background":
                threading.Thread(target=publish, name=f"publish-{ctx.run_id}", daemon=False).start()
            else:
                publish()
    emit("done", summary=summary)
    return summary


def _publisher(root: Path, staged: Path, run_id: str, summary: dict, locks: ExitStack) -> Callable[[], None]:
    """Publish the staged copy, then let go of the snapshot lock; a failure keeps the previous copy."""
    def publish() -> None:
        with locks:
            try:
                summary["snapshot"] = str(snapshot.publish(root, staged, run_id))
            except Exception as exc:  # noqa: BLE001 - the pass completed; analysts keep the previous copy
                summary["messages"].append(f"analyst snapshot not published: {type(exc).__name__}: {exc}")
    return publish
