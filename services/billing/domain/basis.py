"""The invoice basis: pure rules, from billing's read model and a rule pack to lines and totals.

- Granted time is the decision in force day by day: a month's granted minutes are the sum over
  its days of the monthly time in force that day ÷ the days of the month (the latest decided
  decision wins a day; a refusal revokes nothing).
- Only verified time is billable (seed 004: the basis agrees with the registered *and approved*
  time). A visit the provider's coordinator has not approved ("Ej godkänt") and a visit with a
  deviation the case worker has not decided ("Väntar på beslut": a manual receipt, time beyond
  the granted) are listed apart with their minutes (``unverified``), never billed, and take no
  granted time: performed time is the verified visits' time.
- Billable time is performed time up to the granted time, visit by visit in time order; the part
  of a visit beyond it is billable only where the case worker approved it (the visit's
  over-granted deviation), otherwise it is listed as pending approval (or rejected).
- Absence and termination compensation: per the pack's day shares, from the day the provider
  learned of it (never before the absence began), each day a share of that day's granted time
  (monthly ÷ the pack's divisor); none if announced long enough before, or (termination) if the
  provider mismanaged the assignment; a day is compensated once whatever absences overlap it.
- A visit on a compensated absence day is billed once, by this rule: billable (approved) visit
  time that day wins and the day's absence compensation is dropped, because the client was in
  fact served and the compensation only stands in for planned work the provider lost. While the
  day's visits are not verified (or bill no minute) the compensation stays and the visit bills
  nothing. Either way the day is flagged (``visits_on_absence_days``) for finance to see.
- Amounts are whole öre per line, each part rounded half up from the line's whole minutes, so
  the line can be recomputed by hand and the totals are the sums of the lines.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from operator import attrgetter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...domain.calendar import STOCKHOLM, stockholm_date
from ...domain.granted import Grant, day_minutes, divide_half_up, minutes_on, month_days
from ...domain.personnummer import Personnummer
from .model import AbsenceFacts, ClientMonth, ClientProfile, GrantFacts, VisitFacts
from .rules import DayRule, PreliminaryAmount, RulePack

SUMMED = ("granted_minutes", "performed_minutes", "billable_minutes", "approved_over_granted_minutes",
          "pending_approval_minutes", "rejected_minutes", "absence_minutes", "rural_minutes", "island_minutes",
          "visits_amount_ore", "absence_amount_ore", "rural_supplement_ore", "amount_ore",
          "unapproved_minutes", "awaiting_decision_minutes")
UNVERIFIED_LABELS = {"unapproved": "Ej godkänt", "awaiting_decision": "Väntar på beslut"}


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

@dataclass(frozen=True)
class Allocation:
    performed: int = 0
    billable: int = 0
    approved_over: int = 0
    pending: int = 0
    rejected: int = 0
    visit_ids: tuple[str, ...] = ()
    unverified: dict[str, tuple[VisitFacts, ...]] = field(default_factory=dict)  # by attestation
    billed: dict[str, int] = field(default_factory=dict)  # billable minutes per verified visit


def attestation_of(visit: VisitFacts) -> str:
    """Time beyond the granted waiting for the case worker holds the whole visit, whatever else it says."""
    return "awaiting_decision" if visit.over_granted == "pending" else visit.attested


def allocate(visits: Iterable[VisitFacts], granted_minutes: int) -> Allocation:
    """Verified performed time up to the granted time, in time order; beyond it per the case
    worker's word. Unverified visits are set apart: they bill nothing and take no granted time."""
    performed = billable = approved = pending = rejected = 0
    ids, billed = [], {}
    unverified: dict[str, list[VisitFacts]] = {}
    counted = [v for v in visits if v.counted and not v.deleted]
    counted.sort(key=attrgetter("started_at", "visit_id"))  # UTC instants: compared as they are
    for visit in counted:
        state = attestation_of(visit)
        if state != "approved":
            unverified.setdefault(state, []).append(visit)
            continue
        ids.append(visit.visit_id)
        within = max(0, min(visit.minutes, granted_minutes - performed))
        over = visit.minutes - within
        performed += visit.minutes
        billable += within
        billed[visit.visit_id] = within
        if over:
            if visit.over_granted == "approved":
                billable += over
                approved += over
                billed[visit.visit_id] += over
            elif visit.over_granted == "rejected":
                rejected += over
            else:
                pending += over
    return Allocation(performed=performed, billable=billable, approved_over=approved, pending=pending,
                      rejected=rejected, visit_ids=tuple(ids), billed=billed,
                      unverified={k: tuple(v) for k, v in unverified.items()})


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
    unapproved_minutes: int = Field(default=0, description="Ej godkänt: not billed")
    awaiting_decision_minutes: int = Field(default=0, description="Väntar på beslut: not billed")


