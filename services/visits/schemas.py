"""Request and response models of the visits API."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..domain.absences import AbsenceKind
from ..domain.bounds import CleanLine, CleanText, SaneDate, SaneDatetime, check_date
from ..domain.personnummer import Personnummer
from .paging import DEFAULT_LIMIT, MAX_LIMIT
from .domain.exceptions import KINDS, ReasonCode
from .domain.model import Absence, Change, Deviation, Device, Location, RejectedEvent, Resolution, StaffAppEvent

MAX_INSATSER = 20  # a visit holds a handful; a bound keeps a hostile list from costing anything
Insatser = Annotated[list[Annotated[CleanLine, Field(max_length=64)]],
                     Field(min_length=1, max_length=MAX_INSATSER)]


class PostVisitEvents(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[StaffAppEvent] = Field(min_length=1, max_length=100)


class Accepted(BaseModel):
    accepted: int
    event_ids: list[str]


class VisitView(BaseModel):
    visit_id: str
    provider_id: str
    client: str = Field(description="Masked personnummer")
    staff_id: str
    started_at: datetime
    ended_at: datetime | None
    minutes: int
    insatser: list[str]
    location: str
    supervision: bool
    unplanned: bool
    temporary_stay: bool
    double_staffing: bool
    partner_visit_id: str | None
    client_absent: bool
    receipt_methods: list[str]
    deviations: list[Deviation]
    status: str
    approved_by: str | None = Field(default=None, description="Who approved it (role and user)")
    approved_at: datetime | None = None
    source: str
    edited: bool
    version: int
    history: list[Change] = Field(description="Every version: what changed, who, when and why")
    resolutions: list[Resolution] = Field(default_factory=list,
                                          description="Its exceptions resolved or acknowledged, with a reason code")
    locked: bool = Field(description="After the month's lock date nothing changes")


def _month_in_window(value: str) -> str:
    check_date(date(min(max(int(value[:4]), 1), 9999), int(value[5:7]), 1))  # year 0000 is no date at all
    return value


class VisitQuery(BaseModel):
    month: Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM"),
                     AfterValidator(_month_in_window)]
    provider_id: CleanLine | None = Field(default=None, max_length=64, description="Ordering unit and case workers")
    client: Personnummer | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="At most this many visits a page")
    cursor: str | None = Field(default=None, max_length=1000, pattern=r"^[A-Za-z0-9_-]*$",
                               description="Where the page starts: the Link rel=next of the page before")


class Reasoned(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: CleanText = Field(min_length=3, max_length=500)
    version: int = Field(ge=1)


class EditVisit(Reasoned):
    started_at: SaneDatetime | None = None
    ended_at: SaneDatetime | None = None
    insatser: Insatser | None = None

    @model_validator(mode="after")
    def _something(self) -> "EditVisit":
        if self.started_at is None and self.ended_at is None and self.insatser is None:
            raise ValueError("change started_at, ended_at or insatser")
        return self


class PostRegistration(BaseModel):
    """Efterregistrering: only when the technology failed, or for absence periods."""

    model_config = ConfigDict(extra="forbid")
    client: Personnummer
    staff_id: CleanLine | None = Field(default=None, min_length=1, max_length=64,
                                       description="Whose visit: yours if left out; a coordinator names the staff "
                                                   "member")
    started_at: SaneDatetime
    ended_at: SaneDatetime
    insatser: Insatser
    location: Location = "home"
    reason_code: Literal["technology_failure", "absence_period"]
    reason: CleanText = Field(min_length=3, max_length=500)

    @model_validator(mode="after")
    def _times(self) -> "PostRegistration":
        if self.ended_at <= self.started_at:
            raise ValueError("ended_at must be after started_at")
        return self


class DeviationDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    index: int = Field(ge=0)
    decision: Literal["approved", "rejected"]
    reason: CleanText = Field(min_length=3, max_length=500)


class RejectedQuery(BaseModel):
    status: Literal["open", "corrected"] | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="At most this many events a page (before the "
                                                                  "status filter)")
    cursor: str | None = Field(default=None, max_length=1000, pattern=r"^[A-Za-z0-9_-]*$",
                               description="Where the page starts: the Link rel=next of the page before")


class RejectedView(BaseModel):
    event_id: str
    event: dict = Field(description="The event as sent, the client's personnummer masked")
    reasons: list[str]
    origin: str = Field(description="checks: refused on arrival; composition / orphan: held back by the builder; "
                                    "unprocessable: the processor could not handle it")
    received_at: datetime
    status: str
    corrected_by_event: str | None
    corrected_by: str | None
    corrected_at: datetime | None

    @classmethod
    def of(cls, r: RejectedEvent) -> "RejectedView":
        return cls(event_id=str(r.event.event_id), event={**r.event.model_dump(mode="json"),
                                                          "client": r.event.client.masked},
                   reasons=r.reasons, origin=r.origin, received_at=r.received_at, status=r.status,
                   corrected_by_event=r.corrected_by_event, corrected_by=r.corrected_by, corrected_at=r.corrected_at)


class RegisterAbsence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: Personnummer
    kind: AbsenceKind
    starts_on: SaneDate
    ends_on: SaneDate | None = None
    learned_at: SaneDatetime
    announced_at: SaneDatetime | None = None

    @model_validator(mode="after")
    def _dates(self) -> "RegisterAbsence":
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class EndAbsence(BaseModel):
    """"Avsluta": the client is back; the last day of the absence."""

    model_config = ConfigDict(extra="forbid")
    ends_on: SaneDate = Field(description="The absence's last day (not before it began)")


class AbsenceView(BaseModel):
    absence_id: str
    client: str
    kind: str
    starts_on: date
    ends_on: date | None
    learned_at: datetime
    announced_at: datetime | None

    @classmethod
    def of(cls, a: Absence) -> "AbsenceView":
        return cls(absence_id=a.absence_id, client=a.client.masked, kind=a.kind, starts_on=a.starts_on,
                   ends_on=a.ends_on, learned_at=a.learned_at, announced_at=a.announced_at)


class OrderTags(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(ge=1, le=50)
    kind: Literal["nfc", "digital_lock"] = "nfc"


class BindTag(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: Personnummer


class DeviceView(BaseModel):
    device_id: str
    kind: str
    status: str
    client: str | None
    ordered_at: datetime
    bound_at: datetime | None
    retired_at: datetime | None

    @classmethod
    def of(cls, d: Device) -> "DeviceView":
        return cls(device_id=d.device_id, kind=d.kind, status=d.status, client=d.client.masked if d.client else None,
                   ordered_at=d.ordered_at, bound_at=d.bound_at, retired_at=d.retired_at)


class TagQuery(BaseModel):
    provider_id: CleanLine | None = Field(default=None, max_length=64, description="The ordering unit names the provider")


class AddStaff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")


class StaffView(BaseModel):
    provider_id: str
    user_id: str


# --- exceptions, triaged --------------------------------------------------------------------

ExceptionKindName = Literal[tuple(KINDS)]  # type: ignore[valid-type]
Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM"),
                  AfterValidator(_month_in_window)]


class ExceptionQuery(BaseModel):
    month: Month
    severity: Literal["red", "grey"] | None = Field(default=None, description="red: must be resolved; grey: acknowledged")
    kind: ExceptionKindName | None = None
    client: Personnummer | None = None
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="At most this many rows a page")
    cursor: str | None = Field(default=None, max_length=1000, pattern=r"^[A-Za-z0-9_-]*$",
                               description="Where the page starts: the Link rel=next of the page before")


class ExceptionEntry(BaseModel):
    kind: str
    severity: Literal["red", "grey"]
    label: str = Field(description="Swedish, as the pages show it")
    what_to_do: str = Field(description="Swedish: how it is resolved")
    by_reason: bool = Field(description="Resolved or acknowledged with a reason code (else by changing the data)")


class ExceptionRowView(BaseModel):
    """A visit with its unresolved exceptions, or a departure with no arrival (``event_id``: the
    held rejected event, corrected with POST /rejected-events/{event_id}/corrections)."""

    visit_id: str | None
    event_id: str | None
    client: str = Field(description="Masked personnummer")
    staff_id: str
    started_at: datetime = Field(description="The visit's start, or the event's device time")
    ended_at: datetime | None
    status: str = Field(description="The visit's status, or 'rejected_event'")
    version: int | None = Field(description="The visit's version, for a resolution")
    exceptions: list[ExceptionEntry]


class ResolveException(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ExceptionKindName
    code: CleanLine = Field(min_length=1, max_length=64, description="A reason code of GET /reason-codes that "
                                                                     "applies to the kind")
    text: CleanText = Field(default="", max_length=500, description="Free text; 3–500 characters where the code "
                                                                    "needs it ('other')")
    version: int = Field(ge=1)


class ReasonCodeView(BaseModel):
    code: str
    label: str = Field(description="Swedish")
    kinds: list[str] = Field(description="The exception kinds it applies to ('*': every kind)")
    needs_text: bool
    device: bool = Field(description="About the client's lock or tag: counted per device")

    @classmethod
    def of(cls, c: ReasonCode) -> "ReasonCodeView":
        return cls(code=c.code, label=c.label, kinds=sorted(c.kinds), needs_text=c.needs_text, device=c.device)


class MonthQuery(BaseModel):
    month: Month


class DeviceCountView(BaseModel):
    device_id: str | None = Field(description="The lock or tag bound to the client; none: none was bound")
    client: str = Field(description="Masked personnummer")
    count: int


class ReasonCountView(BaseModel):
    code: str
    label: str
    count: int = Field(description="Resolutions with this code of the month's visits")
    devices: list[DeviceCountView] = Field(description="Per lock or tag, for the device codes")
