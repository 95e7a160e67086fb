"""Exceptions of the connectors package.

A row that cannot be parsed is never an exception: it becomes an error row (see
`canonical.to_canonical`). Exceptions are for files that cannot be read at all.
"""

from __future__ import annotations

from pathlib import Path


class ConnectorError(Exception):
    """Base class of every error raised by `connectors`."""


class FileRejected(ConnectorError):
    """A whole file cannot be read: the pipeline moves it to `rejected/` with this reason.

    Attributes:
        path: The file.
        reason: What is wrong and how to fix it, in words for the data clerk who sent it.
    """

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")
