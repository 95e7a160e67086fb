"""`to_canonical`: a `RawFile` of strings to typed canonical rows and row-level errors.

A row with any unparseable, missing-but-required or disallowed value is kept out of `rows`
and reported once per bad field in `errors`, with the whole raw row, so a clerk can correct
and resend it. An ID number that fails its check is not such an error: the row is kept with
`id_status = 'invalid'` and the reason, because it still identifies the person approximately.

Example:
    >>> import pyarrow as pa
    >>> from connectors.rawfile import RawFile, with_row_numbers
    >>> from connectors.schema import TABLES
    >>> raw = RawFile(with_row_numbers(pa.table({"记录编号": ["T1", "T2"], "姓名": ["张 三", "李四"],
    ...     "所属期": ["2024-03", "2024-03"], "所得项目": ["工资薪金", "工资薪金"],
    ...     "收入额": ["1,200", "-5"]})), "csv", "utf-8", ",", 1, "tax.csv")
    >>> result = to_canonical(TABLES["tax"], raw)
    >>> result.rows.select(["name", "income_amount", "row_number"]).to_pylist()
    [{'name': '张三', 'income_amount': Decimal('1200.00'), 'row_number': 1}]
    >>> result.errors.select(["row_number", "field", "reason"]).to_pylist()
    [{'row_number': 2, 'field': 'income_amount', 'reason': "'-5' is negative; this amount must be 0 or more"}]
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.columns import TOTALS_CELL, output_columns, parse_field
from connectors.headers import is_header_name, map_headers, scaled_unit
from connectors.rawfile import RawFile
from connectors.schema import Table

_NEEDS_ESCAPE = r'["\\\x00-\x1f]'
ERRORS_SCHEMA = pa.schema([("row_number", pa.int64()), ("field", pa.string()), ("reason", pa.string()),
                           ("raw_value", pa.string()), ("raw_row", pa.string())])
"""`field` is null for a row that is not a record at all: one the reader could not split into
fields, or a totals line."""
TOTALS_REASON = ("row {row} looks like a totals line ({cell!r}), not a record: it was not loaded and "
                 "nothing needs resending; leave totals out of exports if the system allows")
FOOTER_CELL = (r"^(?:制\s*表\s*人|制表日期|制表时间|审\s*核\s*人|复核人|负\s*责\s*人|单位负责人|填\s*报\s*人|填表人|"
               r"经\s*办\s*人|打印时间|打印日期|导出时间|导出日期|数据截止|统计日期|注|备\s*注|说\s*明|填表说明|"
               r"注\s*意)\s*[:：]")
"""A cell that makes a failing row a report's footer (`制表人：张三`, `注：以上信息由…`), not a record."""
FOOTER_REASON = ("row {row} looks like a footer line ({cell!r}), not a record: it was not loaded and nothing "
                 "needs resending")
HEADER_REASON = ("row {row} repeats the header line (files joined together?), not a record: it was not loaded and "
                 "nothing needs resending")
NAMES_REASON = ("row {row} holds column names ({cell!r} …), a second header line, not a record: it was not loaded "
                "and nothing needs resending")
TOTALS_LINE = (f"(?:{TOTALS_CELL})|(?:^(?:合\\s*计|总\\s*计|共\\s*计|小\\s*计|累\\s*计)\\s*"
               "(?:[:：]\\s*\\S.*|[0-9０-９]+\\s*(?:条|户|人|笔|行|项|辆|套|张|个|名).*)$)")
"""`TOTALS_CELL`, or with what was counted after it (`合计：2户5人`, `共计8条记录`): in a failing row only."""


def canonical_schema(table: Table) -> pa.Schema:
    """The columns of `Canonical.rows` for a schema table, in order."""
    columns = [(name, typ) for f in table.fields for name, typ in output_columns(f).items()]
    return pa.schema(columns + [("extra", pa.string()), ("row_number", pa.int64())])


