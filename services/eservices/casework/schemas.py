"""What case workers, contact persons and citizens send and get in case work and messages.

Requests forbid unknown fields and name every bad field (RFC 9457 via the HTTP layer).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from ...domain.bounds import SaneDate, check_line, check_text
from ...domain.personnummer import PersonnummerField
from ...domain.phone import EmailAddress, MobilePhone
from ..cases import StaffStatus
from ..sv import SwedishRequest
from .catalog import (HOME_CARE, INSATSER, LSS_CODES, MAX_MINUTES_PER_MONTH, Channel, FromWhom, IntakeType)

# Every text a case worker sends: no control characters, bidi overrides or lone surrogates
# (they would be stored and printed into letters); one-line texts also no line breaks.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(check_line)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(check_line)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), AfterValidator(check_text)]
Email = EmailAddress
Phone = MobilePhone
Ore = Annotated[int, Field(strict=True, ge=0, le=100_000_000)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9\-]{1,64}$")]
InsatsCode = Literal[tuple(INSATSER)]  # type: ignore[valid-type]
LssCode = Literal[tuple(sorted(LSS_CODES))]  # type: ignore[valid-type]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_before(value: date | None, info: ValidationInfo, start: str = "valid_from") -> date | None:
    begins = info.data.get(start)
    if value is not None and begins is not None and value < begins:
        raise ValueError(f"must be on or after {start}")
    return value


# -- inbox and cases --------------------------------------------------------------------

class InboxQuery(Request):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    status: StaffStatus | None = Field(None, description="the inbox's status codes: new (Ny), received, "
                                                         "in_progress, decided, closed")
    category: Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_line)] | None = None
    from_: SaneDate | None = Field(None, alias="from", description="submitted on or after (Stockholm date)")
    to: SaneDate | None = Field(None, description="submitted on or before (Stockholm date)")
    limit: int = Field(25, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(max_length=1000)] | None = None

    @field_validator("to")
    @classmethod
    def _to_after_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info, "from_")


class InboxRow(BaseModel):
    case_id: str
    case_number: str
    personnummer: str = Field(description="masked: YYYYMMDD-****")
    name: str = Field(description="\"Skyddad identitet\" for a person with protected identity")
    protected_identity: bool = False
    category: str
    status: str
    status_label: str
    submitted_at: datetime
    submitted_on: date


class InboxPage(BaseModel):
    items: list[InboxRow]
    next_cursor: str | None = None


class StaffDocument(BaseModel):
    document_id: str
    kind: str
    filename: str
    created_at: datetime
    url: str


class StatusStepView(BaseModel):
    """A step of the history: an event (the application was submitted, taken in, decided)."""

    status: str
    label: str
    at: datetime
    by: str


class CaseView(BaseModel):
    case_id: str
    case_number: str
    form_id: str
    title: str
    category: str
    status: str
    status_label: str
    personnummer: str
    name: str = Field(description="\"Skyddad identitet\" unless the caller is the case worker assigned at intake "
                                  "of a person with protected identity")
    protected_identity: bool = False
    submitted_at: datetime
    history: list[StatusStepView]
    answers: dict[str, dict[str, Any]]
    computed: dict[str, Any]
    documents: list[StaffDocument]
    intake: dict[str, Any] | None = None
    decisions: list[dict[str, Any]] = Field(default_factory=list)
    version: int


# -- intake -----------------------------------------------------------------------------

class IntakeRequest(Request):
    intake_type: IntakeType
    lss_insatser: list[LssCode] = Field(default_factory=list, validate_default=True, max_length=len(LSS_CODES),
                                        description="one or more, required for begaran_lss")
    case_worker_id: Text | None = Field(None, description="defaults to the caller")
    case_worker_name: Text | None = None
    organisation: Text
    from_whom: FromWhom = "den_enskilde"
    channel: Channel = "e_ansokan"
    reason: Line = ""
    note: LongText = ""

    @field_validator("lss_insatser")
    @classmethod
    def _lss_only_for_lss(cls, value: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("intake_type")
        if kind == "begaran_lss" and not value:
            raise ValueError("Begäran LSS needs one or more LSS insatser")
        if kind is not None and kind != "begaran_lss" and value:
            raise ValueError("LSS insatser go only with Begäran LSS")
        if len(set(value)) != len(value):
            raise ValueError("each insats once")
        return value


# -- decisions --------------------------------------------------------------------------

from ...domain.insatser import HOME_CARE_INSATSER  # noqa: E402 - the catalogue's breakdown of hemtjänst


class GrantedLine(Request):
    insats: Literal[HOME_CARE_INSATSER]  # type: ignore[valid-type]
    minutes_per_month: Annotated[int, Field(strict=True, ge=1, le=MAX_MINUTES_PER_MONTH)]


class InsatsDecision(Request):
    insats: InsatsCode
    outcome: Literal["granted", "refused"]
    granted_minutes_per_month: Annotated[int, Field(strict=True, ge=1, le=MAX_MINUTES_PER_MONTH)] | None = Field(
        None, validate_default=True, description="home care (hemtjanst) granted: required; otherwise absent")
    granted: list[GrantedLine] | None = Field(
        None, max_length=len(HOME_CARE_INSATSER),
        description="granted home care: the minutes per month per home-care insats, adding up to "
                    "granted_minutes_per_month; optional")
    provider_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                                  pattern=r"^[A-Za-z0-9._-]+$")] | None = Field(
        None, description="granted home care: the provider the order goes to; optional")
    social_psychiatry: bool = Field(False, description="granted home care within social psychiatry")
    valid_from: SaneDate
    valid_to: SaneDate | None = None
    motivation: LongText = ""

    @field_validator("granted")
    @classmethod
    def _lines_add_up(cls, value: list[GrantedLine] | None, info: ValidationInfo) -> list[GrantedLine] | None:
        if value is None:
            return value
        total = info.data.get("granted_minutes_per_month")
        if total is None:
            raise ValueError("only granted home care is broken down per insats")
        if len({g.insats for g in value}) != len(value):
            raise ValueError("each insats once")
        if sum(g.minutes_per_month for g in value) != total:
            raise ValueError(f"the minutes per insats must add up to granted_minutes_per_month ({total})")
        return value

    @field_validator("provider_id", "social_psychiatry")
    @classmethod
    def _only_for_granted_home_care(cls, value: Any, info: ValidationInfo) -> Any:
        if value and not (info.data.get("insats") == HOME_CARE and info.data.get("outcome") == "granted"):
            raise ValueError("only for granted home care")
        return value

    @field_validator("granted_minutes_per_month")
    @classmethod
    def _minutes_only_for_granted_home_care(cls, value: int | None, info: ValidationInfo) -> int | None:
        insats, outcome = info.data.get("insats"), info.data.get("outcome")
        if insats is None or outcome is None:
            return value
        if insats == HOME_CARE and outcome == "granted" and value is None:
            raise ValueError("granted home care needs the granted minutes per month")
        if (insats != HOME_CARE or outcome != "granted") and value is not None:
            raise ValueError("only granted home care has granted minutes per month")
        return value

    @field_validator("valid_to")
    @classmethod
    def _to_after_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info)


class DecisionRequest(Request):
    decisions: list[InsatsDecision] = Field(min_length=1, max_length=20)
    letter_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8000),
                           AfterValidator(check_text)] = ""

    @field_validator("decisions")
    @classmethod
    def _each_insats_once(cls, value: list[InsatsDecision]) -> list[InsatsDecision]:
        if len({d.insats for d in value}) != len(value):
            raise ValueError("one decision per insats")
        return value


# -- assignments ------------------------------------------------------------------------

class AssignmentRequest(Request):
    kind: Literal["kontaktperson", "kontaktfamilj"]
    contact_person: PersonnummerField
    contact_person_first_name: Text
    contact_person_last_name: Text
    client: PersonnummerField
    client_first_name: Text
    client_last_name: Text
    sessions_per_month: Annotated[int, Field(strict=True, ge=1, le=31)]
    monthly_fee_ore: Ore
    expense_allowance_ore: Ore
    valid_from: SaneDate
    valid_to: SaneDate | None = None
    case_id: Id | None = None
    note: LongText = ""

    @field_validator("client")
    @classmethod
    def _not_oneself(cls, value: str, info: ValidationInfo) -> str:
        if value == info.data.get("contact_person"):
            raise ValueError("a contact person cannot be their own client")
        return value

    @field_validator("valid_to")
    @classmethod
    def _to_after_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info)


class AssignmentChange(Request):
    """Only the fields sent change; ``valid_to: null`` makes the assignment open-ended."""

    version: int
    sessions_per_month: Annotated[int, Field(strict=True, ge=1, le=31)] | None = None
    monthly_fee_ore: Ore | None = None
    expense_allowance_ore: Ore | None = None
    valid_from: SaneDate | None = None
    valid_to: SaneDate | None = None
    note: LongText | None = None


class AssignmentQuery(Request):
    client: PersonnummerField | None = None
    contact_person: PersonnummerField | None = None


class AssignmentView(BaseModel):
    assignment_id: str
    kind: str
    contact_person: str
    contact_person_name: str
    client: str
    client_name: str
    sessions_per_month: int
    monthly_fee_ore: int
    expense_allowance_ore: int
    valid_from: date
    valid_to: date | None
    case_id: str | None
    note: str
    ended_at: datetime | None
    version: int


class MyAssignmentView(BaseModel):
    """What a contact person sees of an assignment: the client's name, not their personnummer."""

    assignment_id: str
    kind: str
    client_name: str
    client_personnummer: str = Field(description="masked: YYYYMMDD-****")
    sessions_per_month: int
    monthly_fee_ore: int
    expense_allowance_ore: int
    valid_from: date
    valid_to: date | None
    active: bool


