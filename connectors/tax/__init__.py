"""Connector for individual income tax (个人所得税) exports.

Example:
    >>> from connectors import tax
    >>> tax.TABLE.name
    'tax'
"""

from __future__ import annotations

from pathlib import Path

from connectors.canonical import Canonical
from connectors.schema import TABLES
from connectors.source import read_table

TABLE = TABLES["tax"]


def read(path: Path, sheet: str | None = None) -> Canonical:
    """Read one delivered file as canonical `tax` rows and row errors.

    Raises:
        FileRejected: the file cannot be read or lacks a required column.
    """
    return read_table(TABLE.name, path, sheet=sheet)
