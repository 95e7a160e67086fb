"""Change alerts: a household on the rolls, re-verified, against its previous verification.

What counts as a change, and how a household's facts are taken and compared, is
`pipelines.changes`; this module runs it over a pass's re-verified households and writes
the alerts.

A household with an alert gets its full report in `outbox/<agency>/nightly-<date>/`, as does one
whose figures, roll rows, warnings or cited records changed without one (the report says which);
the others get none and keep their standing assessment. Facts are recorded for every re-verified
household, so the next night compares with the latest state."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date

import pyarrow as pa

from assessment.facts import PROGRAM_LABELS
from pipelines.affected import previous_rolls_pass, roll_hash_sql
from pipelines.corrections import correction_lines
from pipelines.changes import alert, compare, figures_moved, figures_note, roll_note
from pipelines.household_facts import KEYRING_TEXT, facts_form, facts_of
from pipelines.persons import person_keys
from pipelines.reissue import mark_reissues
from pipelines.context import PassContext
from pipelines.rolls_held import HELD_KIND
from pipelines.snapshot import person_key, secret_key
from review import affected_households_sql
from pipelines.outputs import private_dir
from reports.masking import escape_formula, scrub, scrub_text
from reports.writer import write_atomic
from warehouse.sql import fetch_grouped

def _previous(ctx: PassContext) -> tuple[dict, dict]:
    rows = ctx.con.execute(
        "SELECT f.* FROM household_facts_latest f JOIN work_households w USING (request_id, household_id) "
        "WHERE w.origin = 'rolls'").fetchall()
    cols = [c[0] for c in ctx.con.description]
    facts = {}
    for row in rows:
        rec = dict(zip(cols, row))
        for k in ("vehicles", "properties", "income_sources", "unverified"):
            rec[k] = json.loads(rec[k] or "[]") if rec.get(k) is not None or k != "unverified" else None
        facts[(rec["request_id"], rec["household_id"])] = rec
    # the agency of each household's latest assessment: a household the rolls moved to another
    # agency is new to that agency's roll
    seen = {(r, h): (agency, county, program, day) for r, h, agency, county, program, day in ctx.con.execute(
        "SELECT h.request_id, h.household_id, arg_max(h.agency, h.assessed_at), arg_max(h.county_code, h.assessed_at), "
        "arg_max(h.program, h.assessed_at), arg_max(h.request_date, h.assessed_at) "
        "FROM assessment_history h JOIN work_households w USING (request_id, household_id) "
        "WHERE w.origin = 'rolls' GROUP BY ALL").fetchall()}
    return facts, seen


def _label(program: str | None) -> str:
    return PROGRAM_LABELS.get(program or "", program or "")


def _grouped_members(rows) -> dict:
    out: dict = defaultdict(list)
    for request, household, member_no, name, id_number, id_status in rows:
        out[(request, household)].append({"member_no": member_no, "name": name, "id_number": id_number,
                                          "id_status": id_status})
    return out


def _persons(ctx: PassContext, secret: bytes) -> dict:
    """(request, household) → member_no → person, for the households on the rolls at work."""
    rows = ctx.con.execute("SELECT request_id, household_id, member_no, name, id_number, id_status FROM work_members "
                           "WHERE origin = 'rolls'").fetchall()
    return {key: person_keys(ms, secret) for key, ms in _grouped_members(rows).items()}


def _previous_members(ctx: PassContext, old: dict, secret: bytes) -> dict:
    """(request, household) → member_no → person of the rolls rows that old-form facts were taken
    from: the snapshot whose rows of the household hash to the facts' `roll_hash` (the latest, if
    several do). A household whose rows are not found is compared by member_no that once."""
    old = {k: h for k, h in old.items() if h}
    if not old:
        return {}
    ctx.con.register("old_facts_src", pa.table({"request_id": [k[0] for k in old], "household_id": [k[1] for k in old],
                                                "roll_hash": list(old.values())}))
    try:
        rows = ctx.con.execute(f"""
