"""Helpers for the linker tests: a generated province loaded as a pass's link stage finds it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from connectors.values.idnumber import check_char
from data.generator import generate
from matching import link_work_members
from pipelines.context import PassContext
from pipelines.ingest import ingest
from pipelines.runs import start_run
from pipelines.verify import select_work
from warehouse import open_warehouse, transaction


def province_ready_to_link(root: Path, households: int, seed: int, as_of: date) -> PassContext:
    """Generate a province into `root`, start a run, load every delivery and select the work: what
    `link_work_members` reads. The caller finishes the run (`pipelines.runs.finish_run`) and closes."""
    generate(root, households=households, seed=seed, as_of=as_of)
    ctx = PassContext.open(root, as_of=as_of)
    start_run(ctx)
    ingest(ctx)
    select_work(ctx)
    return ctx


def valid_id(body17: str) -> str:
    """An 18-character ID: the 17-digit body and its check character."""
    return body17 + check_char(body17)


# Background people fill the province, so that frequencies mean something.
BACKGROUND = [(f"背景{i:03d}", valid_id(f"1401081960{i:03d}0101"[:17])) for i in range(120)]


def work_members_table(con) -> None:
    """The pass's `work_members` (as `pipelines.verify.select_work` makes it), empty."""
    con.execute("""CREATE TEMP TABLE work_members (request_id VARCHAR, household_id VARCHAR, member_no BIGINT,
                   name VARCHAR, id_number VARCHAR, id_status VARCHAR, id_birth_date DATE, id_gender VARCHAR,
                   id_birthplace VARCHAR, relation VARCHAR, birth_date DATE, gender VARCHAR, address VARCHAR,
                   county_code VARCHAR, consent BOOLEAN)""")


def insert_members(con, members, county: str) -> None:
    """Consenting members (household, member_no, name, ID, ID status) of request R1 into `work_members`;
    a sixth value, when given, is the ID's birth date."""
    for hh, no, name, idn, status, *born in members:
        con.execute("INSERT INTO work_members VALUES ('R1', ?, ?, ?, ?, ?, ?, NULL, ?, '户主', NULL, NULL, "
                    "NULL, ?, TRUE)", [hh, no, name, idn, status, born[0] if born else None, idn[:6], county])


def one_household_link(tmp_path, rows, members, contributions=(), every: bool = False) -> dict:
    """Link tax `rows` (record_id, name, id_text, id_status, agent, month), and pension `contributions`
    (record_id, name, id_text, employer, month), to `members` (household, member_no, name, id_text,
    id_status) among 60 background people; {record_id: (household, decision, p, evidence JSON)}, or with
    `every` {record_id: [that, per link]}."""
    con = open_warehouse(tmp_path / "w.duckdb")
    now = datetime(2026, 11, 28, 2)
    rows = [(f"B{i}-{m}", name, idn, "valid", "太原市万通食品有限公司", m) for i, (name, idn) in enumerate(BACKGROUND[:60])
            for m in range(1, 7)] + rows
    for rid, name, idn, status, agent, month in rows:
        con.execute("""INSERT INTO tax_all VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, '工资薪金', 2600, 0,
                       ?, NULL, 'b1', 'f.csv', 'h', 1, ?, NULL)""",
                    [rid, name, name, idn, idn, status, date(2026, month, 1), agent, now])
    for rid, name, idn, employer, month, *kind in contributions:     # (a sixth value: '待遇' for a benefit)
        con.execute("""INSERT INTO social_insurance_all VALUES (?, ?, ?, ?, ?, 'valid', NULL, NULL, NULL, NULL,
                       '企业职工基本养老保险', ?, ?, ?, 3000, 240, NULL, 'b1', 'f.csv', 'h', 1, ?, NULL)""",
                    [rid, name, name, idn, idn, kind[0] if kind else "缴费", date(2026, month, 1), employer, now])
    work_members_table(con)
    insert_members(con, members + [(f"HB{i}", 1, n, idn, "valid") for i, (n, idn) in enumerate(BACKGROUND[:20])],
                    "140105")
    with transaction(con):
        link_work_members(con, "one-household")
    found = con.execute("SELECT record_id, household_id, decision, match_probability, evidence FROM links "
                        "WHERE household_id NOT LIKE 'HB%' ORDER BY ALL").fetchall()
    got = {rid: (hh, decision, p, evidence) for rid, hh, decision, p, evidence in found}
    if every:       # every link of a record (a record linked in two households)
        got = {}
        for rid, hh, decision, p, evidence in found:
            got.setdefault(rid, []).append((hh, decision, p, evidence))
    con.close()
    return got
