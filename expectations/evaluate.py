"""Run a suite over one batch as a single DuckDB query that returns the failing rows.

The result has the shape of a quarantine entry (row_number, field, reason, raw_value), so the
loader can keep the good rows and quarantine the rest of the same file.
"""

from __future__ import annotations

import re
from functools import lru_cache

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from expectations.suites import Expectation

FAILURE_SCHEMA = pa.schema([("row_number", pa.int64()), ("field", pa.string()), ("reason", pa.string()),
                            ("raw_value", pa.string()), ("expectation", pa.string())])


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value) -> str:
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


_END_STRING = re.compile(r"(?<!\\)((?:\\\\)*)\\Z")
_PYTHON_ONLY_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\[uUN]")


@lru_cache(maxsize=256)
def re2_pattern(regex: str) -> str:
    """The RE2 spelling (DuckDB) of a Python regex (what GX on pandas runs), refusing what differs.

    GX's pandas engine searches with Python's `re` semantics (`str.contains`); DuckDB runs RE2.
    They agree on literals, classes with explicit ranges, `.`, `^`, groups, alternation and
    repetition. They differ on `\\d \\w \\s \\b` (Unicode in Python, ASCII in RE2), on `$` (Python
    also matches before a trailing newline), on `\\p{...}` (Python has none), lookarounds,
    backreferences, atomic groups, possessive repeats and inline flags. Those are refused here so
    that a suite cannot quietly mean one thing in GX and another in the gate; `\\Z` (end of string)
    becomes RE2's `\\z`.

    Raises:
        ValueError: the regex uses a construct whose meaning differs between the two engines.
    """
    from re import _parser  # the parser `re` itself uses; pandas reads patterns the same way

    def refuse(what: str):
        raise ValueError(f"regex {regex!r} uses {what}, which Python's re (GX) and RE2 (DuckDB) read "
                         "differently; use [0-9], explicit ranges and \\Z instead")

    if _PYTHON_ONLY_ESCAPE.search(regex):
        refuse("a \\u, \\U or \\N escape")
    try:
        parsed = _parser.parse(regex)
    except re.error as exc:
        refuse(f"syntax Python's re cannot parse ({exc})")
    if parsed.state.flags & ~re.UNICODE:
        refuse("an inline flag")
    refused = {_parser.ASSERT: "a lookaround", _parser.ASSERT_NOT: "a lookaround", _parser.GROUPREF: "a backreference",
               _parser.GROUPREF_EXISTS: "a conditional group", _parser.ATOMIC_GROUP: "an atomic group",
               _parser.POSSESSIVE_REPEAT: "a possessive repeat", _parser.CATEGORY: "\\d, \\w or \\s"}
    portable_at = {_parser.AT_BEGINNING, _parser.AT_BEGINNING_STRING, _parser.AT_END_STRING}

    def walk(tokens):
        for op, arg in tokens:
            if op in refused:
                refuse(refused[op])
            if op == _parser.AT and arg not in portable_at:
                refuse("$ or \\b" if arg in (_parser.AT_END, _parser.AT_BOUNDARY, _parser.AT_NON_BOUNDARY)
                       else str(arg))
            if op == _parser.SUBPATTERN:
                if arg[1] or arg[2]:
                    refuse("an inline flag")
                walk(arg[3])
            elif op == _parser.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
                walk(arg[2])
            elif op == _parser.IN:
                walk(arg)

    walk(parsed)
    return _END_STRING.sub(r"\1\\z", regex)


def expectation_failures_sql(exp: Expectation, relation: str) -> str | None:
    """SQL selecting (row_number, field, reason, raw_value, expectation) for rows failing `exp`."""
    kw = exp.kwargs
    reason, etype = _lit(exp.reason), _lit(exp.type)
    if exp.type == "expect_compound_columns_to_be_unique":
        cols = ", ".join(_q(c) for c in kw["column_list"])
        # GX's default ignore_row_if="all_values_are_missing": a row whose every column is null is
        # not compared; rows with some nulls are, and nulls equal each other (pandas `duplicated`).
        all_null = " AND ".join(f"{_q(c)} IS NULL" for c in kw["column_list"])
        return (f"SELECT row_number, {_lit(','.join(kw['column_list']))}, {reason}, "
                f"concat_ws('/', {cols}), {etype} FROM (SELECT *, count(*) OVER (PARTITION BY {cols}) AS n "
                f"FROM {relation} WHERE NOT ({all_null})) WHERE n > 1")
    col = _q(kw["column"])
    head = f"SELECT row_number, {_lit(kw['column'])}, {reason}, CAST({col} AS VARCHAR), {etype}"
    if exp.type == "expect_column_values_to_be_unique":
        # Every occurrence of a repeated value, as GX (`duplicated(keep=False)`); nulls never count.
        # A grouped semi-join: ~25 % faster than a window count over 1M strings.
        return (f"{head} FROM {relation} WHERE {col} IN (SELECT {col} FROM {relation} "
                f"WHERE {col} IS NOT NULL GROUP BY {col} HAVING count(*) > 1)")
    if exp.type == "expect_column_values_to_be_between":
        lo, hi = kw.get("min_value"), kw.get("max_value")
        cast = "DATE" if isinstance(lo, str) else "DOUBLE"
        conds = []
        if lo is not None:
            conds.append(f"CAST({col} AS {cast}) < CAST({_lit(lo)} AS {cast})")
        if hi is not None:
            conds.append(f"CAST({col} AS {cast}) > CAST({_lit(hi)} AS {cast})")
        return f"{head} FROM {relation} WHERE {col} IS NOT NULL AND ({' OR '.join(conds)})"
    if exp.type == "expect_column_values_to_be_in_set":
        values = ", ".join(_lit(v) for v in kw["value_set"])
        return f"{head} FROM {relation} WHERE {col} IS NOT NULL AND {col} NOT IN ({values})"
    if exp.type == "expect_column_values_to_match_regex":
        # A search, like GX's `str.contains`; suites anchor with ^ and \Z for a whole-value match.
        return (f"{head} FROM {relation} WHERE {col} IS NOT NULL "
                f"AND NOT regexp_matches(CAST({col} AS VARCHAR), {_lit(re2_pattern(kw['regex']))})")
    raise ValueError(f"expectation type {exp.type} has no SQL translation")


