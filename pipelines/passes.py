"""One verification pass as a tuple of plain stage functions over a shared context.

`run_pass` runs them directly (tests, scripts); `pipelines.flows` runs the same tuple with
each stage as a Prefect task, so orchestration adds observability, never logic.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pipelines.context import PassContext
from pipelines.ingest import ingest
from pipelines.publish import write_reports
from pipelines.runs import finish_run, start_run
from pipelines.verify import assess, link, select_work

STAGES: tuple[Callable[[PassContext], object], ...] = (ingest, select_work, link, assess, write_reports)


def _direct(stage: Callable[[PassContext], object], ctx: PassContext) -> object:
    return stage(ctx)


def run_pass(root: Path, *, as_of: date | None = None, kind: str = "manual", include_rolls: bool = True,
             policy_path: Path | None = None,
             call: Callable[[Callable, PassContext], object] = _direct) -> dict:
    """Run every stage once over the data root; returns the run summary (also in `runs`)."""
    started = time.perf_counter()
    ctx = PassContext.open(root, as_of=as_of, kind=kind, policy_path=policy_path, include_rolls=include_rolls)
    try:
        start_run(ctx)
        try:
            for stage in STAGES:
                call(stage, ctx)
        except BaseException as exc:
            finish_run(ctx, "failed", f"{type(exc).__name__}: {exc}")
            raise
        summary = finish_run(ctx, "completed", "; ".join(ctx.messages) or None)
    finally:
        ctx.close()
    summary["wall_seconds"] = round(time.perf_counter() - started, 2)
    summary["messages"] = ctx.messages
    return summary
