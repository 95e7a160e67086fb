"""How a rolls snapshot is dated from its file name (`pipelines.rolls_order.snapshot_date`)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pipelines.rolls_order import snapshot_date

AS_OF = date(2026, 11, 28)
SPELLINGS = (lambda d: f"{d:%Y%m%d}", lambda d: f"{d:%Y-%m-%d}", lambda d: f"{d.year}_{d.month}_{d.day}",
             lambda d: f"{d.year}年{d.month}月{d.day}日")


@given(st.dates(date(2000, 1, 1), AS_OF), st.sampled_from(SPELLINGS), st.sampled_from(["rolls_", "名册", "140105_"]),
       st.sampled_from([".csv", "(1).xlsx", "_resend.jsonl"]))
def test_a_date_in_a_file_name_up_to_the_pass_date_dates_the_snapshot_however_it_is_spelt(day, spell, head, tail):
    assert snapshot_date(f"landing/rolls/{head}{spell(day)}{tail}", None, AS_OF) == (day, "its name")


@given(st.dates(AS_OF + timedelta(days=1), date(2099, 12, 31)), st.sampled_from(SPELLINGS))
def test_a_date_after_the_pass_date_is_no_date(day, spell):
    written = 1_795_568_400 * 10**9          # 2026-11-25 09:00 China time
    assert snapshot_date(f"landing/rolls/rolls_{spell(day)}.csv", written, AS_OF) == (date(2026, 11, 25),
                                                                                       "when it was written")
