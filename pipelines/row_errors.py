"""Row-level error reports: the rows of a loaded file that were quarantined, for whoever sent it.

A readable file loads its good rows and quarantines the rest (`quarantine` table). An agency
whose request file had bad rows must hear which rows, which fields and why, even though the
good rows are answered in `outbox/<agency>/<request_id>/` as usual. So after loading, for every
file loaded in this pass with quarantined rows, this stage writes into
`rejected/<agency or source>/` (where an unreadable file goes with its `.error.txt`):

- `<file>.error.txt` — for the clerk: what happened, then one line per problem:
  data row (a department's: and its record_id), request / household / member, field, reason,
  the value (ID numbers masked);
- `<file>.errors.csv` — the same lines for a spreadsheet (UTF-8 with BOM, formulas escaped).

A department identifies its rows by `record_id` (记录编号), not by our row count: for a source
file each line also gives the row's record_id as the row wrote it, right after the data row
(empty when the record_id itself is what is missing). Applicant and rolls rows have none.

The file itself stays where it was (its good rows are loaded; the same bytes never load twice):
the agency corrects the listed rows and sends them as a new file. Department exports with
quarantined rows get the same two files under `rejected/<source>/`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa

from connectors.cells import render_cell
from connectors.headers import fields_of_row, header_of
from connectors.schema import SOURCES, TABLES
from connectors.values.names import MIN_ID_DIGITS
from pipelines.context import PassContext
from pipelines.gists import CUT_MARK, TAKEN_MARK, row_gist as _gist
from pipelines.outputs import private_dir
from reports.masking import escape_formula, mask_id, scrub_text
from reports.writer import file_stem_name, folder_name, write_atomic
from warehouse.sql import fetch_grouped

FIELDS = ("row_number", "request_id", "household_id", "member_no", "name", "field", "reason", "value")
SOURCE_FIELDS = ("row_number", "record_id") + FIELDS[1:]
"""The columns of a department's notes: its rows are known by their record_id."""
ID_FIELDS = ("id_number",)


MEMBER_FIELDS = ("request_id", "household_id", "member_no", "name", "id_number", "agency")




def request_taken_reason(request_id: str, owner: str, where: str = "") -> str:
    """The quarantine reason for a row filed under another agency's request_id."""
    return (f"request_id {request_id!r} {TAKEN_MARK} {owner!r}{where}; request ids are shared by all agencies: "
            "give this request an id of its own")


def _taken(line: dict) -> bool:
    return line["field"] == "request_id" and TAKEN_MARK in (line["reason"] or "")


def rejected_members(con, source: str) -> pa.Table:
    """The quarantined rows of an applicant table (`applicants` or `rolls`), one per row: batch_id,
    the agency whose folder the file came in (`filer`, None for rolls) and the member fields as the
    row wrote them, read through its file's own headers."""
    # a line that is no record (a 合计 or 经办人 line, a repeated header, an exact copy) holds nobody
    # back: an export probe's request answered its last household and said it was waiting for it
    no_action = " AND ".join("position(? IN reason) = 0" for _ in NO_ACTION)
    rows = [(batch, filer, _quoted_fields(source, raw)) for batch, filer, raw in con.execute(
        f"SELECT batch_id, agency, raw_row FROM quarantine WHERE source = ? AND {no_action}",
        [source, *NO_ACTION]).fetchall()]
    columns = {"batch_id": pa.array([b for b, _, _ in rows], pa.string()),
               "filer": pa.array([f for _, f, _ in rows], pa.string())}
    columns.update({f: pa.array([_text(q.get(f)) for _, _, q in rows], pa.string()) for f in MEMBER_FIELDS})
    return pa.table(columns)


