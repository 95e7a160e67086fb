"""The linker on a small generated province, against its truth: thresholds that fail if it regresses.

The province (220 households, its own seed) is generated in a temporary folder, loaded by the
pipeline's ingest stage and linked as a pass does; the truth says who owns every row.
"""

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest

from matching import link_work_members
from pipelines.runs import finish_run
from warehouse import transaction

from link_support import province_ready_to_link

AS_OF = date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[1]


def _truth():
    spec = importlib.util.spec_from_file_location("matching_eval", ROOT / "bench" / "matching_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    root = tmp_path_factory.mktemp("matching") / "root"
    ctx = province_ready_to_link(root, 220, 23, AS_OF)
    with transaction(ctx.con):
        counts = link_work_members(ctx.con, ctx.run_id)
    truth = _truth()
    truth.load_truth(ctx.con, root.parent / "root-truth")
    result = truth.evaluate(ctx.con, ctx.run_id)
    yield ctx, counts, result
    finish_run(ctx, "completed")
    ctx.close()


def test_auto_links_are_precise_on_every_source(linked):
    _, _, ev = linked
    for row in ev["per_source"].to_dict("records"):
        if row["auto_links"]:
            assert row["auto_precision"] >= 0.999, row


def test_rows_with_an_id_are_found(linked):
    _, _, ev = linked
    assert ev["recall_with_id"] >= 0.99
    by_noise = {r["kind"]: r for r in ev["by_noise"].to_dict("records")}
    for kind in ("clean", "legacy", "lowercase_x", "fullwidth", "spaces"):
        if kind in by_noise:
            assert by_noise[kind]["auto_recall"] >= 0.98, (kind, by_noise[kind])
    for kind in ("stray_space", "traditional", "homophone", "wrong_digit", "swap"):      # also without an ID
        if kind in by_noise:
            assert by_noise[kind]["all_recall"] >= 0.95, (kind, by_noise[kind])


def test_rows_without_an_id_are_found_when_the_evidence_allows(linked):
    _, _, ev = linked
    assert ev["recall_without_id"] >= 0.85


def test_namesakes_are_left_alone(linked):
    _, _, ev = linked
    assert ev["namesake"]["rate"] <= 0.001
    assert ev["namesake"]["linked_auto"] == 0


def test_a_relatives_id_is_never_auto_linked(linked):
    """A row carrying one person's ID under another person's name (the generator's
    `relative_id` noise, where the two names differ) is at most a review link."""
    ctx, _, _ = linked
    auto = ctx.con.execute("""
        SELECT count(*) FROM links l JOIN t_rows t USING (source, record_id)
        JOIN match_source_rows r USING (source, record_id)
        JOIN t_persons p ON p.person_key = t.person_key
        WHERE l.run_id = ? AND l.decision = 'auto' AND t.noise LIKE '%relative_id%'
          AND r.id_number IN (SELECT id_number FROM work_members)
          AND (SELECT name FROM work_members w WHERE w.id_number = r.id_number LIMIT 1) <> p.name
          AND l.request_id || l.household_id || l.member_no NOT IN (
              SELECT request_id || household_id || member_no FROM t_members WHERE person_key = t.person_key)""",
        [ctx.run_id]).fetchall()[0][0]
    assert auto == 0


def test_links_explain_themselves(linked):
    ctx, counts, _ = linked
    rows = ctx.con.execute("SELECT decision, match_probability, evidence FROM links WHERE run_id = ?",
                           [ctx.run_id]).fetchall()
    assert counts["links_auto"] > 0 and counts["links_review"] > 0
    for decision, p, evidence in rows:
        doc = json.loads(evidence)
        assert 0.0 <= p <= 1.0
        assert set(doc) == {"summary", "weights", "prior", "total", "competitor"}
        assert doc["summary"] and all({"field", "level", "weight"} <= set(w) for w in doc["weights"])
        assert abs(doc["prior"] + sum(w["weight"] for w in doc["weights"]) - doc["total"]) < 0.1
        if decision == "review":
            assert "复核" in doc["summary"]


def test_parameters_are_stored_with_the_run(linked):
    ctx, _, _ = linked
    params = ctx.con.execute("SELECT field, level, m, u FROM match_parameters WHERE run_id = ?",
                             [ctx.run_id]).fetchall()
    assert {f for f, *_ in params} == {"id_number", "name", "birth_date", "gender", "county_code", "address",
                                       "organisation"}
    assert all(0 < m <= 1 and 0 < u <= 1 for _, _, m, u in params)
    weights = {(f, lv): m / u for f, lv, m, u in params}
    assert weights[("id_number", "exact")] > weights[("id_number", "different")]
    assert weights[("name", "exact")] > weights[("name", "same_pinyin")] > weights[("name", "different")]


def test_linking_again_gives_the_same_links_and_leaves_the_row_order_setting_as_it_was(linked):
    ctx, _, _ = linked
    cols = "source, record_id, request_id, household_id, member_no, round(match_probability, 9), decision, evidence"
    first = sorted(ctx.con.execute(f"SELECT {cols} FROM links WHERE run_id = ?", [ctx.run_id]).fetchall(), key=repr)
    ctx.con.execute("BEGIN TRANSACTION")
    try:
        link_work_members(ctx.con, "again")
        again = sorted(ctx.con.execute(f"SELECT {cols} FROM links WHERE run_id = 'again'").fetchall(), key=repr)
        kept = ctx.con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    finally:
        ctx.con.execute("ROLLBACK")
    assert again == first and len(first) > 1000
    assert kept is True
