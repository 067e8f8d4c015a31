"""The audit trail (loggning av åtkomst): every read or change of personal data by staff leaves an
append-only record of who, when, what, whose and why.

Records are written with a conditional put (``attribute_not_exists``), changes in the same
transaction as the change itself; there is no update or delete of a record anywhere. The
personnummer of whom the record is about is kept in the record (auditors search by it) but
never written to a log line. Auditors search by person, actor or dates and export CSV or JSON.
"""
from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Literal

from chalice import Response
from pydantic import BaseModel

from ...adapters.dynamo import query_all, to_dynamo, translated_errors
from ...domain.calendar import STOCKHOLM
from ...domain.errors import ValidationFailed

Kind = Literal["read", "change"]

# Why staff touched personal data, by what they did: the purpose kept with each record.
PURPOSES: dict[str, str] = {
    "inbox.list": "Fördelning av inkomna e-ansökningar",
    "case.read": "Handläggning av ärende",
    "case.document.read": "Handläggning av ärende",
    "intake.create": "Aktualisering av ärende",
    "decision.create": "Beslut i ärende",
    "assignment.create": "Uppdrag som kontaktperson/kontaktfamilj",
    "assignment.read": "Uppdrag som kontaktperson/kontaktfamilj",
    "assignment.change": "Uppdrag som kontaktperson/kontaktfamilj",
    "assignment.end": "Uppdrag som kontaktperson/kontaktfamilj",
    "relative.create": "Godkännande av närstående efter samtycke",
    "relative.read": "Godkännande av närstående efter samtycke",
    "relative.change": "Godkännande av närstående efter samtycke",
    "relative.end": "Godkännande av närstående efter samtycke",
    "messaging.change": "Aktivering av meddelandefunktion",
    "messaging.read": "Aktivering av meddelandefunktion",
    "message.send": "Kommunikation med den enskilde",
    "message.read": "Kommunikation med den enskilde",
    "message.attachment.read": "Kommunikation med den enskilde",
    "message.upload": "Kommunikation med den enskilde",
    "thread.export": "Journalföring av meddelanden",
    "audit.search": "Logguppföljning",
}
# A relative (or god man) reading or writing as the citizen, under a case worker's approval.
PROXY_PURPOSE = "Närstående företräder den enskilde efter godkännande"
MAX_DAYS = 366


class AuditRecord(BaseModel):
    audit_id: str
    at: datetime
    actor: str  # "case_worker:<user id>", "relative:<masked personnummer>": who
    actor_role: str
    actor_name: str | None = None
    # A person actor's own personnummer: the masked label is shared by everyone born that day. Never logged.
    actor_personnummer: str | None = None
    action: str  # what
    kind: Kind
    subject: str | None = None  # whose (personnummer); never logged
    acting_for: str | None = None  # as whom: the citizen a relative acts for (personnummer); never logged
    resource: str = ""  # which record: "case:<id>", "thread:<id>"
    purpose: str  # why
    request_id: str  # records written for one request share it


def _item(record: AuditRecord) -> dict[str, Any]:
    stamp = f"{record.at.isoformat()}#{record.audit_id}"
    item: dict[str, Any] = {"pk": f"AUDIT#{record.at.date().isoformat()}", "sk": stamp, "type": "audit",
                            **record.model_dump(mode="json"),
                            "gsi2pk": f"AUDIT_ACTOR#{record.actor}", "gsi2sk": stamp}
    if record.subject:
        item.update(gsi1pk=f"AUDIT_PERSON#{record.subject}", gsi1sk=stamp)
    return item


