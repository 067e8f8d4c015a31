"""The inbox and a case as case workers see them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from ....domain.bounds import SaneDate, check_line
from ...domain.cases import StaffStatus
from .base import Request, not_before


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
        return not_before(value, info, "from_")


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


class StaffInboxQuery(InboxQuery):
    """The inbox as the case workers' pages ask for it: the API's filters, and a case worker's
    cases (``case_worker``, or ``mine``), the order by submit time, and a search by personnummer,
    case number (``YYYY-NNNNNN``) or name (``q``)."""

    case_worker: Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_line)] | None = None
    mine: bool = False
    order: Literal["newest", "oldest", "status", "status_desc"] = Field(
        "newest", description="by submit time, or by status (new to closed, or back) and newest first within it")
    kind: Literal["applications", "reports"] | None = Field(None, description="applications or contact-person reports")
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(check_line)] = ""


class TodoItem(BaseModel):
    key: str
    label: str
    count: int
    filter: dict[str, str] = Field(default_factory=dict, description="the inbox's filter that lists them, if any")
    hint: str = ""


class TodoCounts(BaseModel):
    """Att göra: what waits for a case worker, each with how many."""

    items: list[TodoItem]
    not_here: list[str] = Field(default_factory=list, description="what Att göra does not count (yet), and why")