def held_households(con) -> list[tuple[str, str]]:
    """Create `held_households`: requested households of unanswered requests with a member row that
    was rejected and not since corrected, and the file that row came in; returns them (request_id,
    household_id).

    Verifying such a household without the member would understate its size and perhaps its
    income or assets, so it is not answered until the corrected row arrives (a later file with
    that member of that household and request; the request is then answered again). The
    rejected rows are quoted with their file's own headers (申请编号 …), so they are mapped to
    fields here as the file was: read by field name alone, a request with Chinese headers was
    answered without its rejected member.
    """
    con.register("held_rejected_src", rejected_members(con, "applicants"))
    try:
        # A rejected row is corrected by a loaded row of its member: the same member number or,
        # when the number itself was what was wrong (成员序号 `abc`), the same ID or name (a
        # probe's household waited forever for a member `abc`): the name of a row with an ID only
        # in a later file, the ID perhaps corrected too (an operations probe's `二` with a mistyped
        # ID waited forever), while in the rejected row's own file a namesake member is another
        # person. Only the filing agency's own rows
        # hold its request: another agency's rows under the same request_id (quarantined, the id
        # is taken) held the owner's household for a member it never had.
        return con.execute("""
CREATE OR REPLACE TEMP TABLE held_households AS
SELECT q.request_id, q.household_id, min(f.path) AS file FROM held_rejected_src q
JOIN (SELECT DISTINCT request_id, agency AS filer FROM requests
      WHERE origin = 'inbox' AND answered_run_id IS NULL) USING (request_id, filer)
LEFT JOIN (SELECT DISTINCT batch_id, path FROM files WHERE status = 'loaded') f ON f.batch_id = q.batch_id
WHERE q.household_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM applicant_members m
    WHERE m.origin = 'inbox' AND m.request_id = q.request_id AND m.household_id = q.household_id
      AND (CAST(m.member_no AS VARCHAR) = q.member_no
           OR (NOT regexp_full_match(coalesce(q.member_no, ''), '[0-9]+')
               AND (m.id_raw = q.id_number
                    OR ((m.name = q.name OR m.name_raw = q.name)
                        AND (q.id_number IS NULL OR m.batch_id IS DISTINCT FROM q.batch_id))))))
GROUP BY q.request_id, q.household_id;
SELECT request_id, household_id FROM held_households ORDER BY ALL""").fetchall()
    finally:
        con.unregister("held_rejected_src")


QUOTE_LIMIT = 200
"""Characters of a cell quoted in a note: an operations probe's 100,000-character name made a
300 KB error note (and as long a console line) for one row."""


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= QUOTE_LIMIT:
        return text
    return f"{text[:QUOTE_LIMIT]}…（共{len(text)}字 / {len(text)} characters）"


def _text(value) -> str | None:
    """A quoted cell as the text it was (numbers from JSON or a spreadsheet rendered as the readers do)."""
    text = render_cell(value)
    return _cut(text.strip() or None) if text is not None else None


def _value(field: str | None, raw: str | None) -> str:
    if raw is None:
        return ""
    if field in ID_FIELDS:
        return mask_id(_cut(raw))
    return _name_text(_cut(raw)) if field == "name" else scrub_text(_cut(raw))


def _name_text(text: str | None) -> str | None:
    """A name cell for the notes: an ID typed with spaces or hyphens (`140105 19850101 1117`)
    escapes `scrub_text`, and a name never holds that many digits (`normalise_name`)."""
    if not text:
        return text
    text = scrub_text(text)
    return mask_id(text) if sum(c.isdigit() for c in text) >= MIN_ID_DIGITS else text


def _quoted_row(raw_row: str | None) -> dict:
    """A quarantined row as quoted: its file's own headers -> cells."""
    try:
        raw = json.loads(raw_row) if raw_row else {}
    except (TypeError, ValueError):
        raw = {}
    return raw if isinstance(raw, dict) else {}


def _quoted_fields(source: str, raw_row: str | None) -> dict:
    """A quarantined row's cells by field name (the row is quoted with its file's own headers)."""
    return fields_of_row(TABLES[source], _quoted_row(raw_row)) if source in TABLES else {}


def _field_label(source: str, raw: dict, field: str | None) -> str | None:
    """The field as the clerk's file named it, the canonical name beside it: 申报月收入（declared_monthly_income）;
    each of a compound key's (request_id,household_id,member_no)."""
    if not field or source not in TABLES:
        return field
    if "," in field:
        return "、".join(_field_label(source, raw, f) or f for f in field.split(","))
    header = header_of(TABLES[source], raw, field)
    return f"{header}（{field}）" if header and header != field else field


def _free(raw) -> str | None:
    """A cell quoted from the sender's row: whatever column it sat in, it may hold an ID."""
    text = _text(raw)
    return scrub_text(text) if text else text


