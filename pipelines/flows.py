"""Prefect flows: the pass with one task per stage, for the UI, retries and schedules.

The flow body only calls tasks; every task is a plain stage function from `pipelines.passes`
(test the logic with `run_pass`, or a flow with `.fn()`).

`deployment_specs` describes what `hhverify serve` registers with a Prefect server:

- `<label>-nightly`: the pass with the rolls, on a cron schedule in Asia/Shanghai (02:00 by
  default). Schedules live on the server, so they need `prefect server start`; the temporary
  server a bare `import prefect` starts refuses them.
- `<label>-inbox`: an inbox-only pass with no schedule, for an operator's "Run" button in the
  UI. Agencies' drops do not go through it: the serve process's watchfiles loop calls the pass
  in-process within a second, where a deployment run (a run to schedule, a subprocess to start,
  Prefect to import) takes 7–15 s (stack-notes).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from pipelines.passes import run_pass

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _as_task(stage, ctx):
    # The context holds a live DuckDB connection: nothing to hash or persist, so no caching.
    # `quote` stops Prefect from walking the context's contents for futures: after `assess` it
    # holds every household's report document, and that walk made a 2,000-household pass take
    # 125 s under the flow instead of ~35 s.
    return task(stage, name=stage.__name__, cache_policy=NONE, persist_result=False)(quote(ctx))


@flow(name="verification-pass", log_prints=True)
def verification_pass(root: str, as_of: str | None = None, kind: str | None = None, include_rolls: bool = True,
                      landing: bool = True, full: bool = False, snapshot_mode: str = "wait",
                      policy: str | None = None) -> dict:
    """Load new deliveries, verify new requests (and the rolls households new data could change), write reports."""
    return run_pass(Path(root), as_of=date.fromisoformat(as_of) if as_of else None, kind=kind,
                    include_rolls=include_rolls, landing=landing, full=full, snapshot_mode=snapshot_mode,
                    policy_path=Path(policy) if policy else None, call=_as_task)


def deployment_specs(root: Path, *, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE,
                     label: str | None = None) -> dict[str, dict]:
    """Keyword arguments for `Runner.aadd_flow(verification_pass, **spec)`, by role.

    Example:
        >>> specs = deployment_specs(Path("/srv/hh"), label="taiyuan")
        >>> specs["nightly"]["name"], specs["nightly"]["parameters"]["kind"]
        ('taiyuan-nightly', 'nightly')
    """
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    root = Path(root).resolve()
    label = label or root.name
    common = {"tags": ["hhverify", label], "entrypoint_type": EntrypointType.MODULE_PATH}
    return {
        "nightly": {**common, "name": f"{label}-nightly", "paused": False,
                    "schedules": [Cron(cron, timezone=timezone)],
                    "parameters": {"root": str(root), "kind": "nightly"},
                    "description": f"Nightly pass over {root}: new landing/ files, the rolls households new "
                                   f"data could change, change alerts to outbox/<agency>/nightly-<date>/."},
        "inbox": {**common, "name": f"{label}-inbox",
                  "parameters": {"root": str(root), "kind": "on_demand", "include_rolls": False, "landing": True},
                  "description": f"On-demand pass over {root}: the inbox, after any landing/ file waiting (the "
                                 "watcher runs the same pass within a second of a drop; this is for a manual run)."},
    }
