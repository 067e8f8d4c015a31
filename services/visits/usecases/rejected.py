"""Rejected events: a provider's in pages, and a correction by the staff member who sent one."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import Conflict, Forbidden, ValidationFailed
from ..domain.days import ClientDay, day_key_of
from ..domain.model import RejectedEvent, StaffAppEvent
from ..domain.outgoing import rejected_events_changed
from ..schemas import Accepted, PostVisitEvents, RejectedQuery, RejectedView
from .day_writes import update_day
from .guards import caller_user_id
from .ingest import accept_events
from ..paging import decode_cursor, encode_cursor
from .processing import rebuild_days

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def list_rejected(deps: VisitsDeps, who: Principal, query: RejectedQuery) -> list[RejectedView]:
    found, _ = rejected_page(deps, who, query)
    return found


def rejected_page(deps: VisitsDeps, who: Principal, query: RejectedQuery) -> tuple[list[RejectedView], str | None]:
    """A page of the provider's rejected events (at most ``query.limit``, in event id order, the
    status asked for) and the cursor of the next page (None: the last)."""
    found, position = deps.days.rejected_page(who.provider_id or "", limit=query.limit,
                                              cursor=decode_cursor(query.cursor))
    if query.status:
        found = [r for r in found if r.status == query.status]
    return [RejectedView.of(r) for r in found], encode_cursor(position) if position else None


def correct_rejected(deps: VisitsDeps, who: Principal, event_id: str, corrected: StaffAppEvent) -> Accepted:
    """A corrected event replaces a rejected one: the rejected one is marked corrected (and, if the
    builder held it, superseded in the event store) and the new one goes the usual way. The staff
    member who sent an event corrects it: a correction is their event too."""
    rejected, _ = deps.days.get_rejected(who.provider_id or "", event_id)
    if rejected.event.staff_id != caller_user_id(who):
        raise Forbidden("only the staff member whose event it is corrects it")
    if corrected.staff_id is not None and corrected.staff_id != who.user_id:
        raise ValidationFailed.field("staff_id", "must be your own user id (or left out)")
    if rejected.status != "open":
        raise Conflict(f"this event was corrected already (by {rejected.corrected_by_event})")
    if str(corrected.event_id) == event_id:
        raise ValidationFailed.field("event_id", "a correction is a new event with a new event_id")
    if corrected.provider_id != who.provider_id:
        raise ValidationFailed.field("provider_id", "must be your own provider")
    now = deps.clock()
    marked = rejected.model_copy(update={"status": "corrected", "corrected_by_event": str(corrected.event_id),
                                         "corrected_by": who.actor, "corrected_at": now})
    stored = rejected.origin not in ("checks", "unprocessable")
    _mark_corrected(deps, rejected, marked, stored)
    try:
        accepted = accept_events(deps, who, PostVisitEvents(events=[corrected]))
    except Exception:
        _mark_corrected(deps, marked, rejected, stored)  # nothing replaced it after all
        raise
    if stored:  # the original no longer counts: rebuild its client-day without it
        rebuild_days(deps, [day_key_of(rejected.event)])
    return accepted


def _mark_corrected(deps: VisitsDeps, old: RejectedEvent, new: RejectedEvent, stored: bool) -> None:
    if old.origin == "unprocessable":  # held apart from the client-days
        deps.days.replace_unprocessable(old, new)
        return
    eid = str(old.event.event_id)
    key = day_key_of(old.event)

    def mark(day: ClientDay) -> list:
        current = day.rejected.get(eid)
        if current is None or current.status != old.status:
            raise Conflict("the rejected event changed meanwhile; reload it")
        day.rejected[eid] = new
        if stored and eid in day.events:
            day.events[eid] = day.events[eid].model_copy(update={"superseded_by": new.corrected_by_event})
        return [rejected_events_changed(*key, day.open_rejected, deps.clock())]  # reports count them

    update_day(deps, key, mark, conflict="the rejected event changed meanwhile; reload it")
