"""Recognise a pass that failed because the data root's disk is full or cannot be written.

These are the operator's problems, not the data's: the message says which disk and what to do,
not a traceback. Nothing is lost: every load, the links, and the answers with their audit rows
are each committed in one transaction, reports are renamed into place whole, and a request is
marked answered only after its reports exist, so the next pass after the fix picks up where
this one failed (tests/test_pipeline_storage.py).
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

_ERRNOS = {
    errno.ENOSPC: "the disk is full (No space left on device)",
    errno.EDQUOT: "the disk quota is exhausted (Disk quota exceeded)",
    errno.EFBIG: "a file grew beyond the size this process may write (File too large)",
    errno.EROFS: "the file system is mounted read-only (Read-only file system)",
    errno.EACCES: "this user may not write there (Permission denied)",
    errno.EPERM: "this user may not write there (Operation not permitted)",
}
# DuckDB reports I/O failures as its own exception types with the OS message inside.
_MESSAGES = [(re.compile(pattern, re.I), _ERRNOS[code]) for pattern, code in (
    (r"No space left on device", errno.ENOSPC), (r"Disk quota exceeded", errno.EDQUOT),
    (r"File too large", errno.EFBIG), (r"Read-only file system", errno.EROFS),
    (r"Permission denied", errno.EACCES), (r"Operation not permitted", errno.EPERM))]

EXIT_STORAGE = 74
"""Exit status of a pass stopped by its storage (sysexits' EX_IOERR), so a scheduler can tell it
from a failure of the data or the code (1)."""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def storage_problem(exc: BaseException) -> str | None:
    """What is wrong with the storage, in words, if `exc` (or what caused it) is a write failure."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _ERRNOS:
            where = f" writing {e.filename}" if e.filename else ""
            return _ERRNOS[e.errno] + where
        for pattern, text in _MESSAGES:
            if pattern.search(str(e)):
                path = re.search(r'"([^"]+)"', str(e))
                return text + (f" writing {path.group(1)}" if path else "")
    return None


def storage_message(root: Path, problem: str) -> str:
    return (f"the pass over {root} stopped: {problem}. Nothing was half committed: files loaded before "
            f"the failure are in the warehouse whole, everything else (including unanswered requests) is "
            f"done by the next pass. Free space on that disk (`df -h {root}`) or make the data root "
            f"writable for this user, then run the pass again.")
