"""Secure messages: what the API takes and gives."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator

from ....domain.bounds import check_line, check_text
from ....domain.personnummer import Personnummer, PersonnummerField
from ...domain.citizen_problems import SwedishRequest
from .base import Id, Request


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
    journaled_at: datetime | None = Field(None, description="for staff: when the message was entered in the journal")


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
