"""Tidsrapportering för kontaktperson och kontaktfamilj, LSS (seed 000, Kristinehamn): rows of
date, activity and hours; travel rows whose km the server sums; mileage at the configured rate;
prefilled personal data; notification by e-mail, SMS or both."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ...domain.errors import FieldError
from ...settings import settings
from .common import NOTIFY_FIELDS, about_you_step, channels_have_addresses, person_is_the_caller
from .engine import Choice, Computed, Field, FormDefinition, Step


def _rows(answers: dict[str, dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return list((answers.get("tidrapport") or {}).get(name) or [])


def _sum(answers: dict[str, dict[str, Any]], rows: str, column: str) -> Decimal:
    return sum((Decimal(str(r.get(column) or 0)) for r in _rows(answers, rows)), Decimal(0))


def total_hours(answers: dict[str, dict[str, Any]]) -> float:
    return float(_sum(answers, "activities", "hours").quantize(Decimal("0.01"), ROUND_HALF_UP))


def total_km(answers: dict[str, dict[str, Any]]) -> float:
    return float(_sum(answers, "travel", "km").quantize(Decimal("0.1"), ROUND_HALF_UP))


def mileage_kronor(answers: dict[str, dict[str, Any]]) -> float:
    """Kilometres times the configured rate (öre per km, ``MILEAGE_RATE_ORE_PER_KM``), to the öre."""
    ore = (Decimal(str(total_km(answers))) * settings().mileage_rate_ore_per_km).quantize(Decimal(1), ROUND_HALF_UP)
    return float(ore / 100)


def _rows_inside_the_period(answers: dict[str, dict[str, Any]], context: Any) -> list[FieldError]:
    report = answers.get("tidrapport") or {}
    year, month = report.get("year"), report.get("month")
    errors = []
    if not _rows(answers, "activities"):
        errors.append(FieldError("answers.tidrapport.activities", "Lägg till minst en rad"))
    for name in ("activities", "travel"):
        for i, row in enumerate(_rows(answers, name)):
            day = date.fromisoformat(row["date"])
            if (day.year, day.month) != (year, month):
                errors.append(FieldError(f"answers.tidrapport.{name}.{i}.date",
                                         "Datumet ska ligga i den månad rapporten gäller"))
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
    rules=(person_is_the_caller, channels_have_addresses, _rows_inside_the_period),
    notify_fields=NOTIFY_FIELDS,
    after_submit=("report_another",),
)
