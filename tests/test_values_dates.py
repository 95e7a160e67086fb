"""Dates and months: every accepted spelling, and Excel's serial numbers with the 1900 bug."""

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.values import from_excel_serial, parse_date, parse_period, to_excel_serial

any_date = st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31))


def spellings(d: date) -> list:
    y, m, day = d.year, d.month, d.day
    forms = [d.isoformat(), f"{y}/{m}/{day}", f"{y}{m:02d}{day:02d}", f"{y}年{m}月{day}日", f"{y}.{m}.{day}",
             f"{d.isoformat()} 00:00:00", f"{y}/{m}/{day} 13:45", f" {d.isoformat()} ",
             d.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))]
    serial = to_excel_serial(d)
    forms += [serial, float(serial), serial + 0.5]
    if 10000 <= serial <= 99999:  # text serials are believed with 5 digits only
        forms += [str(serial), f"{serial}.0"]
    return forms


@given(any_date)
def test_every_accepted_spelling_of_a_date_parses_to_it(d):
    for spelling in spellings(d):
        assert parse_date(spelling) == d, spelling


@given(any_date)
def test_every_accepted_spelling_of_a_month_parses_to_its_first_day(d):
    first = d.replace(day=1)
    # A whole number of 6 digits is read as YYYYMM, so serials past 2173 are not months.
    dates = [s for s in spellings(d) if isinstance(s, str) or s < 100000 or s != int(s)]
    for spelling in [f"{d.year}-{d.month:02d}", f"{d.year}{d.month:02d}", f"{d.year}年{d.month}月",
                     f"{d.year}/{d.month}", f"{d.year}-{d.month}", *dates]:
        assert parse_period(spelling) == first, spelling


@given(st.integers(1, 2958465).filter(lambda s: s != 60))
def test_excel_serial_round_trips(serial):
    assert to_excel_serial(from_excel_serial(serial)) == serial


