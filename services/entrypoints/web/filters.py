"""Template filters and formats: Swedish dates and times in Europe/Stockholm, and kronor."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ...domain.calendar import local_minute, stockholm_date, swedish_local
from ...domain.granted import duration_sv


def local_datetime(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return ""
    return local_minute(value)


def local_date(value: Any) -> str:
    if isinstance(value, datetime):
        return stockholm_date(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")


def long_date(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return swedish_local(value)
    return str(value or "")


def number_sv(value: Any) -> str:
    """1234.5 -> "1 234,5" (Swedish decimal comma)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, (int, float)):
        try:
            value = float(str(value))
        except ValueError:
            return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}".replace(",", "\u00a0").replace(".", ",")
    return text


FILTERS = {"local_datetime": local_datetime, "local_date": local_date, "long_date": long_date,
           "number_sv": number_sv, "duration_sv": duration_sv}


def kr(ore: int) -> str:
    """Öre as kronor the Swedish way: ``-123456`` → ``−1 234,56 kr`` (a true minus sign, non-breaking
    spaces between thousands and before "kr", so an amount never breaks over two lines)."""
    whole, cents = divmod(abs(ore), 100)
    return f"{'−' if ore < 0 else ''}{whole:,}".replace(",", "\u00a0") + f",{cents:02d}\u00a0kr"


def personnummer_shown(value: str) -> str:
    """A personnummer as people read it, ÅÅÅÅMMDD-NNNN (the whole number: two people born the same day
    differ); anything that is not one, as it is."""
    from ...domain.personnummer import InvalidPersonnummer, Personnummer

    try:
        return Personnummer(value).formatted
    except (InvalidPersonnummer, ValueError, AttributeError):
        return value
