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
from typing import TYPE_CHECKING, Any, Iterable, Literal

from pydantic import BaseModel

from ....domain.calendar import STOCKHOLM
from ....domain.cursor import decode_cursor, encode_cursor
from ....domain.errors import ValidationFailed

if TYPE_CHECKING:
    from ....clock import Clock
    from ....domain.ports import UnitOfWork
    from ..ports import AuditRepository

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


MAX_PAGE = 5000  # records per answer at most; the next page by cursor


class AuditTrail:
    """Builds the records of what staff (or a relative acting for a citizen) did, and keeps
    them through the audit repository."""

    def __init__(self, store: AuditRepository, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def records(self, who: Any, action: str, subjects: Iterable[str | None], *, resource: str = "",
                kind: Kind = "read", acting_for: str | None = None) -> list[AuditRecord]:
        """One record per person whose data was touched (one without a person if none was)."""
        now, request_id = self.clock().astimezone(timezone.utc), str(uuid.uuid4())
        unique = list(dict.fromkeys(str(s) for s in subjects if s)) or [None]
        purpose = PROXY_PURPOSE if acting_for else PURPOSES.get(action, "Handläggning")
        return [AuditRecord(audit_id=str(uuid.uuid4()), at=now, actor=who.actor, actor_role=str(who.role),
                            actor_name=who.name, actor_personnummer=str(who.personnummer) if who.personnummer else None,
                            action=action, kind=kind, subject=s, acting_for=str(acting_for) if acting_for else None,
                            resource=resource, purpose=purpose, request_id=request_id)
                for s in unique]

    def add_to(self, uow: UnitOfWork, who: Any, action: str, subjects: Iterable[str | None], *, resource: str = "",
               acting_for: str | None = None) -> None:
        """Audit a change inside the change's own transaction."""
        self.store.add(uow, self.records(who, action, subjects, resource=resource, kind="change",
                                         acting_for=acting_for))

    def read(self, who: Any, action: str, subjects: Iterable[str | None], *, resource: str = "",
             acting_for: str | None = None) -> None:
        """Audit a read before the data leaves: no record, no data."""
        self.store.add_now(self.records(who, action, subjects, resource=resource, kind="read", acting_for=acting_for))

    def search(self, *, person: str | None, actor: str | None, start: datetime, end: datetime,
               limit: int = MAX_PAGE, cursor: str | None = None) -> list[AuditRecord]:
        """Records in [start, end), oldest first, by person, by actor, or (neither) all. An actor
        without a colon is a role ("relative", "case_worker"): every actor of that role."""
        return self.page(person=person, actor=actor, start=start, end=end, limit=limit, cursor=cursor)[0]

    def page(self, *, person: str | None, actor: str | None, start: datetime, end: datetime,
             limit: int = MAX_PAGE, cursor: str | None = None) -> tuple[list[AuditRecord], str | None]:
        role = actor if actor and ":" not in actor else None
        if role:
            actor = None
        after = decode_cursor(cursor, "audit") if cursor else None
        if not (role or (person and actor)):
            records, last = self.store.search(person=person, actor=actor, start=start, end=end, limit=limit,
                                              after=after)
            return records, encode_cursor("audit", last) if last else None
        # Filtered after reading (a role, or a person and an actor): read on until the page is full.
        kept: list[AuditRecord] = []
        while True:
            records, last = self.store.search(person=person, actor=actor, start=start, end=end, limit=limit,
                                              after=after)
            kept += [r for r in records if (not role or r.actor_role == role) and (not (person and actor)
                                                                                  or r.actor == actor)]
            if len(kept) >= limit or last is None:
                break
            after = last
        if len(kept) > limit or (len(kept) == limit and last):
            kept = kept[:limit]
            return kept, encode_cursor("audit", f"{kept[-1].at.isoformat()}#{kept[-1].audit_id}")
        return kept, None


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Stockholm time; at most MAX_DAYS."""
    if end < start:
        raise ValidationFailed.field("query.to", "must be on or after from")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed.field("query.to", f"search at most {MAX_DAYS} days at a time")
    return (datetime.combine(start, time(), STOCKHOLM),
            datetime.combine(end + timedelta(days=1), time(), STOCKHOLM))


CSV_COLUMNS = ("at", "actor", "actor_role", "actor_name", "actor_personnummer", "action", "kind", "subject",
               "acting_for", "resource", "purpose", "request_id", "audit_id")


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
