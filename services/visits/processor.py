"""The processor of the staff app's events (``on_visit_events``) and the versioned writes of visits.

A batch is handled per client-day (provider, client, Stockholm date):

1. Each client-day the batch touches is read with one consistent query (its events, visits and
   rejected events). An event already stored is a resend: skipped. An event a correction
   superseded: skipped. Every other event is checked (rules.check_event); what fails becomes a
   rejected event (listable, correctable), what passes is stored.
2. The client-day's visits are rebuilt from the SET of its events (builder.build): the same events
   give the same visits whatever order or how many times they arrived. A visit still open at
   midnight takes the next day's events; events no arrival of their own day explains may belong to
   a visit begun the day before, so that day is rebuilt too. Events that break a visit's
   composition or have no arrival before them are held as rejected events, and withdrawn by a
   later rebuild that fits them (the arrival arrived late).
3. The new events are stored first, each with a conditional put (``attribute_not_exists``: the
   event id is the idempotency record). Then everything the client-day's rebuild changes — the
   visits (conditional on their version), the rejected events, and a ``VisitChanged`` per changed
   visit (transactional outbox) — is written in one transaction, several client-days per
   transaction up to DynamoDB's 100 items. Every condition says "as read": a concurrent writer
   cancels the transaction and the messages come back; redelivered, their events are stored
   already and the rebuild runs again.
4. Days of a locked month are never written (rules.locked_reason).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..adapters.dynamo import UnitOfWork
from ..domain.calendar import STOCKHOLM, is_month_open, month_of
from ..domain.errors import Conflict
from ..observability import get_logger
from . import rules
from .builder import Built, build
from .model import Change, Deviation, RejectedEvent, StoredEvent, Visit, VisitEvent
from .outgoing import visit_changed
from .repository import (DayKey, DayState, day_key_of, day_of, rejected_item, rejected_key,
                         visit_item, visit_key)

if TYPE_CHECKING:
    from .service import VisitsDeps

logger = get_logger("visits")
MAX_ITEMS = 100
ORPHAN_REASON = ("no arrival by the same staff member before this {type} (a departure comes after its arrival); "
                 "it waits for its arrival, or correct it")


def _orphan_reason(e: StoredEvent, frozen: list[Visit]) -> str:
    for v in frozen:
        if v.staff_id == e.staff_id and v.started_at <= e.device_time <= (v.ended_at or v.started_at):
            return (f"the visit this {e.type} belongs to is {'approved' if v.status == 'approved' else 'edited'}; "
                    "undo the approval or edit the visit instead")
    return ORPHAN_REASON.format(type=e.type)


# -- versioned writes of one visit ----------------------------------------------------------------

def versioned(old: Visit | None, new: Visit, change: str, *, by: str, why: str, now: datetime) -> Visit:
    """The next version of a visit, with who, when and why in its history."""
    version = (old.version if old else 0) + 1
    return new.model_copy(update={"version": version,
                                  "history": [*(old.history if old else []),
                                              Change(version=version, change=change, by=by, at=now, why=why)]})


def add_visit_write(uow: UnitOfWork, old: Visit | None, saved: Visit, change: str) -> None:
    """The conditional writes of ``saved`` replacing ``old`` and the VisitChanged of each month touched."""
    if old is None:
        uow.put(visit_item(saved), condition="attribute_not_exists(pk)")
    elif visit_key(old) == visit_key(saved):
        uow.put(visit_item(saved), condition="#v = :v", names={"#v": "version"}, values={":v": old.version})
    else:  # moved to another day: its partition changes
        uow.delete(visit_key(old), condition="#v = :v", names={"#v": "version"}, values={":v": old.version})
        uow.put(visit_item(saved), condition="attribute_not_exists(pk)")
    months = {month_of(saved.started_at)} | ({month_of(old.started_at)} if old else set())
    for year, month in sorted(months):
        uow.emit(visit_changed(saved, year, month, change))


def add_visit_delete(uow: UnitOfWork, old: Visit) -> None:
    uow.delete(visit_key(old), condition="#v = :v", names={"#v": "version"}, values={":v": old.version})
    year, month = month_of(old.started_at)
    uow.emit(visit_changed(old, year, month, "deleted", version=old.version + 1, gone=True))


def _comparable(v: Visit) -> dict:
    return v.model_dump(mode="json", exclude={"version", "history"})


def carry_over(old: Visit, new: Visit) -> Visit:
    """What a rebuild keeps of the stored visit: the case worker's decisions on its deviations
    and the over-granted-time flag (set by a month-wide computation, not by the builder)."""
    decided = {(d.code, d.at): d for d in old.deviations if d.status in ("approved", "rejected")}
    new.deviations = [decided.get((d.code, d.at), d) for d in new.deviations]
    new.deviations += [d for d in old.deviations if d.code == "over_granted_time" and d not in new.deviations]
    return new


# -- the batch --------------------------------------------------------------------------------------

@dataclass
class _Writes:
    """One client-day's writes: applied to a unit of work as one indivisible group."""

    key: DayKey
    puts: list[tuple[dict, dict]] = field(default_factory=list)  # item, condition kwargs
    deletes: list[tuple[dict, dict]] = field(default_factory=list)
    visits: list[tuple[Visit | None, Visit, str]] = field(default_factory=list)
    removed: list[Visit] = field(default_factory=list)
    changed_months: set[tuple[int, int]] = field(default_factory=set)

    @property
    def size(self) -> int:
        emits = sum(1 + (old is not None and month_of(old.started_at) != month_of(new.started_at))
                    for old, new, _ in self.visits)
        return len(self.puts) + len(self.deletes) + len(self.visits) + emits + 2 * len(self.removed)

    def apply(self, uow: UnitOfWork) -> None:
        for item, cond in self.puts:
            uow.put(item, **cond)
        for key, cond in self.deletes:
            uow.delete(key, **cond)
        for old, saved, change in self.visits:
            add_visit_write(uow, old, saved, change)
        for old in self.removed:
            add_visit_delete(uow, old)


