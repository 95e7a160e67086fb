"""Connectors: department files (CSV, XLSX, JSON Lines, Parquet) to canonical Arrow tables.

Example:
    >>> from connectors import read_source, FileRejected
    >>> sorted(READERS)
    ['applicants', 'bank', 'property', 'rolls', 'social_insurance', 'tax', 'vehicle']
"""

from __future__ import annotations

from pathlib import Path

from connectors import applicants, bank, property, rolls, social_insurance, tax, vehicle
from connectors.canonical import ERRORS_SCHEMA, Canonical, canonical_schema, to_canonical
from connectors.errors import ConnectorError, FileRejected
from connectors.headers import map_headers
from connectors.rawfile import RawFile
from connectors.readers import read_raw

READERS = {module.TABLE.name: module.read for module in
           (tax, vehicle, property, social_insurance, bank, applicants, rolls)}


def read_source(source_name: str, path: Path, **kw) -> Canonical:
    """Read a file as the named table (`tax` … `bank`, `applicants`, `rolls`).

    Args:
        source_name: Which table the file holds.
        path: The file.
        **kw: Passed to the table's reader: `sheet`; `agency_default` (the inbox folder) is
            used by applicants and ignored for the other tables, so a caller may pass it always.

    Raises:
        KeyError: unknown source name.
        FileRejected: the file cannot be read or lacks a required column.
    """
    if source_name not in READERS:
        raise KeyError(f"unknown source {source_name!r}; known: {', '.join(sorted(READERS))}")
    agency = kw.pop("agency_default", None)
    if source_name == "applicants":
        kw["agency_default"] = agency
    return READERS[source_name](Path(path), **kw)


__all__ = ["Canonical", "ConnectorError", "ERRORS_SCHEMA", "FileRejected", "RawFile", "READERS",
           "canonical_schema", "map_headers", "read_raw", "read_source", "to_canonical"]
