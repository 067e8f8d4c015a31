"""In-memory twins of the visits ports (``services/visits/ports.py``), one per aggregate, with the
adapters' rules (a client-day written only if its version is unchanged; a pointer per day; paging
by cursor; conditional writes that raise Conflict), so the use cases run without moto in
milliseconds. ``tests/integration/contracts/test_visits_*.py`` runs the same assertions against
each of them and its DynamoDB adapter. What a write put in its outbox is kept in ``published``
(the stream's relay would publish it)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Callable, Iterable

from services.contracts.events import Event
from services.domain.errors import Conflict, NotFound
from services.visits.domain.days import ClientDay, DayKey
from services.visits.domain.model import Absence, Device, RejectedEvent, Visit
from services.visits.domain.summaries import ClientMonthSummary, day_counts, delta, month_key
from services.visits.ports import VisitsDeps

WaitingMark = tuple[str, str, tuple[int, int]]


def _clone(day: ClientDay) -> ClientDay:
    """A copy sharing nothing with the stored day (as a read from a table would)."""
    return ClientDay(day.key, day.version,
                     {k: type(e).model_validate(e.model_dump()) for k, e in day.events.items()},
                     {k: Visit.model_validate(v.model_dump()) for k, v in day.visits.items()},
                     {k: RejectedEvent.model_validate(r.model_dump()) for k, r in day.rejected.items()},
                     day.listed, day.ref, dict(day.counted))


class FakeGrants:
    def __init__(self) -> None:
        self.decisions: dict[str, dict[str, dict]] = {}
        self.waiting: set[WaitingMark] = set()

    def put_granted(self, decision: dict[str, Any]) -> None:
        # stored as JSON, as the table does: dates come back as the strings the event carried
        stored = json.loads(json.dumps(decision, default=str))
        self.decisions.setdefault(str(decision["client"]), {})[str(decision["decision_id"])] = stored

    def decisions_of(self, client: str) -> list[dict[str, Any]]:
        return sorted(self.decisions.get(client, {}).values(),
                      key=lambda d: (str(d.get("valid_from")), str(d.get("decision_id"))))

    def waiting_months(self, client: str) -> list[tuple[str, int, int]]:
        return sorted((p, y, m) for c, p, (y, m) in self.waiting if c == client)

    def put_waiting(self, marks: Iterable[WaitingMark]) -> None:
        self.waiting |= set(marks)

    def stop_waiting(self, client: str, provider: str, year: int, month: int) -> None:
        self.waiting.discard((client, provider, (year, month)))

    def clients_of_case_worker(self, case_worker: str) -> list[str]:
        return sorted(c for c, ds in self.decisions.items()
                      if any(d.get("case_worker_id") == case_worker for d in ds.values()))


class FakeClientDays:
    """``grants``: where ``index_days`` marks the months waiting for a decision (the adapter writes
    them in the same batch as the pointers)."""

    def __init__(self, grants: FakeGrants | None = None) -> None:
        self.grants = grants if grants is not None else FakeGrants()
        self.days: dict[DayKey, ClientDay] = {}
        self.refs: dict[str, DayKey] = {}
        self.moved: dict[str, DayKey] = {}
        self.months: dict[tuple[str, str], dict[str, DayKey]] = {}  # (provider, yyyy-mm) -> "client#day" -> day
        self.rejected_at: dict[str, dict[str, DayKey | RejectedEvent]] = {}  # provider -> event id -> where
        self.staff_months: dict[tuple[str, str, str], set[DayKey]] = {}  # (provider, staff, yyyy-mm) -> days
        self.published: list[Event] = []
        self.summaries: dict[tuple[str, str], dict[str, dict[str, int]]] = {}  # (provider, yyyy-mm) -> client -> counts
        self.saves = 0
        self.before_save: list[Callable[[], Any]] = []  # run before a save (a concurrent writer, in tests)

    # -- client-days ----------------------------------------------------------------------------
    def load_day(self, key: DayKey) -> ClientDay:
        stored = self.days.get(key)
        return _clone(stored) if stored else ClientDay(key, ref=uuid.uuid4().hex[:12])

    def load_days(self, keys: Iterable[DayKey]) -> dict[DayKey, ClientDay]:
        return {k: self.load_day(k) for k in dict.fromkeys(keys)}

    def days_minutes(self, keys: Iterable[DayKey]) -> dict[DayKey, int]:
        return {k: self.days[k].minutes for k in keys if k in self.days}

    def save_day(self, day: ClientDay, events: list[Event], now: datetime) -> bool:
        while self.before_save:
            self.before_save.pop(0)()
        current = self.days.get(day.key)
        if (current.version if current else 0) != day.version:
            return False
        self.saves += 1
        counts = day_counts(day)
        change = delta(counts, day.counted)
        if change:  # as the adapter: in the same write as the day
            kept = self.summaries.setdefault((day.key.provider, month_key(day.key.day)), {}).setdefault(
                day.key.client, {})
            for k, n in change.items():
                kept[k] = kept.get(k, 0) + n
        day.version += 1
        day.listed = day.listed or bool(day.visits)
        day.counted = counts
        self.days[day.key] = _clone(day)
        self.published += events
        return True

    def save_days(self, writes: list[tuple[ClientDay, list[Event]]], now: datetime) -> list[bool]:
        return [self.save_day(day, events, now) for day, events in writes]

    def index_days(self, changes: Iterable[tuple[ClientDay, ClientDay]], waiting: Iterable[WaitingMark] = ()) -> None:
        self.grants.put_waiting(waiting)
        for stored, new in changes:
            provider, client, day = new.key
            if stored.version == 0:
                self.refs[new.ref] = new.key
            for eid in new.rejected:
                if eid not in stored.rejected:  # as the adapter: a pointer per newly rejected event
                    self.rejected_at.setdefault(provider, {})[eid] = new.key
            if new.visits:
                self.months.setdefault((provider, f"{day.year:04d}-{day.month:02d}"), {})[
                    f"{client}#{day.isoformat()}"] = new.key
            for v in new.visits.values():
                self.staff_months.setdefault((provider, v.staff_id, f"{day.year:04d}-{day.month:02d}"), set()).add(
                    new.key)

    def month_summaries(self, provider: str, year: int, month: int) -> list[ClientMonthSummary]:
        kept = self.summaries.get((provider, f"{year:04d}-{month:02d}"), {})
        return [ClientMonthSummary(c, {k: n for k, n in kept[c].items() if n}) for c in sorted(kept)]

    def seed(self, days: Iterable[ClientDay]) -> None:
        """Days written in bulk, with their pointers and summaries (as the adapter's ``seed_items``)."""
        for day in days:
            before = self.load_day(day.key)
            self.index_days([(before, day)])
            day.version = 0
            assert self.save_day(day, [], datetime.now())

    def point_visit(self, visit_id: str, key: DayKey) -> None:
        self.moved[visit_id] = key

    # -- visits ---------------------------------------------------------------------------------
    def get_visit(self, visit_id: str) -> Visit:
        key = self.moved.get(visit_id) or self.refs.get(visit_id.split("-")[0])
        if key is not None and key in self.days and visit_id in self.days[key].visits:
            return _clone(self.days[key]).visits[visit_id]
        raise NotFound("no such visit")

    def visits_page(self, provider: str, year: int, month: int, client: str | None = None, *, limit: int,
                    cursor: dict[str, Any] | None = None) -> tuple[list[Visit], dict[str, Any] | None]:
        listed = self.months.get((provider, f"{year:04d}-{month:02d}"), {})
        days = [(sk, self.days[listed[sk]]) for sk in sorted(listed)
                if (not client or sk.startswith(f"{client}#")) and listed[sk] in self.days]
        ordered = [(sk, v) for sk, day in days
                   for v in sorted(day.visits.values(), key=lambda v: (v.started_at, v.visit_id))]
        start = 0
        if cursor:
            start = next((i for i, (sk, _) in enumerate(ordered) if sk >= cursor["day"]), len(ordered))
            start += cursor.get("skip", 0)
        page = ordered[start:start + limit]
        if start + limit >= len(ordered):
            return [_clone_visit(v) for _, v in page], None
        last = page[-1][0]
        return ([_clone_visit(v) for _, v in page],
                {"day": last, "skip": sum(1 for sk, _ in ordered[:start + limit] if sk == last)})

    def visits_of_staff(self, provider: str, staff: str, year: int, month: int) -> list[Visit]:
        keys = self.staff_months.get((provider, staff, f"{year:04d}-{month:02d}"), set())
        return sorted((_clone_visit(v) for k in keys if k in self.days for v in self.days[k].visits.values()
                       if v.staff_id == staff), key=lambda v: (v.started_at, v.visit_id))

    def visits_of_month(self, provider: str, year: int, month: int, client: str | None = None) -> list[Visit]:
        return self.visits_page(provider, year, month, client, limit=10**6)[0]

    # -- rejected events ------------------------------------------------------------------------
    def _rejected(self, provider: str, eid: str) -> RejectedEvent | None:
        where = self.rejected_at.get(provider, {}).get(eid)
        if isinstance(where, RejectedEvent):
            return where
        if where is not None and where in self.days:
            return self.days[where].rejected.get(eid)
        return None

    def rejected_page(self, provider: str, *, limit: int, cursor: dict[str, Any] | None = None
                      ) -> tuple[list[RejectedEvent], dict[str, Any] | None]:
        ids = sorted(i for i in self.rejected_at.get(provider, {}) if not cursor or i > cursor["after"])
        page = ids[:limit]
        found = [r for r in (self._rejected(provider, i) for i in page) if r is not None]
        return found, ({"after": page[-1]} if len(ids) > limit else None)

    def get_rejected(self, provider: str, event_id: str) -> tuple[RejectedEvent, DayKey | None]:
        r = self._rejected(provider, event_id)
        if r is None:
            raise NotFound("no such rejected event")
        where = self.rejected_at[provider][event_id]
        return r, None if isinstance(where, RejectedEvent) else where

    def add_unprocessable(self, r: RejectedEvent) -> bool:
        mine = self.rejected_at.setdefault(r.event.provider_id, {})
        if str(r.event.event_id) in mine:
            return False
        mine[str(r.event.event_id)] = r
        return True

    def replace_unprocessable(self, old: RejectedEvent, new: RejectedEvent) -> None:
        mine = self.rejected_at.get(old.event.provider_id, {})
        current = mine.get(str(old.event.event_id))
        if not isinstance(current, RejectedEvent) or current.status != old.status:
            raise Conflict("the rejected event changed meanwhile; reload it")
        mine[str(old.event.event_id)] = new


def _clone_visit(v: Visit) -> Visit:
    return Visit.model_validate(v.model_dump())


class FakeDevices:
    """Devices and each provider's counter of active ones: the counter exists once a provider has
    ordered (before that, the active devices are counted), as in the table."""

    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.counters: dict[str, int] = {}

    def get_device(self, device_id: str) -> Device | None:
        return self.devices.get(device_id)

    def devices_of(self, provider: str) -> list[Device]:
        return sorted((d for d in self.devices.values() if d.provider_id == provider), key=lambda d: d.device_id)

    def put_device(self, d: Device) -> None:
        self.devices[d.device_id] = d

    def bind_device(self, bound: Device) -> None:
        current = self.devices.get(bound.device_id)
        if current is None or current.status != "ordered":
            raise Conflict("the tag changed meanwhile")
        self.devices[bound.device_id] = bound

    def active_tags(self, provider: str) -> tuple[int, bool]:
        if provider in self.counters:
            return self.counters[provider], True
        return sum(1 for d in self.devices_of(provider) if d.status != "retired"), False

    def order_devices(self, provider: str, devices: list[Device], seen: tuple[int, bool]) -> None:
        active, counted = seen
        if counted != (provider in self.counters) or (counted and self.counters[provider] != active):
            raise Conflict("tags were ordered meanwhile; try again")
        if any(d.device_id in self.devices for d in devices):
            raise Conflict("tags were ordered meanwhile; try again")
        self.counters[provider] = active + len(devices)
        for d in devices:
            self.devices[d.device_id] = d

    def retire_device(self, old: Device, retired: Device) -> None:
        active, counted = self.active_tags(old.provider_id)
        current = self.devices.get(old.device_id)
        if current is None or current.status != old.status:
            raise Conflict("the tag changed meanwhile; try again")
        self.devices[retired.device_id] = retired
        if counted and active > 0:
            self.counters[old.provider_id] = active - 1


class FakeStaffRegistry:
    def __init__(self) -> None:
        self.staff: set[tuple[str, str]] = set()

    def is_staff(self, provider: str, user_id: str) -> bool:
        return (provider, user_id) in self.staff

    def add_staff(self, provider: str, user_id: str) -> None:
        self.staff.add((provider, user_id))

    def remove_staff(self, provider: str, user_id: str) -> bool:
        found = (provider, user_id) in self.staff
        self.staff.discard((provider, user_id))
        return found

    def staff_of(self, provider: str) -> list[str]:
        return sorted(u for p, u in self.staff if p == provider)


class FakeAbsences:
    def __init__(self) -> None:
        self.absences: dict[tuple[str, str, str, str], Absence] = {}  # as the table orders them
        self.published: list[Event] = []

    def add_absence(self, a: Absence, event: Event, now: datetime) -> None:
        key = (a.provider_id, str(a.client), a.starts_on.isoformat(), a.absence_id)
        if key in self.absences:
            raise Conflict("the absence exists already")
        self.absences[key] = a
        self.published.append(event)

    def absences_of(self, provider: str, client: str | None = None) -> list[Absence]:
        return [a for (p, c, _, _), a in sorted(self.absences.items())
                if p == provider and (not client or c == client)]

    def end_absence(self, old: Absence, ended: Absence, event: Event, now: datetime) -> None:
        key = (old.provider_id, str(old.client), old.starts_on.isoformat(), old.absence_id)
        current = self.absences.get(key)
        if current is None or current.revision != old.revision:
            raise Conflict("the absence changed meanwhile; reload it")
        self.absences[key] = ended
        self.published.append(event)


class FakeIngestLookups:
    """The batched read over the other fakes."""

    def __init__(self, days: FakeClientDays, devices: FakeDevices, staff: FakeStaffRegistry,
                 grants: FakeGrants) -> None:
        self.days, self.devices, self.staff, self.grants = days, devices, staff, grants

    def lookups(self, devices: Iterable[str], staff: Iterable[tuple[str, str]], clients: Iterable[str],
                days: Iterable[DayKey] = ()) -> tuple[dict[str, Device], set[tuple[str, str]],
                                                      dict[str, list[dict[str, Any]]], dict[DayKey, ClientDay]]:
        return ({d: found for d in devices if (found := self.devices.get_device(d)) is not None},
                {s for s in staff if self.staff.is_staff(*s)},
                {c: self.grants.decisions_of(c) for c in clients}, self.days.load_days(days))


class RecordingQueue:
    """The ingest queue as a list of message bodies."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, queue: str, bodies: list[dict[str, Any]], *, ids: list[str] | None = None) -> list[str]:
        self.bodies += bodies
        return []


def fake_visits_deps(*, days: FakeClientDays | None = None, devices: FakeDevices | None = None,
                     staff: FakeStaffRegistry | None = None, grants: FakeGrants | None = None,
                     absences: FakeAbsences | None = None, send: Any = None, **settings: Any) -> VisitsDeps:
    """VisitsDeps over fakes (new ones unless given; ``days`` marks waiting months in ``grants``)."""
    grants = grants if grants is not None else (days.grants if days is not None else FakeGrants())
    days = days if days is not None else FakeClientDays(grants)
    days.grants = grants
    devices, staff = devices or FakeDevices(), staff or FakeStaffRegistry()
    return VisitsDeps(days=days, devices=devices, staff=staff, absences=absences or FakeAbsences(), grants=grants,
                      lookups=FakeIngestLookups(days, devices, staff, grants),
                      send=send if send is not None else RecordingQueue(), **settings)
