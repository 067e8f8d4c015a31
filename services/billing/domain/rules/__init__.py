"""Compensation rules as data: one JSON file per municipality and validity period.

A pack says, for a municipality and the months it is valid: the hourly rate (the same every day
and hour), supplements (rural per hour; island reported apart and paid as a grant), absence and
termination compensation as shares of a day's granted time, reference codes, payment terms, and
and payment terms. A change of rates is a new file from the month it applies; a file in use is
never edited, so what applied in March stays so when April's rates change. Packs begin on a
month's first day and end on a month's last, so a month is always billed under one pack.

A pack is in force until a later one replaces it: its ``valid_to`` is how far its amounts were
decided, not the end of billing. A month after it, with no later pack yet, is billed under it
and marked "preliminärt belopp" with the year of the amounts; never refused.

The national figures that change each year (prisbasbelopp, Skatteverket's tax-free mileage rate)
are data with their year (``figures/yearly.json``), read through ``YearlyFigures``: a year not
yet known gets the last known year's figure, marked preliminary the same way.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ....domain.absences import AbsenceKind
from ....domain.periods import in_force, overlap

from ....domain.errors import NotFound

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


class PreliminaryAmount(_Frozen):
    """A figure used for a year it was not decided for: the amount is preliminary until the
    year's own figure is added (a new pack, or the year's line in the figures table)."""

    figure: str = Field(description="What the figure is, in Swedish: prisbasbelopp, milersättning, timersättning")
    figure_year: int = Field(description="The year the figure used is from")
    year: int = Field(description="The year billed or paid, whose own figure is not yet known")
    text: str = Field(description="What a reader is told, e.g. 'preliminärt belopp: prisbasbelopp 2026'")

    @classmethod
    def of(cls, figure: str, figure_year: int, year: int) -> "PreliminaryAmount":
        return cls(figure=figure, figure_year=figure_year, year=year,
                   text=f"preliminärt belopp: {figure} {figure_year} (värdet för {year} är ännu inte känt)")


class Figure(_Frozen):
    """A yearly figure as used for ``year``: its own, or the last known one (``preliminary``)."""

    value: int
    figure_year: int
    year: int

    @property
    def preliminary(self) -> bool:
        return self.figure_year != self.year


class YearlyFigures(_Frozen):
    """National figures per year, each with its source: prisbasbelopp (öre, set by the government
    each autumn for the next year) and Skatteverket's tax-free mileage for an own car (öre/km)."""

    prisbasbelopp_ore: dict[int, int] = Field(min_length=1)
    mileage_ore_per_km: dict[int, int] = Field(min_length=1)
    sources: dict[str, str]

    @model_validator(mode="after")
    def _positive(self) -> "YearlyFigures":
        if any(v <= 0 for v in self.prisbasbelopp_ore.values()) or any(v < 0 for v in self.mileage_ore_per_km.values()):
            raise ValueError("a prisbasbelopp is positive and a mileage rate is not negative")
        return self

    @staticmethod
    def _of(table: dict[int, int], name: str, year: int) -> Figure:
        known = [y for y in table if y <= year]
        if not known:
            raise NotFound(f"no {name} for {year} or any year before it")
        return Figure(value=table[max(known)], figure_year=max(known), year=year)

    def prisbasbelopp(self, year: int) -> Figure:
        return self._of(self.prisbasbelopp_ore, "prisbasbelopp", year)

    def mileage(self, year: int) -> Figure:
        return self._of(self.mileage_ore_per_km, "milersättning", year)


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
    """Every pack, by municipality; refuses overlapping periods of one municipality. Carries the
    yearly figures (the shipped ones unless given)."""

    def __init__(self, packs: list[RulePack], figures: YearlyFigures | None = None, *,
                 later_replaces: bool = False) -> None:
        """``later_replaces``: the shipped packs with the versions finance stored after them, where a
        pack that begins later replaces the one before from its first month (for_month's rule), and of
        two that begin the same month the one given last (stored last) is in force."""
        self.figures = figures or yearly_figures()
        self._by_municipality: dict[str, list[RulePack]] = {}
        for pack in sorted(packs, key=lambda p: (p.municipality, p.valid_from)):
            earlier = self._by_municipality.setdefault(pack.municipality, [])
            if earlier and later_replaces and earlier[-1].valid_from == pack.valid_from:
                earlier.pop()
            elif earlier and not later_replaces and overlap(earlier[-1].valid_from, earlier[-1].valid_to,
                                                            pack.valid_from, pack.valid_to):
                raise ValueError(f"{earlier[-1].label} and {pack.label} overlap")
            earlier.append(pack)

    def municipalities(self) -> list[str]:
        return sorted(self._by_municipality)

    def packs(self, municipality: str) -> list[RulePack]:
        return list(self._by_municipality.get(municipality, []))

    def for_month(self, municipality: str, year: int, month: int) -> RulePack:
        """The pack in force: the latest that began on or before the month (in force until a
        later one replaces it). Only a month before a municipality's first pack has none."""
        first = date(year, month, 1)
        begun = [p for p in self._by_municipality.get(municipality, []) if p.valid_from <= first]
        if not begun:
            raise NotFound(f"no compensation rules for {municipality} in {year}-{month:02d}")
        return begun[-1]

    @staticmethod
    def preliminary(pack: RulePack, year: int, month: int) -> list[PreliminaryAmount]:
        """The pack's amounts used past the period they were decided for: preliminary, with the
        year they are from."""
        if pack.valid_to is None or date(year, month, 1) <= pack.valid_to:
            return []
        return [PreliminaryAmount.of("timersättning och tillägg", pack.valid_to.year, year)]


FIGURES = HERE / "figures" / "yearly.json"


def load_figures(path: Path = FIGURES) -> YearlyFigures:
    return YearlyFigures.model_validate(json.loads(path.read_text(encoding="utf-8")))


def load(folder: Path = HERE) -> RuleBook:
    return RuleBook([RulePack.model_validate(json.loads(p.read_text(encoding="utf-8")))
                     for p in sorted(folder.glob("*.json"))], load_figures(folder / "figures" / "yearly.json"))


@cache
def yearly_figures() -> YearlyFigures:
    """The figures shipped with the code."""
    return load_figures()


@cache
def rule_book() -> RuleBook:
    """The packs shipped with the code."""
    return load()
