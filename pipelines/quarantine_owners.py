"""Whose a quarantined department row is: its record_id and validated ID number, read from its
cells as received, so that a refused row carrying a member's ID is named in that member's report
(`assessment.evidence.refused_sql`)."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pyarrow.compute as pc

from connectors.csv_tail import cut_row_cells
from connectors.headers import fields_of_row
from connectors.schema import TABLES
from connectors.values.idnumber import parse_id


def _refused_before_mapping(quarantine: pa.Table, seen: set, source: str):
    """(row number, field -> cell) of the quarantined rows the file's table no longer holds, read from
    the row as quoted (`raw_row`): a JSON line giving one field under two keys is refused before its
    columns are mapped (`connectors.headers.merge_line_keys`). A contract probe's such wage row kept
    no record_id and no ID, and its member's household passed without a word of it."""
    done = set(seen)
    for number, raw_row, raw_value in zip(quarantine.column("row_number").to_pylist(),
                                          quarantine.column("raw_row").to_pylist(),
                                          quarantine.column("raw_value").to_pylist()):
        quoted = raw_row or raw_value   # the line itself, when no cell of it is the one refused
        if number in done or not quoted or not quoted.startswith("{"):
            continue
        done.add(number)
        try:
            row = json.loads(quoted)
        except ValueError:   # a broken line: the pairs written in full before the break still say whose it is
            row = _whole_pairs(quoted)
        if isinstance(row, dict):
            yield number, {k: (str(v) if v is not None else None) for k, v in fields_of_row(TABLES[source], row).items()}


_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?[0-9][0-9.eE+-]*))\s*(?=[,}])')


def _whole_pairs(line: str) -> dict:
    """The `"key": value` pairs (string or number) a broken JSON line writes in full: an ingestion
    probe's line broken after its record_id was quarantined naming none, and no resend could close it."""
    out = {}
    for m in _PAIR.finditer(line):
        try:
            key = json.loads(f'"{m.group(1)}"')
            value = json.loads(f'"{m.group(2)}"') if m.group(2) is not None else m.group(3)
        except ValueError:
            continue
        out.setdefault(key, value)
    return out


def whose_rows(quarantine: pa.Table, canon) -> pa.Table:
    """`quarantine` with the record_id and the validated ID number of each quarantined row of a
    department's file, from its cells as received (migration 0018): a refused row that carries a
    member's ID is named in that household's report (`assessment.evidence.refused_sql`)."""
    by_field = {name: header for header, name in canon.mapping.items()}
    raw = canon.raw.table
    wanted = pa.array(sorted(set(quarantine.column("row_number").to_pylist())), pa.int64())
    rows = raw.filter(pc.is_in(raw.column("row_number"), value_set=wanted))
    numbers = rows.column("row_number").to_pylist()

    def cells(field_name: str) -> list:
        header = by_field.get(field_name)
        return rows.column(header).to_pylist() if header in rows.column_names else [None] * len(numbers)

    record_ids = dict(zip(numbers, cells("record_id")))
    id_cells, name_cells = cells("id_number"), cells("name")
    for number, line in cut_row_cells(quarantine, canon.raw):   # the cut last row: its cells from its text
        numbers.append(number)
        id_cells.append(line.get(by_field.get("id_number")))
        name_cells.append(line.get(by_field.get("name")))
        record_ids[number] = line.get(by_field.get("record_id"))
    for number, quoted in _refused_before_mapping(quarantine, set(numbers), canon.source):
        numbers.append(number)
        id_cells.append(quoted.get("id_number"))
        name_cells.append(quoted.get("name"))
        record_ids[number] = quoted.get("record_id")
    ids = {}
    for number, text, name in zip(numbers, id_cells, name_cells):
        # an ID typed into the name column, the ID column left empty, is still whose row it is (an
        # application probe's member's wages were refused so, and her report said nothing of them)
        for cell in (text, None if text else name):
            info = parse_id(cell) if cell else None
            if info is not None and info.status in ("valid", "repaired"):
                ids[number] = info.number
                break
        else:
            ids[number] = None
    at = quarantine.column("row_number").to_pylist()
    return (quarantine.append_column("record_id", pa.array([record_ids.get(n) for n in at], pa.string()))
            .append_column("id_number", pa.array([ids.get(n) for n in at], pa.string())))


def quote_cut_rows(quarantine: pa.Table, canon) -> pa.Table:
    """`quarantine` with the cells of each whole-row error its file's table does not hold (a row cut in
    transfer, a ragged line) quoted in `raw_row`, headed as the file heads them, as a bad cell's row is:
    an operations probe's request cut inside its last member row was answered as a household without
    that member, the row's household unknown to the rule that holds a household for its refused rows."""
    cut = dict(cut_row_cells(quarantine, canon.raw))
    if not cut:
        return quarantine
    numbers, quoted = quarantine.column("row_number").to_pylist(), quarantine.column("raw_row").to_pylist()
    filled = [q if q is not None or n not in cut else json.dumps(cut[n], ensure_ascii=False)
              for n, q in zip(numbers, quoted)]
    return quarantine.set_column(quarantine.schema.get_field_index("raw_row"), "raw_row", pa.array(filled, pa.string()))
