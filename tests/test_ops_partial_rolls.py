"""A rolls snapshot that leaves out much of an agency's roll, and the households it left out coming
back the next night. A nightly probe's partial roll (4 of 11 households) dropped seven households on
aid with no warning; when the full roll came back, the car one of them had bought meanwhile was
news to nobody (`new_on_rolls` only, no `vehicle.new`, no `outcome.changed`)."""

from __future__ import annotations

from datetime import date

import pytest

from data.generator import generate
from pipelines.passes import run_pass

from ops_support import REQUEST_FIELDS, query, write_csv

DAY1, DAY2, DAY3 = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    root = tmp_path_factory.mktemp("partial") / "root"
    generate(root, households=60, seed=31, as_of=DAY1)
    run_pass(root, as_of=DAY1, kind="nightly")
    good = [{f: r[f] for f in REQUEST_FIELDS} for r in query(
        root, "SELECT * REPLACE (id_raw AS id_number) FROM rolls_current ORDER BY household_id, member_no")]
    by_agency: dict = {}
    for r in good:
        by_agency.setdefault(r["agency"], set()).add(r["household_id"])
    agency, households = max(by_agency.items(), key=lambda kv: len(kv[1]))
    kept = set(sorted(households)[:len(households) // 3])
    dropped = sorted(households - kept)
    write_csv(root / "landing" / "rolls" / "rolls_20261121.csv",
              [r for r in good if r["agency"] != agency or r["household_id"] in kept], REQUEST_FIELDS)
    day2 = run_pass(root, as_of=DAY2)
    buyer = next(r for r in good if r["household_id"] == dropped[0] and r["relation"] == "户主")
    write_csv(root / "landing" / "rolls" / "rolls_20261122.csv", good, REQUEST_FIELDS)
    write_csv(root / "landing" / "vehicle" / "car_20261122.csv",
              [{"record_id": "CAR-NEW-1", "name": buyer["name"], "id_number": buyer["id_number"],
                "plate_number": "晋A9Z999", "vehicle_type": "小型轿车", "registration_date": "2026-11-21",
                "status": "正常"}])
    run_pass(root, as_of=DAY3)
    return {"root": root, "agency": agency, "kept": kept, "dropped": dropped, "buyer": buyer["household_id"],
            "day2": day2, "alerts": query(root, "SELECT as_of, household_id, kind, severity, message FROM alerts "
                                                "ORDER BY as_of, household_id, kind")}


def test_a_snapshot_leaving_out_most_of_an_agencys_roll_warns_of_every_household_it_left_out(nights):
    left = [a for a in nights["alerts"] if a["as_of"] == DAY2 and a["kind"] == "rolls.left"]
    assert sorted(a["household_id"] for a in left) == nights["dropped"]
    assert {a["severity"] for a in left} == {"warn"}
    n_before = len(nights["kept"]) + len(nights["dropped"])
    assert all(f"最新名册只列出本机构上一版名册{n_before}户中的{len(nights['kept'])}户，可能不完整" in a["message"]
               for a in left)
    assert any(f"lists {len(nights['kept'])} of the {n_before} households agency {nights['agency']}" in m
               for m in nights["day2"]["messages"]), nights["day2"]["messages"]


def test_a_household_back_on_the_rolls_is_compared_with_its_facts_before_it_left(nights):
    back = {a["kind"]: a for a in nights["alerts"] if a["as_of"] == DAY3 and a["household_id"] == nights["buyer"]}
    assert "new_on_rolls" in back and "与退出前最后一次核对相比" in back["new_on_rolls"]["message"]
    assert back["vehicle.new"]["severity"] == "warn", back
    # back out of the conditions (the car): a warning, as a newcomer's first check is (a rolls probe)
    assert back["new_on_rolls"]["severity"] == "warn" and "请核实是否应退出" in back["new_on_rolls"]["message"]