_OPEN = {"condition": "#s = :open", "names": {"#s": "status"}, "values": {":open": "open"}}


class BatchProcessor:
    def __init__(self, deps: "VisitsDeps") -> None:
        self.deps = deps
        self.repo = deps.repo
        self.now = deps.clock()
        self.states: dict[DayKey, DayState] = {}
        self.new_events: dict[DayKey, dict[str, StoredEvent]] = defaultdict(dict)
        self.new_rejected: dict[DayKey, dict[str, RejectedEvent]] = defaultdict(dict)
        self.results: dict[DayKey, Built] = {}
        self.lookups: dict[tuple[str, str], Any] = {}

    # -- reading ----------------------------------------------------------------------------------
    def state(self, key: DayKey) -> DayState:
        if key not in self.states:
            self.states[key] = self.repo.load_day(key)
        return self.states[key]

    def live_events(self, key: DayKey) -> list[StoredEvent]:
        return [*self.state(key).events.values(), *self.new_events[key].values()]

    def _staff(self, provider: str, user: str) -> bool:
        k = ("staff", f"{provider}#{user}")
        if k not in self.lookups:
            self.lookups[k] = self.repo.is_staff(provider, user)
        return self.lookups[k]

    def _device(self, device_id: str | None) -> Any:
        k = ("device", device_id or "")
        if k not in self.lookups:
            self.lookups[k] = self.repo.get_device(device_id) if device_id else None
        return self.lookups[k]

    # -- 1. taking the events in ------------------------------------------------------------------
    def take(self, event: VisitEvent) -> DayKey:
        key = day_key_of(event)
        state, eid = self.state(key), str(event.event_id)
        if eid in state.events or eid in self.new_events[key]:
            return key  # a resend: stored already
        known = state.rejected.get(eid)
        if known is not None and known.status == "corrected":
            return key  # a correction replaced it
        device = self._device(event.receipt.device_id) if event.receipt.method != "manual" else None
        reasons = rules.check_event(event, staff_belongs=self._staff(event.provider_id, event.staff_id),
                                    device=device, now=self.now, skew=self.deps.clock_skew)
        if reasons:
            self.new_rejected[key][eid] = RejectedEvent(event=event, reasons=reasons, received_at=self.now)
            logger.info("visit event rejected", extra={"reasons": reasons})
        else:
            self.new_events[key][eid] = StoredEvent(**event.model_dump(), received_at=self.now)
        return key

    # -- 2. rebuilding ------------------------------------------------------------------------------
    def rebuild(self, key: DayKey, worklist: list[DayKey]) -> Built:
        if key in self.results:
            return self.results[key]
        provider, client, day = key
        state = self.state(key)
        frozen = [v for v in state.visits.values() if v.frozen]
        events = self.live_events(key)
        built = build(events, frozen, long_visit_minutes=self.deps.long_visit_minutes, now=self.now)
        if any(v.ended_at is None for v in built.visits):
            nxt = (provider, client, day + timedelta(days=1))
            following = self.live_events(nxt)
            if following:  # a visit still open at midnight may end the next day
                built = build(events + following, frozen, long_visit_minutes=self.deps.long_visit_minutes,
                              now=self.now)
                worklist.append(nxt)  # its held events may fit now
        self.results[key] = built
        return built

    def held(self, key: DayKey, worklist: list[DayKey]) -> dict[str, RejectedEvent]:
        """The stored events of ``key`` that no visit takes, as rejected events."""
        provider, client, day = key
        built = self.results[key]
        held: dict[str, RejectedEvent] = {}
        for e, reason in built.rejected:
            if day_of(e.device_time) == day:
                held[str(e.event_id)] = RejectedEvent(event=e, reasons=[reason], received_at=e.received_at,
                                                      origin="composition")
        unpaired = [e for e in built.unpaired if day_of(e.device_time) == day and str(e.event_id) not in held]
        if unpaired:
            prev = (provider, client, day - timedelta(days=1))
            claimed = self.rebuild(prev, worklist).claimed() if self.live_events(prev) else set()
            if self.live_events(prev):
                worklist.append(prev)  # its visit may end today: write it too
            claimed |= built.claimed()
            for e in unpaired:
                if str(e.event_id) not in claimed:
                    held[str(e.event_id)] = RejectedEvent(event=e, reasons=[_orphan_reason(e, built.frozen)],
                                                          received_at=e.received_at, origin="orphan")
        return held

    # -- 3. planning a client-day's writes ------------------------------------------------------------
    def plan(self, key: DayKey, worklist: list[DayKey]) -> _Writes | None:
        provider, client, day = key
        state = self.state(key)
        w = _Writes(key)
        if not is_month_open(day.year, day.month, self.now):
            # Nothing of a locked month changes; its new events were refused by the checks, and
            # those refusals are still recorded (never dropped silently).
            for eid, refused in self.new_rejected[key].items():
                if eid not in state.rejected:
                    w.puts.append((rejected_item(refused), {"condition": "attribute_not_exists(pk)"}))
            return w if w.puts else None
        built = self.rebuild(key, worklist)
        held = self.held(key, worklist)
        # rejected events: what the checks refused now, and what the builder holds back
        wanted = {**held, **self.new_rejected[key]}
        for eid, old in state.rejected.items():
            if old.status != "open" or eid in wanted:
                continue
            if old.origin != "checks" or eid in self.new_events[key]:
                w.deletes.append((rejected_key(old.event), _OPEN))  # fits now, or passes the checks now
        for eid, rejected in wanted.items():
            old = state.rejected.get(eid)
            if old is not None and old.status != "open":
                continue
            if old is not None and (old.origin, old.reasons) == (rejected.origin, rejected.reasons):
                continue
            cond = _OPEN if old is not None else {"condition": "attribute_not_exists(pk)"}
            w.puts.append((rejected_item(rejected), cond))
        # visits
        mine = [v for v in built.visits if day_of(v.started_at) == day]
        for visit in mine:
            old = state.visits.get(visit.visit_id)
            if old is not None and old.frozen:
                continue
            if old is not None:
                visit = carry_over(old, visit)
                if _comparable(old) == _comparable(visit):
                    continue
            change = "created" if old is None else "updated"
            saved = versioned(old, visit, change, by="system", why="built from the staff app's events", now=self.now)
            w.visits.append((old, saved, change))
            w.changed_months.add(month_of(saved.started_at))
        kept = {v.visit_id for v in mine}
        for old in state.visits.values():
            if not old.frozen and old.visit_id not in kept:
                w.removed.append(old)
                w.changed_months.add(month_of(old.started_at))
        return w if (w.puts or w.deletes or w.visits or w.removed) else None


