"""File locks under the data root: one pass at a time, one `serve` per root, snapshots in order.

DuckDB lets one process hold the warehouse file, and a second opener fails at once. A pass
therefore takes `<root>/.hhverify-pass.lock` first and *waits* for it: the inbox watcher, a
nightly flow run that Prefect starts in a subprocess, and an operator's `hhverify run` queue up
instead of failing. The locks are `fcntl.flock` locks: the kernel drops them when the holder
exits, however it exits, so a crash never leaves a stale lock behind. The file's text (pid,
start time, what holds it) is only for messages.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from warehouse.connection import TIME_ZONE

PASS_LOCK = ".hhverify-pass.lock"
SERVE_LOCK = ".hhverify-serve.lock"
SNAPSHOT_LOCK = ".hhverify-snapshot.lock"


class LockBusy(RuntimeError):
    """The lock is held by another process (or another holder in this one)."""

    def __init__(self, path: Path, holder: str):
        super().__init__(f"{path} is held by {holder or 'another process'}")
        self.path, self.holder = path, holder


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def holder_of(path: Path) -> str:
    """What the lock file says about its holder ('' when unknown)."""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def holder_alive(path: Path) -> bool:
    """Whether the process the lock file names is running (a holder stamps the file and empties it
    on release; one killed midway leaves its stamp behind)."""
    text = holder_of(path)
    if not text.startswith("pid "):
        return False
    try:
        os.kill(int(text.split(",")[0][4:]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _stamp(fd: int, what: str) -> None:
    # China time, as every time the product shows (a README probe read +00:00 beside the README's CST)
    text = f"pid {os.getpid()}, {what}, since {datetime.now(ZoneInfo(TIME_ZONE)).isoformat(timespec='seconds')}\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode(), 0)


@contextmanager
def hold(path: Path, what: str, *, wait: bool = True, poll: float = 0.2,
         on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock at `path` for the block; wait for it (telling `on_wait` once) or raise LockBusy."""
    path = Path(path)
    fd = _open(path)
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    raise LockBusy(path, holder_of(path)) from None
                if on_wait and not told:
                    on_wait(holder_of(path))
                    told = True
                time.sleep(poll)
        _stamp(fd, what)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def pass_lock(root: Path, what: str = "a pass", **kw):
    """The lock every pass holds while it has the warehouse open."""
    return hold(Path(root) / PASS_LOCK, what, **kw)


def serve_lock(root: Path):
    """The lock `hhverify serve` holds for its lifetime; a second serve gets LockBusy at once."""
    return hold(Path(root) / SERVE_LOCK, "hhverify serve", wait=False)


def snapshot_lock(root: Path):
    """Orders snapshot publication, so an older pass's copy never replaces a newer one."""
    return hold(Path(root) / SNAPSHOT_LOCK, "publishing the analyst snapshot")
