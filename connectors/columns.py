"""Parse one raw string column into its canonical column(s), over unique values only.

A department file repeats the same names, months, items and IDs across many rows, so each
parser runs once per distinct value and the results are taken back to the rows with Arrow
kernels. Amounts are nearly all distinct, so plain ones (`1234.50`) are cast by Arrow
directly and only the others (`¥1,234.5元`, negatives) reach the Python parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from connectors.schema import Field
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

_PLAIN_MONEY = r"^\d{1,16}(\.\d{1,2})?$"
_PLAIN_HAN_NAME = r"^[\x{4E00}-\x{9FA5}]{1,20}$"  # all assigned letters: normalise_name keeps them
_NULL = pa.scalar(None, pa.string())


@dataclass
class Parsed:
    """The canonical columns of one field and, per row, why it failed (null when it did not)."""

    columns: dict[str, pa.ChunkedArray]
    errors: pa.ChunkedArray | None


def _apply_unique(column: pa.ChunkedArray, fn: Callable, types: tuple[pa.DataType, ...],
                  on_null: tuple | None = None):
    """Run `fn` once per distinct value; return one array per output plus the error array."""
    unique = pc.unique(column)
    positions = pc.index_in(column, value_set=unique)
    outputs: list[list] = [[] for _ in types]
    errors: list[str | None] = []
    single = len(types) == 1
    for value in unique.to_pylist():
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
    arrays = [pc.take(pa.array(out, typ), positions) for out, typ in zip(outputs, types)]
    return arrays, pc.take(pa.array(errors, pa.string()), positions)


def _id_parts(raw: str | None) -> tuple:
    info = parse_id(raw)
    return info.number, info.status, info.birth_date, info.gender, info.birthplace, info.reason


def _count(raw: str) -> int:
    try:
        value = parse_number(raw)
    except ValueError:
        value = 0.5
    if not value.is_integer() or value < 1:
        raise ValueError(f"{raw!r} is not a member number; accepted: a whole number 1, 2, 3 …")
    return int(value)


def _category(field: Field) -> Callable[[str], str | None]:
    return lambda raw: parse_category(raw, field) or None


def _money(field: Field, column: pa.ChunkedArray):
    plain = pc.match_substring_regex(column, _PLAIN_MONEY)
    fast = pc.if_else(plain, column, _NULL).cast(MONEY)
    (slow,), errors = _apply_unique(pc.if_else(plain, _NULL, column),
                                    lambda raw: parse_money(raw, field.negative_ok), (MONEY,))
    return pc.coalesce(fast, slow), errors


def _name(column: pa.ChunkedArray):
    plain = pc.match_substring_regex(column, _PLAIN_HAN_NAME)
    (slow,), errors = _apply_unique(pc.if_else(plain, _NULL, column), normalise_name, (pa.string(),))
    return pc.coalesce(pc.if_else(plain, column, _NULL), slow), errors


def output_columns(field: Field) -> dict[str, pa.DataType]:
    """The canonical column names and types a field becomes."""
    if field.kind == "id_number":
        return dict(zip(ID_COLUMNS, (pa.string(),) * 3 + (pa.date32(),) + (pa.string(),) * 3))
    if field.kind == "name":
        return {field.name: pa.string(), f"{field.name}_raw": pa.string()}
    return {field.name: {
        "date": pa.date32(), "period": pa.date32(), "money": MONEY, "share": pa.float64(),
        "number": pa.int64() if field.name in COUNT_FIELDS else pa.float64(),
    }.get(field.kind, pa.string())}


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
    if kind == "id_number":
        parsed = [c for c in ID_COLUMNS if c != "id_raw"]
        types = output_columns(field)
        arrays, errors = _apply_unique(column, _id_parts, tuple(types[c] for c in parsed),
                                       on_null=_id_parts(None))
        columns = dict(zip(parsed, arrays)) | {"id_raw": column}
        columns = {c: columns[c] for c in ID_COLUMNS}
    elif kind == "name":
        value, errors = _name(column)
        columns = {field.name: value, f"{field.name}_raw": column}
    elif kind == "money":
        value, errors = _money(field, column)
        columns = {field.name: value}
    elif kind in ("text", "category") and not (kind == "category" and field.allowed):
        value, errors = column, None
        columns = {field.name: value}
    else:
        parser = {"date": parse_date, "period": parse_period, "share": parse_share,
                  "number": _count if field.name in COUNT_FIELDS else parse_number,
                  "category": _category(field)}[kind]
        (value,), errors = _apply_unique(column, parser, tuple(output_columns(field).values()),
                                         on_null=(1.0,) if kind == "share" else None)
        columns = {field.name: value}
    if field.required and field.name not in EMPTY_ALLOWED and column.null_count:
        missing = pc.if_else(pc.is_null(column), pa.scalar(f"{header!r} is empty; {field.name} is required"
                                                           if header else f"{field.name} is required"),
                             _NULL)
        errors = missing if errors is None else pc.coalesce(missing, errors)
    return Parsed(columns, errors)
