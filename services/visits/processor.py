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
5. Failures are isolated: an event whose time is outside any sane window, or that the processor
   fails on, becomes an ``unprocessable`` rejected event (listed and correctable like the others,
   kept apart from the client-days); a client-day whose rebuild fails is planned again without
   the batch's new events of that day, which become unprocessable rejected events. If it fails
   without them too, they were not the cause: they are stored as usual and only that day's
   messages come back (the store failing still fails the batch: worth a redelivery). Nothing one
   event does fails the batch for the others.
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
from .outgoing import rejected_events_changed, visit_changed
from .repository import (STORE_ERRORS, DayKey, DayState, day_key_of, day_of, rejected_item, rejected_key,
                         visit_item, visit_key, waiting_item)

if TYPE_CHECKING:
    from .service import VisitsDeps

logger = get_logger("visits")
MAX_ITEMS = 100
MARKED = frozenset({"over_granted_time", "no_decision"})  # set against the client's decisions, month-wide
ORPHAN_REASON = ("no arrival by the same staff member before this {type} (a departure comes after its arrival); "
                 "it waits for its arrival, or correct it")


def _orphan_reason(e: StoredEvent, frozen: list[Visit]) -> str:
    for v in frozen:
        if v.staff_id == e.staff_id and v.started_at <= e.device_time <= (v.ended_at or v.started_at):
            return (f"the visit this {e.type} belongs to is {'approved' if v.status == 'approved' else 'edited'}; "
                    "undo the approval or edit the visit instead")
    return ORPHAN_REASON.format(type=e.type)


# -- versioned writes of one visit ----------------------------------------------------------------

