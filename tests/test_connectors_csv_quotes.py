"""A quote left open in a CSV row (`connectors.csv_quotes`): the rows it swallows are said, not lost."""

from pathlib import Path

from connectors.csv_reader import read_csv

HEADER = "记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额,扣缴义务人\n"


def test_a_row_whose_open_quote_swallows_the_next_row_is_refused_saying_so():
    """An adversarial probe: L2's `"未闭合的引号` took L3 (a ¥1,000 wage) into its payer's name, and
    L3 was lost without a word."""
    text = (HEADER + "L1,张三,,2026-01,工资薪金,1000,某公司\n"
            + 'L2,张三,,2026-02,工资薪金,1000,"未闭合的引号\n'
            + "L3,张三,,2026-03,工资薪金,1000,某公司\n")
    raw = read_csv(Path("t.csv"), text.encode("gbk"))
    assert raw.table.column("记录编号").to_pylist() == ["L1"]
    (error,) = raw.row_errors.to_pylist()
    assert error["row_number"] == 2
    assert "runs over the 1 line(s)" in error["reason"] and '"扣缴义务人"' in error["reason"]
    assert "L3" in error["raw_value"]


def test_a_quoted_address_over_two_lines_is_one_value_of_its_row():
    text = (HEADER + 'L1,张三,,2026-01,工资薪金,1000,"太原市某公司\n（小店分公司）"\n'
            + "L2,张三,,2026-02,工资薪金,1000,某公司\n")
    raw = read_csv(Path("t.csv"), text.encode("gbk"))
    assert raw.table.column("记录编号").to_pylist() == ["L1", "L2"] and raw.row_errors.num_rows == 0


def test_a_quoted_note_whose_second_line_holds_commas_is_one_value_of_its_row():
    text = ("记录编号,姓名,备注\n" + 'L1,张三,"住址变更：\n太原市,小店区,某街道"\n' + "L2,李四,无\n")
    raw = read_csv(Path("t.csv"), text.encode("utf-8"))
    assert raw.table.column("记录编号").to_pylist() == ["L1", "L2"] and raw.row_errors.num_rows == 0


def test_a_row_whose_open_quote_swallows_rows_with_quoted_amounts_says_it_runs_over_lines():
    """An adversarial probe: the swallowed row's amount was quoted ("¥1,000"), so the row read ragged
    and was said to lack quotes around a comma; the clerk would resend it alone."""
    text = (HEADER + "C1,张三,,2026-01,工资薪金,1000,某公司\n"
            + 'C2,张三,,2026-02,工资薪金,1000,"乙公司\n'
            + 'C3,张三,,2026-03,工资薪金,"￥1,000",某公司\n')
    raw = read_csv(Path("t.csv"), text.encode("gbk"))
    assert raw.table.column("记录编号").to_pylist() == ["C1"]
    (error,) = raw.row_errors.to_pylist()
    assert error["row_number"] == 2 and error["reason"].startswith("the row runs over 2 lines"), error
