"""Files in subfolders of `landing/<source>/` and `inbox/<agency>/` (departments organise their
exports by month: `landing/tax/2026-11/`) are deliveries like any other. A black-box probe's
`inbox/agA/2026-11/req.csv` and `landing/tax/2026-11/t.csv` were neither loaded, warned about nor
recorded in `files`: silently dropped rows.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from pipelines.context import PassContext
from pipelines.discover import discover
from pipelines.ingest import ingest_delivery
from pipelines.passes import run_pass

from ops_support import query

AS_OF = date(2026, 11, 28)
TAX = ("记录编号,纳税人姓名,证件号码,所属期,所得项目,收入额,扣缴义务人\n"
       "{rid},张三,14010519900307104X,2026-09,工资薪金,{amount},太原某公司\n")
REQUEST = ("申请编号,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
           "{rid},低保,H1,140105,1,张三,14010519900307104X,户主,SQ1\n")

ROLLS = ("申请编号,申请机构,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
         "ROLL-1,agA,低保,H2,140105,1,李四,14010519900307104X,户主,SQ2\n")


def _write(root: Path, rel: str, text: str, mtime_s: int | None = None) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime_s is not None:
        os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))
    return path


def test_files_in_subfolders_of_a_source_and_of_an_agency_folder_are_loaded(tmp_path):
    _write(tmp_path, "landing/tax/2026-11/t.csv", TAX.format(rid="T1", amount="5000"))
    _write(tmp_path, "landing/tax/2026/11/deep.csv", TAX.format(rid="T2", amount="6000"))
    _write(tmp_path, "landing/rolls/2026-11/rolls.csv", ROLLS)
    _write(tmp_path, "inbox/agA/2026-11/req.csv", REQUEST.format(rid="R-1"))
    deliveries, warnings = discover(tmp_path)
    assert warnings == []
    found = {d.rel_path: (d.source, d.agency) for d in deliveries}
    assert found == {"landing/tax/2026-11/t.csv": ("tax", None), "landing/tax/2026/11/deep.csv": ("tax", None),
                     "landing/rolls/2026-11/rolls.csv": ("rolls", None),
                     "inbox/agA/2026-11/req.csv": ("applicants", "agA")}   # the agency is the top folder
    ctx = PassContext.open(tmp_path, as_of=AS_OF)
    try:
        assert {d.rel_path: ingest_delivery(ctx, d) for d in deliveries} == dict.fromkeys(found, "loaded")
        assert ctx.con.execute("SELECT record_id, file FROM tax ORDER BY 1").fetchall() == [
            ("T1", "landing/tax/2026-11/t.csv"), ("T2", "landing/tax/2026/11/deep.csv")]
        assert ctx.con.execute("SELECT request_id, agency, origin FROM requests ORDER BY 1").fetchall() == [
            ("R-1", "agA", "inbox"), ("ROLL-1", "agA", "rolls")]
        assert sorted(ctx.con.execute("SELECT path FROM files WHERE status = 'loaded'").fetchall()) == \
            sorted((p,) for p in found)
    finally:
        ctx.close()
    assert discover(tmp_path, seen={(d.rel_path, d.size_bytes, d.mtime_ns) for d in deliveries})[0] == []


def test_hidden_folders_and_files_parts_and_lock_files_in_subfolders_are_not_deliveries(tmp_path):
    _write(tmp_path, "landing/tax/2026-11/t.csv", TAX.format(rid="T1", amount="5000"))
    for rel in ("landing/tax/2026-11/.t.csv", "landing/tax/2026-11/t2.csv.part", "landing/tax/.sync/t.csv",
                "landing/tax/2026-11/.cache/t.csv", "inbox/agA/2026-11/~$req.xlsx", "inbox/agA/.tmp/req.csv",
                "inbox/agA/2026-11/req.csv.error.txt"):
        _write(tmp_path, rel, TAX.format(rid="X", amount="1"))
    deliveries, warnings = discover(tmp_path)
    assert [d.rel_path for d in deliveries] == ["landing/tax/2026-11/t.csv"] and warnings == []


def test_files_of_a_source_load_by_modification_time_then_name_across_its_subfolders(tmp_path):
    """A correction in 2026-11/ written after a stale re-send in 2026-12/ still wins."""
    _write(tmp_path, "landing/tax/2026-12/b_old.csv", TAX.format(rid="T1", amount="5000"), mtime_s=1_750_000_000)
    _write(tmp_path, "landing/tax/a_top.csv", TAX.format(rid="T2", amount="1"), mtime_s=1_755_000_000)
    _write(tmp_path, "landing/tax/2026-11/c_fix.csv", TAX.format(rid="T1", amount="7000"), mtime_s=1_760_000_000)
    _write(tmp_path, "landing/tax/2026-10/a_same.csv", TAX.format(rid="T3", amount="2"), mtime_s=1_760_000_000)
    deliveries, _ = discover(tmp_path)
    assert [d.rel_path for d in deliveries] == ["landing/tax/2026-12/b_old.csv", "landing/tax/a_top.csv",
                                                "landing/tax/2026-10/a_same.csv", "landing/tax/2026-11/c_fix.csv"]


def test_a_request_in_a_month_subfolder_of_the_inbox_is_answered(tmp_path):
    root = tmp_path / "root"
    _write(root, "inbox/agA/2026-11/req.csv", REQUEST.format(rid="R-1"))
    summary = run_pass(root, as_of=AS_OF, include_rolls=False, landing=False, snapshot_mode="off")
    assert summary["files_loaded"] == 1 and (root / "outbox" / "agA" / "R-1" / "H1.json").exists()
    assert query(root, "SELECT path, status FROM files") == [{"path": "inbox/agA/2026-11/req.csv", "status": "loaded"}]


def test_a_symlinked_month_folder_is_read_and_a_link_back_up_does_not_loop(tmp_path):
    root = tmp_path / "root"
    share = tmp_path / "share" / "month"
    share.mkdir(parents=True)
    (root / "inbox" / "agA").mkdir(parents=True)
    (root / "inbox" / "agA" / "2026-03").symlink_to(share, target_is_directory=True)
    (share / "loop").symlink_to(root / "inbox" / "agA", target_is_directory=True)
    _write(root, "inbox/agA/2026-03/s.csv", "x\n")
    found, _ = discover(root, landing=False)
    assert [d.rel_path for d in found] == ["inbox/agA/2026-03/s.csv"]


def test_a_folder_or_file_the_pipeline_may_not_read_is_named_and_the_rest_is_read(tmp_path, monkeypatch):
    """An operations probe (run as a user without root's override): a `chmod 000` agency folder was
    passed over without a word, and one unreadable request file stopped every agency's pass with
    "this user may not write there" though it was only being read."""
    import pipelines.discover as found

    _write(tmp_path, "inbox/agA/req.csv", REQUEST.format(rid="R-A"))
    _write(tmp_path, "inbox/agB/req.csv", REQUEST.format(rid="R-B"))
    locked = _write(tmp_path, "inbox/agC/req.csv", REQUEST.format(rid="R-C"))
    shut = tmp_path / "inbox" / "agD"
    shut.mkdir()
    walk, digest = os.walk, found.file_sha256

    def walk_as_a_plain_user(top, *args, onerror=None, **kw):
        if Path(top) == shut:
            onerror(PermissionError(13, "Permission denied", str(shut)))
            return iter(())
        return walk(top, *args, onerror=onerror, **kw)

    def read_as_a_plain_user(path):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return digest(path)

    monkeypatch.setattr(found.os, "walk", walk_as_a_plain_user)
    monkeypatch.setattr(found, "file_sha256", read_as_a_plain_user)
    deliveries, warnings = discover(tmp_path)
    assert [d.rel_path for d in deliveries] == ["inbox/agA/req.csv", "inbox/agB/req.csv"]
    assert [w.split(":")[0] for w in warnings] == ["inbox/agC/req.csv", "inbox/agD"]
    assert all("cannot be read (Permission denied)" in w and "fix its permissions" in w for w in warnings)
