"""Request and response models of the e-services API."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

# In the OpenAPI document, answers are typed per form (components FormAnswers and
# FormAnswers_<form id>, built from each form's declaration).
Answers = Annotated[dict[str, dict[str, Any]], WithJsonSchema({"allOf": [{"$ref": "#/components/schemas/FormAnswers"}]})]

from ..domain.phone import OptionalEmailAddress, OptionalMobilePhone
from .domain.deliveries import DeliveryStatus

from .domain.citizen_problems import SwedishRequest


class StartDraft(SwedishRequest):
    model_config = ConfigDict(extra="forbid")
    form_id: str = Field(min_length=1, max_length=100)
    answers: Answers = Field(default_factory=dict)


class SaveDraft(SwedishRequest):
    """Merges the given fields into the draft, field by field: fields and steps not sent stay as
    they were. A field sent as ``null`` (or ``""``, ``[]``) is cleared. A rows field is one value:
    sending it replaces every row."""

    model_config = ConfigDict(extra="forbid")
    answers: Answers
    version: int = Field(ge=1, description="The draft's version as last read (optimistic concurrency)")


class FieldProblem(BaseModel):
    field: str
    detail: str


class DraftView(BaseModel):
    draft_id: str
    form_id: str
    title: str
    answers: Answers
    version: int
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    signed: bool
    missing: list[FieldProblem] = Field(default_factory=list, description="What is left before it can be signed")
    computed: dict[str, Any] = Field(default_factory=dict, description="Values the server derives (e.g. the km sum)")


class PreviewField(BaseModel):
    name: str
    label: str
    value: str


class PreviewStep(BaseModel):
    step: str
    title: str
    change_link: str
    fields: list[PreviewField]
    errors: list[FieldProblem]


class Preview(BaseModel):
    draft_id: str
    form_id: str
    title: str
    version: int
    steps: list[PreviewStep]
    computed: dict[str, Any]
    ready_to_sign: bool
    signed: bool


class SignatureView(BaseModel):
    order_ref: str
    status: str
    signed_at: datetime | None = None


class FollowUp(BaseModel):
    kind: str
    label: str
    method: str
    href: str


class SubmissionReceipt(BaseModel):
    case_id: str
    case_number: str
    submitted_at: datetime
    title: str
    summary: list[PreviewStep]
    computed: dict[str, Any]
    document_url: str
    follow_ups: list[FollowUp] = Field(default_factory=list)


class FormSummary(BaseModel):
    id: str
    title: str
    description: str
    category: str
    roles: list[str] = Field(default_factory=list, description="Who may fill it in (citizen, relative, contact_person)")


class ProfileView(BaseModel):
    personnummer: str
    first_name: str | None = None
    last_name: str | None = None
    address: dict[str, str] | None = Field(default=None, description="Never shown for a protected identity")
    protected_identity: bool = False
    email: str | None = None
    mobile: str | None = None
    notify_email: bool = False
    notify_sms: bool = False
    notifications: DeliveryStatus = Field(default_factory=DeliveryStatus,
                                          description="The latest e-mail and SMS sent to you, or why they failed")


class UpdateProfile(SwedishRequest):
    model_config = ConfigDict(extra="forbid")
    email: OptionalEmailAddress = None
    mobile: OptionalMobilePhone = Field(default=None, description="A Swedish mobile number; stored as +46…")
    notify_email: bool = False
    notify_sms: bool = False


class StatusStep(BaseModel):
    status: str
    label: str
    at: datetime


class DocumentLink(BaseModel):
    document_id: str
    kind: str
    filename: str
    url: str


class CaseSummary(BaseModel):
    case_id: str
    case_number: str
    title: str
    category: str
    status: str
    status_label: str
    submitted_at: datetime


class GrantedTimeView(BaseModel):
    """Granted time of one home-care insats, per month."""

    insats: str
    label: str
    minutes_per_month: int


class DecisionView(BaseModel):
    """A decision (beslut) as the citizen reads it: no case worker's identity."""

    insats: str
    law: str = ""
    law_reference: str = Field("", description="the law cited, in force on the decision date, e.g. "
                                                "'socialtjänstlagen (2025:400)'")
    outcome: str
    outcome_label: str
    valid_from: str | None = None
    valid_to: str | None = None
    granted_minutes_per_month: int | None = None
    granted: list[GrantedTimeView] = Field(
        default_factory=list, description="the granted time per home-care insats, when the decision breaks it down")
    motivation: str = ""
    decided_at: datetime | None = None
    letter_url: str | None = None


class CaseDetail(CaseSummary):
    history: list[StatusStep]
    documents: list[DocumentLink]
    decisions: list[DecisionView] = Field(default_factory=list)
    summary: list[PreviewStep]
    # A contact person's report the case worker sent back: why (send a new report), and when.
    returned_reason: str | None = None
    returned_at: datetime | None = None
