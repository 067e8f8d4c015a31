"""What billing keeps of others' events, and what it computes. Pure data, no I/O."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...domain.absences import AbsenceKind

OverGranted = Literal["none", "pending", "approved", "rejected"]
# Where a visit's attestation stands: approved by the provider's coordinator; ended but not
# approved; or waiting for the case worker's decision on a deviation (manual receipt, time beyond
# the granted). Only an approved visit is billable.
Attested = Literal["approved", "unapproved", "awaiting_decision"]
Area = Literal["standard", "rural", "island"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


@dataclass(frozen=True, slots=True)
class VisitFacts:
    """One visit as billing needs it (a plain dataclass: a month holds ~100,000 of them, built
    from already validated events). ``started_at`` is UTC; ``over_granted``: the case worker's
    word on time beyond the granted time (the visit's over-granted deviation)."""

    visit_id: str
    version: int
    started_at: datetime
    minutes: int
    counted: bool = True  # an unfinished visit, or one where the client was absent, bills nothing
    over_granted: OverGranted = "none"
    deleted: bool = False
    attested: Attested = "unapproved"  # unknown is not billed: only verified time is


class AbsenceFacts(_Model):
    absence_id: str
    kind: AbsenceKind
    starts_on: date
    ends_on: date | None = None
    learned_at: datetime
    announced_at: datetime | None = None
    provider_mismanaged: bool = False
    withdrawn: bool = False
    revision: int = 1  # the highest seen wins: an absence ended (2) is not reopened by its registration arriving late


class GrantFacts(_Model):
    """A decision on the client's insats; refusals are kept (they grant nothing)."""

    decision_id: str
    insats: str
    outcome: Literal["granted", "refused"]
    granted_minutes_per_month: int | None = None
    valid_from: date
    valid_to: date | None = None
    decided_at: datetime


class ClientProfile(_Model):
    """What finance classifies per client: the area (supplements), social psychiatry, and the
    terminations the provider mismanaged (no termination compensation for those)."""

    area: Area = "standard"
    social_psychiatry: bool = False
    mismanaged_terminations: tuple[str, ...] = ()


class ProfileChange(_Model):
    """One change of finance's classification: what it became, from which month it applies (None:
    from the start, as a classification set before its history was kept or without a month), who
    changed it, when and why. Each change is a new record; none is edited."""

    profile: ClientProfile
    applies_from: date | None = Field(default=None, description="The first day of the first month it applies to")
    changed_at: datetime | None = None
    changed_by: str = ""
    changed_by_name: str = ""
    reason: str = ""


class ClientMonth(_Model):
    """Everything of one client with one provider in one month, as billing's read model holds it."""

    provider_id: str
    client: str
    year: int
    month: int
    visits: tuple[VisitFacts, ...] = ()
    absences: tuple[AbsenceFacts, ...] = ()


class ClientRecord(_Model):
    """What billing keeps per client: the decisions (granted time), the ids of the client's
    terminations (what finance may mark mismanaged), and finance's classification."""

    client: str
    grants: tuple[GrantFacts, ...] = ()
    terminations: tuple[str, ...] = ()
    profile: ClientProfile = ClientProfile()
    social_psychiatry_decided: bool = False  # from the latest decision that says
    # finance's classification over time, oldest first (``profile`` is the latest one's)
    profile_history: tuple[ProfileChange, ...] = ()
    rev: int = 0


class ApprovedReport(_Model):
    """A contact person's monthly or time report, approved by a case worker against an assignment."""

    case_id: str
    assignment_id: str
    contact_person: str
    kind: Literal["monthly", "time"]
    year: int
    month: int
    km: float = Field(ge=0)
    fee_ore: int = Field(ge=0)
    allowance_ore: int = Field(ge=0)
    terms_year: int
    approved_at: datetime


# -- merging what arrives, in any order, any number of times -------------------------------------

def with_visit(cm: ClientMonth, facts: VisitFacts) -> ClientMonth:
    """Keeps, per visit, the highest version seen (a tombstone included)."""
    current = {v.visit_id: v for v in cm.visits}
    seen = current.get(facts.visit_id)
    if seen is not None and seen.version >= facts.version:
        return cm
    current[facts.visit_id] = facts
    return cm.model_copy(update={"visits": tuple(sorted(current.values(), key=lambda v: v.visit_id))})


def with_absence(cm: ClientMonth, facts: AbsenceFacts) -> ClientMonth:
    """Keeps, per absence, the highest revision seen (registered 1, ended 2), whatever the order."""
    current = {a.absence_id: a for a in cm.absences}
    seen = current.get(facts.absence_id)
    if seen is not None and seen.revision > facts.revision:
        return cm
    current[facts.absence_id] = facts
    return cm.model_copy(update={"absences": tuple(sorted(current.values(), key=lambda a: a.absence_id))})


def with_grant(record: ClientRecord, facts: GrantFacts, social_psychiatry: bool | None) -> ClientRecord:
    current = {g.decision_id: g for g in record.grants}
    latest = max(record.grants, key=lambda g: (g.decided_at, g.decision_id), default=None)
    current[facts.decision_id] = facts
    update: dict = {"grants": tuple(sorted(current.values(), key=lambda g: g.decision_id))}
    if social_psychiatry is not None and (latest is None or (facts.decided_at, facts.decision_id) >=
                                          (latest.decided_at, latest.decision_id)):
        update["social_psychiatry_decided"] = social_psychiatry
    return record.model_copy(update=update)


def with_termination(record: ClientRecord, absence_id: str) -> ClientRecord:
    if absence_id in record.terminations:
        return record
    return record.model_copy(update={"terminations": tuple(sorted({*record.terminations, absence_id}))})


def _from(change: ProfileChange) -> tuple[date, datetime]:
    return (change.applies_from or date.min, change.changed_at or datetime.min.replace(tzinfo=timezone.utc))


def profile_history(record: ClientRecord) -> list[ProfileChange]:
    """The changes in the order they take effect (by the month they apply from, then when made)."""
    return sorted(record.profile_history, key=_from)


def profile_in_force(record: ClientRecord, year: int, month: int) -> ClientProfile:
    """Finance's classification for the month: the change that applies from the latest month on or
    before it (a record without history: its one profile, for every month)."""
    if not record.profile_history:
        return record.profile
    first = date(year, month, 1)
    in_force = [c for c in profile_history(record) if c.applies_from is None or c.applies_from <= first]
    return in_force[-1].profile if in_force else ClientProfile()


def with_profile_change(record: ClientRecord, change: ProfileChange) -> ClientRecord:
    """The record with ``change`` added to its history (a classification kept before the history
    began becomes its first entry, from the start); ``profile`` is the latest in effect."""
    history = list(record.profile_history)
    if not history and record.profile != ClientProfile():
        history.append(ProfileChange(profile=record.profile, reason="Klassificering från före historiken"))
    history.append(change)
    latest = sorted(history, key=_from)[-1]
    return record.model_copy(update={"profile_history": tuple(history), "profile": latest.profile})


def profile_of(record: ClientRecord, year: int | None = None, month: int | None = None) -> ClientProfile:
    """Finance's classification (in force for the month, when given); social psychiatry also when
    the latest decision says so."""
    profile = record.profile if year is None or month is None else profile_in_force(record, year, month)
    return profile.model_copy(update={"social_psychiatry": profile.social_psychiatry or record.social_psychiatry_decided})
