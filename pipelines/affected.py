"""Which households on the rolls a pass must re-verify: those that something new could change.

A household's assessment is a function of its rows on the rolls, the source rows linked to its
members, the income window (the request month), the policy and standards in force, and the
pass date (ages, bank balances dated up to it). So, against the last completed pass that
compared the rolls:

- everything, when there is no such pass, the pass date is in another month (the income window
  moved), the policy or a standard in force changed, or `--full` was asked for;
- otherwise the households whose rows on the rolls changed (or that are new on the rolls), and
  the households with a member that a source row loaded since then could belong to: the same ID
  number, or the same name — exact, simplified, or the same pinyin, so a homophone or a
  traditional-character spelling that the linker may still match is never missed — unless the
  row carries a valid ID whose birth date differs from the member's (another person of that
  name: common names would otherwise re-verify half the rolls for 1 % new rows); plus
  households linked to a record that was re-delivered (corrected), linked to a car or home whose
  plate or certificate a newly loaded register row gives (sold: another owner), linked to a bank balance
  dated since the last pass, with a member whose age changed, or with a member who joined or
  left the 低保/特困 rolls (a rule reads that).

Over-inclusion only costs time; missing a household would leave a stale assessment, so every
test here errs wide. Households not chosen keep their links and assessment from before.
The choice is computed once per pass into the temp tables `roll_state` (every household on the
current rolls, with a hash of its rows) and `rolls_work` (the households to re-verify, why).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from functools import lru_cache

import pyarrow as pa
from pypinyin import lazy_pinyin

from assessment.freshness import delivered_month_sql
from assessment.figures import NUMBER_KEY_SQL
from assessment.policy import Policy
from assessment.window import window_for
from connectors.schema import SOURCES
from connectors.values.idnumber import birth_date_sql
from connectors.values.names import to_simplified
from pipelines.context import PassContext
from pipelines.rolls_held import latest_rolls_batch, roll_notices
from warehouse.sql import run_sql

ROLL_FIELDS = ("agency", "program", "county_code", "member_no", "name", "id_number", "relation", "consent_ref",
               "birth_date", "gender", "address", "labor_capacity", "disability_grade",
               "declared_monthly_income", "declared_financial_assets")
"""The fields of a household's rows on the rolls that the assessment reads (lineage excluded)."""


def delivered_months(con, on: date) -> str:
    """The latest month each income source holds in full up to `on` (the window's end), as the
    assessment reads it (`assessment.freshness.delivered_month_sql`: a month with under half the
    usual rows is still being filed), e.g. `tax 2026-09, social_insurance 2026-09`. Read as the
    latest month with any row, a tax month's early filers moved nothing here while the rest,
    delivered the next night, moved every household's window: an independent probe's nightly
    re-verified none of its 383 households on the rolls, 41 kept stale income figures."""
    parts = []
    for source in ("tax", "social_insurance"):
        sql = f"SELECT {delivered_month_sql(f'(SELECT * FROM {source} WHERE period <= $on)', source)}"
        (last,) = con.execute(sql, {"on": on}).fetchall()[0]
        parts.append(f"{source} {last:%Y-%m}" if last else f"{source} none")
    # a register's or the banks' first export: every report said 从未报送 of it (`data.source_missing`,
    # `data_as_of` null), households without a row in it too (a determinism probe's three rolls
    # households kept saying so after the banks had delivered)
    for source in ("vehicle", "property", "bank"):
        (found,) = con.execute(f"SELECT EXISTS (SELECT 1 FROM {source})").fetchall()[0]
        parts.append(f"{source} {'delivered' if found else 'none'}")
    return ", ".join(parts)


def policy_key(policy: Policy, on: date) -> str:
    """A hash of the rule parameters and the standards in force on `on`, for every county."""
    state: dict = {"version": policy.version}
    for code in ("__default__", *sorted(policy.counties)):
        in_force = {}
        for area in ("urban", "rural"):
            try:
                in_force[area] = policy.standard(code, on, area).__dict__
            except LookupError as exc:
                in_force[area] = str(exc)
        state[code] = {"params": policy.county(code).params, "standards": in_force}
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:16]


@lru_cache(maxsize=262_144)
def name_key(name: str) -> str:
    """Toneless pinyin of the simplified name, spaces and dots dropped: 張偉, 张伟, 章伟 → zhangwei.

    Example:
        >>> name_key("張偉") == name_key("章伟") == "zhangwei"
        True
    """
    return re.sub(r"[\s·.\-]", "", "".join(lazy_pinyin(to_simplified(name)))).lower()


