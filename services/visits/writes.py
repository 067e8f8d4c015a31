"""Versioned writes of visits: the next version of a visit, what a rebuild keeps of it, and the one
way anything changes a client-day — read it, apply the change, write it if nobody wrote it since
(its version), else read it again and apply the change again. The ingest processor, approvals,
edits, post-registrations and the comparison with decisions all write through here, so one writer
at a time changes a client-day and nothing another wrote is lost."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Callable

from ..domain.calendar import month_of
from ..domain.errors import Conflict
from .days import ClientDay, DayKey, visit_day
from .model import Change, Visit
from .outgoing import visit_changed

if TYPE_CHECKING:
    from ..contracts.events import Event
    from .deps import VisitsDeps

ATTEMPTS = 5  # writers meeting on one client-day: each retry re-reads what the other wrote
MARKED = frozenset({"over_granted_time", "no_decision"})  # set against the client's decisions, month-wide


def versioned(old: Visit | None, new: Visit, change: str, *, by: str, why: str, now: datetime,
              user: str | None = None) -> Visit:
    """The next version of a visit, with who, when and why in its history."""
    version = (old.version if old else 0) + 1
    return new.model_copy(update={"version": version,
                                  "history": [*(old.history if old else []),
                                              Change(version=version, change=change, by=by, at=now, why=why,
                                                     user_id=user)]})


def carry_over(old: Visit, new: Visit) -> Visit:
    """What a rebuild keeps of the stored visit: the case worker's decisions on its deviations
    and the deviations set against the decisions (month-wide, not by the builder)."""
    decided = {(d.code, d.at): d for d in old.deviations if d.status in ("approved", "rejected")}
    new.deviations = [decided.get((d.code, d.at), d) for d in new.deviations]
    new.deviations += [d for d in old.deviations if d.code in MARKED and d not in new.deviations]
    return new


def comparable(v: Visit) -> dict:
    return v.model_dump(mode="json", exclude={"version", "history"})


def waits(v: Visit) -> bool:
    return any(d.code == "no_decision" and d.status == "pending" for d in v.deviations)


def changed_events(saved: Visit, change: str, old: Visit | None = None) -> list[Event]:
    """The VisitChanged of each month the change touches (the month left sees the visit gone)."""
    months = {month_of(saved.started_at)} | ({month_of(old.started_at)} if old else set())
    return [visit_changed(saved, year, month, change) for year, month in sorted(months)]


def removed_event(old: Visit) -> Event:
    year, month = month_of(old.started_at)
    return visit_changed(old, year, month, "deleted", version=old.version + 1, gone=True)


def update_day(deps: "VisitsDeps", key: DayKey, change: Callable[[ClientDay], "list[Event] | None"], *,
               conflict: str = "the client-day changed meanwhile; try again", first: ClientDay | None = None
               ) -> ClientDay:
    """Applies ``change`` to the client-day (it returns the events of the change, or None for no
    change) and writes it if nobody wrote it since it was read; else reads it again and applies
    the change again. ``change`` raises to refuse (e.g. the visit is no longer the version asked)."""
    for attempt in range(ATTEMPTS):
        stored = first if (first is not None and attempt == 0) else deps.repo.load_day(key)
        day = stored.copy()
        events = change(day)
        if events is None:
            return stored
        deps.repo.index_days([(stored, day)])
        if deps.repo.save_day(day, events, deps.clock()):
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
        deps.repo.point_visit(saved.visit_id, key)
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
