from pathlib import Path

import duckdb
import pytest

from warehouse import apply_migrations, available_migrations, open_warehouse

CONTRACT_NAMES = ("applicant_members", "source_records", "quarantine", "links", "household_assessment", "runs")


def test_migrations_are_numbered_without_gaps():
    versions = [m.version for m in available_migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_a_new_warehouse_has_every_name_analysts_rely_on(tmp_path: Path):
    con = open_warehouse(tmp_path / "w.duckdb")
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(CONTRACT_NAMES) <= names


def test_links_has_exactly_the_contract_columns_first(tmp_path: Path):
    con = open_warehouse(tmp_path / "w.duckdb")
    cols = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name='links' ORDER BY ordinal_position").fetchall()]
    assert cols[:7] == ["source", "record_id", "request_id", "household_id", "member_no", "match_probability", "decision"]


def test_applying_migrations_twice_changes_nothing(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = apply_migrations(con)
    assert first and apply_migrations(con) == []
    assert con.execute("SELECT count(*) FROM schema_version").fetchall()[0][0] == len(first)


def test_warehouse_file_is_owner_only(tmp_path: Path):
    open_warehouse(tmp_path / "w.duckdb").close()
    assert (tmp_path / "w.duckdb").stat().st_mode & 0o077 == 0


def test_a_second_process_lock_gives_an_actionable_message(tmp_path: Path):
    import subprocess
    import sys
    path = tmp_path / "w.duckdb"
    con = open_warehouse(path)
    try:
        code = ("import sys; from pathlib import Path; from warehouse import open_warehouse\n"
                "try:\n open_warehouse(Path(sys.argv[1]))\nexcept RuntimeError as e:\n print(e); sys.exit(3)")
        res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    finally:
        con.close()
    assert res.returncode == 3
    assert "another program has it open" in res.stdout and "It may be a pass or any other program" in res.stdout


def test_storing_cold_text_with_zstd_keeps_every_row_version_and_the_views(tmp_path: Path, monkeypatch):
    """Migration 0019 copies each source table to change its compression: a warehouse with rows
    (a current one and the version it superseded) comes through with the same rows, in order."""
    import warehouse.migrations as migrations

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    before = [m for m in available_migrations() if m.version < 19]
    monkeypatch.setattr(migrations, "available_migrations", lambda: before)
    apply_migrations(con)
    lineage = "'b1', 'tax/a.csv', 'h1'"
    con.execute(f"""INSERT INTO tax_all VALUES
        ('T1', '张三', '张 三', '110101199003070014', '110101199003070014', 'valid', DATE '1990-03-07', '男',
         '110101', NULL, DATE '2025-03-01', '工资薪金', 1234.50, 0, '甲公司', '{{"序号": "1"}}', {lineage}, 1,
         TIMESTAMP '2025-04-01 02:00', 'b2'),
        ('T1', '张三', '张三', '110101199003070014', '110101199003070014', 'valid', DATE '1990-03-07', '男',
         '110101', NULL, DATE '2025-03-01', '工资薪金', 1243.50, 0, '甲公司', NULL, 'b2', 'tax/b.csv', 'h2', 1,
         TIMESTAMP '2025-04-02 02:00', NULL)""")
    rows = con.execute("SELECT * FROM tax_all").fetchall()
    monkeypatch.undo()

    assert apply_migrations(con) == [m.version for m in available_migrations() if m.version >= 19]
    assert con.execute("SELECT * FROM tax_all").fetchall() == rows
    assert con.execute("SELECT record_id, income_amount FROM tax").fetchall() == [("T1", 1243.50)]
    assert con.execute("SELECT count(*) FROM source_records WHERE record_id = 'T1'").fetchall() == [(1,)]
    ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'tax_all'").fetchall()[0][0]
    assert "record_id VARCHAR USING COMPRESSION ZSTD" in ddl and '"name" VARCHAR NOT NULL' in ddl


def test_a_warehouse_the_os_will_not_open_is_a_storage_problem_not_another_process(tmp_path: Path, monkeypatch):
    """An operations probe: an immutable warehouse file (Operation not permitted) was said to be in
    use by another hhverify process, with a traceback; it is the data root's storage, exit 74."""
    import duckdb

    from pipelines.storage import storage_problem
    import warehouse.connection as connection

    def refuse(*_a, **_k):
        raise duckdb.IOException(f'IO Error: Cannot open file "{tmp_path}/w.duckdb": Operation not permitted')
    monkeypatch.setattr(connection.duckdb, "connect", refuse)
    with pytest.raises(duckdb.IOException) as caught:
        open_warehouse(tmp_path / "w.duckdb")
    assert storage_problem(caught.value).startswith("this user may not write there (Operation not permitted)")


def test_quarantine_open_lists_what_the_sender_must_correct_not_lines_that_ask_nothing(tmp_path: Path):
    """An ingestion probe: a 合计 line, its text standing as its record_id, stayed among the refusals
    not yet corrected for good."""
    con = open_warehouse(tmp_path / "w.duckdb")
    lines = [("T-1", "'收入额' is not an amount of money"),
             ("合计", "row 4 looks like a totals line ('合计'), not a record: it was not loaded and nothing needs "
                      "resending; leave totals out of exports if the system allows"),
             ("T-2", "exact copy of data row 1 (same record_id and every value): loaded once, from row 1"),
             (None, "line 7 cannot be split into fields")]
    for n, (record_id, reason) in enumerate(lines, 1):
        con.execute("INSERT INTO quarantine (source, agency, file, file_hash, batch_id, row_number, field, reason, "
                    "raw_value, raw_row, run_id, quarantined_at, record_id) VALUES ('tax', NULL, 'f.csv', 'h', 'b', "
                    "?, NULL, ?, NULL, NULL, 'r', now(), ?)", [n, reason, record_id])
    got = con.execute("SELECT row_number FROM quarantine_open ORDER BY 1").fetchall()
    con.close()
    assert got == [(1,), (4,)]


def test_open_quarantine_rows_count_by_problem_whatever_values_they_quote(tmp_path: Path):
    """A README probe: 'by source and reason' gave 44 groups for 99 rows, every negative amount its own."""
    con = open_warehouse(tmp_path / "w.duckdb")
    reasons = ["'-4564.50' is negative; this amount must be 0 or more", "'-￥312.00' is negative; this amount must be 0 or more",
               "'2026-02-30' is not a real date (year 2026, month 02, day 30); accepted: 2024-03-05",
               "'2025-04-31' is not a real date (year 2025, month 04, day 31); accepted: 2024-03-05"]
    for n, reason in enumerate(reasons, 1):
        con.execute("INSERT INTO quarantine (source, agency, file, file_hash, batch_id, row_number, field, reason, "
                    "raw_value, raw_row, run_id, quarantined_at, record_id) VALUES ('tax', NULL, 'f.csv', 'h', 'b', "
                    "?, 'x', ?, NULL, NULL, 'r', now(), ?)", [n, reason, f"T-{n}"])
    got = con.execute("SELECT problem, count(*) FROM quarantine_open GROUP BY ALL ORDER BY ALL").fetchall()
    con.close()
    assert got == [("… is negative; this amount must be 0 or more", 2), ("… is not a real date; accepted: 2024-03-05", 2)]
