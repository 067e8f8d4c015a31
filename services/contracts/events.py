"""Event contracts: versioned pydantic models for everything that crosses a queue.

An event travels in an ``Envelope`` (id, type, version, time, source, payload) published to
the domain-events topic; each consumer's queue subscribes with a filter on ``event_type``.
A breaking change to a payload is a new version (a new class with ``version = 2``); consumers
accept the versions they know and fail, into their DLQ, on the ones they do not.

Personal data may travel in payloads (queues are encrypted at rest) but never in logs.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from ..clock import utc_now
from ..domain.absences import AbsenceKind
from ..domain.personnummer import PersonnummerField


def _now() -> datetime:
    return utc_now()  # the one clock (moved on the local stage by INSATS_CLOCK)


class Event(BaseModel):
    """Base for every payload. ``event_type`` and ``version`` identify the contract."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # schemas built on first use: cold start
    event_type: ClassVar[str]
    version: ClassVar[int] = 1

    def envelope(self, source: str, *, event_id: str | None = None, occurred_at: datetime | None = None) -> "Envelope":
        return Envelope(
            event_id=event_id or str(uuid.uuid4()),
            event_type=self.event_type,
            version=self.version,
            occurred_at=occurred_at or _now(),
            source=source,
            payload=self.model_dump(mode="json"),
        )


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    event_id: str
    event_type: str
    version: int
    occurred_at: datetime
    source: str
    payload: dict[str, Any]

    def parse(self) -> Event:
        try:
            model = REGISTRY[(self.event_type, self.version)]
        except KeyError:
            raise UnknownEvent(f"{self.event_type} v{self.version}") from None
        return model.model_validate(self.payload)

    def read(self) -> Event:
        """A consumer's reading: the same contract model, with fields a producer added since
        ignored (a new field is no new version; the models forbid unknown fields only so that a
        producer cannot emit a misspelt one, which ``parse`` checks)."""
        try:
            model = REGISTRY[(self.event_type, self.version)]
        except KeyError:
            raise UnknownEvent(f"{self.event_type} v{self.version}") from None
        return model.model_validate(self.payload, extra="ignore")


class UnknownEvent(ValueError):
    pass


class _FactsOnly(Event):
    """A domain event: facts only. Earlier versions carried a ``notify`` contact; it is dropped
    when read, so messages published before the change still parse."""

    @model_validator(mode="before")
    @classmethod
    def _drop_legacy_contact(cls, data: Any) -> Any:
        if isinstance(data, dict) and "notify" in data:
            data = {k: v for k, v in data.items() if k != "notify"}
        return data


# --- eservices -------------------------------------------------------------------------

class SubmissionReceived(_FactsOnly):
    event_type: ClassVar[str] = "submission.received"
    case_id: str
    case_number: str
    eservice: str
    owner: PersonnummerField
    submitted_at: datetime


class CaseStatusChanged(_FactsOnly):
    event_type: ClassVar[str] = "case.status_changed"
    case_id: str
    case_number: str
    owner: PersonnummerField
    status: str
    changed_at: datetime


class DecisionPublished(_FactsOnly):
    """Granted or refused insats; the source of granted time for visits, reports and billing."""

    event_type: ClassVar[str] = "decision.published"
    decision_id: str
    case_id: str
    case_number: str
    client: PersonnummerField
    insats: str
    law: Literal["SoL", "LSS", "FB"]
    outcome: Literal["granted", "refused"]
    granted_minutes_per_month: int | None = None
    valid_from: date
    valid_to: date | None = None
    decided_at: datetime


class AssignmentRegistered(Event):
    event_type: ClassVar[str] = "assignment.registered"
    assignment_id: str
    contact_person: PersonnummerField
    client: PersonnummerField
    kind: Literal["kontaktperson", "kontaktfamilj"]
    sessions_per_month: int
    monthly_fee_ore: int
    expense_allowance_ore: int
    valid_from: date
    valid_to: date | None = None


class ContactReportApproved(Event):
    """A case worker approved a contact person's monthly or time report against its assignment:
    what billing pays from (the assignment's fee and allowance, set at ``terms_year``'s
    prisbasbelopp, and the report's km). Changed in place: nothing emitted the first shape."""

    event_type: ClassVar[str] = "contact_report.approved"
    case_id: str
    assignment_id: str
    contact_person: PersonnummerField
    kind: Literal["monthly", "time"]
    year: int
    month: int
    km: float = Field(default=0, ge=0)
    fee_ore: int = Field(ge=0)
    allowance_ore: int = Field(ge=0)
    terms_year: int
    approved_at: datetime


