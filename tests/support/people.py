"""Fictional, valid personnummer for tests: unique per call, so tests share one moto server."""
from __future__ import annotations

import itertools
import random

_counter = itertools.count(random.randint(100, 700))


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def new_pnr(year: int = 1950, month: int = 1, day: int = 1) -> str:
    serial = f"{next(_counter) % 999 + 1:03d}"  # serial 000 is never issued
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
    return f"{year}{month:02d}{day:02d}{serial}{luhn_digit(nine)}"
