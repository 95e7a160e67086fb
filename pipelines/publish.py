"""Stage 4: write each request's reports to outbox/, and record what was verified.

Reports are written first (each file atomically), then the assessments, findings, audit rows
and the requests' answered mark are committed together: a pass killed between the two leaves
the request unanswered, so the next pass answers it again and rewrites the same reports.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import PurePosixPath

import pyarrow as pa

from pipelines.alerts import alert_rows, facts_rows
from pipelines.context import PassContext
from pipelines.documents import unpack_report
from pipelines.progress import emit
from reports.writer import file_stem_name, folder_name, report_stem, write_request
from review import review_rows, review_rows_for, write_review_sheet
from review.export import OPEN_FOLDER, open_rows, sheet_keys
from warehouse import transaction
from warehouse.testhooks import pause_point

SOURCES_CONSULTED = "tax,vehicle,property,social_insurance,bank"
PARALLEL_FROM = 1_000
"""Reports in a pass from which they are rendered and written by a pool of processes, one per
core: rendering is pure Python, one core at a time, and at 100,000 households writing the
reports is most of the pass. Below it, the pool's start-up (~1 s) would cost more than it saves."""
MAX_WRITERS = 4


def fingerprint(doc: dict) -> str:
    """A hash of what a caseworker would see change: figures, assets, findings, outcome."""
    keep = {k: doc[k] for k in ("outcome", "findings")}
    keep["income"] = {k: doc["income"].get(k) for k in ("monthly_total", "by_source", "months_covered")}
    keep["assets"] = {k: doc["assets"].get(k) for k in ("financial_total", "by_member")}
    keep["records"] = sorted((m["source"], m["record_id"], m["decision"]) for x in doc["members"] for m in x["matches"])
    return hashlib.sha256(json.dumps(keep, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:16]


def write_reports(ctx: PassContext) -> int:
    """Stage: write every document under outbox/<agency>/<request or nightly>/ and record it."""
    groups: dict = defaultdict(list)
    for i, note in enumerate(ctx.documents.notes()):
        if note.get("_write", True):  # a household on the rolls re-verified without a change: no report
            groups[note["_out_dir"]].append({**note, "_index": i})
    _separate_same_household(groups)
    written: dict = {}
    total = sum(len(docs) for docs in groups.values())
    waiting = _waiting(ctx)
    with _writers(total) as fan_out:
        for (agency, out_dir), notes in sorted(groups.items()):
            _write_folder(ctx, agency, out_dir, notes, fan_out, written, total, waiting.get((agency, out_dir), []))
    for (agency, request_id), households in sorted(waiting.items()):
        if (agency, request_id) not in groups:   # none answered: the folder lists them all as waiting (a
            # probe's request of two households, each with a refused row, had no folder at all)
            write_request(ctx.root / "outbox" / agency / folder_name(request_id), [], heads=[], waiting=households)
    _write_open_questions(ctx, {agency for agency, _ in groups})
    # where the reports went, for the pass summary and the serve log (which printed counts only)
    folders = [f"outbox/{agency}/{folder_name(out_dir)}/ ({len(notes)})" for (agency, out_dir), notes in sorted(groups.items())]
    if folders:
        ctx.messages.append("reports written to " + ", ".join(folders[:20])
                            + (f" and {len(folders) - 20} more folders" if len(folders) > 20 else ""))
    _record(ctx, written)
    return ctx.counts["reports_written"]


@contextmanager
def _writers(total: int) -> Iterator[Callable]:
    """The `map` reports are written through: a process pool's for a big pass (`PARALLEL_FROM`)."""
    workers = min(os.cpu_count() or 1, MAX_WRITERS)
    if total < PARALLEL_FROM or workers < 2:
        yield map
        return
    # spawn, not fork: the pass holds DuckDB's threads, which a forked child must never inherit.
    # An executor, not multiprocessing.Pool: a writer that dies (killed for memory) breaks the
    # executor and fails the pass, where Pool would wait for its lost task for ever.
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    except (OSError, NotImplementedError):  # no POSIX semaphores (a container without /dev/shm):
        yield map                            # one process writes them, as in a small pass
        return
    try:
        yield lambda fn, items: pool.map(fn, items, chunksize=8)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _write_folder(ctx: PassContext, agency: str, out_dir: str, notes: list[dict], fan_out: Callable,
                  written: dict, total: int, waiting: list[dict]) -> None:
    folder = ctx.root / "outbox" / agency / folder_name(out_dir)
    # documents travel as they are kept (compressed in a big pass) and are rebuilt where they
    # are written, one at a time: no process holds a whole folder (ten thousand households of
    # an agency's night) in memory
    packed = (ctx.documents.packed(n["_index"]) for n in notes)
    paths = write_request(folder, packed, heads=notes, load=unpack_report, fan_out=fan_out, waiting=waiting)
    by_household: dict = defaultdict(list)
    for path in paths:
        by_household[path.stem].append(path.relative_to(ctx.root).as_posix())
    for n in notes:
        written[(n["request_id"], n["household_id"])] = by_household[report_stem(n["household_id"])]
    ctx.counts["reports_written"] += len(notes)
    # a request's own folder keeps every open question of the request, whichever pass wrote its
    # households' reports: rewritten for the households of one pass, a probe's sheet lost three
    # questions still open (and vanished when the pass's households had none)
    if {n["request_id"] for n in notes} == {out_dir}:
        rows = review_rows(ctx.con, out_dir)
    else:
        rows = review_rows_for(ctx.con, [(n["request_id"], n["household_id"]) for n in notes])
    write_review_sheet(folder, rows, agency, folder_name(out_dir).replace("/", "-"))
    emit("reports", done=ctx.counts["reports_written"], total=total)
    pause_point("report")


def _waiting(ctx: PassContext) -> dict[tuple[str, str], list[dict]]:
    """(agency, request_id) → the request's households held back by a member row its file had
    rejected (`pipelines.row_errors.held_households`), each with where the rejection is explained: a
    request probe's folder said "共 2 户" of three, the third named only in `rejected/`, where an
    agency clerk reading the folder of the request does not look. Empty when the pass chose no work."""
    if not ctx.con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary "
                           "AND table_name = 'held_households'").fetchall()[0][0]:
        return {}
    out: dict = defaultdict(list)
    for agency, request_id, household, file in ctx.con.execute(
            "SELECT DISTINCT r.agency, h.request_id, h.household_id, h.file FROM held_households h JOIN requests r "
            "ON r.request_id = h.request_id AND r.origin = 'inbox' ORDER BY ALL").fetchall():
        note = f"rejected/{agency}/{file_stem_name(PurePosixPath(file).name)}.error.txt" if file else f"rejected/{agency}/"
        out[(agency, request_id)].append({"household_id": household, "note": note})
    return out


