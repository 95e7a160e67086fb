"""Connector for the rolls: the civil-affairs snapshot of households receiving aid (agency required).

Example:
    >>> from connectors import rolls
    >>> rolls.TABLE.name
    'rolls'
"""

from __future__ import annotations

from pathlib import Path

from connectors.canonical import Canonical
from connectors.schema import TABLES
from connectors.source import read_table

TABLE = TABLES["rolls"]


def read(path: Path, sheet: str | None = None) -> Canonical:
    """Read one delivered file as canonical `rolls` rows and row errors.

    Raises:
        FileRejected: the file cannot be read or lacks a required column.
    """
    return read_table(TABLE.name, path, sheet=sheet)
