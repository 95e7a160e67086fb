"""A request dropped where no pass reads it gets a word from `serve`, not silence.

A probe renamed a request into `inbox/民政 局/` (a space: not an agency name) while serve ran:
no pass, no log line, nothing in rejected/. Passes already warn about such folders; the watcher
now notices the file and logs that warning, once, without running passes for a file no pass
will ever read.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from pipelines.watch import InboxWatcher, is_request_file

SUMMARY = {k: 0 for k in ("files_loaded", "files_rejected", "files_skipped", "rows_quarantined",
                          "households_verified", "reports_written", "findings_fail", "findings_warn",
                          "findings_info", "wall_seconds")}


def _drop(path: Path, text: str = "request_id\nREQ-1\n") -> None:
    """As writers deliver: written under a temporary name, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)


def _until(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def watched(tmp_path):
    calls, lines = [], []

    def run_pass():
        calls.append(time.monotonic())
        return {**SUMMARY, "run_id": f"r{len(calls)}", "status": "completed", "messages": []}

    (tmp_path / "inbox" / "agency_a").mkdir(parents=True)
    stop = threading.Event()
    watcher = InboxWatcher(tmp_path, run_pass, stop=stop, log=lines.append, poll_seconds=0.1)
    watcher.start()
    assert _until(lambda: len(calls) == 1), "no start-up pass"
    yield tmp_path, calls, lines
    stop.set()
    watcher.join(5)


@pytest.mark.parametrize("rel, warning", [
    # the files it holds are named (an operations probe's note named only the folder)
    ("民政 局/x.csv", "inbox folder '民政 局' ignored: 1 file(s) not read (x.csv); agency folders may only use "
                     "letters, digits, '_' and '-'"),
    ("loose.csv", "1 file(s) directly in inbox/ ignored (loose.csv): files are read from inbox/<agency>/"),
])
def test_a_request_no_pass_reads_is_logged_once_without_running_passes(watched, rel, warning):
    root, calls, lines = watched
    _drop(root / "inbox" / rel)
    assert _until(lambda: any(rel in ln for ln in lines)), f"nothing logged for {rel}: {lines}"
    time.sleep(1.0)  # ten listing checks: none may log it again or start a pass for it
    assert len(calls) == 1, f"passes were run for a file no pass reads: {lines}"
    assert sum(ln.startswith("not answered") and rel in ln for ln in lines) == 1, lines
    assert any(warning in ln for ln in lines), lines


def test_a_good_request_after_an_unread_one_still_gets_its_pass(watched):
    root, calls, lines = watched
    _drop(root / "inbox" / "民政 局" / "x.csv")
    assert _until(lambda: any("民政 局/x.csv" in ln for ln in lines))
    _drop(root / "inbox" / "agency_a" / "req.csv")
    assert _until(lambda: len(calls) == 2), lines
    time.sleep(0.5)
    assert len(calls) == 2, lines


@pytest.mark.parametrize("name, expected", [
    ("民政 局/x.csv", True), ("bad agency/request.xlsx", True), ("request.csv", True),
    ("agency_a/request.csv", False), ("民政 局/x.csv.part", False), ("民政 局/.hidden.csv", False),
    (".cache/x.csv", False), ("民政 局/x.csv.error.txt", False), ("~$request.xlsx", False),
])
def test_which_inbox_files_no_pass_reads(tmp_path, name, expected):
    from pipelines.watch import is_unread_file

    inbox = tmp_path / "inbox"
    (inbox / name).parent.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text("x", encoding="utf-8")
    assert is_unread_file(inbox / name, inbox) is expected
    assert not (expected and is_request_file(inbox / name, inbox))


def test_a_request_in_a_month_subfolder_of_an_agency_is_a_request_file(tmp_path):
    """A pass reads subfolders of inbox/<agency>/ (discover), so the watcher must start one for them."""
    from pipelines.watch import listing

    inbox = tmp_path / "inbox"
    for rel in ("agA/a.csv", "agA/2026-11/b.csv", "agA/2026-11/deep/c.csv", "agA/.sync/d.csv", "agA/2026-11/e.csv.part",
                "民政 局/f.csv", "loose.csv"):
        p = inbox / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    assert sorted(r for r, _, _ in listing(inbox)) == ["agA/2026-11/b.csv", "agA/2026-11/deep/c.csv", "agA/a.csv"]


def test_a_request_file_still_being_written_in_place_is_read_once_it_has_gone_unmodified(tmp_path, monkeypatch):
    """An operations probe: a file an agency tool saved in place (no rename) was read a second after its
    header was written, rejected as having no data rows, and moved while the tool still wrote to it."""
    import pipelines.watch as watch_module

    clock = [1_000_000.0]
    monkeypatch.setattr(watch_module.time, "time", lambda: clock[0])
    inbox = tmp_path / "inbox" / "agency_a"
    inbox.mkdir(parents=True)
    path = inbox / "req.csv"
    path.write_text("request_id\n", encoding="utf-8")
    os.utime(path, (clock[0], clock[0]))
    stop = threading.Event()
    watcher = InboxWatcher(tmp_path, lambda: SUMMARY, stop=stop, log=lambda _: None)
    lines = iter(["REQ-1\n", "REQ-2\n"])

    def wait(seconds):          # time passes; the tool writes one more line, then stops
        clock[0] += seconds
        line = next(lines, None)
        if line is not None:
            with path.open("a", encoding="utf-8") as f:
                f.write(line)
            os.utime(path, (clock[0], clock[0]))
        return False

    monkeypatch.setattr(stop, "wait", wait)
    settled = watcher._settled(watch_module.listing(tmp_path / "inbox"))
    assert [size for _, size, _ in settled] == [path.stat().st_size] and path.read_text().count("REQ-") == 2
    assert clock[0] >= 1_000_000.0 + 3 * watch_module.SETTLE_SECONDS


def test_a_request_renamed_into_place_long_after_it_was_written_is_read_at_once(tmp_path, monkeypatch):
    import pipelines.watch as watch_module

    inbox = tmp_path / "inbox" / "agency_a"
    inbox.mkdir(parents=True)
    _drop(inbox / "req.csv")
    os.utime(inbox / "req.csv", (time.time() - 60, time.time() - 60))
    stop = threading.Event()
    watcher = InboxWatcher(tmp_path, lambda: SUMMARY, stop=stop, log=lambda _: None)
    monkeypatch.setattr(stop, "wait", lambda seconds: pytest.fail("waited for a file written a minute ago"))
    assert watcher._settled(watch_module.listing(tmp_path / "inbox")) == watch_module.listing(tmp_path / "inbox")