def roll_hash_sql() -> str:
    """SQL aggregate: the hash of a household's rolls rows over the fields the assessment reads
    (stored with the nightly's facts; `pipelines.alerts` finds old facts' snapshot by it)."""
    fields = ", ".join(f"coalesce(CAST({f} AS VARCHAR), '')" for f in ROLL_FIELDS)
    # program_area (migration 0024) as is: concat_ws skips a NULL, so the rows of a label naming no
    # area hash as they did before it existed, and the stored hashes still find their snapshots
    return f"md5(string_agg(concat_ws(chr(31), {fields}, program_area), chr(30) ORDER BY member_no, name))"


def roll_state_sql() -> str:
    """Every household on the current rolls, with a hash of the fields the assessment reads."""
    return f"""
CREATE OR REPLACE TEMP TABLE roll_state AS
SELECT request_id, household_id, any_value(agency) AS agency, any_value(batch_id) AS batch_id,
       {roll_hash_sql()} AS roll_hash
FROM rolls_current GROUP BY request_id, household_id
"""


def previous_rolls_pass(con) -> dict | None:
    rows = con.execute("SELECT run_id, as_of, started_at, policy_key, rolls_batch_id, window_end FROM runs "
                       "WHERE rolls_verified AND status = 'completed' ORDER BY started_at DESC LIMIT 1").fetchall()
    cols = ("run_id", "as_of", "started_at", "policy_key", "rolls_batch_id", "window_end")
    return dict(zip(cols, rows[0])) if rows else None


def _months(key: str | None) -> list[tuple[str, str]]:
    """(source, month) pairs of a policy key's delivered months (`delivered_months`)."""
    part = (key or "").split("|", 1)[1] if "|" in (key or "") else ""
    return [tuple(item.strip().split(" ", 1)) for item in part.split(",") if " " in item.strip()]


def full_reason(ctx: PassContext, prev: dict | None, key: str) -> str | None:
    """Why every household on the rolls must be re-verified, or None when only some must."""
    if ctx.full:
        return "full re-verification requested"
    if prev is None:
        return "first comparison of the rolls"
    if ctx.as_of < prev["as_of"]:
        return f"the pass date {ctx.as_of} is before the previous rolls pass ({prev['as_of']})"
    if (ctx.as_of.year, ctx.as_of.month) != (prev["as_of"].year, prev["as_of"].month):
        return f"the income window moved (previous pass {prev['as_of']}, now {ctx.as_of})"
    if (prev["policy_key"] or "").split("|")[0] != key.split("|")[0]:
        return "the policy or a standard in force changed"
    if prev["policy_key"] != key:
        # a new month delivered moves that source's window for every household (assessment.window.
        # source_windows): a wage that did not come back that month must show, not only new rows
        # name only the sources whose month moved (an independent probe read social insurance's
        # unchanged month among the night's news)
        before = dict(_months(prev["policy_key"]))
        moved = [f"{src} {month}" for src, month in _months(key) if before.get(src) != month]
        return f"a source delivered a new month or its first export ({', '.join(moved) or key.split('|', 1)[1]})"
    return None


def new_rows_sql() -> str:
    """Source rows of every batch loaded since the previous rolls pass started (this pass's too)."""
    cols = "record_id, name, name_raw, id_number, id_status, id_birth_date"
    union = "\nUNION ALL ".join(f"SELECT '{s}' AS source, {cols} FROM {s}_all WHERE batch_id IN (SELECT batch_id FROM b)"
                                for s in SOURCES)
    return f"""
CREATE OR REPLACE TEMP TABLE rolls_new_rows AS
WITH b AS (SELECT batch_id FROM files WHERE status = 'loaded' AND batch_id IS NOT NULL
           AND run_id IN (SELECT run_id FROM runs WHERE started_at > ?))
{union}
"""


NEW_REFUSED_SQL = """
CREATE OR REPLACE TEMP TABLE rolls_new_refused AS
SELECT DISTINCT source, record_id, id_number FROM quarantine
WHERE id_number IS NOT NULL AND run_id IN (SELECT run_id FROM runs WHERE started_at > ?)
"""
"""Rows refused at load since the previous rolls pass started that carry a validated ID: a member's
re-verification names them (`data.refused`), or a fail on a car re-sent as 转出 stands in silence
(an adversarial probe: the nightly verified no household on such a pass)."""


def _age_sql(on: str) -> str:
    # the birth date the assessment counts ages from, or a birthday by the ID would go unseen
    birth = birth_date_sql()
    return (f"(date_diff('year', {birth}, {on}) - "
            f"CAST(strftime({on}, '%m%d') < strftime({birth}, '%m%d') AS INTEGER))")


