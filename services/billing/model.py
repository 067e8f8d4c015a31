"""What billing keeps of others' events, and what it computes. Pure data, no I/O."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

OverGranted = Literal["none", "pending", "approved", "rejected"]
Area = Literal["standard", "rural", "island"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class VisitFacts(_Model):
    """One visit as billing needs it. ``over_granted``: the case worker's word on time beyond
    the granted time (the visit's over-granted deviation)."""

    visit_id: str
    version: int
    started_at: datetime
    minutes: int = Field(ge=0)
    counted: bool = True  # an unfinished visit, or one where the client was absent, bills nothing
    over_granted: OverGranted = "none"
    deleted: bool = False


class AbsenceFacts(_Model):
    absence_id: str
    kind: str
    starts_on: date
    ends_on: date | None = None
    learned_at: datetime
    announced_at: datetime | None = None
    provider_mismanaged: bool = False
    withdrawn: bool = False


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
    """What finance classifies per client: the area (supplements) and social psychiatry."""

    area: Area = "standard"
    social_psychiatry: bool = False


class ClientMonth(_Model):
    """Everything of one client with one provider in one month, as billing's read model holds it."""

    provider_id: str
    client: str
    year: int
    month: int
    visits: tuple[VisitFacts, ...] = ()
    absences: tuple[AbsenceFacts, ...] = ()
