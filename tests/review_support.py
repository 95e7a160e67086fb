"""A tiny warehouse for the review tests, built directly (no pipeline), and a sheet filler.

Two agencies: `taiyuan` asks about household H1 of request R1 (王伟 and 李娜), `datong` about
H9 of R9 (赵六). The department rows:

| record | source  | name written | ID of | linker's proposal |
|--------|---------|--------------|-------|-------------------|
| T1     | tax     | 王玮          | 王伟   | review (name differs); its employer is a formula |
| T2     | tax     | 王伟          | 王伟   | auto |
| V1     | vehicle | 李那          | 李娜   | review, with 王伟 as competitor |
| T9     | tax     | 赵陆          | 赵六   | review (agency datong) |
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from connectors.values.idnumber import check_char
from warehouse import open_warehouse


def make_id(body17: str) -> str:
    return body17 + check_char(body17)


ID_WANG = make_id("14010519800101123")
ID_LI = make_id("14010519820202234")
ID_ZHAO = make_id("14020219700303345")
FORMULA = '=HYPERLINK("http://evil.example","点我")'
T1_SUMMARY = "身份证号一致，但姓名不同（王玮）：可能误填亲属证件号，需人工复核"

MEMBERS = [
    # request, agency, household, member_no, name, id, relation
    ("R1", "taiyuan", "H1", 1, "王伟", ID_WANG, "户主"),
    ("R1", "taiyuan", "H1", 2, "李娜", ID_LI, "配偶"),
    ("R9", "datong", "H9", 1, "赵六", ID_ZHAO, "户主"),
]

# record -> (source, household, member_no, probability, decision, evidence)
PROPOSALS = {
    "T1": ("tax", "R1", "H1", 1, 0.5, "review", {
        "summary": T1_SUMMARY,
        "weights": [{"field": "id_number", "level": "exact", "weight": 14.2},
                    {"field": "name", "level": "same_pinyin", "weight": -1.5}],
        "prior": 0.001, "total": 12.7, "competitor": None}),
    "T2": ("tax", "R1", "H1", 1, 0.999, "auto", {"summary": "身份证号一致，姓名一致",
                                                 "weights": [{"field": "id_number", "level": "exact"}]}),
    "V1": ("vehicle", "R1", "H1", 2, 0.62, "review", {
        "summary": "身份证号一致，姓名近似（李那）",
        "weights": [{"field": "id_number", "level": "exact", "weight": 14.2},
                    {"field": "name", "level": "fuzzy", "weight": -0.8}],
        "competitor": {"member_no": 1, "probability": 0.31}}),
    "T9": ("tax", "R9", "H9", 1, 0.5, "review", {"summary": "身份证号一致，但姓名不同（赵陆）",
                                                "weights": [{"field": "name", "level": "different", "weight": -4}]}),
}


def _insert(con, table: str, row: dict) -> None:
    cols = ", ".join(row)
    con.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def _lineage(n: int) -> dict:
    return {"batch_id": "b1", "file": "landing/x.csv", "file_hash": "h1", "row_number": n,
            "loaded_at": datetime(2026, 11, 1, 9, 0)}


def _person(name: str, id_number: str) -> dict:
    return {"name": name, "name_raw": name, "id_number": id_number, "id_raw": id_number, "id_status": "valid",
            "id_birth_date": date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))}


def add_member(con, request_id, agency, household_id, member_no, name, id_number, relation, origin="inbox") -> None:
    _insert(con, "applicant_rows", {
        "origin": origin, "request_id": request_id, "agency": agency, "program": "dibao",
        "household_id": household_id, "county_code": "140105", "member_no": member_no, **_person(name, id_number),
        "relation": relation, "consent_ref": f"C-{household_id}", "birth_date": None, **_lineage(member_no)})


def build_warehouse(path: Path):
    """The warehouse above, with the linker's proposals as links of run `run-0`."""
    con = open_warehouse(path)
    for m in MEMBERS:
        add_member(con, *m)
    for request_id, agency in (("R1", "taiyuan"), ("R9", "datong")):
        _insert(con, "requests", {"request_id": request_id, "agency": agency, "origin": "inbox", "batch_id": "b1",
                                  "file": f"inbox/{agency}/req.csv", "households": 1,
                                  "received_at": datetime(2026, 11, 1), "answered_run_id": "run-0"})
    taxes = (("T1", "王玮", ID_WANG, FORMULA, 5200), ("T2", "王伟", ID_WANG, "太原某公司", 3000),
             ("T9", "赵陆", ID_ZHAO, "大同某厂", 2500))
    for n, (rid, name, idn, agent, amount) in enumerate(taxes, start=1):
        _insert(con, "tax_all", {"record_id": rid, **_person(name, idn), "period": date(2026, 9, 1),
                                 "income_item": "工资薪金", "income_amount": amount, "withholding_agent": agent,
                                 **_lineage(n)})
    _insert(con, "vehicle_all", {"record_id": "V1", **_person("李那", ID_LI), "plate_number": "晋A12345",
                                 "vehicle_type": "小型轿车", "registration_date": date(2020, 5, 1),
                                 "status": "正常", **_lineage(1)})
    propose(con, "run-0", list(PROPOSALS))
    return con


