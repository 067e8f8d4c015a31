"""When providers are reminded of a month's lock date: three working days before it."""
from __future__ import annotations

from datetime import date, timedelta

from ...domain.calendar import is_working_day, lock_date


def working_days_before(day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def lock_reminder_due(today: date) -> tuple[int, int] | None:
    """The month whose lock date is three working days after ``today``, if any: the current
    month (lock date early next month) or the previous one (lock date early this month)."""
    previous = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    for year, month in ((today.year, today.month), previous):
        if working_days_before(lock_date(year, month), 3) == today:
            return year, month
    return None
