"""A new rolls snapshot with rejected rows, and households that leave: what the nightly verifies
and tells the agency (found by a black-box probe: a bad cell re-verified a household without its
member, with a false "pension ended" alert; a household with no agency left the rolls silently)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from data.generator import generate
from pipelines.passes import run_pass

from ops_support import REQUEST_FIELDS, query, write_csv

DAY1, DAY2, DAY3 = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)


def _snapshot(root) -> list[dict]:
    rows = query(root, "SELECT * REPLACE (id_raw AS id_number) FROM rolls_current ORDER BY household_id, member_no")
    return [{f: r[f] for f in REQUEST_FIELDS} for r in rows]


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    root = tmp_path_factory.mktemp("rolls") / "root"
    generate(root, households=16, seed=23, as_of=DAY1)
    run_pass(root, as_of=DAY1, kind="nightly")
    data_as_of = [json.loads(p.read_text())["data_as_of"] for p in (root / "outbox").glob("*/nightly-20261120/*.json")]
    good = _snapshot(root)
    sizes = {}
    for r in good:
        sizes[r["household_id"]] = sizes.get(r["household_id"], 0) + 1
    bigger = [h for h, n in sorted(sizes.items()) if n >= 2]
    bad_cell, no_agency, leaving = bigger[0], bigger[1], sorted(sizes)[-1]
    day2 = []
    for r in good:
        if r["household_id"] == leaving:
            continue
        r = dict(r)
        if r["household_id"] == bad_cell and r["member_no"] == 2:
            r["declared_monthly_income"] = "-50"
        if r["household_id"] == no_agency:
            r["agency"] = ""
        day2.append(r)
    write_csv(root / "landing" / "rolls" / "rolls_20261121.csv", day2, REQUEST_FIELDS)
    day2_run = run_pass(root, as_of=DAY2)
    state2 = {
        "run_alerts": day2_run["alerts"],
        "run_changed": day2_run["households_changed"],
        "alert_rows": query(root, "SELECT count(*) AS n FROM alerts WHERE run_id = ?", [day2_run["run_id"]])[0]["n"],
        "runs_alerts": query(root, "SELECT alerts FROM runs WHERE run_id = ?", [day2_run["run_id"]])[0]["alerts"],
        "members": query(root, "SELECT household_id, count(*) AS n FROM rolls_current GROUP BY 1"),
        "alerts": query(root, "SELECT household_id, kind, severity, message, report_path FROM alerts "
                              "WHERE as_of = ? ORDER BY household_id, kind", [DAY2]),
        "assessed": {r["household_id"] for r in query(root, "SELECT household_id FROM household_assessment")},
        "summaries": {p.parent.parent.name: p.read_text() for p in (root / "outbox").glob("*/nightly-20261121/summary.txt")},
        "notes": [p.read_text() for p in (root / "rejected" / "rolls").glob("rolls_20261121*.error.txt")],
        "reports": {p.stem: json.loads(p.read_text(encoding="utf-8"))
                    for p in (root / "outbox").glob("*/nightly-20261121/*.json")},
    }
    run_pass(root, as_of=DAY2)   # a second pass over the same snapshot
    state2["held_again"] = query(root, "SELECT count(*) AS n FROM alerts WHERE as_of = ? AND kind = 'rolls.held' "
                                       "AND household_id = ?", [DAY2, bad_cell])[0]["n"]
    state2["summaries_again"] = {p.parent.parent.name: p.read_text()
                                 for p in (root / "outbox").glob("*/nightly-20261121/summary.txt")}
    declared = bigger[2]        # the roll changes what it declared: no figure moves, no alert
    day3 = [dict(r, declared_monthly_income="1234.50") if r["household_id"] == declared and r["member_no"] == 1
            else r for r in good if r["household_id"] != leaving]
    write_csv(root / "landing" / "rolls" / "rolls_20261122.csv", day3, REQUEST_FIELDS)
    run_pass(root, as_of=DAY3)
    rewritten = {r["household_id"]: r["report_path"] for r in query(
        root, "SELECT household_id, report_path FROM household_assessment WHERE household_id IN (?, ?, ?)",
        [bad_cell, no_agency, declared])}
    run_pass(root, as_of=DAY3, include_rolls=False, landing=False)
    state3 = {
        "members": query(root, "SELECT household_id, count(*) AS n, any_value(batch_id) AS batch FROM rolls_current "
                               "GROUP BY 1"),
        "alerts": query(root, "SELECT household_id, kind FROM alerts WHERE as_of = ?", [DAY3]),
        "latest": query(root, "SELECT batch_id FROM applicant_rows WHERE origin = 'rolls' "
                              "ORDER BY loaded_at DESC LIMIT 1")[0]["batch_id"],
        "kinds": [r["kind"] for r in query(root, "SELECT kind FROM runs ORDER BY started_at")],
        "report_paths": rewritten,
        "changes": {h: json.loads((root / p).read_text(encoding="utf-8")).get("changes") for h, p in rewritten.items()},
    }
    return {"data_as_of": data_as_of, "sizes": sizes, "bad_cell": bad_cell, "no_agency": no_agency, "leaving": leaving,
            "declared": declared,
            "day2": state2, "day3": state3}


def test_a_household_with_a_rejected_member_row_keeps_its_previous_version(nights):
    members = {r["household_id"]: r["n"] for r in nights["day2"]["members"]}
    assert members[nights["bad_cell"]] == nights["sizes"][nights["bad_cell"]]
    assert members[nights["no_agency"]] == nights["sizes"][nights["no_agency"]]


def test_a_held_household_is_announced_and_raises_no_false_change(nights):
    alerts = nights["day2"]["alerts"]
    for household in (nights["bad_cell"], nights["no_agency"]):
        kinds = {a["kind"] for a in alerts if a["household_id"] == household}
        assert "rolls.held" in kinds, alerts
        assert "income.source_ended" not in kinds, kinds
    held = next(a for a in alerts if a["household_id"] == nights["bad_cell"] and a["kind"] == "rolls.held")
    assert held["severity"] == "warn" and "沿用上一版名册信息核对" in held["message"]
    # it points at the report written that night (a probe's held row had an empty report column)
    assert held["report_path"] and held["report_path"].endswith(f"{nights['bad_cell']}.html")
    agency_text = "\n".join(nights["day2"]["summaries"].values())
    assert nights["bad_cell"] in agency_text and nights["no_agency"] in agency_text


def test_a_held_households_report_says_it_was_verified_on_the_previous_roll(nights):
    """A README probe: the report of a household the new roll sent with a rejected row said 通过
    and nothing else; only alerts.csv said it was held, and a caseworker reads the report."""
    doc = nights["day2"]["reports"][nights["bad_cell"]]
    held = [f for f in doc["findings"] if f["rule"] == "rolls.held"]
    assert [f["severity"] for f in held] == ["warn"] and "上一版名册" in held[0]["message"], doc["findings"]
    assert doc["outcome"] != "pass"
    assert "rolls.held" in {f["rule"] for f in nights["day2"]["reports"][nights["no_agency"]]["findings"]}


def test_the_run_counts_every_alert_it_raised_the_rolls_notices_too(nights):
    """A nightly probe: runs.alerts said 13 beside 15 rows of alerts (two rolls.left)."""
    day2 = nights["day2"]
    assert {"rolls.left", "rolls.held"} <= {a["kind"] for a in day2["alerts"]}
    assert day2["run_alerts"] == day2["runs_alerts"] == day2["alert_rows"] == len(day2["alerts"])


def test_the_run_counts_a_household_that_left_among_the_households_changed(nights):
    """A month-of-life probe: the console said 5 households changed beside summary.txt's 6, the one
    that left (no report) uncounted."""
    day2 = nights["day2"]
    assert day2["run_changed"] == len({a["household_id"] for a in day2["alerts"]})


def test_a_household_that_left_the_rolls_is_announced_once_and_leaves_the_current_assessments(nights):
    left = [a for a in nights["day2"]["alerts"] if a["household_id"] == nights["leaving"]]
    assert [(a["kind"], a["severity"], a["report_path"]) for a in left] == [("rolls.left", "info", None)]
    assert nights["leaving"] not in nights["day2"]["assessed"]
    assert nights["bad_cell"] in nights["day2"]["assessed"]
    assert not [a for a in nights["day3"]["alerts"] if a["kind"] in ("rolls.left", "rolls.held")]


def test_the_corrected_snapshot_replaces_the_held_version(nights):
    latest = nights["day3"]["latest"]
    by_household = {r["household_id"]: r for r in nights["day3"]["members"]}
    for household in (nights["bad_cell"], nights["no_agency"]):
        assert by_household[household]["batch"] == latest
        assert by_household[household]["n"] == nights["sizes"][household]


def test_a_household_whose_hold_is_lifted_or_whose_roll_rows_changed_gets_its_report_written_again(nights):
    """A rolls probe: the corrected roll was verified, but household_assessment still named the night-2
    report saying the household was held (and, for an ID corrected in the roll, asking to correct it)."""
    for household in (nights["bad_cell"], nights["no_agency"], nights["declared"]):
        assert "nightly-20261122" in nights["day3"]["report_paths"][household], household
        changes = nights["day3"]["changes"][household]
        assert changes, household       # an alert (the hold's outcome lifted), else why it was written
        if not any(c["severity"] != "info" or c["kind"] != "rolls.updated" for c in changes):
            assert any(w in changes[0]["message"] for w in ("不再暂缓", "名册中该家庭的信息有更新")), changes
    assert [c["kind"] for c in nights["day3"]["changes"][nights["declared"]]] == ["rolls.updated"]


def test_runs_record_the_contracts_kinds_nightly_and_on_demand(nights):
    assert nights["day3"]["kinds"] == ["nightly", "nightly", "nightly", "nightly", "on_demand"]


def test_the_rolls_error_note_asks_for_a_whole_corrected_snapshot_not_the_rows_alone(nights):
    (note,) = nights["day2"]["notes"]
    assert "不要只发送更正的行" in note and "只需发送更正的行" not in note
    assert nights["bad_cell"] in note and nights["no_agency"] in note


def test_no_source_is_as_of_a_date_after_the_request(nights):
    """The registers were loaded today, the nightly asked about 2026-11-20 (`--as-of`)."""
    dates = [d for doc in nights["data_as_of"] for d in doc.values() if d]
    assert dates and max(dates) <= DAY1.isoformat()


def test_a_second_pass_over_the_same_snapshot_does_not_repeat_its_held_warning(nights):
    """A contract probe: the day's summary listed the same [warn] rolls.held line once per pass."""
    assert nights["day2"]["held_again"] == 1
    for agency, text in nights["day2"]["summaries_again"].items():
        assert text.count(nights["bad_cell"]) == nights["day2"]["summaries"][agency].count(nights["bad_cell"])