def _key(col: str) -> str:
    return NUMBER_KEY_SQL.format(col=col)


def affected_sql() -> str:
    """The households to re-verify (parameters: previous pass date, pass date, previous rolls batch)."""
    return f"""
CREATE OR REPLACE TEMP TABLE rolls_work AS
WITH m AS (
    SELECT request_id, household_id, name, name_raw, id_number, {birth_date_sql()} AS birth,
           {_age_sql('CAST($1 AS DATE)')} AS age_before, {_age_sql('CAST($2 AS DATE)')} AS age_now FROM rolls_current
), member_keys AS (
    SELECT m.*, k.key FROM m JOIN rolls_name_keys k ON k.name = m.name
    UNION SELECT m.*, k.key FROM m JOIN rolls_name_keys k ON k.name = m.name_raw
), row_keys AS (
    SELECT n.*, k.key FROM rolls_new_rows n JOIN rolls_name_keys k ON k.name = n.name
    UNION SELECT n.*, k.key FROM rolls_new_rows n JOIN rolls_name_keys k ON k.name = n.name_raw
), programs_now AS (
    SELECT id_number, list(DISTINCT program ORDER BY program) AS p FROM rolls_current
    WHERE program IN ('dibao', 'tekun') AND id_number IS NOT NULL GROUP BY id_number
), programs_before AS (
    SELECT id_number, list(DISTINCT program ORDER BY program) AS p FROM applicant_rows
    WHERE batch_id = $3 AND program IN ('dibao', 'tekun') AND id_number IS NOT NULL GROUP BY id_number
), moved AS (
    SELECT coalesce(a.id_number, b.id_number) AS id_number FROM programs_now a
    FULL JOIN programs_before b USING (id_number) WHERE a.p IS DISTINCT FROM b.p
), why AS (
    SELECT s.request_id, s.household_id, 'new or changed on the rolls' AS reason
    FROM roll_state s LEFT JOIN household_facts_latest f USING (request_id, household_id)
    WHERE f.roll_hash IS DISTINCT FROM s.roll_hash
    UNION ALL
    SELECT m.request_id, m.household_id, 'new source rows with a member''s ID number'
    FROM m JOIN rolls_new_rows n ON n.id_number = m.id_number
    UNION ALL
    SELECT m.request_id, m.household_id, 'new source rows with a member''s name (exact, simplified or pinyin)'
    FROM member_keys m JOIN row_keys n USING (key)
    WHERE n.id_status NOT IN ('valid', 'repaired') OR n.id_birth_date IS NULL OR m.birth IS NULL
       OR n.id_birth_date = m.birth
    UNION ALL
    SELECT l.request_id, l.household_id, 'a linked record was re-delivered'
    FROM links l JOIN rolls_new_rows n USING (source, record_id)
    UNION ALL
    SELECT l.request_id, l.household_id, 'a newer register row of a linked plate or certificate'
    FROM links l JOIN (SELECT 'vehicle' AS source, record_id, {_key('plate_number')} AS k FROM vehicle
                       UNION ALL SELECT 'property', record_id, {_key('certificate_number')} FROM property) o
      ON o.source = l.source AND o.record_id = l.record_id
    JOIN (SELECT 'vehicle' AS source, {_key('v.plate_number')} AS k FROM vehicle_all v
          JOIN rolls_new_rows n ON n.source = 'vehicle' AND n.record_id = v.record_id
          UNION ALL SELECT 'property', {_key('p.certificate_number')} FROM property_all p
          JOIN rolls_new_rows n ON n.source = 'property' AND n.record_id = p.record_id) r
      ON r.source = o.source AND r.k = o.k
    UNION ALL
    SELECT m.request_id, m.household_id, 'a row with a member''s ID number was refused at load'
    FROM m JOIN rolls_new_refused q ON q.id_number = m.id_number
    UNION ALL
    SELECT l.request_id, l.household_id, 'a bank balance dated since the previous pass'
    FROM links l JOIN bank b ON l.source = 'bank' AND b.record_id = l.record_id
    WHERE b.as_of_date > CAST($1 AS DATE) AND b.as_of_date <= CAST($2 AS DATE)
    UNION ALL
    -- another application naming a member (`member.elsewhere`): a rolls probe's agency never heard
    -- that another agency had filed 低保 for its household's two members, until a --full pass
    SELECT m.request_id, m.household_id, 'a member is in an application received since the previous pass'
    FROM m JOIN applicant_rows a ON a.id_number = m.id_number AND a.origin = 'inbox'
    WHERE a.loaded_at > (SELECT max(started_at) FROM runs WHERE rolls_verified AND status = 'completed')
    UNION ALL
    SELECT request_id, household_id, 'a member''s age changed' FROM m WHERE age_before <> age_now
    UNION ALL
    SELECT m.request_id, m.household_id, 'a member joined or left the dibao/tekun rolls'
    FROM m JOIN moved USING (id_number)
)
SELECT request_id, household_id, string_agg(DISTINCT reason, '; ' ORDER BY reason) AS reason
FROM why JOIN roll_state USING (request_id, household_id)
GROUP BY request_id, household_id
"""