def process(deps: "VisitsDeps", batch: list[tuple[str, VisitEvent]]) -> set[str]:
    """Handles a batch of (message id, event); returns the message ids to redeliver."""
    p = BatchProcessor(deps)
    messages: dict[DayKey, set[str]] = defaultdict(set)
    for message_id, event in batch:
        messages[p.take(event)].add(message_id)
    failed_keys = _rebuild(deps, p, sorted(messages))
    failed: set[str] = set()
    for key, ids in messages.items():
        if any(k[:2] == key[:2] and abs((k[2] - key[2]).days) <= 1 for k in failed_keys):
            failed |= ids
    return failed


def rebuild_days(deps: "VisitsDeps", keys: list[DayKey]) -> None:
    """Rebuilds client-days outside a batch (after a correction superseded an event)."""
    if _rebuild(deps, BatchProcessor(deps), sorted(set(keys))):
        raise Conflict("the client-day changed meanwhile; try again")


def _rebuild(deps: "VisitsDeps", p: BatchProcessor, worklist: list[DayKey]) -> set[DayKey]:
    planned: dict[DayKey, _Writes] = {}
    done: set[DayKey] = set()
    i = 0
    while i < len(worklist):  # plan() may add neighbouring days
        key = worklist[i]
        i += 1
        if key not in done:
            done.add(key)
            writes = p.plan(key, worklist)
            if writes is not None:
                planned[key] = writes
    for key in sorted(p.new_events):  # the events first: stored, a failed rebuild is redone on redelivery
        for e in p.new_events[key].values():
            deps.repo.add_event(e)
    failed_keys = commit_groups(deps, list(planned.values()))
    for provider, client, year, month in sorted({(k[0], k[1], y, m) for k, w in planned.items()
                                                  if k not in failed_keys for y, m in w.changed_months}):
        try:
            mark_over_granted(deps, provider, client, year, month)
        except Conflict:
            pass  # a concurrent write; the next rebuild of that month flags it
    return failed_keys


