"""review.xlsx / review.html: the evidence side by side, a dropdown to answer, nothing unsafe in them."""

from __future__ import annotations

import re
import zipfile

import pytest

from reports.masking import find_full_ids
from review import decode_key, review_rows, review_rows_for, write_review_sheet
from review.keys import review_secret
from review_support import FORMULA, ID_LI, ID_WANG, ID_ZHAO, T1_SUMMARY, build_warehouse, read_sheet


@pytest.fixture
def con(tmp_path):
    con = build_warehouse(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


def test_a_row_holds_the_source_row_the_member_the_comparison_and_the_rival(con):
    t1, v1 = review_rows(con, "R1")
    assert decode_key(t1["key"], review_secret(con)) == (("tax", "T1", "R1", "H1", 1), t1["evidence_hash"])
    assert t1["record"] == {"found": True, "name": "王玮", "id_masked": "140105********" + ID_WANG[-4:],
                            "birth_date": "1980年",
                            "fields": [("所属期", "2026-09"), ("所得项目", "工资薪金"), ("收入额", "¥5,200.00"),
                                       ("扣缴义务人", FORMULA)]}
    assert t1["member"] == {"name": "王伟", "id_masked": "140105********" + ID_WANG[-4:], "relation": "户主",
                            "birth_date": "1980年"}
    assert t1["weights_text"] == "身份证号：一致（+14.2）；姓名：同音（-1.5）"
    assert (t1["summary"], t1["competitor"], t1["match_probability"]) == (T1_SUMMARY, None, 0.5)
    assert v1["record"]["fields"] == [("号牌号码", "晋A12345"), ("车辆类型", "小型轿车"), ("初次登记日期", "2020-05-01"),
                                      ("购置价格", "—"), ("机动车状态", "正常")]   # what confirming would count
    assert v1["competitor"] == "成员 1 王伟；匹配概率 31.0%"
    assert [r["record_id"] for r in review_rows(con, "R1", household_ids=["H2"])] == []
    assert [r["record_id"] for r in review_rows_for(con, [("R1", "H1"), ("R9", "H9")])] == ["T1", "V1", "T9"]


def test_the_workbook_has_chinese_headers_a_dropdown_and_a_hidden_key(con, tmp_path):
    sheet, page = write_review_sheet(tmp_path / "outbox" / "taiyuan" / "R1", review_rows(con, "R1"), "taiyuan", "R1")
    header, *rows = read_sheet(sheet)
    assert header[-4:] == ["复核结论", "备注", "复核人", "复核编号"]
    assert [r[header.index("记录编号")] for r in rows] == ["T1", "V1"]
    assert rows[0][header.index("比对结果")] == "身份证号：一致（+14.2）；姓名：同音（-1.5）"
    assert rows[1][header.index("其他候选")] == "成员 1 王伟；匹配概率 31.0%"
    with zipfile.ZipFile(sheet) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert re.search(r'<dataValidation type="list"[^>]*sqref="S2:S3"', xml)
    assert "<formula1>\"确认,否认,无法确定\"</formula1>" in xml
    key_col = header.index("复核编号") + 1
    assert re.search(rf'<col min="{key_col}" max="{key_col}"[^>]*hidden="1"', xml)
    assert page.name == "review.html"


def test_no_full_id_and_no_formula_in_what_is_handed_out(con, tmp_path):
    con.execute("UPDATE vehicle_all SET name_raw = '=cmd|'' /c calc''!A1' WHERE record_id = 'V1'")
    con.execute("UPDATE links SET evidence = json_object('summary', '@SUM(A1) <script>alert(1)</script> ' || ?, "
                "'weights', json_array())::VARCHAR WHERE record_id = 'T1'", [ID_WANG])
    sheet, page = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    with zipfile.ZipFile(sheet) as z:
        parts = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
    html = page.read_text(encoding="utf-8")
    for name, text in [*parts.items(), ("review.html", html)]:
        assert not find_full_ids(text), name
        for full in (ID_WANG, ID_LI, ID_ZHAO):
            assert full not in text, name
    assert not any("<f>" in text for text in parts.values())                   # not a single formula cell
    header, t1, v1 = read_sheet(sheet)
    assert v1[header.index("记录姓名")] == "'=cmd|' /c calc'!A1"
    assert t1[header.index("系统说明")] == "'@SUM(A1) <script>alert(1)</script> 140105********" + ID_WANG[-4:]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_shows_every_question_side_by_side_and_unmistakably(con, tmp_path):
    _, page = write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "R1")
    html = page.read_text(encoding="utf-8")
    assert html.count('<section class="question"') == 2
    assert html.count("⚑ 待复核") == 3                        # the header tag and one per question
    assert "<th>候选成员（申请表）</th><th>部门记录（税务）</th>" in html
    assert '<td>王伟</td><td class="diff">王玮</td>' in html   # the name that differs is highlighted
    assert "其他候选：</strong>成员 1 王伟；匹配概率 31.0%" in html
    assert "尚未计入核对" in html and "inbox/taiyuan/" in html


