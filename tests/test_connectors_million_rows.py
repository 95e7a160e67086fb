"""A million-row GBK tax export reads and canonicalises whole (run with `-m slow`); the times are
printed, never asserted: bench/ingest.py measures them."""

import random
import time

import pytest

from connectors import read_raw, to_canonical
from connectors.schema import TABLES
from connectors.values import check_char

ROWS = 1_000_000


def _write_tax_gbk(path, rows: int, people: int = 200_000) -> None:
    rng = random.Random(1)
    surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
    persons = []
    for _ in range(people):
        body = f"1401{rng.randint(1, 99):02d}{rng.randint(1940, 2010)}{rng.randint(1, 12):02d}" \
               f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        persons.append((rng.choice(surnames) + "".join(rng.choices(given, k=rng.randint(1, 2))),
                        body + check_char(body)))
    items = ["工资薪金", "劳务报酬", "稿酬所得", "经营所得"]
    lines = ["记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额,已缴税额,扣缴义务人"]
    for i in range(rows):
        name, id18 = rng.choice(persons)
        lines.append(f"T{i:08d},{name},{id18},2024-{rng.randint(1, 12):02d},{rng.choice(items)},"
                     f"{rng.randint(100, 2_000_000) / 100:.2f},{rng.randint(0, 50_000) / 100:.2f},"
                     f"太原市{rng.randint(1, 3000)}有限公司")
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))


@pytest.mark.slow
def test_a_million_row_gbk_tax_file_reads_and_canonicalises_every_row(tmp_path, request):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("10 s; run with -m slow")
    path = tmp_path / "tax_1m.csv"
    _write_tax_gbk(path, ROWS)
    started = time.perf_counter()
    raw = read_raw(path)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = to_canonical(TABLES["tax"], raw)
    canonical_seconds = time.perf_counter() - started
    print(f"\nread {ROWS:,} GBK rows: {read_seconds:.2f} s; canonicalise: {canonical_seconds:.2f} s")
    assert result.rows.num_rows == ROWS and result.errors.num_rows == 0