def _name_keys(ctx: PassContext) -> pa.Table:
    """(name, pinyin key) for every name, on a new row or on the rolls, whose key occurs on both."""
    def keyed(sql: str) -> dict:
        return {n: name_key(n) for row in ctx.con.execute(sql).fetchall() for n in row if n}
    new = keyed("SELECT DISTINCT name, name_raw FROM rolls_new_rows")
    members = keyed("SELECT DISTINCT name, name_raw FROM rolls_current")
    both = set(new.values()) & set(members.values())
    pairs = sorted({(n, k) for n, k in (*new.items(), *members.items()) if k in both})
    return pa.table({"name": [n for n, _ in pairs], "key": [k for _, k in pairs]},
                    schema=pa.schema([("name", pa.string()), ("key", pa.string())]))


def choose_rolls_work(ctx: PassContext) -> int:
    """Create `roll_state` and `rolls_work` for this pass; returns the households to re-verify."""
    con = ctx.con
    run_sql(con, roll_state_sql(), label="rolls: state of every household")
    prev = previous_rolls_pass(con)
    window_end = window_for(ctx.as_of, int(ctx.policy.defaults["window_months"]))[1]
    key = policy_key(ctx.policy, ctx.as_of) + "|" + delivered_months(con, window_end)
    batch = latest_rolls_batch(con)   # not any household's: a held one's rows come from an earlier snapshot
    reason = full_reason(ctx, prev, key)
    if reason:
        run_sql(con, "CREATE OR REPLACE TEMP TABLE rolls_work AS SELECT request_id, household_id, "
                     "CAST(? AS VARCHAR) AS reason FROM roll_state", [reason], label="rolls: everything")
    else:
        run_sql(con, new_rows_sql(), [prev["started_at"]], label="rolls: rows loaded since the previous pass")
        run_sql(con, NEW_REFUSED_SQL, [prev["started_at"]], label="rolls: rows refused since the previous pass")
        con.register("rolls_name_keys_src", _name_keys(ctx))
        try:
            run_sql(con, "CREATE OR REPLACE TEMP TABLE rolls_name_keys AS SELECT * FROM rolls_name_keys_src",
                    label="rolls: names and their pinyin")
        finally:
            con.unregister("rolls_name_keys_src")
        run_sql(con, affected_sql(), [prev["as_of"], ctx.as_of, prev["rolls_batch_id"]],
                label="rolls: households new data could change")
        # a household held at its previous version is warned about when its snapshot arrives: its
        # report goes with the warning (a probe's rolls.held alert had no report beside it)
        if batch != prev["rolls_batch_id"]:
            run_sql(con, "INSERT INTO rolls_work SELECT s.request_id, s.household_id, 'held' FROM roll_state s "
                         "WHERE s.household_id IN (SELECT household_id FROM rolls_held WHERE batch_id = ?) "
                         "AND (s.request_id, s.household_id) NOT IN (SELECT request_id, household_id FROM rolls_work)",
                    [batch], label="rolls: households held at their previous version")
    n, on_rolls = con.execute("SELECT (SELECT count(*) FROM rolls_work), (SELECT count(*) FROM roll_state)").fetchall()[0]
    ctx.rolls = {"previous": prev, "policy_key": key, "batch_id": batch,
                 "notices": roll_notices(ctx, prev and prev["rolls_batch_id"]),
                 "window_end": window_for(ctx.as_of, int(ctx.policy.defaults["window_months"]))[1],
                 "reason": f"full: {reason}" if reason else "incremental"}
    ctx.counts["households_on_rolls"] = on_rolls
    ctx.counts["households_unchanged"] = on_rolls - n
    if not reason:
        # what new data could change, not every household re-verified (a caseworker's answer or a
        # request re-verifies one too): "re-verified 0 of 236" beside 4 verified read as a contradiction
        ctx.messages.append(f"rolls: new data since the pass of {prev['as_of']} could change {n} of the {on_rolls} "
                            "households on the rolls")
    return n
