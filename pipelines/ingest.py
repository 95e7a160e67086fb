"""Stage 1: every new file under landing/ and inbox/ → connectors → quality gates → warehouse.

A file that cannot be read at all moves to rejected/<agency or source>/ with a note saying
why; a readable file loads its good rows and quarantines the rest, in one transaction.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

import connectors
from connectors.canonical import drop_rows
from connectors.csv_tail import CUT_SHORT_MARK
from connectors.schema import SOURCES
from expectations import evaluate, null_counts, settle_exact_copies, suite_for
from pipelines.context import PassContext
from pipelines.outputs import private_dir, write_atomic
from pipelines.quarantine_owners import quote_cut_rows, whose_rows
from pipelines.review_sheets import ingest_review_sheet
from pipelines.rolls_held import latest_rolls_batch
from pipelines.rolls_order import EMPTY_ROLL, TRUNCATED_ROLL, older_than_roll_in_force
from review import is_review_sheet
from pipelines.discover import discover
from pipelines.row_errors import request_taken_reason
from reports.masking import scrub_cell, scrub_text
from reports.writer import file_stem_name, short_name
from pipelines.gists import file_gist
from warehouse.load import Delivery, load_delivery, loaded_before, record_file

QUARANTINE_SCHEMA = pa.schema([("row_number", pa.int64()), ("field", pa.string()), ("reason", pa.string()),
                               ("raw_value", pa.string()), ("raw_row", pa.string())])


def reject_file(ctx: PassContext, d: Delivery, reason: str) -> Path:
    """Move an unreadable file to rejected/<agency or source>/ with <file>.error.txt beside it."""
    folder = private_dir(ctx.root / "rejected" / (d.agency or d.source))  # the notes quote file contents
    target = folder / short_name(d.path.name, 200)
    if target.exists():
        target = folder / short_name(f"{d.path.stem}.{d.file_hash[:8]}{d.path.suffix}", 200)
    note = target.with_name(file_stem_name(target.name) + ".error.txt")
    # the reason may quote the file's cells (a header row that is really data)
    gist = file_gist(reason)
    write_atomic(note, (f"文件未能读取 / file rejected: {scrub_text(str(d.rel_path))}\n\n"
                        + (f"原因：{gist}\n" if gist else "") + f"{scrub_text(reason)}\n\n"
                        "请更正后重新发送（以新文件名放入原目录）。Fix the file and deliver it again.\n").encode("utf-8"))
    os.replace(d.path, target)
    os.chmod(target, 0o600)  # a department's rows: as private here as in the warehouse
    return target


def _refuse(ctx: PassContext, d: Delivery, reason: str) -> str:
    """Reject a delivery as a whole: moved to rejected/ with its note, logged in `files` and the pass
    summary; returns the status."""
    moved = reject_file(ctx, d, reason)
    record_file(ctx.con, d, "rejected", ctx.run_id, message=f"{reason} (moved to {moved.relative_to(ctx.root)})")
    ctx.messages.append(f"rejected {d.rel_path}: {reason}")
    return "rejected"


def _expectation_quarantine(rows: pa.Table, failures: pa.Table, headers: dict[str, str] | None = None) -> pa.Table:
    """Failures of the quality gates, each with its whole row as JSON for the clerk: the cells
    as received (`rows` is the file as read), like a row that failed to parse.

    `headers` (field -> the file's header for it): the failing value is shown as the file has
    it, not as parsed (a probe's month 2025年8月, refused as after the pass date, was quoted back
    as 2025-08-01: the clerk looks for what the file says)."""
    if failures.num_rows == 0:
        return QUARANTINE_SCHEMA.empty_table()
    # the failing rows only: found in, and joined against, the whole file they took 0.15 s of a
    # 1,000,000-row export's ingest for its 1,331 failures (bench/ingest.py)
    rows = rows.filter(pc.is_in(rows.column("row_number"), value_set=pc.unique(failures.column("row_number"))))
    if headers:
        failures = _as_received(rows, failures, headers)
    con = duckdb.connect()
    try:
        con.register("r", rows)
        con.register("f", failures)
        out = con.sql(
            "SELECT f.row_number, f.field, f.reason, f.raw_value, to_json(r)::VARCHAR AS raw_row "
            "FROM f JOIN r USING (row_number) ORDER BY f.row_number, f.field").to_arrow_table()
    finally:
        con.close()
    return out.cast(QUARANTINE_SCHEMA)


def _as_received(rows: pa.Table, failures: pa.Table, headers: dict[str, str]) -> pa.Table:
    """`failures` with each raw_value replaced by the cell of its field as the file has it."""
    raw_value = failures.column("raw_value")
    at = pc.index_in(failures.column("row_number"), value_set=rows.column("row_number"))
    for field_name in set(failures.column("field").to_pylist()):
        header = headers.get(field_name)
        if header is None or header not in rows.column_names:
            continue
        cells = pc.take(rows.column(header), at).cast(pa.string())
        raw_value = pc.if_else(pc.equal(failures.column("field"), field_name), cells, raw_value)
    return failures.set_column(failures.schema.get_field_index("raw_value"), "raw_value", raw_value)


_NO_FAILURES = pa.schema([("row_number", pa.int64()), ("field", pa.string()), ("reason", pa.string()),
                          ("raw_value", pa.string())]).empty_table()


def _birth_date_the_id_gives(rows: pa.Table, failures: pa.Table) -> pa.Table:
    """The failures, less an implausible declared birth date on a row whose ID is valid: the ID says
    when the member was born (the assessment reads it; a declared date it contradicts is
    `declared.birth_date`), so the row is no reason to hold the household back. An independent
    probe's supporter declared 2090-08-05 beside a valid ID and two 特困 requests went unanswered.
    Without a valid ID the declared date is all there is, and the row is refused as before."""
    if not failures.num_rows or "id_status" not in rows.column_names:
        return failures
    valid = rows.filter(pc.is_in(rows.column("id_status"), value_set=pa.array(["valid", "repaired"])))
    moot = pc.and_(pc.equal(failures.column("field"), "birth_date"),
                   pc.is_in(failures.column("row_number"), value_set=valid.column("row_number")))
    return failures.filter(pc.invert(pc.fill_null(moot, False)))


def _scope_failures(rows: pa.Table, agency: str) -> pa.Table:
    """A request dropped in inbox/A/ may only speak for agency A (gate-shaped: the caller adds
    the whole row, so the clerk's note names its request, household and member like any other)."""
    if "agency" not in rows.column_names or rows.num_rows == 0:
        return _NO_FAILURES
    bad = [i for i, a in enumerate(rows.column("agency").to_pylist()) if a not in (None, agency)]
    if not bad:
        return _NO_FAILURES
    sub = rows.take(bad)
    return pa.table({
        "row_number": sub.column("row_number").cast(pa.int64()),
        "field": ["agency"] * len(bad),
        "reason": [f"agency '{a}' does not match the inbox folder '{agency}': a request may only be "
                   f"filed by the agency whose folder it is dropped in" for a in sub.column("agency").to_pylist()],
        "raw_value": sub.column("agency").cast(pa.string()),
    }, schema=_NO_FAILURES.schema)


_REQUEST_OWNERS = """
WITH owners AS (
    SELECT request_id,
           arg_min(agency, {'at': received_at, 'batch': batch_id}) FILTER (WHERE origin = 'inbox') AS inbox_owner,
           arg_max(agency, {'at': received_at, 'batch': batch_id}) FILTER (WHERE origin = 'rolls') AS rolls_owner
    FROM requests WHERE request_id IN (SELECT request_id FROM owned_rows) GROUP BY request_id
)"""


def _taken_request_ids(con, rows: pa.Table, d: Delivery) -> pa.Table:
    """Rows filed under a request_id that another agency already holds (row_number, field, reason,
    raw_value), for the caller to quarantine.

    Requests, links and assessments are keyed by request_id alone, so another agency's rows under
    an id already taken merged into the owner's request: its members replaced, its households
    re-answered, the owner's people in the other agency's report. An id is the first filer's: for
    an inbox file, whoever filed it first (an inbox request, else the rolls); for a rolls row, an
    inbox request of another agency, else, when one snapshot gives an id to several agencies, the
    agency the rolls gave it before (a household moving agency on the rolls keeps its id), else
    the agency of its first row.
    """
    if rows.num_rows == 0 or "request_id" not in rows.column_names or "agency" not in rows.column_names:
        return pa.table({"row_number": pa.array([], pa.int64())})
    con.register("owned_rows", rows.select(["row_number", "request_id", "agency"]))
    try:
        if d.source == "applicants":
            found = con.execute(_REQUEST_OWNERS + """
SELECT r.row_number, r.request_id, coalesce(o.inbox_owner, o.rolls_owner) AS owner, NULL::BIGINT AS owner_row
FROM owned_rows r JOIN owners o USING (request_id)
WHERE coalesce(o.inbox_owner, o.rolls_owner) <> ?
ORDER BY r.row_number""", [d.agency]).fetchall()
        else:
            found = con.execute(_REQUEST_OWNERS + """, inbox_taken AS (
    SELECT r.row_number, r.request_id, o.inbox_owner AS owner, NULL::BIGINT AS owner_row
    FROM owned_rows r JOIN owners o USING (request_id) WHERE r.agency <> o.inbox_owner
), rest AS (
    SELECT r.*, o.rolls_owner FROM owned_rows r LEFT JOIN owners o USING (request_id)
    WHERE r.request_id IS NOT NULL AND r.agency IS NOT NULL
      AND r.row_number NOT IN (SELECT row_number FROM inbox_taken)
), keeper AS (
    SELECT request_id, CASE WHEN bool_or(agency = rolls_owner) THEN any_value(rolls_owner)
                            ELSE arg_min(agency, row_number) END AS owner
    FROM rest GROUP BY request_id HAVING count(DISTINCT agency) > 1
)
SELECT * FROM inbox_taken
UNION ALL
SELECT r.row_number, r.request_id, k.owner,
       (SELECT min(o.row_number) FROM rest o WHERE o.request_id = r.request_id AND o.agency = k.owner)
FROM rest r JOIN keeper k USING (request_id) WHERE r.agency <> k.owner
ORDER BY 1""").fetchall()
    finally:
        con.unregister("owned_rows")
    return pa.table({
        "row_number": pa.array([n for n, _, _, _ in found], pa.int64()),
        "field": pa.array(["request_id"] * len(found), pa.string()),
        "reason": pa.array([request_taken_reason(rid, owner, f" on data row {row} of this file" if row else "")
                            for _, rid, owner, row in found], pa.string()),
        "raw_value": pa.array([rid for _, rid, _, _ in found], pa.string()),
    })


def _rolls_again(con, d: Delivery) -> str | None:
    """The batch suffix under which a rolls snapshot whose bytes were loaded before loads again, or
    None when those bytes are already the latest snapshot. The rolls are the latest snapshot: a
    roll corrected back to how it was a month ago is byte for byte that earlier file, and skipped
    as "already loaded" it left a probe's household without its wage earner, passing."""
    latest = con.execute("SELECT batch_id FROM applicant_rows WHERE origin = 'rolls' GROUP BY batch_id "
                         "ORDER BY max(loaded_at) DESC, batch_id DESC LIMIT 1").fetchall()
    loads = con.execute("SELECT batch_id, path FROM files WHERE file_hash = ? AND status = 'loaded'",
                        [d.file_hash]).fetchall()
    mine = {b for b, _ in loads}
    if not latest or latest[0][0] in mine or any(path == d.rel_path for _, path in loads):
        return None      # the latest already, or the same file still lying in landing/
    return f"-r{len(mine)}"


def _loads(con, d: Delivery) -> list[tuple]:
    """(agency, rows loaded) of every load of `d`'s bytes."""
    return con.execute("SELECT agency, rows_loaded FROM files WHERE file_hash = ? AND status = 'loaded'",
                       [d.file_hash]).fetchall()


def _answered_nothing(con, d: Delivery) -> bool:
    """Whether every earlier load of these bytes loaded no row (all refused)."""
    return all(not rows for _, rows in _loads(con, d))


def ingest_delivery(ctx: PassContext, d: Delivery) -> str:
    """Load one delivery; returns its status (loaded, skipped, rejected)."""
    previous = loaded_before(ctx.con, d.file_hash)
    if previous and d.source == "applicants" and previous[0] != d.agency and _answered_nothing(ctx.con, d):
        # every row refused where it was first dropped (another agency's folder, its own agency named
        # in the file): moved to the right folder, it is a request never answered (an inbox probe's
        # clerk was told it had been answered there, and to change its request_id)
        d, previous = replace(d, batch_suffix=f"-{len(_loads(ctx.con, d))}"), None
    if previous and d.source == "applicants" and previous[0] != d.agency:
        # one request, one agency: skipped, the copy would go unanswered with no word to its sender
        reason = (f"the same bytes were already delivered by agency {previous[0]!r} as {previous[1]} and answered "
                  f"there; a request belongs to one agency. If this is a request of {d.agency!r}, send it as its "
                  "own file with its own request_id")
        return _refuse(ctx, d, reason)
    again = _rolls_again(ctx.con, d) if previous and d.source == "rolls" else None
    if previous and again is None:
        said = f"the same bytes were already loaded as {previous[1]}"   # where its answer is (an ops probe)
        record_file(ctx.con, d, "skipped", ctx.run_id, message=said)
        if d.source == "applicants" and previous[1] != d.rel_path:
            ctx.messages.append(f"{d.rel_path}: {said}; its requests were answered from that file")
        return "skipped"
    if again is not None:
        d = replace(d, batch_suffix=again)
        ctx.messages.append(f"{d.rel_path}: the same bytes as {previous[1]}, loaded before a later snapshot: "
                            "it is the roll again")
    if d.source == "applicants" and is_review_sheet(d.path):
        return ingest_review_sheet(ctx, d)
    if d.source == "rolls" and (older := older_than_roll_in_force(ctx.con, d, latest_rolls_batch(ctx.con), ctx.as_of)):
        return _refuse(ctx, d, older)
    try:
        canon = connectors.read_source(d.source, d.path, agency_default=d.agency)
    except connectors.FileRejected as exc:
        return _refuse(ctx, d, exc.reason)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - one file the readers fail on must not stop every agency's pass
        # (an ingestion probe's Parquet of string_view columns crashed every pass, the file never set aside)
        return _refuse(ctx, d, f"the file could not be read: the reader failed on it ({type(exc).__name__}: "
                               f"{str(exc)[:300]}). It was set aside so that the other files load; export it "
                               "again in another accepted format (CSV, XLSX, JSON Lines), or send this note to "
                               "the system administrator")
    rows = canon.rows
    if d.source == "applicants" and rows.num_rows == 0 and canon.errors.num_rows == 0:
        # a request of no household asks nothing: said back, as an empty file is (an inbox probe's
        # header-only file loaded 0 rows and its office heard nothing)
        return _refuse(ctx, d, "the file has a header row but no data rows: no household was asked about. Send "
                               "the request again with one row per member under the header")
    if d.source == "rolls" and rows.num_rows == 0 and canon.errors.num_rows == 0:
        # a snapshot of no household: loaded and then ignored, with no word (a degenerate-data probe)
        return _refuse(ctx, d, EMPTY_ROLL)
    if d.source == "rolls" and (cut := getattr(canon.raw, "truncated", None)) and CUT_SHORT_MARK not in cut:
        # (not a last value only shorter than those above it, a guess: its household is held, as a bad row's)
        return _refuse(ctx, d, TRUNCATED_ROLL.format(how=cut))
    table = "applicants" if d.source == "applicants" else d.source
    suite = suite_for(table, ctx.as_of)
    gate = settle_exact_copies(rows, evaluate(rows, suite))
    if table in ("applicants", "rolls"):
        gate = settle_exact_copies(rows, gate, key=("request_id", "household_id", "member_no"))
        gate = _birth_date_the_id_gives(rows, gate)
    ctx.quality.append({"table": table, "suite": suite, "rows_count": rows.num_rows, "failures": gate,
                        "label": d.rel_path, "source": d.agency or d.source, "batch_id": d.batch_id,
                        "null_counts": null_counts(rows, suite)})
    failures = _expectation_quarantine(canon.raw.table, gate, {name: header for header, name in canon.mapping.items()})
    if d.source == "applicants":
        failures = pa.concat_tables([failures, _expectation_quarantine(canon.raw.table, _scope_failures(rows, d.agency))])
    if d.source in ("applicants", "rolls"):
        taken = _taken_request_ids(ctx.con, rows, d)
        if taken.num_rows:
            failures = pa.concat_tables([failures, _expectation_quarantine(canon.raw.table, taken)])
    if failures.num_rows:
        bad = pa.array(sorted(set(failures.column("row_number").to_pylist())), pa.int64())
        rows = drop_rows(rows, pc.indices_nonzero(pc.is_in(rows.column("row_number"), value_set=bad)))
    errors = canon.errors.select(list(QUARANTINE_SCHEMA.names)).cast(QUARANTINE_SCHEMA)
    quarantine = quote_cut_rows(pa.concat_tables([errors, failures]), canon)
    if d.source in SOURCES and quarantine.num_rows:
        quarantine = whose_rows(quarantine, canon)
    truncated = getattr(canon.raw, "truncated", None)
    note = None
    if truncated:
        note = (f"the file looks truncated ({truncated}): its complete rows were loaded and the broken "
                "last row quarantined; ask the sender for the whole file")
        ctx.messages.append(f"{d.rel_path}: {note}")
    raw, said = canon.raw, [note]
    if getattr(raw, "sheet", None) and raw.sheet in getattr(raw, "hidden_sheets", ()):
        # its row notes must say where the rows are: a messages probe's clerk saw only the visible 说明 sheet
        said.append(f"the rows were read from the workbook's first sheet, {raw.sheet!r}, which Excel hides "
                    "(数据所在的第一个工作表被隐藏): unhide it to see them")
    if getattr(raw, "header_row", 0) > 1 and raw.format in ("csv", "xlsx", "xls"):
        # a title above the header: the notes count data rows, Excel its own (a probe's 第2行 was Excel's 5)
        k = raw.header_row
        said.append(f"表头在第{k}行，数据第N行即{'Excel' if raw.format != 'csv' else '文件'}第N+{k}行 / the header is on "
                    f"row {k}: data row N is row N+{k} of the {'sheet' if raw.format != 'csv' else 'file'}")
    note = "; ".join(x for x in said if x) or None
    outcome = load_delivery(ctx.con, d, rows, quarantine, ctx.run_id,
                            file_format=getattr(canon, "format", None), encoding=getattr(canon, "encoding", None),
                            message=note)
    ctx.counts["rows_loaded"] += outcome.rows_loaded
    ctx.counts["rows_quarantined"] += outcome.rows_quarantined
    return "loaded"


def _owner_only(tree: Path) -> None:
    """GX writes its site with the process umask; the pages quote quarantined values."""
    for p in tree.rglob("*"):
        os.chmod(p, 0o700 if p.is_dir() else 0o600)


QUALITY_SITES_KEPT = 100
"""Data Docs sites kept under quality/ (newest first). Each is ~5 MB and every pass that loads
a file builds one — with `serve`, every inbox drop — so without a bound the folder grows by
hundreds of MB a day. What failed stays in `quarantine` and `files` for good; the sites are
for browsing the recent ones."""


def prune_quality_sites(folder: Path, keep: int = QUALITY_SITES_KEPT) -> list[Path]:
    """Delete all but the `keep` newest run folders of `folder` (run ids start with their time)."""
    import shutil

    sites = sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
                   key=lambda p: p.name, reverse=True)
    for old in sites[keep:]:
        shutil.rmtree(old)
    return sites[keep:]


def _for_stewards(failures: pa.Table) -> pa.Table:
    """Gate failures as Data Docs may quote them: an ID in a column where it does not belong (a
    shifted county code, an area read as the float 1.4010519720101034e+17) masked like everywhere
    else a person reads (a privacy probe found them in full in the "e.g." lists)."""
    if failures.num_rows == 0 or "raw_value" not in failures.column_names:
        return failures
    masked = pa.array([scrub_cell(v) for v in failures.column("raw_value").to_pylist()], pa.string())
    return failures.set_column(failures.column_names.index("raw_value"), "raw_value", masked)


def publish_quality_docs(ctx: PassContext) -> Path | None:
    """Render this pass's gate results as GX Data Docs under quality/<run_id>/.

    Built once per pass, after loading, so the GX import (2–4 s) is paid only when files were
    loaded. Data Docs are a report for data stewards: if rendering fails, the pass still
    completes and says so.
    """
    if not ctx.quality:
        return None
    from expectations import build_data_docs, to_validation_result

    try:
        results = [to_validation_result(q["table"], q["suite"], q["rows_count"], _for_stewards(q["failures"]),
                                        scrub_text(q["label"]),
                                        source=q["source"], batch_id=q["batch_id"], run_id=ctx.run_id,
                                        null_counts=q["null_counts"]) for q in ctx.quality]
        site = private_dir(ctx.root / "quality" / ctx.run_id)
        index = build_data_docs(site, results)
        _owner_only(site)
        prune_quality_sites(ctx.root / "quality")
    except Exception as exc:  # noqa: BLE001 - a broken report must not undo the loads
        ctx.messages.append(f"quality report (Data Docs) not built: {type(exc).__name__}: {exc}")
        return None
    ctx.messages.append(f"quality report: {index.relative_to(ctx.root)}")
    return index


def ingest(ctx: PassContext, *, landing: bool = True, inbox: bool = True) -> dict:
    """Stage: load every new delivery. Returns counts by status."""
    seen = set(ctx.con.execute("SELECT DISTINCT path, size_bytes, mtime_ns FROM files "
                               "WHERE mtime_ns IS NOT NULL").fetchall())
    deliveries, warnings = discover(ctx.root, landing=landing, inbox=inbox, seen=seen)
    ctx.messages += warnings
    for d in deliveries:
        ctx.counts[f"files_{ingest_delivery(ctx, d)}"] += 1
    publish_quality_docs(ctx)
    return {k: ctx.counts[k] for k in ("files_loaded", "files_skipped", "files_rejected",
                                       "rows_loaded", "rows_quarantined")}
