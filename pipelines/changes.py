"""What changed in a household on the rolls between two verifications: the facts taken from a
report (`facts_of`) and their comparison (`compare`), as plain functions over the report JSON;
`pipelines.alerts` runs them over a pass's documents and writes what they find.

What a caseworker must hear about overnight, each compared with the household's last
recorded facts (`household_facts`, one row per re-verification):

| kind | severity | when |
|---|---|---|
| `new_on_rolls` | info | first verification of the household (its full report goes out) |
| `vehicle.new` / `vehicle.gone` | warn / info | a held vehicle (plate) appears / is no longer held |
| `property.new` / `property.gone` | warn / info | a held property (certificate) appears / goes |
| `income.crossed_standard` | warn up, info down | income per capita crosses the programme's standard |
| `assets.crossed_limit` | warn up, info down | financial assets per capita cross the asset limit |
| `income.source_new` | warn | a source first in the window, whatever its months (named in the message), or a stopped one paid again |
| `income.source_ended` | info | an income source stops being active (occasional items — fees, royalties, interest, one-off gains — never "end") |
| `outcome.changed` | warn worse, info better | the advised outcome changes (pass / review / fail) |
| `member.unverified` / `member.verified` | warn / info | a member's consent went / came: what they hold is not read as ended / new |
| `rolls.held` | warn | the latest snapshot rejected rows of the household: its previous version is verified (`pipelines.rolls_held`) |
| `member.left` / `member.joined` | info | a person is no longer / newly listed in the household (their income and assets leave / enter its figures with them) |
| `household.county_changed` | info | the rolls list the household under another county (its standard is that county's) |
| `household.program_changed` | info | the rolls list the household under another programme (its standard and rules are that programme's) |
| `rolls.left` | info | the household is no longer on the rolls (no report) |

Members are people, not row numbers: what is a member's (an income source, the owner of a vehicle
or property, a missing consent) is keyed by a pseudonymous key of their trusted ID number, or of
their name without one (`person_keys`): a snapshot that renumbers a household changes nothing.

What a household's facts hold, and when an income source is active: `pipelines.household_facts`.
"""

from __future__ import annotations

import json

from assessment.figures import plate_key
from pipelines.household_facts import FACTS_FORM, facts_form
from pipelines.months import months_text
from pipelines.persons import rekeyed
from reports.masking import scrub_text

IRREGULAR_ITEMS = frozenset({"劳务报酬", "稿酬所得", "特许权使用费", "利息股息红利", "偶然所得", "财产转让所得"})
"""Tax items paid now and then, not monthly: they can start (`income.source_new`) but never "end"."""
OUTCOME_RANK = {"pass": 0, "review": 1, "fail": 2}
OUTCOME_CN = {"pass": "通过", "review": "需复核", "fail": "不通过"}


def alert(kind: str, severity: str, message: str, before=None, after=None) -> dict:
    # labels quote payers, locations and names as departments typed them: an ID typed there must
    # not reach alerts.csv / summary.txt
    dump = lambda v: None if v is None else scrub_text(json.dumps(v, ensure_ascii=False, default=str))  # noqa: E731
    return {"kind": kind, "severity": severity, "message": scrub_text(message), "before": dump(before),
            "after": dump(after)}


def _old_member(kind: str, item: dict) -> str:
    """The member_no an item of the old form is keyed by."""
    if kind == "income_sources":
        return item["key"].split("|", 1)[0]
    if kind == "unverified":
        return item["key"]
    return str(item.get("member_no", ""))


MEMBER_KEYED = ("vehicles", "properties", "unverified", "income_sources")


def _items(facts: dict, kind: str) -> list[dict]:
    items = facts.get(kind)
    return (items["sources"] if isinstance(items, dict) else items) or []


