"""A pass killed (SIGKILL) while it loads a file leaves no partial batch; the next pass loads it whole.

Both passes are `hhverify run --no-prefect` in a child process, as an operator or the nightly
schedule would start them. The file is big enough (130,000 rows, more than a DuckDB row group)
that DuckDB writes row groups to the database file before the commit (optimistic writes): they
must not count as loaded. The kill is made deterministic by the test hook `load` of `warehouse/testhooks.py`: the
loading process creates the named file once the rows are inserted, inside the open
transaction, and sleeps there until it is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from pipelines.context import PassContext
from warehouse.testhooks import PAUSE_AT_ENV

ROWS = 130_000
REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 28)
def _write_tax(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏"]
    body = "".join(f"TAX{i:09d},{names[i % 7]},2026-{i % 12 + 1:02d},工资薪金,{1000 + i % 9000}.{i % 100:02d}\n"
                   for i in range(rows))
    path.write_bytes(("记录编号,纳税人姓名,所属期,所得项目,收入额\n" + body).encode("gbk"))


def _pass(root: Path, **env) -> subprocess.Popen:
    """`hhverify run` (without Prefect) over the data root, in a child process."""
    return subprocess.Popen([sys.executable, "-m", "hhverify.cli", "run", "--root", str(root), "--no-prefect",
                             "--as-of", AS_OF.isoformat()], cwd=REPO, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _counts(root: Path) -> tuple[int, int, int]:
    ctx = PassContext.open(root, as_of=AS_OF)
    try:
        return tuple(ctx.con.execute(
            "SELECT (SELECT count(*) FROM tax_all), (SELECT count(*) FROM files), "
            "(SELECT count(*) FROM quarantine)").fetchall()[0])
    finally:
        ctx.close()


def test_a_load_killed_inside_its_transaction_leaves_nothing_and_the_next_pass_loads_it_all(tmp_path):
    root = tmp_path / "root"
    _write_tax(root / "landing" / "tax" / "iit_big.csv", ROWS)
    marker = tmp_path / "inside-the-load-transaction"

    killed = _pass(root, **{PAUSE_AT_ENV: f"load={marker}"})
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert killed.poll() is None, killed.communicate()
        assert time.monotonic() < deadline, "the pass never reached the load transaction"
        time.sleep(0.05)
    assert int(marker.read_text()) == killed.pid
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert killed.returncode == -signal.SIGKILL

    assert _counts(root) == (0, 0, 0)       # no rows, no files entry, no quarantine: nothing of the batch

    again = _pass(root)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err + out
    assert _counts(root) == (ROWS, 1, 0)
    ctx = PassContext.open(root, as_of=AS_OF)
    try:
        assert ctx.con.execute("SELECT count(DISTINCT record_id), min(row_number), max(row_number), "
                               "any_value(file) FROM tax_all").fetchall() == [
            (ROWS, 1, ROWS, "landing/tax/iit_big.csv")]
    finally:
        ctx.close()
