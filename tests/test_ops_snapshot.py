"""Analysts query the published copy of the last completed pass: never blocked by a pass in
progress, and with pseudonymous person keys instead of ID numbers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data.generator import generate
from pipelines.passes import run_pass
from pipelines.snapshot import query_copy
from matching.idrepair import id_code
from reports.masking import find_full_ids

AS_OF = date(2026, 11, 28)
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def passed(tmp_path_factory):
    base = tmp_path_factory.mktemp("snapshot")
    root = base / "root"
    generate(root, households=30, seed=29, as_of=AS_OF)
    first = run_pass(root, as_of=AS_OF)
    ids = set(pd.read_parquet(base / "root-truth" / "persons.parquet").id_number)
    return root, first, ids


def _sql(root: Path, query: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "hhverify.cli", "sql", "--root", str(root), "--csv", query],
                         capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    return res, time.perf_counter() - started


def test_a_query_from_another_process_during_a_pass_sees_the_previous_pass_at_once(passed):
    root, first, _ = passed
    seen = {}

    def probe(stage, ctx):
        if stage.__name__ == "assess":  # the pass holds the warehouse read-write right now
            live = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True)",
                                   str(root / "warehouse.duckdb")], capture_output=True, text=True, timeout=60)
            seen["live_locked"] = live.returncode != 0 and "lock" in live.stderr.lower()
            seen["res"], seen["seconds"] = _sql(root, "SELECT run_id FROM runs WHERE status = 'completed' ORDER BY started_at")
        return stage(ctx)

    second = run_pass(root, as_of=AS_OF, full=True, call=probe)
    assert seen["live_locked"], "the probe must run while the pass holds the warehouse"
    res = seen["res"]
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["run_id", first["run_id"]]
    assert seen["seconds"] < 20
    after, _ = _sql(root, "SELECT count(*) AS n FROM runs WHERE status = 'completed'")
    assert after.stdout.split() == ["n", "2"] and second["status"] == "completed"


def _distinct_values(con, types: tuple[str, ...]):
    """(table, column, its distinct non-null values) for every base-table column of `types` in `con`."""
    cols = con.execute("SELECT table_name, column_name FROM information_schema.columns c JOIN "
                       "information_schema.tables t USING (table_name) WHERE t.table_type = 'BASE TABLE' "
                       "AND list_contains(?, c.data_type)", [list(types)]).fetchall()
    for table, column in cols:
        yield table, column, [v for (v,) in con.execute(
            f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL').fetchall()]


def test_the_copy_holds_person_keys_and_no_id_number(passed):
    root, _, ids = passed
    con = duckdb.connect(str(root / "analyst.duckdb"), read_only=True)
    try:
        for table, column, values in _distinct_values(con, ("VARCHAR",)):
            leaked = [v for v in values if find_full_ids(v) or v in ids]
            assert not leaked, (table, column, leaked[:2])
        keys = [k for (k,) in con.execute("SELECT DISTINCT id_number FROM applicant_members").fetchall() if k]
        assert keys and all(re.fullmatch(r"P[0-9a-f]{16}", k) for k in keys)
        linked = con.execute("SELECT count(*) FROM applicant_members m JOIN source_records s USING (id_number)").fetchall()[0][0]
        assert linked > 0, "the same person has the same key in every table"
    finally:
        con.close()


def test_the_copy_holds_no_id_number_as_an_integer(passed):
    """The linker keeps the repairs of invalid IDs as integer codes (`matching.memo`): ID numbers
    all the same, left out of the copy like the match index."""
    root, _, ids = passed
    codes = {id_code(i) for i in ids if id_code(i) is not None}
    con = duckdb.connect(str(root / "analyst.duckdb"), read_only=True)
    try:
        for table, column, values in _distinct_values(con, ("BIGINT", "HUGEINT", "UBIGINT")):
            assert not set(values) & codes, (table, column)
    finally:
        con.close()


def test_the_copy_tells_its_time_in_the_warehouses_zone(passed):
    """An analyst probe: `published_at` was UTC with a zone, every other time Asia/Shanghai without
    one, so in a UTC session the copy seemed published before the pass it holds had finished."""
    root, _, _ = passed
    [(_, _, rows)] = query_copy(root / "analyst.duckdb",
                                "SELECT bool_and(r.finished_at <= s.published_at), any_value(typeof(s.published_at)), "
                                "any_value(current_setting('TimeZone')) FROM runs r, snapshot_info s "
                                "WHERE r.run_id = s.run_id")
    assert rows == [(True, "TIMESTAMP", "Asia/Shanghai")]


def test_no_id_number_survives_in_the_copys_bytes(passed):
    """DuckDB keeps replaced data in free blocks: the copy must be built fresh, not edited in place."""
    root, _, ids = passed
    data = (root / "analyst.duckdb").read_bytes()
    assert not [i for i in ids if i.encode() in data]


def test_the_copy_and_its_secret_are_owner_only(passed):
    root, _, _ = passed
    for p in (root / "analyst.duckdb", root / ".secrets", root / ".secrets" / "analyst-key"):
        assert p.stat().st_mode & 0o077 == 0, p
    assert not list(root.glob(".analyst.*.part*"))


def test_the_readme_analyst_queries_run_on_the_copy(passed):
    root, _, _ = passed
    section = README.read_text(encoding="utf-8").split("## What analysts can query", 1)[1].split("\n## ", 1)[0]
    chunks = ";".join(re.findall(r"```sql\n(.*?)```", section, re.S)).split(";")
    statements = [q for q in ("\n".join(line for line in c.splitlines() if not line.strip().startswith("--")).strip()
                              for c in chunks) if q]
    assert len(statements) >= 5
    con = duckdb.connect(str(root / "analyst.duckdb"), read_only=True)
    try:
        for sql in statements:
            con.execute(sql).fetchall()
    finally:
        con.close()


def test_sql_without_a_copy_says_to_run_a_pass_first(tmp_path):
    res, _ = _sql(tmp_path, "SELECT 1")
    assert res.returncode == 2 and "run `hhverify run" in " ".join(res.stderr.split())


def test_the_copy_is_built_within_the_warehouse_memory_limit(passed, tmp_path, monkeypatch):
    """DuckDB's own default is 80 % of the machine, while the next pass may hold its share."""
    from pipelines import snapshot

    root, _, _ = passed
    seen = []
    real_connect = duckdb.connect

    class Recording:
        def __init__(self, con):
            self._con = con

        def __getattr__(self, name):
            return getattr(self._con, name)

        def close(self):
            seen.append(self._con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
            self._con.close()

    monkeypatch.setenv("HHVERIFY_MEMORY_LIMIT", "700MB")
    monkeypatch.setattr(snapshot.duckdb, "connect", lambda *a, **k: Recording(real_connect(*a, **k)))
    copy = tmp_path / "root"
    copy.mkdir()
    (copy / ".secrets").mkdir(mode=0o700)
    (copy / snapshot.SECRET_FILE).write_bytes((root / snapshot.SECRET_FILE).read_bytes())
    staged = copy / ".analyst.r1.duckdb.part"
    staged.write_bytes((root / "warehouse.duckdb").read_bytes())
    snapshot.publish(copy, staged, "r1")
    assert seen and all(limit.replace(" ", "").upper() in ("667.5MIB", "700.0MB", "700MB") for limit in seen), seen


def test_every_id_and_account_gets_its_hmac_key_and_a_value_used_as_both_is_a_person():
    from pipelines.snapshot import person_key, pseudonymise

    con = duckdb.connect()
    con.execute("CREATE TABLE people (id_number VARCHAR, id_raw VARCHAR)")
    con.execute("INSERT INTO people VALUES ('140105199003071045', '140105 19900307 1045'), (NULL, 'x-invalid'), "
                "('14010519800101001X', '14010519800101001X')")
    con.execute("CREATE TABLE accounts (account_number VARCHAR)")
    con.execute("INSERT INTO accounts VALUES ('6222****1234'), ('140105199003071045')")  # an ID used as account
    assert pseudonymise(con, b"secret") == 4
    key = lambda v, p="P": person_key(b"secret", v, p)  # noqa: E731
    assert sorted(con.execute("SELECT * FROM people").fetchall(), key=str) == sorted([
        (key("140105199003071045"), key("140105199003071045")), (None, key("x-invalid")),
        (key("14010519800101001X"), key("14010519800101001X"))], key=str)
    assert sorted(con.execute("SELECT * FROM accounts").fetchall()) == sorted([(key("6222****1234", "A"),),
                                                                              (key("140105199003071045"),)])


def test_an_id_inside_a_key_column_becomes_its_person_key_in_every_table_and_joins_still_hold():
    """A privacy probe read full IDs in the copy's tax.record_id (<ID>-<month>), links, files.path and
    requests.request_id; the reports masked them."""
    from pipelines.snapshot import person_key, pseudonymise

    con = duckdb.connect()
    con.execute("CREATE TABLE tax (record_id VARCHAR, file VARCHAR, id_number VARCHAR)")
    con.execute("INSERT INTO tax VALUES ('140105199003071045-202403', 'landing/tax/140105 19900307 1045.csv', "
                "'140105199003071045'), ('T-000001', 'landing/tax/t.csv', NULL)")
    con.execute("CREATE TABLE links (record_id VARCHAR, request_id VARCHAR, household_id VARCHAR)")
    con.execute("INSERT INTO links VALUES ('140105199003071045-202403', 'R1', '14010519800101001x'), "
                "('T-000001', 'R1', 'H2'), ('B0001-2025-10-31', 'R1', 'H3'), ('T202510310000123', 'R1', 'H4')")
    pseudonymise(con, b"secret")
    key = person_key(b"secret", "140105199003071045")
    assert con.execute("SELECT record_id, file, id_number FROM tax ORDER BY 1").fetchall() == [
        (f"{key}-202403", f"landing/tax/{key}.csv", key), ("T-000001", "landing/tax/t.csv", None)]
    assert con.execute("SELECT l.household_id FROM links l JOIN tax t USING (record_id) "
                       "WHERE t.id_number IS NOT NULL").fetchall() == [(person_key(b"secret", "14010519800101001X"),)]
    assert con.execute("SELECT count(*) FROM links JOIN tax USING (record_id)").fetchall() == [(2,)]
    # a record_id of dates and sequence numbers holds no ID: as it was (a month-of-life probe)
    assert con.execute("SELECT record_id FROM links WHERE household_id IN ('H3', 'H4') ORDER BY 1").fetchall() == [
        ("B0001-2025-10-31",), ("T202510310000123",)]


def test_a_run_id_in_a_message_is_not_masked_as_an_id():
    """A crash hunt: runs.message read quality/20261201T[ID]/index.html in the copy (103408-61856984
    looks like a legacy ID with a hyphen), and the steward's link was broken."""
    from pipelines.snapshot import pseudonymise

    con = duckdb.connect()
    con.execute("CREATE TABLE runs (message VARCHAR)")
    con.execute("INSERT INTO runs VALUES ('quality report: quality/20261201T103408-61856984/index.html'), "
                "('证件号T140105199003071045有误')")
    pseudonymise(con, b"secret")
    assert con.execute("SELECT * FROM runs ORDER BY 1").fetchall() == [
        ("quality report: quality/20261201T103408-61856984/index.html",), ("证件号T[ID]有误",)]


def test_the_copys_audit_names_the_person_verified_by_their_person_key():
    """A privacy probe: the copy's audit could say who was verified only through the member number,
    which a re-sent household gives to someone else."""
    from pipelines.snapshot import person_key, pseudonymise

    con = duckdb.connect()
    con.execute("CREATE TABLE audit (member_no BIGINT, id_masked VARCHAR, id_number VARCHAR)")
    con.execute("INSERT INTO audit VALUES (2, '140105********1233', '140105198001011233'), (2, '未填写', NULL)")
    pseudonymise(con, b"secret")
    assert con.execute("SELECT * FROM audit ORDER BY 3").fetchall() == [
        (2, "[ID]", person_key(b"secret", "140105198001011233")), (2, "未填写", None)]


def test_a_masked_id_in_the_copy_is_masked_whole_so_the_birth_date_beside_it_cannot_complete_it():
    """A privacy probe: audit.id_masked (first 6, last 4) and applicant_members.id_birth_date (the 8
    the mask hides) gave back 784 full IDs through `hhverify sql`."""
    from pipelines.snapshot import pseudonymise

    con = duckdb.connect()
    con.execute("CREATE TABLE audit (id_masked VARCHAR, message VARCHAR, consent_ref VARCHAR)")
    con.execute("INSERT INTO audit VALUES ('140105********1233', '成员（证件号140105********123x）已核对', 'SQ-1'), "
                "('*************1233', '账户6217***********2333', '授权书 2026-001'), ('未办理', NULL, NULL)")
    pseudonymise(con, b"secret")
    assert con.execute("SELECT * FROM audit ORDER BY 3").fetchall() == [
        ("[ID]", "成员（证件号[ID]）已核对", "SQ-1"), ("[ID]", "账户[ID]", "授权书 2026-001"), ("未办理", None, None)]