# -- relatives --------------------------------------------------------------------------

class PersonRef(Request):
    personnummer: PersonnummerField
    first_name: Text
    last_name: Text


class ApprovalRequest(Request):
    citizen: PersonRef
    relative: PersonRef
    valid_from: SaneDate
    valid_to: SaneDate | None = None
    note: LongText = ""
    consent_recorded: bool

    @field_validator("relative")
    @classmethod
    def _not_oneself(cls, value: PersonRef, info: ValidationInfo) -> PersonRef:
        citizen = info.data.get("citizen")
        if citizen is not None and value.personnummer == citizen.personnummer:
            raise ValueError("a person cannot be their own relative")
        return value

    @field_validator("valid_to")
    @classmethod
    def _to_after_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _not_before(value, info)

    @field_validator("consent_recorded")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if not value:
            raise ValueError("record the citizen's consent before approving a relative")
        return value


class ApprovalChange(Request):
    version: int
    valid_from: SaneDate | None = None
    valid_to: SaneDate | None = None
    note: LongText | None = None


class ApprovalQuery(Request):
    citizen: PersonnummerField | None = None
    relative: PersonnummerField | None = None


class ApprovalView(BaseModel):
    approval_id: str
    citizen: str
    citizen_name: str
    relative: str
    relative_name: str
    valid_from: date
    valid_to: date | None
    note: str
    consent_recorded: bool
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    active_today: bool
    version: int


