"""Secure messages: the thread, its messages and attachments, an upload, the sender's side."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ....domain.personnummer import Personnummer

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 16 * 1024 * 1024
UPLOAD_TTL_SECONDS = 24 * 3600
UPLOAD_EXPIRES_SECONDS = 900
Party = Literal["citizen", "case_worker"]


class Attachment(BaseModel):
    attachment_id: str
    filename: str
    content_type: str
    size: int
    key: str


class Message(BaseModel):
    message_id: str
    thread_id: str
    from_party: Party
    author: str  # actor label: "case_worker:<id>", "citizen:<masked>", "relative:<masked>"
    author_name: str
    subject: str
    body: str
    sent_at: datetime
    read_receipt: bool = False
    read_at: datetime | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    # Entered in the journal (journalförd) by the case worker: when and by whom (actor label).
    journaled_at: datetime | None = None
    journaled_by: str | None = None


class Thread(BaseModel):
    thread_id: str
    citizen: Personnummer
    citizen_name: str
    case_worker_id: str
    case_worker_name: str
    case_id: str | None = None
    case_number: str | None = None
    subject: str
    created_at: datetime
    last_message_at: datetime
    unread_citizen: int = 0
    unread_case_worker: int = 0

    @property
    def audit_resource(self) -> str:
        """Where the thread is in the audit trail: under its case when it has one, so that a log
        follow-up by the case finds who read or wrote its messages; on its own otherwise."""
        own = f"thread:{self.thread_id}"
        return f"case:{self.case_id}/{own}" if self.case_id else own


class Upload(BaseModel):
    upload_id: str
    owner: str
    key: str
    filename: str
    content_type: str
    created_at: datetime
    used: bool = False


class Sender(BaseModel):
    """The side a caller speaks for, and how they are named in the thread."""

    party: Party
    author: str
    author_name: str
    uploader: str  # who owns the uploads the caller may attach
    citizen: Personnummer | None = None  # people: whom they act for
    user_id: str | None = None  # staff
    proxy: bool = False  # a relative acting for the citizen: audited like staff

    @property
    def audited(self) -> bool:
        return self.party == "case_worker" or self.proxy

    @property
    def as_whom(self) -> str | None:
        """The citizen a relative acts for, as the audit record keeps it."""
        return str(self.citizen) if self.proxy else None
