"""What the linker derives from one distinct value (ID repairs, address parts) is computed once and
kept (`matching.memo`): a later run computes only what it has not met, and links exactly as a run
that computed everything afresh."""

from __future__ import annotations

from datetime import date

import pytest

from matching import link_work_members, memo
from matching.address import address_table
from matching.idrepair import id_repairs
from pipelines.runs import finish_run
from warehouse import transaction

from link_support import province_ready_to_link

AS_OF = date(2026, 11, 28)
LINKS = "SELECT source, record_id, request_id, member_no, decision, match_probability FROM links ORDER BY ALL"


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    ctx = province_ready_to_link(tmp_path_factory.mktemp("memo") / "root", 80, 31, AS_OF)
    yield ctx
    finish_run(ctx, "completed")
    ctx.close()


def _link(con, run_id: str, keep: bool) -> tuple[dict, list]:
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM links")
    counts = link_work_members(con, run_id)
    links = con.execute(LINKS).fetchall()
    con.execute("COMMIT" if keep else "ROLLBACK")
    return counts, links


def _same(a: list, b: list) -> bool:
    """The same links and decisions, the probabilities equal but for the last bits (a parallel sum's order)."""
    return len(a) == len(b) and all(x[:5] == y[:5] and abs(x[5] - y[5]) < 1e-9 for x, y in zip(a, b))


def _forget(con) -> None:
    con.execute("DELETE FROM match_id_repairs; DELETE FROM match_id_repaired; DELETE FROM match_address_parts")


def test_a_run_computes_only_the_values_it_has_not_met_and_links_as_a_fresh_one(ctx):
    con = ctx.con
    _forget(con)
    first, fresh = _link(con, "memo-1", keep=True)
    assert first["new_invalid_ids"] > 0 and first["new_addresses"] > 0, "the province has slips and property"
    second, again = _link(con, "memo-2", keep=False)
    assert (second["new_invalid_ids"], second["new_addresses"]) == (0, 0)
    assert _same(again, fresh)


def test_a_rolled_back_run_keeps_no_value(ctx):
    con = ctx.con
    _forget(con)
    counts, _ = _link(con, "memo-rollback", keep=False)
    assert counts["new_invalid_ids"] > 0
    assert con.execute("SELECT (SELECT count(*) FROM match_id_repairs) + (SELECT count(*) FROM match_id_repaired) "
                       "+ (SELECT count(*) FROM match_address_parts)").fetchall() == [(0,)]


def test_the_kept_values_are_what_a_fresh_computation_gives(ctx):
    con = ctx.con
    _forget(con)
    _link(con, "memo-values", keep=True)
    repaired = [i for (i,) in con.execute("SELECT id_number FROM match_id_repaired ORDER BY 1").fetchall()]
    fresh = id_repairs(repaired, with_id=True)
    assert sorted(con.execute("SELECT t.id_number, r.repair_code FROM match_id_repairs r "
                              "JOIN match_id_repaired t USING (tid)").fetchall()) == sorted(
        zip(fresh.column("id").to_pylist(), fresh.column("repair_code").to_pylist()))
    assert con.execute("SELECT count(*), count(DISTINCT tid), count(tid) FROM match_id_repaired").fetchall() == [
        (len(repaired),) * 3], "each text its own number"
    kept = con.execute("SELECT address, parts FROM match_address_parts ORDER BY address").fetchall()
    parsed = address_table([a for a, _ in kept])
    assert [p for _, p in kept] == parsed.column("parts").to_pylist()
    assert len({a for a, _ in kept}) == len(kept), "each value is kept once: a join on it never doubles a pair"


def test_values_kept_by_another_version_are_computed_again(ctx):
    con = ctx.con
    _forget(con)
    _, fresh = _link(con, "memo-v1", keep=True)
    con.execute(f"UPDATE match_id_repairs SET version = {memo.REPAIR_VERSION - 1}; "
                f"UPDATE match_id_repaired SET version = {memo.REPAIR_VERSION - 1}; "
                f"UPDATE match_address_parts SET version = {memo.ADDRESS_VERSION - 1}")
    counts, links = _link(con, "memo-v2", keep=True)
    assert counts["new_invalid_ids"] > 0 and counts["new_addresses"] > 0
    assert _same(links, fresh)
    assert con.execute(f"SELECT count(*) FROM match_id_repairs WHERE version <> {memo.REPAIR_VERSION}").fetchall() == [(0,)]


def test_repairs_of_texts_no_row_holds_are_dropped_once_they_outnumber_those_in_use(ctx):
    con = ctx.con
    _forget(con)
    _, fresh = _link(con, "memo-stale-1", keep=True)
    in_use = {i for (i,) in con.execute("SELECT id_number FROM match_id_repaired").fetchall()}
    stale = [f"99{n:016d}" for n in range(3 * len(in_use) + 1001)]     # texts of rows superseded long ago
    first_stale = con.execute("SELECT max(tid) + 1 FROM match_id_repaired").fetchall()[0][0]
    con.executemany("INSERT INTO match_id_repaired (id_number, version, tid) VALUES (?, ?, ?)",
                    [[t, memo.REPAIR_VERSION, first_stale + n] for n, t in enumerate(stale)])
    con.executemany("INSERT INTO match_id_repairs (tid, repair_code, version) VALUES (?, 1, ?)",
                    [[first_stale + n, memo.REPAIR_VERSION] for n in range(len(stale))])
    _, links = _link(con, "memo-stale-2", keep=True)
    assert {i for (i,) in con.execute("SELECT id_number FROM match_id_repaired").fetchall()} == in_use
    assert con.execute("SELECT count(*) FROM match_id_repairs WHERE tid >= ?", [first_stale]).fetchall() == [(0,)]
    assert _same(links, fresh)
