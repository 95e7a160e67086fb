"""IDs a spreadsheet stored as numbers: 15 digits kept, the rest read back as zeros or written as
1.40105198308081E+17. An export probe's 郑华 had twelve wage rows so written under his exact name,
linked to nobody: his household passed on no income."""

from __future__ import annotations

import json
from datetime import date

from link_support import one_household_link, valid_id

MEMBER = valid_id("14010519830808173")
LOST = MEMBER[:15] + "000"
SHORT = f"{MEMBER[0]}.{MEMBER[1:14]}{int(MEMBER[14]) + 1}E+17"   # 1.40105198308082E+17: rounded at the 15th digit


def _wages(prefix: str, name: str, idn: str, months=range(1, 7)) -> list[tuple]:
    return [(f"{prefix}-{m}", name, idn, "invalid", "太原市清洁服务公司", m) for m in months]


def test_wages_under_an_id_a_spreadsheet_shortened_are_asked_about_never_linked_automatically(tmp_path):
    rows = _wages("ZEROS", "郑华", LOST) + _wages("SHORT", "郑华", SHORT, months=range(7, 13))
    got = one_household_link(tmp_path, rows, [("H1", 1, "郑华", MEMBER, "valid", date(1983, 8, 8))])
    assert {got[k][:2] for k in got} == {("H1", "review")} and len(got) == 12, got
    evidence = json.loads(got["ZEROS-1"][3])
    assert evidence["weights"][0] == {**evidence["weights"][0], "field": "id_number", "level": "digits_lost"}
    assert "号码后几位为0（表格把号码存成数字时丢失）" in evidence["summary"]


def test_a_shortened_id_under_another_name_is_no_link_to_the_member(tmp_path):
    got = one_household_link(tmp_path, _wages("OTHER", "李强", LOST), [("H1", 1, "郑华", MEMBER, "valid", date(1983, 8, 8))])
    assert not any(decision == "auto" for _, decision, _, _ in got.values()), got


def test_a_shortened_id_that_passes_its_check_by_chance_is_asked_about_too(tmp_path):
    """An evaluator: one …000 in eleven passes the check character; read as a stranger's valid ID, the
    member's wage row at her own employer was linked to nobody."""
    member = valid_id("14010519720521311")       # 16th and 17th digits lost too: no one slip from it
    lost = member[:15] + "000"                      # valid: its check character happens to be 0
    rows = ([(f"LOST-{m}", "马春梅", lost, "valid", "清徐县宏达物流有限公司", m) for m in (1, 2)]
            + [(f"OWN-{m}", "马春梅", member, "valid", "清徐县宏达物流有限公司", m) for m in range(3, 7)]
            # namesakes paid there too: by name and employer alone the row could be theirs as much as hers
            + [(f"NS{i}-{m}", "马春梅", valid_id(f"14010519680101{i:03d}"), "valid", "清徐县宏达物流有限公司", m)
               for i in range(3) for m in range(1, 7)])
    got = one_household_link(tmp_path, rows, [("H1", 1, "马春梅", member, "valid", date(1972, 5, 21))])
    assert {k: got[k][:2] for k in got if k.startswith("LOST")} == {"LOST-1": ("H1", "review"),
                                                                   "LOST-2": ("H1", "review")}, got
