"""Folders the pipeline writes for people (outbox/, rejected/): owner-only at every level."""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents owner-only, whatever the umask; return it."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(d, DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path
