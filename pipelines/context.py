"""What every stage of a pass shares: the data root, the warehouse connection, the run."""

from __future__ import annotations

import os

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from assessment.policy import Policy, load_policy
from pipelines.documents import Documents
from warehouse import open_warehouse

TZ = ZoneInfo("Asia/Shanghai")
POLICY_ENV = "HHVERIFY_POLICY"
"""The county policy file every pass applies (default: the shipped assessment/policies/shanxi.yaml)."""


def today_shanghai() -> date:
    return datetime.now(TZ).date()


class BackdatedPass(ValueError):
    """A pass dated before the last completed one (`PassContext.open`)."""


@dataclass
class PassContext:
    root: Path
    con: duckdb.DuckDBPyConnection
    run_id: str
    as_of: date
    """The request date of every request answered in this pass (the day it is answered)."""
    kind: str = "manual"
    policy: Policy = field(default_factory=load_policy)
    include_rolls: bool = True
    landing: bool = True
    """Load new files under landing/ (an inbox-only pass, as the watcher runs, leaves them for the nightly)."""
    inbox: bool = True
    """Load new request files under inbox/."""
    full: bool = False
    """Re-verify every household on the rolls, not only those that new data could have changed."""
    started: float = field(default_factory=time.perf_counter)
    counts: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    failed_requests: set = field(default_factory=set)
    """Requests with a household that could not be assessed: left unanswered for the next pass."""
    quality: list[dict] = field(default_factory=list)
    """Per loaded batch: the gate's failures and counts, for the pass's Data Docs."""
    documents: Documents = field(default_factory=Documents)
    """Household report documents produced by the assess stage for the report stage."""
    rolls: dict = field(default_factory=dict)
    """What the rolls comparison decided: previous rolls pass, why this work set, the rolls batch."""

    @classmethod
    def open(cls, root: Path, *, as_of: date | None = None, kind: str = "manual",
             policy_path: Path | None = None, include_rolls: bool = True, landing: bool = True,
             inbox: bool = True, full: bool = False) -> "PassContext":
        root = Path(root).resolve()  # lineage and outputs are named relative to it
        # the policy first: a file that cannot be used stops the pass before any work
        policy = load_policy(policy_path or (Path(os.environ[POLICY_ENV]) if os.environ.get(POLICY_ENV) else None))
        con = open_warehouse(root / "warehouse.duckdb")
        day = as_of or today_shanghai()
        latest = con.execute("SELECT max(as_of) FROM runs WHERE status = 'completed'").fetchall()[0][0]
        if latest is not None and day < latest:
            # a time probe's pass dated three weeks back re-judged the rolls by the older standard and
            # alerted 通过→不通过 (to flip back the next night); its rows dated after it were refused
            con.close()
            if as_of is None:   # today's pass, after one dated in the future (leaving --as-of out is no advice)
                raise BackdatedPass(
                    f"this data root was last verified as of {latest}, after today ({day}, Asia/Shanghai): an earlier "
                    f"pass was dated in the future. Until {latest}, date passes --as-of {latest}, or restore the data "
                    "root from a copy taken before that pass")
            raise BackdatedPass(
                f"this data root was last verified as of {latest}; a pass dated {day} would judge the households "
                "on the rolls by older data and standards, and report changes that did not happen. Date the pass "
                f"{latest} or later (or leave --as-of out); to see an earlier date, run it on a copy of the data root")
        stamp = datetime.now(TZ).strftime("%Y%m%dT%H%M%S")
        return cls(root=root, con=con, run_id=f"{stamp}-{uuid.uuid4().hex[:8]}", as_of=day,
                   kind=kind, policy=policy, include_rolls=include_rolls,
                   landing=landing, inbox=inbox, full=full)

    def close(self) -> None:
        self.con.close()
