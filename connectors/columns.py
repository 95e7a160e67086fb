"""Parse one raw string column into its canonical column(s), over unique values only.

A department file repeats the same names, months, items and IDs across many rows, so each
parser runs once per distinct value and the results are taken back to the rows with Arrow
kernels. Amounts are nearly all distinct, so the common spellings (`1234.50`, `1,234.50`,
`￥1234.5`, `1234.5元`) are parsed by Arrow over the whole column and only the others
(negatives, `1.5万`, odd spaces) reach the Python parser; clean, valid ID numbers are checked
with numpy over the distinct values (`connectors.fastpaths`), the rest by `parse_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from connectors import fastpaths
from connectors.schema import PROGRAM_AREA, Field
from connectors.values import (parse_category, parse_date, parse_id, parse_money, parse_number,
                               parse_period, parse_share)
from connectors.values.names import normalise_name

MONEY = pa.decimal128(18, 2)
ID_COLUMNS = ("id_number", "id_raw", "id_status", "id_birth_date", "id_gender", "id_birthplace",
              "id_reason")
COUNT_FIELDS = frozenset({"member_no"})
"""`number` fields that count (1, 2, 3 …) and are stored as int64."""
EMPTY_ALLOWED = frozenset({"consent_ref"})
"""Required columns whose cells may be empty: contract §3 says a person without a consent
reference is reported as not verified, so the row must reach the report, not quarantine."""

TOTALS_CELL = (r"^(?:合\s*计|总\s*计|小\s*计|共\s*计|累\s*计|合计金额|总合计|本页(?:合|小)计|汇\s*总|"
               r"total|sum|subtotal)[:：]?$")
"""A cell that makes a row a spreadsheet's totals line (`合计`), not a record: in a failing row
anywhere (`canonical._non_records`), and in the name column even when the row is otherwise
complete — an export's 合计 line with its record number and month filled in had been loaded as
a person called 合计, doubling the file's total (an export probe)."""
_PLAIN_HAN_NAME = r"^[\x{4E00}-\x{9FA5}]{1,20}$"  # all assigned letters: normalise_name keeps them
_NULL = pa.scalar(None, pa.string())


@dataclass
class Parsed:
    """The canonical columns of one field and, per row, why it failed (null when it did not)."""

    columns: dict[str, pa.ChunkedArray]
    errors: pa.ChunkedArray | None


def _apply_unique(column: pa.ChunkedArray, fn: Callable, types: tuple[pa.DataType, ...],
                  on_null: tuple | None = None, fast: Callable | None = None):
    """Run `fn` once per distinct value; return one array per output plus the error array.

    `fast(unique) -> (claimed, arrays)` may compute some distinct values at once (see
    `connectors.fastpaths`); `fn` then runs only for the values it did not claim.
    """
    unique, positions = _distinct(column)
    claimed = None
    if fast is not None and len(unique):
        claimed, fast_arrays = fast(unique)
        if pc.all(claimed).as_py():
            return [pc.take(a, positions) for a in fast_arrays], pa.nulls(len(column), pa.string())
        slow_values = unique.filter(pc.invert(claimed))
    else:
        slow_values = unique
    outputs: list[list] = [[] for _ in types]
    errors: list[str | None] = []
    single = len(types) == 1
    for value in slow_values.to_pylist():
        try:
            if value is None:
                result = on_null or (None,) * len(types)
            else:
                result = (fn(value),) if single else fn(value)
            error = None
        except ValueError as exc:
            result, error = (None,) * len(types), str(exc)
        for out, item in zip(outputs, result):
            out.append(item)
        errors.append(error)
    slow = [pa.array(out, typ) for out, typ in zip(outputs, types)]
    slow_errors = pa.array(errors, pa.string())
    if claimed is not None:  # scatter the Python results between the fast ones
        unclaimed = pc.invert(claimed)
        slow = [pc.replace_with_mask(a, unclaimed, s) for a, s in zip(fast_arrays, slow)]
        slow_errors = pc.replace_with_mask(pa.nulls(len(unique), pa.string()), unclaimed, slow_errors)
    return [pc.take(a, positions) for a in slow], pc.take(slow_errors, positions)


