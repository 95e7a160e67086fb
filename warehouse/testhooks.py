"""Fault-injection points, so tests can SIGKILL a pass at a known place.

A pass calls `pause_point("<name>")` at each point where a crash must be survivable: inside a
load's transaction (`load`), inside the link stage's transaction (`link`), after the first
request folder of reports is written and before anything about them is committed (`report`),
and inside the transaction that records the pass's assessments, audit and answers (`record`).
With `HHVERIFY_TEST_PAUSE_AT=<name>=<marker path>` in the environment, the process writes its
pid to the marker file at that point and sleeps, and the test kills it there
(tests/test_pipeline_faults.py, tests/test_ingest_atomic.py). Unset in production: one
environment lookup per call.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT_ENV = "HHVERIFY_TEST_PAUSE_AT"
POINTS = ("load", "link", "report", "record")


def pause_point(point: str) -> None:
    """Sleep at `point` when a test asked for it (see the module docstring); otherwise nothing."""
    spec = os.environ.get(PAUSE_AT_ENV)
    if not spec:
        return
    name, _, marker = spec.partition("=")
    if name != point:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(os.environ.get(PAUSE_AT_ENV + "_SECONDS", "120")))
