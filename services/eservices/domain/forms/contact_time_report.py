"""Tidsrapportering för kontaktperson och kontaktfamilj, LSS (Kristinehamn's form): rows of
date, activity and hours; travel rows whose km the server sums; mileage at the configured rate;
prefilled personal data; notification by e-mail, SMS or both."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ....domain.errors import FieldError
from ....settings import settings
from .common import (NOTIFY_FIELDS, about_you_step, channels_have_addresses, period_has_begun,
                     person_is_the_caller, reported_period)
from .engine import Choice, Computed, Field, FormDefinition, Step


def _rows(answers: dict[str, dict[str, Any]], name: str) -> list[dict[str, Any]]:
    rows = (answers.get("tidrapport") or {}).get(name) or []
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _row_date(row: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(row["date"])
    except (KeyError, TypeError, ValueError):
        return None


def _counts(answers: dict[str, dict[str, Any]], row: dict[str, Any]) -> bool:
    """A row counts towards the sums unless it is dated outside the reported month."""
    period = reported_period(answers.get("tidrapport") or {})
    day = _row_date(row)
    return period is None or day is None or (day.year, day.month) == period


def _number(value: Any) -> Decimal:
    try:
        number = Decimal(str(value or 0))
    except ArithmeticError:
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)


def _sum(answers: dict[str, dict[str, Any]], rows: str, column: str) -> Decimal:
    return sum((_number(r.get(column)) for r in _rows(answers, rows) if _counts(answers, r)), Decimal(0))


def total_hours(answers: dict[str, dict[str, Any]]) -> float:
    return float(_sum(answers, "activities", "hours").quantize(Decimal("0.01"), ROUND_HALF_UP))


def total_km(answers: dict[str, dict[str, Any]]) -> float:
    return float(_sum(answers, "travel", "km").quantize(Decimal("0.1"), ROUND_HALF_UP))


def mileage_kronor(answers: dict[str, dict[str, Any]]) -> float:
    """Kilometres times the configured rate (öre per km, ``MILEAGE_RATE_ORE_PER_KM``), to the öre."""
    ore = (Decimal(str(total_km(answers))) * settings().mileage_rate_ore_per_km).quantize(Decimal(1), ROUND_HALF_UP)
    return float(ore / 100)


def _rows_inside_the_period(answers: dict[str, dict[str, Any]], context: Any) -> list[FieldError]:
    """Every row lies in the reported month and has taken place (not after today)."""
    period = reported_period(answers.get("tidrapport") or {})
    today: date | None = getattr(context, "today", None)
    errors = []
    if not _rows(answers, "activities"):
        errors.append(FieldError("answers.tidrapport.activities", "Lägg till minst en rad"))
    for name in ("activities", "travel"):
        rows = (answers.get("tidrapport") or {}).get(name) or []
        for i, row in enumerate(rows if isinstance(rows, list) else []):
            day = _row_date(row) if isinstance(row, dict) else None
            if day is None:
                continue  # missing or malformed: the field's own error says so
            if period is not None and (day.year, day.month) != period:
                errors.append(FieldError(f"answers.tidrapport.{name}.{i}.date",
                                         "Datumet ska ligga i den månad rapporten gäller"))
            elif today is not None and day > today:
                errors.append(FieldError(f"answers.tidrapport.{name}.{i}.date",
                                         "Datumet har inte varit än: rapportera det som har hänt"))
    return errors


FORM = FormDefinition(
    id="contact-time-report",
    title="Tidsrapportering - kontaktfamilj och kontaktperson, LSS",
    description=("Du rapporterar in dina genomförda uppdrag som kontaktperson eller kontaktfamilj. Lägg till en rad "
                 "per tillfälle och en rad per resa; tjänsten summerar kilometrarna åt dig."),
    category="Tidsrapport kontaktperson/kontaktfamilj",
    roles=("contact_person",),
    steps=(
        Step("tidrapport", "Tidsrapport", (
            Field("assignment_kind", "Uppdrag", kind="choice", required=True,
                  choices=(Choice("kontaktperson", "Kontaktperson"), Choice("kontaktfamilj", "Kontaktfamilj"))),
            Field("client_first_name", "Förnamn", required=True, max_length=100,
                  help="Förnamn på personen du är kontaktperson eller kontaktfamilj för"),
            Field("client_last_name", "Efternamn", required=True, max_length=100),
            Field("year", "År", kind="year", required=True),
            Field("month", "Månad", kind="month", required=True),
            Field("activities", "Datum och aktivitet", kind="rows", required=True, max_rows=62,
                  help="Klicka på ”Lägg till rad” för fler datum och aktiviteter.", columns=(
                      Field("date", "Datum", kind="date", required=True),
                      Field("activity", "Aktivitet", required=True, max_length=300),
                      Field("hours", "Timmar", kind="decimal", required=True, minimum=0.25, maximum=24),
                  )),
            Field("travel", "Reseersättning", kind="rows", max_rows=62,
                  help="En rad per resa. Tjänsten summerar antalet kilometer.", columns=(
                      Field("date", "Datum", kind="date", required=True),
                      Field("from_place", "Från", required=True, max_length=200),
                      Field("to_place", "Till", required=True, max_length=200),
                      Field("km", "Kilometer", kind="decimal", required=True, minimum=0.1, maximum=1000),
                  )),
        )),
        about_you_step(help_text="Dina personuppgifter hämtas från folkbokföringen. Kontrollera dem och välj hur "
                                 "du vill bli notifierad."),
    ),
    computed=(
        Computed("total_hours", "Summa timmar", total_hours),
        Computed("total_km", "Summa kilometer", total_km),
        Computed("mileage_kronor", "Milersättning (kr)", mileage_kronor),
    ),
    rules=(person_is_the_caller, channels_have_addresses, period_has_begun("tidrapport"), _rows_inside_the_period),
    notify_fields=NOTIFY_FIELDS,
    after_submit=("report_another",),
)
