"""The processor of the staff app's events (``ingest_events``, behind the ``visits-ingest`` queue; the
bootstrap's queue handler calls it).

A batch is handled per client-day (provider, client, Stockholm date), each one record:

1. Everything the batch needs is read in batched calls: its client-days (events, visits, rejected
   events), the devices, the staff registry and the clients' decisions. An event the client-day
   holds already is a resend: skipped. An event a correction superseded: skipped. Every other
   event is checked (rules.check_event); what fails becomes a rejected event (listable,
   correctable), what passes joins the client-day's events.
2. The client-day's visits are rebuilt from the SET of its events (builder.build): the same events
   give the same visits whatever order or how many times they arrived. A visit still open at
   midnight takes the next day's events; events no arrival of their own day explains may belong to
   a visit begun the day before, so that day is rebuilt too. Events that break a visit's
   composition or have no arrival before them are held as rejected events, and withdrawn by a
   later rebuild that fits them (the arrival arrived late).
3. Each changed client-day is written once, whole, if nobody wrote it since it was read (its
   version), with a ``VisitChanged`` per changed visit in its outbox. A day someone else wrote
   meanwhile is read again and rebuilt again; one that keeps conflicting comes back with its
   messages (redelivered, its stored events are resends and the rebuild runs again). No transaction.
4. Days of a locked month are never rebuilt (rules.locked_reason); their refusals are recorded.
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
from typing import TYPE_CHECKING, Any

from ...domain.calendar import is_month_open, month_of
from ...domain.errors import Conflict
from ...domain.granted import home_care_decisions
from ...observability import get_logger
from ..domain import rules
from ..domain.builder import Built, build
from ..domain.days import ClientDay, DayKey, day_key_of, day_of, noon
from ..domain.model import Device, RejectedEvent, StoredEvent, Visit, VisitEvent
from ..domain.outgoing import rejected_events_changed
from ..domain.versions import carry_over, changed_events, comparable, removed_event, versioned, waits
from .granted_check import mark_over_granted, months_over_granted

if TYPE_CHECKING:
    from ...contracts.events import Event
    from ..ports import VisitsDeps

logger = get_logger("visits")
ROUNDS = 4  # a batch's conflicting client-days are read and rebuilt again this many times at most
ORPHAN_REASON = ("no arrival by the same staff member before this {type} (a departure comes after its arrival); "
                 "it waits for its arrival, or correct it")


def _orphan_reason(e: StoredEvent, frozen: list[Visit]) -> str:
    for v in frozen:
        if v.staff_id == e.staff_id and v.started_at <= e.device_time <= (v.ended_at or v.started_at):
            return (f"the visit this {e.type} belongs to is {'approved' if v.status == 'approved' else 'edited'}; "
                    "undo the approval or edit the visit instead")
    return ORPHAN_REASON.format(type=e.type)


Planned = tuple[ClientDay, ClientDay, "list[Event]"]  # as read, as it is to be written, the write's events


class BatchProcessor:
    def __init__(self, deps: "VisitsDeps") -> None:
        self.deps = deps
        self.now = deps.clock()
        self.states: dict[DayKey, ClientDay] = {}
        self.new_events: dict[DayKey, dict[str, StoredEvent]] = defaultdict(dict)
        self.new_rejected: dict[DayKey, dict[str, RejectedEvent]] = defaultdict(dict)
        self.results: dict[DayKey, Built] = {}
        self.devices: dict[str, Device | None] = {}
        self.staff: dict[tuple[str, str], bool] = {}
        self.decisions: dict[str, list[dict[str, Any]]] = {}
        self.unprocessable: dict[str, RejectedEvent] = {}  # event id → rejected, written apart
        self.quarantined: dict[DayKey, dict[str, StoredEvent]] = {}
        self.waiting: set[tuple[str, str, tuple[int, int]]] = set()  # client, provider, month: no decision yet

    # -- reading ----------------------------------------------------------------------------------
    def prefetch(self, events: list[VisitEvent]) -> None:
        """Reads what the batch needs in batched calls: its client-days, devices, staff and decisions."""
        keys = []
        for e in events:
            if rules.outside_window(e) is None:
                try:
                    keys.append(day_key_of(e))
                except (ValueError, OverflowError):  # handled as the event's own failure when taken
                    continue
        self._look_up({e.receipt.device_id for e in events if e.receipt.method != "manual" and e.receipt.device_id},
                      {(e.provider_id, e.staff_id) for e in events}, {str(e.client) for e in events}, keys)

    def _look_up(self, devices: set[str], staff: set[tuple[str, str]], clients: set[str],
                 days: list[DayKey] = ()) -> None:
        devices = {d for d in devices if d not in self.devices}
        staff = {s for s in staff if s not in self.staff}
        clients = {c for c in clients if c not in self.decisions}
        days = [k for k in dict.fromkeys(days) if k not in self.states]
        if not (devices or staff or clients or days):
            return
        found_devices, found_staff, decisions, found_days = self.deps.lookups.lookups(sorted(devices), sorted(staff),
                                                                              sorted(clients), days)
        self.states.update(found_days)
        self.devices.update({d: found_devices.get(d) for d in devices})
        self.staff.update({s: s in found_staff for s in staff})
        self.decisions.update({c: home_care_decisions(decisions.get(c, [])) for c in clients})

    def state(self, key: DayKey) -> ClientDay:
        if key not in self.states:
            self.states.update(self.deps.days.load_days([key]))
        return self.states[key]

    def refresh(self, key: DayKey) -> None:
        """Someone wrote the day meanwhile: read it again; every rebuild is redone."""
        self.states[key] = self.deps.days.load_day(key)
        for eid in list(self.new_events.get(key, {})):
            if eid in self.states[key].events:
                del self.new_events[key][eid]
        self.results.clear()

    def live_events(self, key: DayKey) -> list[StoredEvent]:
        return [*self.state(key).events.values(), *self.new_events[key].values()]

    def _client_decisions(self, client: str) -> list[dict[str, Any]]:
        self._look_up(set(), set(), {client})
        return self.decisions[client]

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
        except self.deps.store_errors:
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
        device_id = event.receipt.device_id if event.receipt.method != "manual" else None
        self._look_up({device_id} if device_id else set(), {(event.provider_id, event.staff_id)}, set())
        reasons = rules.check_event(event, staff_belongs=self.staff[(event.provider_id, event.staff_id)],
                                    device=self.devices.get(device_id) if device_id else None, now=self.now,
                                    skew=self.deps.clock_skew)
        if reasons:
            self.new_rejected[key][eid] = RejectedEvent(event=event, reasons=reasons, received_at=self.now)
            logger.info("visit event rejected", extra={"reasons": reasons})
        else:
            self.new_events[key][eid] = StoredEvent.model_construct(  # validated as it came in
                **{k: getattr(event, k) for k in VisitEvent.model_fields}, received_at=self.now, superseded_by=None)
        return key

    # -- 2. rebuilding ------------------------------------------------------------------------------
    def rebuild(self, key: DayKey, worklist: list[DayKey]) -> Built:
        if key in self.results:
            return self.results[key]
        state = self.state(key)
        frozen = [v for v in state.visits.values() if v.frozen]
        events = self.live_events(key)
        built = build(events, frozen, long_visit_minutes=self.deps.long_visit_minutes, now=self.now,
                      day_ref=state.ref)
        if any(v.ended_at is None for v in built.visits):
            nxt = key.shifted(1)
            following = self.live_events(nxt)
            if following:  # a visit still open at midnight may end the next day
                built = build(events + following, frozen, long_visit_minutes=self.deps.long_visit_minutes,
                              now=self.now, day_ref=state.ref)
                worklist.append(nxt)  # its held events may fit now
        self.results[key] = built
        return built

    def held(self, key: DayKey, worklist: list[DayKey]) -> dict[str, RejectedEvent]:
        """The stored events of ``key`` that no visit takes, as rejected events."""
        day = key.day
        built = self.results[key]
        held: dict[str, RejectedEvent] = {}
        for e, reason in built.rejected:
            if day_of(e.device_time) == day:
                held[str(e.event_id)] = RejectedEvent(event=e, reasons=[reason], received_at=e.received_at,
                                                      origin="composition")
        unpaired = [e for e in built.unpaired if day_of(e.device_time) == day and str(e.event_id) not in held]
        if unpaired:
            prev = key.shifted(-1)
            claimed = self.rebuild(prev, worklist).claimed() if self.live_events(prev) else set()
            if self.live_events(prev):
                worklist.append(prev)  # its visit may end today: write it too
            claimed |= built.claimed()
            for e in unpaired:
                if str(e.event_id) not in claimed:
                    held[str(e.event_id)] = RejectedEvent(event=e, reasons=[_orphan_reason(e, built.frozen)],
                                                          received_at=e.received_at, origin="orphan")
        return held

    # -- 3. planning a client-day's write -------------------------------------------------------------
    def plan(self, key: DayKey, worklist: list[DayKey]) -> Planned | None:
        provider, client, day = key.provider, key.client, key.day
        state = self.state(key)
        new = state.copy()
        events: list[Event] = []
        if not is_month_open(day.year, day.month, self.now):
            # Nothing of a locked month changes; its new events were refused by the checks, and
            # those refusals are still recorded (never dropped silently).
            refused = {eid: r for eid, r in self.new_rejected[key].items() if eid not in state.rejected}
            if not refused:
                return None
            new.rejected.update(refused)
            return state, new, [rejected_events_changed(*key, new.open_rejected, self.now)]
        built = self.rebuild(key, worklist)
        held = self.held(key, worklist)
        new.events.update(self.new_events[key])
        # rejected events: what the checks refused now, and what the builder holds back
        wanted = {**held, **self.new_rejected[key]}
        for eid, old in state.rejected.items():
            if old.status != "open" or eid in wanted:
                continue
            if old.origin != "checks" or eid in self.new_events[key]:
                del new.rejected[eid]  # fits now, or passes the checks now
        for eid, rejected in wanted.items():
            old = state.rejected.get(eid)
            if old is not None and old.status != "open":
                continue
            if old is not None and (old.origin, old.reasons) == (rejected.origin, rejected.reasons):
                continue
            new.rejected[eid] = rejected
        if new.open_rejected != state.open_rejected:
            events.append(rejected_events_changed(*key, new.open_rejected, self.now))
        # visits
        mine = [v for v in built.visits if day_of(v.started_at) == day]
        decisions = self._client_decisions(client)
        for visit in mine:
            old = state.visits.get(visit.visit_id)
            if old is not None and old.frozen:
                continue
            if old is not None:
                visit = carry_over(old, visit)
            visit.deviations = rules.against_decisions(visit, decisions)
            if waits(visit) and not (old is not None and waits(old)):
                self.waiting.add((client, provider, month_of(visit.started_at)))
            if old is not None and comparable(old) == comparable(visit):
                continue
            change = "created" if old is None else "updated"
            saved = versioned(old, visit, change, by="system", why="built from the staff app's events", now=self.now)
            new.visits[saved.visit_id] = saved
            events += changed_events(saved, change, old)
        kept = {v.visit_id for v in mine}
        for old in state.visits.values():
            if not old.frozen and old.visit_id not in kept:
                del new.visits[old.visit_id]
                events.append(removed_event(old))
        changed = (events or new.events.keys() != state.events.keys() or new.rejected != state.rejected)
        return (state, new, events) if changed else None

    def stored(self, key: DayKey, written: ClientDay) -> None:
        """The day was written: what it holds now is what later plans start from."""
        self.states[key] = written
        self.new_events.pop(key, None)
        self.new_rejected.pop(key, None)


def _failure(exc: Exception) -> str:
    return f"the event could not be processed ({type(exc).__name__}); correct it and send it again"


def ingest_events(deps: "VisitsDeps", batch: list[tuple[str, VisitEvent]]) -> set[str]:
    """Handles a batch of (message id, event); returns the message ids to redeliver."""
    p = BatchProcessor(deps)
    p.prefetch([event for _, event in batch])
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
        if any(k.same_client(key) and abs((k.day - key.day).days) <= 1 for k in failed_keys):
            failed |= ids
    for eid, rejected in p.unprocessable.items():
        try:
            deps.days.add_unprocessable(rejected)  # False: recorded by an earlier delivery
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


def _plan_all(p: BatchProcessor, worklist: list[DayKey], skipped: set[DayKey]) -> dict[DayKey, Planned]:
    passing = (Conflict, *p.deps.store_errors)
    planned: dict[DayKey, Planned] = {}
    done: set[DayKey] = set(skipped)
    i = 0
    while i < len(worklist):  # plan() may add neighbouring days
        key = worklist[i]
        i += 1
        if key not in done:
            done.add(key)
            try:
                writes = p.plan(key, worklist)
            except passing:
                raise
            except Exception as exc:  # noqa: BLE001 - isolated below
                raise _DayFailed(key, exc) from exc
            if writes is not None:
                planned[key] = writes
    return planned


def _plan_isolated(p: BatchProcessor, worklist: list[DayKey], skipped: set[DayKey]) -> dict[DayKey, Planned] | None:
    """Plans every client-day; a day that fails is planned again without this batch's events of
    that day (set apart as unprocessable). If it fails without them too, they were not the cause:
    the day is left out (``skipped``). None: failing again and again."""
    for _ in range(2 * len(worklist) + 8):  # each failure sets a day's events apart or leaves a day out
        try:
            return _plan_all(p, list(worklist), skipped)
        except _DayFailed as failure:
            logger.error("client-day could not be rebuilt", extra={"error": type(failure.cause).__name__})
            if p.new_events.get(failure.key):
                p.quarantine(failure.key, failure.cause)
            else:  # it fails on what was stored before: its events come back with their messages
                p.release(failure.key)
                skipped.add(failure.key)
    return None


def _write(deps: "VisitsDeps", p: BatchProcessor, planned: dict[DayKey, Planned]) -> set[DayKey]:
    """Writes the planned client-days, each once; returns those someone else wrote meanwhile."""
    deps.days.index_days([(stored, new) for stored, new, _ in planned.values()], sorted(p.waiting))
    p.waiting.clear()
    keys = sorted(planned)
    saved = deps.days.save_days([(planned[k][1], planned[k][2]) for k in keys], p.now)
    conflicts = set()
    for key, ok in zip(keys, saved):
        if ok:
            p.stored(key, planned[key][1])
        else:
            conflicts.add(key)
    return conflicts


def _rebuild(deps: "VisitsDeps", p: BatchProcessor, worklist: list[DayKey]) -> set[DayKey]:
    skipped: set[DayKey] = set()
    written: dict[DayKey, Planned] = {}
    todo = list(worklist)
    conflicts: set[DayKey] = set()
    for _ in range(ROUNDS):
        planned = _plan_isolated(p, todo, skipped)
        if planned is None:
            return set(worklist)
        conflicts = _write(deps, p, planned)
        written.update({k: v for k, v in planned.items() if k not in conflicts})
        if not conflicts:
            break
        for key in conflicts:
            p.refresh(key)
        todo = sorted(conflicts)
    # A day left out keeps the batch's new events (they were not the cause): stored, not rebuilt.
    for key in sorted(skipped):
        if p.new_events.get(key):
            stored = p.state(key)
            new = stored.copy()
            new.events.update(p.new_events[key])
            deps.days.index_days([(stored, new)])
            deps.days.save_day(new, [], p.now)  # a conflict: the messages come back all the same
    failed_keys = conflicts | skipped
    touched = {k for k, (stored, new, _) in written.items() if new.visits != stored.visits}
    months = sorted({(k.provider, k.client, *month_of(noon(k.day))) for k in touched})
    try:
        over = months_over_granted(deps, months, p.decisions) if months else []
    except Exception:  # noqa: BLE001 - the visits are written; the next rebuild of the month marks them
        logger.exception("months could not be compared with the decisions")
        over = []
    for provider, client, year, month in over:
        try:
            mark_over_granted(deps, provider, client, year, month, p.decisions.get(client),
                              over_granted_only=True, known_over=True)  # the rebuild set no_decision itself
        except Conflict:
            pass  # a concurrent write; the next rebuild of that month flags it
        except Exception:  # noqa: BLE001 - the visits are written; the next rebuild of the month marks them
            logger.exception("deviations against the decisions could not be marked")
    return failed_keys
