"""The ``visit.changed`` event a visit's change publishes (v2: with the visit's content).

Reports and billing never read the visits table: what they compute from travels here."""
from __future__ import annotations

from datetime import date, datetime

from ...contracts.events import RejectedEventsChanged, VisitChangedV2, VisitContent, VisitDeviation, split_minutes
from ...domain.calendar import month_of
from .model import Visit


def visit_content(v: Visit) -> VisitContent:
    return VisitContent(
        staff_id=v.staff_id, started_at=v.started_at, ended_at=v.ended_at, minutes=v.minutes,
        insatser=split_minutes(v.minutes, list(v.insatser)), double_staffing=v.double_staffing,
        partner_visit_id=v.partner_visit_id, receipt_methods=sorted(set(v.receipt_methods)), location=v.location,
        supervision=v.supervision, unplanned=v.unplanned, temporary_stay=v.temporary_stay,
        client_absent=v.client_absent, status=v.status, source=v.source, edited=v.edited,
        deviations=[VisitDeviation(code=d.code, status=d.status) for d in v.deviations])


def visit_changed(v: Visit, year: int, month: int, change: str, *, version: int | None = None,
                  gone: bool = False) -> VisitChangedV2:
    """The change of ``v`` as seen from (year, month): its content if it lies in that month and is
    not ``gone`` (deleted), None otherwise (it left that month)."""
    here = not gone and month_of(v.started_at) == (year, month)
    return VisitChangedV2(visit_id=v.visit_id, client=v.client, provider_id=v.provider_id, year=year, month=month,
                          visit_version=v.version if version is None else version, change=change,
                          visit=visit_content(v) if here else None)


def rejected_events_changed(provider: str, client: str, day: date, open_count: int,
                            as_of: datetime) -> RejectedEventsChanged:
    """How many of a client-day's events are rejected and still open, as of ``as_of``."""
    return RejectedEventsChanged(provider_id=provider, client=client, day=day, open_count=open_count, as_of=as_of)