def evaluate(rows: pa.Table, suite: list[Expectation]) -> pa.Table:
    """Failing (row_number, field, reason, raw_value, expectation) rows of `rows` for `suite`.

    Expectations on columns the batch does not have are skipped (an optional field absent
    from the file cannot fail a range check).
    """
    parts = []
    for exp in suite:
        cols = exp.kwargs.get("column_list") or [exp.kwargs.get("column")]
        if all(c in rows.column_names for c in cols):
            parts.append(expectation_failures_sql(exp, "batch_rows"))
    if not parts or rows.num_rows == 0:
        return FAILURE_SCHEMA.empty_table()
    con = duckdb.connect()
    try:
        con.register("batch_rows", rows)
        result = con.sql(" UNION ALL ".join(parts) + " ORDER BY 1, 2").to_arrow_table()
    finally:
        con.close()
    return result.rename_columns(FAILURE_SCHEMA.names).cast(FAILURE_SCHEMA)


EXACT_COPY = "exact copy of data row {first} (same {key} and every value): loaded once, from row {first}"
DIFFERING_COPIES = ("{key} {value!r} appears more than once in this file, on data rows {rows}, with different "
                    "values: none was loaded, as which is right is for the sender to say; send the right one again")
TWO_MEMBERS = "; if they are two people, give each a member_no of their own"
NOT_COMPARED_FOR_COPIES = ("row_number", "extra")
"""A copy differs in its row number and may differ in columns outside the schema (a serial
number, an export time: `extra`); the record is the same."""


def _rows_text(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:10]))
    return shown + (f" … ({len(numbers)} rows)" if len(numbers) > 10 else "")


def settle_exact_copies(rows: pa.Table, failures: pa.Table, key: str | tuple[str, ...] = "record_id") -> pa.Table:
    """`failures` with a repeated `key` forgiven where the rows are exact copies of each other.

    An export that writes a record twice (a paging overlap, a retried batch) repeats it whole
    (a serial-number column aside, see `NOT_COMPARED_FOR_COPIES`): the first row loads and each later copy stays in quarantine as a copy of it, instead of the
    record being lost with all its copies until someone resends it. Rows that share the key but
    differ anywhere are left failing: which of them is right is for the sender to say. Costs
    nothing unless the uniqueness expectation failed (it is then read on those rows only).

    `key` may be several columns (an application's request, household and member number: an inbox
    probe's member listed twice, identically, held the household back until the row was re-sent).
    """
    compound = not isinstance(key, str)
    expectation = "expect_compound_columns_to_be_unique" if compound else "expect_column_values_to_be_unique"
    field_name = ",".join(key) if compound else key
    said = "/".join(key) if compound else key
    value_of = (lambda r: tuple(r[c] for c in key)) if compound else (lambda r: r[key])  # noqa: E731
    repeated = pc.and_(pc.equal(failures.column("expectation"), expectation),
                       pc.equal(failures.column("field"), field_name))
    if not pc.any(repeated).as_py():
        return failures
    numbers = failures.filter(repeated).column("row_number")
    subset = rows.filter(pc.is_in(rows.column("row_number"), value_set=numbers.combine_chunks()))
    columns = [c for c in subset.column_names if c not in NOT_COMPARED_FOR_COPIES]
    groups: dict[object, list[tuple[tuple, int]]] = {}
    for record in subset.to_pylist():
        groups.setdefault(value_of(record), []).append((tuple(record[c] for c in columns), record["row_number"]))
    first_of: dict[int, int] = {}
    clash: dict[int, str] = {}   # the rows of a key that differ: the reason names them all
    for value, copies in groups.items():
        numbers = sorted(number for _, number in copies)
        if len({values for values, _ in copies}) == 1:
            first_of.update({number: numbers[0] for number in numbers})
        else:
            shown = "/".join(map(str, value)) if compound else value
            text = DIFFERING_COPIES.format(key=said, value=shown, rows=_rows_text(numbers))
            if compound and "member_no" in said:   # two people of one household under one number, more often
                text += TWO_MEMBERS                  # than one person twice (a messages probe's 孙七 and 周八)
            clash.update({number: text for number in numbers})
    out = []
    for f in failures.to_pylist():
        mine = f["expectation"] == expectation and f["field"] == field_name
        first = first_of.get(f["row_number"]) if mine else None
        if mine and f["row_number"] in clash:
            out.append({**f, "reason": clash[f["row_number"]]})
        elif first is None:
            out.append(f)
        elif f["row_number"] != first:
            out.append({**f, "reason": EXACT_COPY.format(first=first, key=said)})
    return pa.Table.from_pylist(out, schema=FAILURE_SCHEMA)
