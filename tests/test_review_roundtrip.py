"""Issue #8 round trip: export → fill → drop → stored → every later pass respects every answer."""

from __future__ import annotations

from review import (affected_households_sql, apply_decisions_sql, is_review_sheet, parse_review_sheet,
                    review_rows, store_decisions, write_review_sheet)
from review_support import (ID_LI, ID_WANG, PROPOSALS, add_member, build_warehouse, fill_sheet, links, make_work,
                            propose, read_sheet)
from warehouse.sql import run_sql


def _pass(con, run_id: str, records: list[str], households=(("R1", "H1"),)) -> dict:
    """One later pass over `households`: the linker proposes `records`, then the answers apply."""
    propose(con, run_id, records, households=list(households))
    make_work(con, list(households))
    run_sql(con, apply_decisions_sql(run_id), label="apply review decisions")
    return links(con)


def _answer(con, tmp_path, answers: dict, name: str, run_id: str, request_id: str = "R1") -> list:
    sheet, _ = write_review_sheet(tmp_path / "outbox" / "taiyuan" / request_id, review_rows(con, request_id),
                                  "taiyuan", request_id)
    filled = fill_sheet(sheet, tmp_path / "inbox" / "taiyuan" / name, answers)
    assert is_review_sheet(filled)
    decisions, errors = parse_review_sheet(con, filled, "taiyuan", f"hash-{name}", file_label=f"inbox/taiyuan/{name}")
    assert errors == []
    store_decisions(con, decisions, run_id)
    return decisions


