"""The open queue: the `review_queue` view, `hhverify review`, and the analyst copy."""

from __future__ import annotations

import shutil

import duckdb
from typer.testing import CliRunner

from hhverify.cli import app
from pipelines.snapshot import pseudonymise
from review import open_queue, parse_review_sheet, review_rows, store_decisions, write_review_sheet
from review_support import ID_LI, ID_WANG, build_warehouse, fill_sheet

runner = CliRunner()


def _answer_v1(con, tmp_path, decision="确认") -> None:
    sheet, _ = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    filled = fill_sheet(sheet, tmp_path / "inbox" / "a.xlsx", {"V1": (decision, "张科员", "")})
    store_decisions(con, parse_review_sheet(con, filled, "taiyuan", "h")[0], "run-1")


def test_the_queue_lists_review_links_without_an_answer_in_force(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    assert [(q["agency"], q["record_id"], q["member_name"]) for q in open_queue(con)] == [
        ("datong", "T9", "赵六"), ("taiyuan", "T1", "王伟"), ("taiyuan", "V1", "李娜")]
    _answer_v1(con, tmp_path)                          # confirmed: no longer a question, even before apply
    assert [q["record_id"] for q in open_queue(con, "taiyuan")] == ["T1"]
    assert open_queue(con, "taiyuan")[0]["summary"].startswith("身份证号一致，但姓名不同")


def test_hhverify_review_prefers_the_analyst_copy(tmp_path):
    build_warehouse(tmp_path / "warehouse.duckdb").close()
    result = runner.invoke(app, ["review", "--root", str(tmp_path), "--agency", "taiyuan"])
    assert result.exit_code == 0, result.output
    assert "T1" in result.output and "V1" in result.output and "T9" not in result.output
    assert "warehouse.duckdb" in result.output

    shutil.copyfile(tmp_path / "warehouse.duckdb", tmp_path / "analyst.duckdb")
    snap = duckdb.connect(str(tmp_path / "analyst.duckdb"))
    snap.execute("DELETE FROM links WHERE record_id = 'V1'")
    snap.close()
    result = runner.invoke(app, ["review", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "analyst.duckdb" in result.output and "V1" not in result.output and "T9" in result.output


def test_hhverify_review_without_a_warehouse_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["review", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "no warehouse under" in result.output and "hhverify run --root" in result.output


def test_the_analyst_copy_holds_person_keys_not_ids_and_the_queue_still_joins(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    _answer_v1(con, tmp_path, decision="否认")
    pseudonymise(con, b"secret")
    keys = con.execute("SELECT member_key FROM review_decisions").fetchall()
    assert keys and all(k[0].startswith("P") for k in keys) and (ID_LI,) not in keys
    dump = str(con.execute("SELECT * FROM review_decision_log").fetchall())
    assert ID_LI not in dump and ID_WANG not in dump
    assert [q["record_id"] for q in open_queue(con, "taiyuan")] == ["T1"]   # V1's denial still matches


def test_the_readme_queries_run(tmp_path):
    import re
    from pathlib import Path

    import review

    readme = (Path(review.__file__).parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, re.S)
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    _answer_v1(con, tmp_path, decision="无法确定")
    statements = [s for block in blocks for s in block.split(";") if s.strip()]
    assert len(statements) == 4
    for sql in statements:
        con.execute(sql).fetchall()


def test_hhverify_review_of_an_agency_nobody_knows_says_so(tmp_path):
    """An operations probe: `--agency nosuch` showed an empty table and exit 0."""
    build_warehouse(tmp_path / "warehouse.duckdb").close()
    result = runner.invoke(app, ["review", "--root", str(tmp_path), "--agency", "nosuch"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "no agency 'nosuch'" in said and "datong, taiyuan" in said
