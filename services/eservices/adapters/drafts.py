"""Drafts and the submit keys in the e-services table.

A draft is an item beside its owner's profile (``PERSON#<owner>`` / ``DRAFT#<id>``). The expiry
index (``gsi1``) is one partition per day (UTC), so a sweep reads only the days it needs;
DynamoDB's TTL removes a draft the sweep missed for longer than the grace (the sweep looks back
further, ``EXPIRY_LOOKBACK``)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from ...adapters.dynamo import query_all, query_partition, translated_errors
from ...adapters.store import ItemStore
from ..domain.drafts import CHANGED_ELSEWHERE, EXPIRY_LOOKBACK, Draft, DraftRules, changed_elsewhere

EXPIRY_TTL_GRACE = timedelta(days=2)


def expiry_partition(day: date) -> str:
    return f"DRAFTEXPIRY#{day.isoformat()}"


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc)


class DynamoDraftRepository(DraftRules, ItemStore[Draft]):
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
        with translated_errors(self.conflict):
            items = query_partition(self.table, f"PERSON#{owner}", "DRAFT#")
        drafts = [self.load(i) for i in items]
        return sorted((d for d in drafts if d.status == "draft"), key=lambda d: d.updated_at, reverse=True)

    def mark_reminded(self, uow: Any, draft: Draft) -> None:
        """Stages ``reminded`` at the same version: a reminder is no change of the citizen's."""
        uow.put(self.item(draft.model_copy(update={"reminded": True})), condition="#v = :v",
                names={"#v": "version"}, values={":v": draft.version})

    def delete(self, draft: Draft) -> None:
        with changed_elsewhere():
            self.remove_now(draft, expected_version=draft.version)

    def expiring_before(self, instant: datetime, *, since: datetime | None = None) -> list[Draft]:
        """Open drafts expiring before ``instant``, from the day of ``since`` (default: a week back)."""
        end = _utc(instant)
        day, last = _utc(since or instant - EXPIRY_LOOKBACK).date(), end.date()
        found: list[Draft] = []
        while day <= last:
            with translated_errors(self.conflict):
                items = query_all(self.table, IndexName="gsi1",
                                  KeyConditionExpression="gsi1pk = :pk AND gsi1sk < :t",
                                  ExpressionAttributeValues={":pk": expiry_partition(day), ":t": end.isoformat()})
            found += [self.load(i) for i in items]
            day += timedelta(days=1)
        return found


class DynamoSubmitKeys:
    """The Idempotency-Keys of submits: which draft a person's key was used for (kept a week)."""

    KEPT = timedelta(days=7)

    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def key(owner: str, idempotency_key: str) -> dict[str, str]:
        return {"pk": f"IDEMPOTENCY#{owner}", "sk": f"SUBMIT#{idempotency_key}"}

    def draft_of(self, owner: str, idempotency_key: str) -> str | None:
        """The draft this key submitted, or None if it is unused."""
        with translated_errors():
            item = self.table.get_item(Key=self.key(owner, idempotency_key), ConsistentRead=True).get("Item")
        return None if item is None else str(item.get("draft_id"))

    def add(self, uow: Any, owner: str, idempotency_key: str, draft_id: str, case_id: str, now: datetime) -> None:
        """Stages the key; the commit fails with ``Conflict`` if the key was used already."""
        uow.put({**self.key(owner, idempotency_key), "draft_id": draft_id, "case_id": case_id,
                 "ttl": int((now + self.KEPT).timestamp())}, condition="attribute_not_exists(pk)")
