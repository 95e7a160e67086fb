"""An answered request verified again: its report says it replaces an earlier one, and what changed.

An inbox request's household is verified again when a record it rests on is corrected, a
caseworker answers one of its questions, or an export arrives that may settle one
(`pipelines.verify.select_work`). The new report is written over the old one at the same path:
a traceability probe's caseworker, holding the first printout (monthly income 1,020.03), found
1,103.37 in its place with nothing saying the report had been issued again, or what had moved.
The report now carries `reissue`: the earlier edition's run and date, and each headline figure
that changed (outcome, income, financial assets, cars, homes), before and after.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from pipelines.changes import OUTCOME_CN
from pipelines.context import PassContext

FIGURES = (
    ("outcome", "核对建议", lambda d: d.get("outcome")),
    # who joined or left moves every per-capita figure (a request probe's re-sent household lost a member
    # and the edition said nothing had changed)
    ("members", "家庭人口（人）", lambda d: sum(1 for m in d.get("members") or [] if m.get("is_member"))),
    ("monthly_income_total", "家庭月收入（元）", lambda d: d["income"].get("monthly_total")),
    ("monthly_income_per_capita", "月人均收入（元）", lambda d: d["income"].get("monthly_per_capita")),
    ("financial_total", "金融资产合计（元）", lambda d: d["assets"].get("financial_total")),
    # the figure the asset limit is judged on (a corrections probe's edition gave the total alone)
    ("financial_per_capita", "人均金融资产（元）", lambda d: d["assets"].get("financial_per_capita")),
    ("vehicles", "车辆（辆）", lambda d: d["assets"].get("vehicle_count")),
    ("properties", "房产（套）", lambda d: d["assets"].get("property_count")),
)
"""(assessment_history column, the figure in words, the figure in a report document)."""


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def _shown(column: str, value) -> str:
    if value is None:
        return "—"
    if column == "outcome":
        return OUTCOME_CN.get(value, value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


DECLARED = ("declared_monthly_total", "申报家庭月收入（元）")
"""Read from the earlier edition's report (assessment_history keeps no declared figure): a request
probe's correction of a declared income alone gave a 修订版 saying nothing had changed."""


def _earlier_declared(root: Path | None, report_path: str | None):
    """The declared monthly total of the earlier edition's report, or `...` when it cannot be read."""
    if root is None or not report_path:
        return ...
    try:
        return json.loads((root / report_path).read_bytes())["income"].get(DECLARED[0], ...)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ...


def reissue_of(previous: dict, doc: dict, root: Path | None = None) -> dict:
    """The `reissue` block of a report `doc` replacing the edition `previous` (an assessment_history row;
    with `root`, its report is read for what the row does not keep)."""
    previous = {**previous, DECLARED[0]: _earlier_declared(root, previous.get("report_path"))}
    changes = []
    figures = FIGURES + ((DECLARED[0], DECLARED[1], lambda d: d["income"].get(DECLARED[0])),)
    for column, label, read in figures:
        if previous.get(column) is ...:
            continue       # not known of the earlier edition
        before, after = _plain(previous.get(column)), _plain(read(doc))
        if isinstance(before, float) or isinstance(after, float):
            same = before is not None and after is not None and round(before, 2) == round(float(after), 2)
        else:
            same = before == after
        if not same:
            changes.append({"figure": column, "label": label, "before": before, "after": after,
                            "message": f"{label}：{_shown(column, before)} → {_shown(column, _plain(after))}"})
    return {"previous_run_id": previous["run_id"], "previous_assessed_at": str(previous["assessed_at"])[:19],
            "previous_outcome": previous.get("outcome"), "changes": changes}


def mark_reissues(ctx: PassContext, corrected: dict) -> int:
    """Stage helper: annotate the report of every inbox household assessed before with `reissue`
    (`corrected`: `corrections.correction_lines`)."""
    cols = ", ".join(f"arg_max(h.{c}, h.assessed_at) AS {c}" for c, _, _ in FIGURES) + \
        ", arg_max(h.report_path, h.assessed_at) AS report_path"
    rows = ctx.con.execute(f"""
SELECT h.request_id, h.household_id, arg_max(h.run_id, h.assessed_at) AS run_id, max(h.assessed_at) AS assessed_at,
       {cols}
FROM assessment_history h JOIN work_households w USING (request_id, household_id)
WHERE w.origin = 'inbox' AND h.run_id <> ? GROUP BY ALL""", [ctx.run_id]).fetchall()
    names = [c[0] for c in ctx.con.description]
    previous = {(r[0], r[1]): dict(zip(names, r)) for r in rows}
    marked = 0
    for i, note in enumerate(ctx.documents.notes()):
        key = (note["request_id"], note["household_id"])
        if (prev := previous.get(key)) is None:
            continue
        block = reissue_of(prev, ctx.documents.load(i), ctx.root)
        if key in corrected:     # the rows behind the edition's changes (a corrections probe's read none)
            block["changes"].append({"figure": "records", "label": "部门更正的记录", "before": None, "after": None,
                                     "message": corrected[key]["message"]})
        ctx.documents.annotate(i, reissue=block)
        marked += 1
    ctx.counts["reports_reissued"] = marked
    return marked
