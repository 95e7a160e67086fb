"""`runs` keeps the counts of a pass that died: what it committed is credited to it, so that the
sums over `runs` agree with `files`.

A probe killed a pass (SIGKILL) after it had loaded its files: `files` credited the dead run with
them, but `runs` showed it `interrupted` with 0 files and 0 rows, and the next pass (with nothing
left to load) 0 as well, so no row of `runs` counted those files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from fault_support import AS_OF
from pipelines.passes import run_pass
from pipelines.runs import COUNTED
from test_pipeline_faults import _kill_at

FILE_COUNTS = ("files_loaded", "files_skipped", "files_rejected", "rows_loaded", "rows_quarantined")


def _runs(root: Path) -> list[dict]:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        res = con.execute(f"SELECT run_id, status, message, {', '.join(COUNTED)} FROM runs ORDER BY started_at")
        cols = [c[0] for c in res.description]
        return [dict(zip(cols, r)) for r in res.fetchall()]
    finally:
        con.close()


def _files_by_run(root: Path) -> dict[str, dict]:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT run_id, count(*) FILTER (status = 'loaded'), count(*) FILTER (status = 'skipped'), "
                           "count(*) FILTER (status = 'rejected'), coalesce(sum(rows_loaded), 0), "
                           "coalesce(sum(rows_quarantined), 0) FROM files GROUP BY run_id").fetchall()
    finally:
        con.close()
    return {r[0]: dict(zip(FILE_COUNTS, r[1:])) for r in rows}


def test_a_killed_pass_is_credited_in_runs_with_the_files_it_loaded(province, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(province / "pristine", root)
    _kill_at(root, "link", tmp_path / "paused-at-link")  # every file loaded, nothing linked yet

    assert run_pass(root, as_of=AS_OF, snapshot_mode="off")["status"] == "completed"

    killed, after = _runs(root)
    files = _files_by_run(root)
    assert killed["status"] == "interrupted" and after["status"] == "completed"
    assert killed["files_loaded"] > 0 and killed["rows_loaded"] > 0, killed
    for run in (killed, after):
        assert {k: run[k] for k in FILE_COUNTS} == files.get(run["run_id"], dict.fromkeys(FILE_COUNTS, 0)), run
    for k in FILE_COUNTS:
        assert sum(run[k] for run in (killed, after)) == sum(f[k] for f in files.values()), k
    # it died before linking: nothing of the verification was committed, and the next pass did it
    assert killed["households_verified"] == 0 and killed["reports_written"] == 0
    assert after["households_verified"] > 0
    assert "counts are what it committed" in killed["message"]


def test_a_pass_dead_after_its_last_commit_keeps_every_count_it_committed(province, tmp_path):
    """Killed after its assessments, audit and alerts were committed (writing the night's alert
    files, publishing the copy): the counts derived from what it committed are the counts the
    pass would have written itself."""
    root = tmp_path / "root"
    shutil.copytree(province / "pristine", root)
    done = run_pass(root, as_of=AS_OF, snapshot_mode="off")
    assert done["status"] == "completed" and done["households_verified"] > 0 and done["alerts"] > 0
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    try:  # as the row of a pass that died before `finish_run` looks
        con.execute(f"UPDATE runs SET status = 'running', finished_at = NULL, message = NULL, wall_seconds = NULL, "
                    f"{', '.join(f'{k} = 0' for k in COUNTED)} WHERE run_id = ?", [done["run_id"]])
    finally:
        con.close()

    assert run_pass(root, as_of=AS_OF, snapshot_mode="off")["status"] == "completed"

    dead = _runs(root)[0]
    assert dead["run_id"] == done["run_id"] and dead["status"] == "interrupted"
    derived = ("files_loaded", "files_skipped", "files_rejected", "rows_loaded", "rows_quarantined",
               "households_verified", "reports_written", "findings_fail", "findings_warn", "findings_info",
               "households_changed", "alerts")
    assert {k: dead[k] for k in derived} == {k: done[k] for k in derived}


def test_a_failed_pass_counts_only_what_it_committed(province, tmp_path, monkeypatch):
    """A probe's pass failed (disk full, exit 74) in the transaction recording its answers: `runs`
    said 50 households verified, 30 reports and 20 alerts, yet none of them was committed, so the
    sums over `runs` counted them twice once the next pass had done the work."""
    import errno

    import pytest

    import pipelines.publish as publish

    root = tmp_path / "root"
    shutil.copytree(province / "pristine", root)

    def full_disk(point: str) -> None:
        if point == "record":   # inside the transaction of the assessments, audit, findings and alerts
            raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(publish, "pause_point", full_disk)
    with pytest.raises(OSError):
        run_pass(root, as_of=AS_OF, snapshot_mode="off")
    monkeypatch.undo()
    assert run_pass(root, as_of=AS_OF, snapshot_mode="off")["status"] == "completed"

    failed, after = _runs(root)
    assert failed["status"] == "failed" and "counts are what it committed" in failed["message"], failed
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        committed = {table: dict(con.execute(f"SELECT run_id, count(*) FROM {table} GROUP BY run_id").fetchall())
                     for table in ("assessment_history", "alerts", "findings", "audit")}
    finally:
        con.close()
    assert not any(failed["run_id"] in by_run for by_run in committed.values()), committed
    assert {k: failed[k] for k in ("households_verified", "reports_written", "alerts", "households_changed",
                                   "findings_fail", "findings_warn", "findings_info", "households_unchanged")} == \
        dict.fromkeys(("households_verified", "reports_written", "alerts", "households_changed", "findings_fail",
                       "findings_warn", "findings_info", "households_unchanged"), 0)
    files = _files_by_run(root)   # its loads were committed, one by one: those it keeps
    assert failed["files_loaded"] > 0 and {k: failed[k] for k in FILE_COUNTS} == files[failed["run_id"]]
    assert after["alerts"] == committed["alerts"].get(after["run_id"], 0) > 0
    assert sum(run["alerts"] for run in (failed, after)) == sum(committed["alerts"].values())