def propose(con, run_id: str, records: list[str], households=None) -> None:
    """Act as the linker for `households` (default: those of `records`): replace their links."""
    chosen = {r: PROPOSALS[r] for r in records}
    households = households or sorted({(p[1], p[2]) for p in chosen.values()})
    for request_id, household_id in households:
        con.execute("DELETE FROM links WHERE request_id = ? AND household_id = ?", [request_id, household_id])
    for record_id, (source, request_id, household_id, member_no, prob, decision, evidence) in chosen.items():
        if (request_id, household_id) in households:
            _insert(con, "links", {"source": source, "record_id": record_id, "request_id": request_id,
                                   "household_id": household_id, "member_no": member_no, "match_probability": prob,
                                   "decision": decision, "method": "id_exact",
                                   "evidence": json.dumps(evidence, ensure_ascii=False), "run_id": run_id,
                                   "linked_at": datetime(2026, 11, 2)})


def make_work(con, households: list[tuple[str, str]]) -> None:
    """The pass's temp tables for `households` (as pipelines.verify.select_work shapes them)."""
    con.execute("CREATE OR REPLACE TEMP TABLE work_households AS SELECT DISTINCT request_id, household_id, agency "
                "FROM applicant_members WHERE (request_id, household_id) IN "
                "(SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]))",
                [[h[0] for h in households], [h[1] for h in households]])
    con.execute("CREATE OR REPLACE TEMP TABLE work_members AS SELECT m.*, coalesce(trim(m.consent_ref), '') <> '' "
                "AS consent FROM applicant_members m JOIN work_households USING (request_id, household_id)")


def links(con, request_id: str | None = None) -> dict[str, tuple]:
    """record_id -> (decision, method, evidence dict) of the current links (of `request_id`)."""
    rows = con.execute("SELECT record_id, decision, method, evidence FROM links "
                       "WHERE ? IS NULL OR request_id = ? ORDER BY ALL", [request_id, request_id]).fetchall()
    return {r[0]: (r[1], r[2], json.loads(r[3])) for r in rows}


def read_sheet(path: Path) -> list[list]:
    """Every cell of the first sheet, as python-calamine returns it."""
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)


def fill_sheet(src: Path, dst: Path, answers: dict[str, tuple], *, drop_columns: tuple = (),
               keys: dict[str, str] | None = None, drop_rows=None) -> Path:
    """Write `dst`: the exported sheet `src` as a caseworker fills it.

    `answers` maps a record id to (复核结论, 复核人, 备注); `keys` replaces a row's 复核编号;
    `drop_columns` deletes columns; `drop_rows(row as {header: value})` deletes the rows it is
    true of. The filled sheet is rewritten cell by cell (no openpyxl).
    """
    cells = read_sheet(src)
    header = [str(h) for h in cells[0]]
    col = {h: i for i, h in enumerate(header)}
    rows = [list(r) for r in cells[1:]]
    if drop_rows is not None:
        rows = [r for r in rows if not drop_rows(dict(zip(header, r)))]
    for row in rows:
        record_id = row[col["记录编号"]]
        if record_id in answers:
            decision, reviewer, note = answers[record_id]
            row[col["复核结论"]], row[col["复核人"]], row[col["备注"]] = decision, reviewer, note
        if keys and record_id in keys:
            row[col["复核编号"]] = keys[record_id]
    keep = [i for i, h in enumerate(header) if h not in drop_columns]
    dst.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(dst), {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("待复核")
    for r, values in enumerate([header] + rows):
        for c, i in enumerate(keep):
            value = values[i]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            elif value not in (None, ""):
                sheet.write_string(r, c, str(value))
    book.close()
    return dst