def _write_open_questions(ctx: PassContext, agencies: set[str]) -> None:
    """`outbox/<agency>/review-open/review.xlsx`: all the agency's open questions, rewritten by every
    pass that wrote its reports or took its answers.

    A folder's sheet holds the questions of the households written there in that pass; a
    question left open (无法确定, unanswered) or raised for a household without a new report
    had no sheet left to answer it on (a probe: three open questions, no sheet). This one has
    them all; answers to it are taken like any sheet's."""
    answered = {a for (a,) in ctx.con.execute(
        "SELECT DISTINCT agency FROM review_decision_log WHERE run_id = ?", [ctx.run_id]).fetchall()}
    # and by any pass that changed an agency's questions otherwise (a rolls snapshot renumbering a
    # household moved a question to member 2 while the sheet still said member 1, and answering it
    # was refused with advice to answer that same sheet): the keys on the sheet are compared
    open_now = {a for (a,) in ctx.con.execute(
        "SELECT DISTINCT m.agency FROM links l JOIN applicant_members m USING (request_id, household_id, member_no) "
        "WHERE l.decision = 'review'").fetchall()}
    outbox = ctx.root / "outbox"
    standing = {p.parent.parent.name for p in outbox.glob(f"*/{OPEN_FOLDER}/review.xlsx")}
    for agency in sorted(agencies | answered | open_now | standing):
        folder = outbox / agency / OPEN_FOLDER
        rows = open_rows(ctx.con, agency)
        if agency not in agencies | answered and sheet_keys(folder) == ({r["key"] for r in rows} or None):
            continue
        write_review_sheet(folder, rows, agency, OPEN_FOLDER)


def _separate_same_household(groups: dict) -> None:
    """A household on the rolls under two programmes has two requests but one household_id:
    in the night's folder the second one goes to a sub-folder named after its request, so
    neither report overwrites the other."""
    for (agency, out_dir), docs in list(groups.items()):
        seen: set = set()
        for doc in list(docs):
            if doc["household_id"] in seen:
                docs.remove(doc)
                groups.setdefault((agency, f"{out_dir}/{doc['request_id']}"), []).append(doc)
            seen.add(doc["household_id"])