def _lines(rows: list[dict], source: str) -> list[dict]:
    out = []
    for r in rows:
        quoted = _quoted_row(r["raw_row"])
        raw = fields_of_row(TABLES[source], quoted) if source in TABLES else {}
        out.append({"row_number": r["row_number"], "record_id": _free(raw.get("record_id")),
                    "request_id": _free(raw.get("request_id")),
                    "household_id": _free(raw.get("household_id")), "member_no": _free(raw.get("member_no")),
                    "name": _name_text(_text(raw.get("name"))), "field": _free(r["field"]),
                    "field_label": _free(_field_label(source, quoted, r["field"])),
                    "reason": scrub_text(r["reason"] or ""), "value": _value(r["field"], r["raw_value"])})
        gist = _gist(out[-1]["reason"])   # the reason as both notes say it: led by its Chinese gist
        out[-1]["explained"] = f"{gist} — {out[-1]['reason']}" if gist else out[-1]["reason"]
    return out


def _target(folder: Path, name: str, file_hash: str, text: str) -> Path:
    """`<name>.error.txt` beside the others, unless an earlier file of that name already has one
    (another note: the same note, written by a pass killed before it could record it, is rewritten
    in place; an operations probe found two notes for one file after a kill)."""
    note = folder / f"{name}.error.txt"
    if note.exists() and note.read_bytes() != text.encode("utf-8"):
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem}.{file_hash[:8]}.{suffix}" if dot else f"{name}.{file_hash[:8]}"
        note = folder / f"{name}.error.txt"
    return note


ROLLS_ADVICE = ("名册为全量快照：请在下一版完整名册中更正这些行（不要只发送更正的行：最新一版名册即全部名册）；"
                "在此之前，这些家庭沿用上一版名册信息核对。"
                "The rolls are full snapshots: correct these rows in the next complete snapshot (do not send the "
                "corrected rows alone: the latest snapshot is the whole roll); until then these households are "
                "verified as they were on the previous snapshot.")


NO_ACTION = ("nothing needs resending", "exact copy of data row")
"""Reasons of rows that were not records to load (a totals or footer line, a repeated header, an
exact copy of a row that did load): listed, but there is nothing to correct or resend."""


def _no_action(line: dict) -> bool:
    return any(mark in (line["reason"] or "") for mark in NO_ACTION)


def _texts(path: str, lines: list[dict], loaded: int, requests: list[str], agency: str | None,
           source: str | None = None, message: str | None = None) -> tuple[str, bytes]:
    rolls = source == "rolls"
    rows = len({x["row_number"] for x in lines})
    # a probe: a totals line and a repeated header were "rows rejected: correct these rows and
    # send them again", then each said nothing needed resending
    idle = len({x["row_number"] for x in lines if _no_action(x)} - {x["row_number"] for x in lines
                                                                    if not _no_action(x)})
    # rows under another agency's request_id wait for nothing: that request is not theirs to correct
    taken = sorted({x["request_id"] for x in lines if _taken(x) and x["request_id"]}) if not rolls else []
    held = sorted({x["household_id"] for x in lines if x["household_id"] and (rolls or not _taken(x))
                   and not _no_action(x)}) if agency or rolls else []
    answered = ", ".join(f"outbox/{agency}/{folder_name(r)}/" for r in requests) if agency and requests else ""
    path = scrub_text(path)  # a sender may name the file after a person's ID
    idle_zh = f"（其中 {idle} 行不是记录或是已载入行的完全重复，无需处理）" if idle else ""
    idle_en = (f" ({idle} of them not records, or exact copies of loaded rows: nothing to do about those)"
               if idle else "")
    if idle == rows:
        advice = "以上各行均无需更正或重新发送。None of these rows needs correcting or resending."
    elif any(CUT_MARK in (x["reason"] or "") for x in lines):
        # the cut row's own reason and the console say "the whole file": so does the head (a messages probe
        # read three different instructions about one truncated file)
        advice = ("本文件疑似在传输中被截断：请重新发送完整文件（已载入的行再次送达时按记录编号更新，不会重复计入）。"
                  "The file looks cut off in transfer: send it again in full (rows already loaded are updated by "
                  "their record_id, not counted twice).")
    elif rolls:
        advice = ROLLS_ADVICE
    else:
        advice = ("请更正下列各行（注明无需重新发送的除外），另存为新文件后重新发送（只需发送更正的行）。"
                  "Correct these rows (except those marked nothing needs resending) and send them again as a new "
                  "file (only the corrected rows are needed).")
    head = [f"文件部分行未通过检查 / rows rejected: {path}",
            f"{rows} 行未予处理{idle_zh}（见下），其余 {loaded} 行已载入"
            + (f"，核对报告见 {answered}" if answered else "") + "。",
            f"{rows} row(s) were not processed{idle_en} (listed below); the other {loaded} "
            "row(s) were loaded" + (f" and are answered in {answered}" if answered else "") + ".",
            advice,
            "行号为表头之下的数据行序号（第1行即表头下第一行）。Row numbers count data rows below the header."]
    if message:    # what the load said of the whole file (cut in transfer; read from a hidden sheet)
        head.append(f"说明 / note: {message}")
    if held and rolls:
        head.append(f"涉及的家庭 / households concerned: {', '.join(held)}")
    elif held:
        head.append(f"以下家庭有成员行被拒，更正行到达后再核对 / not answered until the corrected rows arrive: "
                    f"{', '.join(held)}")
    if taken:
        head.append(f"以下申请编号已是其他机构的申请，相关行未予受理，请改用本机构自己的申请编号重新发送 / request ids "
                    f"already filed by another agency, their rows not accepted: send them under an id of your own: "
                    f"{', '.join(taken)}")
    head.append("")
    body = [f"第{x['row_number']}行 row {x['row_number']}"
            + (f"  记录编号 record_id {x['record_id']}" if x["record_id"] else "")
            + (f"  申请 {x['request_id']}" if x["request_id"] else "")
            + (f" 家庭 {x['household_id']}" if x["request_id"] and x["household_id"] else "")
            + (f" 成员 {x['member_no']}" if x["request_id"] and x["member_no"] is not None else "")
            + f"  字段 field {x['field_label'] or '—'}：{x['explained']}" + (f"（值 value: {x['value']}）" if x["value"] else "")
            for x in lines]
    fields = SOURCE_FIELDS if source in SOURCES else FIELDS
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    for x in lines:
        shown = {"field": x["field_label"], "reason": x["explained"]}
        w.writerow({k: escape_formula(shown.get(k, x[k])) for k in fields})
    return "\n".join(head + body) + "\n", buf.getvalue().encode("utf-8-sig")


