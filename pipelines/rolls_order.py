"""Whether a rolls snapshot may replace the roll in force: not when it is older, nor when it is cut.

The rolls are full snapshots, and the latest loaded is the roll (`rolls_held.latest_rolls_batch`).
A snapshot carries no date of its own (contract §3: the applicant table's shape), so how old it
is comes from its file: the date its name gives (`rolls_20261122.csv`, `名册2026-11-22.xlsx`), else
the day it was written. A rolls probe re-sent the 11-22 roll after the 11-23 one had been loaded:
it became the roll, a household the 11-23 roll had brought back left again, and nothing said
the file was older than the roll it replaced.

A truncated snapshot (`connectors` finds a file cut mid-row) is no roll either: the households
after the cut would leave the rolls. The same probe's cut roll took ten households, one agency's
whole roll, off the rolls until the whole file came back, and they then "returned".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import PurePosixPath

from pipelines.context import TZ
from warehouse.load import Delivery

_NAME_DATE = re.compile(r"(?<!\d)(20\d{2})(?:年(\d{1,2})月(\d{1,2})日?|[-_.](\d{1,2})[-_.](\d{1,2})|(\d{2})(\d{2}))(?!\d)")
"""A date in a file name: 20261122, 2026-11-22, 2026_11_5, 2026年11月5日 (a one-digit day too)."""


def snapshot_date(rel_path: str, mtime_ns: int | None, as_of: date) -> tuple[date, str] | None:
    """(date, how it was found) of a snapshot file: the latest date its name gives that is not after
    the pass date (a period 20261101-20261130 is as of its end; a typo'd 2027 or a batch number
    that reads as a date in the future is no date: an adversarial probe's roll named 20271125 blocked
    every later roll), else the China day it was written (not UTC's: a roll written at 06:00 was a
    day older than it was)."""
    found = []
    for m in _NAME_DATE.finditer(PurePosixPath(rel_path).name):
        y, *parts = m.groups()
        month, day = next((int(a), int(b)) for a, b in zip(parts[::2], parts[1::2]) if a is not None)
        try:
            found.append(date(int(y), month, day))
        except ValueError:
            continue
    named = [d for d in found if d <= as_of]
    if len(named) < len(found) and len(named) == 1 and len(found) == 2:
        return as_of, "its name (a period not yet ended)"   # 20261101-20261130 sent on the 26th: the newest roll
    if named:
        return max(named), "its name"
    if mtime_ns:   # (not after the pass date either: a pass run for an earlier date reads files written since)
        return min(datetime.fromtimestamp(mtime_ns / 1e9, TZ).date(), as_of), "when it was written"
    return None


def older_than_roll_in_force(con, d: Delivery, latest_batch: str | None, as_of: date) -> str | None:
    """The reason to refuse snapshot `d` when it is dated before the snapshot in force, else None."""
    if latest_batch is None:
        return None
    row = con.execute("SELECT path, mtime_ns FROM files WHERE batch_id = ? AND status = 'loaded' "
                      "ORDER BY seen_at DESC LIMIT 1", [latest_batch]).fetchall()
    if not row:
        return None
    mine, theirs = snapshot_date(d.rel_path, d.mtime_ns, as_of), snapshot_date(row[0][0], row[0][1], as_of)
    if mine is None or theirs is None or mine[0] >= theirs[0]:
        return None
    return (f"this rolls snapshot is dated {mine[0].isoformat()} (by {mine[1]}), before the roll in force, "
            f"{row[0][0]}, dated {theirs[0].isoformat()} (by {theirs[1]}): an older roll would undo the newer "
            "one (households it lacks would leave the rolls, changes since would be reverted), so it was not "
            "applied and the newer roll stays in force. If this is the right roll, send it again under a name "
            "with today's date")


TRUNCATED_ROLL = ("the rolls snapshot looks truncated ({how}): a roll is a full snapshot, and the households "
                  "after the cut would leave the rolls, so it was not applied and the previous snapshot stays "
                  "in force. Send the whole roll again (every household receiving aid, one row per member)")
EMPTY_ROLL = ("the rolls snapshot has a header row but no households: it was not applied, and the previous "
              "snapshot stays in force. Send the whole roll (every household receiving aid, one row per member) "
              "as one file")
