"""The invoice basis: pure rules, from billing's read model and a rule pack to lines and totals.

- Granted time is the decision in force day by day: a month's granted minutes are the sum over
  its days of the monthly time in force that day ÷ the days of the month (the latest decided
  decision wins a day; a refusal revokes nothing).
- Billable time is performed time up to the granted time, visit by visit in time order; the part
  of a visit beyond it is billable only where the case worker approved it (the visit's
  over-granted deviation), otherwise it is listed as pending approval (or rejected).
- Absence and termination compensation: per the pack's day shares, from the day the provider
  learned of it (never before the absence began), each day a share of that day's granted time
  (monthly ÷ the pack's divisor); none if announced long enough before, or (termination) if the
  provider mismanaged the assignment; a day is compensated once whatever absences overlap it.
- Amounts are whole öre per line, each part rounded half up from the line's whole minutes, so
  the line can be recomputed by hand and the totals are the sums of the lines.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from operator import attrgetter

from pydantic import BaseModel, ConfigDict, Field

from ..domain.calendar import STOCKHOLM, stockholm_date
from ..domain.granted import Grant, day_minutes, divide_half_up, minutes_on, month_days
from ..domain.personnummer import Personnummer
from .model import AbsenceFacts, ClientMonth, ClientProfile, GrantFacts, VisitFacts
from .rules import DayRule, PreliminaryAmount, RulePack

SUMMED = ("granted_minutes", "performed_minutes", "billable_minutes", "approved_over_granted_minutes",
          "pending_approval_minutes", "rejected_minutes", "absence_minutes", "rural_minutes", "island_minutes",
          "visits_amount_ore", "absence_amount_ore", "rural_supplement_ore", "amount_ore")


def round_half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2) if value >= 0 else -round_half_up(-value)


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


# -- granted time -------------------------------------------------------------------------

def _granting(grants: Iterable[GrantFacts]) -> list[Grant]:
    return [Grant(g.insats, g.granted_minutes_per_month or 0, g.valid_from, g.valid_to, (g.decided_at, g.decision_id))
            for g in grants if g.outcome == "granted"]


def granted_on(grants: Iterable[GrantFacts], day: date, insatser: Sequence[str]) -> int:
    """Monthly granted minutes in force on ``day`` (the one rule of ``domain.granted``), summed
    over the pack's insatser."""
    mine = _granting(grants)
    return sum(minutes_on(mine, day, insats) or 0 for insats in insatser)


def granted_in_month(grants: Sequence[GrantFacts], year: int, month: int, insatser: Sequence[str]) -> int:
    """Whole minutes: the days' monthly time in force (as ``granted_on``), averaged over the
    month, rounded half up."""
    mine, days = _granting(grants), month_days(year, month)
    return divide_half_up(sum(day_minutes(mine, days, insats) or 0 for insats in insatser), len(days))


# -- billable time ------------------------------------------------------------------------

class Allocation(BaseModel):
    model_config = ConfigDict(frozen=True)
    performed: int = 0
    billable: int = 0
    approved_over: int = 0
    pending: int = 0
    rejected: int = 0
    visit_ids: tuple[str, ...] = ()


def allocate(visits: Iterable[VisitFacts], granted_minutes: int) -> Allocation:
    """Performed time up to the granted time, in time order; beyond it per the case worker's word."""
    performed = billable = approved = pending = rejected = 0
    ids = []
    counted = [v for v in visits if v.counted and not v.deleted]
    counted.sort(key=attrgetter("started_at", "visit_id"))  # UTC instants: compared as they are
    for visit in counted:
        ids.append(visit.visit_id)
        within = max(0, min(visit.minutes, granted_minutes - performed))
        over = visit.minutes - within
        performed += visit.minutes
        billable += within
        if over:
            if visit.over_granted == "approved":
                billable += over
                approved += over
            elif visit.over_granted == "rejected":
                rejected += over
            else:
                pending += over
    return Allocation(performed=performed, billable=billable, approved_over=approved, pending=pending,
                      rejected=rejected, visit_ids=tuple(ids))


# -- absence and termination ----------------------------------------------------------------

class AbsenceDay(BaseModel):
    model_config = ConfigDict(frozen=True)
    day: date
    absence_id: str
    share: str
    minutes: str  # exact, as a fraction: the line's absence_minutes is their rounded sum


