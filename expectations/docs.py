"""Render a pass's validation results as GX Data Docs: static HTML, one site per pass.

Where: `<root>/quality/<run_id>/index.html`, one self-contained site per pass. The GX context is
ephemeral (stores in memory), so a site holds exactly the results handed to it: the cost is
bounded by the pass's batches, not by history (a stable site would re-list and re-index every
past run, and two passes could race on one index); a pass's docs never change once published;
retention is deleting old folders. The site is built in a sibling temporary folder and moved
into place, so a reader never sees half a site; the folder is private to the pipeline's user
(mode 0700, like rejected/): sample values are personal data.

Offline: GX's pages load Bootstrap and jQuery from CDNs, and its index lists validations in a
table drawn by JavaScript, which stays empty without network. So the index also gets a plain
HTML summary (no scripts, no external assets): every file with its source, table, rows, status,
and each failing expectation with its reason, counts and sample values, linked to the GX page.
The GX validation pages themselves are rendered server-side and read fine unstyled.

Untrusted text: GX 1.24 puts unexpected values into validation pages, and the batch spec into
the index's tooltips, without HTML escaping; both come from department and agency files (a value
or file name such as `<img src=x onerror=…>` would run in the clerk's browser). The results
handed to GX for rendering are copies whose unexpected values and meta strings are escaped (a
file name with `<>&"'` then shows escaped in the page's own, already escaped, meta table: a
cosmetic price); the results themselves are untouched.

Nothing is written outside `site_dir`'s parent: no GX project, nothing under the home folder,
no analytics, no progress bars.
"""

from __future__ import annotations

import copy
import html
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from expectations._gx import DOCS_SITE, ephemeral_context

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationSuiteValidationResult


def _escaped(value):
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(v) for v in value]
    return value


def _html_safe(result: "ExpectationSuiteValidationResult") -> "ExpectationSuiteValidationResult":
    """A copy of `result` whose file-borne strings are HTML-escaped, for GX's unescaped pages."""
    safe = copy.deepcopy(result)
    safe.meta = _escaped(safe.meta)
    for evr in safe.results:
        res = evr.result or {}
        for key in ("partial_unexpected_list", "unexpected_list", "partial_unexpected_counts", "observed_value"):
            if key in res:
                res[key] = _escaped(res[key])
    return safe


def _suites_from(results: list["ExpectationSuiteValidationResult"]) -> list["ExpectationSuite"]:
    """Suites rebuilt from the expectation configs the results carry (one per suite name)."""
    from great_expectations.util import convert_to_json_serializable

    from expectations._gx import import_gx
    from expectations.gx_suites import suite_meta

    gx = import_gx()

    configs: dict[str, dict] = {}
    for r in results:
        seen = configs.setdefault(r.suite_name, {})
        for evr in r.results:
            c = evr.expectation_config
            kwargs = {k: v for k, v in c.kwargs.items() if k not in ("batch_id", "meta_properties_to_render")}
            seen.setdefault(repr((c.type, convert_to_json_serializable(kwargs))), c)
    return [gx.ExpectationSuite(name=name, expectations=list(cs.values()), meta=suite_meta(name, None))
            for name, cs in configs.items()]


def _keys(results):
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    keys, used = [], set()
    for i, r in enumerate(results):
        run = (r.meta or {}).get("run_id") or {}
        run_name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(run.get("run_name") or "adhoc"))
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", str(r.batch_id or (r.meta or {}).get("batch_id") or f"batch{i + 1}"))
        batch_id, n = base, 1
        while (r.suite_name, batch_id) in used:
            n += 1
            batch_id = f"{base}-{n}"
        used.add((r.suite_name, batch_id))
        keys.append(ValidationResultIdentifier(ExpectationSuiteIdentifier(name=r.suite_name),
                                               RunIdentifier(run_name=run_name, run_time=run.get("run_time")),
                                               batch_id))
    return keys


