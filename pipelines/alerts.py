"""Change alerts: a household on the rolls, re-verified, against its previous verification.

What a caseworker must hear about overnight, each compared with the household's last
recorded facts (`household_facts`, one row per re-verification):

| kind | severity | when |
|---|---|---|
| `new_on_rolls` | info | first verification of the household (its full report goes out) |
| `vehicle.new` / `vehicle.gone` | warn / info | a held vehicle (plate) appears / is no longer held |
| `property.new` / `property.gone` | warn / info | a held property (certificate) appears / goes |
| `income.crossed_standard` | warn up, info down | income per capita crosses the programme's standard |
| `assets.crossed_limit` | warn up, info down | financial assets per capita cross the asset limit |
| `income.source_new` / `income.source_ended` | warn / info | an income source becomes / stops being active (occasional items — fees, royalties, interest, one-off gains — start but never "end") |
| `outcome.changed` | warn worse, info better | the advised outcome changes (pass / review / fail) |
| `member.unverified` / `member.verified` | warn / info | a member's consent went / came: what they hold is not read as ended / new |
| `rolls.held` | warn | the latest snapshot rejected rows of the household: its previous version is verified (`pipelines.rolls_held`) |
| `rolls.left` | info | the household is no longer on the rolls (no report) |

An income source is a (member, source, item, payer) with a counted record in the last
`ACTIVE_MONTHS` months that the department has delivered (never past the income window), so a
department exporting a month late does not make every job "end" and "start" again. A benefit
(a pension, unemployment benefit: social insurance `待遇`) is paid every month, so it has ended
as soon as a delivered month lacks it (`ACTIVE_MONTHS_BENEFIT`).
Only review-free links count (a `review` link is not yet the household's).

A household with an alert gets its full report in `outbox/<agency>/nightly-<date>/`; one
re-verified without an alert gets none, and when its fingerprint is unchanged no new
assessment row either — its previous assessment still stands. Facts are recorded for every
re-verified household, so the next night compares with the latest state.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date

from pipelines.context import PassContext
from review import affected_households_sql
from pipelines.outputs import private_dir
from reports.masking import escape_formula, scrub_text
from reports.writer import write_atomic
from warehouse.sql import fetch_grouped

IRREGULAR_ITEMS = frozenset({"劳务报酬", "稿酬所得", "特许权使用费", "利息股息红利", "偶然所得", "财产转让所得"})
"""Tax items paid now and then, not monthly: they can start (`income.source_new`) but never "end"."""
ACTIVE_MONTHS = 3
ACTIVE_MONTHS_BENEFIT = 1
OUTCOME_RANK = {"pass": 0, "review": 1, "fail": 2}
OUTCOME_CN = {"pass": "通过", "review": "需复核", "fail": "不通过"}


def _month(iso: str | None) -> str | None:
    return iso[:7] if iso else None


def _minus_months(ym: str, n: int) -> str:
    y, m = int(ym[:4]), int(ym[5:7]) - n
    while m <= 0:
        y, m = y - 1, m + 12
    return f"{y:04d}-{m:02d}"


def income_sources(doc: dict) -> list[dict]:
    """Active income sources of the household's members, each with its monthly average."""
    names = {m["member_no"]: m["name"] for m in doc["members"]}
    window_end = _month(doc["window"]["end"])
    months = max(int(doc["window"]["months"]), 1)
    totals: dict = defaultdict(float)
    last: dict = {}
    benefit: set = set()
    for r in doc["income"]["records"]:
        if not r.get("counted") or r["decision"] == "review":
            continue
        key = (r["member_no"], r["source"], r["item"], r.get("payer") or "")
        totals[key] += float(r["amount"] or 0)
        last[key] = max(last.get(key, ""), r["period"])
        if r.get("kind") == "benefit":
            benefit.add(key)
    out = []
    for key, latest in sorted(last.items()):
        delivered = min(window_end, _month((doc.get("data_as_of") or {}).get(key[1])) or window_end)
        active = ACTIVE_MONTHS_BENEFIT if key in benefit else ACTIVE_MONTHS
        if latest >= _minus_months(delivered, active - 1):
            member, source, item, payer = key
            label = f"{names.get(member, member)}：{item}" + (f"（{payer}）" if payer else "")
            out.append({"key": "|".join(map(str, key)), "label": label, "monthly": round(totals[key] / months, 2)})
    return out


