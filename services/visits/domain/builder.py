"""Builds a client-day's visits from its events. Pure and deterministic: the same set of events
gives the same visits whatever order they arrived in (phones go offline, resend, reorder).

Per staff member, events are taken in device-time order (event id breaks ties): an arrival
opens a visit, a departure closes it, insatser and marks attach to the visit open at that time.
Visits that are approved, edited or post-registered are frozen: their events are left to them.
Events superseded by a correction are skipped.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from .model import SUPERVISION, Deviation, StoredEvent, Visit

VISIT_NAMESPACE = uuid.UUID("5d1a8e6c-5b1e-4a53-9a53-7e0f3c2f0004")


@dataclass
class Built:
    visits: list[Visit]
    rejected: list[tuple[StoredEvent, str]] = field(default_factory=list)  # breaks a composition rule
    unpaired: list[StoredEvent] = field(default_factory=list)  # waits for its arrival
    frozen: list[Visit] = field(default_factory=list)

    def claimed(self) -> set[str]:
        """The ids of the events that some visit (rebuilt or frozen) holds."""
        return {eid for v in self.visits + self.frozen for eid in v.event_ids}


def visit_id_for(arrival_event_id: str, day_ref: str = "") -> str:
    """A visit's id from its arrival's: the same events give the same visits. ``day_ref`` names
    the client-day it is kept in (so that a visit is found by its id alone)."""
    unique = str(uuid.uuid5(VISIT_NAMESPACE, arrival_event_id))
    return f"{day_ref}-{unique}" if day_ref else unique


def _order(e: StoredEvent) -> tuple[datetime, int, str]:
    # Arrivals before other events at the same instant, departures last.
    rank = {"arrival": 0, "insats": 1, "double_staffing": 1, "client_absent": 1, "departure": 2}[e.type]
    return (e.device_time, rank, str(e.event_id))


def build(events: list[StoredEvent], frozen: list[Visit], *, long_visit_minutes: int, now: datetime,
          day_ref: str = "") -> Built:
    taken = {eid for v in frozen for eid in v.event_ids}
    by_staff: dict[str, list[StoredEvent]] = defaultdict(list)
    for e in events:
        if str(e.event_id) not in taken and e.superseded_by is None:
            by_staff[e.staff_id].append(e)
    built = Built(visits=[], frozen=list(frozen))
    for staff_id in sorted(by_staff):
        _build_for_staff(sorted(by_staff[staff_id], key=_order), built, now, day_ref)
    _link_double_staffing(built.visits + frozen, built.visits, now)
    for v in built.visits:
        if v.ended_at and v.minutes > long_visit_minutes:
            v.deviations.append(Deviation(code="long_visit", reason=f"longer than {long_visit_minutes} minutes",
                                          by="system", at=v.ended_at))
    built.visits.sort(key=lambda v: (v.started_at, v.visit_id))
    return built


def _build_for_staff(events: list[StoredEvent], built: Built, now: datetime, day_ref: str) -> None:
    current: Visit | None = None
    closed: list[Visit] = []
    for e in events:
        if e.type == "arrival":
            current = Visit(visit_id=visit_id_for(str(e.event_id), day_ref), provider_id=e.provider_id, client=e.client,
                            staff_id=e.staff_id, started_at=e.device_time, unplanned=e.unplanned,
                            temporary_stay=e.temporary_stay)
            _receipt(current, e)
            built.visits.append(current)
            continue
        target = current or next((v for v in reversed(closed) if v.ended_at and v.ended_at == e.device_time), None)
        if target is None:
            built.unpaired.append(e)
            continue
        if e.type == "departure":
            if target is not current:
                built.unpaired.append(e)
                continue
            current.ended_at = e.device_time
            current.status = "registered"
            _receipt(current, e)
            closed.append(current)
            current = None
        elif e.type == "insats":
            reason = _composition_breach(target, e)
            if reason:
                built.rejected.append((e, reason))
                continue
            if e.insats not in target.insatser:
                target.insatser.append(e.insats)
            target.location = e.location
            target.supervision = e.insats in SUPERVISION
            target.event_ids.append(str(e.event_id))
        elif e.type == "double_staffing":
            target.double_staffing = True
            target.event_ids.append(str(e.event_id))
        elif e.type == "client_absent":
            target.client_absent = True
            target.deviations.append(Deviation(code="client_absent", reason="client found absent",
                                               by=e.staff_id, at=e.device_time))
            target.event_ids.append(str(e.event_id))
    for v in built.visits:
        if v.temporary_stay:
            # Whatever is performed, a temporary stay is registered as such (the municipality's rule).
            v.insatser = ["tillfallig_vistelse"]


def _receipt(visit: Visit, e: StoredEvent) -> None:
    visit.event_ids.append(str(e.event_id))
    if e.receipt.method not in visit.receipt_methods:
        visit.receipt_methods.append(e.receipt.method)
    if e.receipt.method == "manual":
        # One deviation per visit, however many of its receipts were manual: the case worker
        # decides on the visit once. It names every reason given.
        reason = e.receipt.manual_reason or ""
        held = next((d for d in visit.deviations if d.code == "manual_receipt"), None)
        if held is None:
            visit.deviations.append(Deviation(code="manual_receipt", reason=reason, by=e.staff_id,
                                              at=e.device_time, status="pending"))
        elif reason and reason not in held.reason.split(", "):
            held.reason = f"{held.reason}, {reason}" if held.reason else reason


def _composition_breach(visit: Visit, e: StoredEvent) -> str | None:
    if not visit.insatser:
        return None
    if (e.insats in SUPERVISION) != visit.supervision:
        return "supervision (tillsyn) is registered on its own visit, never with other insatser"
    if e.location != visit.location:
        return "services outside the home are never merged with services in the home"
    return None


def _link_double_staffing(all_visits: list[Visit], rebuilt: list[Visit], now: datetime) -> None:
    """Both staff register; one marks double staffing. The mark spreads to the overlapping
    visit of the other staff member at the same client."""
    marked = [v for v in rebuilt if v.double_staffing]
    for v in marked:
        partner = next((o for o in sorted(all_visits, key=lambda x: (x.started_at, x.visit_id))
                        if o.staff_id != v.staff_id and o.client == v.client and _overlap(v, o)), None)
        if partner is None:
            continue
        v.partner_visit_id = partner.visit_id
        if partner in rebuilt:
            if partner.double_staffing and partner.partner_visit_id is None:
                for x in (v, partner):
                    x.deviations.append(Deviation(code="double_staffing_marked_twice",
                                                  reason="only one of the staff marks double staffing",
                                                  by="system", at=x.started_at))
            partner.double_staffing = True
            partner.partner_visit_id = v.visit_id


def _overlap(a: Visit, b: Visit) -> bool:
    a_end = a.ended_at or a.started_at
    b_end = b.ended_at or b.started_at
    return a.started_at <= b_end and b.started_at <= a_end