def _distinct(column: pa.ChunkedArray) -> tuple[pa.Array, pa.ChunkedArray]:
    """The distinct values of a column (null included) and, per row, the position of its value.

    One hash pass (`dictionary_encode`) instead of two (`unique`, then `index_in`). Every
    chunk of a dictionary-encoded chunked array carries the same, final dictionary (the hash
    table only grows, so equal lengths mean equal dictionaries); should a future pyarrow
    differ, the two-pass way is used.
    """
    if isinstance(column, pa.ChunkedArray) and len(column):
        encoded = pc.dictionary_encode(column, null_encoding="encode")
        dictionary = encoded.chunk(encoded.num_chunks - 1).dictionary
        if all(len(chunk.dictionary) == len(dictionary) for chunk in encoded.chunks):
            return dictionary, pa.chunked_array([chunk.indices for chunk in encoded.chunks])
    unique = pc.unique(column)
    return unique, pc.index_in(column, value_set=unique)


def _id_parts(raw: str | None) -> tuple:
    info = parse_id(raw)
    return info.number, info.status, info.birth_date, info.gender, info.birthplace, info.reason


def _id_fast(unique: pa.Array):
    claimed, columns = fastpaths.id_numbers(unique)
    return claimed, [columns[c] for c in ID_COLUMNS if c != "id_raw"]


def _count(raw: str) -> int:
    try:
        value = parse_number(raw)
    except ValueError:
        value = 0.5
    if not value.is_integer() or not 1 <= value < 2 ** 63:  # stored as int64
        raise ValueError(f"{raw!r} is not a member number; accepted: a whole number 1, 2, 3 …")
    return int(value)


def _category(field: Field) -> Callable[[str], str | None]:
    return lambda raw: parse_category(raw, field) or None


def _money(field: Field, column: pa.ChunkedArray):
    claimed, fast = fastpaths.money(column)
    (slow,), errors = _apply_unique(pc.if_else(claimed, _NULL, column),
                                    lambda raw: parse_money(raw, field.negative_ok), (MONEY,))
    return pc.coalesce(fast, slow), errors


def _totals_words() -> pa.Array:
    words = ["合计", "总计", "小计", "共计", "累计", "合计金额", "总合计", "本页合计", "本页小计", "汇总"]
    spaced = [w[0] + gap + w[1] for w in words if len(w) == 2 for gap in (" ", "  ", "\u3000")]
    latin = [v for w in ("total", "sum", "subtotal") for v in (w, w.title(), w.upper())] + ["SubTotal"]
    return pa.array([w + end for w in words + spaced + latin for end in ("", ":", "：")], pa.string())


_TOTALS_WORDS = _totals_words()
"""`TOTALS_CELL` spelled out: a hash lookup per name instead of a pattern (0.06 s over a million)."""


def _name(column: pa.ChunkedArray):
    plain = pc.match_substring_regex(column, _PLAIN_HAN_NAME)
    (slow,), errors = _apply_unique(pc.if_else(plain, _NULL, column), normalise_name, (pa.string(),))
    totals = pc.is_in(column, value_set=_TOTALS_WORDS)
    if pc.any(totals).as_py():
        errors = pc.if_else(totals, pa.scalar("a totals word, not a person's name"), errors)
    return pc.coalesce(pc.if_else(plain, column, _NULL), slow), errors


_NUMERIC_KINDS = frozenset({"id_number", "money", "date", "period", "number", "share"})
_NONE_WORDS = pa.array(["无", "暂无", "没有", "無"], pa.string())