def facts_of(doc: dict) -> dict:
    """What the nightly compares: figures against their thresholds, held assets, income sources."""
    from pipelines.publish import fingerprint  # publish records these facts: import at call time

    names = {m["member_no"]: m["name"] for m in doc["members"]}
    # `counted` (assessment.figures): held, on a link that counts, and not a repeat of another row
    held = lambda items: [x for x in items if x.get("counted", x["held"] and x["decision"] != "review")]  # noqa: E731
    return {
        "outcome": doc["outcome"], "fingerprint": fingerprint(doc),
        "income_per_capita": doc["income"]["monthly_per_capita"],
        "income_standard": doc["standards"]["income_standard"],
        "financial_per_capita": doc["assets"]["financial_per_capita"],
        "asset_limit_per_capita": doc["standards"]["asset_limit_per_capita"],
        "vehicles": sorted(({"key": v["plate_number"], "member_no": v["member_no"],
                             "label": f"{v['vehicle_type']} {v['plate_number']}（{names.get(v['member_no'], '')}）"}
                            for v in held(doc["assets"]["vehicles"])), key=lambda x: x["key"]),
        "properties": sorted(({"key": p["certificate_number"], "member_no": p["member_no"],
                               "label": f"{p['usage']} {p['location']}（{names.get(p['member_no'], '')}）"}
                              for p in held(doc["assets"]["properties"])), key=lambda x: x["key"]),
        "income_sources": income_sources(doc),
        "unverified": [{"key": str(m["member_no"]), "label": m["name"]} for m in doc["members"] if not m.get("consent")],
    }


def _alert(kind: str, severity: str, message: str, before=None, after=None) -> dict:
    # labels quote payers, locations and names as departments typed them: an ID typed there must
    # not reach alerts.csv / summary.txt
    dump = lambda v: None if v is None else scrub_text(json.dumps(v, ensure_ascii=False, default=str))  # noqa: E731
    return {"kind": kind, "severity": severity, "message": scrub_text(message), "before": dump(before),
            "after": dump(after)}


def _set_changes(new_kind: str, gone_kind: str, what: str, old: list[dict], new: list[dict]) -> list[dict]:
    """A warn alert per item that appeared, an info alert per item that went (items keyed by `key`)."""
    before, after = {x["key"]: x for x in old}, {x["key"]: x for x in new}
    return ([_alert(new_kind, "warn", f"新增{what}：{after[k]['label']}", None, after[k])
             for k in sorted(set(after) - set(before))]
            + [_alert(gone_kind, "info", f"{what}不再出现：{before[k]['label']}", before[k], None)
               for k in sorted(set(before) - set(after))])


def _crossing(kind: str, label: str, limit_label: str, before: tuple, after: tuple, over) -> list[dict]:
    (v0, l0), (v1, l1) = before, after
    was, now = over(v0, l0), over(v1, l1)
    if was == now:
        return []
    verb = "达到或超过" if now else "回落到低于"
    return [_alert(kind, "warn" if now else "info",
                   f"{label}由{v0:,.2f}元变为{v1:,.2f}元，{verb}{limit_label}{l1:,.2f}元",
                   {"value": v0, "limit": l0}, {"value": v1, "limit": l1})]


def _member_of(item: dict) -> str:
    return str(item.get("member_no", item["key"].split("|")[0]))


def _consent_changes(prev: dict, new: dict) -> tuple[list[dict], set[str]]:
    """Alerts for members whose consent came or went, and those members: what they hold appears or
    vanishes with their verification, not because it changed, so it raises no alert of its own."""
    before = {x["key"]: x for x in prev.get("unverified") or []}
    after = {x["key"]: x for x in new.get("unverified") or []}
    out = [_alert("member.unverified", "warn", f"成员{after[k]['label']}未授权核对（无授权书编号），其收入与资产本次未核对",
                  None, after[k]) for k in sorted(set(after) - set(before))]
    out += [_alert("member.verified", "info", f"成员{before[k]['label']}已授权核对，其收入与资产本次起计入",
                   before[k], None) for k in sorted(set(before) - set(after))]
    return out, set(before) ^ set(after)


def _without(items: list[dict], members: set[str]) -> list[dict]:
    return [x for x in items if _member_of(x) not in members] if members else items


def compare(prev: dict, new: dict) -> list[dict]:
    """The alerts between two facts records (prev as stored: lists decoded)."""
    out, switched = _consent_changes(prev, new)
    kept = {k: (_without(prev[k], switched), _without(new[k], switched))
            for k in ("vehicles", "properties", "income_sources")}
    out += _set_changes("vehicle.new", "vehicle.gone", "机动车", *kept["vehicles"])
    out += _set_changes("property.new", "property.gone", "不动产", *kept["properties"])
    out += _crossing("income.crossed_standard", "家庭人均月收入", "标准",
                     (float(prev["income_per_capita"]), float(prev["income_standard"])),
                     (float(new["income_per_capita"]), float(new["income_standard"])), lambda v, l: v >= l)
    out += _crossing("assets.crossed_limit", "家庭人均金融资产", "资产上限",
                     (float(prev["financial_per_capita"]), float(prev["asset_limit_per_capita"])),
                     (float(new["financial_per_capita"]), float(new["asset_limit_per_capita"])), lambda v, l: v > l)
    before, after = kept["income_sources"]
    # an occasional payment (a fee, royalties, interest) is not a source that "ends": said every
    # time one falls out of the last months, it was noise (a probe); its arrival still is news
    after_keys = {x["key"] for x in after}
    before = [x for x in before if x["key"] in after_keys or x["key"].split("|")[2] not in IRREGULAR_ITEMS]
    out += _set_changes("income.source_new", "income.source_ended", "收入来源", before, after)
    if prev["outcome"] != new["outcome"]:
        worse = OUTCOME_RANK[new["outcome"]] > OUTCOME_RANK[prev["outcome"]]
        out.append(_alert("outcome.changed", "warn" if worse else "info",
                          f"核对结论由「{OUTCOME_CN[prev['outcome']]}」变为「{OUTCOME_CN[new['outcome']]}」",
                          prev["outcome"], new["outcome"]))
    return out


