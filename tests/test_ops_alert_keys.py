"""What the nightly's change detection keys on (found by a black-box probe of successive nights).

A member is a person, not a row number: a rolls snapshot that only renumbered the members of a
household raised "new" and "ended" for one unchanged wage. And income is new when it first shows
in the household's window, whatever month it is for: a fee delivered for a month five months
back raised nothing, though it lifted the household's income from 0 to 500 a head.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from data.generator import generate
from pipelines.changes import compare
from pipelines.household_facts import facts_of
from pipelines.passes import run_pass

from ops_support import REQUEST_FIELDS, query, write_csv

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 21)
NIGHTLY1, NIGHTLY2 = "nightly-20261120", "nightly-20261121"
SUPPORTERS = ("赡养人", "抚养人", "扶养人")


def _snapshot(root) -> list[dict]:
    rows = query(root, "SELECT * REPLACE (id_raw AS id_number) FROM rolls_current ORDER BY household_id, member_no")
    return [{f: r[f] for f in REQUEST_FIELDS} for r in rows]


def _reports(root, folder) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (root / "outbox").glob(f"*/{folder}/HH*.json")}


def _renumbered(rows: list[dict], household: str) -> list[dict]:
    """The snapshot with `household`'s members numbered the other way round, its last member now
    the head (the old head takes that member's relation): the same people, the same data."""
    mine = [r for r in rows if r["household_id"] == household]
    n, head = len(mine), next(r for r in mine if r["relation"] == "户主")
    new_head = max(mine, key=lambda r: r["member_no"])
    out = []
    for r in rows:
        if r["household_id"] == household:
            r = {**r, "member_no": n + 1 - int(r["member_no"])}
            if r["id_number"] == new_head["id_number"]:
                r["relation"] = "户主"
            elif r["id_number"] == head["id_number"]:
                r["relation"] = new_head["relation"]
        out.append(r)
    return out


def _pick(root) -> dict:
    """A household with income on a member other than the last (renumbering moves it), and two
    households without any income whose head can be sent a fee."""
    reports = _reports(root, NIGHTLY1)
    rows = _snapshot(root)
    members: dict = {}
    for r in rows:
        members.setdefault(r["household_id"], []).append(r)
    renumber = next(h for h, ms in sorted(members.items())
                    if len(ms) >= 2 and not any(m["relation"] in SUPPORTERS for m in ms)
                    and all(m["consent_ref"] for m in ms)
                    and any(rec["counted"] and rec["member_no"] != len(ms) for rec in reports[h]["income"]["records"]))
    quiet = [h for h, ms in sorted(members.items())
             if h != renumber and not reports[h]["income"]["records"]
             and any(m["relation"] == "户主" and m["consent_ref"] for m in ms)]
    assert len(quiet) >= 2, "the generated rolls lack two households without income"
    heads = {h: next(m for m in members[h] if m["relation"] == "户主") for h in quiet[:2]}
    return {"rows": rows, "renumber": renumber, "older": heads[quiet[0]], "recent": heads[quiet[1]]}


def _fee(record_id: str, head: dict, period: str) -> dict:
    return {"record_id": record_id, "name": head["name"], "id_number": head["id_number"], "period": period,
            "income_item": "劳务报酬", "income_amount": "6000", "tax_paid": "0", "withholding_agent": "太原某咨询公司"}


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    root = tmp_path_factory.mktemp("alert_keys") / "root"
    generate(root, households=16, seed=23, as_of=DAY1)
    run_pass(root, as_of=DAY1, kind="nightly", snapshot_mode="off")
    picked = _pick(root)
    write_csv(root / "landing" / "rolls" / "rolls_20261121.csv", _renumbered(picked["rows"], picked["renumber"]),
              REQUEST_FIELDS)
    # the window ends with October: June is five months back, October the month just delivered
    write_csv(root / "landing" / "tax" / "iit_delta_20261121.csv", [
        _fee("T-OLDER-1", picked["older"], "2026-06"), _fee("T-RECENT-1", picked["recent"], "2026-10")])
    day2 = run_pass(root, as_of=DAY2, kind="nightly", snapshot_mode="off")
    alerts = query(root, "SELECT household_id, kind, severity, message FROM alerts WHERE as_of = ? "
                         "ORDER BY household_id, kind", [DAY2])
    return {"root": root, "day2": day2, "alerts": alerts, **picked}


def _alerts_of(nights, household: str) -> list[dict]:
    return [a for a in nights["alerts"] if a["household_id"] == household]


def test_renumbering_members_in_a_rolls_snapshot_raises_no_alert(nights):
    household = nights["renumber"]
    latest = query(nights["root"], "SELECT run_id FROM household_facts_latest WHERE household_id = ?", [household])
    assert latest[0]["run_id"] == nights["day2"]["run_id"]      # it was re-verified against its old facts
    assert _alerts_of(nights, household) == []
    # its report is written again with the new numbers, saying only that the roll changed (no alert)
    written = _reports(nights["root"], NIGHTLY2).get(household)
    assert written is None or [c["kind"] for c in written["changes"]] == ["rolls.updated"]


def test_income_delivered_for_an_older_month_raises_source_new_naming_its_months(nights):
    household = nights["older"]["household_id"]
    raised = {a["kind"]: a for a in _alerts_of(nights, household)}
    assert raised.get("income.source_new", {}).get("severity") == "warn", raised
    assert "劳务报酬" in raised["income.source_new"]["message"] and "2026-06" in raised["income.source_new"]["message"]
    doc = _reports(nights["root"], NIGHTLY2)[household]
    assert doc["income"]["monthly_per_capita"] > 0
    assert "income.source_new" in {c["kind"] for c in doc["changes"]}


def test_income_delivered_for_last_month_raises_source_new_naming_its_month(nights):
    household = nights["recent"]["household_id"]
    raised = {a["kind"]: a for a in _alerts_of(nights, household)}
    assert raised.get("income.source_new", {}).get("severity") == "warn", raised
    assert "2026-10" in raised["income.source_new"]["message"]


# --- facts of synthetic households: what compares with what ---------------------------------

PERSONS = {"陈静": "P-chen", "李强": "P-li", "王芳": "P-wang"}


def _doc(members: list[tuple[int, str, bool]], records=(), vehicles=(), *, end: str = "2026-10-31",
         start: str = "2025-11-01") -> dict:
    """A household document with what facts_of reads: (member_no, name, consent) members, income
    records (member_no, item, period, amount, payer) and vehicles (member_no, plate)."""
    recs = [{"member_no": n, "source": "tax", "record_id": f"T{i}", "decision": "auto", "kind": "tax_income",
             "period": period, "item": item, "amount": amount, "payer": payer, "counted": True}
            for i, (n, item, period, amount, payer) in enumerate(records)]
    return {"outcome": "pass", "findings": [],
            "members": [{"member_no": n, "name": name, "consent": consent, "matches": []} for n, name, consent in members],
            "window": {"start": start, "end": end, "months": 12,
                       "by_source": {"tax": {"start": start, "end": end}}},
            "data_as_of": {"tax": end},
            "income": {"monthly_total": 0.0, "monthly_per_capita": 0.0, "by_source": {}, "months_covered": 12,
                       "records": recs},
            "standards": {"income_standard": 700.0, "asset_limit_per_capita": 21000.0},
            "assets": {"financial_total": 0.0, "financial_per_capita": 0.0, "by_member": [], "properties": [],
                       "vehicles": [{"member_no": n, "plate_number": plate, "vehicle_type": "小型轿车", "held": True,
                                     "decision": "auto", "counted": True} for n, plate in vehicles]}}


def _stored(doc: dict) -> dict:
    """facts_of(doc) as the next night reads it back from household_facts."""
    persons = {n: PERSONS[m["name"]] for m in doc["members"] for n in [m["member_no"]]}
    return json.loads(json.dumps(facts_of(doc, persons), ensure_ascii=False))


def _kinds(alerts: list[dict]) -> list[tuple[str, str]]:
    return sorted((a["kind"], a["severity"]) for a in alerts)


def _wage(n: int, months: range, year: int = 2026) -> list[tuple]:
    return [(n, "工资薪金", f"{year}-{m:02d}", 2000.0, "太原某公司") for m in months]


def test_renumbered_members_keep_their_income_vehicles_and_missing_consent():
    before = _doc([(1, "王芳", True), (2, "陈静", True), (3, "李强", False)], _wage(2, range(1, 11)), [(2, "晋A12345")])
    after = _doc([(1, "陈静", True), (2, "李强", False), (3, "王芳", True)], _wage(1, range(1, 11)), [(1, "晋A12345")])
    assert compare(_stored(before), facts_of(after, {1: "P-chen", 2: "P-li", 3: "P-wang"})) == []


def test_a_member_renumbered_as_they_withdraw_consent_is_said_unverified_and_nothing_else():
    before = _doc([(1, "王芳", True), (2, "陈静", True)], _wage(2, range(1, 11)), [(2, "晋A12345")])
    after = _doc([(1, "陈静", False), (2, "王芳", True)])
    got = compare(_stored(before), facts_of(after, {1: "P-chen", 2: "P-wang"}))
    assert _kinds(got) == [("member.unverified", "warn")] and "陈静" in got[0]["message"]


def test_a_member_who_left_is_said_to_have_left_not_their_wage_to_have_ended():
    """A nightly probe: a daughter who married out raised '收入来源不再出现：郑芳：工资薪金' for a
    wage still paid, a son who moved out 'vehicle gone', and a child leaving nothing at all."""
    before = _doc([(1, "王芳", True), (2, "陈静", True)], _wage(2, range(1, 11)), [(2, "晋A12345")])
    after = _doc([(1, "王芳", True)])
    got = compare(_stored(before), facts_of(after, {1: "P-wang"}))
    assert _kinds(got) == [("member.left", "info")]
    assert got[0]["message"].startswith("陈静不再列在家庭成员中，其名下") and "晋A12345" in got[0]["message"]
    assert got[0]["message"].count("陈静") == 1, "the message names her once, not again on each thing she held"


def test_a_member_who_joined_is_said_to_have_joined_and_their_wage_is_new_to_the_household():
    before = _doc([(1, "王芳", True)])
    after = _doc([(1, "王芳", True), (2, "李强", True)], _wage(2, range(1, 11)))
    got = compare(_stored(before), facts_of(after, {1: "P-wang", 2: "P-li"}))
    assert _kinds(got) == [("income.source_new", "warn"), ("member.joined", "info")]
    assert "新增家庭成员：李强" in [a["message"] for a in got]


def test_a_member_whose_id_the_rolls_corrected_keeps_their_wage_car_and_missing_consent():
    """A nightly probe: 吕平涛's invalid ID (keyed by his name) was corrected on the rolls (keyed by
    the ID since): he 'left', 'joined' and brought a 'new' wage the same night."""
    before = _doc([(1, "王芳", True), (2, "陈静", True), (3, "李强", False)], _wage(2, range(1, 11)), [(2, "晋A12345")])
    after = _doc([(1, "王芳", True), (2, "陈静", True), (3, "李强", False)], _wage(2, range(1, 11)), [(2, "晋A12345")])
    stored = json.loads(json.dumps(facts_of(before, {1: "P-wang", 2: "N-chen", 3: "N-li"}), ensure_ascii=False))
    assert compare(stored, facts_of(after, {1: "P-wang", 2: "P-chen", 3: "P-li"})) == []


def test_a_member_replaced_by_a_namesake_beside_another_of_that_name_is_not_taken_for_the_same_person():
    before = _doc([(1, "王芳", True), (2, "陈静", True), (3, "陈静", True)], _wage(2, range(1, 11)))
    after = _doc([(1, "王芳", True), (2, "陈静", True), (3, "陈静", True)], _wage(2, range(1, 11)))
    stored = json.loads(json.dumps(facts_of(before, {1: "P-wang", 2: "P-chen", 3: "P-chen2"}), ensure_ascii=False))
    got = compare(stored, facts_of(after, {1: "P-wang", 2: "P-chen", 3: "P-other"}))
    assert _kinds(got) == [("member.joined", "info"), ("member.left", "info")]


def test_a_contribution_base_giving_way_to_the_tax_wage_of_the_same_job_raises_nothing():
    """A nightly probe: the pension contribution base stood in for a new job's first month; when
    the tax wage of that month arrived the base no longer counted, and the alerts said the base
    'ended' and a wage 'started' at the same employer."""
    def base(doc, months):
        for r in doc["income"]["records"]:
            if r["period"][5:7] in months:
                r.update(source="social_insurance", item="缴费基数（工资佐证）", kind="contribution")
        return doc
    before = base(_doc([(1, "王芳", True)], _wage(1, range(9, 11))), {"09", "10"})
    after = base(_doc([(1, "王芳", True)], _wage(1, range(9, 11))), {"09"})      # October's tax wage came in
    assert compare(_stored(before), facts_of(after, {1: "P-wang"})) == []


def test_a_crossing_caused_by_the_standard_moving_says_the_standard_moved():
    """A nightly probe: '人均月收入由625.00元变为625.00元，达到或超过标准496.00元' (the household was
    now counted rural; the message did not say the standard had changed)."""
    before, after = _doc([(1, "王芳", True)]), _doc([(1, "王芳", True)])
    for doc, std in ((before, 628.0), (after, 496.0)):
        doc["income"]["monthly_per_capita"] = 625.0
        doc["standards"]["income_standard"] = std
    (got,) = compare(_stored(before), facts_of(after, {1: "P-wang"}))
    assert got["kind"] == "income.crossed_standard"
    assert got["message"] == "家庭人均月收入仍为625.00元，标准由628.00元调整为496.00元后，达到或超过标准", got["message"]


@pytest.mark.parametrize("v0, v1, said", [
    (750.0, 750.0, "家庭人均月收入仍为750.00元，标准由700.00元调整为800.00元后，低于标准"),
    (720.0, 750.0, "家庭人均月收入由720.00元变为750.00元，低于标准800.00元（标准由700.00元调整为800.00元）"),
    (760.0, 750.0, "家庭人均月收入由760.00元变为750.00元，回落到低于标准800.00元（标准由700.00元调整为800.00元）"),
])
def test_a_raised_standard_never_says_an_income_that_held_or_rose_fell_back(v0, v1, said):
    """A programmes probe: '家庭人均月收入由750.00元变为750.00元，回落到低于标准800.00元' when only the
    standard had risen, from 700."""
    before, after = _doc([(1, "王芳", True)]), _doc([(1, "王芳", True)])
    for doc, std, v in ((before, 700.0, v0), (after, 800.0, v1)):
        doc["income"]["monthly_per_capita"] = v
        doc["standards"]["income_standard"] = std
    (got,) = compare(_stored(before), facts_of(after, {1: "P-wang"}))
    assert got["message"] == said


def test_income_first_in_the_window_for_an_older_month_is_new_and_says_its_months():
    before = _doc([(1, "陈静", True)])
    after = _doc([(1, "陈静", True)], [(1, "劳务报酬", "2026-06", 6000.0, "太原某咨询公司")])
    got = compare(_stored(before), _stored(after))
    assert _kinds(got) == [("income.source_new", "warn")]
    assert "2026-06" in got[0]["message"] and "劳务报酬" in got[0]["message"]


def test_a_wage_first_delivered_for_past_months_names_them_as_a_range():
    before = _doc([(1, "陈静", True)])
    after = _doc([(1, "陈静", True)], _wage(1, range(3, 7)))
    got = compare(_stored(before), _stored(after))
    assert _kinds(got) == [("income.source_new", "warn")] and "2026-03至2026-06" in got[0]["message"]


def test_a_source_that_ages_out_of_activity_in_the_window_never_raises_source_new_again():
    members = [(1, "陈静", True)]
    records = _wage(1, range(1, 10)) + [(1, "劳务报酬", "2026-09", 6000.0, "太原某咨询公司")]
    nights = [_stored(_doc(members, records, end=end, start=start)) for start, end in
              (("2025-11-01", "2026-10-31"), ("2026-01-01", "2026-12-31"), ("2026-02-01", "2027-01-31"),
               ("2026-03-01", "2027-02-28"))]
    assert _kinds(compare(nights[0], nights[1])) == [("income.source_ended", "info")]   # the wage; a fee never ends
    assert compare(nights[1], nights[2]) == [] and compare(nights[2], nights[3]) == []


def test_an_ended_wage_paid_again_is_new_again():
    members = [(1, "陈静", True)]
    ended = _stored(_doc(members, _wage(1, range(1, 6))))
    again = _stored(_doc(members, _wage(1, range(1, 6)) + _wage(1, range(9, 11))))
    got = compare(ended, again)
    assert _kinds(got) == [("income.source_new", "warn")] and "2026-09至2026-10" in got[0]["message"]


def test_a_dormant_source_paid_for_another_older_month_is_new_but_a_running_wage_is_not():
    members = [(1, "陈静", True)]
    fee = [(1, "劳务报酬", "2026-02", 3000.0, "太原某咨询公司")]
    before = _stored(_doc(members, fee + _wage(1, range(1, 10))))
    after = _stored(_doc(members, fee + [(1, "劳务报酬", "2026-05", 3000.0, "太原某咨询公司")]
                         + _wage(1, range(1, 11))))
    got = compare(before, after)
    assert _kinds(got) == [("income.source_new", "warn")] and "2026-05" in got[0]["message"]


def test_months_that_a_longer_window_brings_in_are_not_new_income():
    members = [(1, "陈静", True)]
    records = [(1, "劳务报酬", "2025-06", 3000.0, "太原某咨询公司")]
    before = _stored(_doc(members, records))                                          # June 2025 outside
    after = _stored(_doc(members, records, start="2024-11-01"))                     # a 24-month window
    assert compare(before, after) == []


# --- facts stored before members were keyed by person -------------------------------------------

OLD_FORM = {"outcome": "pass", "fingerprint": "f", "income_per_capita": 0.0, "income_standard": 700.0,
            "financial_per_capita": 0.0, "asset_limit_per_capita": 21000.0,
            "vehicles": [{"key": "晋A12345", "member_no": 2, "label": "小型轿车 晋A12345（陈静）"}],
            "properties": [],
            "income_sources": [{"key": "2|tax|工资薪金|太原某公司", "label": "陈静：工资薪金（太原某公司）",
                                "monthly": 1666.67}],
            "unverified": [{"key": "3", "label": "李强"}]}
"""A household_facts row as the nightly stored it before: keyed by member_no, active sources only."""


def _today(members, records=(), vehicles=((2, "晋A12345"),)):
    names = {n: name for n, name, _ in members}
    return facts_of(_doc(members, records, vehicles), {n: PERSONS[name] for n, name in names.items()})


def test_old_facts_are_read_through_the_previous_members_when_the_household_was_renumbered():
    today = _today([(1, "陈静", True), (2, "李强", False), (3, "王芳", True)], _wage(1, range(1, 11)),
                   vehicles=[(1, "晋A12345")])
    previous_members = {1: "P-wang", 2: "P-chen", 3: "P-li"}
    assert compare(OLD_FORM, today, previous_members) == []


def test_old_facts_without_their_members_are_compared_by_member_no():
    members = [(1, "王芳", True), (2, "陈静", True), (3, "李强", False)]
    # an occasional fee months back was never in the old facts (only active sources were): not new
    today = _today(members, _wage(2, range(1, 11)) + [(1, "劳务报酬", "2026-03", 500.0, "某单位")])
    assert compare(OLD_FORM, today) == []
    fee_now = _today(members, _wage(2, range(1, 11)) + [(1, "劳务报酬", "2026-10", 500.0, "某单位")])
    assert _kinds(compare(OLD_FORM, fee_now)) == [("income.source_new", "warn")]


def test_facts_keyed_under_another_secret_are_compared_by_member_no():
    doc = _doc([(1, "陈静", True), (2, "李强", False)], _wage(1, range(1, 11)), [(1, "晋A12345")])
    before = json.loads(json.dumps(facts_of(doc, {1: "P-old-chen", 2: "P-old-li"}, "K-old"), ensure_ascii=False))
    assert compare(before, facts_of(doc, {1: "P-chen", 2: "P-li"}, "K-new")) == []


def _as_stored_before(row: dict) -> dict:
    """A household_facts row rewritten in the form the nightly stored before this change."""
    sources = json.loads(row["income_sources"])["sources"]
    return {
        "vehicles": [{"key": v["key"], "member_no": v["member_no"], "label": v["label"]}
                     for v in json.loads(row["vehicles"])],
        "properties": [{"key": p["key"], "member_no": p["member_no"], "label": p["label"]}
                       for p in json.loads(row["properties"])],
        "income_sources": [{"key": f"{s['member_no']}|{s['source']}|{s['item']}|{s['payer']}", "label": s["label"],
                            "monthly": s["monthly"]} for s in sources if s["active"]],
        "unverified": [{"key": str(u["member_no"]), "label": u["label"]} for u in json.loads(row["unverified"])]}


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    """Day one's facts as the previous code stored them; day two a full pass over a renumbered roll."""
    root = tmp_path_factory.mktemp("alert_keys_upgrade") / "root"
    generate(root, households=16, seed=23, as_of=DAY1)
    run_pass(root, as_of=DAY1, kind="nightly", snapshot_mode="off")
    picked = _pick(root)
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    try:
        res = con.execute("SELECT run_id, household_id, vehicles, properties, income_sources, unverified "
                          "FROM household_facts")
        cols = [c[0] for c in res.description]
        for row in [dict(zip(cols, r)) for r in res.fetchall()]:
            old = _as_stored_before(row)
            con.execute("UPDATE household_facts SET vehicles = ?, properties = ?, income_sources = ?, unverified = ? "
                        "WHERE run_id = ? AND household_id = ?",
                        [json.dumps(old[k], ensure_ascii=False) for k in ("vehicles", "properties", "income_sources",
                                                                           "unverified")]
                        + [row["run_id"], row["household_id"]])
    finally:
        con.close()
    write_csv(root / "landing" / "rolls" / "rolls_20261121.csv", _renumbered(picked["rows"], picked["renumber"]),
              REQUEST_FIELDS)
    day2 = run_pass(root, as_of=DAY2, kind="nightly", full=True, snapshot_mode="off")
    return {"root": root, "day2": day2, "picked": picked}


def test_the_first_night_after_facts_keyed_by_member_no_raises_no_false_alert(upgraded):
    root, day2 = upgraded["root"], upgraded["day2"]
    assert day2["households_unchanged"] == 0                       # every household compared with old facts
    assert query(root, "SELECT household_id, kind, message FROM alerts WHERE as_of = ?", [DAY2]) == []
    # and the facts it recorded are keyed by person: the night after compares like with like
    stored = query(root, "SELECT income_sources FROM household_facts WHERE run_id = ?", [day2["run_id"]])
    assert stored and all(isinstance(json.loads(r["income_sources"]), dict) for r in stored)


def _pension(doc: dict) -> dict:
    for r in doc["income"]["records"]:
        r.update(source="social_insurance", kind="benefit", item="养老金", payer=None)
    doc["data_as_of"]["social_insurance"] = doc["window"]["end"]
    return doc


def test_a_pension_missing_one_month_neither_ends_nor_starts_again():
    """An evaluator: a 城乡居民 pension paid every month, one month's row without an ID (so unlinked),
    'ended' that night and came back as a new income source (warn) the next: 12 of 46 alerts."""
    members = [(1, "王芳", True)]
    pay = lambda months: [(1, "养老金", m, 150.0, None) for m in months]   # noqa: E731
    nights = [_stored(_pension(_doc(members, pay(months), start=start, end=end))) for start, end, months in (
        ("2025-10-01", "2026-09-30", [f"2026-{m:02d}" for m in range(1, 10)]),
        ("2025-11-01", "2026-10-31", [f"2026-{m:02d}" for m in range(1, 10)]),            # October's row unlinked
        ("2025-12-01", "2026-11-30", [f"2026-{m:02d}" for m in (*range(1, 10), 11)]))]
    assert compare(nights[0], nights[1]) == [] and compare(nights[1], nights[2]) == []


def test_a_pension_missing_two_delivered_months_has_ended():
    members = [(1, "王芳", True)]
    pay = [(1, "养老金", f"2026-{m:02d}", 150.0, None) for m in range(1, 10)]
    before = _stored(_pension(_doc(members, pay, start="2025-10-01", end="2026-09-30")))
    after = _stored(_pension(_doc(members, pay, start="2025-12-01", end="2026-11-30")))
    assert _kinds(compare(before, after)) == [("income.source_ended", "info")]


def _schemes(doc: dict, scheme_of) -> dict:
    """The pension rows of `doc` paid by the scheme `scheme_of(period)` names."""
    for r in _pension(doc)["income"]["records"]:
        r["insurance_type"] = scheme_of(r["period"])
    return doc


RURAL, STAFF = "城乡居民基本养老保险", "企业职工基本养老保险"


def test_a_second_pension_of_another_scheme_is_a_new_income_source_naming_its_scheme():
    """An evaluator: a member on a 城乡居民 pension who began drawing a 企业职工 one too (no payer on
    either row) raised no alert: both were '养老金' of the same empty payer, one income."""
    members = [(1, "王芳", True)]
    rural = [(1, "养老金", f"2026-{m:02d}", 150.0, None) for m in range(1, 11)]
    staff = [(1, "养老金", f"2026-{m:02d}", 2100.0, None) for m in (9, 10)]
    before = _stored(_schemes(_doc(members, rural), lambda p: RURAL))
    after = _stored(_schemes(_doc(members, rural + staff),
                             lambda p, seen=set(): STAFF if (p in seen or seen.add(p)) else RURAL))
    got = compare(before, after)
    assert _kinds(got) == [("income.source_new", "warn")], got
    assert STAFF in got[0]["message"] and "2026-09至2026-10" in got[0]["message"]


def test_pensions_compared_with_facts_stored_before_schemes_were_raise_nothing():
    members = [(1, "王芳", True)]
    rural = [(1, "养老金", f"2026-{m:02d}", 150.0, None) for m in range(1, 11)]
    before = _stored(_schemes(_doc(members, rural), lambda p: RURAL))
    before["income_sources"].pop("schemes")
    for x in before["income_sources"]["sources"]:
        x.pop("scheme")
    assert compare(before, _stored(_schemes(_doc(members, rural), lambda p: RURAL))) == []


def test_a_plate_or_certificate_re_exported_in_another_spelling_is_no_new_vehicle_or_home():
    """A re-delivery probe: 晋A12345 re-exported as 晋A·12345 raised vehicle.new beside vehicle.gone, and
    a certificate written with full-width brackets property.new beside property.gone."""
    before, after = _doc([(1, "王芳", True)], (), [(1, "晋A12345")]), _doc([(1, "王芳", True)], (), [(1, "晋A·12345")])
    before["assets"]["properties"] = [{"member_no": 1, "certificate_number": "晋(2018)太原市不动产权第0001号",
                                       "usage": "住宅", "location": "小店区", "held": True, "decision": "auto"}]
    after["assets"]["properties"] = [{**before["assets"]["properties"][0],
                                      "certificate_number": "晋（2018）太原市不动产权第0001号"}]
    assert compare(_stored(before), _stored(after)) == []


def test_an_income_crossing_names_the_sources_that_moved_the_figure():
    """A nightly probe: '家庭人均月收入由500.00元变为875.00元' and nowhere that a corrected pension row
    did it, nor, for 583.33 → 0.00, that the only wage had left the window."""
    wages = [(1, "工资薪金", f"2026-{m:02d}", 500.0, "太原某公司") for m in range(1, 11)]
    old_fee = [(1, "劳务报酬", "2025-11", 1200.0, "某装修队")]
    before = _doc([(1, "王芳", True)], wages + old_fee)
    after = _doc([(1, "王芳", True)], wages[:-1] + [(1, "工资薪金", "2026-10", 5000.0, "太原某公司")],
                 start="2025-12-01", end="2026-11-30")
    before["income"]["monthly_per_capita"], after["income"]["monthly_per_capita"] = 516.67, 791.67
    (got,) = [a for a in compare(_stored(before), facts_of(after, {1: "P-wang"}))
              if a["kind"] == "income.crossed_standard"]
    assert got["message"].startswith("家庭人均月收入由516.67元变为791.67元，达到或超过标准700.00元。主要变动："), got["message"]
    assert "王芳：工资薪金（太原某公司），月均由416.67元变为791.67元" in got["message"]
    assert "王芳：劳务报酬（某装修队），月均100.00元（本次不再计入：移出核对期或不再关联）" in got["message"]
    assert got["message"].index("工资薪金") < got["message"].index("劳务报酬")      # the larger move first


def _base_beside_a_pending_wage(month: str) -> list[dict]:
    """A month's pension contribution with the member's ID beside an ID-less wage row of that month
    waiting for review: the base is not counted (the wage may be the figure), the job is there."""
    from assessment.figures import PENDING_WAGE_NOTE

    return [{"member_no": 1, "source": "social_insurance", "record_id": f"S{month}", "decision": "auto",
             "kind": "contribution", "insurance_type": "企业职工基本养老保险", "period": month,
             "item": "缴费基数（工资佐证）", "amount": 2892.05, "payer": "美特好", "counted": False,
             "note": PENDING_WAGE_NOTE},
            {"member_no": 1, "source": "tax", "record_id": f"T{month}", "decision": "review", "kind": "tax_income",
             "period": month, "item": "工资薪金", "amount": 2892.05, "payer": "美特好", "counted": False}]


def test_a_job_shown_by_a_base_beside_a_wage_waiting_for_review_is_new_once_and_never_ends_meanwhile():
    """A nightly evaluator: a new job whose first wage came without an ID (a review link) was flagged a
    month late; another, first seen by its base, 'ended' the night its ID-less wage arrived, and was
    'new' again when a wage with the member's ID came."""
    quiet = _doc([(1, "王芳", True)])
    pending = _doc([(1, "王芳", True)])
    pending["income"]["records"] = _base_beside_a_pending_wage("2026-10")
    got = compare(_stored(quiet), _stored(pending))
    assert _kinds(got) == [("income.source_new", "warn")] and "美特好" in got[0]["message"], got
    paid = _doc([(1, "王芳", True)], [(1, "工资薪金", "2026-10", 2892.05, "美特好"),
                                      (1, "工资薪金", "2026-11", 2892.05, "美特好")], end="2026-11-30")
    assert compare(_stored(pending), _stored(paid)) == []
    assert compare(_stored(paid), _stored(pending)) == []     # the wage waits for review again: no 'ended'


def test_an_outcome_changed_by_nothing_else_alerted_says_what_holds_it_now():
    """A nightly evaluator: a car, a deposit and a home without an ID each raised only '核对结论由「通过」变为
    「需复核」', nothing saying what had appeared."""
    before, after = _doc([(1, "王芳", True)]), _doc([(1, "王芳", True)])
    after["outcome"] = "review"
    after["findings"] = [{"rule": "match.review", "severity": "warn",
                          "message": "1条部门记录与成员的匹配不确定，待人工复核后计入（名下有非豁免机动车）。请核实"},
                         {"rule": "policy.county", "severity": "info", "message": "不相关"}]
    (got,) = compare(_stored(before), facts_of(after, {1: "P-wang"}))
    assert got["message"] == ("核对结论由「通过」变为「需复核」；主要原因：1条部门记录与成员的匹配不确定，"
                              "待人工复核后计入（名下有非豁免机动车）（详见核对报告）"), got["message"]
    with_car = _doc([(1, "王芳", True)], vehicles=[(1, "晋A12345")])
    with_car["outcome"], with_car["findings"] = "review", after["findings"]
    said = {a["kind"]: a["message"] for a in compare(_stored(before), facts_of(with_car, {1: "P-wang"}))}
    assert said["outcome.changed"] == "核对结论由「通过」变为「需复核」"    # the car's own alert says what moved it
