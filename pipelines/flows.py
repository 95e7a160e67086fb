"""Prefect flows: the pass with one task per stage, for the UI, retries and schedules.

The flow body only calls tasks; every task is a plain stage function from `pipelines.passes`
(test the logic with `run_pass`, or a flow with `.fn()`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE

from pipelines.passes import run_pass


def _as_task(stage, ctx):
    # The context holds a live DuckDB connection: nothing to hash or persist, so no caching.
    return task(stage, name=stage.__name__, cache_policy=NONE, persist_result=False)(ctx)


@flow(name="verification-pass", log_prints=True)
def verification_pass(root: str, as_of: str | None = None, kind: str = "manual", include_rolls: bool = True) -> dict:
    """Load new deliveries, verify new requests (and the rolls), write reports."""
    return run_pass(Path(root), as_of=date.fromisoformat(as_of) if as_of else None, kind=kind,
                    include_rolls=include_rolls, call=_as_task)
