"""Connector for social insurance (社会保险) contribution and benefit exports.

Example:
    >>> from connectors import social_insurance
    >>> social_insurance.TABLE.name
    'social_insurance'
"""

from __future__ import annotations

from pathlib import Path

from connectors.canonical import Canonical
from connectors.schema import TABLES
from connectors.source import read_table

TABLE = TABLES["social_insurance"]


def read(path: Path, sheet: str | None = None) -> Canonical:
    """Read one delivered file as canonical `social_insurance` rows and row errors.

    Raises:
        FileRejected: the file cannot be read or lacks a required column.
    """
    return read_table(TABLE.name, path, sheet=sheet)
