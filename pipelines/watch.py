"""The inbox watcher: a request file renamed into `inbox/<agency>/` is answered within seconds.

Why a watchfiles loop calling the pass in-process, and not a Prefect deployment trigger:
measured on this machine (stack-notes), a file drop reaches the flow body in 0.2–0.4 s from a
watchfiles loop, in 7–15 s through `run_deployment` to a served deployment, and in 10–15 s
through a Prefect event and a deployment trigger (a run to schedule, a subprocess to start,
Prefect and the pipeline to import in it). The budget is 10 s for a 10-household request, so the
watcher lives in the `hhverify serve` process, warm, and calls the pass directly.

Two threads: one turns file-system events into a "pending" flag (watchfiles groups a burst of
events — several files dropped together — into one set); the other runs an inbox-only pass
whenever the flag is up, so files that arrive during a pass are picked up by the next one. A
pass decides what is new by content hash, so a file dropped twice (even under another name) is
answered once. Every `poll_seconds` the worker also compares the inbox listing with the one its
last pass saw, in case an event was missed (network file systems do not always send them); a
startup pass answers whatever arrived while the service was down.

A file no pass will read (loose in `inbox/`, or in a folder that is not an agency name, such as
`inbox/民政 局/`) runs no pass, but the watcher logs the warning passes give for it once, when it
appears: its sender would otherwise hear nothing at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, watch

from pipelines.discover import SAFE_NAME, discover
from pipelines.storage import storage_problem


def is_request_file(path: Path, inbox: Path) -> bool:
    """A file in `inbox/<agency>/`, or in a subfolder of it at any depth (a pass reads those too,
    `discover._data_files`), that a writer has finished (renamed into place)."""
    try:
        rel = Path(path).relative_to(inbox)
    except ValueError:
        return False
    return (len(rel.parts) >= 2 and bool(SAFE_NAME.match(rel.parts[0]))
            and not any(part.startswith(".") for part in rel.parts[1:-1]) and _finished(rel.name))


def _finished(name: str) -> bool:
    return not name.startswith((".", "~$")) and not name.endswith((".part", ".tmp", ".error.txt"))


def is_unread_file(path: Path, inbox: Path) -> bool:
    """A finished file in the inbox that no pass reads: directly in `inbox/`, or directly in a
    folder whose name is not an agency name (`discover` warns about both on every pass)."""
    try:
        rel = Path(path).relative_to(inbox)
    except ValueError:
        return False
    if not _finished(rel.name) or rel.parts[0].startswith("."):
        return False
    misplaced = len(rel.parts) == 1 or (len(rel.parts) == 2 and not SAFE_NAME.match(rel.parts[0]))
    return misplaced and Path(path).is_file()


def _stat_listing(inbox: Path, pattern: str, keep: Callable[[Path], bool]) -> frozenset:
    out = set()
    for p in inbox.glob(pattern) if inbox.is_dir() else ():
        if keep(p):
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            out.add((p.relative_to(inbox).as_posix(), st.st_size, st.st_mtime_ns))
    return frozenset(out)


def unread_listing(inbox: Path) -> frozenset:
    """The files now in the inbox that no pass reads, with size and modification time."""
    return (_stat_listing(inbox, "*", lambda p: is_unread_file(p, inbox))
            | _stat_listing(inbox, "*/*", lambda p: is_unread_file(p, inbox)))


def unread_warnings(root: Path) -> list[str]:
    """What a pass would say about the inbox files it does not read: `discover`'s own warnings,
    word for word. Every file it would read is passed as already seen, so none is hashed."""
    inbox = Path(root) / "inbox"
    readable = listing(inbox)
    _, warnings = discover(Path(root), landing=False, inbox=True,
                           seen={(f"inbox/{rel}", size, mtime) for rel, size, mtime in readable})
    return warnings


def listing(inbox: Path) -> frozenset:
    """The request files now in the inbox, with size and modification time."""
    return _stat_listing(inbox, "*/**/*", lambda p: is_request_file(p, inbox) and p.is_file())


SETTLE_SECONDS = 1.0
"""How long a request file must have gone unmodified before a pass reads it. The contract asks writers
to rename a finished file into place, but an agency tool saving in place had its file read and
rejected ("a header but no data rows") a second after its header was written, and moved to
rejected/ while it still wrote (an operations probe). A renamed file keeps the time its writing
ended, so waiting this long costs a drop at most this much."""
SETTLE_MAX_SECONDS = 60.0
"""A file still growing after this long is read as it stands (the pass says what it found)."""


class InboxWatcher:
    """Run `run_pass()` soon after request files appear in `<root>/inbox/`, until `stop` is set."""

    def __init__(self, root: Path, run_pass: Callable[[], dict], *, stop: threading.Event,
                 log: Callable[[str], None] = print, poll_seconds: float = 5.0):
        self.inbox = Path(root) / "inbox"
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.run_pass, self.stop, self.log, self.poll_seconds = run_pass, stop, log, poll_seconds
        self.pending = threading.Event()
        self.pending.set()  # a first pass answers whatever arrived while the service was down
        self.passes = 0
        self._threads = [threading.Thread(target=self._watch, name="inbox-events", daemon=True),
                         threading.Thread(target=self._work, name="inbox-passes", daemon=True)]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the threads to end (set `stop` first); the pass in progress finishes."""
        self.pending.set()
        for t in self._threads:
            t.join(timeout)

    def _filter(self, change: Change, path: str) -> bool:
        return change != Change.deleted and (is_request_file(Path(path), self.inbox)
                                             or is_unread_file(Path(path), self.inbox))

    def _tell_unread(self, new: frozenset) -> None:
        """Its sender gets no answer and no rejection note, so the operator is the one to tell."""
        try:
            warnings = unread_warnings(self.inbox.parent)
        except Exception as exc:  # noqa: BLE001 - a file gone in between must not stop the watcher
            warnings = [f"(could not list the inbox: {type(exc).__name__}: {exc})"]
        files = ", ".join(sorted(f"inbox/{rel}" for rel, _, _ in new))
        self.log(f"not answered, no pass reads it: {files}")
        for warning in warnings:
            self.log(f"  {warning}")

    def _watch(self) -> None:
        # step=50 ms: a burst is yielded 50 ms after its last event, not after the 1.6 s debounce cap
        for _ in watch(self.inbox, watch_filter=self._filter, stop_event=self.stop, step=50,
                       rust_timeout=1000, raise_interrupt=False):
            self.pending.set()

    def _settled(self, now: frozenset) -> frozenset:
        """The listing once no request file in it was modified in the last `SETTLE_SECONDS`."""
        waited = 0.0
        while not self.stop.is_set() and waited < SETTLE_MAX_SECONDS:
            youngest = max((mtime for _, _, mtime in now), default=0) / 1e9
            wait = youngest + SETTLE_SECONDS - time.time()
            if wait <= 0:
                break
            self.stop.wait(min(wait, SETTLE_SECONDS))
            waited += min(wait, SETTLE_SECONDS)
            now = listing(self.inbox)
        return now

    def _work(self) -> None:
        seen, unread_seen, failures = None, frozenset(), 0
        while not self.stop.is_set():
            self.pending.wait(self.poll_seconds)
            if self.stop.is_set():
                break
            self.pending.clear()
            now = listing(self.inbox)
            unread = unread_listing(self.inbox)
            new_unread, unread_seen = unread - unread_seen, unread
            if now == seen:
                # No pass for these: it would read nothing and warn, and the next check would see
                # the same files, so they are only logged, once. A pass that runs warns anyway.
                if new_unread:
                    self._tell_unread(new_unread)
                continue
            now = self._settled(now)
            seen = now  # files renamed in during the pass differ from this and trigger another
            started = time.perf_counter()
            try:
                summary = self.run_pass()
            except Exception as exc:  # noqa: BLE001 - one bad pass must not stop the service
                # Retried without a new drop (a full disk gets freed, a lock gets released), backing
                # off to once a minute so a lasting fault does not flood the log.
                failures += 1
                backoff = min(60.0, 2.0 ** failures)
                problem = storage_problem(exc)
                what = f"the data root's storage: {problem}" if problem else f"{type(exc).__name__}: {exc}"
                self.log(f"inbox pass failed after {time.perf_counter() - started:.1f} s ({what}); "
                         f"retrying in {backoff:.0f} s")
                seen = None
                self.stop.wait(backoff)
                continue
            failures = 0
            self.passes += 1
            self.log(pass_line(summary))
            for message in summary.get("messages") or []:   # reports written, rows rejected, households held
                self.log(f"  {message}")


def pass_line(s: dict) -> str:
    """One log line summing up a pass."""
    return (f"{s.get('kind', 'pass')} pass {s['run_id']} {s['status']}: files loaded {s['files_loaded']}, "
            f"rejected {s['files_rejected']}, skipped {s['files_skipped']}; rows quarantined {s['rows_quarantined']}; "
            f"households verified {s['households_verified']} (rolls unchanged {s.get('households_unchanged', 0)}, "
            f"changed {s.get('households_changed', 0)}); reports {s['reports_written']}; findings fail/warn/info "
            f"{s['findings_fail']}/{s['findings_warn']}/{s['findings_info']}; alerts {s.get('alerts', 0)}; "
            f"{s['wall_seconds']} s")
