"""A CSV's last row cut inside its last value (`connectors.csv_tail.cut_short`): judged by the
shape of that value beside the same column above it, only in a file that ends without a line
break."""

from pathlib import Path

import pyarrow as pa
import pytest

from connectors.csv_reader import read_csv
from connectors.csv_tail import cut_short

AMOUNTS = ["640.00", "1,250.50", "98.00", "640.00", "3,020.10", "512.30"]
AGENTS = ["太原市第164建筑公司", "山西焦煤集团", "太原市第164建筑公司", "晋中市人民医院", "山西焦煤集团", "晋中市人民医院"]

CASES = [
    # (column above the last value, the last value, cut?)
    (AMOUNTS, "6", True),                          # 640.00 cut after its first digit
    (AMOUNTS, "640", True),
    (AMOUNTS, "640.0", True),
    (AMOUNTS, "", False),                          # an optional last cell left empty
    (AMOUNTS, "77.00", False),                     # a shape seen above: complete
    (AMOUNTS, "12,345.00", False),                 # longer than any above, begins no shape: complete
    (["2025-06-30"] * 6, "2025-06-3", True),
    (["2025-06-30"] * 6, "2025-07-01", False),
    (AGENTS, "太原市第164建", True),
    (AGENTS, "山西焦煤集团", False),
    (["太原某某有限公司"] * 6, "太原某公司", False),     # a short name, no beginning of one above
    (AGENTS, "晋中市人", True),
    (["正常", "注销", "正常", "报废", "正常", "正常"], "正", True),
    (AMOUNTS[:4], "6", False),                     # too few values above to judge by
    ([None, None, None, None, None, "640.00"], "6", False),
]


@pytest.mark.parametrize("above, last, cut", CASES, ids=[f"{i}-{c[1] or 'empty'}-{c[2]}" for i, c in enumerate(CASES)])
def test_a_last_value_is_cut_when_its_shape_only_begins_the_shapes_above_it(above, last, cut):
    reason = cut_short(pa.array(above + [last], pa.string()), "金额")
    assert (reason is not None) == cut
    if cut:
        assert repr(last) in reason and "'金额'" in reason and "without a line break" in reason


HEADER = "记录编号,姓名,证件号码,险种,记录类型,所属期,金额\n"
ROWS = "".join(f"S{i},张三,,城乡居民基本养老保险,待遇,2025-{i:02d},640.00\n" for i in range(1, 9))


def test_a_pension_cut_to_its_first_digit_at_the_end_of_the_file_is_refused_not_loaded_as_6_yuan():
    raw = read_csv(Path("si.csv"), (HEADER + ROWS + "S9,张三,,城乡居民基本养老保险,待遇,2025-09,6").encode("gbk"))
    assert raw.table.column("记录编号").to_pylist() == [f"S{i}" for i in range(1, 9)]
    (error,) = raw.row_errors.to_pylist()
    assert error["row_number"] == 9 and error["reason"].startswith("the file ends in the middle of this row")
    assert raw.truncated and "'6'" in raw.truncated


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
def test_a_complete_last_row_loads_with_or_without_a_line_break(end):
    raw = read_csv(Path("si.csv"), (HEADER + ROWS + "S9,张三,,城乡居民基本养老保险,待遇,2025-09,640.00" + end).encode("gbk"))
    assert raw.table.num_rows == 9 and raw.row_errors.num_rows == 0 and not raw.truncated


def test_a_value_cut_in_a_file_that_ends_with_a_line_break_is_not_judged():
    """Exports end their lines; a short last value followed by a line break is what was written."""
    raw = read_csv(Path("si.csv"), (HEADER + ROWS + "S9,张三,,城乡居民基本养老保险,待遇,2025-09,6\n").encode("gbk"))
    assert raw.table.num_rows == 9 and not raw.truncated


@pytest.mark.parametrize("end", ["\r\n\x1a", "\n注：本表共9条", "\r\n合计：9条"],
                         ids=["a DOS end-of-file mark", "a footer without a line break", "a totals line without one"])
def test_a_complete_file_ending_in_a_mark_or_a_footer_without_a_line_break_is_not_truncated(end):
    """A rolls probe: each of these was judged cut ("1 of the header's 13 fields") and its whole roll refused."""
    raw = read_csv(Path("si.csv"), (HEADER + ROWS + "S9,张三,,城乡居民基本养老保险,待遇,2025-09,640.00" + end).encode("gbk"))
    assert raw.table.num_rows == 9 and not raw.truncated
    assert all(e["reason"].startswith("row ") for e in raw.row_errors.to_pylist())   # a footer, said as one
