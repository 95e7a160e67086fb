"""One household that cannot be assessed must not hold up the others."""

from datetime import date

import pipelines.verify as verify
from data.generator import generate
from pipelines.passes import run_pass

AS_OF = date(2026, 11, 28)


def test_a_failing_household_is_reported_and_its_request_left_for_the_next_pass(tmp_path, monkeypatch):
    root = tmp_path / "root"
    generate(root, households=20, seed=4, as_of=AS_OF)
    real = verify.build_household
    victim = {}

    def flaky(hh, *args, **kw):
        if hh["origin"] == "inbox" and not victim:
            victim["key"] = (hh["request_id"], hh["household_id"])
            raise ValueError("unexpected data")
        return real(hh, *args, **kw)

    monkeypatch.setattr(verify, "build_household", flaky)
    first = run_pass(root, as_of=AS_OF)
    request_id, household_id = victim["key"]
    assert first["status"] == "completed" and first["reports_written"] == first["households_verified"] - 1
    assert any(household_id in m and "not assessed" in m for m in first["messages"])

    monkeypatch.setattr(verify, "build_household", real)
    second = run_pass(root, as_of=AS_OF, include_rolls=False)
    assert second["households_verified"] >= 1
    assert list((root / "outbox").rglob(f"{request_id}/{household_id}.json"))


def test_a_pass_after_a_killed_one_removes_the_half_written_files_it_left_in_the_outbox(tmp_path):
    from datetime import date

    from pipelines.context import PassContext
    from pipelines.runs import finish_run, start_run

    left = tmp_path / "outbox" / "yingze" / "REQ-1" / ".HH1.json.b02tpxex.part"
    left.parent.mkdir(parents=True)
    left.write_text("{")
    arriving = tmp_path / "inbox" / "yingze" / "req.csv.part"      # a delivery still being written
    arriving.parent.mkdir(parents=True)
    arriving.write_text("申请编号")
    ctx = PassContext.open(tmp_path, as_of=date(2026, 11, 28))
    try:
        ctx.con.execute("INSERT INTO runs (run_id, kind, started_at, status, as_of) "
                        "VALUES ('dead', 'on_demand', now(), 'running', DATE '2026-11-28')")
        start_run(ctx)
        finish_run(ctx, "completed")
    finally:
        ctx.close()
    assert not left.exists() and arriving.exists()
