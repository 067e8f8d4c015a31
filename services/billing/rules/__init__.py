"""Compensation rules as data: one JSON file per municipality and validity period.

A pack says, for a municipality and the months it is valid: the hourly rate (the same every day
and hour), supplements (rural per hour; island reported apart and paid as a grant), absence and
termination compensation as shares of a day's granted time, reference codes, payment terms, and
what contact persons are paid from (the year's prisbasbelopp, the mileage rate). A change of
rates is a new file from the month it applies; a file in use is never edited, so what applied in
March stays so when April's rates change. Packs begin on a month's first day and end on a
month's last, so a month is always billed under one pack.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...domain.absences import AbsenceKind
from ...domain.periods import in_force, overlap

from ...domain.errors import NotFound

HERE = Path(__file__).resolve().parent


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Supplements(_Frozen):
    rural_per_hour_ore: int = Field(ge=0)
    island: Literal["grant"] = "grant"  # island time is reported apart; the grant is not invoiced


class Granted(_Frozen):
    insatser: tuple[str, ...]
    day_divisor: Decimal = Field(gt=0, description="A day's granted time is the monthly time ÷ this")


class DayRule(_Frozen):
    """Compensated days from the day the provider learned of it: ``day_shares[i]`` of a day's
    granted time on the (i+1)th day, at most ``len(day_shares)`` days."""

    kinds: tuple[AbsenceKind, ...]
    day_shares: tuple[Decimal, ...] = Field(min_length=1)
    none_if_announced_hours_before: int | None = None
    none_if_provider_mismanaged: bool = False

    @model_validator(mode="after")
    def _shares(self) -> "DayRule":
        if any(s < 0 or s > 1 for s in self.day_shares):
            raise ValueError("a day share lies between 0 and 1")
        return self


class ReferenceCodes(_Frozen):
    age_limit: int
    at_or_over_age_limit: str
    under_age_limit: str
    under_age_limit_social_psychiatry: str


class ContactPersons(_Frozen):
    prisbasbelopp_ore: int = Field(gt=0)
    mileage_ore_per_km: int = Field(ge=0)


class RulePack(_Frozen):
    pack_id: str
    municipality: str
    municipality_name: str
    version: str
    valid_from: date
    valid_to: date | None = None
    sources: dict[str, str]
    hourly_rate_ore: int = Field(gt=0)
    supplements: Supplements
    granted: Granted
    absence: DayRule
    termination: DayRule
    reference_codes: ReferenceCodes
    payment_terms_days: int = Field(gt=0)
    contact_persons: ContactPersons

    @model_validator(mode="after")
    def _whole_months(self) -> "RulePack":
        if self.valid_from.day != 1:
            raise ValueError("a pack begins on a month's first day")
        if self.valid_to is not None and (self.valid_to + timedelta(days=1)).day != 1:
            raise ValueError("a pack ends on a month's last day")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("a pack ends after it begins")
        return self

    def covers(self, day: date) -> bool:
        return in_force(self.valid_from, self.valid_to, day)

    @property
    def label(self) -> str:
        return f"{self.pack_id} {self.version}"


class RuleBook:
    """Every pack, by municipality; refuses overlapping periods of one municipality."""

    def __init__(self, packs: list[RulePack]) -> None:
        self._by_municipality: dict[str, list[RulePack]] = {}
        for pack in sorted(packs, key=lambda p: (p.municipality, p.valid_from)):
            earlier = self._by_municipality.setdefault(pack.municipality, [])
            if earlier and overlap(earlier[-1].valid_from, earlier[-1].valid_to, pack.valid_from, pack.valid_to):
                raise ValueError(f"{earlier[-1].label} and {pack.label} overlap")
            earlier.append(pack)

    def municipalities(self) -> list[str]:
        return sorted(self._by_municipality)

    def packs(self, municipality: str) -> list[RulePack]:
        return list(self._by_municipality.get(municipality, []))

    def for_month(self, municipality: str, year: int, month: int) -> RulePack:
        first = date(year, month, 1)
        for pack in self._by_municipality.get(municipality, []):
            if pack.covers(first):
                return pack
        raise NotFound(f"no compensation rules for {municipality} in {year}-{month:02d}")


def load(folder: Path = HERE) -> RuleBook:
    return RuleBook([RulePack.model_validate(json.loads(p.read_text(encoding="utf-8")))
                     for p in sorted(folder.glob("*.json"))])


@cache
def rule_book() -> RuleBook:
    """The packs shipped with the code."""
    return load()
