"""The one rule for dated periods: inclusive ends, ``None`` open-ended."""
from datetime import date

from services.domain.periods import in_force, overlap

D = date(2026, 11, 1)


def test_periods_sharing_an_end_day_overlap_and_adjacent_ones_do_not():
    assert overlap(D, date(2026, 11, 30), date(2026, 11, 30), None)
    assert not overlap(D, date(2026, 11, 29), date(2026, 11, 30), None)


def test_an_open_end_overlaps_everything_after_its_start():
    assert overlap(D, None, date(2030, 1, 1), date(2030, 1, 2))
    assert not overlap(D, None, date(2026, 1, 1), date(2026, 10, 31))


def test_in_force_on_both_end_days_only():
    assert in_force(D, date(2026, 11, 30), D) and in_force(D, date(2026, 11, 30), date(2026, 11, 30))
    assert not in_force(D, date(2026, 11, 30), date(2026, 12, 1)) and not in_force(D, None, date(2026, 10, 31))