def _keyed(facts: dict, by_person: bool, through: dict[str, str], schemes: bool = False) -> dict[str, list[dict]]:
    """The member-keyed items of `facts`, each as {who, key, label, raw, …}: `who` is the person,
    or the member_no when not `by_person`; an old-form item's person comes from `through`
    (member_no → person of the members those facts were taken from). A benefit's scheme is part of
    its key when both sides record it (`schemes`): facts stored before it was would have raised
    'ended' and 'new' for every pension the first night after."""
    out: dict = {}
    for kind in MEMBER_KEYED:
        rows = []
        for x in _items(facts, kind):
            if "person" in x:
                who = x["person"] if by_person else str(x["member_no"])
            else:
                who = _old_member(kind, x)
                who = through.get(who, who) if by_person else who
            row = {"who": who, "key": who if kind == "unverified" else x["key"], "label": x["label"], "raw": x}
            if kind == "income_sources":
                source, item, payer = ((x["source"], x["item"], x["payer"]) if "source" in x
                                       else tuple(x["key"].split("|", 3)[1:]))
                # a pension contribution base stands in for the wage of months tax has not delivered:
                # one job, whichever of the two a month shows (a probe's base gave way to the tax wage
                # of the same month: 'base ended' and 'new wage' at the same employer)
                same_job = ("wage", WAGE_ITEM) if item in (WAGE_ITEM, BASE_ITEM) else (source, item)
                scheme = (x.get("scheme") or "") if schemes else ""
                row.update(key="|".join((who, *same_job, payer, *([scheme] if scheme else []))), source=source, item=item,
                           active=x.get("active", True), months=x.get("months"), monthly=x.get("monthly"))
            rows.append(row)
        out[kind] = _one_per_key(rows) if kind == "income_sources" else rows
    return out


WAGE_ITEM, BASE_ITEM = "工资薪金", "缴费基数（工资佐证）"


def _one_per_key(rows: list[dict]) -> list[dict]:
    """Income rows sharing a key (a job's tax wage and its contribution base) as one: active when
    either is, over the months of both."""
    merged: dict = {}
    for r in rows:
        m = merged.get(r["key"])
        if m is None:
            merged[r["key"]] = dict(r)
            continue
        m["active"] = m["active"] or r["active"]
        if m.get("monthly") is not None and r.get("monthly") is not None:
            m["monthly"] = round(m["monthly"] + r["monthly"], 2)
        if m.get("months") is not None or r.get("months") is not None:
            m["months"] = sorted(set(m.get("months") or []) | set(r.get("months") or []))
    return list(merged.values())


def _by_person(prev: dict, new: dict, through: dict[str, str]) -> bool:
    """Whether the two facts records can be compared person by person: both keyed by person with
    the same secret, or `prev` of the old form with every member it names found in `through`."""
    if facts_form(prev) == facts_form(new) == FACTS_FORM:
        return prev["income_sources"].get("persons") == new["income_sources"].get("persons")
    if facts_form(prev) == 1 and facts_form(new) == FACTS_FORM and through:
        named = {_old_member(kind, x) for kind in MEMBER_KEYED for x in _items(prev, kind)} - {""}
        return named <= set(through)
    return False


def _set_changes(new_kind: str, gone_kind: str, what: str, old: list[dict], new: list[dict]) -> list[dict]:
    """A warn alert per item that appeared, an info alert per item that went (keyed by plate or certificate
    as the figures compare them: 晋A·12345 re-exported as 晋A12345 is no news, a re-delivery probe)."""
    before, after = ({(plate_key({"plate_number": x["key"]}) if x["key"] else x["key"]): x for x in xs} for xs in (old, new))
    # an exempt kind (a motorcycle) can change nothing: news, not a warning (a nightly probe's new
    # 普通二轮摩托车 was a warn alert that never said it was exempt)
    return ([alert(new_kind, "info", f"新增{what}（豁免类型，不影响核对结果）：{after[k]['label']}", None, after[k]["raw"])
             if after[k]["raw"].get("exempt") else alert(new_kind, "warn", f"新增{what}：{after[k]['label']}", None, after[k]["raw"])
             for k in sorted(set(after) - set(before))]
            + [alert(gone_kind, "info", f"{what}不再计为持有（已注销、被盗抢、转出或不再登记在成员名下）："
                                         f"{before[k]['label']}", before[k]["raw"], None)
               for k in sorted(set(before) - set(after))])