def _rule_for(absence: AbsenceFacts, pack: RulePack) -> DayRule | None:
    for rule in (pack.absence, pack.termination):
        if absence.kind in rule.kinds:
            return rule
    return None


def _announced_in_time(absence: AbsenceFacts, rule: DayRule) -> bool:
    if rule.none_if_announced_hours_before is None or absence.announced_at is None:
        return False
    began = datetime.combine(absence.starts_on, time(0), tzinfo=STOCKHOLM)
    return began - absence.announced_at >= timedelta(hours=rule.none_if_announced_hours_before)


def absence_days(absences: Iterable[AbsenceFacts], grants: Sequence[GrantFacts], pack: RulePack,
                 year: int, month: int, mismanaged: Iterable[str] = ()) -> list[AbsenceDay]:
    """Every compensated day of the month, with the absence behind it and its exact minutes.
    ``mismanaged``: absences finance found the provider mismanaged."""
    out: list[AbsenceDay] = []
    taken: set[date] = set()
    mismanaged = set(mismanaged)
    for absence in sorted(absences, key=lambda a: (a.starts_on, a.learned_at, a.absence_id)):
        rule = _rule_for(absence, pack)
        if absence.withdrawn or rule is None or _announced_in_time(absence, rule):
            continue
        if rule.none_if_provider_mismanaged and (absence.provider_mismanaged or absence.absence_id in mismanaged):
            continue
        first = max(absence.starts_on, stockholm_date(absence.learned_at))
        for i, share in enumerate(rule.day_shares):
            day = first + timedelta(days=i)
            if rule is pack.absence and absence.ends_on is not None and day > absence.ends_on:
                break  # the client is back
            if day in taken or (day.year, day.month) != (year, month):
                continue
            taken.add(day)
            minutes = Fraction(share) * granted_on(grants, day, pack.granted.insatser) / Fraction(pack.granted.day_divisor)
            out.append(AbsenceDay(day=day, absence_id=absence.absence_id, share=str(share), minutes=str(minutes)))
    return sorted(out, key=lambda d: d.day)


# -- reference code ----------------------------------------------------------------------

def reference_code(client: str, profile: ClientProfile, pack: RulePack, year: int, month: int) -> str:
    codes = pack.reference_codes
    if Personnummer(client).age_on(date(year, month, 1)) >= codes.age_limit:
        return codes.at_or_over_age_limit
    return codes.under_age_limit_social_psychiatry if profile.social_psychiatry else codes.under_age_limit


# -- the basis -----------------------------------------------------------------------------

class RulePackRef(BaseModel):
    model_config = ConfigDict(frozen=True)
    pack_id: str
    municipality: str
    version: str
    valid_from: date
    valid_to: date | None = None
    hourly_rate_ore: int
    rural_per_hour_ore: int
    payment_terms_days: int

    @classmethod
    def of(cls, pack: RulePack) -> "RulePackRef":
        return cls(pack_id=pack.pack_id, municipality=pack.municipality, version=pack.version,
                   valid_from=pack.valid_from, valid_to=pack.valid_to, hourly_rate_ore=pack.hourly_rate_ore,
                   rural_per_hour_ore=pack.supplements.rural_per_hour_ore,
                   payment_terms_days=pack.payment_terms_days)


class Line(BaseModel):
    model_config = ConfigDict(frozen=True)
    client: str
    reference_code: str
    area: str = "standard"
    granted_minutes: int
    performed_minutes: int
    billable_minutes: int
    approved_over_granted_minutes: int
    pending_approval_minutes: int
    rejected_minutes: int
    absence_minutes: int
    rural_minutes: int
    island_minutes: int
    visits_amount_ore: int
    absence_amount_ore: int
    rural_supplement_ore: int
    amount_ore: int
    visit_ids: list[str] = Field(default_factory=list)
    absence_ids: list[str] = Field(default_factory=list)
    absence_days: list[AbsenceDay] = Field(default_factory=list)


class Totals(BaseModel):
    model_config = ConfigDict(frozen=True)
    clients: int = 0
    granted_minutes: int = 0
    performed_minutes: int = 0
    billable_minutes: int = 0
    approved_over_granted_minutes: int = 0
    pending_approval_minutes: int = 0
    rejected_minutes: int = 0
    absence_minutes: int = 0
    rural_minutes: int = 0
    island_minutes: int = 0
    visits_amount_ore: int = 0
    absence_amount_ore: int = 0
    rural_supplement_ore: int = 0
    amount_ore: int = 0

    @classmethod
    def of(cls, lines: Sequence[Line]) -> "Totals":
        return cls(clients=len(lines), **{f: sum(getattr(line, f) for line in lines) for f in SUMMED})


