"""A full disk or a read-only data root stops a pass with a clear message and exit status 74,
nothing half committed: once the disk is fixed, the next pass ends exactly as an uninterrupted one.

The disk fills in two ways: a small tmpfs mounted over the data root (where this process may
mount, as in the CI container), and a file-size limit on the pass process (RLIMIT_FSIZE, which
needs no privileges: writes past it fail with EFBIG as they would on a full disk). A read-only
root is a read-only bind mount where we may mount, otherwise a tree without write permission.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from fault_support import AS_OF, REPO, state
from pipelines.passes import run_pass
from pipelines.storage import EXIT_STORAGE


def _can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(f"/tmp/hhverify-mount-probe-{uuid.uuid4().hex[:8]}")
    probe.mkdir()
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", str(probe)], check=True)
        return ok
    finally:
        probe.rmdir()


CAN_MOUNT = _can_mount()


def _pass(root: Path, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return subprocess.run([sys.executable, "-m", "hhverify.cli", "run", "--root", str(root), "--no-prefect",
                           "--as-of", AS_OF.isoformat()], cwd=REPO, capture_output=True, text=True,
                          preexec_fn=limit, timeout=300)


def _assert_clear_failure(done: subprocess.CompletedProcess, root: Path, problem: str) -> None:
    out = done.stdout + done.stderr
    assert done.returncode == EXIT_STORAGE, out
    assert "Traceback" not in out and "╭" not in out, out
    text = " ".join(out.split())
    assert f"the pass over {root} stopped: {problem}" in text, out
    assert "Nothing was half committed" in text and "run the pass again" in text, out


def _assert_next_pass_completes_it(root: Path, reference: dict) -> None:
    summary = run_pass(root, as_of=AS_OF, snapshot_mode="off")
    assert summary["status"] == "completed"
    after = state(root)
    for part in reference:
        assert after[part] == reference[part], f"{part} differs from an uninterrupted pass"


@pytest.fixture
def mounted(tmp_path):
    """A mount point to fill; unmounted whatever happens."""
    point = tmp_path / "mnt"
    point.mkdir()
    yield point
    subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_a_full_disk_stops_the_pass_with_a_clear_message_and_loses_nothing(province, reference, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(province / "pristine", root)

    done = _pass(root, limit_bytes=256 * 1024)   # the warehouse outgrows this while loading

    _assert_clear_failure(done, root.resolve(), "a file grew beyond the size this process may write")
    _assert_next_pass_completes_it(root, reference)


@pytest.mark.skipif(not CAN_MOUNT, reason="needs permission to mount a tmpfs (the RLIMIT_FSIZE test covers the rest)")
def test_a_really_full_tmpfs_stops_the_pass_and_the_next_pass_after_more_space_completes_it(
        province, reference, mounted):
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mounted)], check=True)
    shutil.copytree(province / "pristine", mounted, dirs_exist_ok=True)

    done = _pass(mounted)

    _assert_clear_failure(done, mounted.resolve(), "the disk is full (No space left on device)")
    subprocess.run(["mount", "-o", "remount,size=200m", str(mounted)], check=True)
    _assert_next_pass_completes_it(mounted, reference)


def test_a_read_only_root_stops_the_pass_before_anything_is_written(province, reference, tmp_path, mounted):
    root = tmp_path / "root"
    shutil.copytree(province / "pristine", root)
    if CAN_MOUNT:
        subprocess.run(["mount", "--bind", str(root), str(mounted)], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mounted)], check=True)
        target, problem = mounted, "the file system is mounted read-only (Read-only file system)"
    else:
        for d in (root, *[p for p in root.rglob("*") if p.is_dir()]):
            d.chmod(0o555)
        target, problem = root, "this user may not write there (Permission denied)"
    before = sorted(p.relative_to(root) for p in root.rglob("*"))

    done = _pass(target)

    _assert_clear_failure(done, target.resolve(), problem)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    if CAN_MOUNT:
        subprocess.run(["umount", str(mounted)], check=True)
    else:
        for d in (root, *[p for p in root.rglob("*") if p.is_dir()]):
            d.chmod(0o755)
    _assert_next_pass_completes_it(root, reference)


def test_a_full_disk_while_the_analyst_copy_is_staged_leaves_the_completed_pass_completed(tmp_path, monkeypatch):
    """An operations probe: the disk filled while the warehouse was copied for analysts, after the pass
    had committed and written its reports; the command said the pass had stopped (exit 74)."""
    import errno

    from pipelines import snapshot

    root = tmp_path / "root"
    (root / "inbox" / "xiaodian").mkdir(parents=True)
    (root / "inbox" / "xiaodian" / "req.csv").write_text(
        "request_id,program,household_id,county_code,member_no,name,id_number,relation,consent_ref\n"
        "R1,dibao,H1,140105,1,张三,140105198001011234,户主,C1\n", encoding="utf-8")

    def copy_until_full(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(snapshot.shutil, "copyfile", copy_until_full)
    summary = run_pass(root, as_of=AS_OF)
    assert summary["status"] == "completed" and (root / "outbox" / "xiaodian" / "R1" / "H1.json").exists()
    assert any(m.startswith("analyst snapshot not published (the disk is full") for m in summary["messages"])
    assert not list(root.glob(".analyst.*")) and not (root / "analyst.duckdb").exists()