def _crossing(kind: str, label: str, limit_label: str, before: tuple, after: tuple, over,
              incomplete: bool = False) -> list[dict]:
    """An alert when the figure crossed its line; not downwards while it leaves someone out for
    want of consent (`incomplete`: no evidence of need, and the consent alert says what changed)."""
    (v0, l0), (v1, l1) = before, after
    was, now = over(v0, l0), over(v1, l1)
    if was == now or (incomplete and not now):
        return []
    # income fails at the standard, assets only above the limit (a nightly probe read 达到或超过资产上限
    # of a rule that fails only above it)
    at_line = over(l1, l1)
    verb = ("达到或超过" if at_line else "超过") if now else ("低于" if at_line else "不超过")
    if not now and v1 < v0:
        verb = "回落到" + verb
    # the line itself may have moved (a household now counted rural, a new year's standard): say so,
    # or '625.00 became 625.00, at or above 496.00' reads as nonsense (a nightly probe); and when only
    # the line moved, the figure did not "fall back" (a programmes probe's 750 → 750, 回落到低于 800)
    moved = round(l0, 2) != round(l1, 2)
    if moved and round(v0, 2) == round(v1, 2):
        text = f"{label}仍为{v1:,.2f}元，{limit_label}由{l0:,.2f}元调整为{l1:,.2f}元后，{verb}{limit_label}"
    else:
        text = (f"{label}由{v0:,.2f}元变为{v1:,.2f}元，{verb}{limit_label}{l1:,.2f}元"
                + (f"（{limit_label}由{l0:,.2f}元调整为{l1:,.2f}元）" if moved else ""))
    return [alert(kind, "warn" if now else "info", text, {"value": v0, "limit": l0}, {"value": v1, "limit": l1})]


def _consent_changes(before: list[dict], after: list[dict]) -> tuple[list[dict], set[str]]:
    """Alerts for members whose consent came or went, and those members: what they hold appears or
    vanishes with their verification, not because it changed, so it raises no alert of its own."""
    was, now = {x["who"]: x for x in before}, {x["who"]: x for x in after}
    out = [alert("member.unverified", "warn", f"成员{now[k]['label']}未授权核对（无有效授权书编号），其收入与资产本次未核对",
                  None, now[k]["raw"]) for k in sorted(set(now) - set(was))]
    out += [alert("member.verified", "info", f"成员{was[k]['label']}已授权核对，其收入与资产本次起计入",
                   was[k]["raw"], None) for k in sorted(set(was) - set(now))]
    return out, set(was) ^ set(now)


def _membership_changes(prev: dict, new: dict, by_person: bool, before: dict) -> tuple[list[dict], set[str]]:
    """`member.left` / `member.joined` between two facts records that name their members, and the
    people who left: what they held leaves with them, which is no income "ended" or vehicle "gone"
    (a probe: a member dropped from the rolls raised '收入来源不再出现' for a wage still paid, and a
    child leaving, which doubled the per-capita income, raised nothing)."""
    was = (prev.get("income_sources") or {}).get("members") if isinstance(prev.get("income_sources"), dict) else None
    now = (new.get("income_sources") or {}).get("members") if isinstance(new.get("income_sources"), dict) else None
    if not by_person or was is None or now is None:
        return [], set()
    was_by, now_by = {m["person"]: m for m in was}, {m["person"]: m for m in now}
    left = set(was_by) - set(now_by)
    out = []
    for k in sorted(left):
        held = [_without_owner(x["label"], was_by[k]["label"]) for kind in ("income_sources", "vehicles", "properties")
                for x in before[kind] if x["who"] == k and (kind != "income_sources" or x.get("active", True))]
        tail = f"，其名下{'、'.join(held[:5])}{'等' if len(held) > 5 else ''}不再计入家庭" if held else ""
        out.append(alert("member.left", "info", f"{was_by[k]['label']}不再列在家庭成员中{tail}", was_by[k], None))
    for k in sorted(set(now_by) - set(was_by)):
        out.append(alert("member.joined", "info", f"新增家庭成员：{now_by[k]['label']}", None, now_by[k]))
    return out, left


