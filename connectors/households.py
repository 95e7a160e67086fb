"""An inbox request's household cells written once per household: the member rows below inherit them.

Offices fill a request in household blocks: the head's row (户主) carries the request, programme,
household and county, and the member rows under it leave them blank, as a merged cell would
look. An agency-request probe's CSV so laid out had its spouse and child rejected (household
cells empty) while the head was answered alone, as a complete one-person household that passed.

A member row whose household cells are blank takes them from the row above, when that row is of
the same household (or the member row names no household); so does a head row (户主 / 本人) when
the block above has no head yet (a block written spouse first: an inbox probe's 户主 and child,
below the 配偶 who carried the cells, were refused and the household answered as the spouse
alone). A head row below a block that has its head is another household, never filled (a head
without a household id is a row error), and a value written is never replaced. Only requests are so filled in: a rolls snapshot is a system's export, and each
of its rows must name its agency (`tests/test_connectors_rows.py`).

Example:
    >>> rows = {"household_id": ["H1", None, None, "H2", "H3", None, None, None],
    ...         "relation": ["户主", "配偶", "子女", "户主", "配偶", "户主", "子女", "户主"],
    ...         "program": ["低保", None, None, None, "特困", None, None, None]}
    >>> fill_household_cells(rows, ("household_id", "program"), "relation")
    >>> rows["household_id"], rows["program"]
    (['H1', 'H1', 'H1', 'H2', 'H3', 'H3', 'H3', None], ['低保', '低保', '低保', None, '特困', '特困', '特困', None])
"""

from __future__ import annotations

import dataclasses

import pyarrow as pa

from connectors.rawfile import RawFile

HOUSEHOLD_FIELDS = ("request_id", "agency", "program", "household_id", "county_code")
"""The cells a request writes once per household."""
HEAD = ("户主", "本人")


def fill_household_cells(columns: dict[str, list], fields: tuple[str, ...], relation: str) -> None:
    """Fill, in place, blank `fields` cells of member rows from the row above (see the module)."""
    n = len(columns[relation])
    head_above = n > 0 and (columns[relation][0] or "").strip() in HEAD   # the block above has its head
    for i in range(1, n):
        head = (columns[relation][i] or "").strip() in HEAD
        # a row naming another household, or another request (a footer's 注：… in the request column,
        # a totals line: a files probe's note quoted a footer as 家庭 HH0029), is no member of the block
        if any(columns[f][i] and columns[f][i] != columns[f][i - 1]
               for f in ("household_id", "request_id") if f in columns):
            head_above = head
            continue
        if head and head_above:   # a second head: another household, its cells left blank (a row error)
            continue
        for f in fields:
            if not columns[f][i]:
                columns[f][i] = columns[f][i - 1]
        head_above = head_above or head


def with_household_cells(raw: RawFile, mapping: dict[str, str]) -> RawFile:
    """`raw` with its member rows' blank household cells filled (headers per `mapping`)."""
    header_of = {name: header for header, name in mapping.items()}
    if "relation" not in header_of:
        return raw
    names = [f for f in HOUSEHOLD_FIELDS if f in header_of]
    columns = {f: raw.table.column(header_of[f]).to_pylist() for f in names}
    columns["relation"] = raw.table.column(header_of["relation"]).to_pylist()
    before = {f: list(columns[f]) for f in names}
    fill_household_cells(columns, tuple(names), "relation")
    table = raw.table
    for f in names:
        if columns[f] != before[f]:
            i = table.column_names.index(header_of[f])
            table = table.set_column(i, header_of[f], pa.array(columns[f], pa.string()))
    return raw if table is raw.table else dataclasses.replace(raw, table=table)