def _consulted(doc: dict) -> str:
    """The sources a verification read: those with a delivery (`data_as_of`). A privacy probe's audit
    said `property` of households checked before any property file had loaded."""
    as_of = doc.get("data_as_of") or {}
    return ",".join(s for s in SOURCES_CONSULTED.split(",") if as_of.get(s))


def _record(ctx: PassContext, written: dict) -> None:
    hist, finds, audit = [], [], []
    # a household re-verified without a new report keeps pointing at the one it has (a month-of-life
    # probe's household_assessment read '' for every household on the rolls, their reports on disk)
    last_report = dict(((r, h), path) for r, h, path in ctx.con.execute(
        "SELECT request_id, household_id, arg_max(report_path, assessed_at) FROM assessment_history "
        "JOIN work_households USING (request_id, household_id) WHERE nullif(report_path, '') IS NOT NULL "
        "GROUP BY ALL").fetchall())
    ids = {(r, h, n): i for r, h, n, i in ctx.con.execute(   # the audit names whom it verified by their ID
        "SELECT request_id, household_id, member_no, id_number FROM work_members").fetchall()}
    for d in ctx.documents:
        key = (d["request_id"], d["household_id"])
        outputs = written.get(key, [])
        for f in d["findings"]:
            ctx.counts[f"findings_{f['severity']}"] += 1
        audit += [[ctx.run_id, d["request_id"], d["agency"], d["household_id"], m["member_no"],
                   m["id_number_masked"], m.get("consent_ref"), bool(m["consent"]),
                   _consulted(d) if m["consent"] else "", ",".join(outputs),
                   ids.get((*key, m["member_no"]))] for m in d["members"]]
        if not d.get("_record", True):  # same fingerprint as its standing assessment: nothing new to keep
            continue
        hist.append([ctx.run_id, d["request_id"], d["household_id"], d["agency"], d["program"], d["county_code"],
                     d["request_date"], sum(1 for m in d["members"] if m["is_member"]),
                     d["income"]["monthly_total"], d["income"]["monthly_per_capita"],
                     d["standards"]["income_standard"], d["assets"]["financial_total"],
                     d["assets"]["financial_per_capita"],
                     d["assets"]["vehicle_count"], d["assets"]["property_count"],
                     d["outcome"]] + [sum(1 for f in d["findings"] if f["severity"] == s) for s in ("fail", "warn", "info")]
                    + [outputs[0] if outputs else last_report.get(key), fingerprint(d)])
        finds += [[ctx.run_id, d["request_id"], d["household_id"], f["rule"], f["severity"], f["message"],
                   json.dumps(f["evidence"], ensure_ascii=False)] for f in d["findings"]]
    with transaction(ctx.con):
        _insert(ctx, "assessment_history", hist, now_last=True)
        _insert(ctx, "findings", finds)
        _insert(ctx, "audit", audit, now_first=True)
        _insert(ctx, "household_facts", facts_rows(ctx), now_last=True)
        _insert(ctx, "alerts", alert_rows(ctx, written), now_last=True)
        ctx.con.execute("UPDATE requests SET answered_run_id = ?, answered_at = now() "
                        "WHERE answered_run_id IS NULL AND origin = 'inbox' "
                        "AND request_id IN (SELECT request_id FROM work_households WHERE origin = 'inbox') "
                        "AND NOT list_contains(?, request_id)",
                        [ctx.run_id, sorted(ctx.failed_requests)])
        pause_point("record")


def _insert(ctx: PassContext, table: str, rows: list[list], *, now_first=False, now_last=False) -> None:
    """Bulk-insert positional rows through Arrow (executemany costs ~1 ms a row in DuckDB)."""
    if not rows:
        return
    cols = [r[0] for r in ctx.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()]
    given = cols[1:] if now_first else cols[:-1] if now_last else cols
    frame = pa.table({c: [r[i] for r in rows] for i, c in enumerate(given)})
    ctx.con.register("bulk_rows", frame)
    try:
        select = ", ".join(given)
        stamp = "now()"
        ctx.con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT "
                        + (f"{stamp}, {select}" if now_first else f"{select}, {stamp}" if now_last else select)
                        + " FROM bulk_rows")
    finally:
        ctx.con.unregister("bulk_rows")