def _summary_html(site: Path, results, keys) -> str:
    e = html.escape
    failed = sum(not r.success for r in results)
    rows = []
    for r, key in zip(results, keys):
        meta = r.meta or {}
        spec = meta.get("batch_spec") or {}
        page = next((p for p in (site / "validations").rglob(f"{key.batch_identifier}.html")
                     if r.suite_name in p.relative_to(site).parts), None)
        link = page.relative_to(site).as_posix() if page else None
        problems = []
        for evr in r.results:
            if evr.success:
                continue
            c, res = evr.expectation_config, evr.result or {}
            where = c.kwargs.get("column") or ", ".join(c.kwargs.get("column_list") or [])
            sample = ", ".join(e(str(v)) for v in (res.get("partial_unexpected_list") or [])[:5])
            problems.append(
                f"<li><code>{e(c.type)}</code> on <code>{e(str(where))}</code>: "
                f"{e(str((c.meta or {}).get('reason', '')))} — {res.get('unexpected_count', 0)} row(s)"
                + (f", e.g. {sample} (rows {e(str((res.get('partial_unexpected_index_list') or [])[:5]))})"
                   if sample else "") + "</li>")
        skipped = meta.get("skipped_expectations") or []
        status = "passed" if r.success else "FAILED"
        name = e(str(meta.get("batch_label") or spec.get("file") or key.batch_identifier))
        rows.append(
            "<tr>"
            f"<td>{f'<a href={chr(34)}{e(link)}{chr(34)}>{name}</a>' if link else name}</td>"
            f"<td>{e(str(meta.get('source') or spec.get('source') or ''))}</td><td>{e(r.suite_name)}</td>"
            f"<td style='text-align:right'>{e(str(spec.get('rows', '')))}</td>"
            f"<td style='color:{'#080' if r.success else '#b00'}'>{status}</td>"
            f"<td>{'<ul>' + ''.join(problems) + '</ul>' if problems else ''}"
            f"{f'<small>{len(skipped)} expectation(s) skipped: column absent</small>' if skipped else ''}</td>"
            "</tr>")
    run = ((results[0].meta or {}).get("run_id") or {}).get("run_name") if results else None
    return (
        "<section id='hhverify-summary' style='font-family:sans-serif;margin:1em 2em'>"
        f"<h2>Quality gates{f' — run {e(str(run))}' if run else ''}</h2>"
        f"<p>{len(results)} file(s), {failed} with failing rows (quarantined). "
        "Readable offline; the interactive list below needs network access for its scripts.</p>"
        "<table border='1' cellpadding='4' style='border-collapse:collapse'>"
        "<tr><th>file</th><th>source</th><th>table (suite)</th><th>rows</th><th>status</th>"
        "<th>failing expectations</th></tr>" + "".join(rows) + "</table></section>")


def _inject(index: Path, fragment: str) -> None:
    text = index.read_text(encoding="utf-8")
    anchor = text.find('<div class="container-fluid')
    if anchor < 0:
        m = re.search(r"<body[^>]*>", text)
        anchor = m.end() if m else 0
    index.write_text(text[:anchor] + fragment + text[anchor:], encoding="utf-8")


def _publish(build: Path, site_dir: Path) -> None:
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(site_dir, old)
        os.replace(build, site_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(build, site_dir)


def build_data_docs(site_dir: Path, results: list["ExpectationSuiteValidationResult"], *,
                    suites: list["ExpectationSuite"] | None = None) -> Path:
    """Store `results` (one pass) and render them as GX Data Docs in `site_dir`; the index.html path.

    `suites` (e.g. `gx_suite(table, as_of)` per table) add the suite pages with every declared
    expectation; by default they are rebuilt from the expectations the results carry.
    """
    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.build-", dir=site_dir.parent))
    try:
        context = ephemeral_context(build)
        for suite in suites or _suites_from(results):
            context.suites.add_or_update(suite)
        keys = _keys(results)
        for key, result in zip(keys, results):
            context.validation_results_store.set(key, _html_safe(result))
        context.build_data_docs(site_names=[DOCS_SITE])
        _inject(build / "index.html", _summary_html(build, results, keys))
        _publish(build, site_dir)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return site_dir / "index.html"
