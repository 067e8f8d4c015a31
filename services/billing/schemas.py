"""Request and response shapes of the billing API."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..domain.bounds import CleanLine, check_date
from ..domain.personnummer import Personnummer
from .domain.basis import (Line, LineDifference, RulePackRef, Totals, UnverifiedConfirmation, UnverifiedLine,
                           VisitOnAbsenceDay)
from .domain.payouts import PayoutLine, PayoutView  # noqa: F401 - the payouts route's response model
from .domain.reconcile import ClaimedLine
from .domain.rules import PreliminaryAmount

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _month(value: str) -> str:
    m = _MONTH.match(value)
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise ValueError("month is YYYY-MM, e.g. 2026-10")
    return value


Month = Annotated[str, AfterValidator(_month)]
ProviderId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Day = Annotated[date, AfterValidator(check_date)]


def year_month(value: str, field: str = "month") -> tuple[int, int]:
    """``YYYY-MM`` to (year, month); a 422 naming ``field`` otherwise (path parameters included)."""
    from ..domain.errors import ValidationFailed

    try:
        year, month = _month(value).split("-")
    except ValueError as exc:
        raise ValidationFailed.field(field, str(exc)) from None
    return int(year), int(month)


def provider_id(value: str) -> str:
    from ..domain.errors import ValidationFailed

    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value or ""):
        raise ValidationFailed.field("provider_id", "a provider id is 1-64 letters, digits, '.', '_' or '-'")
    return value


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvoiceBasisQuery(Request):
    provider_id: ProviderId
    month: Month
    version: int | None = Field(default=None, ge=1, description="A final version; the latest when left out")
    current: bool = Field(default=False, description="The figures as they are now, preliminary, even after a "
                                                     "final version (what a correction would hold)")


class ExportQuery(Request):
    version: int | None = Field(default=None, ge=1)


class InvoiceBasisView(BaseModel):
    provider_id: str
    provider_name: str | None = Field(default=None, description="From billing's register of contracted providers")
    month: str
    status: Literal["preliminary", "final"]
    version: int | None = Field(description="The final version shown; None while preliminary")
    versions: list[int] = Field(default_factory=list, description="Every final version of the month")
    lock_date: date
    rule_pack: RulePackRef
    lines: list[Line]
    totals: Totals
    preliminary_amounts: list[PreliminaryAmount] = Field(
        default_factory=list, description="Figures used past the period they were decided for: every amount is "
                                          "'preliminärt belopp' until the year's own figure is added")
    computed_at: datetime
    finalized_by: str | None = None
    corrects_version: int | None = None
    difference: list[LineDifference] = Field(default_factory=list)
    difference_totals: dict[str, int] = Field(default_factory=dict)
    unverified: list[UnverifiedLine] = Field(default_factory=list, description=(
        "Visits not billed: Ej godkänt (not approved by the provider's coordinator) and Väntar på beslut "
        "(a deviation the case worker has not decided), per client with their minutes; never in the totals"))
    visits_on_absence_days: list[VisitOnAbsenceDay] = Field(default_factory=list, description=(
        "Days compensated as an absence that also have a visit: billed once, approved visit time first"))
    unverified_confirmation: UnverifiedConfirmation | None = Field(default=None, description=(
        "Finance's confirmation, with its reason, of a final basis made while visits were not verified"))


class FinalizeUnverifiedRequest(Request):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: CleanLine = Field(min_length=3, max_length=500, description=(
        "Why the month is made final although visits are not verified (stored, shown on the basis)"))


class ReconcileRequest(Request):
    received_on: Day = Field(description="When the invoice reached the municipality")
    lines: list[ClaimedLine] = Field(max_length=20_000)
    version: int | None = Field(default=None, ge=1)


class ClientProfileRequest(Request):
    area: Literal["standard", "rural", "island"] = "standard"
    social_psychiatry: bool = False
    mismanaged_terminations: list[Annotated[CleanLine, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=50,
        description="Ids of the client's terminations (absences of kind 'terminated' billing has received) the "
                    "provider mismanaged: no termination compensation")
    applies_from: Month | None = Field(default=None, description=(
        "The first month the classification applies to (YYYY-MM); none: every month, as before its history"))
    reason: CleanLine | None = Field(default=None, max_length=500, description="Why: kept in its history")


class ClientProfileView(BaseModel):
    client: str
    area: str
    social_psychiatry: bool
    mismanaged_terminations: list[str]


class MonthQuery(Request):
    month: Month
