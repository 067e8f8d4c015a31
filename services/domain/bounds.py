"""Sane bounds for what a client may send: dates inside a plausible window, text without
control characters or lone surrogates. One place for each rule; request models use the
annotated types, so a bad value is a 422 naming the field and never reaches a use case.

Why a window at all: Python's date arithmetic overflows at year 1 and 9999 (an event at
9999-12-31T23:59:59-14:00 cannot be turned into UTC), and no social-services record is from
before 1900 or after 2100.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

# Control characters other than tab and line breaks, the bidi overrides and isolates that can
# make a PDF or a CSV line read differently from what is stored, and lone surrogates.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def check_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"datumet måste ligga mellan {EARLIEST.isoformat()} och {LATEST.isoformat()}")
    return value


def years_from(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def near(value: date, today: date, *, years_back: int, years_ahead: int) -> bool:
    """Is ``value`` within a plausible distance of ``today``? The window above is the calendar's;
    this is a record's (a decision or an approval starts near the day it is made)."""
    return years_from(today, -years_back) <= value <= years_from(today, years_ahead)


def check_datetime(value: datetime) -> datetime:
    check_date(value.date())
    return value


def check_text(value: str) -> str:
    if _FORBIDDEN.search(value):
        raise ValueError("texten innehåller otillåtna tecken (styrtecken)")
    return value


def check_line(value: str) -> str:
    """A one-line text: no line breaks either."""
    check_text(value)
    if "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("texten får inte innehålla radbrytningar")
    return value


def ascii_digits(value: str) -> bool:
    """Only 0-9 count as digits: ``str.isdigit()`` also accepts "²" and other scripts' digits."""
    return value.isascii() and value.isdigit()


def normalize_text(value: str) -> str:
    """NFC, so the same name typed on two keyboards is stored the same way."""
    return unicodedata.normalize("NFC", value)


SaneDate = Annotated[date, AfterValidator(check_date)]
SaneDatetime = Annotated[AwareDatetime, AfterValidator(check_datetime)]
CleanText = Annotated[str, AfterValidator(check_text)]
CleanLine = Annotated[str, AfterValidator(check_line)]