class AuditTrail:
    """Writes and searches audit records in the e-services table."""

    def __init__(self, table: Any, clock: Any) -> None:
        self.table = table
        self.clock = clock

    def records(self, who: Any, action: str, subjects: Iterable[str | None], *, resource: str = "",
                kind: Kind = "read", acting_for: str | None = None) -> list[dict[str, Any]]:
        """One record per person whose data was touched (one without a person if none was)."""
        now, request_id = self.clock().astimezone(timezone.utc), str(uuid.uuid4())
        unique = list(dict.fromkeys(str(s) for s in subjects if s)) or [None]
        purpose = PROXY_PURPOSE if acting_for else PURPOSES.get(action, "Handläggning")
        return [_item(AuditRecord(audit_id=str(uuid.uuid4()), at=now, actor=who.actor, actor_role=str(who.role),
                                  actor_name=who.name,
                                  actor_personnummer=str(who.personnummer) if who.personnummer else None,
                                  action=action, kind=kind, subject=s,
                                  acting_for=str(acting_for) if acting_for else None, resource=resource,
                                  purpose=purpose, request_id=request_id))
                for s in unique]

    def add_to(self, uow: Any, who: Any, action: str, subjects: Iterable[str | None], *, resource: str = "",
               acting_for: str | None = None) -> None:
        """Audit a change inside the change's own transaction."""
        for item in self.records(who, action, subjects, resource=resource, kind="change", acting_for=acting_for):
            uow.put(item, condition="attribute_not_exists(pk)")

    def read(self, who: Any, action: str, subjects: Iterable[str | None], *, resource: str = "",
             acting_for: str | None = None) -> None:
        """Audit a read before the data leaves: no record, no data."""
        items = self.records(who, action, subjects, resource=resource, kind="read", acting_for=acting_for)
        client = self.table.meta.client
        with translated_errors("the audit record exists already"):
            if len(items) == 1:
                self.table.put_item(Item=to_dynamo(items[0]), ConditionExpression="attribute_not_exists(pk)")
                return
            for start in range(0, len(items), 100):
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": self.table.name, "Item": to_dynamo(i),
                             "ConditionExpression": "attribute_not_exists(pk)"}}
                    for i in items[start:start + 100]])

    # -- search -----------------------------------------------------------------------
    def search(self, *, person: str | None, actor: str | None, start: datetime, end: datetime) -> list[AuditRecord]:
        """Records in [start, end), oldest first, by person, by actor, or (neither) all. An actor
        without a colon is a role ("relative", "case_worker"): every actor of that role."""
        lo, hi = start.astimezone(timezone.utc).isoformat(), end.astimezone(timezone.utc).isoformat()
        role = actor if actor and ":" not in actor else None
        if role:
            actor = None
        if person:
            items = query_all(self.table, IndexName="gsi1",
                              KeyConditionExpression="gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi",
                              ExpressionAttributeValues={":pk": f"AUDIT_PERSON#{person}", ":lo": lo, ":hi": hi})
        elif actor:
            items = query_all(self.table, IndexName="gsi2",
                              KeyConditionExpression="gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi",
                              ExpressionAttributeValues={":pk": f"AUDIT_ACTOR#{actor}", ":lo": lo, ":hi": hi})
        else:
            items = []
            day = start.astimezone(timezone.utc).date()
            while day <= end.astimezone(timezone.utc).date():
                items += query_all(self.table, ConsistentRead=True,
                                   KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
                                   ExpressionAttributeValues={":pk": f"AUDIT#{day.isoformat()}", ":lo": lo,
                                                              ":hi": hi})
                day += timedelta(days=1)
        records = [AuditRecord.model_validate(i) for i in items if i["sk"] < hi]
        if person and actor:
            records = [r for r in records if r.actor == actor]
        if role:
            records = [r for r in records if r.actor_role == role]
        return sorted(records, key=lambda r: (r.at, r.audit_id))


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Stockholm time; at most MAX_DAYS."""
    if end < start:
        raise ValidationFailed.field("query.to", "must be on or after from")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed.field("query.to", f"search at most {MAX_DAYS} days at a time")
    return (datetime.combine(start, time(), STOCKHOLM),
            datetime.combine(end + timedelta(days=1), time(), STOCKHOLM))


CSV_COLUMNS = ("at", "actor", "actor_role", "actor_name", "actor_personnummer", "action", "kind", "subject", "acting_for", "resource",
               "purpose", "request_id", "audit_id")


def to_csv(records: list[AuditRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        row = r.model_dump(mode="json")
        writer.writerow([_safe_cell(row.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


def _safe_cell(value: Any) -> str:
    """No formula injection when the export is opened in a spreadsheet."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def search_records(deps: Any, call: Any, query: Any) -> list[AuditRecord] | Response:
    """Log follow-up: records by person, actor and Stockholm dates, as JSON or a CSV export.
    The auditor's own search is audited too (after it, so it is not in its own result)."""
    start, end = local_day_bounds(query.from_, query.to)
    audit = AuditTrail(deps.table, deps.clock)
    records = audit.search(person=query.person, actor=query.actor, start=start, end=end)
    audit.read(call.who, "audit.search", [query.person], resource="audit")
    if query.format == "json":
        return records
    return Response(body=to_csv(records), status_code=200,
                    headers={"Content-Type": "text/csv; charset=utf-8", "Cache-Control": "private, no-store",
                             "Content-Disposition": f'attachment; filename="audit-{query.from_}-{query.to}.csv"'})
