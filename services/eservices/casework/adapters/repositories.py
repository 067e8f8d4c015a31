"""Case work's repositories over the e-services table: each owns its aggregate's keys, index
attributes and expressions; the use cases see aggregates only. Wired in ``casework/bootstrap.py``.
(Threads, messages and uploads: ``messages/store.py``; the inbox: ``inbox_index.py``.)"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ....adapters.dynamo import (UnitOfWork, days, from_dynamo, give_index_keys, query_partition, to_dynamo,
                                 translated_errors)
from ....adapters.store import ItemStore
from ..domain.assignments import Assignment
from ..domain.audit import MAX_PAGE, AuditRecord
from ..domain.messaging import MessagingSettings, search_key
from ..domain.report_approval import ReportApproval

ALL_PK = "ASSIGNMENTS"  # every assignment in one gsi2 partition, sorted by client
ENABLED_BY_SURNAME = "MESSAGING_ON"
ENABLED_BY_FIRST_NAME = "MESSAGING_ON#FIRST_NAME"
SHARDS = 10  # a day's audit records spread over this many partitions


def shard_of(audit_id: str) -> int:
    return int(hashlib.sha256(audit_id.encode()).hexdigest()[:8], 16) % SHARDS


class AuditRepository:
    """The audit records in the e-services table, append-only.

    A day's records are spread over ``SHARDS`` partitions (``AUDIT#<date>#<shard>``, the shard
    from the record id), so a busy day has no hot partition; reading a day queries every shard
    and merges. Person and actor searches go through ``gsi1``/``gsi2``, a resource's through
    ``gsi3`` (``AUDIT_RESOURCE#<top-level resource>``, e.g. ``case:<id>`` for ``case:<id>/document:<id>``
    too: "who has read or changed this case?" without reading the period). Changes are audited in
    the change's own transaction; reads in one batch write (no transaction, no condition: a
    record id is new by construction)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def item(record: AuditRecord) -> dict[str, Any]:
        stamp = f"{record.at.isoformat()}#{record.audit_id}"
        item: dict[str, Any] = {"pk": f"AUDIT#{record.at.date().isoformat()}#{shard_of(record.audit_id)}",
                                "sk": stamp, "type": "audit", **record.model_dump(mode="json"),
                                "gsi2pk": f"AUDIT_ACTOR#{record.actor}", "gsi2sk": stamp}
        if record.subject:
            item.update(gsi1pk=f"AUDIT_PERSON#{record.subject}", gsi1sk=stamp)
        if record.resource:
            item.update(gsi3pk=f"AUDIT_RESOURCE#{top_level(record.resource)}", gsi3sk=stamp)
        return item

    def add(self, uow: UnitOfWork, records: list[AuditRecord]) -> None:
        for record in records:
            uow.put(self.item(record), condition="attribute_not_exists(pk)")

    def add_now(self, records: list[AuditRecord]) -> None:
        with translated_errors("the audit record could not be written"), self.table.batch_writer() as batch:
            for record in records:  # BatchWriteItem, 25 at a time; unprocessed items are resent
                batch.put_item(Item=to_dynamo(self.item(record)))

    def search(self, *, person: str | None, actor: str | None, start: datetime, end: datetime,
               limit: int = MAX_PAGE, after: str | None = None,
               resource: str | None = None) -> tuple[list[AuditRecord], str | None]:
        """Records in [start, end), oldest first, by person, by actor, by top-level resource (only
        when neither person nor actor is given: every record whose resource is it or under it), or
        (none) all; at most ``limit`` and the sort key to continue after (None when there are no more)."""
        lo, hi = start.astimezone(timezone.utc).isoformat(), end.astimezone(timezone.utc).isoformat()
        if after:
            lo = after + "\x00"  # strictly after the last record returned
        if lo >= hi:  # a cursor at or past the end of the range: nothing follows
            return [], None
        found: list[dict] = []
        if person or actor or resource:
            index, key = (("gsi1", f"AUDIT_PERSON#{person}") if person else ("gsi2", f"AUDIT_ACTOR#{actor}") if actor
                          else ("gsi3", f"AUDIT_RESOURCE#{top_level(resource or '')}"))
            found = _bounded(self.table, limit, IndexName=index,
                             KeyConditionExpression=f"{index}pk = :pk AND {index}sk BETWEEN :lo AND :hi",
                             ExpressionAttributeValues={":pk": key, ":lo": lo, ":hi": hi})
        else:
            day = start.astimezone(timezone.utc).date()
            while day <= end.astimezone(timezone.utc).date() and len(found) <= limit:
                for shard in range(SHARDS):
                    found += _bounded(self.table, limit, ConsistentRead=True,
                                      KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
                                      ExpressionAttributeValues={":pk": f"AUDIT#{day.isoformat()}#{shard}",
                                                                 ":lo": lo, ":hi": hi})
                day += timedelta(days=1)
        found = sorted((i for i in found if i["sk"] < hi), key=lambda i: i["sk"])
        page, more = found[:limit], len(found) > limit
        return [AuditRecord.model_validate(i) for i in page], (page[-1]["sk"] if more else None)

    def index_by_resource(self, first: date, last: date) -> int:
        """One-off and idempotent (``make index-casework-audit``): records of the days [first, last]
        written before the index by resource get its keys now. Returns how many were given them."""
        def keys_of(item: dict) -> tuple[str, str] | None:
            if item.get("type") != "audit" or not item.get("resource"):
                return None
            return f"AUDIT_RESOURCE#{top_level(item['resource'])}", item["sk"]

        partitions = (f"AUDIT#{day.isoformat()}#{shard}" for day in days(first, last) for shard in range(SHARDS))
        return give_index_keys(self.table, partitions, "gsi3", keys_of)


