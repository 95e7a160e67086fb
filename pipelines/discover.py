"""Find the files a pass should consider: department exports, rolls snapshots, inbox requests.

Writers deliver by renaming into place, so `*.part` files are still being written; hidden
files and folders, Excel's `~$` lock files and our own `*.error.txt` notes are never data. A
source or agency folder is read with its subfolders (a month's folder is still that source's or
that agency's); the pipeline writes nothing under landing/ or inbox/ itself. Whether a file is new is decided later
by its content hash; a file already seen at the same path with the same size and modification
time is not read again at all (`seen`): delivered files stay where they were dropped, and
hashing every one of them on every pass made each new drop cost more than the last.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from connectors.schema import SOURCES
from warehouse.load import Delivery

SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _is_data_file(p: Path) -> bool:
    # `~$name.xlsx` is the lock file Excel leaves beside a workbook it has open, not a delivery
    return (p.is_file() and not p.name.startswith((".", "~$"))
            and not p.name.endswith((".part", ".error.txt")))


Seen = set[tuple[str, int, int]]
"""(path relative to the root, size, mtime_ns) of files a pass has already recorded."""


def _unreadable(problems: list[str], root: Path):
    """An `os.walk` error handler, and the note for a file that cannot be read: what could not be
    read is said, not skipped in silence (an operations probe's `chmod 000` agency folder was
    passed over without a word, and one unreadable request stopped every agency's)."""
    def said(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "?"
        problems.append(f"{where}: cannot be read ({exc.strerror or exc}); it was skipped and is read by the "
                        "first pass after the pipeline's user may read it (fix its permissions)")
    return said


def _data_files(folder: Path, onerror=None) -> list[Path]:
    """The data files in `folder` and in its subfolders, at any depth: departments file their
    exports by month (`landing/tax/2026-11/`), and a file there was once neither loaded nor
    warned about. Hidden folders are skipped like hidden files (a sync tool's `.sync/`), and
    a symlinked folder is followed once (a share mounted as a month folder), never into a
    folder already walked (a link to a parent would loop)."""
    out, walked = [], set()
    for parent, folders, names in os.walk(folder, followlinks=True, onerror=onerror):
        real = os.path.realpath(parent)
        if real in walked:
            folders[:] = []
            continue
        walked.add(real)
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        out += [p for p in (Path(parent) / n for n in names) if _is_data_file(p)]
    return out


def _deliveries(folder: Path, root: Path, source: str, agency: str | None, seen: Seen,
                problems: list[str]) -> list[Delivery]:
    if not folder.is_dir():
        return []
    out, said = [], _unreadable(problems, root)
    files = [(p, p.stat()) for p in _data_files(folder, said)]
    # In the order they were written (then by name): a correction and a stale re-send of the same
    # record arriving together must not be applied by their names' order (a probe's old file
    # named z_… undid the correction in c_…); the last written is the sender's latest word,
    # whichever month folder it was filed in. The path breaks a tie between two folders' same name.
    for p, st in sorted(files, key=lambda f: (f[1].st_mtime_ns, f[0].name, f[0].as_posix())):
        rel = p.relative_to(root).as_posix()
        if (rel, st.st_size, st.st_mtime_ns) in seen:
            continue
        try:
            digest = file_sha256(p)
        except PermissionError as exc:
            said(exc)
            continue
        out.append(Delivery(p, rel, source, agency, digest, st.st_size, st.st_mtime_ns))
    return out


def discover(root: Path, *, landing: bool = True, inbox: bool = True,
             seen: Seen = frozenset()) -> tuple[list[Delivery], list[str]]:
    """Deliveries in load order (sources, each by modification time, then name, across its
    subfolders; then rolls snapshots and inbox requests together, in the same order), and warnings about folders
    that cannot be processed (an inbox folder whose name is not a plain agency name); files in
    `seen` are left out unread."""
    found, requests, warnings = [], [], []
    if landing:
        for source in SOURCES:
            found += _deliveries(root / "landing" / source, root, source, None, seen, warnings)
        requests += _deliveries(root / "landing" / "rolls", root, "rolls", None, seen, warnings)
        warnings += _misplaced(root / "landing", set(SOURCES) | {"rolls"},
                               f"landing/<source>/, <source> one of {', '.join((*SOURCES, 'rolls'))}")
    if inbox:
        warnings += _misplaced(root / "inbox", None, "inbox/<agency>/")
    if inbox and (root / "inbox").is_dir():
        for folder in sorted((root / "inbox").iterdir(), key=lambda q: q.name):
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            if not SAFE_NAME.match(folder.name):
                # the files it holds are named, as for any folder the pass does not read (an
                # operations probe's note said only that the folder was ignored)
                files = sorted(p.name for p in folder.rglob("*") if _is_data_file(p))
                held = (f": {len(files)} file(s) not read ({', '.join(files[:3])}{' …' if len(files) > 3 else ''})"
                        if files else "")
                warnings.append(f"inbox folder {folder.name!r} ignored{held}; agency folders may only use "
                                "letters, digits, '_' and '-'")
                continue
            requests += _deliveries(folder, root, "applicants", folder.name, seen, warnings)
    # A request_id belongs to whoever filed it first (pipelines.ingest): rolls snapshots and every
    # agency's requests load in the order they were written, not agency by agency (a probe's agB,
    # filing at 09:00, was told its id was agA's, filed at 10:00, because agA sorts first).
    requests.sort(key=lambda d: (d.mtime_ns or 0, d.path.name, d.rel_path))
    return found + requests, warnings


def _misplaced(folder: Path, known: set[str] | None, where: str) -> list[str]:
    """Warnings for data files the pass will never read: directly in `folder`, or in a
    subfolder not in `known` (None: any subfolder is known). They stay where they are and the
    warning repeats on every pass until someone moves them."""
    if not folder.is_dir():
        return []
    out = []
    loose = sorted(p.name for p in folder.iterdir() if _is_data_file(p))
    if loose:
        out.append(f"{len(loose)} file(s) directly in {folder.name}/ ignored ({', '.join(loose[:3])}"
                   f"{' …' if len(loose) > 3 else ''}): files are read from {where}")
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if known is None or sub.name in known:
            continue
        files = sorted(p.name for p in sub.rglob("*") if _is_data_file(p))
        if files:
            out.append(f"{folder.name}/{sub.name}/ is not a folder the pipeline reads: {len(files)} file(s) ignored "
                       f"({', '.join(files[:3])}{' …' if len(files) > 3 else ''}); files are read from {where}")
    return out
