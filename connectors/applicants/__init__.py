"""Connector for verification requests (核对申请) dropped in `inbox/<agency>/`.

The agency column may be left empty: the request belongs to the inbox folder it came from.

Example:
    >>> from connectors import applicants
    >>> applicants.TABLE.name
    'applicants'
"""

from __future__ import annotations

from pathlib import Path

from connectors.canonical import Canonical
from connectors.schema import TABLES
from connectors.source import read_table

TABLE = TABLES["applicants"]


def read(path: Path, agency_default: str | None, sheet: str | None = None) -> Canonical:
    """Read one request file as canonical applicant rows and row errors.

    Args:
        path: The request file.
        agency_default: The inbox folder name, used where `agency` is empty or absent.
        sheet: For workbooks, the sheet to read.

    Raises:
        FileRejected: the file cannot be read or lacks a required column.
    """
    defaults = {"agency": agency_default} if agency_default else None
    return read_table(TABLE.name, path, sheet=sheet, defaults=defaults)
