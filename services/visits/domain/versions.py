"""The versions of a visit: the next version with who, when and why; what a rebuild keeps of the
stored one; and the ``visit.changed`` events of a change (one per month it touches)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ...domain.calendar import month_of
from .model import Change, Visit
from .outgoing import visit_changed

if TYPE_CHECKING:
    from ...contracts.events import Event

# A history's change that ``visit.changed`` names otherwise: a resolution of an exception changes
# nothing reports or billing read, so consumers see an ``updated`` (the contract's names stay).
EVENT_CHANGE = {"resolved": "updated"}
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
    """What a rebuild keeps of the stored visit: the case worker's decisions on its deviations,
    the deviations set against the decisions (month-wide, not by the builder) and the
    coordinator's resolutions of its exceptions."""
    decided = {(d.code, d.at): d for d in old.deviations if d.status in ("approved", "rejected")}
    new.deviations = [decided.get((d.code, d.at), d) for d in new.deviations]
    new.deviations += [d for d in old.deviations if d.code in MARKED and d not in new.deviations]
    new.resolutions = list(old.resolutions)  # the coordinator's resolutions stand (exceptions.resolved)
    return new


def comparable(v: Visit) -> dict:
    return v.model_dump(mode="json", exclude={"version", "history"})


def waits(v: Visit) -> bool:
    return any(d.code == "no_decision" and d.status == "pending" for d in v.deviations)


def changed_events(saved: Visit, change: str, old: Visit | None = None) -> list[Event]:
    """The VisitChanged of each month the change touches (the month left sees the visit gone)."""
    months = {month_of(saved.started_at)} | ({month_of(old.started_at)} if old else set())
    named = EVENT_CHANGE.get(change, change)
    return [visit_changed(saved, year, month, named) for year, month in sorted(months)]


def removed_event(old: Visit) -> Event:
    year, month = month_of(old.started_at)
    return visit_changed(old, year, month, "deleted", version=old.version + 1, gone=True)
