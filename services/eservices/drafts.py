"""Drafts: a form being filled in. A draft is not a case; it is deleted after a retention
period (``DRAFT_RETENTION_DAYS``) with a reminder before."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..adapters.dynamo import query_all, query_partition
from ..adapters.store import ItemStore
from ..domain.errors import Conflict, DomainError, NotFound
from ..domain.personnummer import Personnummer
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
# The expiry index is one partition per day (UTC), so a sweep reads only the days it needs; DynamoDB's
# TTL removes a draft the sweep missed for longer than the grace (the sweep looks back further).
EXPIRY_TTL_GRACE = timedelta(days=2)
EXPIRY_LOOKBACK = timedelta(days=7)


@contextmanager
def _changed_elsewhere() -> Iterator[None]:
    """A lost conditional write, told in Swedish: drafts are the citizen's."""
    try:
        yield
    except Conflict:
        raise citizen_error(Conflict, CHANGED_ELSEWHERE) from None


def expiry_partition(day: date) -> str:
    return f"DRAFTEXPIRY#{day.isoformat()}"


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc)


class DraftRules:
    """A draft's identity and its two guarded writes, over any versioned store that has
    ``replace_now`` and ``replace`` (the table's ``ItemStore`` and the tests' in-memory twin)."""

    def ident(self, draft: Draft) -> tuple[str, str]:
        return (str(draft.owner), draft.draft_id)

    def not_found(self) -> DomainError:
        return citizen_error(NotFound, "Utkastet finns inte")

    def save(self, draft: Draft, expected_version: int) -> Draft:
        """Writes ``draft`` as the next version if nobody else wrote since ``expected_version``."""
        with _changed_elsewhere():
            return self.replace_now(draft, expected_version=expected_version,  # type: ignore[attr-defined]
                                    only_if={"status": "draft"})

    def submit(self, uow: Any, draft: Draft, case_id: str) -> Draft:
        """Stages the draft as submitted into ``case_id``, if it is still the open draft read."""
        return self.replace(uow, draft.model_copy(update={"status": "submitted", "case_id": case_id}),  # type: ignore[attr-defined]
                            expected_version=draft.version, only_if={"status": "draft"})


class DraftRepository(DraftRules, ItemStore[Draft]):
    model = Draft
    entity = "draft"
    conflict = CHANGED_ELSEWHERE

    def key(self, owner: str, draft_id: str) -> dict[str, str]:
        return {"pk": f"PERSON#{owner}", "sk": f"DRAFT#{draft_id}"}

    def indexes(self, draft: Draft) -> dict[str, Any]:
        if draft.status != "draft":
            return {}  # a submitted draft belongs to its case: neither swept nor expired
        expires = _utc(draft.expires_at)
        return {"gsi1pk": expiry_partition(expires.date()), "gsi1sk": f"{expires.isoformat()}#{draft.draft_id}",
                "ttl": int((expires + EXPIRY_TTL_GRACE).timestamp())}

    def list_open(self, owner: str) -> list[Draft]:
        items = query_partition(self.table, f"PERSON#{owner}", "DRAFT#")
        drafts = [Draft.model_validate(i) for i in items]
        return sorted((d for d in drafts if d.status == "draft"), key=lambda d: d.updated_at, reverse=True)

    def mark_reminded(self, uow: Any, draft: Draft) -> None:
        """Stages ``reminded`` at the same version: a reminder is no change of the citizen's."""
        uow.put(self.item(draft.model_copy(update={"reminded": True})), condition="#v = :v",
                names={"#v": "version"}, values={":v": draft.version})

    def delete(self, draft: Draft) -> None:
        with _changed_elsewhere():
            self.remove_now(draft, expected_version=draft.version)

    def expiring_before(self, instant: datetime, *, since: datetime | None = None) -> list[Draft]:
        """Open drafts expiring before ``instant``, from the day of ``since`` (default: a week back)."""
        end = _utc(instant)
        day, last = _utc(since or instant - EXPIRY_LOOKBACK).date(), end.date()
        found: list[Draft] = []
        while day <= last:
            items = query_all(self.table, IndexName="gsi1",
                              KeyConditionExpression="gsi1pk = :pk AND gsi1sk < :t",
                              ExpressionAttributeValues={":pk": expiry_partition(day), ":t": end.isoformat()})
            found += [Draft.model_validate(i) for i in items]
            day += timedelta(days=1)
        return found


class SubmitKeyRepository:
    """The Idempotency-Keys of submits: which draft a person's key was used for (kept a week)."""

    KEPT = timedelta(days=7)

    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def key(owner: str, idempotency_key: str) -> dict[str, str]:
        return {"pk": f"IDEMPOTENCY#{owner}", "sk": f"SUBMIT#{idempotency_key}"}

    def draft_of(self, owner: str, idempotency_key: str) -> str | None:
        """The draft this key submitted, or None if it is unused."""
        item = self.table.get_item(Key=self.key(owner, idempotency_key), ConsistentRead=True).get("Item")
        return None if item is None else str(item.get("draft_id"))

    def add(self, uow: Any, owner: str, idempotency_key: str, draft_id: str, case_id: str, now: datetime) -> None:
        uow.put({**self.key(owner, idempotency_key), "draft_id": draft_id, "case_id": case_id,
                 "ttl": int((now + self.KEPT).timestamp())}, condition="attribute_not_exists(pk)")
