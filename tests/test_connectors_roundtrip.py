"""Property: whatever text a cell holds, every format hands it back as written (stripped, and
without the marks that keep digits text in a spreadsheet, `'…` and `="…"`; a cell that says
"no value", `-` or `NULL`, as empty)."""

import csv
import io
import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors import read_raw
from connectors.cells import NO_VALUE

HEADERS = ["记录编号", "姓名", "备注"]
# Letters, digits, CJK (incl. a GB18030-only one), the delimiters, quotes, spaces and newlines.
cell_text = st.one_of(st.text(alphabet=st.sampled_from(list("aZ09 ,|\t\"'.-=张三𠮷·　\n¥x億")), max_size=12),
                      st.from_regex(r"='?\"[0-9 ]{0,8}\"", fullmatch=True))
tables = st.lists(st.tuples(cell_text, cell_text, cell_text), min_size=1, max_size=8)


def expected(rows):
    def clean(value):
        value = value.strip(" \t\n\u3000")
        if re.fullmatch(r'="[^"]*"', value, flags=re.S):
            value = value[2:-1].strip(" \t\n\u3000")
        if value.startswith("'"):
            value = value[1:].strip(" \t\n\u3000")
        return None if value in NO_VALUE else value
    return [dict(zip(HEADERS, map(clean, row)), row_number=i) for i, row in enumerate(rows, start=1)]


def csv_bytes(rows, delimiter, encoding):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
        [HEADERS] + [list(r) for r in rows])
    return buffer.getvalue().encode(encoding)


SETTINGS = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(rows=tables, delimiter=st.sampled_from([",", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_csv_cells_come_back_as_written(tmp_path, rows, delimiter, encoding):
    path = tmp_path / "cells.csv"
    path.write_bytes(csv_bytes(rows, delimiter, encoding))
    assert read_raw(path).table.to_pylist() == expected(rows)


@SETTINGS
@given(rows=tables)
def test_jsonl_cells_come_back_as_written(tmp_path, rows):
    path = tmp_path / "cells.jsonl"
    path.write_text("\n".join(json.dumps(dict(zip(HEADERS, r)), ensure_ascii=False) for r in rows),
                    encoding="utf-8")
    assert read_raw(path).table.to_pylist() == expected(rows)


@SETTINGS
@given(rows=tables)
def test_parquet_cells_come_back_as_written(tmp_path, rows):
    path = tmp_path / "cells.parquet"
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(HEADERS)}), path)
    assert read_raw(path).table.to_pylist() == expected(rows)
