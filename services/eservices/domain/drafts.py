"""Drafts: a form being filled in. A draft is not a case; it is deleted after a retention
period (``DRAFT_RETENTION_DAYS``) with a reminder before."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from ...domain.errors import Conflict, DomainError, NotFound
from ...domain.personnummer import Personnummer
from .citizen_problems import citizen_error


class Signature(BaseModel):
    order_ref: str
    status: Literal["pending", "complete", "failed"]
    digest: str
    signed_by: Personnummer | None = None
    signed_at: datetime | None = None
    signature: str | None = None


class Draft(BaseModel):
    draft_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    form_id: str
    owner: Personnummer  # whom the draft concerns (the applicant, the reporter)
    started_by: Personnummer  # who started it: the owner, or a relative acting for them
    answers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    reminded: bool = False
    version: int = 1
    status: Literal["draft", "submitted"] = "draft"
    case_id: str | None = None
    signature: Signature | None = None

    @classmethod
    def start(cls, form_id: str, owner: Personnummer, started_by: Personnummer, now: datetime,
              retention_days: int, answers: dict[str, dict[str, Any]] | None = None) -> "Draft":
        return cls(form_id=form_id, owner=owner, started_by=started_by, answers=answers or {}, created_at=now,
                   updated_at=now, expires_at=now + timedelta(days=retention_days))


CHANGED_ELSEWHERE = "Utkastet har ändrats någon annanstans. Hämta det igen."
# The sweep looks back a week: a store may drop a draft expired for longer (DynamoDB's TTL does).
EXPIRY_LOOKBACK = timedelta(days=7)


@contextmanager
def changed_elsewhere() -> Iterator[None]:
    """A lost conditional write, told in Swedish: drafts are the citizen's."""
    try:
        yield
    except Conflict:
        raise citizen_error(Conflict, CHANGED_ELSEWHERE) from None


class DraftRules:
    """A draft's identity, its "not found" and its two guarded writes (only while it is an open
    draft), over any versioned store that has ``replace_now`` and ``replace``: the DynamoDB
    adapter (``adapters/drafts.py``) and the tests' in-memory twin share them."""

    def ident(self, draft: Draft) -> tuple[str, str]:
        return (str(draft.owner), draft.draft_id)

    def not_found(self) -> DomainError:
        return citizen_error(NotFound, "Utkastet finns inte")

    def save(self, draft: Draft, expected_version: int) -> Draft:
        """Writes ``draft`` as the next version if nobody else wrote since ``expected_version``."""
        with changed_elsewhere():
            return self.replace_now(draft, expected_version=expected_version,  # type: ignore[attr-defined]
                                    only_if={"status": "draft"})

    def submit(self, uow: Any, draft: Draft, case_id: str) -> Draft:
        """Stages the draft as submitted into ``case_id``, if it is still the open draft read."""
        return self.replace(uow, draft.model_copy(update={"status": "submitted", "case_id": case_id}),  # type: ignore[attr-defined]
                            expected_version=draft.version, only_if={"status": "draft"})
