"""Swedish working days and the lock date (spärrdatum) of home care's time registration.

The lock date of a month is the third working day of the next month; registrations for the
month may change through the end of that day, Europe/Stockholm time. Working days are Monday
to Friday except Sweden's public and de facto holidays (midsummer eve, Christmas eve, New
Year's eve). ``holidays`` can list every Sunday as a holiday for Sweden; we ask it not to.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    import holidays

    calendar = holidays.SE(years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO), include_sundays=False)
    return frozenset(calendar.keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def nth_working_day(year: int, month: int, n: int) -> date:
    day, seen = date(year, month, 1), 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


@lru_cache(maxsize=None)  # asked once per event on the ingest path; the holidays behind it never change
def lock_date(year: int, month: int) -> date:
    """The last day on which registrations for (year, month) may change."""
    return nth_working_day(*next_month(year, month), 3)


def lock_deadline(year: int, month: int) -> datetime:
    """The instant after which (year, month) is locked: midnight after the lock date, Stockholm."""
    return datetime.combine(lock_date(year, month) + timedelta(days=1), time(0), tzinfo=STOCKHOLM)


def is_month_open(year: int, month: int, now: datetime) -> bool:
    return now < lock_deadline(year, month)


def local_minute(instant: datetime) -> str:
    """``2026-11-24 10:08``: an instant as it reads in Sweden."""
    return instant.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def local_clock(instant: datetime, separator: str = ":") -> str:
    """``10:08`` (or ``10.08``, the Swedish typographic form): an instant's time of day in Sweden."""
    return instant.astimezone(STOCKHOLM).strftime(f"%H{separator}%M")


MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
             "oktober", "november", "december")


def swedish_date(day: date) -> str:
    """``24 november 2026``."""
    return f"{day.day} {MONTHS_SV[day.month - 1]} {day.year}"


def swedish_local(instant: datetime, clock_separator: str = ":") -> str:
    """``24 november 2026 kl. 10:08``: an instant as a Swedish text says it, Stockholm time."""
    return f"{swedish_date(stockholm_date(instant))} kl. {local_clock(instant, clock_separator)}"


def stockholm_date(instant: datetime) -> date:
    return instant.astimezone(STOCKHOLM).date()


def month_of(instant: datetime) -> tuple[int, int]:
    local = instant.astimezone(STOCKHOLM)
    return local.year, local.month
