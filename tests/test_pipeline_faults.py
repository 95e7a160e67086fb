"""A pass killed (SIGKILL) anywhere ends, after the next pass, exactly as an uninterrupted pass.

One generated province is copied twice: the reference copy gets one uninterrupted pass; each
faulted copy gets a pass killed at a fault point of `warehouse/testhooks.py` — inside a file's
load transaction, inside the link transaction, after the first request folder of reports is
written, inside the transaction that records answers and audit — then one ordinary pass. The
two warehouses and outboxes must then hold the same things: every source row once, the same
quarantine, links, assessments, audit rows and answered requests, the same reports (run ids and
timestamps aside) and no half-written file.

The killed pass is `hhverify run --no-prefect` in a child process, as the nightly would start it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from fault_support import AS_OF, REPO, state
from pipelines.passes import run_pass
from warehouse.testhooks import PAUSE_AT_ENV, POINTS


def _kill_at(root: Path, point: str, marker: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "hhverify.cli", "run", "--root", str(root), "--no-prefect", "--as-of", AS_OF.isoformat()],
        cwd=REPO, env={**os.environ, PAUSE_AT_ENV: f"{point}={marker}"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not marker.exists():
        if child.poll() is not None:
            out, err = child.communicate()
            pytest.fail(f"the pass ended (exit {child.returncode}) before reaching {point}:\n{err}\n{out}")
        assert time.monotonic() < deadline, f"the pass never reached the {point} point"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", POINTS)
def test_a_pass_killed_at_any_point_is_completed_by_the_next_exactly(province, reference, point, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(province / "pristine", root)
    _kill_at(root, point, tmp_path / f"paused-at-{point}")
    killed = state(root)
    assert killed["answered"] == [] and killed["audit"] == [], "answers were committed before the kill point"
    if point == "report":
        assert 0 < len(killed["reports"]) < len(reference["reports"]), "the kill should fall between report folders"

    summary = run_pass(root, as_of=AS_OF, snapshot_mode="off")

    assert summary["status"] == "completed"
    after = state(root)
    assert not [f for f in after["outbox"] if f.endswith(".part") or "/." in f], "a half-written file was left"
    for part in reference:
        assert after[part] == reference[part], f"{part} differs from an uninterrupted pass after a kill at {point}"
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        statuses = [s for (s,) in con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()]
    finally:
        con.close()
    assert statuses == ["interrupted", "completed"]
    assert any(m.startswith("the previous pass (") and "was interrupted" in m for m in summary["messages"])


def test_a_row_error_note_a_killed_pass_wrote_is_rewritten_in_place_not_doubled(tmp_path):
    """An operations probe: a pass killed after writing a file's row-error note, before recording it,
    left the next pass writing a second note for the same file beside it."""
    from pipelines.row_errors import _target

    (tmp_path / "bdc.csv.error.txt").write_text("rows rejected: bdc.csv …", encoding="utf-8")
    assert _target(tmp_path, "bdc.csv", "43c05794aa", "rows rejected: bdc.csv …") == tmp_path / "bdc.csv.error.txt"
    assert _target(tmp_path, "bdc.csv", "43c05794aa", "another file's rows") == tmp_path / "bdc.43c05794.csv.error.txt"
