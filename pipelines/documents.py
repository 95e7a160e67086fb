"""The pass's household report documents, between `assess` and the final commit.

A document is ~135 KB of Python objects (its evidence rows, figures, findings); a first pass
over the rolls holds one per household from `assess` until the commit, so a 50,000-household
pass peaked at 12.2 GiB (`bench/scale.py`). Above `COMPACT_ABOVE` documents each is kept
pickled and zlib-compressed (~3 KB) and rebuilt when a stage reads it (~1 ms); below it they
stay plain dicts, so a drop or a nightly pays nothing.

Beside each document a small *note* holds what the stages read without the whole document —
its keys, agency, programme, county, output folder — and what they add to it (`annotate`:
`detect_changes` marks whether to write it, its facts and alerts, and the `changes` the report
shows). A loaded document carries its annotations.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator

COMPACT_ABOVE = 5000
NOTE_KEYS = ("request_id", "household_id", "agency", "program", "county_code", "request_date", "_out_dir")


class Documents:
    """An append-only list of report documents, compact when there are many (see the module)."""

    def __init__(self, expected: int = 0, *, compact: bool | None = None):
        self.compact = expected > COMPACT_ABOVE if compact is None else compact
        self._docs: list = []
        self._notes: list[dict] = []

    def append(self, doc: dict) -> None:
        self._notes.append({k: doc.get(k) for k in NOTE_KEYS})
        self._docs.append(zlib.compress(pickle.dumps(doc, protocol=5), 1) if self.compact else doc)

    def __len__(self) -> int:
        return len(self._docs)

    def note(self, i: int) -> dict:
        """The document's keys and annotations, without loading it."""
        return self._notes[i]

    def notes(self) -> list[dict]:
        return self._notes

    def annotate(self, i: int, **fields) -> None:
        """Add fields to document `i` (kept with its note; merged into it when loaded)."""
        self._notes[i].update(fields)
        if not self.compact:
            self._docs[i].update(fields)

    def load(self, i: int) -> dict:
        return rebuild(self.packed(i))

    def packed(self, i: int) -> tuple[object, dict]:
        """Document `i` as it is kept (compressed, or the dict) and its annotations: what
        another process needs to rebuild it (`unpack_report`), at a fraction of its size."""
        return self._docs[i], {k: v for k, v in self._notes[i].items() if k not in NOTE_KEYS}

    def __iter__(self) -> Iterator[dict]:
        for i in range(len(self._docs)):
            yield self.load(i)


def rebuild(packed: tuple[object, dict]) -> dict:
    """The document of a `Documents.packed` pair, with its annotations (a plain one has them)."""
    kept, annotations = packed
    if not isinstance(kept, bytes):
        return kept
    doc = pickle.loads(zlib.decompress(kept))
    doc.update(annotations)
    return doc


def unpack_report(packed: tuple[object, dict]) -> dict:
    """The report of a `Documents.packed` document: rebuilt, without the pass's private `_` keys."""
    return {k: v for k, v in rebuild(packed).items() if not k.startswith("_")}