# -- messaging settings -----------------------------------------------------------------

class MessagingSettingsRequest(Request):
    citizen: PersonnummerField
    first_name: Text
    last_name: Text
    enabled: bool
    phone1: Phone | None = None
    phone2: Phone | None = None
    sms_alert: bool = False
    sms_phone: Literal[1, 2] | None = Field(None, validate_default=True,
                                            description="which phone gets the SMS alert")
    email_alert: bool = False
    email: Email | None = Field(None, validate_default=True)

    @field_validator("sms_phone")
    @classmethod
    def _sms_needs_a_phone(cls, value: int | None, info: ValidationInfo) -> int | None:
        if not info.data.get("sms_alert"):
            return value
        if value is None:
            raise ValueError("choose phone 1 or 2 for the SMS alert")
        if not info.data.get(f"phone{value}"):
            raise ValueError(f"phone {value} has no number")
        return value

    @field_validator("email")
    @classmethod
    def _email_alert_needs_an_address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("email_alert") and not value:
            raise ValueError("an e-mail address is needed for alerts by e-mail")
        return value


class PersonQuery(Request):
    citizen: PersonnummerField


class NameQuery(Request):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(check_line)] = ""


class MessagingSettingsView(BaseModel):
    citizen: str
    name: str
    enabled: bool
    phone1: str | None
    phone2: str | None
    sms_alert: bool
    sms_phone: int | None
    email_alert: bool
    email: str | None
    changed_by: str
    changed_at: datetime


