"""A staff member's own registrations ("Mina registreringar"): their visits of a month, with every
change anyone made to them, and their own open rejected events; nothing else of the provider.

Cost: the visits come from a per-staff index of the days (``ClientDays.visits_of_staff``: one
query and that member's client-days), never from the provider's month, so a provider of 20,000
visits a month costs a staff member no more than their own days. The rejected events are the
provider's list (event-id order, no per-staff index), read at most ``REJECTED_PAGES`` pages of
``REJECTED_PAGE`` and filtered to the member's open ones; ``complete`` says whether that reached
the end."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...auth.principal import Principal
from ..domain.model import RejectedEvent, Visit
from .guards import caller_user_id

if TYPE_CHECKING:
    from ..ports import VisitsDeps

REJECTED_PAGE = 100
REJECTED_PAGES = 5  # at most 500 of the provider's rejected events are looked through


@dataclass(frozen=True)
class RejectedScan:
    events: list[RejectedEvent]
    complete: bool  # False: the provider has more rejected events than were looked through


def scan_rejected(deps: VisitsDeps, provider: str, keep: Any, pages: int = REJECTED_PAGES) -> RejectedScan:
    """The provider's rejected events that ``keep`` accepts, from at most ``pages`` pages."""
    found: list[RejectedEvent] = []
    cursor: dict[str, Any] | None = None
    for _ in range(pages):
        page, cursor = deps.days.rejected_page(provider, limit=REJECTED_PAGE, cursor=cursor)
        found += [r for r in page if keep(r)]
        if cursor is None:
            return RejectedScan(found, True)
    return RejectedScan(found, False)


@dataclass(frozen=True)
class OwnMonth:
    staff_id: str
    year: int
    month: int
    visits: list[Visit]
    rejected: RejectedScan


def own_month(deps: VisitsDeps, who: Principal, year: int, month: int) -> OwnMonth:
    """The caller's own visits of the month and their open rejected events (of their provider)."""
    me = caller_user_id(who)
    provider = who.provider_id or ""
    visits = deps.days.visits_of_staff(provider, me, year, month) if provider else []
    rejected = scan_rejected(deps, provider, lambda r: r.status == "open" and r.event.staff_id == me) \
        if provider else RejectedScan([], True)
    return OwnMonth(staff_id=me, year=year, month=month, visits=visits, rejected=rejected)