@pytest.mark.parametrize("serial, expected", [
    (1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (61, date(1900, 3, 1)),
    (45356, date(2024, 3, 5)), (2958465, date(9999, 12, 31)),
])
def test_excel_serial_anchors_follow_the_1900_date_system(serial, expected):
    assert from_excel_serial(serial) == expected


@pytest.mark.parametrize("raw, message", [
    (60, "1900-02-29, a day that never existed"),
    (0, "not an Excel date serial"),
    (2958466, "not an Excel date serial"),
    ("2024-13-05", "'2024-13-05' is not a real date"),
    ("2024-02-30", "is not a real date"),
    ("1899-12-31", "before 1900-01-01"),
    ("202403", "'202403' is not a date; accepted: 2024-03-05, 2024/3/5, 20240305, 2024年3月5日 or an Excel serial"),
    ("2024.3", "is not a date"),
    ("05/03/2024", "is not a date"),
    ("", "an empty value is not a date"),
])
def test_bad_dates_say_what_was_received_and_what_is_accepted(raw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_date(raw)


@pytest.mark.parametrize("raw", ["2024-13", "202400", "2024年13月", "三月", ""])
def test_bad_months_are_refused_with_the_accepted_spellings(raw):
    with pytest.raises(ValueError, match="accepted: 2024-03, 202403, 2024年3月"):
        parse_period(raw)


def test_a_six_digit_number_is_a_month_not_an_excel_serial():
    assert parse_period(202403) == date(2024, 3, 1)


@given(st.dates(min_value=date(1900, 1, 2), max_value=date(9998, 12, 30)),
       st.integers(0, 23), st.integers(0, 59), st.integers(-12, 14))
def test_an_instant_with_a_utc_offset_is_its_calendar_day_in_china(d, hour, minute, offset_hours):
    from datetime import datetime, timedelta, timezone

    from connectors.values.dates import CHINA

    moment = datetime(d.year, d.month, d.day, hour, minute, tzinfo=timezone(timedelta(hours=offset_hours)))
    expected = moment.astimezone(CHINA).date()
    sign = "+" if offset_hours >= 0 else "-"
    clock = f"{d.isoformat()}T{hour:02d}:{minute:02d}"
    for text in (moment.isoformat(), moment.isoformat(" "),        # 2024-03-05T10:05:00+01:00
                 f"{clock}{sign}{abs(offset_hours):02d}:00",          # no seconds
                 f"{clock}:00{sign}{abs(offset_hours):02d}00",        # +0100
                 moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")):
        assert parse_date(text) == expected, text
    assert parse_date(moment) == expected


@pytest.mark.parametrize("raw, expected", [
    ("2024-03-04T16:00:00Z", date(2024, 3, 5)),            # Beijing midnight, sent as UTC
    ("2024-03-04T16:00:00.000Z", date(2024, 3, 5)),
    ("2024-03-05T00:00:00+08:00", date(2024, 3, 5)),
    ("2024-03-05 09:30:00+0800", date(2024, 3, 5)),
    ("2024-03-05T23:30:00-05:00", date(2024, 3, 6)),
])
def test_a_datetime_sent_as_an_instant_reads_as_the_day_in_china(raw, expected):
    assert parse_date(raw) == expected
    assert parse_period(raw) == expected.replace(day=1)


@pytest.mark.parametrize("raw, message", [
    ("2024-03-05T25:00:00Z", "no such time of day"),
    ("2024-03-05T10:00:00+19:00", r"no such UTC offset \(\+19:00\)"),
    ("2024-02-30T10:00:00Z", "is not a real date"),
])
def test_an_impossible_instant_says_which_part_is_wrong(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_date(raw)


def test_a_timezone_aware_cell_renders_as_the_day_and_time_in_china():
    from datetime import datetime, timezone

    from connectors.cells import render_cell

    assert render_cell(datetime(2024, 3, 4, 16, 0, tzinfo=timezone.utc)) == "2024-03-05"
    assert render_cell(datetime(2024, 3, 4, 17, 0, tzinfo=timezone.utc)) == "2024-03-05 01:00:00+08:00"
    assert parse_date(render_cell(datetime(2024, 3, 4, 17, 0, tzinfo=timezone.utc))) == date(2024, 3, 5)


def test_a_month_written_2024_point_1_is_refused_as_january_or_october():
    """A spreadsheet shows October typed as the number 2024.10 as 2024.1 (and so do a CSV saved
    from it and a JSON number): read as January, a probe's October wage left the window unseen."""
    with pytest.raises(ValueError, match=r"2024\.1 could be January or October .* e\.g\. 2024-01 or 2024-10"):
        parse_period("2024.1")
    assert (parse_period("2024.10"), parse_period("2024.01"), parse_period("2024.2")) == (
        date(2024, 10, 1), date(2024, 1, 1), date(2024, 2, 1))


@pytest.mark.parametrize("raw", ["2025-01-01至2025-01-31", "2025-01-01 至 2025-01-28", "2025/1/1~2025/1/31"])
def test_a_period_written_as_its_first_and_last_day_is_that_month(raw):
    """A register probe: the withholding system prints 税款所属期 as a range, and the row was refused."""
    assert parse_period(raw) == date(2025, 1, 1)


def test_a_period_range_over_several_months_is_refused_saying_one_row_per_month():
    with pytest.raises(ValueError, match="covers more than one month; send one row per month"):
        parse_period("2025-01-01至2025-03-31")


@given(st.dates(min_value=date(1900, 1, 2), max_value=date(2100, 12, 30)))
def test_a_date_pandas_wrote_as_epoch_milliseconds_reads_as_that_date(d):
    """A JSON Lines probe: pandas' to_json writes a date as milliseconds since 1970 (UTC midnight),
    and a vehicle export so written was refused row by row."""
    ms = int((datetime(d.year, d.month, d.day, tzinfo=timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc))
             .total_seconds() * 1000)
    if 10 ** 10 <= abs(ms) < 10 ** 13:
        assert parse_date(str(ms)) == d and parse_date(ms) == d