def report_row_errors(ctx: PassContext) -> int:
    """Stage: an error report for every loaded file with quarantined rows that has none yet
    (this pass's loads, and those of a pass that died before writing its notes)."""
    by_file = fetch_grouped(
        ctx.con,
        "SELECT f.path, f.source, f.agency, f.file_hash, f.batch_id, f.rows_loaded, f.message, q.row_number, q.field, q.reason, "
        "q.raw_value, q.raw_row FROM files f JOIN quarantine q ON q.file_hash = f.file_hash AND q.batch_id = f.batch_id "
        "WHERE f.status = 'loaded' AND f.rows_quarantined > 0 AND f.errors_reported_at IS NULL "
        "ORDER BY f.path, q.row_number, q.field",
        key=lambda r: (r["path"], r["source"], r["agency"], r["file_hash"], r["batch_id"], r["rows_loaded"], r["message"]),
        label="quarantined rows without a note yet")
    for (path, source, agency, file_hash, batch_id, loaded, message), rows in by_file.items():
        lines = _lines(rows, source)
        # only requests with a household answered now: one whose every household waits for its
        # corrected rows has no outbox folder yet (a probe's note pointed at a folder never made).
        # A household waits in its own request only (None: a row too broken to name its request);
        # rows under another agency's request_id hold nothing of this file's.
        held = {(x["request_id"], x["household_id"]) for x in lines if x["household_id"] and not _taken(x)}
        # the lines quote ids as the notes show them (an ID number masked): so are these compared (a crash
        # hunt's note sent the clerk to the folder of a request whose one household, numbered by an ID, waited)
        requests = sorted({r for r, h in ctx.con.execute(
            "SELECT DISTINCT request_id, household_id FROM applicant_rows WHERE batch_id = ? AND origin = 'inbox'",
            [batch_id]).fetchall() if (_free(r), _free(h)) not in held and (None, _free(h)) not in held})
        folder = private_dir(ctx.root / "rejected" / (agency or source))
        text, table = _texts(path, lines, loaded, requests, agency, source, scrub_text(message) if message else None)
        note = _target(folder, file_stem_name(Path(path).name), file_hash, text)
        write_atomic(note, text.encode("utf-8"))
        write_atomic(note.with_name(note.name.removesuffix(".error.txt") + ".errors.csv"), table)
        ctx.con.execute("UPDATE files SET errors_reported_at = now() WHERE file_hash = ? AND batch_id = ? "
                        "AND status = 'loaded'", [file_hash, batch_id])
        ctx.messages.append(f"{len({r['row_number'] for r in rows})} row(s) of {scrub_text(path)} rejected: "
                            f"see {scrub_text(str(note.relative_to(ctx.root)))}")
    return len(by_file)
