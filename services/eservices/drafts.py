"""Drafts: a form being filled in. A draft is not a case; it is deleted after a retention
period (``DRAFT_RETENTION_DAYS``) with a reminder before."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..adapters.dynamo import from_dynamo, query_all, query_partition, to_dynamo, translated_errors
from ..domain.errors import Conflict, NotFound
from ..domain.personnummer import Personnummer
from .sv import citizen_error

EXPIRY_INDEX_PK = "DRAFT_EXPIRY"


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


@contextmanager
def _changed_elsewhere() -> Iterator[None]:
    """A lost conditional write, told in Swedish: drafts are the citizen's."""
    try:
        with translated_errors(CHANGED_ELSEWHERE):
            yield
    except Conflict:
        raise citizen_error(Conflict, CHANGED_ELSEWHERE) from None


def draft_key(owner: str, draft_id: str) -> dict[str, str]:
    return {"pk": f"PERSON#{owner}", "sk": f"DRAFT#{draft_id}"}


def draft_item(draft: Draft) -> dict[str, Any]:
    item = {**draft_key(draft.owner, draft.draft_id), "type": "draft", **draft.model_dump(mode="json")}
    if draft.status == "draft":
        item["gsi1pk"] = EXPIRY_INDEX_PK
        item["gsi1sk"] = f"{draft.expires_at.isoformat()}#{draft.draft_id}"
    return item


class DraftRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, owner: str, draft_id: str) -> Draft:
        item = self.table.get_item(Key=draft_key(owner, draft_id), ConsistentRead=True).get("Item")
        if item is None:
            raise citizen_error(NotFound, "Utkastet finns inte")
        return Draft.model_validate(from_dynamo(item))

    def list_open(self, owner: str) -> list[Draft]:
        items = query_partition(self.table, f"PERSON#{owner}", "DRAFT#")
        drafts = [Draft.model_validate(i) for i in items]
        return sorted((d for d in drafts if d.status == "draft"), key=lambda d: d.updated_at, reverse=True)

    def add(self, draft: Draft) -> None:
        with translated_errors("the draft exists"):
            self.table.put_item(Item=to_dynamo(draft_item(draft)), ConditionExpression="attribute_not_exists(pk)")

    def save(self, draft: Draft, expected_version: int) -> Draft:
        """Writes ``draft`` as the next version if nobody else wrote since ``expected_version``."""
        saved = draft.model_copy(update={"version": expected_version + 1})
        with _changed_elsewhere():
            self.table.put_item(Item=to_dynamo(draft_item(saved)),
                                ConditionExpression="#v = :v AND #s = :draft",
                                ExpressionAttributeNames={"#v": "version", "#s": "status"},
                                ExpressionAttributeValues={":v": expected_version, ":draft": "draft"})
        return saved

    def delete(self, draft: Draft) -> None:
        with _changed_elsewhere():
            self.table.delete_item(Key=draft_key(draft.owner, draft.draft_id),
                                   ConditionExpression="#v = :v",
                                   ExpressionAttributeNames={"#v": "version"},
                                   ExpressionAttributeValues={":v": draft.version})

    def expiring_before(self, instant: datetime) -> list[Draft]:
        items = query_all(self.table, IndexName="gsi1",
                          KeyConditionExpression="gsi1pk = :pk AND gsi1sk < :t",
                          ExpressionAttributeValues={":pk": EXPIRY_INDEX_PK, ":t": instant.isoformat()})
        return [Draft.model_validate(i) for i in items]
