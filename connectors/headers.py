"""Map a file's header names to the fields of a schema table.

Matching ignores case, surrounding and inner spaces, full-width forms, the `*` that marks a
required column in many government templates, and a unit in brackets (`收入额（元）`,
`建筑面积(㎡)`). A unit that changes the value is read, not ignored: `购置价格（万元）` names
`purchase_price` in 万元 and `共有份额(%)` the share in percent (`scaled_unit`: each cell without a
unit of its own is read with the header's). Any other unit in brackets matches no field, so the
column lands in `extra` rather than being misread.

Example:
    >>> from connectors.schema import TABLES
    >>> map_headers(TABLES["tax"], ["记录编号", "纳税人姓名", "所属期", "所得项目", "收入额（元）", "备注"])
    {'记录编号': 'record_id', '纳税人姓名': 'name', '所属期': 'period', '所得项目': 'income_item', \
'收入额（元）': 'income_amount'}
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors.errors import FileRejected
from connectors.rawfile import RawFile, row_errors_table
from connectors.schema import Field, Table

_IGNORED_UNIT = re.compile(r"\((?:元|人民币元|㎡|m²|m2|平方米|平米"
                           # a date's or a month's layout, said beside its name (所属期（年月）: an export probe)
                           r"|年月|年月日|年-月|年-月-日|yyyymm|yyyy-mm|yyyymmdd|yyyy-mm-dd)\)$")
_SCALED_UNIT = re.compile(r"\((万元|万|%)\)$")
_SCALED_KINDS = {"万元": ("money", "万"), "万": ("money", "万"), "%": ("share", "%")}
"""A header's unit that changes its cells' value -> (the field kind it may name, the suffix each cell
takes: the money and share parsers read `15.8万` and `50%`)."""
_REPEAT_SUFFIX = re.compile(r"^(?P<base>.+) \((?P<n>\d+)\)$")  # from cells.dedupe_headers
_SHOWN_COLUMNS = 30


def fold_header(header: str) -> str:
    """The comparison key of a header name."""
    folded = unicodedata.normalize("NFKC", header).casefold()
    folded = re.sub(r"\s+", "", folded).strip("*")
    return _IGNORED_UNIT.sub("", folded)


def scaled_unit(table: Table, header: str) -> str | None:
    """The suffix (`万`, `%`) each cell of `header` is read with, when its bracketed unit scales the
    value of the field it names (`购置价格（万元）`, `共有份额(%)`); None otherwise.

    A property probe's `共有份额(%)` column of 50s went to `extra`, and the half-owned flat counted
    whole (share 1) with nothing said; a `购置价格（万元）` column left the car without a price."""
    match = _SCALED_UNIT.search(fold_header(header))
    if match is None:
        return None
    kind, suffix = _SCALED_KINDS[match.group(1)]
    field = _index(table).get(fold_header(header)[:match.start()])
    return suffix if field is not None and table.field(field).kind == kind else None


@functools.cache
def _all_header_names() -> frozenset[str]:
    from connectors.schema import TABLES
    return frozenset(fold_header(spelling) for table in TABLES.values() for f in table.fields
                     for spelling in (f.name,) + f.aliases)


def is_header_name(cell: str) -> bool:
    """Whether a cell's text is a column name of any table (`record_id`, `纳税人姓名`, `收入额（元）`)."""
    return fold_header(cell) in _all_header_names()


def accepted_headers(field: Field) -> str:
    """`income_amount, 收入额, 收入`: what a header may say to mean this field."""
    return ", ".join((field.name,) + field.aliases)


def _index(table: Table) -> dict[str, str]:
    index: dict[str, str] = {}
    for field in table.fields:
        for spelling in (field.name,) + field.aliases:
            index.setdefault(fold_header(spelling), field.name)
    return index


