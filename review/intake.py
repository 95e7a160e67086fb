"""Answers coming back: a filled review.xlsx dropped into `inbox/<agency>/`.

    if is_review_sheet(path):
        decisions, errors = parse_review_sheet(con, path, agency, file_hash, file_label=rel_path)
        store_decisions(con, decisions, run_id)
        if errors:
            write_error_report(root / "rejected" / agency, path.name, errors, accepted=len(decisions))

The sheet is recognised by its shape (a 复核编号 column), whatever its file name or format.
Every row is checked on its own; a bad row is reported and the good rows still count:

* blank 复核结论 and blank 备注: not answered, skipped silently (answer part of a sheet now,
  the rest later: unanswered links stay in the queue); a note without a decision is an error;
* the 复核编号 must decode to a link of this agency that still exists and is still a question
  (`review`, or `confirmed` by an earlier answer: a later answer may overturn it);
* the evidence the reviewer saw must be what the warehouse holds now (same hash);
* the decision must be one of the accepted words and 复核人 must name who decided.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from connectors.errors import FileRejected
from connectors.readers import read_raw
from matching.person_key import member_key, person_id
from reports.masking import scrub_text
from review.export import link_rows
from review.keys import (DECISION_COLUMN, KEY_COLUMN, NOTE_COLUMN, REVIEWER_COLUMN, LinkKey, decode_key, fold,
                         parse_decision, review_secret, shown_answer)
from review.answers import answer_history, latest_answers, replayed, same_answer, who
from review.messages import ReviewError, link_text, problem
from warehouse import transaction

REQUIRED_COLUMNS = (KEY_COLUMN, DECISION_COLUMN, REVIEWER_COLUMN)
VISIBLE_KEYS = ("记录编号", "申请编号", "家庭编号", "成员序号")
"""Visible columns that name the link the hidden 复核编号 encodes: checked against it when present."""
NOTE_LIMIT, REVIEWER_LIMIT = 500, 60
STORED_COLUMNS = ("reviewer", "agency", "file", "file_hash", "row_number", "source", "record_id", "request_id",
                  "household_id", "member_no", "id_number", "decision", "note", "match_probability",
                  "evidence_hash")


def _plain(value: Any) -> str:
    """A visible key cell as text: `2.0` (a number re-saved by a spreadsheet) is `2`."""
    text = fold(value)
    return re.sub(r"^(\d+)\.0+$", r"\1", text)


def _columns(headers: list[str]) -> dict[str, str]:
    """Folded header -> header as read (full-width forms and stray spaces forgiven)."""
    return {fold(h): h for h in headers}


def _review_raw(path: Path):
    """The table of `path` holding the 复核编号 column: its first sheet, or for a workbook any
    sheet (a caseworker may add a sheet in front: a probe's answers were read as a request file
    and lost); None when there is none."""
    try:
        raw = read_raw(Path(path))
    except (FileRejected, OSError, ValueError):
        raw = None
    if raw is not None and _answers_sheet(raw.headers):
        return raw
    if raw is not None and raw.format not in ("xlsx", "xls"):
        return None
    try:
        from python_calamine import CalamineWorkbook

        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # not a workbook calamine can open
        return None
    for name in names[1:]:
        try:
            other = read_raw(Path(path), sheet=name)
        except (FileRejected, OSError, ValueError):
            continue
        if _answers_sheet(other.headers):
            return other
    return None


def _answers_sheet(headers: list[str]) -> bool:
    """A review sheet: the 复核编号 column, or the answer columns without it (a clerk deleted the
    hidden column: read as a request, the sheet was refused for lacking 'program' and
    'consent_ref', which told the clerk nothing; as a review sheet its note says the key is
    missing and to answer the sheet as exported)."""
    columns = _columns(headers)
    return KEY_COLUMN in columns or (DECISION_COLUMN in columns and REVIEWER_COLUMN in columns)


def is_review_sheet(path: Path) -> bool:
    """True when `path` is a table whose header has the 复核编号 column (or the answer columns
    复核结论 and 复核人), on any sheet of a workbook (never raises)."""
    return _review_raw(path) is not None


def _text(value: Any, limit: int) -> str | None:
    text = fold(value)
    return scrub_text(text[:limit]) if text else None


def _members(con, keys: list[LinkKey]) -> dict[tuple, dict]:
    hh = sorted({(k.request_id, k.household_id, k.member_no) for k in keys})
    if not hh:
        return {}
    res = con.execute("SELECT request_id, household_id, member_no, agency, id_number, id_status "
                      "FROM applicant_members WHERE (request_id, household_id, member_no) IN "
                      "(SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[]))",
                      [[h[0] for h in hh], [h[1] for h in hh], [h[2] for h in hh]])
    return {(r[0], r[1], r[2]): {"agency": r[3], "id_number": r[4], "id_status": r[5]} for r in res.fetchall()}


def _whose(link: LinkKey) -> str:
    """The person a record was confirmed as, as a clerk finds them on a sheet (a review probe's
    clerk was shown the refused row's own household, and could not find the one to deny)."""
    return f"申请{link.request_id} 家庭{link.household_id} 成员{link.member_no}"


def _answered_rows(raw, columns: dict[str, str], secret: bytes) -> tuple[list[dict], list[ReviewError]]:
    """Rows with something written in them, as (sheet row, key, decision, reviewer, note)."""
    rows, errors, named_only = [], [], []
    offset = raw.header_row  # the sheet row of a data row is header row + row_number (0 for JSONL)
    get = {name: columns.get(name) for name in (KEY_COLUMN, DECISION_COLUMN, REVIEWER_COLUMN, NOTE_COLUMN)}
    visible = {name: columns[name] for name in VISIBLE_KEYS if name in columns}
    for rec in raw.table.to_pylist():
        cell = {name: (rec.get(col) if col else None) for name, col in get.items()}
        decision_text, note = fold(cell[DECISION_COLUMN]), _text(cell[NOTE_COLUMN], NOTE_LIMIT)
        if not decision_text and not note:
            if fold(cell[REVIEWER_COLUMN]):
                named_only.append(offset + rec["row_number"])
            continue  # not answered
        row = offset + rec["row_number"]
        decision = parse_decision(decision_text)
        if decision is None:
            errors.append(problem("empty_decision", row))
            continue
        if decision == "?":
            errors.append(problem("invalid_decision", row, value=decision_text))
            continue
        reviewer = _text(cell[REVIEWER_COLUMN], REVIEWER_LIMIT)
        if not reviewer:
            errors.append(problem("empty_reviewer", row))
            continue
        key_text = fold(cell[KEY_COLUMN])
        if not key_text:
            errors.append(problem("empty_key", row))
            continue
        decoded = decode_key(key_text, secret)
        if decoded is None:
            errors.append(problem("bad_key", row, value=key_text))
            continue
        link = decoded[0]
        # The answer belongs to the row the caseworker read: the visible cells must agree with the
        # hidden key (sorting the visible columns alone put a probe's answers on other links).
        shown = {name: _plain(rec.get(col)) for name, col in visible.items() if rec.get(col) not in (None, "")}
        expected = {"记录编号": link.record_id, "申请编号": link.request_id, "家庭编号": link.household_id,
                    "成员序号": str(link.member_no)}
        # as the sheet shows them: an id that is an ID number is masked there (a crash hunt's every answer
        # about a household numbered by its head's ID was refused: 140105********0637 against the key's number)
        wrong = next((name for name in VISIBLE_KEYS if name in shown
                      and shown[name] not in (fold(expected[name]), fold(scrub_text(expected[name])))), None)
        if wrong:
            errors.append(problem("key_mismatch", row, column=wrong, shown=shown[wrong], expected=expected[wrong],
                                  link=link_text(link)))
            continue
        rows.append({"row_number": row, "link": link, "hash": decoded[1], "shown": shown_answer(key_text),
                     "decision": decision,
                     "reviewer": reviewer, "note": note})
    if named_only:
        # a reviewer's name alone answers nothing (a clerk may fill the column down first), but a
        # 复核结论 of N/A, -, / or NULL reads as empty, and a review probe's twelve such rows left
        # without a word: the sheet says which rows it left open
        errors.append(problem("reviewer_only", None, count=len(named_only), rows=_row_list(named_only)))
    return rows, errors


def _row_list(rows: list[int], most: int = 20) -> str:
    shown = "、".join(str(r) for r in rows[:most])
    return shown + (f" … (+{len(rows) - most})" if len(rows) > most else "")


def parse_review_sheet(con: duckdb.DuckDBPyConnection, path: Path, agency: str, file_hash: str, *,
                       file_label: str | None = None,
                       saved_at: datetime | None = None) -> tuple[list[dict], list[ReviewError]]:
    """Validate every row of a returned sheet; returns (decisions to store, problems).

    Args:
        con: The warehouse (links and applicant_members as of now).
        path: The sheet, in `inbox/<agency>/`.
        agency: The inbox folder it was dropped in: only this agency's links may be answered.
        file_hash: The file's content hash (stored with each decision).
        file_label: The file as recorded in `review_decisions.file` (default: its name);
            the pass passes the path relative to the data root.
        saved_at: When the sheet was saved (its modification time, Asia/Shanghai, naive): an
            answer that would overturn one taken in after it is refused as stale.

    Returns:
        Decisions (dicts with the columns of `review_decision_log` but decided_at / run_id),
        and a `ReviewError` per problem, in sheet order.
    """
    path = Path(path)
    try:
        raw = _review_raw(path) or read_raw(path)
    except FileRejected as exc:
        return [], [problem("unreadable", None, detail=exc.reason)]
    columns = _columns(raw.headers)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return [], [problem("missing_column", None, column=c) for c in missing]
    answered, errors = _answered_rows(raw, columns, review_secret(con))
    if not answered and not errors:
        return [], [problem("no_answers", None)]
    keys = [a["link"] for a in answered]
    members, links, latest, history = _members(con, keys), link_rows(con, keys), latest_answers(con, keys), answer_history(con, keys)
    decisions, repeated = [], []
    for a in answered:
        link, row = a["link"], a["row_number"]
        member = members.get((link.request_id, link.household_id, link.member_no))
        if member is None or member["agency"] != agency:
            errors.append(problem("unknown_link", row, link=link_text(link)) if member is None
                          else problem("other_agency", row, request_id=link.request_id, agency=agency))
            continue
        current = links.get(link)
        if current is None:
            pair = (link.source, link.record_id, member_key(member["id_number"], member["id_status"],
                                                            link.request_id, link.household_id, link.member_no))
            before = latest.get(pair)
            if same_answer(before, a):
                repeated.append(row)
                continue
            if (before and before["decision"] == "denied" and a["decision"] != "denied"
                    and who(before["reviewer"]) == who(a["reviewer"]) and before["evidence_hash"] == a["hash"]):
                # its author correcting a denial (the link is gone, so the answer restores the pair:
                # a review probe's mistaken 否认 could never be undone, though the README said so)
                current = {"match_probability": before["match_probability"]}
            elif before and before["decision"] == "denied":
                errors.append(problem("denied_before", row, link=link_text(link), reviewer=before["reviewer"],
                                      date=f"{before['decided_at']:%Y-%m-%d}"))
                continue
            else:
                # gone because the record was confirmed as another person's: say so, and whose (a
                # nightly probe's clerk read "unknown link" and could not tell why)
                other = next((d for (src, rid, key), d in latest.items()
                              if (src, rid) == pair[:2] and key != pair[2] and d["decision"] == "confirmed"), None)
                errors.append(problem("confirmed_for_other", row, link=link_text(link), reviewer=other["reviewer"],
                                      date=f"{other['decided_at']:%Y-%m-%d}", other=_whose(other["link"]))
                              if other is not None else problem("unknown_link", row, link=link_text(link)))
                continue
        elif current["decision"] not in ("review", "confirmed"):
            errors.append(problem("not_review", row, link=link_text(link), decision=current["decision"]))
            continue
        elif current["evidence_hash"] != a["hash"]:
            # the answer in force given again: the record changed since (a corrected amount), the answer
            # stands, nothing to store (a review probe's re-saved sheet was told to check again a row
            # that review-open does not list, it being confirmed)
            pair = (link.source, link.record_id, member_key(member["id_number"], member["id_status"],
                                                            link.request_id, link.household_id, link.member_no))
            if current["decision"] == "confirmed" and same_answer(latest.get(pair), a):
                repeated.append(row)
            else:
                errors.append(problem("evidence_changed", row, link=link_text(link)))
            continue
        pair = (link.source, link.record_id, member_key(member["id_number"], member["id_status"],
                                                        link.request_id, link.household_id, link.member_no))
        before = latest.get(pair)
        if same_answer(before, a):
            repeated.append(row)
            continue
        if before and (earlier := replayed(history.get(pair, []), before, a)):
            errors.append(problem("replaced_answer", row, link=link_text(link), earlier=f"{earlier['decided_at']:%Y-%m-%d %H:%M}",
                                  reviewer=before["reviewer"], date=f"{before['decided_at']:%Y-%m-%d %H:%M}"))
            continue
        if before and before["decision"] != a["decision"] and before["decision"] != "undetermined" and (
                (before["decision_id"] != a["shown"] and who(before["reviewer"]) != who(a["reviewer"]))
                if a["shown"] is not None else saved_at is not None and before["decided_at"] > saved_at):
            # an older sheet arriving late must not overturn a colleague's newer answer (a probe's
            # stale 否认 removed links confirmed since). The sheet's own key says which answer it
            # was written against: its file's time did not (a sheet saved again, mailed or uploaded
            # is new on disk: a review probe's overturned a confirmation nobody had seen). Who gave
            # the answer in force knew it, and may correct it from any sheet
            errors.append(problem("stale_answer", row, link=link_text(link), reviewer=before["reviewer"],
                                  date=f"{before['decided_at']:%Y-%m-%d %H:%M}",
                                  saved=("written" if a["shown"] is not None else f"saved {saved_at:%Y-%m-%d %H:%M}")))
            continue
        other = next((d for (src, rid, key), d in latest.items()
                      if (src, rid) == pair[:2] and key != pair[2] and d["decision"] == "confirmed"), None)
        if a["decision"] == "confirmed" and other is not None:
            # a record is one person's: confirmed for a second, its car counted against two households
            # (a review probe's two wrong fails on one plate)
            errors.append(problem("confirmed_for_other", row, link=link_text(link), reviewer=other["reviewer"],
                                  date=f"{other['decided_at']:%Y-%m-%d}", other=_whose(other["link"])))
            continue
        decisions.append({"_person": pair[2],
            "reviewer": a["reviewer"], "agency": agency, "file": file_label or path.name, "file_hash": file_hash,
            "row_number": row, "source": link.source, "record_id": link.record_id, "request_id": link.request_id,
            "household_id": link.household_id, "member_no": link.member_no,
            "id_number": person_id(member["id_number"], member["id_status"]), "decision": a["decision"],
            "note": a["note"], "match_probability": current["match_probability"], "evidence_hash": a["hash"]})
    decisions, conflicts = _one_answer_per_pair(decisions)
    errors += conflicts
    decisions, twice = _one_person_per_record(decisions)
    errors += twice
    if repeated:
        errors.append(problem("already_recorded", None, count=len(repeated), rows=_row_list(repeated)))
    errors.sort(key=lambda e: (e[0] is not None, e[0] or 0))
    return decisions, errors


def _one_answer_per_pair(decisions: list[dict]) -> tuple[list[dict], list[ReviewError]]:
    """A pair (record, person) answered in two rows of one sheet: once when they agree, not at all when
    they do not (a probe's copied row said 确认 in one copy and 否认 in the other; both were stored and
    the last, a denial, silently won). The person, not the household: review-open lists a person's
    record once per household they are in (on the rolls and in a request), and a probe's 确认 in one
    and 否认 in the other were both stored, the last winning for both."""
    by_pair: dict[tuple, list[dict]] = {}
    for d in decisions:
        by_pair.setdefault((d["source"], d["record_id"], d["_person"]), []).append(d)
    kept, errors = [], []
    for rows in by_pair.values():
        if len({d["decision"] for d in rows}) == 1:
            kept.append(rows[0])
            continue
        numbers = "、".join(str(d["row_number"]) for d in rows)
        link = LinkKey(rows[0]["source"], rows[0]["record_id"], rows[0]["request_id"], rows[0]["household_id"],
                       rows[0]["member_no"])
        errors += [problem("conflicting_answers", d["row_number"], rows=numbers, link=link_text(link)) for d in rows]
    return sorted(kept, key=lambda d: d["row_number"]), errors


def _one_person_per_record(decisions: list[dict]) -> tuple[list[dict], list[ReviewError]]:
    """A record confirmed for two people in one sheet: neither confirmation is taken (a record is
    one person's; a review probe's car was confirmed for a father and his son)."""
    people: dict[tuple, set] = {}
    for d in decisions:
        if d["decision"] == "confirmed":
            people.setdefault((d["source"], d["record_id"]), set()).add(d["_person"])
    clash = {k for k, persons in people.items() if len(persons) > 1}
    if not clash:
        return decisions, []
    kept, errors = [], []
    for d in decisions:
        if d["decision"] == "confirmed" and (d["source"], d["record_id"]) in clash:
            rows = "、".join(str(x["row_number"]) for x in decisions
                            if x["decision"] == "confirmed" and (x["source"], x["record_id"]) == (d["source"], d["record_id"]))
            errors.append(problem("confirmed_twice", d["row_number"], rows=rows, source=d["source"],
                                  record_id=d["record_id"]))
        else:
            kept.append(d)
    return kept, errors


def store_decisions(con: duckdb.DuckDBPyConnection, decisions: list[dict], run_id: str | None) -> int:
    """Append `decisions` to `review_decision_log` in one transaction; returns the rows added.

    Call outside any open transaction. decided_at is the time of this call (Asia/Shanghai,
    the warehouse's session time zone); the sheet order is kept in `decision_id`.
    """
    if not decisions:
        return 0
    frame = pa.table({c: [d[c] for d in decisions] for c in STORED_COLUMNS})
    name = "review_decisions_in"
    con.register(name, frame)
    try:
        with transaction(con):
            cols = ", ".join(STORED_COLUMNS)
            con.execute(f"INSERT INTO review_decision_log (decided_at, {cols}, run_id) "
                        f"SELECT CAST(now() AS TIMESTAMP), {cols}, ? FROM {name} ORDER BY row_number", [run_id])
    finally:
        con.unregister(name)
    return len(decisions)