@dataclass
class Canonical:
    """A file's rows in canonical form.

    Attributes:
        rows: Good rows, typed (see `canonical_schema`), with `row_number` and `extra` (a JSON
            object of the columns no field claimed, or null).
        errors: One line per bad field of a bad row (`ERRORS_SCHEMA`); such rows are not in `rows`.
        source: The schema table's name (`tax`, `applicants` …).
        raw: The file as read (format, encoding, header row).
        mapping: Raw header -> field name.
        extras: Headers kept in `extra`.
    """

    rows: pa.Table
    errors: pa.Table
    source: str
    raw: RawFile
    mapping: dict[str, str] = field(default_factory=dict)
    extras: list[str] = field(default_factory=list)

    @property
    def format(self) -> str:
        """The file's format (`csv`, `xlsx`, `xls`, `jsonl`, `parquet`), for the files log."""
        return self.raw.format

    @property
    def encoding(self) -> str | None:
        """The text encoding of a CSV or JSONL file, for the files log."""
        return self.raw.encoding


_OWN_UNIT = {"万": "[万元]", "%": "[%％/]"}
"""A cell already carrying a unit (or a fraction) is read by its own, not the header's."""


def _with_unit(column: pa.ChunkedArray, suffix: str) -> pa.ChunkedArray:
    """The cells of a column whose header gives a scaling unit (`headers.scaled_unit`), each with that
    unit written after it unless it has one of its own: `15.8` under `购置价格（万元）` reads `15.8万`."""
    text = pc.utf8_trim_whitespace(column)
    own = pc.match_substring_regex(text, _OWN_UNIT[suffix])
    blank = pc.equal(text, "")
    return pc.if_else(pc.or_kleene(own, blank), column, pc.binary_join_element_wise(text, suffix, ""))


def to_canonical(table: Table, raw: RawFile, mapping: dict[str, str] | None = None,
                 defaults: dict[str, str] | None = None) -> Canonical:
    """Type and check every row of a raw file against a schema table.

    Args:
        table: The schema table.
        raw: The file as strings.
        mapping: Raw header -> field name; computed with `map_headers` when None.
        defaults: Text for fields whose cell (or whole column) is empty, e.g. the agency of
            an inbox folder.

    Returns:
        The `Canonical` rows and errors.

    Raises:
        FileRejected: from `map_headers` (missing or repeated required columns).
    """
    if mapping is None:
        mapping = map_headers(table, raw.headers, raw.path)
    header_of = {name: header for header, name in mapping.items()}
    extras = [h for h in raw.headers if h not in mapping]
    source, n = raw.table, raw.table.num_rows
    inputs = []
    for f in table.fields:
        header = header_of.get(f.name)
        column = source.column(header) if header else pa.chunked_array([pa.nulls(n, pa.string())])
        if header and (suffix := scaled_unit(table, header)):
            column = _with_unit(column, suffix)
        if defaults and f.name in defaults:
            column = pc.fill_null(column, defaults[f.name])
        inputs.append((f, column, header))
    # Fields are independent and their parsing is mostly Arrow and numpy kernels, which release
    # the GIL: a big file parses them on every core.
    with ThreadPoolExecutor(max_workers=_workers(n)) as pool:
        extra = pool.submit(rows_to_json, source, extras, skip_nulls=True) if extras else None
        parsed_fields = list(pool.map(lambda args: parse_field(*args), inputs))
        columns: dict[str, pa.ChunkedArray] = {}
        field_errors: list[tuple[str, pa.ChunkedArray, pa.ChunkedArray]] = []
        for (f, column, _), parsed in zip(inputs, parsed_fields):
            columns.update(parsed.columns)
            if parsed.errors is not None and parsed.errors.null_count < n:
                field_errors.append((f.name, parsed.errors, column))
        columns["extra"] = extra.result() if extra else pa.nulls(n, pa.string())
    columns["row_number"] = source.column("row_number")
    typed = pa.table(columns).cast(canonical_schema(table))
    bad = _any_valid([errors for _, errors, _ in field_errors]) if field_errors else None
    rows = drop_rows(typed, pc.indices_nonzero(bad)) if field_errors else typed
    errors = _error_lines(source, raw, field_errors, bad)
    return Canonical(rows, errors, table.name, raw, mapping, extras)


_MAX_SLICES = 4096
_PARALLEL_FROM = 50_000


def _workers(n_rows: int) -> int:
    """Threads for parsing a file's fields: one for a small file, every core for a big one."""
    return max(1, min(4, os.cpu_count() or 1)) if n_rows >= _PARALLEL_FROM else 1


