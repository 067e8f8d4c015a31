"""Fictional, valid personnummer for tests: unique per call, so tests share one moto server."""
from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

_counter = itertools.count(random.randint(100, 700))
SERIALS = 999  # serial 000 is never issued


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def new_pnr(year: int = 1950, month: int | None = None, day: int | None = None) -> str:
    """A number never handed out before in this process. One birth date has only 999 serials, and a
    worker's tests ask for more than that: without a date named, every 999 numbers move the birth
    date on a day (1 January of ``year`` first), so a number is never given twice to two tests
    sharing a moto server. With a date named (an exact age), the serials of that date are used."""
    n = next(_counter)
    serial = f"{n % SERIALS + 1:03d}"
    if month is None and day is None:
        born = date(year, 1, 1) + timedelta(days=(n // SERIALS) % 365)
    else:
        born = date(year, month or 1, day or 1)
    nine = f"{born.year % 100:02d}{born.month:02d}{born.day:02d}{serial}"
    return f"{born.year}{born.month:02d}{born.day:02d}{serial}{luhn_digit(nine)}"
