"""Visits, the events that make them, deviations, devices (locks and NFC tags), absences."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from ...domain.absences import AbsenceKind
from ...domain.bounds import CleanLine, SaneDatetime
from ...domain.personnummer import Personnummer

EventType = Literal["arrival", "departure", "insats", "double_staffing", "client_absent"]
ReceiptMethod = Literal["digital_lock", "nfc", "manual"]
ManualReason = Literal["technical_fault", "started_outside_home", "ended_outside_home"]
Location = Literal["home", "outside"]

# Insatser the staff app registers. Supervision (tillsyn) is registered on its own visit.
INSATSER = {
    "personlig_omsorg": "Personlig omsorg",
    "service": "Serviceinsatser",
    "morgonhjalp": "Morgonhjälp",
    "kvallshjalp": "Kvällshjälp",
    "dusch": "Dusch",
    "matdistribution": "Matdistribution",
    "inkop": "Inköp",
    "ledsagning": "Ledsagning",
    "tillsyn_vard_omsorg": "Tillsyn vård och omsorg",
    "tillsyn_service": "Tillsyn service",
    "tillfallig_vistelse": "Tillfällig vistelse hemtjänst",
}
SUPERVISION = frozenset({"tillsyn_vard_omsorg", "tillsyn_service"})


class VisitReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: ReceiptMethod
    device_id: CleanLine | None = Field(default=None, max_length=64, description="The lock or NFC tag read")
    manual_reason: ManualReason | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "VisitReceipt":
        if self.method == "manual" and self.manual_reason is None:
            raise ValueError("a manual receipt needs manual_reason")
        if self.method != "manual" and not self.device_id:
            raise ValueError("a lock or tag receipt needs device_id")
        return self


class _EventFields(BaseModel):
    """What every event holds, whoever made it. ``event_id`` is made by the phone: resending is harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: uuid.UUID
    type: EventType
    provider_id: CleanLine = Field(min_length=1, max_length=64)
    client: Personnummer
    device_time: AwareDatetime  # unbounded here: a queued event outside the window is rejected, not lost
    receipt: VisitReceipt
    insats: str | None = None
    location: Location = "home"
    unplanned: bool = False
    temporary_stay: bool = False

    @model_validator(mode="after")
    def _insats_named(self) -> "_EventFields":
        if self.type == "insats":
            if self.insats not in INSATSER:
                raise ValueError(f"insats must be one of {sorted(INSATSER)}")
        elif self.insats is not None:
            raise ValueError("only insats events name an insats")
        return self


class StaffAppEvent(_EventFields):
    """One event as the staff app sends it. The staff member is the caller: ``staff_id`` may be left
    out (the token's user is taken); another staff member's id is refused."""

    staff_id: CleanLine | None = Field(default=None, min_length=1, max_length=64,
                                       description="Your own user id, or left out")
    device_time: SaneDatetime = Field(description="With its time zone; 1900–2100")


class VisitEvent(_EventFields):
    """One event as the processor takes it: the staff member is set from the sender's token."""

    staff_id: str = Field(min_length=1, max_length=64)
    sent_by: str = Field(default="", max_length=200, description="Who sent it (role and user), from the token")


