"""Reports: figures that leave out members without consent, and sources whose window is shifted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reports.html import render_household, render_index
from reports.view import household_view, index_row

FIXTURE = Path(__file__).parent / "fixtures" / "reports" / "sample_report.json"
NOTE = "（不完整：1名成员未授权核对，其收入和财产未计入）"


@pytest.fixture
def report() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _kpi(html: str, title: str) -> str:
    start = html.index(f'<div class="k">{title}</div>')
    return html[start:html.index('<div class="kpi', start)]


def _low(report: dict) -> dict:
    """The sample with figures below the standard and the limit (a member without consent)."""
    report["income"]["monthly_per_capita"] = 0.0
    report["income"]["monthly_total"] = 0.0
    report["assets"]["financial_per_capita"] = 0.0
    return report


def test_member_without_consent_marks_income_and_assets_incomplete_without_a_verdict(report):
    report = _low(report)
    report["income"].update(complete=False, members_unverified=1)
    report["assets"].update(complete=False, members_unverified=1)
    html = render_household(report)
    income, assets = _kpi(html, "家庭月人均收入（核实）"), _kpi(html, "人均金融资产")
    for kpi in (income, assets):
        assert "¥0.00" in kpi and NOTE in kpi      # the number stays, said to be incomplete
        assert "▼" not in kpi and "▲" not in kpi
    assert "低于收入标准" not in income and "未超过上限" not in assets
    assert html.count(NOTE) >= 4                    # also beside 收入核对's totals and the bank total


def test_members_sharing_an_id_number_mark_the_figures_incomplete_and_say_why(report):
    report = _low(report)
    for section in ("income", "assets"):
        report[section].update(complete=False, members_unverified=0, members_id_shared=2)
    html = render_household(report)
    income = _kpi(html, "家庭月人均收入（核实）")
    assert "（不完整：2名成员的身份证号相同，非本人者的收入和财产可能未计入）" in income
    assert "低于收入标准" not in income and "未授权" not in income


def test_member_without_consent_is_incomplete_when_the_flag_is_missing(report):
    """An older report without income.complete: the view works it out from the members."""
    view = household_view(_low(report))
    assert view["income"]["complete"] is False and view["income"]["members_unverified"] == 1
    assert view["income_vs_standard"] == view["assets_vs_limit"] == "incomplete"


def test_incomplete_figure_above_the_standard_still_says_above(report):
    """The members left out can only add to a figure: above the standard stays above."""
    report["income"].update(monthly_per_capita=5000.0, complete=False, members_unverified=1)
    html = render_household(report)
    assert "▲ 高于收入标准" in _kpi(html, "家庭月人均收入（核实）") and NOTE in html


def test_all_members_consenting_keeps_the_verdict_and_no_note(report):
    report = _low(report)
    for m in report["members"]:
        m["consent"] = True
    report["not_authorised"] = []
    report["income"].update(complete=True, members_unverified=0)
    report["assets"].update(complete=True, members_unverified=0)
    html = render_household(report)
    assert "▼ 低于收入标准" in html and "▼ 未超过上限" in html and "不完整" not in html


def test_index_marks_incomplete_figures(report):
    row = index_row(_low(report))
    assert row["income_complete"] is False and row["assets_complete"] is False
    assert "不完整" in render_index([report])


def _lagging(report: dict) -> dict:
    report["window"] = {"start": "2025-12-01", "end": "2026-11-30", "months": 12,
                        "by_source": {"tax": {"start": "2025-11-01", "end": "2026-10-31"},
                                      "social_insurance": {"start": "2025-12-01", "end": "2026-11-30"}}}
    months = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 12)]
    report["income"]["monthly_series"] = [
        {"month": m, "by_source": {} if m == "2026-11" else {"tax": 2000.0}} for m in months]
    return report


def test_source_window_shifted_back_is_shown_under_the_period(report):
    html = render_household(_lagging(report))
    head = html[html.index('<header class="doc-head">'):html.index("</header>")]
    assert "2025-12-01 至 2026-11-30（12 个月）" in head
    assert re.search(r"税务</dt><dd>2025-11 至 2026-10（2026-11 尚未报送）", head)
    assert "社保</dt>" not in head                 # its window is the request's


def test_a_source_further_behind_than_its_window_steps_back_lists_every_month_it_has_not_sent(report):
    """A time probe: tax four months behind, its window stepped back three: the header listed the three
    months after the window, not the fourth, inside it and undelivered too."""
    report = _lagging(report)
    report["data_as_of"] = {"tax": "2026-09-30", "social_insurance": "2026-11-30"}
    html = render_household(report)
    head = html[html.index('<header class="doc-head">'):html.index("</header>")]
    assert re.search(r"税务</dt><dd>2025-11 至 2026-10（2026-10、2026-11 尚未报送）", head), head


def test_undelivered_month_is_marked_not_reported_in_the_chart(report):
    html = render_household(_lagging(report))
    group = re.search(r'<g class="bar-group undelivered" data-month="2026-11">.*?</g>', html, flags=re.S)
    assert group and "未报送" in group.group(0) and "税务未报送" in group.group(0)
    assert html.count('class="bar-group undelivered"') == 1
    assert "2026-11 税务尚未报送" in html         # the note under the chart


def test_no_shifted_window_adds_nothing(report):
    html = render_household(report)
    assert "未报送" not in html and "source-window" not in html


def test_a_confirmed_matchs_reason_says_the_question_was_answered(report):
    """A caseworker-side probe read "✔ 已确认" beside the linker's "…，需人工复核"."""
    match = report["members"][0]["matches"][0]
    match["decision"] = "confirmed"
    match["evidence"]["summary"] = "身份证号一致，姓名一字之差；身份证号指向本人，姓名却不同（可能改名或录入有误），需人工复核"
    shown = household_view(report)["members"][0]["matches"][0]["summary"]
    assert shown == "身份证号一致，姓名一字之差；已经人工复核确认"



def test_a_confirmed_income_rows_reason_says_the_question_was_answered_too(report):
    """A review probe: twelve confirmed wage rows each read "…可能是同日出生的另一人，需人工复核" beside ✔ 已确认."""
    record = report["income"]["records"][0]
    record.update(decision="confirmed", reason="身份证号相近，姓名同音；身份证号有一处差异，姓名也只是同音或相近，"
                                                "可能是同日出生的另一人，需人工复核")
    shown = household_view(report)["income"]["records"]
    assert [r["reason"] for r in shown if r["decision"] == "confirmed"] == ["身份证号相近，姓名同音；已经人工复核确认"]