def drop_rows(table: pa.Table, positions: pa.Array) -> pa.Table:
    """`table` without the rows at `positions` (sorted, distinct 0-based indexes).

    A few bad rows in a million are the usual case: the rows between them are kept as
    zero-copy slices instead of copying every column (`Table.filter` copies ~150 MB for a
    million tax rows). Many scattered bad rows fall back to `filter`.
    """
    drop = positions.to_numpy(zero_copy_only=False) if len(positions) else None
    if drop is None:
        return table
    if len(drop) > _MAX_SLICES:
        keep = np.ones(table.num_rows, dtype=bool)
        keep[drop] = False
        return table.filter(pa.array(keep))
    starts = np.concatenate(([0], drop + 1))
    ends = np.concatenate((drop, [table.num_rows]))
    parts = [table.slice(int(a), int(b - a)) for a, b in zip(starts, ends) if b > a]
    return pa.concat_tables(parts) if parts else table.schema.empty_table()


def _any_valid(arrays: list[pa.ChunkedArray]) -> pa.ChunkedArray:
    bad = pc.is_valid(arrays[0])
    for errors in arrays[1:]:
        bad = pc.or_(bad, pc.is_valid(errors))
    return bad


def _first_matching(rows: pa.Table, headers: list[str], pattern: str) -> pa.ChunkedArray | pa.Array:
    """Per row, the first cell matching `pattern`, or null."""
    found = pa.nulls(rows.num_rows, pa.string())
    for name in headers:
        column = rows.column(name)
        found = pc.coalesce(found, pc.if_else(
            pc.fill_null(pc.match_substring_regex(column, pattern, ignore_case=True), False), column, None))
    return found


def _non_records(rows: pa.Table, headers: list[str]) -> list[tuple[str, str | None] | None]:
    """Per failing row, what it is when it is not a record at all: ("empty", None) for a row of
    separators only, ("header" | "totals" | "footer", the telling cell), or None for a record.

    Such a row gets one line saying what it is, not one "empty" error per required field: a
    clerk would chase a blank name in a 合计 line."""
    n = rows.num_rows
    if not headers:
        return [None] * n
    filled = np.zeros(n, dtype=np.int64)
    as_header = np.zeros(n, dtype=np.int64)
    as_names = np.zeros(n, dtype=np.int64)
    for name in headers:
        column = rows.column(name)
        filled += pc.is_valid(column).to_numpy(zero_copy_only=False).astype(np.int64)
        same = pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(column)), name.strip().lower())
        as_header += pc.fill_null(same, False).to_numpy(zero_copy_only=False).astype(np.int64)
        distinct = pc.drop_null(pc.unique(column)).to_pylist()     # folded once per distinct cell
        names = pa.array([c for c in distinct if is_header_name(c)], pa.string())
        as_names += pc.fill_null(pc.is_in(column, value_set=names), False).to_numpy(zero_copy_only=False).astype(np.int64)
    totals = _first_matching(rows, headers, TOTALS_LINE).to_pylist()
    footer = _first_matching(rows, headers, FOOTER_CELL).to_pylist()
    out: list[tuple[str, str | None] | None] = []
    for i in range(n):
        if filled[i] == 0:
            out.append(("empty", None))
        elif as_header[i] >= 2 and as_header[i] * 2 >= filled[i]:
            out.append(("header", None))
        elif as_names[i] >= 2 and as_names[i] * 2 >= filled[i]:    # (the English header under the Chinese)
            out.append(("names", next(c for c in rows.slice(i, 1).to_pylist()[0].values()
                                      if isinstance(c, str) and is_header_name(c))))
        elif totals[i] is not None:
            out.append(("totals", totals[i]))
        elif footer[i] is not None:
            out.append(("footer", footer[i]))
        else:
            out.append(None)
    return out


