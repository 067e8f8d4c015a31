"""The audit trail: every use case audits what staff (or a relative acting for a citizen) read or
changed through ``trail``, and auditors search it (log follow-up)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable

from ....auth.principal import Principal
from ....domain.cursor import decode_cursor, encode_cursor
from ....domain.results import FileResult, Page
from ..domain.audit import MAX_PAGE, PROXY_PURPOSE, PURPOSES, AuditRecord, Kind, local_day_bounds, to_csv

if TYPE_CHECKING:
    from ....clock import Clock
    from ....domain.ports import UnitOfWork
    from ..ports import AuditRepository


class AuditTrail:
    """Builds the records of what staff (or a relative acting for a citizen) did, and keeps
    them through the audit repository."""

    def __init__(self, store: AuditRepository, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def records(self, who: Principal, action: str, subjects: Iterable[str | None], *, resource: str = "",
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

    def add_to(self, uow: UnitOfWork, who: Principal, action: str, subjects: Iterable[str | None], *, resource: str = "",
               acting_for: str | None = None) -> None:
        """Audit a change inside the change's own transaction."""
        self.store.add(uow, self.records(who, action, subjects, resource=resource, kind="change",
                                         acting_for=acting_for))

    def read(self, who: Principal, action: str, subjects: Iterable[str | None], *, resource: str = "",
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




def search_records(deps: Any, who: Principal, query: Any) -> Page | FileResult:
    """Log follow-up: records by person, actor and Stockholm dates, as JSON or a CSV export; a
    page at a time (``query.limit``, the next by ``cursor``). The auditor's own search is audited
    too (after it, so it is not in its own result)."""
    start, end = local_day_bounds(query.from_, query.to)
    audit = trail(deps)
    records, cursor = audit.page(person=query.person, actor=query.actor, start=start, end=end, limit=query.limit,
                                 cursor=query.cursor)
    audit.read(who, "audit.search", [query.person], resource="audit")
    if query.format == "json":
        return Page(items=records, next_cursor=cursor)
    return FileResult(filename=f"audit-{query.from_}-{query.to}.csv", content_type="text/csv; charset=utf-8",
                      body=to_csv(records), next_cursor=cursor)


def trail(deps: Any) -> AuditTrail:
    return AuditTrail(deps.casework.audit, deps.clock)