def test_files_are_owner_only_and_a_request_without_questions_loses_its_stale_sheet(con, tmp_path):
    out = tmp_path / "outbox" / "taiyuan" / "R1"
    paths = write_review_sheet(out, review_rows(con, "R1"), "taiyuan", "R1")
    assert [p.stat().st_mode & 0o777 for p in paths] == [0o600, 0o600]
    assert out.stat().st_mode & 0o777 == 0o700 and out.parent.stat().st_mode & 0o777 == 0o700
    assert not [p for p in out.iterdir() if p.name.startswith(".")]   # no temp file left behind
    assert write_review_sheet(out, [], "taiyuan", "R1") == []
    assert not (out / "review.xlsx").exists() and not (out / "review.html").exists()


def test_rows_of_another_agency_or_unsafe_names_are_refused(con, tmp_path):
    with pytest.raises(ValueError, match=r"review rows of requests \['R9'\] do not belong to agency 'taiyuan'"):
        write_review_sheet(tmp_path / "out", review_rows(con, "R9"), "taiyuan", "R9")
    with pytest.raises(ValueError, match="unsafe request_id"):
        write_review_sheet(tmp_path / "out", review_rows(con, "R1"), "taiyuan", "../R1")


def test_a_members_declared_birth_date_is_shown_beside_a_different_one_of_their_id(con):
    """An applicant-side probe: a member's row carried another person's ID; the sheet showed that
    ID's birth date, 1970-01-01, and hid the declared 1982-06-11 — the very thing to judge."""
    con.execute("UPDATE applicant_rows SET birth_date = DATE '1982-06-11' WHERE request_id = 'R1' "
                "AND household_id = 'H1' AND member_no = 1")
    t1 = review_rows(con, "R1")[0]
    assert t1["member"]["birth_date"] == "出生日期不符：申报1982年，身份证号所载1980年"


def test_birth_dates_on_the_sheet_are_years_beside_masked_ids(con):
    """A privacy probe: a masked ID (140105********7499) beside its own birth date (1983-02-17)
    is the whole ID; the demo's review sheet gave back 29 people's."""
    t1 = review_rows(con, "R1")[0]
    assert (t1["member"]["birth_date"], t1["record"]["birth_date"]) == ("1980年", "1980年")


def test_a_review_key_does_not_carry_an_id_number_a_link_is_made_of():
    """A caseworker-side probe: a household numbered by its head's ID number, and a record_id built
    from the wife's, were both readable in full from the base64 of the hidden 复核编号."""
    import base64
    import re

    from review.keys import encode_key

    link = ("tax", "140105197808084420-202504-LW", "RQ-1", "140105197603123318", 1)
    key = encode_key(link, "0123456789abcdef", 3, secret=b"s" * 32)
    readable = key
    for part in key.split("."):
        try:
            readable += base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", "replace")
        except ValueError:
            pass
    assert key.startswith("RV3.") and not re.search(r"\d{15}", readable)
    assert decode_key(key, b"s" * 32) == (link, "0123456789abcdef")
    assert decode_key(key, b"t" * 32) is None                                # another warehouse's key
    body = key.split(".")[1]
    edited = key.replace(body, body[:-1] + ("A" if body[-1] != "A" else "B"))
    assert decode_key(edited, b"s" * 32) is None                             # an edited key


def test_the_review_secret_is_made_once_and_never_copied_to_analysts(con):
    from pipelines.snapshot import NOT_COPIED

    first = review_secret(con)
    assert len(first) == 32 and review_secret(con) == first and "review_secret" in NOT_COPIED
    assert review_rows(con, "R1")[0]["key"].startswith("RV3.")
