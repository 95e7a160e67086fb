"""The review queue of a request as files: one row per `review` link, evidence side by side.

    rows = review_rows(con, "R2026-001")                        # or review_rows_for(con, households)
    write_review_sheet(root / "outbox" / agency / "R2026-001", rows, agency, "R2026-001")

A row holds what a caseworker needs to answer "is this record this person's?": the source row
(name and masked ID as the department wrote them, the fields that matter for that source), the
candidate member (name, masked ID, relation, birth date), the comparison levels and weights,
any competing candidate, the answer already given if it was 无法确定, and `evidence_hash`, the
hash of the underlying values (`review.keys.evidence_hash`), carried in the sheet's hidden
复核编号 so intake can tell when the evidence changed after export.

Rows never hold a full ID number: the values behind the hash stay in this module.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import duckdb

from connectors.errors import FileRejected
from connectors.readers import read_raw
from connectors.values.idnumber import birth_date_sql, birth_dates_differ, shown_birth
from reports import formatting as fmt
from reports.masking import mask_id, scrub_text
from reports.writer import check_safe_name, private_dir, write_atomic
from review import evidence as ev
from matching.person_key import member_key
from review.keys import KEY_COLUMN, LinkKey, encode_key, evidence_hash, review_secret
from review.page import render_review
from review.workbook import review_xlsx
from warehouse.sql import run_sql

SHEET_NAME = "review.xlsx"
PAGE_NAME = "review.html"

_LINKS_SQL = f"""
SELECT l.source, l.record_id, l.request_id, l.household_id, l.member_no, l.match_probability, l.decision,
       l.method, l.evidence, l.run_id, l.linked_at,
       m.agency, m.name AS m_name, m.id_number AS m_id_number, m.id_raw AS m_id_raw, m.id_status AS m_id_status,
       m.relation AS m_relation, {birth_date_sql('m.')} AS m_birth_date, m.birth_date AS m_declared_birth,
       m.id_birth_date AS m_id_birth
