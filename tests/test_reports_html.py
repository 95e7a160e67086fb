"""reports.html: the household report and the index, rendered from report dicts."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from reports.chart import income_chart
from reports.formatting import money
from reports.html import render_household, render_index
from reports.masking import find_full_ids

FIXTURE = Path(__file__).parent / "fixtures" / "reports" / "sample_report.json"
XSS = "<script>alert(1)</script>"


@pytest.fixture
def report() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr\b.*?</tr>", html, flags=re.S)


def test_sample_renders_every_section(report):
    html = render_household(report)
    income, assets = report["income"], report["assets"]
    for text in ("核对报告", "REQ-20261128-0001", "H140105000123", "最低生活保障", "小店区", "2026-11-28",
                 "2026-11-28 18:02", "家庭成员", "收入核对", "财产核对", "机动车", "不动产", "金融资产",
                 "数据时效", "晋A12345", "BNK0002", "6217****1234", money(income["monthly_total"]),
                 money(income["monthly_per_capita"]), "¥628.00", "¥15,072.00", money(assets["financial_per_capita"]),
                 "税务", "社保", "不动产", "金融", "140105********1234", "tax_20261031.csv 第4934行"):
        assert text in html, text
    assert "landing/tax" not in html  # lineage shows the file name, not the server path
    assert find_full_ids(html) == []


def test_not_counted_and_not_held_are_marked(report):
    html = render_household(report)
    review = next(row for row in _rows(html) if "TAX000000987" in row and "劳务报酬" in row)
    assert "未计入" in review and "匹配待复核，暂不计入" in review
    moto = next(row for row in _rows(html) if "晋A8K921" in row)
    assert moto.startswith('<tr class="not-counted">') and "不再持有" in moto
    assert "1 辆非豁免机动车" in html


def test_summary_comes_first(report):
    html = render_household(report)
    badge = html.index('class="verdict fail"')
    assert badge < html.index("家庭成员") < html.index("收入记录明细") < html.index("数据时效")
    assert "不通过" in html[badge:badge + 400]
    assert html.index("核对发现") < html.index("家庭成员")


@pytest.mark.parametrize(("code", "label"), [("pass", "通过"), ("review", "需复核"), ("fail", "不通过")])
def test_outcome_badge(report, code, label):
    report["outcome"] = code
    html = render_household(report)
    match = re.search(r'<div class="verdict (\w+)">(.*?)</div>', html, flags=re.S)
    assert match and match.group(1) == code and label in match.group(2)


def test_member_name_is_escaped(report):
    report["members"][0]["name"] = XSS
    report["findings"][0]["message"] = XSS
    report["income"]["records"][0]["reason"] = XSS
    report["income"]["by_item"][XSS] = 1.0
    report["assets"]["vehicles"][0]["plate_number"] = '"><img src=x onerror=alert(1)>'
    report["income"]["monthly_series"][0]["month"] = '2025-11"><script>alert(1)</script>'
    report["data_as_of"][XSS] = "2026-01-01"
    report["household_id"] = 'H1"; } body { display: none } </style><script>alert(1)</script>'
    html = render_household(report)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("</style>") == 1


def test_unknown_keys_are_never_rendered(report):
    marker = "UNRENDERED-7Q"
    report["secret"] = marker
    report["members"][0]["id_number"] = "140105198001011234"
    report["members"][0]["address"] = marker
    report["members"][0]["matches"][0]["evidence"]["raw"] = {"id_number": "140105198001011234", "x": marker}
    report["income"]["records"][0]["extra"] = marker
    report["assets"]["vehicles"][0]["owner_id"] = marker
    report["findings"][0]["evidence"][0]["row"] = marker
    html = render_household(report)
    assert marker not in html
    assert find_full_ids(html) == []


def test_full_ids_in_rendered_fields_are_masked(report):
    report["members"][1]["id_number_masked"] = "14010519810203402X"  # upstream forgot to mask
    report["income"]["records"][0]["reason"] = "身份证号140105198001011234一致"
    report["findings"][0]["message"] = "证件号 140105800101123 与申请不符"
    html = render_household(report)
    assert find_full_ids(html) == []
    assert "140105********402X" in html
    assert "身份证号140105********1234一致" in html


def test_review_rows_are_marked(report):
    html = render_household(report)
    review = [row for row in _rows(html) if "TAX000000987" in row]
    assert len(review) == 2  # the income record and its match in the appendix
    for row in review:
        assert row.startswith('<tr class="review">')
        assert "待复核" in row
    auto = [row for row in _rows(html) if "TAX000000124" in row]
    assert auto and all('class="review"' not in row and "待复核" not in row for row in auto)
    report["assets"]["vehicles"][0]["decision"] = "review"
    vehicle = [row for row in _rows(render_household(report)) if "晋A12345" in row]
    assert vehicle[0].startswith('<tr class="review">') and "待复核" in vehicle[0]


def test_consent_and_not_authorised_are_plain(report):
    html = render_household(report)
    member3 = next(row for row in _rows(html) if "王丽娜" in row and "140105********0021" in row)
    assert "✘ 未授权" in member3
    assert "未授权，未核对" in html and "无授权书编号，未核对" in html


def test_chart_has_one_bar_group_per_month(report):
    html = render_household(report)
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, flags=re.S).group(0)
    months = [m["month"] for m in report["income"]["monthly_series"]]
    assert re.findall(r'<g class="bar-group" data-month="([^"]+)"', svg) == months
    assert "税务" in svg and "社保" in svg and "元/月" in svg
    assert "11月" in svg and "2025" in svg
    peak = next(m for m in report["income"]["monthly_series"] if m["month"] == "2026-06")
    assert money(sum(peak["by_source"].values())) in svg


def test_chart_without_series(report):
    del report["income"]["monthly_series"]
    html = render_household(report)
    assert "<svg" not in html and "无按月收入数据" in html
    assert income_chart([]) == "" and income_chart(None) == ""
    svg = income_chart([{"month": "2026-01", "by_source": {"tax": "abc", "bank": -5}}])
    assert svg.count('class="bar-group"') == 1


def test_footer_and_placeholder_notice(report):
    html = render_household(report)
    assert "核对结果仅供经办人员参考，不构成审批决定" in html
    assert "占位值" in html and "shanxi-2022-placeholder" in html
    report["standards"]["placeholder"] = False
    html = render_household(report)
    assert "核对结果仅供经办人员参考，不构成审批决定" in html
    assert "占位值" not in html and "占位标准" not in html


def test_print_ready_and_self_contained(report):
    html = render_household(report)
    assert "@page" in html and "size: A4" in html and "margin: 15mm" in html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"\bsrc\s*=", html)
    urls = set(re.findall(r"https?://[^\s\"')]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}


def test_missing_keys_render_as_dash():
    html = render_household({"request_id": "R1", "household_id": "H1"})
    assert "H1" in html and "—" in html and "None" not in html
    html = render_household({"household_id": "H2", "members": "oops", "income": [], "assets": None,
                             "findings": [None, {"severity": "weird"}], "standards": 5, "window": "x",
                             "members_extra": [{"member_no": 1}]})
    assert "None" not in html and "Undefined" not in html


def test_partial_member_rows(report):
    member = report["members"][0]
    for key in ("gender", "age", "consent_ref", "monthly_income", "id_check", "id_number_masked"):
        member.pop(key)
    member["monthly_income"] = "n/a"
    html = render_household(report)
    row = next(r for r in _rows(html) if "王伟" in r and "户主" in r)
    assert "None" not in row and "—" in row and "n/a" in row


def test_supporter_is_labelled(report):
    supporter = copy.deepcopy(report["members"][0])
    supporter.update(member_no=4, name="王建国", relation="赡养人", is_member=False, matches=[])
    report["members"].append(supporter)
    html = render_household(report)
    row = next(r for r in _rows(html) if "王建国" in r)
    assert "非家庭成员" in row


def test_index_links_each_household(report):
    second = copy.deepcopy(report)
    second.update(household_id="H140105000124", outcome="pass")
    html = render_index([report, second])
    assert 'href="H140105000123.html"' in html and 'href="H140105000124.html"' in html
    assert "不通过" in html and "通过 1" in html and "REQ-20261128-0001" in html
    assert find_full_ids(html) == []
    assert "本次申请无家庭报告" in render_index([])


def test_a_nightly_report_and_its_index_say_what_changed(report):
    """A nightly probe: what brought a household into the nightly folder was in its JSON only."""
    assert "夜间核对变动" not in render_household(report) and "夜间变动" not in render_index([report])
    report["changes"] = [{"kind": "vehicle.new", "severity": "warn", "message": "新增机动车：小型轿车 晋A12345（王伟）"},
                         {"kind": "outcome.changed", "severity": "warn", "message": "核对结论由「通过」变为「不通过」"}]
    html = render_household(report)
    assert "夜间核对变动" in html and "新增机动车：小型轿车 晋A12345（王伟）" in html and "vehicle.new" not in html
    assert html.index("夜间核对变动") < html.index("核对发现")
    index = render_index([report])
    assert "夜间变动" in index and "核对结论由「通过」变为「不通过」" in index


def test_an_index_of_many_requests_names_three_and_counts_the_rest(report):
    """A caseworker probe: a nightly folder's index put all 35 request ids in its title and header."""
    rows = []
    for i in range(6):
        row = copy.deepcopy(report)
        row.update(request_id=f"ROLL-{i}", household_id=f"H{i}")
        rows.append(row)
    html = render_index(rows)
    assert "ROLL-0、ROLL-1、ROLL-2 等6个申请" in html and "ROLL-5" not in html.split("<table")[0]
    assert "REQ-20261128-0001" in render_index([report])


