"""The audit trail: every use case audits what staff (or a relative acting for a citizen) read or
changed through ``trail``, and auditors search it (log follow-up)."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable

from ....auth.principal import Principal, Role
from ....domain.cursor import decode_cursor, encode_cursor
from ....domain.results import FileResult, Page
from pydantic import BaseModel

from ..domain.audit import (MAX_PAGE, PROXY_PURPOSE, PURPOSES, AuditRecord, Kind, action_label, local_day_bounds,
                            to_csv)
from ..domain.identity import is_protected
from ..models.audit import LogQuery

if TYPE_CHECKING:
    from ....clock import Clock
    from ....domain.ports import UnitOfWork
    from ..ports import AuditRepository


CASE_NUMBER = re.compile(r"\d{4}-\d{6}")  # as the inbox's search takes it


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
             limit: int = MAX_PAGE, cursor: str | None = None, resource: str | None = None,
             user: str | None = None) -> tuple[list[AuditRecord], str | None]:
        """``resource``: only records about it or anything under it ("case:<id>" finds
        "case:<id>/document:<id>" too). ``user``: only a staff member's own records, in any role
        (the part of ``actor`` after the role).

        What the store's indexes answer they answer (person, actor, a resource's top level, a user as
        the actor of each role); the rest (a role, a deeper resource, an actor beside a person) is
        filtered here, reading on until the page is full."""
        role = actor if actor and ":" not in actor else None
        if role:
            actor = None
        after = decode_cursor(cursor, "audit") if cursor else None
        if not (role or (person and actor) or resource or user):
            records, last = self.store.search(person=person, actor=actor, start=start, end=end, limit=limit,
                                              after=after)
            return records, encode_cursor("audit", last) if last else None
        by_resource = resource.split("/", 1)[0] if resource and not (person or actor) else None
        by_user = user if user and not (person or actor or resource or role) else None

        def read(after: str | None) -> tuple[list[AuditRecord], str | None]:
            if by_user:  # a user is an actor in one role or another: one actor index partition per role
                return self._as_any_role(by_user, start, end, limit, after)
            return self.store.search(person=person, actor=actor, start=start, end=end, limit=limit, after=after,
                                     resource=by_resource)

        def kept_one(r: AuditRecord) -> bool:
            return ((not role or r.actor_role == role) and (not (person and actor) or r.actor == actor)
                    and (not resource or r.resource == resource or r.resource.startswith(resource + "/"))
                    and (not user or r.actor.split(":", 1)[-1] == user))

        # Filtered after reading (a role, a person and an actor, a resource, a user): read on until the page is full.
        kept: list[AuditRecord] = []
        while True:
            records, last = read(after)
            kept += [r for r in records if kept_one(r)]
            if len(kept) >= limit or last is None:
                break
            after = last
        if len(kept) > limit or (len(kept) == limit and last):
            kept = kept[:limit]
            return kept, encode_cursor("audit", f"{kept[-1].at.isoformat()}#{kept[-1].audit_id}")
        return kept, None

    def _as_any_role(self, user: str, start: datetime, end: datetime, limit: int,
                     after: str | None) -> tuple[list[AuditRecord], str | None]:
        """A user's records in any role, oldest first: each role's actor partition, merged."""
        found: list[AuditRecord] = []
        more = False
        for role in Role:
            records, last = self.store.search(person=None, actor=f"{role}:{user}", start=start, end=end, limit=limit,
                                              after=after)
            found += records
            more = more or last is not None
        found.sort(key=_stamp)
        page = found[:limit]
        return page, (_stamp(page[-1]) if page and (more or len(found) > limit) else None)


def _stamp(r: AuditRecord) -> str:
    """A record's place in the trail (the stores' sort key and the cursor's)."""
    return f"{r.at.astimezone(timezone.utc).isoformat()}#{r.audit_id}"


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


# -- the auditors' log pages (staff web) ------------------------------------------------------
class LogRow(BaseModel):
    """One record as the auditors' log page shows it."""

    record: AuditRecord
    action_label: str  # what, in plain Swedish
    protected_identity: bool  # whose data (or as whom) is a person with protected identity
    case_id: str | None  # the case the record is about, if any
    case_number: str | None = None  # its number (ÅÅÅÅ-NNNNNN), when the case is there


class LogPage(BaseModel):
    items: list[LogRow]
    next_cursor: str | None = None
    case_found: bool = True  # False: the case number asked for names no case


def _case_resource(deps: Any, case: str | None) -> tuple[str | None, bool]:
    """The resource of a case asked for by number (ÅÅÅÅ-NNNNNN, looked up) or by id."""
    if not case:
        return None, True
    if CASE_NUMBER.fullmatch(case):
        found = deps.cases.by_case_number(case)
        return (f"case:{found.case_id}", True) if found is not None else (f"case:{case}", False)
    return f"case:{case}", True


def _case_number(deps: Any, case_id: str) -> str | None:
    found = deps.cases.find(case_id)
    return found.case_number if found is not None else None


def _protected(deps: Any, records: list[AuditRecord]) -> set[str]:
    people = {p for r in records for p in (r.subject, r.acting_for) if p}
    return {p for p in people if is_protected(deps.register, p)}


def _log_records(deps: Any, query: LogQuery, limit: int,
                 cursor: str | None) -> tuple[list[AuditRecord], str | None, bool]:
    start, end = local_day_bounds(query.from_, query.to)
    resource, found = _case_resource(deps, query.case)
    actor = f"{query.role}:{query.user}" if query.role and query.user else query.role
    records, next_cursor = trail(deps).page(person=str(query.person) if query.person else None, actor=actor,
                                            start=start, end=end, limit=limit, cursor=cursor, resource=resource,
                                            user=query.user if not query.role else None)
    return records, next_cursor, found


def follow_up(deps: Any, who: Principal, query: LogQuery) -> LogPage:
    """Log follow-up on the staff pages: the records of a search by client, staff member (user id,
    role or both), case and Stockholm dates, a page at a time, each with what was done in plain
    Swedish and whether it concerns a person with protected identity. The search is audited
    (``audit.search``), after it, as the API's is."""
    records, next_cursor, found = _log_records(deps, query, query.limit, query.cursor)
    trail(deps).read(who, "audit.search", [query.person], resource="audit")
    hidden = _protected(deps, records)
    cases = {r.resource.split("/", 1)[0][5:] for r in records if r.resource.startswith("case:")}
    numbers = {c: _case_number(deps, c) for c in cases}
    rows = []
    for r in records:
        case_id = r.resource.split("/", 1)[0][5:] if r.resource.startswith("case:") else None
        rows.append(LogRow(record=r, action_label=action_label(r.action),
                           protected_identity=bool({r.subject, r.acting_for} & hidden), case_id=case_id,
                           case_number=numbers.get(case_id) if case_id else None))
    return LogPage(items=rows, next_cursor=next_cursor, case_found=found)


def follow_up_csv(deps: Any, who: Principal, query: LogQuery) -> FileResult:
    """The search's records as CSV (the API's columns, and whether protected identity, and the
    action in Swedish), at most ``MAX_PAGE`` of them from the first; audited as a search."""
    records, next_cursor, _ = _log_records(deps, query, MAX_PAGE, None)
    trail(deps).read(who, "audit.search", [query.person], resource="audit:export")
    return FileResult(filename=f"logg-{query.from_}-{query.to}.csv", content_type="text/csv; charset=utf-8",
                      body=to_csv(records, _protected(deps, records)), next_cursor=next_cursor)