def _none_word_as_empty(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """`无` where an ID, amount or date belongs says there is none: empty, not a malformed value
    (an export probe: 已缴税额 `无` cost a good row; 证件号码 `无` was an invalid ID). Only here:
    elsewhere `无` is a value (no labour capacity, no disability)."""
    none = pc.is_in(column, value_set=_NONE_WORDS)
    return pc.if_else(none, _NULL, column) if pc.any(none).as_py() else column


_SHORTENED = r"^-?[0-9](?:\.[0-9]+)?E[+-]?[0-9]+$"


def _shortened_key(column: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """A record_id stored as a float (`1.00120240601E+19`: a Parquet float column, a number cell)
    has lost its last digits, and with them what tells records apart: two records under one
    key would replace each other (an export probe). Refused, saying how to send it."""
    if not (pc.any(pc.match_substring(column, "E+")).as_py() or pc.any(pc.match_substring(column, "e+")).as_py()):
        return None   # the literal first: the pattern over a million record numbers cost 0.05 s
    shortened = pc.fill_null(pc.match_substring_regex(column, _SHORTENED, ignore_case=True), False)
    if not pc.any(shortened).as_py():
        return None
    return pc.if_else(shortened, pc.binary_join_element_wise(
        "record_id ", column, " is a number shortened to 15 digits (the column was stored as floating-point "
        "numbers): records can no longer be told apart by it; export record_id as text", ""), _NULL)


def _hidden_characters(column: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """A record_id holding a control character: a hostile-input probe's `T7<ESC>[2J` was stored, and
    cleared the screen of whoever printed it. An id is for people to quote back."""
    hidden = pc.invert(pc.fill_null(pc.utf8_is_printable(column), True))   # (a kernel: no pattern to run)
    if not pc.any(hidden).as_py():
        return None
    return pc.if_else(hidden, pa.scalar("record_id holds an invisible character (a control character such as ESC, "
                                        "a line break or a tab, or a zero-width space); write it with visible "
                                        "characters only"), _NULL)


_DIVISION_CODE = r"^[0-9]{6}(?:[0-9]{3}|[0-9]{6})?(?:\.0+)?$"


def _county_code(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A county code given as the 9-digit (township) or 12-digit (statistical) division code
    begins with the county's 6 digits, which are the county code (an agency-request probe's
    140105000000 was a row error that held its household); one a spreadsheet or pandas wrote as a
    number, 140105.0, is that code too (a files probe's request of 30 households went unanswered)."""
    longer = pc.fill_null(pc.match_substring_regex(column, _DIVISION_CODE), False)
    return pc.if_else(longer, pc.utf8_slice_codeunits(column, 0, 6), column)


def _program_area(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The area a programme label begins with (`schema.PROGRAM_AREA`: 农村低保 → rural) or names in
    brackets (最低生活保障（城市）), else null."""
    area = pa.nulls(len(column), pa.string())
    both = pa.array([False] * len(column), pa.bool_())
    for prefix, value in PROGRAM_AREA.items():
        hit = pc.fill_null(pc.match_substring_regex(column, f"^\\s*{prefix}|[（(][^）)]*{prefix}"), False)
        # 低保（农村、城市）names both: the address decides (an adversarial probe's was rural)
        both = pc.or_(both, pc.and_(hit, pc.not_equal(pc.fill_null(area, value), value)))
        area = pc.if_else(pc.and_(hit, pc.is_null(area)), pa.scalar(value), area)
    return pc.if_else(both, pa.scalar(None, pa.string()), area)


_ACCOUNT_SEPARATORS = r"[\s\-‐‑‒–—―]+"


def account_number_column(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """An account number without the spaces and hyphens (of any width) it was written with:
    `6222 0200 1234 5678` and `6222020012345678` are one account, whose latest balance counts.
    Kept apart, a probe's two statements of one account were added up (18,500 instead of 9,500)
    and the household failed its asset limit."""
    folded = pc.utf8_normalize(column, "NFKC")
    cleaned = pc.replace_substring_regex(folded, _ACCOUNT_SEPARATORS, "")
    return pc.if_else(pc.equal(cleaned, ""), pa.scalar(None, pa.string()), cleaned)


def output_columns(field: Field) -> dict[str, pa.DataType]:
    """The canonical column names and types a field becomes."""
    if field.kind == "id_number":
        return dict(zip(ID_COLUMNS, (pa.string(),) * 3 + (pa.date32(),) + (pa.string(),) * 3))
    if field.kind == "name":
        return {field.name: pa.string(), f"{field.name}_raw": pa.string()}
    if field.name == "program":
        return {"program": pa.string(), "program_area": pa.string()}
    return {field.name: {
        "date": pa.date32(), "period": pa.date32(), "money": MONEY, "share": pa.float64(),
        "number": pa.int64() if field.name in COUNT_FIELDS else pa.float64(),
    }.get(field.kind, pa.string())}


EMPTY_MEANS = "blank, or a no-value mark such as -, N/A, NULL or NaN"
"""What an empty cell was (`connectors.cells.NO_VALUE` reads the marks as empty): an ingestion probe's
clerk, told that an amount written `NaN` was empty, could not find the empty cell."""


def parse_field(field: Field, column: pa.ChunkedArray, header: str | None) -> Parsed:
    """Parse the raw column of one field.

    Args:
        field: The schema field.
        column: Its raw strings (null where empty).
        header: The header it came under, for the message when a required value is empty.

    Returns:
        The canonical columns (see `output_columns`) and the per-row errors.
    """
    kind = field.kind
    if kind in _NUMERIC_KINDS:
        column = _none_word_as_empty(column)
    if kind == "id_number":
        parsed = [c for c in ID_COLUMNS if c != "id_raw"]
        types = output_columns(field)
        arrays, errors = _apply_unique(column, _id_parts, tuple(types[c] for c in parsed),
                                       on_null=_id_parts(None), fast=_id_fast)
        columns = dict(zip(parsed, arrays)) | {"id_raw": column}
        columns = {c: columns[c] for c in ID_COLUMNS}
    elif kind == "name":
        value, errors = _name(column)
        columns = {field.name: value, f"{field.name}_raw": column}
    elif kind == "money":
        value, errors = _money(field, column)
        columns = {field.name: value}
    elif kind in ("text", "category") and not (kind == "category" and field.allowed):
        value, errors = (_county_code(column) if field.name == "county_code"
                         else account_number_column(column) if field.name == "account_number" else column), None
        if field.name == "record_id":
            errors = _shortened_key(column)
            hidden = _hidden_characters(column)
            errors = hidden if errors is None else (errors if hidden is None else pc.coalesce(errors, hidden))
        columns = {field.name: value}
    else:
        parser = {"date": parse_date, "period": parse_period, "share": parse_share,
                  "number": _count if field.name in COUNT_FIELDS else parse_number,
                  "category": _category(field)}[kind]
        types = tuple(output_columns(field).values())[:1]
        (value,), errors = _apply_unique(column, parser, types, on_null=(1.0,) if kind == "share" else None)
        columns = {field.name: value}
        if field.name == "program":
            columns["program_area"] = _program_area(column)
    if field.required and field.name not in EMPTY_ALLOWED and column.null_count:
        said = (f"{header!r} is empty ({EMPTY_MEANS}); {field.name} is required" if header
                else f"{field.name} is required")
        if field.name == "id_number":   # required of applicants only: say what a newborn's row takes
            said += ("; a member who has no ID number yet (a newborn not yet registered) is written 未落户: "
                     "listed, and said in the report to be unverifiable")
        missing = pc.if_else(pc.is_null(column), pa.scalar(said), _NULL)
        errors = missing if errors is None else pc.coalesce(missing, errors)
    return Parsed(columns, errors)