class QueuedEvents(BaseModel):
    """One ingest message: the events of one request (an older message held one event alone)."""

    events: list[VisitEvent] = Field(min_length=1, max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _one_event_alone(cls, data: object) -> object:
        if isinstance(data, dict) and "events" not in data:
            return {"events": [data]}
        return data


class StoredEvent(VisitEvent):
    model_config = ConfigDict(extra="ignore")  # stored items carry their keys too
    received_at: datetime
    superseded_by: str | None = Field(default=None, description="The correcting event; the builder skips this one")


class Deviation(BaseModel):
    code: Literal["manual_receipt", "post_registration", "adjusted_time", "over_granted_time", "long_visit",
                  "double_staffing_marked_twice", "client_absent", "no_decision"]
    reason: str = ""
    by: str
    at: datetime
    status: Literal["noted", "pending", "approved", "rejected"] = "noted"
    decided_by: str | None = None
    decided_at: datetime | None = None


class Change(BaseModel):
    version: int
    change: str
    by: str
    at: datetime
    why: str = ""
    user_id: str | None = Field(default=None, description="The person who made it; none for the system")


class Resolution(BaseModel):
    """A coordinator's resolution (red) or acknowledgement (grey) of one exception kind of a visit,
    with a reason code of ``reason_codes.json`` (and free text where the code needs it)."""

    kind: str
    code: str
    text: str = ""
    by: str = Field(description="Who resolved it (role and user)")
    user_id: str | None = None
    at: datetime
    version: int = Field(default=0, description="The visit's version the resolution was written in")


class Visit(BaseModel):
    visit_id: str
    provider_id: str
    client: Personnummer
    staff_id: str
    started_at: datetime
    ended_at: datetime | None = None
    insatser: list[str] = Field(default_factory=list)
    location: Location = "home"
    supervision: bool = False
    unplanned: bool = False
    temporary_stay: bool = False
    double_staffing: bool = False
    partner_visit_id: str | None = None
    client_absent: bool = False
    receipt_methods: list[str] = Field(default_factory=list)
    event_ids: list[str] = Field(default_factory=list)
    deviations: list[Deviation] = Field(default_factory=list)
    status: Literal["open", "registered", "approved"] = "open"
    approved_by: str | None = None
    approved_at: datetime | None = None
    source: Literal["events", "post_registration"] = "events"
    edited: bool = False
    version: int = 0
    history: list[Change] = Field(default_factory=list)
    resolutions: list[Resolution] = Field(default_factory=list)

    @property
    def minutes(self) -> int:
        if self.ended_at is None:
            return 0
        return max(0, round((self.ended_at - self.started_at).total_seconds() / 60))

    @property
    def authors(self) -> set[str]:
        """Who registered or changed the visit by hand (post-registration, edits)."""
        return {c.user_id for c in self.history if c.user_id and c.change in ("created", "edited")}

    @property
    def frozen(self) -> bool:
        """Approved, edited or post-registered visits are no longer rebuilt from events."""
        return self.status == "approved" or self.edited or self.source == "post_registration"


class Device(BaseModel):
    device_id: str
    kind: Literal["nfc", "digital_lock"]
    provider_id: str
    client: Personnummer | None = None
    status: Literal["ordered", "bound", "retired"] = "ordered"
    ordered_at: datetime
    bound_at: datetime | None = None
    retired_at: datetime | None = None


class Absence(BaseModel):
    absence_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    provider_id: str
    client: Personnummer
    kind: AbsenceKind
    starts_on: date
    ends_on: date | None = None
    learned_at: datetime
    announced_at: datetime | None = None
    registered_by: str
    registered_at: datetime
    revision: int = 1  # 2 once ended ("Avsluta"): what ``absence.registered`` carries
    ended_by: str | None = None
    ended_at: datetime | None = None


class RejectedEvent(BaseModel):
    """An event that failed a check (``checks``: never stored), breaks a visit's composition
    (``composition``) or has no arrival before it (``orphan``). The last two are stored events the
    builder holds back; a later rebuild withdraws them when they fit (an arrival arrived late).
    ``unprocessable``: the processor could not handle it (a time outside any sane window, or a
    failure while rebuilding its client-day); never stored, kept apart so it fails no one else."""

    model_config = ConfigDict(extra="ignore")
    event: VisitEvent
    reasons: list[str]
    received_at: datetime
    origin: Literal["checks", "composition", "orphan", "unprocessable"] = "checks"
    status: Literal["open", "corrected"] = "open"
    corrected_by_event: str | None = None
    corrected_by: str | None = None
    corrected_at: datetime | None = None
