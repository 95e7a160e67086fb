"""Stages 2–3: choose the households to verify, link source rows to their members, assess them.

Work set: every request received from an agency inbox and not yet answered, plus (in a pass
that verifies the rolls) the households on the current rolls that something new could change
(`pipelines.affected`; all of them on the first pass, or when the month or the policy changes).
A requested household with a rejected member row waits for the corrected row (`pipelines.row_errors`).
Requests are answered on the pass date, which is their request date for the income window and
for the standard in force.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import PurePosixPath

import duckdb
import pyarrow as pa

from connectors.schema import SOURCES
from connectors.values.consent import consent_given_sql
from assessment.evidence import (accounts_sql, income_records_sql, newer_balances_sql, other_balances_sql, properties_sql,
                                 refused_sql, vehicles_sql)
from assessment.freshness import data_as_of_sql, unreadable_sql
from assessment.household import build_household
from assessment.unclaimed import (PLACES, QUESTION_METHOD, QUESTION_RULES, places_sql, questions_sql, unclaimed_sql,
                                  unclaimed_table_sql)
from assessment.unsure_wages import WAGE_QUESTION_RULE, unsure_wages_sql, wage_questions_sql
from assessment.window import window_for
from matching import link_work_members
from matching.address import address_table
from matching.index import refresh_match_index
from matching.person_key import member_key_sql
from pipelines.affected import choose_rolls_work
from pipelines.context import TZ, PassContext
from pipelines.documents import Documents
from pipelines.corrections import corrected_links_sql
from pipelines.listed_twice import other_requests_sql, other_rolls_sql
from pipelines.row_errors import held_households
from pipelines.rolls_held import latest_rolls_batch, refresh_rolls_held
from review import ANSWERS, affected_households_sql, apply_decisions_sql
from warehouse import transaction
from warehouse.testhooks import pause_point
from warehouse.sql import fetch_grouped, run_sql


STALE_LINK = """EXISTS (
    SELECT 1 FROM record_identity_history h
    WHERE h.source = l.source AND h.record_id = l.record_id AND h.other_identity
      AND h.valid_from <= l.linked_at AND (h.valid_to IS NULL OR h.valid_to > l.linked_at))"""
"""SQL (over `links l`): the link is to a record since corrected to another name or ID."""


def select_work(ctx: PassContext) -> int:
    """Create `work_households` and `work_members` for this pass; returns the households count."""
    months = int(ctx.policy.defaults["window_months"])
    start, end = window_for(ctx.as_of, months)
    nightly = f"nightly-{ctx.as_of.strftime('%Y%m%d')}"
    if ctx.include_rolls:
        refresh_rolls_held(ctx.con)
        choose_rolls_work(ctx)
        rolls = "SELECT r.* FROM rolls_current r JOIN rolls_work USING (request_id, household_id)"
    else:
        rolls = "SELECT * FROM rolls_current WHERE FALSE"
    held = held_households(ctx.con)
    if held:
        ctx.counts["households_held"] = len(held)
        ctx.messages.append(f"{len(held)} requested household(s) not answered until their rejected member rows "
                            f"are corrected: {', '.join(h for _, h in held[:10])}" + (" …" if len(held) > 10 else ""))
    this_run = ctx.run_id.replace("'", "''")
    run_sql(ctx.con, f"""