class MessageSent(_FactsOnly):
    event_type: ClassVar[str] = "message.sent"
    message_id: str
    to_party: Literal["citizen", "case_worker"]
    recipient: PersonnummerField | None = None
    sent_at: datetime


# --- notifications -----------------------------------------------------------------------

Channel = Literal["email", "sms"]
Preferences = Literal["profile", "alerts"]


class Recipient(BaseModel):
    """Who is to be told, by reference: never an address. ``person`` is a personnummer,
    ``provider`` a provider id, ``mailbox`` a functional mailbox's name (e.g. ``casework``),
    ``staff`` a staff account's id in the identity context's directory (its work e-mail, which
    identity publishes; never under ``person``, where the citizen's own choice is kept)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # schemas built on first use: cold start
    kind: Literal["person", "provider", "mailbox", "staff"]
    ref: str = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _person_is_a_personnummer(self) -> "Recipient":
        if self.kind == "person":
            from ..domain.personnummer import parse

            object.__setattr__(self, "ref", str(parse(self.ref)))
        return self

    @property
    def key(self) -> str:
        return f"{self.kind}#{self.ref}"


class NotificationRequested(Event):
    """Ask notify to tell someone that something is waiting. Emitted in the same unit of work as
    the change. Carries no contact details: notify resolves them when it sends, from its copy of
    the recipient's preferences (``contact_preferences.changed``). The notification's id is the
    envelope's ``event_id``; delivery status comes back as ``notification.delivered``/``failed``."""

    event_type: ClassVar[str] = "notification.requested"
    version: ClassVar[int] = 2
    template: str
    recipient: Recipient
    preferences: Preferences = "profile"  # the person's own choice, or the alerts a case worker set
    channels: list[Channel] | Literal["preferred"] = "preferred"
    params: dict[str, str] = Field(default_factory=dict)  # never personal data: checked per template
    # Preferences changed in the same unit of work: notify waits (retries) until its copy is this new.
    contact_as_of: datetime | None = None


class ContactPreferencesChanged(Event):
    """A recipient's addresses and chosen channels, as the service that owns them now has them.
    Notify keeps the newest by ``changed_at`` (events may arrive out of order)."""

    event_type: ClassVar[str] = "contact_preferences.changed"
    recipient: Recipient
    preferences: Preferences = "profile"
    email: str | None = None
    phone: str | None = None  # E.164
    email_on: bool = False
    sms_on: bool = False
    changed_at: datetime


class NotificationDelivered(Event):
    """A notification went out on one channel (the provider accepted it)."""

    event_type: ClassVar[str] = "notification.delivered"
    notification_id: str
    template: str
    recipient: Recipient
    channel: Channel
    at: datetime


class NotificationFailed(Event):
    """A notification could not go out on one channel, for good."""

    event_type: ClassVar[str] = "notification.failed"
    notification_id: str
    template: str
    recipient: Recipient
    channel: Channel
    reason: Literal["no_address", "invalid_address", "suppressed", "bounced", "complaint", "rejected"]
    at: datetime


# --- visits ----------------------------------------------------------------------------

class VisitChanged(Event):
    event_type: ClassVar[str] = "visit.changed"
    visit_id: str
    client: PersonnummerField
    provider_id: str
    year: int
    month: int
    visit_version: int
    change: Literal["created", "updated", "approved", "unapproved", "edited", "deleted"] = "updated"


class AbsenceRegistered(Event):
    event_type: ClassVar[str] = "absence.registered"
    absence_id: str
    client: PersonnummerField
    provider_id: str
    kind: AbsenceKind
    starts_on: date
    ends_on: date | None = None
    learned_at: datetime
    announced_at: datetime | None = None
    # The absence's revision: 1 when registered, 2 when the provider ended it (the same event
    # again with ``ends_on`` set). A consumer keeps the highest revision of an absence, so an
    # older one arriving late changes nothing; an optional field, so no new version.
    revision: int = Field(default=1, ge=1)


# --- version 2: the content reports and billing compute from ------------------------------
#
# A v2 class subclasses its v1 class, so a handler written for v1 (``isinstance(e, VisitChanged)``)
# keeps working on v2; v1 payloads still parse. Deploy consumers before producers emit v2.
# The client's birth date (age band, billing reference code) is not carried: the personnummer
# holds it (``Personnummer.birth_date``, coordination numbers included).

