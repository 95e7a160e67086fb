"""Small operational pieces: locks, the Prefect deployments, the command line's errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hhverify.cli import app
from pipelines.locks import LockBusy, pass_lock, serve_lock
from pipelines.progress import emit, listening
from pipelines.watch import is_request_file

runner = CliRunner(env={"COLUMNS": "400", "NO_COLOR": "1"})


def test_a_second_serve_lock_on_a_root_is_refused_with_the_holder(tmp_path):
    with serve_lock(tmp_path):
        with pytest.raises(LockBusy, match="hhverify serve") as exc:
            with serve_lock(tmp_path):
                pass
        assert f"pid {__import__('os').getpid()}" in exc.value.holder
        assert exc.value.holder.rstrip().endswith("+08:00"), exc.value.holder   # China time, as every time shown
    with serve_lock(tmp_path):  # released on exit
        pass


def test_a_pass_waits_for_the_pass_lock_instead_of_failing(tmp_path):
    import threading
    import time

    order, told = [], []
    with pass_lock(tmp_path, "first"):
        t = threading.Thread(target=lambda: [pass_lock(tmp_path, "second", on_wait=told.append).__enter__(),
                                             order.append("second")])
        t.start()
        time.sleep(0.5)
        order.append("first done")
    t.join(10)
    assert order == ["first done", "second"] and "first" in told[0]


@pytest.mark.parametrize("name, expected", [
    ("agency_a/request.csv", True), ("agency_a/request.xlsx", True), ("agency_a/request.csv.part", False),
    ("agency_a/.hidden.csv", False), ("request.csv", False), ("agency_a/sub/request.csv", True), ("agency_a/.sync/request.csv", False),
    ("bad agency/request.csv", False), ("agency_a/request.csv.error.txt", False),
])
def test_which_inbox_paths_are_requests(tmp_path, name, expected):
    assert is_request_file(tmp_path / "inbox" / name, tmp_path / "inbox") is expected


def test_the_nightly_deployment_runs_on_a_cron_in_shanghai_time(tmp_path):
    from pipelines.flows import deployment_specs, verification_pass

    specs = deployment_specs(tmp_path / "taiyuan", cron="30 1 * * *")
    nightly = verification_pass.to_deployment(**specs["nightly"])
    schedule = nightly.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("30 1 * * *", "Asia/Shanghai")
    assert nightly.name == "taiyuan-nightly" and nightly.parameters["kind"] == "nightly"
    inbox = verification_pass.to_deployment(**specs["inbox"])
    assert not inbox.schedules and inbox.parameters == {"root": str((tmp_path / "taiyuan").resolve()),
                                                        "kind": "on_demand", "include_rolls": False, "landing": True}


def test_serve_rejects_a_bad_schedule_before_starting(tmp_path):
    res = runner.invoke(app, ["serve", "--root", str(tmp_path), "--cron", "every night"])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "Invalid cron string" in said and "five fields" in said and "None" not in said


def test_progress_listeners_never_break_a_pass():
    got = []
    with listening(lambda event, **info: got.append(event)), listening(lambda *a, **k: 1 / 0):
        emit("stage", name="ingest", index=0, total=8)
    emit("after")
    assert got == ["stage"]


def test_run_prints_the_pass_summary_without_progress_noise(tmp_path):
    from datetime import date

    from data.generator import generate

    root = tmp_path / "root"
    generate(root, households=6, seed=3, as_of=date(2026, 11, 28))
    res = runner.invoke(app, ["run", "--root", str(root), "--no-prefect", "--as-of", "2026-11-28"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.replace("│", " ").split())
    for label in ("files loaded", "files rejected", "rows quarantined", "households verified",
                  "findings fail / warn / info", "wall time", "change alerts", "analyst snapshot"):
        assert label in text
    assert "━" not in res.output  # no progress bar drawn off a terminal
    assert Path(root / "analyst.duckdb").exists()


def test_a_failed_inbox_pass_is_retried_without_a_new_drop(tmp_path):
    """A full disk during the watcher's pass: the request stays in the inbox, and the pass is
    tried again (after a back-off) once the disk has room, though nothing new was dropped."""
    import errno
    import threading
    import time

    from pipelines.watch import InboxWatcher

    calls, lines = [], []
    summary = {k: 0 for k in ("files_loaded", "files_rejected", "files_skipped", "rows_quarantined",
                              "households_verified", "reports_written", "findings_fail", "findings_warn",
                              "findings_info", "wall_seconds")}

    def run_pass():
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "warehouse.duckdb.wal"))
        return {**summary, "run_id": "r2", "status": "completed"}

    (tmp_path / "inbox" / "agency_a").mkdir(parents=True)
    (tmp_path / "inbox" / "agency_a" / "req.csv").write_text("request_id\n", encoding="utf-8")
    stop = threading.Event()
    watcher = InboxWatcher(tmp_path, run_pass, stop=stop, log=lines.append, poll_seconds=0.1)
    watcher.start()
    deadline = time.monotonic() + 15
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    watcher.join(5)
    assert len(calls) == 2, lines
    assert "the disk is full (No space left on device)" in lines[0] and "retrying in 2 s" in lines[0]
    assert "r2 completed" in lines[1]


def test_serve_logs_in_shanghai_time_as_the_run_ids_are(capsys):
    """An operations probe: serve's stamp was UTC beside a run id in Shanghai time on one line."""
    from pipelines.serve import log

    log("hello")
    assert capsys.readouterr().out.split(" ", 1)[0].endswith("+08:00")
