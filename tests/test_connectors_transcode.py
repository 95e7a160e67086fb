"""GBK/GB18030 CSV split into cells before decoding, each distinct value decoded once
(`connectors.transcode`): the same table as decoding the whole file, the same messages."""

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors import FileRejected, csv_reader
from connectors.transcode import decode_column

# ASCII, GBK characters (one with a trail byte 0x7C, `|`: 億), GB18030-only ones (four bytes).
values = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("a0 ,.-￥元张伟億·𠮷䶮\n")), max_size=8))


@settings(max_examples=200)
@given(chunks=st.lists(st.lists(values, max_size=12), min_size=1, max_size=4))
def test_a_binary_column_decodes_to_the_text_that_was_encoded(chunks):
    column = pa.chunked_array([pa.array([None if v is None else v.encode("gb18030") for v in chunk], pa.binary())
                               for chunk in chunks], pa.binary())
    assert decode_column(column, "gb18030").to_pylist() == [v for chunk in chunks for v in chunk]


def test_a_value_that_is_not_gb18030_raises_like_decoding_the_file():
    column = pa.chunked_array([[b"140105", "张三".encode("gbk"), b"\x81\x20"]], pa.binary())
    with pytest.raises(UnicodeDecodeError):
        decode_column(column, "gb18030")


FILE = ("记录编号,姓名,证件号码,收入额,扣缴义务人\n"
        "T1,张三,140105199001011234,\"1,200.00\",太原市某某有限公司\n"
        "T2,赵𠮷,,￥35元,\"公司,\n第二行\"\n"
        "T3, 李四 ,14010519900101123x,88,\n"
        "T4,张三,140105199001011234,1200,太原市某某有限公司\n")


def _read_decoding_whole_file(monkeypatch, path, data):
    with monkeypatch.context() as m:
        m.setattr(csv_reader, "SPLITS_BEFORE_DECODING", ())
        return csv_reader.read_csv(path, data)


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_a_gbk_file_split_before_decoding_reads_as_the_whole_file_decoded(tmp_path, monkeypatch, delimiter):
    data = FILE.replace(",", delimiter).replace("\"1" + delimiter + "200.00\"", "\"1,200.00\"").encode("gb18030")
    path = tmp_path / "tax.csv"
    split = csv_reader.read_csv(path, data)
    whole = _read_decoding_whole_file(monkeypatch, path, data)
    assert split.table.equals(whole.table)
    assert split.encoding == whole.encoding == "gb18030"
    assert split.table.column("姓名").to_pylist() == ["张三", "赵𠮷", "李四", "张三"]


def test_a_ragged_row_of_a_gbk_file_is_quoted_in_its_own_characters(tmp_path):
    data = (FILE + "T5,王五,140105199001011234,12,某公司,多余\n").encode("gb18030")
    raw = csv_reader.read_csv(tmp_path / "tax.csv", data)
    assert raw.table.num_rows == 4
    assert raw.row_errors.to_pylist() == [{
        "row_number": 5, "raw_value": "T5,王五,140105199001011234,12,某公司,多余",
        "reason": "the row has 6 fields but the header has 5; a value probably contains the delimiter (comma) "
                  "without quotes"}]


def test_a_damaged_cell_refuses_its_row_as_the_whole_file_decoded_does(tmp_path, monkeypatch):
    data = FILE.encode("gb18030") + b"T5,\x81\x20,,1,\n"
    split = csv_reader.read_csv(tmp_path / "tax.csv", data)
    whole = _read_decoding_whole_file(monkeypatch, tmp_path / "tax.csv", data)
    assert split.table.equals(whole.table) and split.table.num_rows == 4
    assert split.row_errors.equals(whole.row_errors)
    assert split.row_errors.column("row_number").to_pylist() == [5]


def test_an_undecodable_file_names_its_bytes_and_line_as_before(tmp_path, monkeypatch):
    data = FILE.encode("gb18030") + b"".join(b"T%d,\x81\x20,,1,\n" % i for i in range(5, 12))
    with pytest.raises(FileRejected) as split:
        csv_reader.read_csv(tmp_path / "tax.csv", data)
    with pytest.raises(FileRejected) as whole:
        _read_decoding_whole_file(monkeypatch, tmp_path / "tax.csv", data)
    assert split.value.reason == whole.value.reason
    assert "(bytes 81 20 on line 7)" in split.value.reason   # T2 holds a line break
    assert "(bytes 81 20 on line 7)" in split.value.reason
