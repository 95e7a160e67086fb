"""What a view reads of the pipeline's report dict: only known keys, dicts where dicts are due, and
the source row each record came from. Unknown keys never reach a template (`reports.view`)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from . import formatting as fmt


def as_dict(value: Any) -> dict:
    """`value` when it is a dict, else an empty one."""
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list:
    """The dicts of a list or tuple (nothing else)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, (list, tuple)) else []


def pick(record: Any, keys: tuple[str, ...]) -> dict:
    """Only ``keys`` of ``record`` (missing ones as ``None``)."""
    record = as_dict(record)
    return {k: record.get(k) for k in keys}


def lineage(record: dict) -> str | None:
    """``tax_202610.csv 第123行`` from a source row's ``file`` and ``row_number``: only the file's base
    name (the landing folder's path on the server is not the caseworker's business and may say more)."""
    file, row = record.get("file"), record.get("row_number")
    name = PurePath(str(file).replace("\\", "/")).name if isinstance(file, str) and file.strip() else None
    if name and not fmt.missing(row):
        return f"{name} 第{row}行"
    if name:
        return name
    return f"第{row}行" if not fmt.missing(row) and not isinstance(row, (dict, list)) else None


def pick_row(record: Any, keys: tuple[str, ...]) -> dict:
    """``pick`` plus the source row it came from (``lineage``)."""
    row = pick(record, keys)
    row["lineage"] = lineage(as_dict(record))
    return row


def amounts(raw: Any, by_source: bool = True) -> list[tuple[str, Any]]:
    """(key, amount) pairs from a ``{key: amount}`` dict: sources in the usual
    order (tax, social insurance, …), other keys as the pipeline listed them."""
    raw = as_dict(raw)
    keys = list(raw)
    if by_source:
        order = {s: i for i, s in enumerate(fmt.SOURCE_ORDER)}
        keys.sort(key=lambda k: order.get(k, len(order)))
    return [(str(k), raw[k]) for k in keys]
