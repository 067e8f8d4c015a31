"""Case work's copy of what waits on its clients' visits, kept from the visits service's
``visit.changed`` (the eservices-inbox queue): e-services never read the visits table.

- ``record_visit_change``: the consumer's branch for ``visit.changed``. Idempotent: a visit's
  count in a month is replaced only by a higher version (a redelivery, a reordering change nothing).
- ``pending_deviations``: how many deviations wait on some clients' visits, in the months that can
  still be decided (what Att göra counts)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ....contracts.events import Envelope, UnknownEvent, VisitChangedV2
from ..domain.visit_deviations import count_of, open_months

if TYPE_CHECKING:
    from ..ports import VisitDeviationCounts

EVENT_TYPE = "visit.changed"


def record_visit_change(counts: VisitDeviationCounts, envelope: Envelope) -> bool:
    """Keeps the visit's count in the event's month unless a version as high is kept; True if kept.
    A v1 event carries no content (the visits service emits v2) and changes nothing; a version
    not known fails (the message goes to the DLQ)."""
    if envelope.event_type != EVENT_TYPE:
        raise UnknownEvent(f"{envelope.event_type} v{envelope.version}")
    if envelope.version == 1:
        return False
    event = envelope.read()
    if not isinstance(event, VisitChangedV2):
        raise UnknownEvent(f"{envelope.event_type} v{envelope.version}")
    return counts.record(count_of(event))


def pending_deviations(counts: VisitDeviationCounts, clients: list[str], now: datetime) -> int:
    """How many deviations wait for a decision on ``clients``' visits in the months still open."""
    months = open_months(now)
    return sum(counts.pending(client, months) for client in clients)