class UnverifiedLine(BaseModel):
    """A client's visits the basis does not bill yet, on a line of their own."""

    model_config = ConfigDict(frozen=True)
    client: str
    attestation: Literal["unapproved", "awaiting_decision"]
    label: str = Field(description="Ej godkänt (the provider's coordinator has not approved) or Väntar på "
                                   "beslut (a deviation the case worker has not decided)")
    visits: int
    minutes: int
    visit_ids: list[str]


class VisitOnAbsenceDay(BaseModel):
    """A day compensated as an absence that also has a performed visit: billed once (``billed``)."""

    model_config = ConfigDict(frozen=True)
    client: str
    day: date
    absence_id: str
    absence_kind: str
    visit_ids: list[str]
    visit_minutes: int = Field(description="The day's performed minutes, verified or not")
    billed_visit_minutes: int = Field(description="What the day's verified visits bill")
    compensation_minutes: str = Field(description="The day's absence compensation, exact (a fraction)")
    billed: Literal["visit", "absence"]
    label: str


class UnverifiedConfirmation(BaseModel):
    """Finance made the basis final although visits were not verified: who, when, why, and what."""

    model_config = ConfigDict(frozen=True)
    reason: str
    confirmed_by: str
    confirmed_at: datetime
    unapproved_visits: int
    unapproved_minutes: int
    awaiting_decision_visits: int
    awaiting_decision_minutes: int


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
    unapproved_minutes: int = 0  # listed apart, never in the billed figures above
    awaiting_decision_minutes: int = 0

    @classmethod
    def of(cls, lines: Sequence[Line]) -> "Totals":
        return cls(clients=len(lines), **{f: sum(getattr(line, f) for line in lines) for f in SUMMED})


def _ore(minutes: int, per_hour_ore: int) -> int:
    return divide_half_up(minutes * per_hour_ore, 60)


def line_for(cm: ClientMonth, grants: Sequence[GrantFacts], profile: ClientProfile, pack: RulePack) -> Line:
    return bill_client_month(cm, grants, profile, pack)[0]


def _unverified_lines(client: str, alloc: Allocation) -> list[UnverifiedLine]:
    return [UnverifiedLine(client=client, attestation=state, label=UNVERIFIED_LABELS[state], visits=len(vs),
                           minutes=sum(v.minutes for v in vs), visit_ids=[v.visit_id for v in vs])
            for state, vs in sorted(alloc.unverified.items(), key=lambda kv: list(UNVERIFIED_LABELS).index(kv[0]))]


def _billed_once(cm: ClientMonth, days: list[AbsenceDay], alloc: Allocation
                 ) -> tuple[list[AbsenceDay], list[VisitOnAbsenceDay]]:
    """The compensated days that stay, and a flag per day that also has a visit (the rule in the
    module's docstring: billable visit time wins the day, else the compensation stays)."""
    if not days:
        return days, []
    on_day: dict[date, list[VisitFacts]] = {}
    for v in sorted(cm.visits, key=attrgetter("started_at", "visit_id")):
        if v.counted and not v.deleted:
            on_day.setdefault(stockholm_date(v.started_at), []).append(v)
    kinds = {a.absence_id: a.kind for a in cm.absences}
    kept, flagged = [], []
    for d in days:
        visits = on_day.get(d.day)
        if not visits:
            kept.append(d)
            continue
        billed = sum(alloc.billed.get(v.visit_id, 0) for v in visits)
        if not billed:
            kept.append(d)
        flagged.append(VisitOnAbsenceDay(
            client=cm.client, day=d.day, absence_id=d.absence_id, absence_kind=kinds.get(d.absence_id, ""),
            visit_ids=[v.visit_id for v in visits], visit_minutes=sum(v.minutes for v in visits),
            billed_visit_minutes=billed, compensation_minutes=d.minutes, billed="visit" if billed else "absence",
            label="Besök på frånvarodag: besöket faktureras, frånvaroersättningen utgår" if billed else
            "Besök på frånvarodag: frånvaroersättningen faktureras, besöket faktureras inte"))
    return kept, flagged