def top_level(resource: str) -> str:
    """The resource a record is indexed under: ``case:<id>`` for ``case:<id>/document:<id>``."""
    return resource.split("/", 1)[0]


def _bounded(table: Any, limit: int, **kwargs: Any) -> list[dict]:
    """Up to ``limit`` + 1 items of a query in key order (one more says whether there are more)."""
    items: list[dict] = []
    while True:
        page = table.query(Limit=limit + 1 - len(items), **kwargs)
        items.extend(from_dynamo(page.get("Items", [])))
        if len(items) > limit or "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class AssignmentRepository(ItemStore[Assignment]):
    """Assignments by id; by contact person (``gsi1``) and by client (``gsi2``, one partition
    sorted by client, so one client's are a ``begins_with``)."""

    model = Assignment
    entity = "assignment"
    missing = "no such assignment"
    conflict = "the assignment was changed by someone else; reload it"

    def key(self, assignment_id: str) -> dict[str, str]:  # type: ignore[override]
        return {"pk": f"ASSIGNMENT#{assignment_id}", "sk": "ASSIGNMENT"}

    def ident(self, a: Assignment) -> tuple[str]:
        return (a.assignment_id,)

    def indexes(self, a: Assignment) -> dict[str, str]:
        return {"gsi1pk": f"CONTACT_PERSON#{a.contact_person}",
                "gsi1sk": f"{a.valid_from.isoformat()}#{a.assignment_id}",
                "gsi2pk": ALL_PK, "gsi2sk": f"{a.client}#{a.valid_from.isoformat()}#{a.assignment_id}"}

    def of_contact_person(self, pnr: str) -> list[Assignment]:
        return [self.load(i) for i in query_partition(self.table, f"CONTACT_PERSON#{pnr}", index="gsi1")]

    def of_client(self, pnr: str | None) -> list[Assignment]:
        """One client's assignments, or (None) every assignment."""
        return [self.load(i) for i in query_partition(self.table, ALL_PK, f"{pnr}#" if pnr else None, index="gsi2")]


class ReportApprovalRepository(ItemStore[ReportApproval]):
    """One approval per case, kept with the case."""

    model = ReportApproval
    entity = "report_approval"
    missing = "the report is not approved"
    conflict = "the report is approved already"

    def key(self, case_id: str) -> dict[str, str]:  # type: ignore[override]
        return {"pk": f"CASE#{case_id}", "sk": "REPORT_APPROVAL"}

    def ident(self, approval: ReportApproval) -> tuple[str]:
        return (approval.case_id,)


class MessagingRepository(ItemStore[MessagingSettings]):
    """One settings item per citizen. While messaging is on, the item is in two sorted name
    indexes (surname first in ``gsi2``, first name first in ``gsi1``), so the "To client" search
    is a ``begins_with`` on a key, never a scan of every citizen."""

    model = MessagingSettings
    entity = "messaging_settings"
    missing = "messaging has never been set up for this citizen"
    conflict = "the settings were changed by someone else; reload them"

    def key(self, citizen: str) -> dict[str, str]:  # type: ignore[override]
        return {"pk": f"PERSON#{citizen}", "sk": "MESSAGING"}

    def ident(self, s: MessagingSettings) -> tuple[str]:
        return (str(s.citizen),)

    def indexes(self, s: MessagingSettings) -> dict[str, str]:
        if not s.enabled:  # the search lists only citizens with messaging on
            return {}
        first, last = search_key(s.first_name), search_key(s.last_name)
        return {"gsi2pk": ENABLED_BY_SURNAME, "gsi2sk": f"{last} {first}#{s.citizen}",
                "gsi1pk": ENABLED_BY_FIRST_NAME, "gsi1sk": f"{first} {last}#{s.citizen}"}

    def require_enabled(self, uow: UnitOfWork, citizen: str) -> None:
        """The commit of ``uow`` fails with Conflict if messaging is off by then."""
        uow.check(self.key(citizen), "#e = :yes", names={"#e": "enabled"}, values={":yes": True})

    def enabled_named(self, name: str, limit: int) -> list[MessagingSettings]:
        """Citizens with messaging on whose surname or first name starts with ``name`` (any, if
        empty), by surname; at most ``limit`` from each index."""
        prefix = search_key(name)
        found: dict[str, MessagingSettings] = {}
        for index, pk in (("gsi2", ENABLED_BY_SURNAME), ("gsi1", ENABLED_BY_FIRST_NAME))[:2 if prefix else 1]:
            condition, values = f"{index}pk = :pk", {":pk": pk}
            if prefix:
                condition += f" AND begins_with({index}sk, :name)"
                values[":name"] = prefix
            page = self.table.query(IndexName=index, KeyConditionExpression=condition,
                                    ExpressionAttributeValues=values, Limit=limit)
            for item in page.get("Items", []):
                s = self.load(item)
                found.setdefault(str(s.citizen), s)
        return list(found.values())
