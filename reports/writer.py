"""Write a request's reports into its outbox folder, atomically and owner-only.

``write_request(out_dir, reports)`` writes, for every household,
``<household_id>.json`` (the report, identity numbers masked) and
``<household_id>.html`` (the human report), then ``summary.xlsx`` (one row per
household) and ``index.html`` (links to every household report).

Every file is written to a hidden ``.<name>.<random>.part`` in the same
folder, fsynced, then ``os.replace``d into place, so a reader (or the agency's
sync job) sees either the old file or the new one, never half of one; the
contract tells readers to ignore ``*.part`` and hidden files.  The folder is
created 0o700 and every file is 0o600: the reports name people on aid.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

import orjson

from expectations.suites import HAN

from .html import render_index, render_view
from .masking import scrub, scrub_text
from .summary import summary_xlsx
from .view import household_view, index_row_of

__all__ = ["check_safe_name", "private_dir", "write_household", "write_request", "write_atomic"]

# The same names the quality gate lets through for request and household ids (Chinese
# characters included): a name the gate accepted must never crash the writer.
_SAFE_NAME_RE = re.compile(rf"[A-Za-z0-9{HAN}_-][A-Za-z0-9{HAN}_.-]{{0,127}}")
_RESERVED = {"index", "summary"}  # would collide with index.html / summary.xlsx
DIR_MODE = 0o700
FILE_MODE = 0o600


def check_safe_name(value: Any, what: str = "name") -> str:
    """``value`` if it is safe as a file name; ``ValueError`` otherwise.

    Letters, digits, ``_``, ``-`` and ``.`` (not leading), at most 128
    characters, no path separators and no ``..``.
    """
    if not isinstance(value, str) or not _SAFE_NAME_RE.fullmatch(value) or ".." in value:
        raise ValueError(f"unsafe {what} for a file name: {value!r}")
    return value


def report_stem(household_id: str) -> str:
    """The file name (no extension) of a household's report: its household_id, unless that holds
    an ID number (an agency keying households by the head's ID): then masked, with a short digest
    of the whole key so that two such households never share a file. A privacy probe found the
    ID in full in the report's file name, while the report itself masked it.

    >>> report_stem("HH-0001"), report_stem("140105199003070810")
    ('HH-0001', '140105xxxxxxxx0810-45dde11b')
    """
    masked = scrub_text(household_id)
    if masked == household_id:
        return household_id
    return f"{masked.replace('*', 'x')}-{hashlib.sha256(household_id.encode()).hexdigest()[:8]}"


def file_stem_name(file_name: str) -> str:
    """A file name with any ID number in its stem masked as `report_stem` masks one, its extension
    kept: the name an error note about the file is filed under. A privacy probe's department file
    was named after a person's ID: its notes were filed under the full number, while the pass summary
    named them masked, a path that did not exist.

    >>> file_stem_name("个税.csv"), file_stem_name("140105199003070810.csv")
    ('个税.csv', '140105xxxxxxxx0810-45dde11b.csv')
    """
    stem, dot, suffix = file_name.rpartition(".")
    if not dot or not stem:
        return short_name(report_stem(file_name))
    return short_name(f"{report_stem(stem)}.{suffix}")


NAME_BYTES_MAX = 150
"""`short_name`: a file name we write stays within this many bytes (UTF-8), leaving room below the
file system's 255 for `.error.txt`, a hash and a temporary file's affixes."""


def short_name(name: str, limit: int = NAME_BYTES_MAX) -> str:
    """`name`, or when longer than `limit` bytes its beginning and a hash of the whole, extension kept:
    a hostile-input probe's 250-byte file name (86 Chinese characters, legal on its own) made every
    pass fail writing `<name>.error.txt`, the file moved out of landing/ or not.

    >>> short_name("个税.csv"), len(short_name("关于" * 60 + ".csv").encode()) <= 150
    ('个税.csv', True)
    """
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 10:
        stem, dot, suffix = name, "", ""
    tail = f"-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}{dot}{suffix}"
    room = limit - len(tail.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut + tail


def folder_name(out_dir: str) -> str:
    """The outbox folder (below the agency's) of a request, or of a nightly and its subfolders: each
    part as `report_stem` names a file. A privacy probe's request_id was an ID number: its reports
    were masked, their folder was not.

    >>> folder_name("R2026-001"), folder_name("nightly-20261128/140105199003070810")
    ('R2026-001', 'nightly-20261128/140105xxxxxxxx0810-45dde11b')
    """
    return "/".join(report_stem(part) for part in out_dir.split("/"))


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a same-folder temp file, fsync and rename; mode 0o600."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{short_name(path.name, 100)}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _prepare_dir(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    private_dir(out_dir)
    return out_dir


def _validate(reports: Iterable[Any]) -> list[dict]:
    """The reports, after checking every id that ends up in a file or folder name."""
    checked: list[dict] = []
    seen: set[str] = set()
    for report in reports:
        if not isinstance(report, dict):
            raise ValueError(f"a report must be a dict, not {type(report).__name__}")
        household = check_safe_name(report.get("household_id"), "household_id")
        if household.lower() in _RESERVED:
            raise ValueError(f"household_id {household!r} collides with a request-level file")
        if household in seen:
            raise ValueError(f"household_id {household!r} appears twice in one request")
        seen.add(household)
        if report.get("request_id") is not None:
            check_safe_name(report.get("request_id"), "request_id")
        checked.append(report)
    return checked


_JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE


def _json_default(value: Any) -> Any:
    """What orjson leaves to us: a float subclass (numpy.float64) stays a number, as `json`
    wrote it; anything else (Decimal …) is written as text."""
    return float(value) if isinstance(value, float) else str(value)


def report_json(report: dict, *, scrubbed: bool = False) -> bytes:
    """The household report as UTF-8 JSON, identity numbers masked (``scrubbed``: already).

    orjson, not ``json``: the standard library encodes indented JSON in pure Python, which was
    a quarter of a big pass's report writing. Values orjson does not know (Decimal) are written
    as text, as before; an integer beyond 64 bits falls back to ``json``."""
    safe = report if scrubbed else scrub(report)
    try:
        return orjson.dumps(safe, default=_json_default, option=_JSON_OPTIONS)
    except orjson.JSONEncodeError:
        return (json.dumps(safe, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents owner-only, whatever the umask; return it.

    `mkdir(parents=True, mode=…)` applies the mode to the leaf only, so outbox/<agency>/ would
    be world-readable: each level this call creates is chmod-ed, and so is the leaf. Every
    folder the pipeline writes for people (outbox/, rejected/, review sheets) goes through here."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=DIR_MODE, exist_ok=True)  # FileExistsError if a file stands there
        os.chmod(d, DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def write_request(out_dir: Path, reports: Iterable[Any], *, heads: list[dict] | None = None,
                  load: Callable[[Any], dict] | None = None, fan_out: Callable = map,
                  waiting: list[dict] | None = None) -> list[Path]:
    """Write every household's JSON + HTML, then summary.xlsx and index.html (listing these and
    the reports of earlier passes already in the folder: `_earlier_rows`).

    All names are validated before anything is written.  Returns the written
    paths in the order written (per household JSON then HTML; summary; index).

    ``heads``: the reports' ``household_id`` and ``request_id``, in order, when ``reports`` is
    a lazy iterable (a big pass loads one report at a time, so a folder of ten thousand
    households is never in memory at once); the names are validated from them up front, and
    each report must then carry the household of its head.

    ``load`` turns each item of ``reports`` into its report where it is written (a big pass
    hands over compressed documents); ``fan_out`` is the ``map`` the households are written
    through, in order: a process pool's ``imap`` writes them on every core.

    ``waiting``: the request's households not answered yet (``household_id`` and ``note``, the
    error note that says why), listed on both pages so that the folder does not read as the
    whole request answered.
    """
    if heads is None:
        reports = heads = _validate(reports)
    else:
        _validate(heads)
    out_dir = _prepare_dir(out_dir)
    written: list[Path] = []
    rows: list[dict] = []
    generated: list[str] = []
    tasks = ((out_dir, item, load, head["household_id"]) for head, item in zip(heads, reports, strict=True))
    for row, generated_at, paths in fan_out(write_household, tasks):
        rows.append(row)
        if generated_at:
            generated.append(generated_at)
        written += paths
    earlier, times = _earlier_rows(out_dir, {report_stem(h["household_id"]) for h in heads})
    if earlier:
        rows = sorted(rows + earlier, key=lambda r: (str(r["request_id"]), str(r["household_id"])))
        generated += times
    buffer = io.BytesIO()
    summary_xlsx(buffer, [], rows=rows, waiting=waiting)
    written.append(write_atomic(out_dir / "summary.xlsx", buffer.getvalue()))
    written.append(write_atomic(out_dir / "index.html", render_index(
        [], rows=rows, generated_at=max(generated, default=None), waiting=waiting).encode("utf-8")))
    _fsync_dir(out_dir)
    return written


def _earlier_rows(out_dir: Path, now: set[str]) -> tuple[list[dict], list[str]]:
    """The index rows (and times) of the household reports already in `out_dir` that this pass
    did not write: summary.xlsx and index.html list every report of the folder, whichever pass
    wrote it. A nightly probe's second pass of the day listed only its own two households, and
    the one the first pass had found failing was on neither page; a request's household
    re-answered after review would have left its folder's pages with that household alone."""
    rows, times = [], []
    for path in sorted(out_dir.glob("*.json")):      # every *.json of an outbox folder is a report
        if path.stem in now:
            continue
        try:
            report = json.loads(path.read_bytes())
            row = {**index_row_of(household_view(report, scrubbed=True)), "href": f"{path.stem}.html"}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue   # not a report this version can read: the folder still holds it, the pages skip it
        rows.append(row)
        if report.get("generated_at"):
            times.append(str(report["generated_at"]))
    return rows, times


def write_household(task: tuple[Path, Any, Callable[[Any], dict] | None, str]) -> tuple[dict, str | None, list[Path]]:
    """Write one household's JSON and HTML; returns its index row, its time and the paths.

    ``task`` is (folder, report or item, ``load`` or None, the household announced): one
    picklable argument, so a process pool can run it."""
    out_dir, item, load, announced = task
    report = load(item) if load is not None else item
    household = report.get("household_id") if isinstance(report, dict) else None
    if household != announced:
        raise ValueError(f"report for household {household!r} where {announced!r} was announced")
    # scrubbed once and viewed once: the JSON, the HTML and the index/summary row all come
    # from these (scrubbing and the view were two thirds of the writing time when redone)
    safe = scrub(report)
    view = household_view(safe, scrubbed=True)
    stem = report_stem(household)
    paths = [write_atomic(out_dir / f"{stem}.json", report_json(safe, scrubbed=True)),
             write_atomic(out_dir / f"{stem}.html", render_view(view).encode("utf-8"))]
    generated = report.get("generated_at")
    return {**index_row_of(view), "href": f"{stem}.html"}, (str(generated) if generated else None), paths
