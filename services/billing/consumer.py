"""Billing's inbox: folds other services' events into its own read model.

Billing's own reading of each event (the fields it needs, nothing else) lives here, so a
producer adding fields changes nothing. Safe under at-least-once delivery: per visit the
highest version wins (a deleted visit leaves a tombstone, so an older update arriving late
cannot bring it back); absences, decisions and reports are keyed by their ids, so a
redelivery rewrites the same. A batch is grouped by the item it changes: each item is read
once, folded, written once, conditioned on its revision; a group that fails fails only its
own messages.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..contracts.events import Envelope, UnknownEvent
from ..domain.calendar import stockholm_date
from ..domain.errors import Conflict
from ..domain.personnummer import PersonnummerField
from .model import (AbsenceFacts, ApprovedReport, GrantFacts, VisitFacts, with_absence, with_grant, with_termination,
                    with_visit)
from .ports import BillingStore

# (event type, version) billing knows; what it consumes but cannot bill from is acknowledged.
KNOWN = {("visit.changed", 1), ("visit.changed", 2), ("absence.registered", 1), ("absence.registered", 2),
         ("decision.published", 1), ("decision.published", 2), ("contact_report.approved", 1)}
OVER_GRANTED_CODE = "over_granted_time"
LONGEST_COMPENSATION_DAYS = 10  # an absence touches the months of its first days only
TERMINATION = "terminated"  # kept on the client too: finance may mark only a real termination mismanaged
ATTEMPTS = 3


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Deviation(_Read):
    code: str
    status: str = "noted"


class _Visit(_Read):
    started_at: datetime
    ended_at: datetime | None = None
    minutes: int = 0
    client_absent: bool = False
    status: str = "open"
    deviations: list[_Deviation] = []


class _VisitChanged(_Read):
    visit_id: str
    client: PersonnummerField  # a bad one fails the message (into the DLQ), not the month's basis
    provider_id: str
    year: int
    month: int
    visit_version: int
    change: str = "updated"
    visit: _Visit | None = None


class _Absence(_Read):
    absence_id: str
    client: PersonnummerField
    provider_id: str
    kind: str
    starts_on: date
    ends_on: date | None = None
    learned_at: datetime
    announced_at: datetime | None = None
    provider_mismanaged: bool = False


class _Decision(_Read):
    decision_id: str
    client: PersonnummerField
    insats: str
    outcome: Literal["granted", "refused"]
    granted_minutes_per_month: int | None = None
    valid_from: date
    valid_to: date | None = None
    decided_at: datetime
    social_psychiatry: bool | None = None


def visit_facts(e: _VisitChanged) -> VisitFacts:
    v = e.visit
    if v is None or e.change == "deleted":
        return VisitFacts(visit_id=e.visit_id, version=e.visit_version,
                          started_at=datetime(e.year, e.month, 1, tzinfo=timezone.utc),
                          minutes=0, counted=False, deleted=True)
    over = next((d.status for d in v.deviations if d.code == OVER_GRANTED_CODE), None)
    return VisitFacts(visit_id=e.visit_id, version=e.visit_version, started_at=v.started_at.astimezone(timezone.utc),
                      minutes=v.minutes,
                      counted=v.ended_at is not None and not v.client_absent,
                      over_granted={"approved": "approved", "rejected": "rejected", None: "none"}.get(over, "pending"),
                      attested=attestation(v))


def attestation(v: _Visit) -> str:
    """Only verified time is billable: a deviation the case worker has not decided (a manual
    receipt, time beyond the granted, no decision) holds the visit, and otherwise the provider's
    coordinator must have approved it."""
    if any(d.status == "pending" for d in v.deviations):
        return "awaiting_decision"
    return "approved" if v.status == "approved" else "unapproved"


def absence_months(a: _Absence) -> list[tuple[int, int]]:
    """The months an absence can be compensated in: those of its first days from when it began
    or the provider learned of it."""
    first = max(a.starts_on, stockholm_date(a.learned_at))
    days = [a.starts_on, first, first + timedelta(days=LONGEST_COMPENSATION_DAYS)]
    months = sorted({(d.year, d.month) for d in days})
    lo, hi = months[0], months[-1]
    out, (y, m) = [], lo
    while (y, m) <= hi:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


Fold = Callable[[Any], Any]
Key = tuple


def changes_of(envelope: Envelope) -> list[tuple[Key, Fold]]:
    """What one event changes: (the item it concerns, how to fold it in)."""
    kind = (envelope.event_type, envelope.version)
    if kind not in KNOWN:
        raise UnknownEvent(f"{envelope.event_type} v{envelope.version}")
    p = envelope.payload
    if envelope.event_type == "visit.changed":
        if envelope.version < 2:  # carries no content to bill from; visits emits v2
            return []
        e = _VisitChanged.model_validate(p)
        facts = visit_facts(e)
        return [(("cm", e.provider_id, e.client, e.year, e.month), lambda cm: with_visit(cm, facts))]
    if envelope.event_type == "absence.registered":
        a = _Absence.model_validate(p)
        facts = AbsenceFacts(absence_id=a.absence_id, kind=a.kind, starts_on=a.starts_on, ends_on=a.ends_on,
                             learned_at=a.learned_at, announced_at=a.announced_at,
                             provider_mismanaged=a.provider_mismanaged)
        changes: list[tuple[Key, Fold]] = [(("cm", a.provider_id, a.client, y, m), lambda cm: with_absence(cm, facts))
                                           for y, m in absence_months(a)]
        if a.kind == TERMINATION:
            changes.append((("client", a.client), lambda rec: with_termination(rec, a.absence_id)))
        return changes
    if envelope.event_type == "decision.published":
        d = _Decision.model_validate(p)
        facts = GrantFacts(decision_id=d.decision_id, insats=d.insats, outcome=d.outcome,
                           granted_minutes_per_month=d.granted_minutes_per_month, valid_from=d.valid_from,
                           valid_to=d.valid_to, decided_at=d.decided_at)
        return [(("client", d.client), lambda rec: with_grant(rec, facts, d.social_psychiatry))]
    report = ApprovedReport.model_validate(p)
    return [(("report", report.case_id), lambda _: report)]


def _apply(store: BillingStore, key: Key, folds: list[Fold]) -> None:
    if key[0] == "report":
        report = None
        for fold in folds:
            report = fold(report)
        store.put_report(report)
        return
    for attempt in range(ATTEMPTS):
        if key[0] == "cm":
            current, rev = store.client_month(*key[1:])
        else:
            current = store.client(key[1])
            rev = current.rev
        folded = current
        for fold in folds:
            folded = fold(folded)
        if folded == current and rev:
            return
        try:
            if key[0] == "cm":
                store.save_client_month(folded, rev)
            else:
                store.save_client(folded.model_copy(update={"rev": rev + 1}), rev)
            return
        except Conflict:
            if attempt == ATTEMPTS - 1:
                raise


def apply_batch(store: BillingStore, messages: Iterable[tuple[str, Envelope]], log: Any = None) -> set[str]:
    """Folds a batch in; returns the message ids that failed (they come back; then the DLQ)."""
    failed: set[str] = set()
    groups: dict[Key, list[tuple[str, Fold]]] = {}
    for message_id, envelope in messages:
        try:
            for key, fold in changes_of(envelope):
                groups.setdefault(key, []).append((message_id, fold))
        except (UnknownEvent, ValueError):
            if log:
                log.warning("event billing cannot read", extra={"event_type": envelope.event_type,
                                                                 "version": envelope.version})
            failed.add(message_id)
    for key, folds in groups.items():
        try:
            _apply(store, key, [f for _, f in folds])
        except Exception:  # noqa: BLE001 - this group's messages come back; the others stand
            if log:
                log.exception("billing could not store a change", extra={"kind": key[0]})
            failed |= {mid for mid, _ in folds}
    return failed
