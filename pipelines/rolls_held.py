"""The rolls between two snapshots: households held at their previous version, and households gone.

The rolls arrive as full snapshots, and the latest is the current roll (`rolls_current`). A
snapshot's bad rows are quarantined like any file's; were the rest simply taken as the roll, a
household with one rejected member row would be re-verified without that member (a smaller
household, perhaps lower income: a false pass, and a false "pension ended" alert), and a
household whose every row was rejected (its agency left empty) would silently leave the rolls.
So a household with a rejected row whose member the latest snapshot lacks is *held*: it keeps
its latest earlier version that was not held (`rolls_held`, read by the `rolls_current` view,
migration 0012) until a snapshot brings the rows corrected, and the nightly says so. A household
held in its first snapshot has no earlier version: it is not verified until then.

A household in the previous rolls pass's snapshot that the current roll no longer has has left
the rolls: the nightly says so once, and `household_assessment` no longer shows it.
"""

from __future__ import annotations

from pipelines.context import PassContext
from pipelines.row_errors import rejected_members
from warehouse.sql import run_sql

HELD_KIND, LEFT_KIND = "rolls.held", "rolls.left"


def refresh_rolls_held(con) -> None:
    """Rebuild `rolls_held` from the quarantined rows of every rolls snapshot.

    A row counts when its member is missing from that snapshot's loaded rows: an exact copy of a
    loaded row is quarantined too, but its member is there. A row too broken to name its household
    holds nothing (there is nothing to hold); the agency still gets it in `rejected/rolls/`. Nor
    does a row of another agency than the household's loaded rows.
    """
    con.register("rolls_rejected_src", rejected_members(con, "rolls"))
    try:
        run_sql(con, """
DELETE FROM rolls_held;
INSERT INTO rolls_held
SELECT q.batch_id, q.household_id, count(*) FROM rolls_rejected_src q
LEFT JOIN applicant_rows a ON a.origin = 'rolls' AND a.batch_id = q.batch_id AND a.household_id = q.household_id
     AND CAST(a.member_no AS VARCHAR) = q.member_no
WHERE q.batch_id IS NOT NULL AND q.household_id IS NOT NULL AND a.member_no IS NULL
  -- another agency's row is no member of this household: it held agA's household for agB's row
  -- filed under agA's request_id (a row without an agency still holds it: whose it is, is unsaid)
  AND NOT EXISTS (SELECT 1 FROM applicant_rows o WHERE o.origin = 'rolls' AND o.batch_id = q.batch_id
                  AND o.household_id = q.household_id AND o.agency <> q.agency)
GROUP BY ALL""", label="rolls: households held at their previous version")
    finally:
        con.unregister("rolls_rejected_src")


def latest_rolls_batch(con) -> str | None:
    """The batch of the latest rolls snapshot (held households' rows come from earlier ones)."""
    row = con.execute("SELECT batch_id FROM applicant_rows WHERE origin = 'rolls' "
                      "ORDER BY loaded_at DESC, batch_id DESC LIMIT 1").fetchall()
    return row[0][0] if row else None