def map_headers(table: Table, headers: list[str], path: Path | str = "") -> dict[str, str]:
    """Raw header -> canonical field name, for the headers that name a field.

    Headers that name no field are left out (the caller keeps them as `extra`).

    Args:
        table: The schema table the file should hold.
        headers: The file's header names (as in `RawFile.headers`).
        path: The file, for the rejection message.

    Returns:
        The mapping, in header order.

    Raises:
        FileRejected: a required field has no column (the message names the headers that would
            have been accepted and those found), or two columns name the same field.
    """
    mapping = _fields_named(table, headers)
    _reject_duplicates(mapping, path)
    _reject_unread_units(table, [h for h in headers if h not in mapping], path)
    missing = [f for f in table.required if f.name not in mapping.values()]
    if missing:
        shown = ", ".join(headers[:_SHOWN_COLUMNS]) + (", …" if len(headers) > _SHOWN_COLUMNS else "")
        parts = [f"missing required column '{f.name}' (accepted headers: {accepted_headers(f)})"
                 for f in missing]
        raise FileRejected(path, "; ".join(parts) + f"; found columns: {shown}" + _layout_hint(headers))
    return mapping


def _fields_named(table: Table, headers: list[str]) -> dict[str, str]:
    """Header -> field for every header naming one, clashes included (a repeat `姓名 (2)` too)."""
    index = _index(table)
    present = set(headers)
    mapping: dict[str, str] = {}
    for header in headers:
        field = index.get(fold_header(header))
        if field is None and scaled_unit(table, header):
            field = index.get(fold_header(header)[:_SCALED_UNIT.search(fold_header(header)).start()])
        repeat = _REPEAT_SUFFIX.match(header)
        if field is None and repeat and repeat["base"] in present:
            field = index.get(fold_header(repeat["base"]))
        if field is not None:
            mapping[header] = field
    return mapping


def merge_line_keys(table: Table, raw: RawFile) -> RawFile:
    """A JSON Lines file whose lines name one field by different keys, with one column per field.

    In a CSV or a sheet two columns meaning one field are a layout error (`map_headers` rejects
    the file): every row has both. A JSON line carries its own keys, and exports mix spellings
    from line to line (a probe's lines 1-4 `record_id`, line 6 `记录编号`), so each line is read
    by whichever key it carries, into a column named after the first key.

    A line carrying two of them with different values cannot say which it means: that line is
    a row error, and the rest of the file loads. When every line does so, the file does hold two
    columns for the field, and it is left for `map_headers` to reject as a CSV would be. The same
    value under both keys is no conflict.
    """
    by_field: dict[str, list[str]] = {}
    for header, field in _fields_named(table, raw.headers).items():
        by_field.setdefault(field, []).append(header)
    data, bad, reasons = raw.table, None, {}
    for field, headers in by_field.items():
        if len(headers) < 2:
            continue
        columns = [data.column(h) for h in headers]
        merged = pc.coalesce(*columns)
        differ = functools.reduce(pc.or_, [pc.fill_null(pc.not_equal(c, merged), False) for c in columns])
        if data.num_rows > 1 and pc.all(differ).as_py():
            # two columns for one field in every line: a layout error, as in a CSV. A file of one line
            # says nothing of a layout: that line is a row error (a one-household request, an inbox
            # probe's, was rejected whole)
            continue
        if pc.any(differ).as_py():
            # the keys this line gives: a contract probe's message named a third spelling only
            # other lines of the file used
            given = pa.table([pc.filter(c, differ) for c in columns], names=[str(i) for i in range(len(headers))])
            for row_number, cells in zip(pc.filter(data.column("row_number"), differ).to_pylist(), given.to_pylist()):
                keys = [h for h, i in zip(headers, range(len(headers))) if cells[str(i)] is not None]
                reasons.setdefault(row_number, []).append(
                    f"the line gives '{field}' twice, under the keys "
                    f"{' and '.join(repr(h) for h in keys)}, with different values; keep one key per field "
                    "and send the line again")
            bad = differ if bad is None else pc.or_(bad, differ)
        data = data.drop_columns(headers[1:])
        data = data.set_column(data.column_names.index(headers[0]), headers[0], merged)
    if bad is None:
        return dataclasses.replace(raw, table=data) if data is not raw.table else raw
    quoted = raw.table.filter(bad).drop_columns(["row_number"]).to_pylist()  # the line with both keys
    errors = row_errors_table([
        (number, "; ".join(reasons[number]), json.dumps({k: v for k, v in row.items() if v is not None},
                                                        ensure_ascii=False))
        for number, row in zip(pc.filter(data.column("row_number"), bad).to_pylist(), quoted)])
    return dataclasses.replace(raw, table=data.filter(pc.invert(bad)),
                               row_errors=pa.concat_tables([raw.row_errors, errors]))