def test_review_vehicle_is_listed_not_counted(report):
    report["assets"]["vehicles"][0]["decision"] = "review"
    html = render_household(report)
    assert "1 辆非豁免机动车" not in html and "待复核" in html
    from reports.view import index_row
    assert index_row(report)["vehicles"] == 0


def test_record_id_spans_and_lineage():
    from reports.view import id_span, lineage
    assert id_span(["TAX000000123", "TAX000000125", "TAX000000124"]) == "TAX000000123 – TAX000000125"
    assert id_span(["TAX000000123", "TAX000000125", "TAX000000126"]) is None   # a gap: list them all
    assert id_span(["TAX1", "SI2", "TAX3"]) is None
    assert id_span(["TAX1", "TAX2"]) is None
    assert lineage({"file": "C:\\landing\\tax\\t.csv", "row_number": 7}) == "t.csv 第7行"
    assert lineage({"file": "/srv/data/landing/tax/t.csv"}) == "t.csv"
    assert lineage({"row_number": 3}) == "第3行"
    assert lineage({}) is None


def test_appendix_folds_identical_matches(report):
    html = render_household(report)
    assert "TAX000000123 – TAX000000134" in html and "（12 条）" in html
    review = [row for row in _rows(html) if "TAX000000987" in row]
    assert all("–" not in row for row in review)  # a review match always stands alone


