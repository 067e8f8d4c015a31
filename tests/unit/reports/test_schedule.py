"""The nightly build runs once, at 02:00 Stockholm, whatever daylight saving does that night."""
from datetime import datetime, timedelta, timezone

import pytest

from services.reports.domain.schedule import is_nightly_run

UTC = timezone.utc


def firings(day):
    """The two UTC firings of the schedule (00:00 and 01:00) on ``day``."""
    return [datetime(day.year, day.month, day.day, h, 0, tzinfo=UTC) for h in (0, 1)]


@pytest.mark.parametrize("day,proceeds", [
    (datetime(2026, 3, 29), 1),   # last Sunday of March: 02:00 local never happens; 01:00 UTC is 03:00
    (datetime(2026, 10, 25), 0),  # last Sunday of October: 02:00 local happens twice; only the first
    (datetime(2027, 3, 28), 1),
    (datetime(2027, 10, 31), 0),
    (datetime(2026, 1, 15), 1),   # winter: 01:00 UTC
    (datetime(2026, 7, 15), 0),   # summer: 00:00 UTC
])
def test_given_any_night_when_both_firings_come_then_exactly_one_proceeds(day, proceeds):
    results = [is_nightly_run(f) for f in firings(day)]
    assert sum(results) == 1 and results[proceeds]


def test_given_the_autumn_change_when_02_00_local_comes_twice_then_only_summer_time_runs():
    first = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)   # 02:00 CEST
    second = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 02:00 CET, the same wall clock
    assert is_nightly_run(first) and not is_nightly_run(second)


def test_given_every_night_of_a_year_when_fired_at_both_hours_then_one_run_a_night():
    day = datetime(2026, 1, 1)
    for _ in range(366):
        assert sum(is_nightly_run(f) for f in firings(day)) == 1, day
        day += timedelta(days=1)


def test_given_a_firing_at_another_hour_when_checked_then_it_does_not_proceed():
    assert not is_nightly_run(datetime(2026, 3, 29, 2, 0, tzinfo=UTC))  # 04:00 CEST
    assert not is_nightly_run(datetime(2026, 6, 1, 23, 0, tzinfo=UTC))  # 01:00 CEST
