"""Render household reports and the request index as self-contained HTML.

One Jinja2 environment, autoescaped, templates from ``reports/templates``.
Undefined values chain (``report.income.records`` on a report without income
is an empty loop, not an error) and any ``None``/undefined that reaches
``{{ … }}`` prints as ``—``.  Templates only ever receive the view model from
``reports.view``, so unknown keys of the pipeline's dict cannot be rendered.
The page is A4 print-ready, with the CSS inlined and no scripts, fonts or
other external resources (agencies work on closed networks).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from jinja2 import ChainableUndefined, Environment, PackageLoader, Undefined
from markupsafe import Markup

from . import formatting as fmt
from .masking import scrub_text
from .view import household_view, index_row

__all__ = ["environment", "render_household", "render_index"]


def _finalize(value: Any) -> Any:
    """What ``{{ value }}`` prints: ``—`` for None / undefined; text with full IDs masked.

    The views are scrubbed already; this is the last gate for a page whose rows were not (the
    review page prints names as departments typed them, and a clerk may have typed an ID).
    """
    if value is None or isinstance(value, Undefined):
        return fmt.DASH
    if isinstance(value, Markup):  # masking swaps digits for '*': the markup stays safe
        return Markup(scrub_text(str(value)))
    if isinstance(value, str):
        return scrub_text(value)
    return value


def _css_string(value: Any) -> Markup:
    """A CSS string literal safe inside ``<style>`` (every non-alphanumeric char hex-escaped)."""
    out = []
    for ch in "" if fmt.missing(value) else str(value):
        out.append(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')


def _member_label(member_no: Any, names: dict) -> str:
    """``1 王伟`` for a member number (the name as text; autoescaped by Jinja)."""
    if fmt.missing(member_no):
        return fmt.DASH
    name = names.get(member_no) if isinstance(names, dict) else None
    return f"{member_no} {name}" if name else str(member_no)


def _as_written(record: Any, names: dict) -> Markup:
    """The name the department wrote on a record, under the member's, when the two differ: a
    caseworker deciding a review link reads 邱伟's car listed under the member 仇伟 otherwise."""
    written = record.get("record_name") if isinstance(record, dict) else None
    name = names.get(record.get("member_no")) if isinstance(record, dict) and isinstance(names, dict) else None
    if not written or written == name:
        return Markup("")
    return Markup('<br><span class="small muted">记录姓名：{}</span>').format(written)


def _age(days: Any) -> str:
    if days is None or isinstance(days, Undefined):
        return fmt.DASH
    if days < 0:
        return "晚于申请日"
    return "当天" if days == 0 else f"{days} 天前"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=ChainableUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=fmt.money,
        num=fmt.number,
        pct=fmt.percent,
        share=fmt.share,
        text=fmt.text,
        source=fmt.source_label,
        decision=fmt.decision,
        id_check=fmt.id_check,
        timestamp=fmt.timestamp,
        css_string=_css_string,
        member=_member_label,
        written=_as_written,
        age=_age,
        field=fmt.field_label,
        level=fmt.level_label,
        weight_label=fmt.weight_label,
        signed=fmt.signed,
    )
    env.globals.update(DASH=fmt.DASH, missing=fmt.missing)
    return env


def render_household(report: dict, *, scrubbed: bool = False) -> str:
    """The household report (核对报告) as one self-contained HTML document (``scrubbed``: see
    ``household_view``)."""
    return render_view(household_view(report, scrubbed=scrubbed))


def render_view(view: dict) -> str:
    """``render_household`` from a ``household_view`` already built."""
    return environment().get_template("household.html.j2").render(r=view)


def render_index(reports: Iterable[dict], title: str | None = None, *, rows: list[dict] | None = None,
                 generated_at: str | None = None, waiting: list[dict] | None = None) -> str:
    """A page listing each household report of a request, linking ``<household_id>.html``
    (``rows`` and ``generated_at``: their ``index_row``s and latest time, when the caller has
    them already and not the reports)."""
    reports = [r for r in reports if isinstance(r, dict)]
    if rows is None:
        rows = [index_row(report) for report in reports]
    requests = sorted({str(r["request_id"]) for r in rows if not fmt.missing(r["request_id"])})
    totals = {code: sum(1 for r in rows if r["outcome"]["css"] == code) for code in ("pass", "review", "fail", "unknown")}
    generated = max((str(rep["generated_at"]) for rep in reports if rep.get("generated_at")), default=generated_at)
    waiting = [{"household_id": scrub_text(str(w["household_id"])), "note": scrub_text(str(w["note"]))}
               for w in waiting or ()]
    return environment().get_template("index.html.j2").render(
        rows=rows, requests=requests, totals=totals, title=title, generated_at=generated, waiting=waiting
    )