def test_supporter_assets_are_listed_not_counted(report):
    supporter = copy.deepcopy(report["members"][0])
    supporter.update(member_no=4, name="王建国", relation="赡养人", is_member=False, matches=[])
    report["members"].append(supporter)
    car = copy.deepcopy(report["assets"]["vehicles"][0])
    car.update(member_no=4, record_id="VEH0009", plate_number="晋A99999")
    report["assets"]["vehicles"].append(car)
    html = render_household(report)
    row = next(r for r in _rows(html) if "晋A99999" in r)
    assert "王建国（赡养人）" in row
    from reports.view import index_row
    assert index_row(report)["vehicles"] == 1  # the household's own car only


def test_a_programme_not_judged_on_the_standard_shows_the_comparison_as_information_only(report):
    """临时救助 with assets far above the 低保 limit passed: a red "▲ 超过上限" beside "✔ 通过" read as a
    contradiction (a probe)."""
    report["program"], report["program_label"] = "temporary", "临时救助"
    report["assets"]["financial_per_capita"] = 200000.0
    html = render_household(report)
    assert "▲ 超过上限" not in html and "本救助类别不以资产上限判断" in html
    # nor a red ▲ on the car, which only 低保 and 特困 judge (a programmes probe's 医疗 report)
    assert "▲ 1 辆非豁免机动车" not in html and "本救助类别不以机动车判断" in html
    report["program"] = "dibao"
    html = render_household(report)
    assert "▲ 超过上限" in html and "▲ 1 辆非豁免机动车" in html


def test_the_report_says_why_the_household_is_urban_or_rural(report):
    report["area_basis"] = "户主住址含“街道”，按城市标准"
    assert "户主住址含“街道”，按城市标准" in render_household(report)


def test_lines_rounded_apart_that_do_not_add_up_to_the_total_say_so(report):
    """A periods probe: tax and social insurance of 1000.02 a year each showed 83.34 + 83.34
    beside a household total of 166.67 (each rounded once from its exact sum)."""
    report["income"]["by_source"] = {"tax": 83.34, "social_insurance": 83.34}
    report["income"]["monthly_total"] = 166.67
    assert "各项相加可能与合计相差几分" in render_household(report)
    report["income"]["monthly_total"] = 166.68
    assert "各项相加可能与合计相差几分" not in render_household(report)


def test_declared_figures_are_shown_beside_the_verified_ones(report):
    """A programmes probe: an unconsented member's declared 3,000 a month and the declared
    financial assets were in the JSON only (or inside a finding's message)."""
    report["income"]["declared_unverified"] = 3000.0
    report["assets"]["declared_financial_total"] = 1000.0
    report["assets"]["declared_financial_unverified"] = 50000.0
    html = render_household(report)
    assert "未授权成员申报（未核对，不计入）" in html and "3,000.00" in html
    assert "申报金融资产" in html and "另有未授权成员申报 ¥50,000.00" in html


def test_a_contribution_base_standing_in_for_a_wage_is_named_in_chinese(report):
    """A report probe read 收入认定依据：social_insurance_contribution_base、税务."""
    report["income"]["evidence_basis"] = ["social_insurance_contribution_base", "tax"]
    html = render_household(report)
    assert "收入认定依据：社保缴费基数、税务" in html and "social_insurance_contribution_base" not in html


def test_the_income_table_says_the_monthly_figure_is_over_the_whole_window(report):
    """A report probe: '计入人数 / 覆盖月数 2 人 / 4 个月' beside a monthly total divided by 12 read
    as an average over 4 months."""
    report["income"]["months_covered"] = 4
    html = render_household(report)
    assert "有收入月数" in html and "月均 = 核算期12个月收入合计 ÷ 12" in html and "覆盖月数" not in html