_ANY_UNIT = re.compile(r"\((千元|百元|万元|亿元|元|万|千|%|‰|亩|公顷|平方米|㎡|m²|m2|平米|米)\)$")


def _reject_unread_units(table: Table, unmapped: list[str], path: Path | str) -> None:
    """A column naming a field in a unit it cannot be read in (`购置价格（千元）`, `建筑面积（亩）`) is a
    file error: left in `extra`, its values would be lost without a word (an optional field) or the
    file refused for a missing column that is there (a required one)."""
    index = _index(table)
    for header in unmapped:
        match = _ANY_UNIT.search(fold_header(header))
        field = index.get(fold_header(header)[:match.start()]) if match else None
        if field is None:
            continue
        kind = table.field(field).kind
        readable = {"money": "元 (header without a unit, or with （元）) or 万元 (（万元）)",
                    "share": "a fraction or percent in each cell (0.5, 1/2, 50%), or percent under （%）",
                    "number": "square metres (（㎡）, （平方米） or no unit)"}.get(kind, "no unit")
        raise FileRejected(path, f"column '{header}' gives '{field}' in {match.group(1)}, a unit it cannot be read "
                                 f"in; accepted: {readable}. Convert the column (or rename it so it holds no "
                                 "field) and send the file again")


def _layout_hint(headers: list[str]) -> str:
    if len(headers) == 1 and any(sep in headers[0] for sep in (";", "；", "，", " ")):
        return (". The whole header was read as one column: separate columns with a comma, a tab "
                "or '|' (not ';' or spaces)")
    return ""


def _reject_duplicates(mapping: dict[str, str], path: Path | str) -> None:
    by_field: dict[str, list[str]] = {}
    for header, field in mapping.items():
        by_field.setdefault(field, []).append(header)
    clashes = []
    for field, headers in by_field.items():
        if len(headers) > 1:
            shown = [_REPEAT_SUFFIX.sub(r"\g<base>", h) for h in headers]
            if len(set(shown)) == 1:
                clashes.append(f"column '{shown[0]}' appears {len(headers)} times")
            else:
                both = "both" if len(shown) == 2 else "all"
                clashes.append(f"columns {' and '.join(repr(h) for h in shown)} {both} mean '{field}'")
    if clashes:
        raise FileRejected(path, "; ".join(clashes) + "; keep one column per field (or rename the others) "
                           "and send the file again")


def fields_of_row(table: Table, row: dict) -> dict:
    """A row quoted as received (header -> cell, e.g. a quarantined row's `raw_row`) keyed by
    field name instead, for whichever headers name a field; the rest is left out.

    A row is quoted with its file's own headers (申请编号, REQUEST_ID …): whoever reads it back
    for the request, household and member must map them as the file was mapped.

    Example:
        >>> from connectors.schema import TABLES
        >>> fields_of_row(TABLES["applicants"], {"申请编号": "R1", "家庭编号 ": "H1", "成员序号": "x", "备注": "?"})
        {'request_id': 'R1', 'household_id': 'H1', 'member_no': 'x'}
    """
    index = _index(table)
    out: dict = {}
    for header, value in row.items():
        name = index.get(fold_header(str(header)))
        if name is not None and name not in out:
            out[name] = value
    return out


def header_of(table: Table, row: dict, field: str) -> str | None:
    """The header a row quoted as received (`fields_of_row`'s input) wrote `field` under; else
    the field's first Chinese alias (contract §3), for a row quoted without it.

    A clerk corrects the column their file calls 申报月收入: an inbox probe's notes named it
    `declared_monthly_income`, a name nobody at the agency wrote.

    Example:
        >>> from connectors.schema import TABLES
        >>> header_of(TABLES["applicants"], {"申请编号": "R1", " 申报月收入": "约两千"}, "declared_monthly_income")
        '申报月收入'
        >>> header_of(TABLES["tax"], {}, "income_amount")
        '收入额'
    """
    index = _index(table)
    for header in row:
        if index.get(fold_header(str(header))) == field:
            return str(header).strip()
    known = next((f for f in table.fields if f.name == field), None)
    return next((a for a in known.aliases if not a.isascii()), None) if known else None
