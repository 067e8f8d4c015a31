"""Pure rules of home-care visits (seed 004): no AWS, no clock of their own — unit-tested alone."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from ..domain.calendar import is_month_open, lock_date, month_of
from .model import Device, Visit, VisitEvent

CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run this far ahead
LONG_VISIT_MINUTES = 12 * 60  # longer is a deviation, not a refusal
TAG_LIMIT = 200  # active (not retired) tags and locks a provider may hold; VISITS_TAG_LIMIT overrides


def locked_reason(instant: datetime, now: datetime) -> str | None:
    """Why nothing of ``instant``'s month may change any more, or None while it is open
    (through the lock date, Europe/Stockholm, that day included)."""
    year, month = month_of(instant)
    if is_month_open(year, month, now):
        return None
    return (f"{year}-{month:02d} is locked: its lock date {lock_date(year, month).isoformat()} has passed, "
            "and nothing of that month changes after it")


def check_event(event: VisitEvent, *, staff_belongs: bool, device: Device | None, now: datetime,
                skew: timedelta = CLOCK_SKEW) -> list[str]:
    """Every check an event from the staff app must pass; the reasons it fails (empty: it passes)."""
    reasons = []
    if not staff_belongs:
        reasons.append("the staff member does not belong to the provider")
    if event.receipt.method in ("nfc", "digital_lock"):
        kind = event.receipt.method
        name = "NFC tag" if kind == "nfc" else "digital lock"
        if device is None or device.kind != kind:
            reasons.append(f"the {name} is not registered")
        elif device.provider_id != event.provider_id:
            reasons.append(f"the {name} is registered to another provider")
        elif device.status != "bound" or str(device.client) != str(event.client):
            reasons.append(f"the {name} is not registered to this client")
    if event.device_time > now + skew:
        reasons.append(f"the device time is in the future (more than {int(skew.total_seconds() // 60)} minutes "
                       "ahead of the server)")
    locked = locked_reason(event.device_time, now)
    if locked:
        reasons.append(locked)
    return reasons


def tag_room(active: int, ordering: int, limit: int) -> str | None:
    """Tags are ordered per provider in limited numbers (seed 004). Why an order is refused."""
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
    needs the case worker's approval (seed 004: utförd tid utöver beviljad tid)."""
    total, flagged = 0, []
    for visit in sorted(visits, key=lambda v: (v.started_at, v.visit_id)):
        if visit.ended_at is None:
            continue
        total += visit.minutes
        if total > granted_minutes:
            flagged.append(visit.visit_id)
    return flagged