def _same_people(prev: dict, new: dict) -> dict:
    """`prev` with each member who is keyed otherwise now but listed under the same name, the only
    one of that name on either side, keyed as now: a corrected ID number moves a member's key
    (`person_keys`: of the ID once it is trusted, of the name before), and a nightly probe's
    member whose typo the rolls fixed 'left', 'joined' and brought a 'new' wage the same night."""
    was = (prev.get("income_sources") or {}).get("members") if facts_form(prev) == FACTS_FORM else None
    now = (new.get("income_sources") or {}).get("members") if facts_form(new) == FACTS_FORM else None
    if not was or not now:
        return prev
    renamed = rekeyed(was, now)
    if not renamed:
        return prev
    as_now = lambda who: renamed.get(who, who)  # noqa: E731
    sources = prev["income_sources"]
    return {**prev,
            "vehicles": [{**x, "person": as_now(x.get("person"))} for x in prev.get("vehicles") or []],
            "properties": [{**x, "person": as_now(x.get("person"))} for x in prev.get("properties") or []],
            "unverified": [{**x, "person": as_now(x.get("person")), "key": as_now(x["key"])}
                           for x in prev.get("unverified") or []],
            "income_sources": {**sources,
                               "members": [{**m, "person": as_now(m["person"])} for m in sources["members"]],
                               "sources": [{**x, "person": as_now(x["person"]),
                                            "key": "|".join([as_now(x["person"]), *x["key"].split("|")[1:]])}
                                           for x in sources.get("sources") or []]}}


def _without_owner(label: str, name: str) -> str:
    """A held thing's label without the owner the message names (a probe: 陈霞晨…其名下陈霞晨：工资薪金)."""
    return label[len(name) + 1:] if label.startswith(f"{name}：") else label.removesuffix(f"（{name}）")


def _income_changes(before: list[dict], after: list[dict], windows: bool, since: dict[str, str]) -> list[dict]:
    """`income.source_new` for income of a source that was not running before, `income.source_ended`
    for a running source that stopped (occasional items never stop).

    With both sides' window sources known (`windows`), income is new when it brings months the
    previous facts lacked: a source first seen in the window — a fee delivered late for a month
    five months back raised nothing when only active sources were compared (a probe) — or a
    stopped one paid again. A source that stops stays in the facts with its months until it leaves
    the window, so it is not new again; months a longer window reaches back to (`since`: where the
    previous window began) are no news. Old-form facts hold only the active sources: against
    them a source is new when it becomes active, as before.
    """
    was, now = {x["key"]: x for x in before}, {x["key"]: x for x in after}
    out = []
    for k in sorted(now):
        x, old = now[k], was.get(k)
        if old is not None and old["active"]:
            continue
        if windows:
            start = since.get(x["source"], since.get("*")) or ""
            months = sorted(m for m in set(x["months"]) - set(old["months"] if old else ()) if m >= start)
            if not months:
                continue
        elif x["active"]:
            months = x["months"] or []
        else:
            continue
        when = f"，所属期{months_text(months)}" if months else ""
        late = "" if x["active"] else "（以往月份新报送）"
        out.append(alert("income.source_new", "warn", f"新增收入来源：{x['label']}{when}{late}", None, x["raw"]))
    for k in sorted(was):
        x = was[k]
        if x["active"] and not (k in now and now[k]["active"]) and x["item"] not in IRREGULAR_ITEMS:
            out.append(alert("income.source_ended", "info", f"收入来源在最近报送的月份中已无记录：{x['label']}",
                             x["raw"], None))
    return out


def _with_moves(found: dict, before: list[dict], after: list[dict], shown: int = 3) -> dict:
    """The income crossing with the sources that moved the figure, largest first: a nightly probe's
    caseworker read 500.00 → 875.00 and nowhere that a corrected pension row (500 → 5,000) did it,
    nor, for 583.33 → 0.00, that the only wage had left the window."""
    was, now = {x["key"]: x for x in before}, {x["key"]: x for x in after}
    moves = []
    for k in set(was) | set(now):
        a, b = (was.get(k) or {}).get("monthly"), (now.get(k) or {}).get("monthly")
        if (a is None and k in was) or (b is None and k in now) or round((b or 0) - (a or 0), 2) == 0:
            continue
        label = (now.get(k) or was[k])["label"]
        text = (f"{label}，月均{b:,.2f}元（本次新计入）" if k not in was else f"{label}，月均{a:,.2f}元（本次不再计入：移出核对期或不再关联）"
                if k not in now else f"{label}，月均由{a:,.2f}元变为{b:,.2f}元")
        moves.append((-abs((b or 0) - (a or 0)), text))
    if not moves:
        return found
    listed = "；".join(t for _, t in sorted(moves)[:shown]) + (f"等{len(moves)}项" if len(moves) > shown else "")
    return {**found, "message": scrub_text(f"{found['message']}。主要变动：{listed}（记录明细见核对报告）")}


FIGURES = (("income_per_capita", "家庭人均月收入"), ("financial_per_capita", "家庭人均金融资产"))


