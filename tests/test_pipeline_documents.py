"""Report documents between stages: compact above a size, and the same pass either way."""

from __future__ import annotations

import pickle
import shutil
from contextlib import contextmanager

import pytest

from fault_support import AS_OF, state
from pipelines import documents, publish, verify
from pipelines.documents import Documents
from pipelines.passes import run_pass


def _doc(i: int) -> dict:
    return {"request_id": "R1", "household_id": f"H{i}", "agency": "a", "program": "dibao", "county_code": "140105",
            "_out_dir": ("a", "R1"), "members": [{"name": "张伟", "matches": [{"record_id": f"T{j}"} for j in range(50)]}]}


def test_a_compact_document_comes_back_whole_with_what_stages_added():
    docs = Documents(compact=True)
    for i in range(3):
        docs.append(_doc(i))
    docs.annotate(1, _write=False, changes=[{"kind": "outcome.changed"}])
    assert docs.note(1)["household_id"] == "H1" and docs.note(1)["_write"] is False
    back = docs.load(1)
    assert back == {**_doc(1), "_write": False, "changes": [{"kind": "outcome.changed"}]}
    assert docs.load(0) == _doc(0) and len(docs) == 3 and [d["household_id"] for d in docs] == ["H0", "H1", "H2"]
    assert len(docs._docs[0]) < len(pickle.dumps(_doc(0))) / 2


def test_documents_are_compact_only_above_the_threshold():
    assert not Documents(documents.COMPACT_ABOVE).compact
    assert Documents(documents.COMPACT_ABOVE + 1).compact


def test_a_pass_assessing_a_few_households_at_a_time_in_compact_documents_writes_exactly_what_a_plain_pass_writes(
        province, reference, tmp_path, monkeypatch):
    # (one pass for both: each is a path of its own through the stages, and a pass was 10 s of the suite)
    monkeypatch.setattr(documents, "COMPACT_ABOVE", 0)
    slices = []
    whole_slice = verify._assess_slice
    monkeypatch.setattr(verify, "ASSESS_SLICE", 7)
    monkeypatch.setattr(verify, "_assess_slice", lambda ctx, *a: slices.append(1) or whole_slice(ctx, *a))
    root = tmp_path / "root"
    shutil.copytree(province / "pristine", root)
    assert run_pass(root, as_of=AS_OF, snapshot_mode="off")["status"] == "completed"
    assert len(slices) >= 3, "40 households in slices of 7 should take several slices"
    after = state(root)
    for part in reference:
        assert after[part] == reference[part], f"{part} differs assessed in slices, in compact documents"


@pytest.mark.parametrize("compact", [False, True], ids=["plain", "compact"])
def test_a_pass_writing_its_reports_in_a_pool_of_processes_writes_exactly_what_one_process_writes(
        province, reference, tmp_path, monkeypatch, compact):
    monkeypatch.setattr(publish, "PARALLEL_FROM", 0)
    monkeypatch.setattr(publish.os, "cpu_count", lambda: 2)   # a pool even on a one-core runner
    if compact:
        monkeypatch.setattr(documents, "COMPACT_ABOVE", 0)
    pools = []
    real = publish._writers

    @contextmanager
    def watched(total):
        with real(total) as fan_out:
            pools.append(fan_out)
            yield fan_out

    monkeypatch.setattr(publish, "_writers", watched)
    root = tmp_path / "root"
    shutil.copytree(province / "pristine", root)
    assert run_pass(root, as_of=AS_OF, snapshot_mode="off")["status"] == "completed"
    assert pools and pools[0] is not map, "the reports should have gone through a pool"
    after = state(root)
    for part in reference:
        assert after[part] == reference[part], f"{part} differs when a pool writes the reports"


def test_a_report_writer_process_that_dies_fails_the_write_instead_of_hanging(tmp_path, monkeypatch):
    import os
    from concurrent.futures.process import BrokenProcessPool

    from reports.writer import write_request

    monkeypatch.setattr(publish, "PARALLEL_FROM", 0)
    monkeypatch.setattr(publish.os, "cpu_count", lambda: 2)
    heads = [{"request_id": "R1", "household_id": f"H{i}"} for i in range(3)]
    with pytest.raises(BrokenProcessPool):
        with publish._writers(len(heads)) as fan_out:
            # the writer "loads" each report by exiting: as a process killed for memory would
            write_request(tmp_path / "out", [3, 3, 3], heads=heads, load=os._exit, fan_out=fan_out)


def test_without_process_semaphores_the_reports_are_written_by_the_pass_itself(monkeypatch):
    def no_semaphores(*args, **kwargs):
        raise OSError(38, "Function not implemented")   # what SemLock says without /dev/shm

    monkeypatch.setattr(publish, "PARALLEL_FROM", 0)
    monkeypatch.setattr(publish.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(publish, "ProcessPoolExecutor", no_semaphores)
    with publish._writers(10) as fan_out:
        assert fan_out is map
