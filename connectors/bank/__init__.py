"""Connector for financial asset (金融资产) exports.

Example:
    >>> from connectors import bank
    >>> bank.TABLE.name
    'bank'
"""

from __future__ import annotations

from pathlib import Path

from connectors.canonical import Canonical
from connectors.schema import TABLES
from connectors.source import read_table

TABLE = TABLES["bank"]


def read(path: Path, sheet: str | None = None) -> Canonical:
    """Read one delivered file as canonical `bank` rows and row errors.

    Raises:
        FileRejected: the file cannot be read or lacks a required column.
    """
    return read_table(TABLE.name, path, sheet=sheet)
