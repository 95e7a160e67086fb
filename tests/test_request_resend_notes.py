"""A household an agency sends again: what the report says of the members the new file left out."""

from __future__ import annotations

import json
from datetime import date

from pipelines.passes import run_pass

AGENCY = "xiaodian_minzheng"
HEADER = "申请编号,救助类别,家庭编号,区县代码,成员序号,姓名,身份证号,与户主关系,授权书编号\n"
FAMILY = {1: "1,张三,140105198501011117,户主,SQ1", 2: "2,李梅,140105199003071045,配偶,SQ2",
          3: "3,张小明,140105201203045138,子女,SQ3"}


def _send(root, name: str, numbers) -> None:
    (root / "inbox" / AGENCY).mkdir(parents=True, exist_ok=True)
    (root / "inbox" / AGENCY / name).write_text(
        HEADER + "".join(f"RQ-R1,低保,H1,140105,{FAMILY[n]}\n" for n in numbers), encoding="utf-8")


def _notes(root) -> list[dict]:
    doc = json.loads((root / "outbox" / AGENCY / "RQ-R1" / "H1.json").read_text(encoding="utf-8"))
    return [f for f in doc["findings"] if f["rule"] == "household.members_carried"]


def test_members_a_later_resend_left_out_are_kept_and_the_report_says_so(tmp_path):
    """A request probe: the head's row re-sent alone (a patch) kept the spouse and child, unsaid; a
    clerk who meant to take them off the household had no word that they were still counted."""
    root = tmp_path / "root"
    (root / "landing" / "bank").mkdir(parents=True)
    _send(root, "1.csv", [1, 2, 3])
    run_pass(root, as_of=date(2026, 11, 20), snapshot_mode="off")
    assert _notes(root) == []
    _send(root, "2.csv", [1])
    run_pass(root, as_of=date(2026, 11, 21), snapshot_mode="off")
    (note,) = _notes(root)
    assert note["severity"] == "info"
    assert "李梅（序号2）、张小明（序号3）" in note["message"] and "完整的成员名单" in note["message"], note["message"]


def test_a_household_sent_in_two_files_of_one_pass_has_no_such_note(tmp_path):
    root = tmp_path / "root"
    (root / "landing" / "bank").mkdir(parents=True)
    _send(root, "1.csv", [1, 2])
    _send(root, "2.csv", [3])
    run_pass(root, as_of=date(2026, 11, 20), snapshot_mode="off")
    assert _notes(root) == []


def test_the_corrected_row_of_a_household_held_for_it_leaves_nobody_out(tmp_path):
    """A request probe: a household held for a refused row, whose corrected row came alone as the
    error note asks, was told its other members had been left out."""
    root = tmp_path / "root"
    (root / "landing" / "bank").mkdir(parents=True)
    (root / "inbox" / AGENCY).mkdir(parents=True)
    rows = dict(FAMILY)
    rows[2] = rows[2].replace("配偶", "朋友")          # refused: no relation of a household
    (root / "inbox" / AGENCY / "1.csv").write_text(
        HEADER + "".join(f"RQ-R1,低保,H1,140105,{rows[n]}\n" for n in (1, 2, 3)), encoding="utf-8")
    run_pass(root, as_of=date(2026, 11, 20), snapshot_mode="off")
    assert not (root / "outbox" / AGENCY / "RQ-R1" / "H1.json").exists()     # held for the refused row
    _send(root, "2.csv", [2])
    run_pass(root, as_of=date(2026, 11, 21), snapshot_mode="off")
    assert _notes(root) == []
