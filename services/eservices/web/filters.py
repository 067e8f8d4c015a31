"""Template filters: Swedish dates and times in Europe/Stockholm."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ...domain.calendar import STOCKHOLM, local_minute
from ..forms.engine import MONTHS_SV


def local_datetime(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return ""
    return local_minute(value)


def local_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")


def long_date(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        local = value.astimezone(STOCKHOLM)
        return f"{local.day} {MONTHS_SV[local.month - 1]} {local.year} kl. {local:%H:%M}"
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
           "number_sv": number_sv}