class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # schemas built on first use: cold start


class GrantedTime(_Part):
    """Granted time of one home-care insats (the staff app's insats codes, e.g. ``personlig_omsorg``)."""

    insats: str
    minutes_per_month: int = Field(ge=0)


class DecisionPublishedV2(DecisionPublished):
    """v1 plus the granted time per insats, the provider the order goes to and the target group.

    ``granted_minutes_per_month`` stays the sum of ``granted`` (what v1 consumers read). A v1
    decision is, for a v2 consumer, one line: its ``insats`` with its ``granted_minutes_per_month``
    (``granted_lines``)."""

    version: ClassVar[int] = 2
    granted: list[GrantedTime] = Field(default_factory=list)
    provider_id: str | None = None
    social_psychiatry: bool = False
    case_worker_id: str | None = None  # the case's case worker (intake): whose client the follow-up shows them
    # the SFS number of the law version cited, in force on the decision date ("2001:453", "2025:400",
    # "1993:387"); ``law`` stays the act (SoL, LSS, FB)
    law_sfs: str | None = None


def granted_lines(decision: DecisionPublished) -> list[GrantedTime]:
    """The granted time of a decision of either version, per insats (empty for a refusal)."""
    if decision.outcome != "granted":
        return []
    if isinstance(decision, DecisionPublishedV2) and decision.granted:
        return list(decision.granted)
    if decision.granted_minutes_per_month:
        return [GrantedTime(insats=decision.insats, minutes_per_month=decision.granted_minutes_per_month)]
    return []


class VisitInsats(_Part):
    """An insats performed in a visit, with its share of the visit's minutes."""

    insats: str
    minutes: int = Field(ge=0)


class VisitDeviation(_Part):
    """A deviation's kind and where its decision stands; free-text reasons stay in visits."""

    code: str
    status: Literal["noted", "pending", "approved", "rejected"] = "noted"


class VisitContent(_Part):
    """What a visit is, as far as follow-up and billing need it. Minutes are whole minutes of
    ``ended_at - started_at`` (0 while open); ``insatser`` split them (see ``split_minutes``)."""

    staff_id: str
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    minutes: int = Field(ge=0)
    insatser: list[VisitInsats] = Field(default_factory=list)
    double_staffing: bool = False
    partner_visit_id: str | None = None
    receipt_methods: list[Literal["digital_lock", "nfc", "manual", "post_registration"]] = Field(default_factory=list)
    location: Literal["home", "outside"] = "home"
    supervision: bool = False
    unplanned: bool = False
    temporary_stay: bool = False
    client_absent: bool = False
    status: Literal["open", "registered", "approved"] = "open"
    source: Literal["events", "post_registration"] = "events"
    edited: bool = False
    deviations: list[VisitDeviation] = Field(default_factory=list)


def split_minutes(minutes: int, insatser: list[str]) -> list[VisitInsats]:
    """A visit's minutes over its insatser, evenly, the remainder to the first ones (the staff app
    registers what was done, not how long each took). Deterministic: the order given is kept."""
    if not insatser:
        return []
    share, rest = divmod(minutes, len(insatser))
    return [VisitInsats(insats=name, minutes=share + (1 if i < rest else 0)) for i, name in enumerate(insatser)]


class VisitChangedV2(VisitChanged):
    """v1 plus the visit as it is now in this month. ``visit`` is None when the visit is gone from
    the month (deleted, or moved to another month). A consumer keeps, per visit, the highest
    ``visit_version`` it has seen."""

    version: ClassVar[int] = 2
    visit: VisitContent | None = None


class RejectedEventsChanged(Event):
    """How many of a client-day's staff-app events are rejected and still open (not corrected).
    The latest ``as_of`` per provider, client and day stands."""

    event_type: ClassVar[str] = "rejected_events.changed"
    provider_id: str
    client: PersonnummerField
    day: date
    open_count: int = Field(ge=0)
    as_of: AwareDatetime


REGISTRY: dict[tuple[str, int], type[Event]] = {}
for _cls in (SubmissionReceived, CaseStatusChanged, DecisionPublished, AssignmentRegistered,
             ContactReportApproved, MessageSent, NotificationRequested, ContactPreferencesChanged,
             NotificationDelivered, NotificationFailed, VisitChanged, AbsenceRegistered,
             DecisionPublishedV2, VisitChangedV2, RejectedEventsChanged):
    REGISTRY[(_cls.event_type, _cls.version)] = _cls
