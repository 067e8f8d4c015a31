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


_SWEDISH_RULES_SINCE = 1990  # the Annunciation (on a Sunday) was a holiday until 1989


def _easter_sunday(year: int) -> date:
    """The Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    """Sweden's public and de facto holidays of ``year``, by the rules in force since 1990 (the
    same days as ``holidays.SE``, which a unit test checks); written out here because
    importing that package loads every country's calendar, a tenth of a second on a cold start."""
    if year < _SWEDISH_RULES_SINCE:
        import holidays

        calendar = holidays.SE(years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO), include_sundays=False)
        return frozenset(calendar.keys())
    easter = _easter_sunday(year)
    midsummer_eve = _first_on_or_after(date(year, 6, 19), 4)  # the Friday of 19–25 June
    days = {date(year, 1, 1), date(year, 1, 6), easter - timedelta(days=2), easter, easter + timedelta(days=1),
            date(year, 5, 1), easter + timedelta(days=39), easter + timedelta(days=49),
            midsummer_eve, midsummer_eve + timedelta(days=1),
            _first_on_or_after(date(year, 10, 31), 5),  # All Saints' Day: the Saturday of 31 Oct–6 Nov
            date(year, 12, 24), date(year, 12, 25), date(year, 12, 26), date(year, 12, 31)}
    # Whit Monday was a holiday until 2004; the national day is one since 2005
    days.add(easter + timedelta(days=50) if year <= 2004 else date(year, 6, 6))
    return frozenset(days)


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


def working_days_until(today: date, day: date) -> int:
    """The working days after ``today`` up to and including ``day`` (0 when ``day`` is today or past)."""
    count, current = 0, today + timedelta(days=1)
    while current <= day:
        count += is_working_day(current)
        current += timedelta(days=1)
    return count


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