CREATE OR REPLACE TEMP TABLE work_households AS
WITH inbox AS (
    SELECT DISTINCT request_id FROM requests WHERE origin = 'inbox' AND answered_run_id IS NULL
), again AS (
    -- a caseworker answered one of their review links in this pass: their reports change
    SELECT request_id, household_id FROM ({affected_households_sql(ctx.run_id, since_rolls=ctx.include_rolls)})
    UNION
    -- linked to a record since corrected into someone else's: the link goes (`link`), and the
    -- linker proposes the corrected record afresh (a probe's car, re-sent with the applicant's own
    -- ID, stayed unlinked and its household unanswered)
    SELECT request_id, household_id FROM links l WHERE {STALE_LINK}
    UNION
    -- linked to a record this pass re-delivered (its amount or status corrected under its record_id):
    -- an income probe's answered request kept its fail on the amount the tax bureau had corrected
    SELECT l.request_id, l.household_id FROM links l JOIN match_source_versions v
      ON v.source = l.source AND v.record_id = l.record_id
    WHERE v.superseded_by IN (SELECT batch_id FROM files WHERE run_id = '{this_run}' AND status = 'loaded')
    UNION
    -- an open question about a row nobody is linked to, when this pass loaded rows of its source:
    -- a row with an ID may now place it with its owner (a probe's answered request kept asking
    -- about a car whose plate a later row placed with someone else)
    SELECT request_id, household_id FROM links
    WHERE decision = 'review' AND method = '{QUESTION_METHOD}'
      AND source IN (SELECT source FROM files WHERE run_id = ? AND status = 'loaded')
    UNION
    -- its report names a row refused at load (`data.refused`) that this pass loaded, corrected: what
    -- the row holds now counts (a traceability probe's request kept saying two wage rows were
    -- refused after the department had sent them again, and counted neither)
    SELECT c.request_id, c.household_id
    FROM (SELECT f.request_id, f.household_id,
                 unnest(from_json(f.evidence, '[{{"source": "VARCHAR", "record_id": "VARCHAR"}}]')) AS e
          FROM findings f JOIN household_assessment h USING (run_id, request_id, household_id)
          WHERE f.rule = 'data.refused') c
    WHERE EXISTS (SELECT 1 FROM source_records s JOIN files fl ON fl.batch_id = s.batch_id
                  WHERE fl.run_id = '{this_run}' AND fl.status = 'loaded'
                    AND s.source = c.e.source AND s.record_id = c.e.record_id)
    UNION
    -- its report says a source's latest export could not be read (`data.source_unreadable`), and this
    -- pass loaded an export of a department: the finding may no longer hold (a month-of-life probe's
    -- answered request kept it after the corrected file had loaded)
    -- (only a question: a note said the figures stood on an earlier export; the rolls are re-verified
    -- on a register's first export by `pipelines.affected`)
    SELECT f.request_id, f.household_id
    FROM findings f JOIN household_assessment h USING (run_id, request_id, household_id)
    WHERE f.rule = 'data.source_unreadable' AND f.severity = 'warn'
      AND EXISTS (SELECT 1 FROM files fl WHERE fl.run_id = '{this_run}' AND fl.status = 'loaded'
                  AND fl.source IN {SOURCES})
    UNION
    -- a confirmation in force that no link carries: its record, corrected into someone else's, was
    -- corrected back to the version confirmed (a probe: the answer blocked every other one, applied
    -- nowhere)
    (SELECT a.request_id, a.household_id FROM applicant_members a
     JOIN review_decisions_latest d ON d.member_key = {member_key_sql('a')} AND d.decision = 'confirmed'
     ANTI JOIN held_households h ON h.request_id = a.request_id AND h.household_id = a.household_id
     WHERE {consent_given_sql('a.consent_ref')}
       AND EXISTS (SELECT 1 FROM source_records s WHERE s.source = d.source AND s.record_id = d.record_id)
       AND NOT EXISTS (SELECT 1 FROM links l WHERE l.source = d.source AND l.record_id = d.record_id
                       AND l.request_id = a.request_id AND l.household_id = a.household_id
                       AND l.member_no = a.member_no))
), picked AS (
    SELECT m.* FROM applicant_members m JOIN inbox USING (request_id)
    ANTI JOIN held_households USING (request_id, household_id) WHERE m.origin = 'inbox'
    UNION ALL BY NAME
    {rolls}
    UNION ALL BY NAME
    -- households verified again for a reason of their own, answered requests' too; the rolls' only by
    -- a pass that verifies the rolls (a probe's inbox-only pass wrote a nightly folder of a failing
    -- report with no alert, the change announced the next night)
    SELECT m.* FROM applicant_members m SEMI JOIN again USING (request_id, household_id)
    WHERE {"TRUE" if ctx.include_rolls else "m.origin = 'inbox'"}
)
SELECT request_id, household_id, any_value(origin) AS origin, any_value(agency) AS agency,
       arg_min(program, member_no) AS program, arg_min(county_code, member_no) AS county_code,
       first(program_area ORDER BY member_no) AS program_area,   -- the first member's, as the programme
       CAST(? AS DATE) AS request_date, CAST(? AS DATE) AS window_start, CAST(? AS DATE) AS window_end,
       CASE WHEN any_value(origin) = 'rolls' THEN ? ELSE request_id END AS out_dir
FROM picked GROUP BY request_id, household_id
""", [ctx.run_id, ctx.as_of, start, end, nightly], label="select work households")
    run_sql(ctx.con, "ALTER TABLE work_households ADD COLUMN rolls_rows_held INTEGER DEFAULT 0",
            label="rolls rows held")
    if ctx.include_rolls and (latest := latest_rolls_batch(ctx.con)):
        run_sql(ctx.con, "UPDATE work_households w SET rolls_rows_held = h.rows_rejected FROM rolls_held h "
                         "WHERE w.origin = 'rolls' AND h.household_id = w.household_id AND h.batch_id = ?",
                [latest], label="households the latest roll holds at their previous version")
    # an inbox request keeps the date it was first answered on when a later pass verifies one of its
    # households again (a corrected record, a question a new delivery may settle): re-dated, an
    # evaluator's answered households moved their income window a month and dropped a month of wages.
    # Not a household the agency sent again: that asks anew (an adversarial probe's re-send weeks
    # later was judged on the old date and the standard then in force)
    run_sql(ctx.con, f"""
UPDATE work_households w SET request_date = d.first,
       window_start = date_trunc('month', d.first) - INTERVAL {months} MONTH,
       window_end = CAST(date_trunc('month', d.first) - INTERVAL 1 DAY AS DATE)
FROM (SELECT request_id, min(request_date) AS first FROM assessment_history GROUP BY request_id) d
WHERE w.origin = 'inbox' AND d.request_id = w.request_id AND d.first < w.request_date
  AND NOT EXISTS (SELECT 1 FROM applicant_members m JOIN files f ON f.batch_id = m.batch_id
                  WHERE m.request_id = w.request_id AND m.household_id = w.household_id AND f.run_id = ?)
""", [ctx.run_id], label="answered requests keep their date")
    run_sql(ctx.con, f"""
CREATE OR REPLACE TEMP TABLE work_members AS
SELECT m.*, {consent_given_sql('m.consent_ref')} AS consent,
       coalesce(r.programs, []) AS on_rolls_programs,
       {other_rolls_sql()} AS other_rolls,
       {other_requests_sql()} AS other_requests,
       coalesce(c.carried, FALSE) AS carried_over
FROM applicant_members m
JOIN work_households w USING (request_id, household_id)
LEFT JOIN (   -- a member an application's household re-sent in a later pass did not list again: kept
              -- (a patch), but said (a request probe's member left out of a re-send stayed, unsaid)
    SELECT a.request_id, a.household_id, a.member_no, TRUE AS carried
    FROM applicant_members a JOIN files fa ON fa.batch_id = a.batch_id AND fa.status = 'loaded'
    JOIN (SELECT a2.request_id, a2.household_id, arg_max(f2.run_id, a2.loaded_at) AS last_run
          FROM applicant_members a2 JOIN files f2 ON f2.batch_id = a2.batch_id AND f2.status = 'loaded'
          WHERE a2.origin = 'inbox' AND (a2.request_id, a2.household_id) IN
                (SELECT (request_id, household_id) FROM work_households WHERE origin = 'inbox')
          GROUP BY ALL) l USING (request_id, household_id)
    WHERE a.origin = 'inbox' AND fa.run_id IS DISTINCT FROM l.last_run
      -- (answered before: a household held for refused rows, whose corrected rows came alone as the
      -- note asked, was told its members were left out: a request probe)
      AND EXISTS (SELECT 1 FROM assessment_history h WHERE h.request_id = a.request_id
                                                       AND h.household_id = a.household_id)
) c ON c.request_id = m.request_id AND c.household_id = m.household_id AND c.member_no = m.member_no
LEFT JOIN (SELECT id_number, list(DISTINCT program ORDER BY program) AS programs FROM rolls_current
           WHERE program IN ('dibao', 'tekun') AND id_status IN ('valid', 'repaired') GROUP BY id_number) r
       ON r.id_number = m.id_number AND m.id_status IN ('valid', 'repaired')
WHERE m.origin = w.origin
""", label="select work members")
    n = ctx.con.execute("SELECT count(*) FROM work_households").fetchall()[0][0]
    ctx.counts["households_verified"] = n
    if ctx.include_rolls:
        # unchanged = on the rolls and not re-verified, whatever brought a household into the work: an
        # analyst probe's pass of review answers alone re-verified two rolls households and counted all
        # 50 unchanged, 52 of 50
        ctx.counts["households_unchanged"] = ctx.con.execute(
            "SELECT count(*) FROM roll_state ANTI JOIN work_households USING (request_id, household_id)").fetchall()[0][0]
    return n


def link(ctx: PassContext) -> int:
    """Stage: replace the links of the households at work; returns the number of links."""
    with transaction(ctx.con):   # committed on its own: the batches of this pass stay folded if linking fails
        refresh_match_index(ctx.con)
    try:
        _link_work(ctx)
    except Exception as exc:
        if not _internal(exc):
            raise
        # a DuckDB planner bug on this data's shape (an ingestion probe's: "Failed to bind column reference"
        # in a matcher statement, in every pass): once more without statistics propagation, the optimizer
        # it went through, rather than no reports for anyone until the data changes
        ctx.messages.append(f"linking met a DuckDB internal error and was run again with statistics propagation "
                            f"off ({str(exc).splitlines()[0][:200]})")
        ctx.con.execute("SET disabled_optimizers = 'statistics_propagation'")
        try:
            _link_work(ctx)
        finally:
            ctx.con.execute("RESET disabled_optimizers")
    n = ctx.con.execute("SELECT count(*) FROM links WHERE run_id = ?", [ctx.run_id]).fetchall()[0][0]
    ctx.counts["links"] = n
    return n


def _internal(exc: BaseException) -> bool:
    """A DuckDB internal error (an assertion in its planner), raised or wrapped by `run_sql`."""
    while exc is not None:
        if isinstance(exc, duckdb.InternalException):
            return True
        exc = exc.__cause__
    return False


def _link_work(ctx: PassContext) -> None:
    with transaction(ctx.con):
        run_sql(ctx.con, corrected_links_sql(ctx.run_id), label="links to records this pass corrected")
        # any household's, answered requests' too: a link to a record since corrected to another
        # name or ID is a link to somebody else's record (migration 0016)
        stale = run_sql(ctx.con, f"DELETE FROM links l WHERE {STALE_LINK}",
                        label="links to records corrected into someone else's").fetchall()[0][0]
        if stale:
            ctx.messages.append(f"{stale} link(s) removed: their records were corrected to another name or ID")
        run_sql(ctx.con, "DELETE FROM links WHERE (request_id, household_id) IN "
                         "(SELECT request_id, household_id FROM work_households)", label="clear links")
        link_work_members(ctx.con, ctx.run_id)
        # Caseworkers' answers outrank the model: confirmed pairs stay, denied pairs never return.
        run_sql(ctx.con, apply_decisions_sql(ctx.run_id), label="apply review decisions")
        pause_point("link")


# Households assessed per slice. Evidence and links are fetched into Python one slice at a
# time: at 100,000 households the whole work set's links alone are ~4 million dicts with parsed
# evidence, more memory than the rest of the pass together; a slice of 5,000 holds ~1 GiB at most.
ASSESS_SLICE = 5_000


def _grouped(ctx: PassContext, sql: str, label: str) -> dict:
    return fetch_grouped(ctx.con, sql, key=lambda r: (r["request_id"], r["household_id"]), label=label)


def assess(ctx: PassContext) -> int:
    """Stage: build every work household's assessment document and record it."""
    run_sql(ctx.con, """
CREATE OR REPLACE TEMP TABLE work_order AS
SELECT request_id, household_id, row_number() OVER (ORDER BY request_id, household_id) - 1 AS n
FROM work_households""", label="number work households")
    total = ctx.con.execute("SELECT count(*) FROM work_order").fetchall()[0][0]
    # No source is "as of" later than the request date (the pass date): a register loaded today
    # but asked about a past date (`--as-of`) showed a date after the request's.
    as_of = {s: (min(d, ctx.as_of).isoformat() if d else None) for s, d in ctx.con.execute(data_as_of_sql()).fetchall()}
    unreadable = {s: PurePosixPath(path).name for s, path in ctx.con.execute(unreadable_sql()).fetchall()}
    # sources whose exports loaded without a row: delivered, not "never delivered" (a contract probe)
    empty = tuple(s for (s,) in ctx.con.execute(
        f"SELECT DISTINCT source FROM files WHERE status = 'loaded' AND source IN {SOURCES}").fetchall()
        if not as_of.get(s))
    generated_at = datetime.now(TZ).isoformat(timespec="seconds")
    # the re-export counts (a view over every income row) once for the pass, not once per slice: a
    # temp table of the same name is read before the view
    run_sql(ctx.con, "CREATE OR REPLACE TEMP TABLE file_repeats AS SELECT * FROM main.file_repeats",
            label="files that repeat other files' payments")
    places = [r[0] for r in ctx.con.execute(places_sql()).fetchall()]
    ctx.con.register(PLACES, address_table(places))
    run_sql(ctx.con, unclaimed_table_sql(answers=ANSWERS, places=PLACES),
            label="rows under members' names nobody is linked to")
    ctx.documents = Documents(total)
    for lo in range(0, total, ASSESS_SLICE):
        run_sql(ctx.con, "CREATE OR REPLACE TEMP TABLE assess_slice AS SELECT w.* FROM work_households w "
                         "JOIN work_order o USING (request_id, household_id) WHERE o.n >= ? AND o.n < ?",
                [lo, lo + ASSESS_SLICE], label="slice of work households")
        docs = _assess_slice(ctx, "assess_slice", as_of, generated_at, unreadable, empty)
        asked = [(key[0], key[1], e["source"], e["record_id"]) for key, doc in docs.items()
                 for f in doc["findings"] if f["rule"] in QUESTION_RULES for e in f["evidence"]]
        wages = [(key[0], key[1], e["record_id"]) for key, doc in docs.items() for f in doc["findings"]
                 if f["rule"] == WAGE_QUESTION_RULE and f["severity"] == "warn" for e in f["evidence"]
                 if e["source"] == "tax"]
        if wages:
            ctx.con.register("asked_wages", pa.table(dict(zip(("request_id", "household_id", "record_id"),
                                                              map(list, zip(*wages))))))
            with transaction(ctx.con):
                run_sql(ctx.con, wage_questions_sql(ctx.run_id, "assess_slice", ANSWERS),
                        label="questions about wages nobody could place")
            ctx.con.unregister("asked_wages")
            asked += [(r, h, "tax", x) for r, h, x in wages]
        if asked:
            # the rows a finding asks about become review questions a caseworker can answer on the
            # sheet; their households are assessed again so that the report lists the question too
            # (a probe's report said "无待复核匹配" beside a sheet asking about its car)
            ctx.con.register("asked_rows", pa.table(dict(zip(("request_id", "household_id", "source", "record_id"),
                                                             map(list, zip(*asked))))))
            with transaction(ctx.con):
                run_sql(ctx.con, questions_sql(ctx.run_id), label="questions about rows nobody is linked to")
            run_sql(ctx.con, "CREATE OR REPLACE TEMP TABLE assess_again AS SELECT w.* FROM assess_slice w "
                             "SEMI JOIN asked_rows USING (request_id, household_id)", label="households asked about")
            ctx.con.unregister("asked_rows")
            docs.update(_assess_slice(ctx, "assess_again", as_of, generated_at, unreadable, empty))
        for doc in docs.values():
            ctx.documents.append(doc)
    for table in ("assess_slice", "assess_again", "work_order", "work_unclaimed", "temp.file_repeats"):
        run_sql(ctx.con, f"DROP TABLE IF EXISTS {table}", label="drop slices")
    return len(ctx.documents)


def _assess_slice(ctx: PassContext, rel: str, as_of: dict, generated_at: str,
                  unreadable: dict | None = None, empty: tuple = ()) -> dict[tuple, dict]:
    """The documents of the households in `rel` (rows of `work_households`), in household order."""
    docs: dict[tuple, dict] = {}
    households = _grouped(ctx, f"SELECT * FROM {rel} ORDER BY request_id, household_id", "work households")
    members = _grouped(ctx, f"SELECT m.* FROM work_members m JOIN {rel} USING (request_id, household_id) "
                            "ORDER BY request_id, household_id, member_no", "members")
    income = _grouped(ctx, income_records_sql(rel), "income evidence")
    vehicles = _grouped(ctx, vehicles_sql(rel), "vehicle evidence")
    properties = _grouped(ctx, properties_sql(rel), "property evidence")
    accounts = _grouped(ctx, accounts_sql(rel), "bank evidence")
    other_balances = _grouped(ctx, other_balances_sql(rel), "bank rows no figure reads")
    refused = _grouped(ctx, refused_sql(rel), "refused rows of members")
    newer = _grouped(ctx, newer_balances_sql(rel), "newer balances nobody is linked to")
    unclaimed = _grouped(ctx, unclaimed_sql(rel), "rows under members' names nobody is linked to")
    unsure = _grouped(ctx, unsure_wages_sql(rel, answers=ANSWERS), "wage rows under members' names the linker could not place")
    links = _grouped(ctx, f"SELECT l.* FROM links l JOIN {rel} USING (request_id, household_id)", "links")
    for recs in links.values():
        for r in recs:
            r["evidence_json"] = json.loads(r["evidence"]) if r["evidence"] else None
    for key, (hh,) in households.items():
        hh = {**hh, "run_id": ctx.run_id}
        try:
            doc = build_household(hh, members[key], income.get(key, []), vehicles.get(key, []),
                                  properties.get(key, []), accounts.get(key, []), links.get(key, []),
                                  ctx.policy, as_of, generated_at, refused=refused.get(key, []),
                                  newer_balances=newer.get(key, []), unclaimed=unclaimed.get(key, []),
                                  unsure_wages=unsure.get(key, []), other_balances=other_balances.get(key, []),
                                  unreadable=unreadable, delivered_empty=empty)
        except Exception as exc:  # noqa: BLE001 - one odd household must not hold up the others
            ctx.counts["households_failed"] += 1
            ctx.messages.append(f"household {key[1]} of request {key[0]} not assessed: "
                                f"{type(exc).__name__}: {exc}; its request stays unanswered")
            ctx.failed_requests.add(key[0])
            continue
        doc["_out_dir"] = (hh["agency"], hh["out_dir"])
        docs[key] = doc
    return docs
