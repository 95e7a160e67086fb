"""Helpers for the linker tests: a generated province loaded as a pass's link stage finds it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from data.generator import generate
from pipelines.context import PassContext
from pipelines.ingest import ingest
from pipelines.runs import start_run
from pipelines.verify import select_work


def province_ready_to_link(root: Path, households: int, seed: int, as_of: date) -> PassContext:
    """Generate a province into `root`, start a run, load every delivery and select the work: what
    `link_work_members` reads. The caller finishes the run (`pipelines.runs.finish_run`) and closes."""
    generate(root, households=households, seed=seed, as_of=as_of)
    ctx = PassContext.open(root, as_of=as_of)
    start_run(ctx)
    ingest(ctx)
    select_work(ctx)
    return ctx
