"""Household verification reports (核对报告): JSON, HTML, summary.xlsx, index.html.

    from reports import write_request
    write_request(outbox / agency / request_id, household_reports)

Modules: ``masking`` (ID masking, formula escaping), ``formatting`` (labels,
money), ``view`` (the whitelisted view model), ``chart`` (inline SVG),
``html`` (Jinja2 rendering), ``summary`` (xlsx), ``writer`` (atomic files).
"""

from .html import render_household, render_index
from .masking import escape_formula, find_full_ids, mask_id
from .writer import check_safe_name, write_request

__all__ = [
    "check_safe_name",
    "escape_formula",
    "find_full_ids",
    "mask_id",
    "render_household",
    "render_index",
    "write_request",
]