def versioned(old: Visit | None, new: Visit, change: str, *, by: str, why: str, now: datetime,
              user: str | None = None) -> Visit:
    """The next version of a visit, with who, when and why in its history."""
    version = (old.version if old else 0) + 1
    return new.model_copy(update={"version": version,
                                  "history": [*(old.history if old else []),
                                              Change(version=version, change=change, by=by, at=now, why=why,
                                                     user_id=user)]})


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
    and the deviations set against the decisions (by mark_over_granted, not by the builder)."""
    decided = {(d.code, d.at): d for d in old.deviations if d.status in ("approved", "rejected")}
    new.deviations = [decided.get((d.code, d.at), d) for d in new.deviations]
    new.deviations += [d for d in old.deviations if d.code in MARKED and d not in new.deviations]
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
    open_rejected: tuple[int, datetime] | None = None  # the day's open rejected events changed: count, as of

    @property
    def size(self) -> int:
        emits = sum(1 + (old is not None and month_of(old.started_at) != month_of(new.started_at))
                    for old, new, _ in self.visits)
        return (len(self.puts) + len(self.deletes) + len(self.visits) + emits + 2 * len(self.removed)
                + (self.open_rejected is not None))

    def apply(self, uow: UnitOfWork) -> None:
        for item, cond in self.puts:
            uow.put(item, **cond)
        for key, cond in self.deletes:
            uow.delete(key, **cond)
        for old, saved, change in self.visits:
            add_visit_write(uow, old, saved, change)
        for old in self.removed:
            add_visit_delete(uow, old)
        if self.open_rejected is not None:
            uow.emit(rejected_events_changed(*self.key, *self.open_rejected))


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
        self.unprocessable: dict[str, RejectedEvent] = {}  # event id → rejected, written apart
        self.quarantined: dict[DayKey, dict[str, StoredEvent]] = {}
        self.waiting: set[tuple[str, str, tuple[int, int]]] = set()  # client, provider, month: no decision yet

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

    def _decisions(self, client: str) -> list[dict[str, Any]]:
        k = ("decisions", client)
        if k not in self.lookups:
            self.lookups[k] = self.repo.home_care_decisions(client)
        return self.lookups[k]

    def _device(self, device_id: str | None) -> Any:
        k = ("device", device_id or "")
        if k not in self.lookups:
            self.lookups[k] = self.repo.get_device(device_id) if device_id else None
        return self.lookups[k]

    # -- 1. taking the events in ------------------------------------------------------------------
    def take(self, event: VisitEvent) -> DayKey | None:
        """Checks an event and files it under its client-day; None when it cannot be handled (it
        is then an unprocessable rejected event)."""
        outside = rules.outside_window(event)
        if outside:
            self.reject_unprocessable(event, outside)
            return None
        try:
            return self._take(event)
        except STORE_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - one event's failure is its own, not the batch's
            logger.exception("visit event could not be processed")
            self.reject_unprocessable(event, _failure(exc))
            return None

    def reject_unprocessable(self, event: VisitEvent, reason: str) -> None:
        plain = VisitEvent.model_validate(event.model_dump(include=set(VisitEvent.model_fields)))
        self.unprocessable[str(event.event_id)] = RejectedEvent(event=plain, reasons=[reason], received_at=self.now,
                                                                origin="unprocessable")

    def quarantine(self, key: DayKey, exc: Exception) -> None:
        """The client-day failed to rebuild: its new events from this batch are set apart."""
        self.quarantined[key] = self.new_events.pop(key, {})
        for e in self.quarantined[key].values():
            self.reject_unprocessable(e, _failure(exc))
        self.results.clear()

    def release(self, key: DayKey) -> None:
        """The day fails without its new events too: they were not the cause; they go the usual way."""
        for eid, e in self.quarantined.pop(key, {}).items():
            self.unprocessable.pop(eid, None)
            self.new_events[key][eid] = e
        self.results.clear()

    def _take(self, event: VisitEvent) -> DayKey:
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
            if w.puts:
                w.open_rejected = (_open_count(state) + len(w.puts), self.now)
            return w if w.puts else None
        built = self.rebuild(key, worklist)
        held = self.held(key, worklist)
        # rejected events: what the checks refused now, and what the builder holds back
        wanted = {**held, **self.new_rejected[key]}
        still_open = {eid for eid, old in state.rejected.items() if old.status == "open"}
        for eid, old in state.rejected.items():
            if old.status != "open" or eid in wanted:
                continue
            if old.origin != "checks" or eid in self.new_events[key]:
                w.deletes.append((rejected_key(old.event), _OPEN))  # fits now, or passes the checks now
                still_open.discard(eid)
        for eid, rejected in wanted.items():
            old = state.rejected.get(eid)
            if old is not None and old.status != "open":
                continue
            if old is not None and (old.origin, old.reasons) == (rejected.origin, rejected.reasons):
                continue
            cond = _OPEN if old is not None else {"condition": "attribute_not_exists(pk)"}
            w.puts.append((rejected_item(rejected), cond))
        opened = still_open | {eid for eid, r in wanted.items()
                               if state.rejected.get(eid) is None or state.rejected[eid].status == "open"}
        if len(opened) != _open_count(state):
            w.open_rejected = (len(opened), self.now)
        # visits
        mine = [v for v in built.visits if day_of(v.started_at) == day]
        decisions = self._decisions(client)
        for visit in mine:
            old = state.visits.get(visit.visit_id)
            if old is not None and old.frozen:
                continue
            if old is not None:
                visit = carry_over(old, visit)
            visit.deviations = rules.against_decisions(visit, decisions)
            if _waits(visit) and not (old is not None and _waits(old)):
                self.waiting.add((client, provider, month_of(visit.started_at)))
            if old is not None:
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


def _open_count(state: DayState) -> int:
    return sum(r.status == "open" for r in state.rejected.values())


def _failure(exc: Exception) -> str:
    return f"the event could not be processed ({type(exc).__name__}); correct it and send it again"


def process(deps: "VisitsDeps", batch: list[tuple[str, VisitEvent]]) -> set[str]:
    """Handles a batch of (message id, event); returns the message ids to redeliver."""
    p = BatchProcessor(deps)
    messages: dict[DayKey, set[str]] = defaultdict(set)
    of_event: dict[str, set[str]] = defaultdict(set)
    for message_id, event in batch:
        of_event[str(event.event_id)].add(message_id)
        key = p.take(event)
        if key is not None:
            messages[key].add(message_id)
    failed_keys = _rebuild(deps, p, sorted(messages))
    failed: set[str] = set()
    for key, ids in messages.items():
        if any(k[:2] == key[:2] and abs((k[2] - key[2]).days) <= 1 for k in failed_keys):
            failed |= ids
    for eid, rejected in p.unprocessable.items():
        try:
            deps.repo.add_rejected_once(rejected)  # False: recorded by an earlier delivery
        except Exception:  # noqa: BLE001 - this message comes back; the others are done
            logger.exception("rejected event could not be recorded")
            failed |= of_event[eid]
    return failed


def rebuild_days(deps: "VisitsDeps", keys: list[DayKey]) -> None:
    """Rebuilds client-days outside a batch (after a correction superseded an event)."""
    if _rebuild(deps, BatchProcessor(deps), sorted(set(keys))):
        raise Conflict("the client-day changed meanwhile; try again")


class _DayFailed(Exception):
    def __init__(self, key: DayKey, cause: Exception) -> None:
        super().__init__(str(key))
        self.key, self.cause = key, cause


def _plan_all(p: BatchProcessor, worklist: list[DayKey], skipped: set[DayKey]) -> dict[DayKey, _Writes]:
    planned: dict[DayKey, _Writes] = {}
    done: set[DayKey] = set(skipped)
    i = 0
    while i < len(worklist):  # plan() may add neighbouring days
        key = worklist[i]
        i += 1
        if key not in done:
            done.add(key)
            try:
                writes = p.plan(key, worklist)
            except (Conflict, *STORE_ERRORS):
                raise
            except Exception as exc:  # noqa: BLE001 - isolated below
                raise _DayFailed(key, exc) from exc
            if writes is not None:
                planned[key] = writes
    return planned


def _rebuild(deps: "VisitsDeps", p: BatchProcessor, worklist: list[DayKey]) -> set[DayKey]:
    """Plans every client-day; a day that fails is planned again without this batch's events of
    that day (set apart as unprocessable). If it fails without them too, they were not the cause:
    they are stored as usual, the day is left out and its messages come back."""
    skipped: set[DayKey] = set()
    for _ in range(2 * len(worklist) + 8):  # each failure sets a day's events apart or leaves a day out
        try:
            planned = _plan_all(p, list(worklist), skipped)
            break
        except _DayFailed as failure:
            logger.error("client-day could not be rebuilt", extra={"error": type(failure.cause).__name__})
            if p.new_events.get(failure.key):
                p.quarantine(failure.key, failure.cause)
            else:  # it fails on what was stored before: stored, its events come back with their messages
                p.release(failure.key)
                skipped.add(failure.key)
    else:  # failing again and again: everything comes back
        return set(worklist)
    for key in sorted(p.new_events):  # the events first: stored, a failed rebuild is redone on redelivery
        for e in p.new_events[key].values():
            deps.repo.add_event(e)
    failed_keys = commit_groups(deps, list(planned.values())) | skipped
    for client, provider, month in sorted(p.waiting):  # outside the transactions: one item per month
        deps.repo.put_waiting(client, provider, month)
    for provider, client, year, month in sorted({(k[0], k[1], y, m) for k, w in planned.items()
                                                  if k not in failed_keys for y, m in w.changed_months}):
        try:
            mark_over_granted(deps, provider, client, year, month, p.lookups.get(("decisions", client)),
                              over_granted_only=True)  # the rebuild set no_decision itself
        except Conflict:
            pass  # a concurrent write; the next rebuild of that month flags it
        except Exception:  # noqa: BLE001 - the visits are written; the next rebuild of the month marks them
            logger.exception("deviations against the decisions could not be marked")
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


def _waits(v: Visit) -> bool:
    return any(d.code == "no_decision" and d.status == "pending" for d in v.deviations)


def mark_over_granted(deps: "VisitsDeps", provider: str, client: str, year: int, month: int,
                      decisions: list[dict[str, Any]] | None = None, *, over_granted_only: bool = False) -> bool:
    """Compares the month's visits with the client's decisions. Performed time beyond the month's
    granted time needs the case worker's approval (seed 004), and so does a visit on a day no
    home-care decision covers (a temporary stay's decision is another municipality's: not compared).
    A pending ``no_decision`` is withdrawn once a decision covers the day. Returns whether a visit
    of the month still waits for a decision."""
    if not is_month_open(year, month, deps.clock()):
        return False
    decisions = deps.repo.home_care_decisions(client) if decisions is None else decisions
    granted = deps.repo.granted_minutes(client, year, month, decisions)
    if granted is None and over_granted_only:
        return False
    visits = {v.visit_id: v for v in deps.repo.visits_of_month(provider, year, month, client)}
    over = set(rules.over_granted(visits.values(), granted)) if granted is not None else set()
    waiting = False
    for visit_id, visit in sorted(visits.items()):
        updated = visit.model_copy(deep=True)
        if visit_id in over and not any(d.code == "over_granted_time" for d in visit.deviations):
            updated.deviations.append(Deviation(code="over_granted_time", status="pending", by="system",
                                                at=visit.ended_at or visit.started_at,
                                                reason=f"performed time passes the granted {granted} minutes"))
        if not over_granted_only:
            updated.deviations = rules.against_decisions(updated, decisions)
        waiting |= _waits(updated)
        if updated.deviations == visit.deviations:
            continue
        saved = versioned(visit, updated, "updated", by="system", why="compared with the client's decisions",
                          now=deps.clock())
        uow = deps.uow()
        add_visit_write(uow, visit, saved, "updated")
        if _waits(saved) and not _waits(visit):
            uow.put(waiting_item(client, provider, (year, month)))
        uow.commit("the visit changed meanwhile")
    return waiting
