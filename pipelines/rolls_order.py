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
from datetime import date, datetime, timezone
from pathlib import PurePosixPath

from warehouse.load import Delivery

_NAME_DATE = re.compile(r"(?<!\d)(20\d{2})[-_.年]?(\d{2})[-_.月]?(\d{2})日?(?!\d)")


def snapshot_date(rel_path: str, mtime_ns: int | None) -> tuple[date, str] | None:
    """(date, how it was found) of a snapshot file: its name's date, else its modification day."""
    name = PurePosixPath(rel_path).name
    for y, m, d in _NAME_DATE.findall(name):
        try:
            return date(int(y), int(m), int(d)), "its name"
        except ValueError:
            continue
    if mtime_ns:
        return datetime.fromtimestamp(mtime_ns / 1e9, timezone.utc).date(), "when it was written"
    return None


def older_than_roll_in_force(con, d: Delivery, latest_batch: str | None) -> str | None:
    """The reason to refuse snapshot `d` when it is dated before the snapshot in force, else None."""
    if latest_batch is None:
        return None
    row = con.execute("SELECT path, mtime_ns FROM files WHERE batch_id = ? AND status = 'loaded' "
                      "ORDER BY seen_at DESC LIMIT 1", [latest_batch]).fetchall()
    if not row:
        return None
    mine, theirs = snapshot_date(d.rel_path, d.mtime_ns), snapshot_date(row[0][0], row[0][1])
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