def _ore(minutes: int, per_hour_ore: int) -> int:
    return divide_half_up(minutes * per_hour_ore, 60)


def line_for(cm: ClientMonth, grants: Sequence[GrantFacts], profile: ClientProfile, pack: RulePack) -> Line:
    granted = granted_in_month(grants, cm.year, cm.month, pack.granted.insatser)
    alloc = allocate(cm.visits, granted)
    days = absence_days(cm.absences, grants, pack, cm.year, cm.month, profile.mismanaged_terminations)
    absence = round_half_up(sum((Fraction(d.minutes) for d in days), Fraction(0))) if days else 0
    rural = alloc.billable if profile.area == "rural" else 0
    island = alloc.billable if profile.area == "island" else 0
    visits_ore = _ore(alloc.billable, pack.hourly_rate_ore)
    absence_ore = _ore(absence, pack.hourly_rate_ore)
    rural_ore = _ore(rural, pack.supplements.rural_per_hour_ore)
    return Line(
        client=cm.client, reference_code=reference_code(cm.client, profile, pack, cm.year, cm.month),
        area=profile.area, granted_minutes=granted, performed_minutes=alloc.performed,
        billable_minutes=alloc.billable, approved_over_granted_minutes=alloc.approved_over,
        pending_approval_minutes=alloc.pending, rejected_minutes=alloc.rejected, absence_minutes=absence,
        rural_minutes=rural, island_minutes=island, visits_amount_ore=visits_ore, absence_amount_ore=absence_ore,
        rural_supplement_ore=rural_ore, amount_ore=visits_ore + absence_ore + rural_ore,
        visit_ids=list(alloc.visit_ids),
        absence_ids=sorted({a.absence_id for a in cm.absences if not a.withdrawn}),
        absence_days=days)


class Basis(BaseModel):
    """The figures of an invoice basis; status and versions are the use case's."""

    model_config = ConfigDict(frozen=True)
    provider_id: str
    month: str
    rule_pack: RulePackRef
    lines: list[Line]
    totals: Totals
    # the pack's amounts used past the period they were decided for (none in a basis stored before)
    preliminary_amounts: list[PreliminaryAmount] = Field(default_factory=list)


def compute(provider_id: str, year: int, month: int, months: Iterable[ClientMonth],
            grants: dict[str, Sequence[GrantFacts]], profiles: dict[str, ClientProfile], pack: RulePack,
            preliminary: Sequence[PreliminaryAmount] = ()) -> Basis:
    lines = [line_for(cm, grants.get(cm.client, ()), profiles.get(cm.client, ClientProfile()), pack)
             for cm in sorted(months, key=lambda m: m.client)]
    return Basis(provider_id=provider_id, month=month_label(year, month), rule_pack=RulePackRef.of(pack),
                 lines=lines, totals=Totals.of(lines), preliminary_amounts=list(preliminary))


def due_date(received_on: date, pack_terms_days: int) -> date:
    """Payment is due the given number of days after the invoice reached the municipality."""
    return received_on + timedelta(days=pack_terms_days)


class LineDifference(BaseModel):
    """What a correction changes on one client's line: new minus the last final version."""

    model_config = ConfigDict(frozen=True)
    client: str
    changes: dict[str, int]


def difference(new: Basis, old: Basis) -> tuple[list[LineDifference], dict[str, int]]:
    """Per client and in total, every summed figure that differs (new − old)."""
    before = {line.client: line for line in old.lines}
    after = {line.client: line for line in new.lines}
    out = []
    for client in sorted(before.keys() | after.keys()):
        changes = {}
        for f in SUMMED:
            delta = (getattr(after[client], f) if client in after else 0) - \
                (getattr(before[client], f) if client in before else 0)
            if delta:
                changes[f] = delta
        if changes:
            out.append(LineDifference(client=client, changes=changes))
    totals = {f: getattr(new.totals, f) - getattr(old.totals, f) for f in SUMMED}
    return out, {f: d for f, d in totals.items() if d}