def bill_client_month(cm: ClientMonth, grants: Sequence[GrantFacts], profile: ClientProfile, pack: RulePack
                      ) -> tuple[Line, list[UnverifiedLine], list[VisitOnAbsenceDay]]:
    """A client's line, the visits it does not bill yet, and the days billed once of two."""
    granted = granted_in_month(grants, cm.year, cm.month, pack.granted.insatser)
    alloc = allocate(cm.visits, granted)
    days = absence_days(cm.absences, grants, pack, cm.year, cm.month, profile.mismanaged_terminations)
    days, flagged = _billed_once(cm, days, alloc)
    absence = round_half_up(sum((Fraction(d.minutes) for d in days), Fraction(0))) if days else 0
    rural = alloc.billable if profile.area == "rural" else 0
    island = alloc.billable if profile.area == "island" else 0
    visits_ore = _ore(alloc.billable, pack.hourly_rate_ore)
    absence_ore = _ore(absence, pack.hourly_rate_ore)
    rural_ore = _ore(rural, pack.supplements.rural_per_hour_ore)
    line = Line(
        client=cm.client, reference_code=reference_code(cm.client, profile, pack, cm.year, cm.month),
        area=profile.area, granted_minutes=granted, performed_minutes=alloc.performed,
        billable_minutes=alloc.billable, approved_over_granted_minutes=alloc.approved_over,
        pending_approval_minutes=alloc.pending, rejected_minutes=alloc.rejected, absence_minutes=absence,
        rural_minutes=rural, island_minutes=island, visits_amount_ore=visits_ore, absence_amount_ore=absence_ore,
        rural_supplement_ore=rural_ore, amount_ore=visits_ore + absence_ore + rural_ore,
        visit_ids=list(alloc.visit_ids),
        absence_ids=sorted({a.absence_id for a in cm.absences if not a.withdrawn}),
        absence_days=days, unapproved_minutes=sum(v.minutes for v in alloc.unverified.get("unapproved", ())),
        awaiting_decision_minutes=sum(v.minutes for v in alloc.unverified.get("awaiting_decision", ())))
    return line, _unverified_lines(cm.client, alloc), flagged


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
    unverified: list[UnverifiedLine] = Field(default_factory=list)
    visits_on_absence_days: list[VisitOnAbsenceDay] = Field(default_factory=list)


def compute(provider_id: str, year: int, month: int, months: Iterable[ClientMonth],
            grants: dict[str, Sequence[GrantFacts]], profiles: dict[str, ClientProfile], pack: RulePack,
            preliminary: Sequence[PreliminaryAmount] = ()) -> Basis:
    lines, unverified, flagged = [], [], []
    for cm in sorted(months, key=lambda m: m.client):
        line, held, once = bill_client_month(cm, grants.get(cm.client, ()), profiles.get(cm.client, ClientProfile()), pack)
        lines.append(line)
        unverified += held
        flagged += once
    return Basis(provider_id=provider_id, month=month_label(year, month), rule_pack=RulePackRef.of(pack),
                 lines=lines, totals=Totals.of(lines), preliminary_amounts=list(preliminary),
                 unverified=unverified, visits_on_absence_days=flagged)


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


class FinalBasis(BaseModel):
    """A final invoice basis: never changed once stored. A correction is the next version."""

    model_config = ConfigDict(frozen=True)
    version: int
    basis: Basis
    finalized_at: datetime
    finalized_by: str
    corrects_version: int | None = None
    difference: list[LineDifference] = []
    difference_totals: dict[str, int] = {}
    unverified_confirmation: UnverifiedConfirmation | None = None