class MessagingCitizen(BaseModel):
    """A citizen with messaging on, as the "To client" search shows them: name, then personnummer."""

    citizen: str
    name: str


# -- messages ---------------------------------------------------------------------------

ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/heic", "text/plain",
                    "application/msword",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "application/vnd.oasis.opendocument.text")
Filename = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                            pattern=r"^[^/\\\x00-\x1f\"]+$"), AfterValidator(check_line)]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                    AfterValidator(check_line)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000),
                 AfterValidator(check_text)]
Uploads = Annotated[list[Id], Field(max_length=5, description="upload ids, at most 5")]


class UploadRequest(Request):
    filename: Filename
    content_type: Literal[ATTACHMENT_TYPES]  # type: ignore[valid-type]


class CitizenUploadRequest(UploadRequest, SwedishRequest):
    """An upload a citizen or relative starts: the same fields, errors in Swedish."""


class UploadTicket(BaseModel):
    upload_id: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in: int


def _unique(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise ValueError("each attachment once")
    return value


class StaffNewMessage(Request):
    citizen: PersonnummerField
    case_id: Id | None = None
    subject: Subject
    body: Body
    read_receipt: bool = False
    attachments: Uploads = Field(default_factory=list)

    _unique_attachments = field_validator("attachments")(_unique)


class CitizenNewMessage(Request, SwedishRequest):
    case_id: Id
    subject: Subject
    body: Body
    read_receipt: bool = False
    attachments: Uploads = Field(default_factory=list)

    _unique_attachments = field_validator("attachments")(_unique)


class Reply(Request):
    body: Body
    read_receipt: bool = False
    attachments: Uploads = Field(default_factory=list)

    _unique_attachments = field_validator("attachments")(_unique)


class CitizenReply(Reply, SwedishRequest):
    """A reply from a citizen or relative: the same fields, errors in Swedish."""


class AttachmentView(BaseModel):
    attachment_id: str
    filename: str
    content_type: str
    size: int
    url: str


class MessageView(BaseModel):
    message_id: str
    from_party: Literal["citizen", "case_worker"]
    author_name: str
    subject: str
    body: str
    sent_at: datetime
    read_receipt: bool
    read_at: datetime | None = Field(None, description="shown to the sender when a read receipt was asked for")
    attachments: list[AttachmentView]


class ThreadSummary(BaseModel):
    thread_id: str
    subject: str
    citizen: str = Field(description="full personnummer for staff, masked for people")
    citizen_name: str
    case_worker_name: str
    case_id: str | None
    last_message_at: datetime
    unread: int


class ThreadView(ThreadSummary):
    messages: list[MessageView]


# -- audit ------------------------------------------------------------------------------

class AuditQuery(Request):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    person: PersonnummerField | None = None
    actor: Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_line)] | None = None
    from_: SaneDate = Field(alias="from")
    to: SaneDate
    format: Literal["json", "csv"] = "json"

    @field_validator("to")
    @classmethod
    def _to_after_from(cls, value: date, info: ValidationInfo) -> date:
        return _not_before(value, info, "from_")  # type: ignore[return-value]