FROM links l
LEFT JOIN applicant_members m USING (request_id, household_id, member_no)
WHERE {{where}}
ORDER BY l.request_id, l.household_id, l.member_no, l.source, l.record_id
"""


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list, label: str) -> list[dict]:
    res = run_sql(con, sql, params, label=label)
    cols = [c[0] for c in res.description]
    return [dict(zip(cols, r)) for r in res.fetchall()]


def _source_rows(con, links: list[dict]) -> dict[tuple[str, str], dict]:
    """The current row of every linked record, by (source, record_id)."""
    wanted: dict[str, set] = defaultdict(set)
    for link in links:
        wanted[link["source"]].add(link["record_id"])
    out = {}
    for source, ids in wanted.items():
        if source not in ev.SOURCE_FIELDS:  # a source this module does not know: shown without fields
            continue
        rows = _fetch(con, f"SELECT * FROM {source} WHERE list_contains(?, record_id) "
                           "QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY loaded_at DESC) = 1",
                      [sorted(ids)], f"review: {source} rows")
        out.update({(source, r["record_id"]): r for r in rows})
    return out


def _previous(con, links: list[dict]) -> dict[tuple, dict]:
    """The answer in force per pair, for the pairs of `links` (only 无法确定 is still shown)."""
    pairs = sorted({(l["source"], l["record_id"]) for l in links})
    if not pairs:
        return {}
    rows = _fetch(con, "SELECT source, record_id, member_key, decision, reviewer, decided_at, note, decision_id "
                       "FROM review_decisions_latest WHERE (source, record_id) IN "
                       "(SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]))",
                  [[p[0] for p in pairs], [p[1] for p in pairs]], "review: previous answers")
    return {(r["source"], r["record_id"], r["member_key"]): r for r in rows}


def _member_names(con, links: list[dict]) -> dict[tuple, dict]:
    households = sorted({(l["request_id"], l["household_id"]) for l in links})
    rows = _fetch(con, "SELECT request_id, household_id, member_no, name FROM applicant_members "
                       "WHERE (request_id, household_id) IN (SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]))",
                  [[h[0] for h in households], [h[1] for h in households]], "review: member names")
    out: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        out[(r["request_id"], r["household_id"])][r["member_no"]] = r["name"]
    return out


def _scrubbed(text):
    return scrub_text(str(text)) if text is not None else None


def _member_birth(link: dict) -> str:
    """The member's birth date as a reviewer needs it, and as far as it may be shown beside a
    masked ID (its year: `shown_birth`): both, when the application's and its ID number's
    disagree. The ID's alone hid that a member's row carried another person's ID (an
    applicant-side probe: 1970-01-01 shown for a member declared born 1982-06-11) — the very
    thing the question is about."""
    declared, on_id = link.get("m_declared_birth"), link.get("m_id_birth")
    if declared and on_id and declared != on_id:
        return "出生日期不符：" + birth_dates_differ(declared, on_id)
    return shown_birth(link["m_birth_date"]) or fmt.DASH


def _row(link: dict, record: dict | None, previous: dict | None, names: dict, secret: bytes) -> dict:
    source = link["source"]
    try:
        evidence = json.loads(link["evidence"]) if link.get("evidence") else {}
    except ValueError:  # evidence the linker wrote badly: the question is still shown
        evidence = {}
    evidence = evidence if isinstance(evidence, dict) else {}
    hashed_member = {"name": link["m_name"], "id_number": link["m_id_number"], "id_raw": link["m_id_raw"],
                     "relation": link["m_relation"], "birth_date": link["m_birth_date"]}
    digest = evidence_hash(ev.hashed_record(source, record), hashed_member, link["match_probability"])
    key = LinkKey(source, link["record_id"], link["request_id"], link["household_id"], int(link["member_no"]))
    labelled = ev.weights(evidence)
    shown = previous["decision_id"] if previous else 0   # the answer this sheet is written against
    if previous and previous["decision"] != "undetermined":
        previous = None  # a confirmed or denied pair is no longer a question
    record = record or {}
    return {
        "key": encode_key(key, digest, shown, secret), "link": key, "evidence_hash": digest,
        "agency": link["agency"], "request_id": link["request_id"], "household_id": link["household_id"],
        "member_no": int(link["member_no"]), "source": source, "source_label": fmt.source_label(source),
        "record_id": link["record_id"], "decision": link["decision"],
        "match_probability": link["match_probability"], "method": link["method"],
        "summary": scrub_text(str(evidence["summary"])) if evidence.get("summary") else None,
        # names as typed: a department that put the ID in the name column must not print it
        "record": {"found": bool(record), "name": _scrubbed(record.get("name_raw") or record.get("name")),
                   "id_masked": mask_id(record.get("id_raw") or record.get("id_number")) or fmt.DASH,
                   "birth_date": shown_birth(record.get("id_birth_date")) or fmt.DASH,
                   "fields": ev.record_fields(source, record)},
        "member": {"name": _scrubbed(link["m_name"]),
                   "id_masked": mask_id(link["m_id_raw"] or link["m_id_number"]) or fmt.DASH,
                   "relation": link["m_relation"], "birth_date": _member_birth(link)},
        "weights": labelled, "weights_text": ev.weights_text(labelled),
        "competitor": ev.competitor_text(evidence.get("competitor"), names, link["request_id"]),
        "previous": previous, "previous_text": ev.previous_text(previous),
        "run_id": link["run_id"], "linked_at": link["linked_at"],
    }


def _rows(con, where: str, params: list) -> list[dict]:
    links = _fetch(con, _LINKS_SQL.format(where=where), params, "review: links")
    if not links:
        return []
    records = _source_rows(con, links)
    previous = _previous(con, links)
    names = _member_names(con, links)
    secret = review_secret(con)
    out = []
    for link in links:
        mkey = member_key(link["m_id_number"], link["m_id_status"], link["request_id"], link["household_id"],
                          link["member_no"])
        out.append(_row(link, records.get((link["source"], link["record_id"])),
                        previous.get((link["source"], link["record_id"], mkey)),
                        names.get((link["request_id"], link["household_id"]), {}), secret))
    return out


def review_rows(con: duckdb.DuckDBPyConnection, request_id: str, household_ids: Iterable[str] | None = None) -> list[dict]:
    """One row per `review` link of `request_id` (only of `household_ids` when given)."""
    if household_ids is None:
        return _rows(con, "l.decision = 'review' AND l.request_id = ?", [request_id])
    return _rows(con, "l.decision = 'review' AND l.request_id = ? AND list_contains(?, l.household_id)",
                 [request_id, sorted(household_ids)])


OPEN_FOLDER = "review-open"
"""`outbox/<agency>/review-open/`: every question of the agency still open, whatever pass raised it."""


def open_rows(con: duckdb.DuckDBPyConnection, agency: str) -> list[dict]:
    """One row per `review` link of any request of `agency`."""
    return _rows(con, "l.decision = 'review' AND m.agency = ?", [agency])


def review_rows_for(con: duckdb.DuckDBPyConnection, households: Iterable[tuple[str, str]]) -> list[dict]:
    """One row per `review` link of the given (request_id, household_id) pairs (a nightly folder)."""
    hh = sorted(set(households))
    if not hh:
        return []
    return _rows(con, "l.decision = 'review' AND (l.request_id, l.household_id) IN "
                      "(SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]))",
                 [[h[0] for h in hh], [h[1] for h in hh]])


def link_rows(con: duckdb.DuckDBPyConnection, links: Iterable[tuple]) -> dict[LinkKey, dict]:
    """The row of each given link as it would be exported now, whatever its decision."""
    keys = sorted({LinkKey(*k) for k in links})
    if not keys:
        return {}
    cols = list(zip(*keys))
    rows = _rows(con, "(l.source, l.record_id, l.request_id, l.household_id, l.member_no) IN "
                      "(SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                      "unnest(?::VARCHAR[]), unnest(?::BIGINT[]))",
                 [list(c) for c in cols])
    return {r["link"]: r for r in rows}


def sheet_keys(out_dir: Path) -> set[str] | None:
    """The 复核编号 of every row of the review.xlsx in `out_dir`; None when there is none (or it
    cannot be read: it is then written anew)."""
    path = Path(out_dir) / SHEET_NAME
    if not path.exists():
        return None
    try:
        table = read_raw(path).table
        return {str(v) for v in table.column(KEY_COLUMN).to_pylist() if v}
    except (FileRejected, OSError, ValueError, KeyError):   # unreadable or not ours: rewrite it
        return None


def write_review_sheet(out_dir: Path, rows: list[dict], agency: str, request_id: str) -> list[Path]:
    """Write `review.xlsx` and `review.html` into `out_dir`, atomically and owner-only.

    `request_id` labels the files (a request id, or `nightly-YYYYMMDD`). With no rows, a
    stale sheet and page left by an earlier pass are removed (every question answered) and
    nothing is written. Returns the paths written.

    Raises:
        ValueError: an unsafe agency or request id, or a row of another agency.
    """
    check_safe_name(agency, "agency")
    check_safe_name(request_id, "request_id")
    foreign = sorted({r["request_id"] for r in rows if r.get("agency") != agency})
    if foreign:
        raise ValueError(f"review rows of requests {foreign} do not belong to agency {agency!r}")
    out_dir = Path(out_dir)
    if not rows:
        for name in (SHEET_NAME, PAGE_NAME):
            (out_dir / name).unlink(missing_ok=True)
        return []
    private_dir(out_dir)
    return [write_atomic(out_dir / SHEET_NAME, review_xlsx(rows, agency, request_id)),
            write_atomic(out_dir / PAGE_NAME, render_review(rows, agency, request_id).encode("utf-8"))]
