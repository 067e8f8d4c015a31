from datetime import date, datetime, timezone

import pytest

from services.domain.calendar import STOCKHOLM, is_month_open, is_working_day, lock_date, lock_deadline


@pytest.mark.parametrize("year,month,expected", [
    (2026, 11, date(2026, 12, 3)),   # Tue 1, Wed 2, Thu 3 December
    (2026, 12, date(2027, 1, 7)),    # 1 Jan holiday, 4, 5, (6 Epiphany), 7
    (2026, 3, date(2026, 4, 3 + 4)),  # April 2026: Wed 1, Thu 2, Good Friday 3, Easter Monday 6, Tue 7
    (2026, 5, date(2026, 6, 3)),     # Mon 1, Tue 2, Wed 3 June
    (2025, 12, date(2026, 1, 7)),    # Fri 2, Mon 5, (Tue 6 Epiphany), Wed 7
])
def test_lock_date_is_the_third_working_day_of_the_next_month(year, month, expected):
    assert lock_date(year, month) == expected


def test_de_facto_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 6, 19))   # midsommarafton
    assert not is_working_day(date(2026, 12, 24))  # julafton
    assert not is_working_day(date(2026, 12, 31))  # nyårsafton
    assert is_working_day(date(2026, 12, 23))


def test_sundays_are_not_holidays_but_are_not_working_days_either():
    assert not is_working_day(date(2026, 11, 29))
    assert is_working_day(date(2026, 11, 30))


def test_the_month_stays_open_through_the_end_of_the_lock_date_in_stockholm():
    # November 2026 locks after 2026-12-03 23:59:59 Stockholm (UTC+1 in winter)
    assert lock_deadline(2026, 11) == datetime(2026, 12, 4, tzinfo=STOCKHOLM)
    assert is_month_open(2026, 11, datetime(2026, 12, 3, 22, 59, 59, tzinfo=timezone.utc))
    assert not is_month_open(2026, 11, datetime(2026, 12, 3, 23, 0, 0, tzinfo=timezone.utc))


def test_summer_lock_deadline_uses_summer_time():
    # May 2026 locks after 2026-06-03 in Stockholm, UTC+2
    assert is_month_open(2026, 5, datetime(2026, 6, 3, 21, 59, tzinfo=timezone.utc))
    assert not is_month_open(2026, 5, datetime(2026, 6, 3, 22, 0, tzinfo=timezone.utc))


def test_an_instant_reads_in_swedish_in_stockholm_time_winter_and_summer():
    # GIVEN instants in UTC on either side of a date change in Stockholm
    from services.domain.calendar import local_clock, local_minute, swedish_date, swedish_local

    winter = datetime(2026, 11, 23, 23, 8, tzinfo=timezone.utc)  # 00:08 on the 24th in Stockholm (+01)
    summer = datetime(2026, 6, 30, 22, 8, tzinfo=timezone.utc)   # 00:08 on 1 July (+02)
    # THEN each format says the Stockholm date and time
    assert local_minute(winter) == "2026-11-24 00:08" and local_clock(summer) == "00:08"
    assert swedish_date(date(2026, 11, 24)) == "24 november 2026"
    assert swedish_local(winter) == "24 november 2026 kl. 00:08"
    assert swedish_local(summer, clock_separator=".") == "1 juli 2026 kl. 00.08"


def test_given_every_year_of_the_calendar_window_when_listing_holidays_then_the_days_of_the_holidays_package():
    """GIVEN the years a date may have (1900-2100) WHEN Sweden's public and de facto holidays are
    listed THEN they are the days the ``holidays`` package lists, Sundays not counted as such."""
    import holidays

    from services.domain.bounds import EARLIEST, LATEST
    from services.domain.calendar import _holidays

    for year in range(EARLIEST.year, LATEST.year + 1):
        expected = holidays.SE(years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO), include_sundays=False)
        assert _holidays(year) == frozenset(expected.keys()), year


def test_given_a_cold_process_when_a_lock_date_is_asked_then_no_holiday_package_is_loaded():
    """GIVEN a fresh interpreter WHEN a month's lock date is computed (the visits and billing apps'
    first request) THEN the ``holidays`` package, which loads every country's calendar, is not."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from services.domain.calendar import lock_date; "
            "print(lock_date(2026, 12), any(m.split('.')[0] == 'holidays' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2027-01-07", "False"]
