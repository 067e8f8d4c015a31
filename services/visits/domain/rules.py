"""Pure rules of home-care visits: no AWS, no clock of their own — unit-tested alone."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Iterable

from ...domain.bounds import EARLIEST, LATEST, check_datetime
from ...domain.calendar import is_month_open, lock_date, month_of, stockholm_date
from .model import Deviation, Device, Visit, VisitEvent

CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run this far ahead
LONG_VISIT_MINUTES = 12 * 60  # longer is a deviation, not a refusal
TAG_LIMIT = 200  # active (not retired) tags and locks a provider may hold; VISITS_TAG_LIMIT overrides
DEVICE_NAMES = {"nfc": "NFC tag", "digital_lock": "digital lock"}
A_DEVICE = {"nfc": "an NFC tag", "digital_lock": "a digital lock"}
NO_DECISION = "no decision behind it: no granted home care (hemtjänst) for the client on the visit's day"


def locked_reason(instant: datetime, now: datetime) -> str | None:
    """Why nothing of ``instant``'s month may change any more, or None while it is open
    (through the lock date, Europe/Stockholm, that day included)."""
    year, month = month_of(instant)
    if is_month_open(year, month, now):
        return None
    return (f"{year}-{month:02d} is locked: its lock date {lock_date(year, month).isoformat()} has passed, "
            "and nothing of that month changes after it")


def outside_window(event: VisitEvent) -> str | None:
    """Why an event's time is no time to compute with (the API bounds it; older or foreign
    messages may not be)."""
    try:
        check_datetime(event.device_time)
    except ValueError:
        return (f"the device time {event.device_time.isoformat()} is outside {EARLIEST.isoformat()} – "
                f"{LATEST.isoformat()}; correct it and send it again")
    return None


def check_event(event: VisitEvent, *, staff_belongs: bool, device: Device | None, now: datetime,
                skew: timedelta = CLOCK_SKEW) -> list[str]:
    """Every check an event from the staff app must pass; the reasons it fails (empty: it passes)."""
    reasons = []
    if not staff_belongs:
        reasons.append("the staff member does not belong to the provider")
    if event.receipt.method in ("nfc", "digital_lock"):
        kind = event.receipt.method
        if device is None:
            reasons.append(f"the {DEVICE_NAMES[kind]} is not registered")
        elif device.provider_id != event.provider_id:
            reasons.append(f"the {DEVICE_NAMES[kind]} is registered to another provider")
        elif device.kind != kind:
            reasons.append(f"{device.device_id} is {A_DEVICE[device.kind]}, not {A_DEVICE[kind]} "
                           f"(receipt method {device.kind})")
        elif device.status != "bound" or str(device.client) != str(event.client):
            reasons.append(f"the {DEVICE_NAMES[kind]} is not registered to this client")
    if event.device_time > now + skew:
        reasons.append(f"the device time is in the future (more than {int(skew.total_seconds() // 60)} minutes "
                       "ahead of the server)")
    locked = locked_reason(event.device_time, now)
    if locked:
        reasons.append(locked)
    return reasons


def tag_room(active: int, ordering: int, limit: int) -> str | None:
    """Tags are ordered per provider in limited numbers. Why an order is refused."""
    if active + ordering > limit:
        return f"a provider holds at most {limit} active tags and locks; {active} are active"
    return None


def bind_refusal(device: Device) -> str | None:
    """A tag belongs to one client and is never reused: only a tag never bound may be bound."""
    if device.status == "bound":
        return "the tag is bound to a client already; a tag belongs to one client and is never reused"
    if device.status == "retired":
        return "the tag is retired; a tag is never reused"
    return None


def over_granted(visits: Iterable[Visit], granted_minutes: int) -> list[str]:
    """The visits (ids, in time order) whose performed time passes the month's granted time; each
    needs the case worker's approval (utförd tid utöver beviljad tid)."""
    total, flagged = 0, []
    for visit in sorted(visits, key=lambda v: (v.started_at, v.visit_id)):
        if visit.ended_at is None:
            continue
        total += visit.minutes
        if total > granted_minutes:
            flagged.append(visit.visit_id)
    return flagged


def approval_refusal(visit: Visit, user_id: str) -> str | None:
    """Separation of duties: nobody approves a visit they performed, registered or changed by hand."""
    if visit.staff_id == user_id:
        return "nobody approves their own visit; another coordinator of the provider approves it"
    if user_id in visit.authors:
        return "nobody approves a visit they registered or changed; another coordinator of the provider approves it"
    return None


def waiting_for_case_worker(visit: Visit) -> str | None:
    """Why the provider may not approve the visit yet: a deviation the case worker has not decided."""
    pending = sorted({d.code for d in visit.deviations if d.status == "pending"})
    if pending:
        return (f"the visit's {', '.join(pending)} deviation waits for the case worker's decision; "
                "it can be approved after that")
    return None


def overlapping(visits: Iterable[Visit], staff_id: str, start: datetime, end: datetime,
                besides: str | None = None) -> Visit | None:
    """A visit of ``staff_id`` that overlaps [start, end) (an open visit counts from its start on):
    one staff member is at one visit at a time."""
    for v in sorted(visits, key=lambda x: (x.started_at, x.visit_id)):
        if v.staff_id != staff_id or v.visit_id == besides:
            continue
        v_end = v.ended_at or v.started_at
        if v.started_at < end and (start < v_end or (v.ended_at is None and start <= v.started_at)):
            return v
    return None


def against_decisions(visit: Visit, decisions: Iterable[dict[str, Any]]) -> list[Deviation]:
    """The visit's deviations with ``no_decision`` as the client's decisions have it: added (pending,
    for the case worker) when no decision covers the visit's day, a pending one withdrawn when one
    does. A temporary stay's decision is another municipality's: not compared. An approved visit
    gets none added (it was decided on)."""
    deviations = list(visit.deviations)
    needs = not visit.temporary_stay and not decided_on(stockholm_date(visit.started_at), decisions)
    has = any(d.code == "no_decision" for d in deviations)
    if needs and not has and visit.status != "approved":
        deviations.append(Deviation(code="no_decision", status="pending", by="system", at=visit.started_at,
                                    reason=NO_DECISION))
    elif not needs and has:
        deviations = [d for d in deviations if not (d.code == "no_decision" and d.status == "pending")]
    return deviations


def decided_on(day: date, decisions: Iterable[dict[str, Any]]) -> bool:
    """Whether a granted home-care decision covers ``day`` (decisions as the projection keeps them)."""
    iso = day.isoformat()
    return any(str(d["valid_from"]) <= iso and (not d.get("valid_to") or str(d["valid_to"]) >= iso)
               for d in decisions)
