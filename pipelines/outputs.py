"""Folders the pipeline writes for people (outbox/, rejected/): owner-only at every level.

The one implementation lives with the report writer; pipelines import it from here.
"""

from reports.writer import DIR_MODE, private_dir, write_atomic

__all__ = ["DIR_MODE", "private_dir", "write_atomic"]