def noon(day: date) -> datetime:
    """An instant of a Stockholm date (for month and lock-date rules on dates)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=STOCKHOLM)


def commit_groups(deps: "VisitsDeps", groups: list[_Writes]) -> set[DayKey]:
    """Commits the groups, as many per transaction as fit; a group never splits unless it alone
    holds more than a transaction does. Returns the keys of the groups that conflicted."""
    packs: list[list[_Writes]] = []
    for g in groups:
        if packs and sum(x.size for x in packs[-1]) + g.size <= MAX_ITEMS:
            packs[-1].append(g)
        else:
            packs.append([g])
    failed: set[DayKey] = set()
    for pack in packs:
        try:
            _commit(deps, pack)
        except Conflict:
            if len(pack) == 1:
                failed.add(pack[0].key)
                continue
            for g in pack:  # find the group that conflicted; the others go through
                try:
                    _commit(deps, [g])
                except Conflict:
                    failed.add(g.key)
    return failed


def _commit(deps: "VisitsDeps", pack: list[_Writes]) -> None:
    if len(pack) > 1 or pack[0].size <= MAX_ITEMS:  # the usual case: one transaction
        uow = deps.uow()
        for g in pack:
            g.apply(uow)
        uow.commit("the client-day changed meanwhile")
        return
    # One client-day too big for a transaction (dozens of visits changed at once): events and
    # rejected events in slices first, then each visit with its VisitChanged. Every write is
    # conditional on what was read, so a redelivery completes what a failure interrupts.
    g = pack[0]
    plain = [("put", x) for x in g.puts] + [("delete", x) for x in g.deletes]
    for start in range(0, len(plain), MAX_ITEMS):
        uow = deps.uow()
        for kind, (item, cond) in plain[start:start + MAX_ITEMS]:
            (uow.put if kind == "put" else uow.delete)(item, **cond)
        uow.commit("the client-day changed meanwhile")
    for old, saved, change in g.visits:
        uow = deps.uow()
        add_visit_write(uow, old, saved, change)
        uow.commit("the client-day changed meanwhile")
    for old in g.removed:
        uow = deps.uow()
        add_visit_delete(uow, old)
        uow.commit("the client-day changed meanwhile")


def mark_over_granted(deps: "VisitsDeps", provider: str, client: str, year: int, month: int) -> None:
    """Performed time beyond the month's granted time needs the case worker's approval (seed 004)."""
    if not is_month_open(year, month, deps.clock()):
        return
    granted = deps.repo.granted_minutes(client, year, month)
    if granted is None:
        return
    visits = {v.visit_id: v for v in deps.repo.visits_of_month(provider, year, month, client)}
    for visit_id in rules.over_granted(visits.values(), granted):
        visit = visits[visit_id]
        if any(d.code == "over_granted_time" for d in visit.deviations):
            continue
        updated = visit.model_copy(deep=True)
        updated.deviations.append(Deviation(code="over_granted_time", status="pending", by="system",
                                            at=visit.ended_at or visit.started_at,
                                            reason=f"performed time passes the granted {granted} minutes"))
        saved = versioned(visit, updated, "updated", by="system", why="time beyond the granted time",
                          now=deps.clock())
        uow = deps.uow()
        add_visit_write(uow, visit, saved, "updated")
        uow.commit("the visit changed meanwhile")

