"""How billing reads the events it consumes: what each one changes in its read model, and how.

Events are read with the shared contract models (``services/contracts/events.py``), as reports
reads them, through ``Envelope.read``: a producer adding a field changes nothing here (the
reading ignores fields it does not know), a breaking change is a new version, and a version
billing does not know fails the message (into the DLQ). From each event billing keeps only the
facts it bills from (``model.py``). Pure: no store, no clock.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from ...contracts.events import (AbsenceRegistered, DecisionPublished, DecisionPublishedV2, Envelope,
                                 UnknownEvent, VisitChangedV2, VisitContent)
from ...domain.calendar import stockholm_date
from .model import (AbsenceFacts, ApprovedReport, GrantFacts, VisitFacts, with_absence, with_grant, with_termination,
                    with_visit)

# (event type, version) billing knows; what it consumes but cannot bill from is acknowledged.
KNOWN = {("visit.changed", 1), ("visit.changed", 2), ("absence.registered", 1),
         ("decision.published", 1), ("decision.published", 2), ("contact_report.approved", 1)}
OVER_GRANTED_CODE = "over_granted_time"
LONGEST_COMPENSATION_DAYS = 10  # an absence touches the months of its first days only
TERMINATION = "terminated"  # kept on the client too: finance may mark only a real termination mismanaged


def visit_facts(e: VisitChangedV2) -> VisitFacts:
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


def attestation(v: VisitContent) -> str:
    """Only verified time is billable: a deviation the case worker has not decided (a manual
    receipt, time beyond the granted, no decision) holds the visit, and otherwise the provider's
    coordinator must have approved it."""
    if any(d.status == "pending" for d in v.deviations):
        return "awaiting_decision"
    return "approved" if v.status == "approved" else "unapproved"


def absence_months(a: AbsenceRegistered) -> list[tuple[int, int]]:
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


def decided_social_psychiatry(d: DecisionPublished) -> bool | None:
    """What the decision says of social psychiatry: None when it says nothing (v1, or a v2 without
    the field), so that it leaves the client's earlier word standing."""
    if isinstance(d, DecisionPublishedV2) and "social_psychiatry" in d.model_fields_set:
        return d.social_psychiatry
    return None


Fold = Callable[[Any], Any]
Key = tuple


def changes_of(envelope: Envelope) -> list[tuple[Key, Fold]]:
    """What one event changes: (the item it concerns, how to fold it in)."""
    kind = (envelope.event_type, envelope.version)
    if kind not in KNOWN:
        raise UnknownEvent(f"{envelope.event_type} v{envelope.version}")
    if kind == ("visit.changed", 1):  # carries no content to bill from; visits emits v2
        return []
    event = envelope.read()
    if isinstance(event, VisitChangedV2):
        facts = visit_facts(event)
        return [(("cm", event.provider_id, event.client, event.year, event.month), lambda cm: with_visit(cm, facts))]
    if isinstance(event, AbsenceRegistered):
        a = event
        absence = AbsenceFacts(absence_id=a.absence_id, kind=a.kind, starts_on=a.starts_on, ends_on=a.ends_on,
                               learned_at=a.learned_at, announced_at=a.announced_at, revision=a.revision)
        changes: list[tuple[Key, Fold]] = [(("cm", a.provider_id, a.client, y, m),
                                            lambda cm: with_absence(cm, absence)) for y, m in absence_months(a)]
        if a.kind == TERMINATION:
            changes.append((("client", a.client), lambda rec: with_termination(rec, a.absence_id)))
        return changes
    if isinstance(event, DecisionPublished):
        d = event
        grant = GrantFacts(decision_id=d.decision_id, insats=d.insats, outcome=d.outcome,
                           granted_minutes_per_month=d.granted_minutes_per_month, valid_from=d.valid_from,
                           valid_to=d.valid_to, decided_at=d.decided_at)
        social_psychiatry = decided_social_psychiatry(d)
        return [(("client", d.client), lambda rec: with_grant(rec, grant, social_psychiatry))]
    report = ApprovedReport.model_validate(event.model_dump())  # contact_report.approved
    return [(("report", report.case_id), lambda _: report)]