def test_export_fill_drop_store_then_every_later_pass_respects_every_answer(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    assert [r["record_id"] for r in review_rows(con, "R1")] == ["T1", "V1"]

    _answer(con, tmp_path, {"T1": ("否认", "张科员", "系其兄王玮的收入"), "V1": ("确认", "张科员", "行驶证属实")},
            "答复-1.xlsx", "run-1")
    stored = con.execute("SELECT record_id, decision, reviewer, note, agency, file, row_number, member_key, run_id "
                         "FROM review_decisions ORDER BY decision_id").fetchall()
    assert stored == [
        ("T1", "denied", "张科员", "系其兄王玮的收入", "taiyuan", "inbox/taiyuan/答复-1.xlsx", 2, ID_WANG, "run-1"),
        ("V1", "confirmed", "张科员", "行驶证属实", "taiyuan", "inbox/taiyuan/答复-1.xlsx", 3, ID_LI, "run-1")]
    assert con.execute(affected_households_sql("run-1")).fetchall() == [("R1", "H1", "taiyuan")]

    # the next pass: the linker proposes the same links again
    after = _pass(con, "run-2", ["T1", "T2", "V1"])
    assert sorted(after) == ["T2", "T9", "V1"]                      # the denied pair is gone
    decision, method, evidence = after["V1"]
    assert (decision, method) == ("confirmed", "id_exact")          # confirmed, the linker's evidence kept
    assert evidence["review"]["decision"] == "confirmed" and evidence["review"]["reviewer"] == "张科员"
    assert evidence["weights"] == PROPOSALS["V1"][6]["weights"]
    assert con.execute("SELECT match_probability FROM links WHERE record_id = 'V1'").fetchall() == [(0.62,)]
    assert after["T2"][0] == "auto" and "review" not in after["T2"][2]
    assert review_rows(con, "R1") == []                              # nothing left to ask
    assert con.execute("SELECT record_id FROM review_queue").fetchall() == [("T9",)]

    # a pass where the linker no longer proposes V1: the confirmation is remembered
    after = _pass(con, "run-3", ["T1", "T2"])
    assert sorted(after) == ["T2", "T9", "V1"]
    assert after["V1"][:2] == ("confirmed", "clerical_review")
    assert after["V1"][2]["review"]["note"] == "行驶证属实"
    assert con.execute("SELECT match_probability, run_id FROM links WHERE record_id = 'V1'").fetchall() == [(0.62, "run-3")]


def test_a_denied_pair_is_never_proposed_again_in_a_later_request_or_the_nightly_rolls(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    _answer(con, tmp_path, {"T1": ("否", "张科员", None)}, "答复.xlsx", "run-1")
    # 王伟 again: in a new request of another household, and on the rolls
    add_member(con, "R2", "taiyuan", "H5", 1, "王伟", ID_WANG, "户主")
    add_member(con, "ROLL-1", "taiyuan", "H7", 1, "王伟", ID_WANG, "户主", origin="rolls")
    for request_id, household_id in (("R2", "H5"), ("ROLL-1", "H7")):
        con.execute("INSERT INTO links SELECT source, record_id, ?, ?, member_no, match_probability, decision, method, "
                    "evidence, 'run-4', now() FROM links WHERE request_id = 'R1' AND record_id IN ('T1', 'T2')",
                    [request_id, household_id])
    # the pass re-verifies every household where the answer changes something
    assert con.execute(affected_households_sql("run-1")).fetchall() == [
        ("R1", "H1", "taiyuan"), ("R2", "H5", "taiyuan"), ("ROLL-1", "H7", "taiyuan")]
    make_work(con, [("R2", "H5"), ("ROLL-1", "H7")])
    run_sql(con, apply_decisions_sql("run-4"))
    assert sorted(links(con, "R2")) == ["T2"] and sorted(links(con, "ROLL-1")) == ["T2"]
    # the households at work only: R1 keeps its links until it is verified again
    assert "T1" in links(con, "R1")


def test_an_undetermined_answer_keeps_the_question_open_and_shows_it_next_time(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    _answer(con, tmp_path, {"V1": ("无法确定", "李科员", "需补充行驶证")}, "答复.xlsx", "run-1")
    after = _pass(con, "run-2", ["T1", "T2", "V1"])
    assert after["V1"][0] == "review" and after["V1"][2]["review"]["decision"] == "undetermined"
    queue = con.execute("SELECT record_id, last_decision, last_reviewer, last_note FROM review_queue "
                        "WHERE agency = 'taiyuan' ORDER BY record_id").fetchall()
    assert queue == [("T1", None, None, None), ("V1", "undetermined", "李科员", "需补充行驶证")]
    rows = {r["record_id"]: r for r in review_rows(con, "R1")}
    assert rows["V1"]["previous_text"].startswith("无法确定（李科员，") and rows["V1"]["previous_text"].endswith("：需补充行驶证）")
    sheet, _ = write_review_sheet(tmp_path / "again", list(rows.values()), "taiyuan", "R1")
    header, *cells = read_sheet(sheet)
    assert cells[1][header.index("上次复核")] == rows["V1"]["previous_text"]


def test_a_confirmation_needs_consent_and_a_current_record(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    _answer(con, tmp_path, {"V1": ("确认", "张科员", None)}, "答复.xlsx", "run-1")
    con.execute("UPDATE vehicle_all SET superseded_by = 'b2' WHERE record_id = 'V1'")   # withdrawn by the department
    assert "V1" not in _pass(con, "run-2", ["T1", "T2"])
    con.execute("UPDATE vehicle_all SET superseded_by = NULL WHERE record_id = 'V1'")
    con.execute("UPDATE applicant_rows SET consent_ref = NULL WHERE member_no = 2 AND household_id = 'H1'")
    assert "V1" not in _pass(con, "run-3", ["T1", "T2"])


def test_a_confirmed_record_is_taken_from_any_rival_in_the_same_request(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    _answer(con, tmp_path, {"V1": ("确认", "张科员", None)}, "答复.xlsx", "run-1")
    propose(con, "run-2", ["T1", "T2"], households=[("R1", "H1")])
    con.execute("INSERT INTO links VALUES ('vehicle', 'V1', 'R1', 'H1', 1, 0.9, 'auto', 'fellegi_sunter', '{}', "
                "'run-2', now())")                                   # the linker now gives V1 to 王伟
    make_work(con, [("R1", "H1")])
    run_sql(con, apply_decisions_sql("run-2"))
    assert con.execute("SELECT member_no, decision, method FROM links WHERE record_id = 'V1'").fetchall() == [
        (2, "confirmed", "clerical_review")]


def test_a_confirmed_record_is_no_other_persons_question_in_any_request(tmp_path):
    """A probe: a full pass proposed a car confirmed as one person's to a namesake's household of
    another request, a question only a denial could close."""
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    _answer(con, tmp_path, {"V1": ("确认", "张科员", None)}, "答复.xlsx", "run-1")
    propose(con, "run-2", ["T9"], households=[("R9", "H9")])
    con.execute("INSERT INTO links VALUES ('vehicle', 'V1', 'R9', 'H9', 1, 0.3, 'review', 'fellegi_sunter', '{}', "
                "'run-2', now())")                                   # the linker asks 赵六 about 李娜's car
    make_work(con, [("R1", "H1"), ("R9", "H9")])
    run_sql(con, apply_decisions_sql("run-2"))
    assert con.execute("SELECT request_id, member_no, decision FROM links WHERE record_id = 'V1'").fetchall() == [
        ("R1", 2, "confirmed")]


def test_an_answer_about_a_question_withdrawn_for_another_persons_confirmation_says_whose(tmp_path):
    """A nightly probe's clerk read "unknown link" for a car since confirmed as another person's."""
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    con.execute("INSERT INTO links VALUES ('vehicle', 'V1', 'R9', 'H9', 1, 0.3, 'review', 'fellegi_sunter', "
                "'{}', 'run-0', now())")                              # 赵六 is asked about V1 too
    sheet9, _ = write_review_sheet(tmp_path / "outbox" / "datong" / "R9", review_rows(con, "R9"), "datong", "R9")
    _answer(con, tmp_path, {"V1": ("确认", "张科员", None)}, "答复.xlsx", "run-1")
    make_work(con, [("R1", "H1"), ("R9", "H9")])
    run_sql(con, apply_decisions_sql("run-1"))                       # V1 is 李娜's: 赵六's question goes
    filled = fill_sheet(sheet9, tmp_path / "inbox" / "datong" / "答复9.xlsx", {"V1": ("确认", "王科员", None)})
    decisions, errors = parse_review_sheet(con, filled, "datong", "hash-9", file_label="inbox/datong/答复9.xlsx")
    assert decisions == [] and [e.kind for e in errors] == ["confirmed_for_other"]
    assert "张科员" in str(errors[0])
