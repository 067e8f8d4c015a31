"""The one way anything changes a client-day: read it, apply the change, write it if nobody wrote
it since (its version), else read it again and apply the change again. The ingest processor,
approvals, edits, post-registrations and the comparison with decisions all write through here, so
one writer at a time changes a client-day and nothing another wrote is lost."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ...auth.principal import Principal
from ...domain.calendar import month_of
from ...domain.errors import Conflict
from ..domain.days import ClientDay, DayKey, visit_day
from ..domain.model import Visit
from ..domain.versions import changed_events, versioned

if TYPE_CHECKING:
    from ...contracts.events import Event
    from ..ports import VisitsDeps

ATTEMPTS = 5  # writers meeting on one client-day: each retry re-reads what the other wrote


def update_day(deps: "VisitsDeps", key: DayKey, change: Callable[[ClientDay], "list[Event] | None"], *,
               conflict: str = "the client-day changed meanwhile; try again", first: ClientDay | None = None
               ) -> ClientDay:
    """Applies ``change`` to the client-day (it returns the events of the change, or None for no
    change) and writes it if nobody wrote it since it was read; else reads it again and applies
    the change again. ``change`` raises to refuse (e.g. the visit is no longer the version asked)."""
    for attempt in range(ATTEMPTS):
        stored = first if (first is not None and attempt == 0) else deps.days.load_day(key)
        day = stored.copy()
        events = change(day)
        if events is None:
            return stored
        deps.days.index_days([(stored, day)])
        if deps.days.save_day(day, events, deps.clock()):
            return day
    raise Conflict(conflict)


def write_visit(deps: "VisitsDeps", old: Visit | None, saved: Visit, change: str, *,
                conflict: str = "the visit changed meanwhile; reload it") -> Visit:
    """Writes ``saved`` in place of ``old`` (None: a new visit), if its client-day still holds
    ``old`` as it was; a visit moved to another day is added there first, then taken from its former day."""
    key = visit_day(saved)
    moved = old is not None and visit_day(old) != key

    def put(day: ClientDay) -> list[Event]:
        current = day.visits.get(saved.visit_id)
        if (old is None or moved) and current is not None:
            raise Conflict(conflict)
        if old is not None and not moved and (current is None or current.version != old.version):
            raise Conflict(conflict)
        day.visits[saved.visit_id] = saved
        return changed_events(saved, change) if moved else changed_events(saved, change, old)

    written = update_day(deps, key, put, conflict=conflict)
    if not saved.visit_id.startswith(f"{written.ref}-"):  # moved, or named before its day was: found by a pointer
        deps.days.point_visit(saved.visit_id, key)
    if moved:
        assert old is not None

        def take_out(day: ClientDay) -> list[Event] | None:
            current = day.visits.get(old.visit_id)
            if current is None or current.version != old.version:
                return None  # taken out already
            del day.visits[old.visit_id]
            return [e for e in changed_events(saved, change, old) if (e.year, e.month) != month_of(saved.started_at)]

        update_day(deps, visit_day(old), take_out, conflict=conflict)
    return saved


def write_as(deps: "VisitsDeps", old: Visit | None, new: Visit, change: str, *, by: str | Principal,
             why: str) -> Visit:
    """Writes the next version; ``by`` a person (their actor and user id are recorded) or a label."""
    user = by.user_id if isinstance(by, Principal) else None
    saved = versioned(old, new, change, by=by.actor if isinstance(by, Principal) else by, why=why,
                      now=deps.clock(), user=user)
    return write_visit(deps, old, saved, change)
