"""Record linkage: source rows to the persons of the households being verified."""

from matching.id_link import link_by_id_sql

__all__ = ["link_by_id_sql"]
