"""Answered review sheets dropped back into an agency's inbox: the pass's side of `review.intake`
(store the valid answers, list the rest for the agency, acknowledge every sheet)."""

from __future__ import annotations

from datetime import datetime

from pipelines.context import TZ, PassContext
from review import parse_review_sheet, store_decisions, write_error_report
from review.messages import sheet_outcome
from warehouse.load import Delivery, record_file


def ingest_review_sheet(ctx: PassContext, d: Delivery) -> str:
    """A caseworker's answered review sheet dropped back into the inbox (recognised by shape).

    Valid answers are stored even when other rows of the sheet are wrong; the wrong rows are
    listed for the agency in rejected/<agency>/<file>.error.txt.
    """
    saved = (datetime.fromtimestamp(d.mtime_ns / 1e9, TZ).replace(tzinfo=None) if d.mtime_ns else None)
    decisions, errors = parse_review_sheet(ctx.con, d.path, d.agency, d.file_hash, file_label=d.rel_path,
                                           saved_at=saved)
    stored = store_decisions(ctx.con, decisions, ctx.run_id) if decisions else 0
    status, message, problems = sheet_outcome(stored, errors)
    if problems:
        note = write_error_report(ctx.root / "rejected" / d.agency, d.path.name, errors, accepted=stored)
        message += f" (see {note.relative_to(ctx.root)})"
    # every sheet is acknowledged, not only those with problems (a review probe's clerks heard
    # nothing back about the sheets that were taken in whole)
    ctx.messages.append(f"{d.rel_path}: {message}")
    ctx.counts["review_answers"] += stored
    record_file(ctx.con, d, status, ctx.run_id, file_format=d.path.suffix.lower().lstrip(".") or None,
                rows_loaded=stored, rows_quarantined=problems, message=message)
    return status