def _error_lines(source: pa.Table, raw: RawFile, field_errors, bad) -> pa.Table:
    parts = []
    if field_errors:
        positions = pc.indices_nonzero(bad)
        bad_rows = source.take(positions)
        raw_rows = rows_to_json(bad_rows, raw.headers, skip_nulls=False)
        kinds = _non_records(bad_rows, raw.headers)
        if any(kinds):
            # A row of separators only is no row at all (like a blank line: skipped, no line);
            # a repeated header, a totals or a footer line gets one line saying what it is.
            at = [i for i, k in enumerate(kinds) if k]
            said = [i for i in at if kinds[i][0] != "empty"]
            numbers = bad_rows.column("row_number").to_pylist()
            reasons = {"header": HEADER_REASON, "names": NAMES_REASON, "totals": TOTALS_REASON, "footer": FOOTER_REASON}
            if said:
                parts.append(pa.table({
                    "row_number": pa.array([numbers[i] for i in said], pa.int64()),
                    "field": pa.nulls(len(said), pa.string()),
                    "reason": pa.array([reasons[kinds[i][0]].format(row=numbers[i], cell=kinds[i][1]) for i in said],
                                       pa.string()),
                    "raw_value": pa.array([kinds[i][1] for i in said], pa.string()),
                    "raw_row": raw_rows.take(pa.array(said, pa.int64())),
                }, schema=ERRORS_SCHEMA))
            skipped = pa.array([numbers[i] for i in at], pa.int64())
            keep = pc.invert(pc.fill_null(pc.is_in(source.column("row_number"), value_set=skipped), False))
            field_errors = [(name, pc.if_else(keep, errors, None), column) for name, errors, column in field_errors]
        for name, errors, column in field_errors:
            where = pc.indices_nonzero(pc.is_valid(errors))
            parts.append(pa.table({
                "row_number": source.column("row_number").take(where),
                "field": pa.array([name] * len(where), pa.string()),
                "reason": errors.take(where),
                "raw_value": column.take(where),
                "raw_row": raw_rows.take(pc.index_in(where, value_set=positions)),
            }, schema=ERRORS_SCHEMA))
    if raw.row_errors.num_rows:
        re_ = raw.row_errors
        parts.append(pa.table({"row_number": re_.column("row_number"),
                               "field": pa.nulls(re_.num_rows, pa.string()),
                               "reason": re_.column("reason"), "raw_value": re_.column("raw_value"),
                               "raw_row": pa.nulls(re_.num_rows, pa.string())}, schema=ERRORS_SCHEMA))
    if not parts:
        return ERRORS_SCHEMA.empty_table()
    errors = pa.concat_tables(parts)
    return errors.take(pc.sort_indices(errors, [("row_number", "ascending")])).combine_chunks()


def _quoted(column: pa.ChunkedArray) -> pa.ChunkedArray:
    dirty = pc.match_substring_regex(column, _NEEDS_ESCAPE)
    if not pc.any(dirty).as_py():  # the usual case: nothing to escape
        return pc.binary_join_element_wise('"', column, '"', "")
    clean = pc.binary_join_element_wise('"', pc.if_else(dirty, None, column), '"', "")
    dirty_values = pc.if_else(dirty, column, None)
    unique = pc.unique(dirty_values)
    escaped = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in unique.to_pylist()],
                       pa.string())
    return pc.coalesce(clean, pc.take(escaped, pc.index_in(dirty_values, value_set=unique)))


def rows_to_json(table: pa.Table, columns: list[str], skip_nulls: bool) -> pa.ChunkedArray:
    """One JSON object text per row over `columns` (string columns).

    Args:
        table: The rows.
        columns: The columns to include, in order.
        skip_nulls: Leave null values out; a row with nothing left becomes null. Otherwise
            nulls are written as JSON `null`.

    Returns:
        A string column, one JSON text (or null) per row.
    """
    n = table.num_rows
    pieces = []
    for name in columns:
        value = _quoted(table.column(name))
        if not skip_nulls:
            value = pc.fill_null(value, "null")
        key = json.dumps(name, ensure_ascii=False) + ": "
        # Each piece carries its own trailing separator: binary_join_element_wise's "skip"
        # null handling drops rows whose inputs are all null in pyarrow 26, so it is avoided.
        pieces.append(pc.fill_null(pc.binary_join_element_wise(key, value, ", ", ""), ""))
    if not pieces:
        return pa.chunked_array([pa.nulls(n, pa.string())]) if skip_nulls else pa.chunked_array(
            [pa.array(["{}"] * n, pa.string())])
    body = pc.utf8_rtrim(pc.binary_join_element_wise(*pieces, ""), characters=", ")
    text = pc.binary_join_element_wise("{", body, "}", "")
    return pc.if_else(pc.equal(body, ""), None, text) if skip_nulls else text