def figures_moved(prev: dict | None, new: dict) -> list[str]:
    """The per-capita figures that moved between two facts records, in words (empty: none did)."""
    return [f"{label}由{float(prev[k]):,.2f}元变为{float(new[k]):,.2f}元" for k, label in FIGURES
            if prev is not None and prev.get(k) is not None and new.get(k) is not None
            and round(float(prev[k]), 2) != round(float(new[k]), 2)]


def figures_note(moved: list[str]) -> dict:
    """What a re-verified household's report says when its figures moved without an alert (no line
    crossed): not an alert, the report's own change line."""
    return {"kind": "figures.changed", "severity": "info",
            "message": "与上次核对相比，" + "，".join(moved) + "，未跨越标准线或资产上限（无变动提醒）"}


def roll_note(unheld: bool) -> dict:
    """What a re-verified household's report says when the roll's rows of it changed, or its hold was
    lifted, with nothing to alert: its report is written again, and says why."""
    why = ("名册已更正，该家庭不再暂缓，按新名册核对" if unheld
           else "名册中该家庭的信息有更新（如成员身份证号已更正），按新名册重新核对")
    return {"kind": "rolls.updated", "severity": "info", "message": why + "，未发现需提醒的变动"}


def compare(prev: dict, new: dict, prev_members: dict | None = None) -> list[dict]:
    """The alerts between two facts records (prev as stored: lists decoded).

    `prev_members` (member_no → person) reads facts of the old form, keyed by member_no, through
    the members they were taken from; without them (or with facts keyed under another secret)
    both sides are compared by member_no, as the nightly did before.
    """
    through = {str(k): v for k, v in (prev_members or {}).items()}
    by_person = _by_person(prev, new, through)
    if by_person:
        prev = _same_people(prev, new)
    schemes = all(isinstance(f.get("income_sources"), dict) and f["income_sources"].get("schemes") for f in (prev, new))
    before, after = _keyed(prev, by_person, through, schemes), _keyed(new, by_person, {}, schemes)
    out, switched = _consent_changes(before["unverified"], after["unverified"])
    moved, left = _membership_changes(prev, new, by_person, before)
    out += moved
    kept = {k: ([x for x in before[k] if x["who"] not in switched | left],
                [x for x in after[k] if x["who"] not in switched])
            for k in ("vehicles", "properties", "income_sources")}
    out += _set_changes("vehicle.new", "vehicle.gone", "机动车", *kept["vehicles"])
    out += _set_changes("property.new", "property.gone", "不动产", *kept["properties"])
    out += _crossing("income.crossed_standard", "家庭人均月收入", "标准",
                     (float(prev["income_per_capita"]), float(prev["income_standard"])),
                     (float(new["income_per_capita"]), float(new["income_standard"])), lambda v, l: v >= l,
                     incomplete=bool(after["unverified"]))
    out += _crossing("assets.crossed_limit", "家庭人均金融资产", "资产上限",
                     (float(prev["financial_per_capita"]), float(prev["asset_limit_per_capita"])),
                     (float(new["financial_per_capita"]), float(new["asset_limit_per_capita"])), lambda v, l: v > l,
                     incomplete=bool(after["unverified"]))
    windows = facts_form(prev) == facts_form(new) == FACTS_FORM
    if windows:
        out = [_with_moves(a, *kept["income_sources"]) if a["kind"] == "income.crossed_standard" else a for a in out]
    since = (prev["income_sources"].get("since") or {}) if windows else {}
    out += _income_changes(*kept["income_sources"], windows, since)
    if prev["outcome"] != new["outcome"]:
        worse = OUTCOME_RANK[new["outcome"]] > OUTCOME_RANK[prev["outcome"]]
        # what moved it, when no other alert says (a nightly evaluator's car, deposit and home without an ID
        # were each just '通过 → 需复核'): the new outcome's first findings, shortened
        why = [r.split("。")[0][:80] for r in new.get("reasons") or ()] if not out else []
        out.append(alert("outcome.changed", "warn" if worse else "info",
                          f"核对结论由「{OUTCOME_CN[prev['outcome']]}」变为「{OUTCOME_CN[new['outcome']]}」"
                          + (f"；主要原因：{'；'.join(why)}（详见核对报告）" if why else ""),
                          prev["outcome"], new["outcome"]))
    return out