def _previous(ctx: PassContext) -> tuple[dict, set]:
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
    seen = set(ctx.con.execute(
        "SELECT DISTINCT h.request_id, h.household_id FROM assessment_history h "
        "JOIN work_households w USING (request_id, household_id) WHERE w.origin = 'rolls'").fetchall())
    return facts, seen


def detect_changes(ctx: PassContext) -> int:
    """Stage: compare each re-verified household on the rolls with its previous facts; mark what to write."""
    if not ctx.include_rolls:
        return 0
    rolls = {(r, h): roll_hash for r, h, roll_hash in ctx.con.execute(
        "SELECT w.request_id, w.household_id, s.roll_hash FROM work_households w "
        "JOIN roll_state s USING (request_id, household_id) WHERE w.origin = 'rolls'").fetchall()}
    prev_facts, assessed_before = _previous(ctx)
    # a caseworker's answer changes the report they read: it is written again even without an
    # alert (a probe's confirmed links still showed 'review' in the outbox report)
    answered = {(r, h) for r, h, _ in ctx.con.execute(affected_households_sql(ctx.run_id)).fetchall()}
    changed = alerts_count = 0
    for i, note in enumerate(ctx.documents.notes()):
        key = (note["request_id"], note["household_id"])
        if key not in rolls:
            continue
        facts = facts_of(ctx.documents.load(i))
        prev = prev_facts.get(key)
        if prev is not None:
            alerts = compare(prev, facts)
        elif key not in assessed_before:
            alerts = [_alert("new_on_rolls", "info", "新纳入名册的家庭，首次核对")]
        else:
            alerts = []  # verified before facts were recorded (a warehouse older than 0006): baseline only
        marks = {"_facts": {**facts, "roll_hash": rolls[key]}, "_alerts": alerts,
                 "_write": bool(alerts) or key in answered,
                 "_record": prev is None or prev["fingerprint"] != facts["fingerprint"]}
        if alerts:
            marks["changes"] = [{k: a[k] for k in ("kind", "severity", "message")} for a in alerts]
            changed += 1
        alerts_count += len(alerts)
        ctx.documents.annotate(i, **marks)
    ctx.counts["households_changed"] = changed
    ctx.counts["alerts"] = alerts_count
    return changed


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
    and the roll's own notices (`pipelines.rolls_held`: held, left), which have none."""
    out = [[ctx.run_id, ctx.as_of, n["agency"], n["request_id"], n["household_id"], n["county_code"], n["program"],
            n["kind"], n["severity"], n["message"], None, None, None] for n in ctx.rolls.get("notices", [])]
    for d in ctx.documents.notes():
        paths = written.get((d["request_id"], d["household_id"]), [])
        html = next((p for p in paths if p.endswith(".html")), paths[0] if paths else None)
        for a in d.get("_alerts", []):
            out.append([ctx.run_id, ctx.as_of, d["agency"], d["request_id"], d["household_id"], d["county_code"],
                        d["program"], a["kind"], a["severity"], a["message"], a["before"], a["after"], html])
    return out


CSV_FIELDS = ("household_id", "request_id", "county_code", "program", "severity", "kind", "message",
              "before", "after", "report")


def _agency_files(agency: str, as_of: date, run: dict, alerts: list[dict]) -> dict[str, bytes]:
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
        "SELECT s.agency, count(*), count(w.household_id) FROM roll_state s "
        "LEFT JOIN rolls_work w USING (request_id, household_id) GROUP BY s.agency").fetchall()}
    by_agency = fetch_grouped(
        ctx.con,
        "SELECT agency, household_id, request_id, county_code, program, severity, kind, message, before, after, "
        f"{REPORT_IN_FOLDER_SQL} AS report, run_id FROM alerts WHERE as_of = ? "
        "ORDER BY agency, severity DESC, household_id, kind", [ctx.as_of],
        key=lambda r: r.pop("agency"), label="the day's alerts")
    prev = (ctx.rolls.get("previous") or {}).get("as_of")
    folder_name = f"nightly-{ctx.as_of.strftime('%Y%m%d')}"
    for agency in sorted(set(per_agency) | set(by_agency)):   # an agency whose households all left still hears it
        on_rolls, reverified = per_agency.get(agency, (0, 0))
        folder = private_dir(ctx.root / "outbox" / agency / folder_name)
        run = {"run_id": ctx.run_id, "work": ctx.rolls.get("reason"), "previous_as_of": prev and prev.isoformat(),
               "households_on_rolls": on_rolls, "households_reverified": reverified}
        for name, data in _agency_files(agency, ctx.as_of, run, by_agency.get(agency, [])).items():
            write_atomic(folder / name, data)
    return sum(len(v) for v in by_agency.values())