def roll_notices(ctx: PassContext, previous_batch: str | None) -> list[dict]:
    """Alerts (without a report) for the households held or gone in this pass's roll, and a
    message for the pass summary. Needs `roll_state` (the current roll, one row per household)."""
    latest = latest_rolls_batch(ctx.con)
    if latest is None:
        return []
    held = ctx.con.execute("""
SELECT h.household_id, h.rows_rejected, s.request_id IS NOT NULL AS kept, a.request_id, a.agency, a.county_code, a.program,
       f.path
FROM rolls_held h
LEFT JOIN roll_state s USING (household_id)
LEFT JOIN (SELECT household_id, any_value(request_id) AS request_id, any_value(agency) AS agency,
                  any_value(county_code) AS county_code, any_value(program) AS program
           FROM applicant_rows WHERE origin = 'rolls' GROUP BY household_id) a USING (household_id)
LEFT JOIN (SELECT batch_id, any_value(path) AS path FROM files WHERE status = 'loaded' GROUP BY batch_id) f
       ON f.batch_id = h.batch_id
WHERE h.batch_id = ?
ORDER BY h.household_id""", [latest]).fetchall()
    # A household none of whose rows loaded (all rejected: under another agency's request_id, say)
    # is named by its rejected rows: they say whose it is.
    rejected = {}
    for r in rejected_members(ctx.con, "rolls").to_pylist():
        if r["batch_id"] == latest and r["household_id"] and r["agency"]:
            rejected.setdefault(r["household_id"], (r["request_id"], r["agency"]))
    notices = []
    # once per snapshot: a second pass over the same roll repeated the warning in the day's
    # summary and counted it as a change (a contract probe)
    for household, n, kept, request, agency, county, program, path in (held if latest != previous_batch else []):
        if agency is None and household in rejected:
            request, agency = rejected[household]
        if agency is None:           # never named with any agency: nobody to tell but the pass summary
            continue
        where = f"（见 rejected/rolls/ 中 {path} 的错误清单）" if path else ""
        message = (f"名册该家庭有{n}行未通过检查{where}，沿用上一版名册信息核对，待下一版名册更正后更新"
                   if kept else f"名册该家庭有{n}行未通过检查{where}，在下一版名册更正前不予核对")
        notices.append({"agency": agency, "request_id": request, "household_id": household, "county_code": county,
                        "program": program, "kind": HELD_KIND, "severity": "warn", "message": message})
    if held:
        ctx.messages.append(f"rolls: {len(held)} household(s) with rejected rows in the latest snapshot keep their "
                            f"previous version until corrected rows arrive: "
                            + ", ".join(h[0] for h in held[:10]) + (" …" if len(held) > 10 else ""))
    if previous_batch and previous_batch != latest:
        # household numbers are each agency's own: a household has left its agency's roll when that agency
        # no longer lists the number (a degenerate-data probe's agency_y/HH-001 left unsaid, agency_x
        # listing an HH-001 of its own), unless its people are on another agency's roll under it (moved)
        absent = ctx.con.execute("""
SELECT p.household_id, any_value(p.request_id), p.agency, any_value(p.county_code), any_value(p.program),
       min(c.agency) AS now
FROM applicant_rows p
LEFT JOIN rolls_current c ON c.household_id = p.household_id AND c.agency IS DISTINCT FROM p.agency
                         AND c.id_number = p.id_number AND c.id_status IN ('valid', 'repaired')
WHERE p.origin = 'rolls' AND p.batch_id = ?
  AND NOT EXISTS (SELECT 1 FROM roll_state s WHERE s.household_id = p.household_id
                                              AND s.agency IS NOT DISTINCT FROM p.agency)
GROUP BY p.household_id, p.agency ORDER BY p.household_id, p.agency""", [previous_batch]).fetchall()
        gone = [row[:5] for row in absent if row[5] is None]
        moved = [row for row in absent if row[5] is not None]
        partial = _partial_rolls(ctx, previous_batch, gone)
        for household, request, agency, county, program in gone:
            kept_of = partial.get(agency)
            notices.append({"agency": agency, "request_id": request, "household_id": household,
                            "county_code": county, "program": program, "kind": LEFT_KIND,
                            "severity": "warn" if kept_of else "info",
                            "message": "该家庭不在最新名册中，不再核对（以往核对结果保留在 assessment_history）" + (
                                f"；但最新名册只列出本机构上一版名册{kept_of[1]}户中的{kept_of[0]}户，可能不完整："
                                "如该家庭确已退出救助则无需处理，否则请重新报送完整名册（名册为全量快照，"
                                "未列入的家庭在此之前不予核对）" if kept_of else "")})
        for agency, (kept, before) in sorted(partial.items()):
            ctx.messages.append(f"rolls: the latest snapshot lists {kept} of the {before} households agency {agency} "
                                "had on the previous one: if it is partial, send the whole roll again (a snapshot "
                                "replaces the previous one; the households left out are not verified until then)")
        if gone:
            ctx.messages.append(f"rolls: {len(gone)} household(s) left the rolls: "
                                + ", ".join(g[0] for g in gone[:10]) + (" …" if len(gone) > 10 else ""))
        # a household the snapshot moved to another agency has left the first agency's roll (the
        # new agency hears of it as new on its roll: pipelines.alerts)
        for household, request, agency, county, program, now in moved:
            notices.append({"agency": agency, "request_id": request, "household_id": household,
                            "county_code": county, "program": program, "kind": LEFT_KIND, "severity": "info",
                            "message": f"该家庭已转入{now}的名册，本机构不再核对（以往核对结果保留在 assessment_history）"})
    return notices


PARTIAL_SHARE = 1 / 3
"""An agency's households a snapshot may leave out, against the previous one, before its leaving is
a warning: a nightly probe's partial roll (4 of 11 households) dropped seven households on aid without
a word, an agency's only household among them, and verified none of them that night."""
PARTIAL_MIN = 3


def _partial_rolls(ctx: PassContext, previous_batch: str, gone: list) -> dict[str, tuple[int, int]]:
    """agency -> (households kept, households before) for the agencies the latest snapshot left
    without their whole roll (of two households or more: an agency's one household leaving the rolls
    is ordinary), or without more than `PARTIAL_SHARE` of it (`PARTIAL_MIN` at least)."""
    left: dict = {}
    for _, _, agency, _, _ in gone:
        left[agency] = left.get(agency, 0) + 1
    before = dict(ctx.con.execute("SELECT agency, count(DISTINCT household_id) FROM applicant_rows WHERE origin = "
                                  "'rolls' AND batch_id = ? GROUP BY agency", [previous_batch]).fetchall())
    return {agency: (before[agency] - n, before[agency]) for agency, n in left.items()
            if agency in before and n >= 2
            and (n == before[agency] or (n >= PARTIAL_MIN and n > PARTIAL_SHARE * before[agency]))}
