"""review.html: the same questions as review.xlsx, for reading on screen or on paper.

Rendered with the reports' Jinja2 environment (autoescaped, same filters, ``—`` for missing
values), overlaid with this package's template folder so ``_base.css`` and the report macros
are shared: a review page looks like a household report, and each question is marked as one
(dashed amber frame, the ⚑ 待复核 tag).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from reports.html import environment as report_environment
from review.keys import DECISION_LABELS

TEMPLATE = "review.html.j2"
TZ = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=1)
def environment() -> Environment:
    base = report_environment()
    mine = FileSystemLoader(str(Path(__file__).with_name("templates")))
    return base.overlay(loader=ChoiceLoader([mine, base.loader]))


def render_review(rows: list[dict], agency: str, request_id: str, generated_at: datetime | None = None) -> str:
    """The review page of one request (or nightly folder) as one self-contained HTML document."""
    moment = (generated_at or datetime.now(TZ)).isoformat(timespec="seconds")
    requests = sorted({r["request_id"] for r in rows})
    households = len({(r["request_id"], r["household_id"]) for r in rows})
    return environment().get_template(TEMPLATE).render(
        rows=rows, agency=agency, label=request_id, requests=requests, households=households,
        generated_at=moment, answers=list(DECISION_LABELS.values()))