WITH versions AS (
    SELECT a.request_id, a.household_id, a.batch_id, max(a.loaded_at) AS loaded_at,
           {roll_hash_sql()} AS roll_hash
    FROM applicant_rows a JOIN old_facts_src o USING (request_id, household_id)
    WHERE a.origin = 'rolls' GROUP BY a.request_id, a.household_id, a.batch_id
), taken AS (
    SELECT request_id, household_id, arg_max(batch_id, loaded_at) AS batch_id
    FROM versions JOIN old_facts_src USING (request_id, household_id, roll_hash) GROUP BY ALL
)
SELECT a.request_id, a.household_id, a.member_no, a.name, a.id_number, a.id_status
FROM applicant_rows a JOIN taken USING (request_id, household_id, batch_id) WHERE a.origin = 'rolls'""").fetchall()
    finally:
        ctx.con.unregister("old_facts_src")
    return {key: person_keys(ms, secret) for key, ms in _grouped_members(rows).items()}


def detect_changes(ctx: PassContext) -> int:
    """Stage: compare each re-verified household on the rolls with its previous facts; mark what to write
    (and an answered request's reports issued again: `pipelines.reissue`)."""
    corrected = correction_lines(ctx.con)   # once, for the reissued requests and the rolls alike
    mark_reissues(ctx, corrected)
    if not ctx.include_rolls:
        return 0
    rolls = {(r, h): roll_hash for r, h, roll_hash in ctx.con.execute(
        "SELECT w.request_id, w.household_id, s.roll_hash FROM work_households w "
        "JOIN roll_state s USING (request_id, household_id) WHERE w.origin = 'rolls'").fetchall()}
    prev_facts, assessed_before = _previous(ctx)
    secret = secret_key(ctx.root)
    persons, keyring = _persons(ctx, secret), person_key(secret, KEYRING_TEXT, "K")
    prev_members = _previous_members(ctx, {k: f["roll_hash"] for k, f in prev_facts.items()
                                           if k in rolls and facts_form(f) == 1}, secret)
    # a caseworker's answer changes the report they read: it is written again even without an
    # alert (a probe's confirmed links still showed 'review' in the outbox report)
    answered = {(r, h) for r, h, _ in ctx.con.execute(affected_households_sql(ctx.run_id, since_rolls=True)).fetchall()}
    # a held household's warning sends the caseworker to its report: it is written that night
    held = {(n["request_id"], n["household_id"]) for n in ctx.rolls.get("notices", []) if n["kind"] == HELD_KIND}
    # held at the last rolls pass and not now: its latest report says it is held (a rolls probe's four
    # households kept the held page once the corrected roll had been verified)
    last = previous_rolls_pass(ctx.con)
    unheld = {(r, h) for r, h in ctx.con.execute(
        "SELECT DISTINCT request_id, household_id FROM alerts WHERE kind = ? AND run_id = ?",
        [HELD_KIND, last["run_id"] if last else ""]).fetchall()} - held
    # households that left the rolls after their last facts and are back (a nightly probe's came
    # back with neither an alert nor a report, household_assessment showing a month-old figure)
    returned = {(r, h) for r, h in ctx.con.execute(
        "SELECT DISTINCT a.request_id, a.household_id FROM alerts a JOIN household_facts_latest f "
        "USING (request_id, household_id) WHERE a.kind = 'rolls.left' AND a.raised_at > f.recorded_at").fetchall()}
    # alerts raised earlier today: a second pass of the day rewrote a household's nightly report with
    # its own changes only, and summary.txt sent the caseworker to a page without the first's (a nightly probe)
    today: dict = defaultdict(list)
    for r, h, kind, severity, message in ctx.con.execute(
            "SELECT request_id, household_id, kind, severity, message FROM alerts WHERE as_of = ? AND run_id <> ? "
            "ORDER BY raised_at, kind, message", [ctx.as_of, ctx.run_id]).fetchall():
        today[(r, h)].append({"kind": kind, "severity": severity, "message": message})
    shown: dict = defaultdict(set)    # the warnings of each household's standing report
    for r, h, rule, message in ctx.con.execute(
            "SELECT f.request_id, f.household_id, f.rule, f.message FROM findings f "
            "JOIN household_assessment a USING (run_id, request_id, household_id) "
            "JOIN work_households w USING (request_id, household_id) "
            "WHERE w.origin = 'rolls' AND f.severity IN ('warn', 'fail')").fetchall():
        shown[(r, h)].add((rule, message))
    changed = alerts_count = 0
    with_alerts: set = set()
    for i, note in enumerate(ctx.documents.notes()):
        key = (note["request_id"], note["household_id"])
        if key not in rolls:
            continue
        doc = ctx.documents.load(i)
        doc_findings, facts = doc["findings"], facts_of(doc, persons.get(key), keyring)
        prev = prev_facts.get(key)
        before, county_before, program_before, date_before = assessed_before.get(key, (None, None, None, None))
        if before is not None and before != note["agency"]:
            # another agency's household until this snapshot: everything is news to this agency
            alerts = [_first_check(f"由{before}转入本机构名册的家庭，本机构首次核对", facts, doc_findings)]
        elif key in returned:
            # compared with its facts before it left: a partial roll dropped a household for a night,
            # and the car it bought meanwhile came back as no news (a nightly probe)
            # and one back out of the conditions is a warning, as a newcomer's is: a rolls probe's came back
            # failing (a car), told only "back on the rolls" because it already failed before it left
            failing = facts.get("outcome") == "fail"
            alerts = [alert("new_on_rolls", "warn" if failing else "info", "曾退出名册、重新纳入名册的家庭，重新核对"
                            + ("：不符合条件（见核对报告），请核实是否应退出" if failing else "")
                            + ("；以下变动与退出前最后一次核对相比" if prev is not None else "")),
                      *(compare(prev, facts, prev_members.get(key)) if prev is not None else ())]
        elif prev is not None:
            alerts = compare(prev, facts, prev_members.get(key)) + _listed_again(shown.get(key), doc_findings)
        elif key not in assessed_before:
            alerts = [_first_check("新纳入名册的家庭，首次核对", facts, doc_findings)]
        else:
            alerts = []  # verified before facts were recorded (a warehouse older than 0006): baseline only
        moved = before is not None and (before != note["agency"] or county_before != note.get("county_code")
                                        or program_before != note.get("program"))
        if before == note["agency"] and county_before is not None and county_before != note.get("county_code"):
            # the county decides the standard: its change is news, and the report says it (a probe's
            # move stayed under the old county in household_assessment, no report written)
            alerts = [alert("household.county_changed", "info",
                            f"家庭所在区县由{county_before}变为{note.get('county_code')}，按新区县的标准核对"),
                      *alerts]
        if before == note["agency"] and program_before is not None and program_before != note.get("program"):
            # the programme decides the standard and the rules: unannounced, a 特困 household moved to
            # 低保 kept its 特困 assessment in household_assessment while its outcome stood (a nightly probe)
            alerts = [alert("household.program_changed", "info",
                            f"救助项目由{_label(program_before)}变为{_label(note.get('program'))}，按新项目的规则核对"),
                      *alerts]
        # a move to another agency is recorded whatever the report says: unrecorded, the household
        # stayed the old agency's in household_assessment and was 'new' to the new one every night
        # it changed, its real changes (a car bought) never compared (a nightly probe)
        # a figure or record moved without crossing a line: the report is written anyway, or the
        # household_assessment row recorded below points at a report with the old figures (a nightly
        # probe's corrected wage, 333.33 → 336.11, shown nowhere)
        moved_figures = figures_moved(prev, facts)
        # the roll's rows of the household changed (a member's ID corrected) with no figure or alert:
        # the report still showed the ID as wrong and asked for it to be corrected (a rolls probe)
        rerolled = prev is not None and prev.get("roll_hash") not in (None, rolls[key])
        marks = {"_facts": {**facts, "roll_hash": rolls[key]}, "_alerts": alerts,
                 "_write": bool(alerts) or key in answered or moved or key in held or bool(moved_figures)
                           or rerolled or key in unheld,
                 # verified as of another date (the window moved): household_assessment shows this one (a
                 # nightly probe read four households' month-old request date and run beside the audit's)
                 "_record": prev is None or prev["fingerprint"] != facts["fingerprint"] or moved or key in returned
                            or str(date_before) != str(note.get("request_date"))}
        said = [{k: a[k] for k in ("kind", "severity", "message")} for a in alerts]
        if not alerts and moved_figures:
            said = [figures_note(moved_figures)]
        elif not alerts and (rerolled or key in unheld) and key not in held:
            said = [roll_note(key in unheld)]
        warned = {(f["rule"], f["message"]) for f in doc_findings if f["severity"] in ("warn", "fail")}
        if not said and prev is not None and key in shown and warned != shown[key]:
            # a warning came or went with nothing to alert: the report is written, or report_path names a
            # page without it (an adversarial probe's member.elsewhere). Not for any change of the report:
            # a new row that counts for nothing wrote half a benchmark night's reports, each saying nothing
            said, marks["_write"] = [findings_note(shown[key], doc_findings)], True
        if key in corrected:    # which rows moved it, and what they said before
            said, marks["_write"] = said + [corrected[key]], True
        # a report written is the household's latest: recorded, or report_path names the one before it
        marks["_record"] = marks["_record"] or marks["_write"]
        if said or (marks["_write"] and today.get(key)):
            marks["changes"] = today.get(key, []) + [c for c in said if c not in today.get(key, [])]
        if alerts:
            changed += 1
            with_alerts.add(key)
        alerts_count += len(alerts)
        ctx.documents.annotate(i, **marks)
    # and the households the roll's own notices are about (one that left has no report): the console
    # said 5 beside summary.txt's 6 (a month-of-life probe)
    ctx.counts["households_changed"] = changed + len({(n["request_id"], n["household_id"])
                                                      for n in ctx.rolls.get("notices", [])} - with_alerts)
    # every row the pass adds to `alerts`, the roll's own notices (held, left) too: counted apart,
    # runs.alerts said 13 beside 15 rows of alerts and of alerts.jsonl (a nightly probe)
    ctx.counts["alerts"] = alerts_count + len(ctx.rolls.get("notices", []))
    return changed


LISTED = ("member.elsewhere", "rolls.elsewhere")
"""Findings that are news to the agency of a rolls household whenever they are new: the person is
claimed or paid in another household (a probe's agency never heard of another agency's 低保 filing
for its members: its household was already `review`, so no outcome changed)."""


def _listed_again(shown: set | None, findings: list[dict]) -> list[dict]:
    """An alert for each `LISTED` warning of `findings` its standing report (`shown`) did not give."""
    if shown is None:
        return []
    return [alert(f["rule"], "warn", f["message"]) for f in findings
            if f["rule"] in LISTED and (f["rule"], f["message"]) not in shown]


def findings_note(shown: set, findings: list[dict]) -> dict:
    """The change line of a report written because its warnings changed with no alert."""
    new = [f["message"] for f in findings if f["severity"] in ("warn", "fail") and (f["rule"], f["message"]) not in shown]
    gone = len(shown - {(f["rule"], f["message"]) for f in findings})
    said = ("新增提示：" + "；".join(m[:80] for m in new[:2]) if new else "") + \
           (("；" if new else "") + f"{gone}项提示已不再出现" if gone else "")
    return {"kind": "findings.changed", "severity": "info",
            "message": "与上次核对相比，核对提示有变化" + (f"（{said}）" if said else "") + "，无变动提醒"}


def _first_check(text: str, facts: dict, findings: list[dict] = ()) -> dict:
    """`new_on_rolls`: news (info), and a warning when the first check already finds the household out
    of the programme's conditions (a programmes probe's first night listed three failing rolls households,
    one to be withdrawn, as information only), or a member listed twice (an adversarial probe's)."""
    if facts.get("outcome") == "fail":
        return alert("new_on_rolls", "warn", text + "：不符合条件（见核对报告），请核实是否应退出")
    if any(f["rule"] in LISTED for f in findings):
        return alert("new_on_rolls", "warn", text + "：有成员同时列在其他家庭或申请中（见核对报告），请核实是否重复")
    return alert("new_on_rolls", "info", text)


def facts_rows(ctx: PassContext) -> list[list]:
    """household_facts rows (recorded_at left to the insert) for every re-verified household on the rolls."""
    out = []
    for d in ctx.documents.notes():
        f = d.get("_facts")
        if f is None:
            continue
        out.append([ctx.run_id, ctx.as_of, d["request_id"], d["household_id"], d["agency"],
                    ctx.rolls.get("batch_id"), f["roll_hash"], f["outcome"], f["fingerprint"],
                    f["income_per_capita"], f["income_standard"], f["financial_per_capita"],
                    f["asset_limit_per_capita"]]
                   + [json.dumps(f[k], ensure_ascii=False) for k in ("vehicles", "properties", "income_sources",
                                                                      "unverified")])
    return out


def alert_rows(ctx: PassContext, written: dict) -> list[list]:
    """alerts rows (raised_at left to the insert), each pointing at the household's written report;
    and the roll's own notices (`pipelines.rolls_held`): a held household's points at the report
    written with it, a household that left has none."""
    def report_of(request_id: str, household_id: str) -> str | None:
        paths = written.get((request_id, household_id), [])
        return next((p for p in paths if p.endswith(".html")), paths[0] if paths else None)

    out = [[ctx.run_id, ctx.as_of, n["agency"], n["request_id"], n["household_id"], n["county_code"], n["program"],
            n["kind"], n["severity"], n["message"], None, None,
            report_of(n["request_id"], n["household_id"]) if n["kind"] == HELD_KIND else None]
           for n in ctx.rolls.get("notices", [])]
    for d in ctx.documents.notes():
        html = report_of(d["request_id"], d["household_id"])
        for a in d.get("_alerts", []):
            out.append([ctx.run_id, ctx.as_of, d["agency"], d["request_id"], d["household_id"], d["county_code"],
                        d["program"], a["kind"], a["severity"], a["message"], a["before"], a["after"], html])
    return out


CSV_FIELDS = ("household_id", "request_id", "county_code", "program", "severity", "kind", "message",
              "before", "after", "report")


def _agency_files(agency: str, as_of: date, run: dict, alerts: list[dict],
                  rejected: list[tuple[str, str]] = ()) -> dict[str, bytes]:
    # a household keyed by its head's ID number was masked in its report and the report's name but
    # printed in full here (a privacy probe): these files are read by people as much as the reports
    alerts = scrub(alerts)
    households = sorted({a["household_id"] for a in alerts})
    by_severity = {s: sum(1 for a in alerts if a["severity"] == s) for s in ("warn", "info")}
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    w.writeheader()
    for a in alerts:
        w.writerow({k: escape_formula(a.get(k)) for k in CSV_FIELDS})
    lines = [f"夜间核对变动提示 / nightly change alerts — {agency} — {as_of.isoformat()}",
             f"本次核对 pass {run['run_id']}（{run['work']}），对比上次核对 compared with the pass of "
             f"{run['previous_as_of'] or '—'}",
             f"名册家庭 households on the rolls: {run['households_on_rolls']}；本次重新核对 re-verified: "
             f"{run['households_reverified']}；今日有变动 changed today: {len(households)}",
             f"提示 alerts: warn {by_severity['warn']}, info {by_severity['info']}", ""]
    if rejected:   # "no changes today" beside a roll the night could not read misled (a month-of-life probe)
        # the rolls are said to be the previous snapshot's only when a roll was rejected (a nightly probe's
        # clerk read "名册沿用上一版" over the roll changes of the night, a vehicle file rejected)
        rolls = any(source == "rolls" for source, _ in rejected)
        lines += ["今日有文件未能读取，未载入：本次按此前载入的数据核对" + ("（名册沿用上一版）" if rolls else "")
                  + "，其中的变动待重新报送后才会提示。",
                  "Files rejected today, not loaded: this pass used the data loaded before them"
                  + (" (the previous rolls snapshot)" if rolls else "")
                  + ", and what they would change is told once they are sent again:"]
        lines += [f"  - {source}: {scrub_text(path)}（见/see rejected/{source}/）" for source, path in rejected]
        lines.append("")
    for a in alerts:
        lines.append(f"[{a['severity']}] {a['household_id']} ({a['program']}, {a['county_code']}) "
                     f"{a['kind']}: {a['message']}" + (f"  → {a['report']}" if a.get("report") else ""))
    if not alerts:
        lines.append("今日无变动。No changes today.")
    lines += ["", "变动家庭的完整核对报告在本目录（<household_id>.html / .json）；alerts.csv / alerts.jsonl 列出每条提示。",
              "The changed households' full reports are in this folder; alerts.csv and alerts.jsonl list every alert."]
    jsonl = "".join(json.dumps({"agency": agency, "as_of": as_of.isoformat(), **a}, ensure_ascii=False, default=str)
                    + "\n" for a in alerts)
    return {"alerts.jsonl": jsonl.encode(),
            "alerts.csv": buf.getvalue().encode("utf-8-sig"),
            "summary.txt": ("\n".join(lines) + "\n").encode()}


REPORT_IN_FOLDER_SQL = "regexp_replace(report_path, '^outbox/[^/]+/nightly-[0-9]+/', '')"
"""An alert's report as the agency's nightly folder names it: a household on the rolls under two
programmes has its second report in a subfolder (ROLL-…/HH….html), and the bare file name
pointed both programmes' alerts at the first one (a probe)."""


def write_alerts(ctx: PassContext) -> int:
    """Stage: alerts.jsonl, alerts.csv and summary.txt in every rolls agency's nightly folder.

    `.jsonl`, not `.json`: in an outbox folder every `*.json` is a household report (contract §4).

    The alert list is the day's (every pass on this date), so a second pass on the same day adds
    to the folder instead of emptying it. Written even when nothing changed: the agency can see
    that the nightly ran.
    """
    if not ctx.include_rolls:
        return 0
    per_agency = {a: (on, re) for a, on, re in ctx.con.execute(
        # every household of the roll verified in this pass, whatever brought it (new data, an answer,
        # a corrected record): counting the new data's alone said "re-verified: 0" beside an answer's
        "SELECT s.agency, count(*), count(w.household_id) FROM roll_state s "
        "LEFT JOIN work_households w USING (request_id, household_id) GROUP BY s.agency").fetchall()}
    by_agency = fetch_grouped(
        ctx.con,
        "SELECT agency, household_id, request_id, county_code, program, severity, kind, message, before, after, "
        f"{REPORT_IN_FOLDER_SQL} AS report, run_id FROM alerts WHERE as_of = ? "
        "ORDER BY agency, severity DESC, household_id, kind", [ctx.as_of],
        key=lambda r: r.pop("agency"), label="the day's alerts")
    prev = (ctx.rolls.get("previous") or {}).get("as_of")
    folder_name = f"nightly-{ctx.as_of.strftime('%Y%m%d')}"
    rejected = ctx.con.execute(
        "SELECT f.source, f.path FROM files f JOIN runs r USING (run_id) WHERE f.status = 'rejected' "
        "AND f.agency IS NULL AND r.as_of = ? ORDER BY f.seen_at", [ctx.as_of]).fetchall()
    for agency in sorted(set(per_agency) | set(by_agency)):   # an agency whose households all left still hears it
        on_rolls, reverified = per_agency.get(agency, (0, 0))
        folder = private_dir(ctx.root / "outbox" / agency / folder_name)
        run = {"run_id": ctx.run_id, "work": ctx.rolls.get("reason"), "previous_as_of": prev and prev.isoformat(),
               "households_on_rolls": on_rolls, "households_reverified": reverified}
        for name, data in _agency_files(agency, ctx.as_of, run, by_agency.get(agency, []), rejected).items():
            write_atomic(folder / name, data)
    return sum(len(v) for v in by_agency.values())
