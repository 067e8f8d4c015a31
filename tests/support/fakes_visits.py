"""An in-memory visits repository: the same methods as ``services.visits.repository.VisitsRepository``,
with its rules (a client-day written only if its version is unchanged; a pointer per day; paging
by cursor), so the use cases run without moto in milliseconds. What a write put in its outbox is
kept in ``published`` (the stream's relay would publish it)."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Iterable

from services.contracts.events import Event
from services.domain.errors import Conflict, NotFound
from services.visits.days import ClientDay, DayKey
from services.visits.model import Absence, Device, RejectedEvent, Visit


def _clone(day: ClientDay) -> ClientDay:
    """A copy sharing nothing with the stored day (as a read from a table would)."""
    return ClientDay(day.key, day.version,
                     {k: type(e).model_validate(e.model_dump()) for k, e in day.events.items()},
                     {k: Visit.model_validate(v.model_dump()) for k, v in day.visits.items()},
                     {k: RejectedEvent.model_validate(r.model_dump()) for k, r in day.rejected.items()},
                     day.listed, day.ref)


class FakeVisitsRepository:
    def __init__(self) -> None:
        self.days: dict[DayKey, ClientDay] = {}
        self.refs: dict[str, DayKey] = {}
        self.moved: dict[str, DayKey] = {}
        self.months: dict[tuple[str, str], dict[str, DayKey]] = {}  # (provider, yyyy-mm) -> "client#day" -> day
        self.rejected_at: dict[str, dict[str, DayKey | RejectedEvent]] = {}  # provider -> event id -> where
        self.devices: dict[str, Device] = {}
        self.staff: set[tuple[str, str]] = set()
        self.absences: list[Absence] = []
        self.decisions: dict[str, dict[str, dict]] = {}
        self.waiting: set[tuple[str, str, tuple[int, int]]] = set()
        self.published: list[Event] = []
        self.saves = 0
        self.before_save: list[Any] = []  # callables run before a save (a concurrent writer, in tests)

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
        day.version += 1
        day.listed = day.listed or bool(day.visits)
        self.days[day.key] = _clone(day)
        self.published += events
        return True

    def save_days(self, writes: list[tuple[ClientDay, list[Event]]], now: datetime) -> list[bool]:
        return [self.save_day(day, events, now) for day, events in writes]

    def index_days(self, changes: Iterable[tuple[ClientDay, ClientDay]],
                   waiting: Iterable[tuple[str, str, tuple[int, int]]] = ()) -> None:
        self.waiting |= set(waiting)
        for stored, new in changes:
            provider, client, day = new.key
            if stored.version == 0:
                self.refs[new.ref] = new.key
            for eid in new.rejected:
                self.rejected_at.setdefault(provider, {})[eid] = new.key
            if new.visits:
                self.months.setdefault((provider, f"{day.year:04d}-{day.month:02d}"), {})[
                    f"{client}#{day.isoformat()}"] = new.key

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
        ordered = [(sk, v) for sk in sorted(listed) if not client or sk.startswith(f"{client}#")
                   for v in sorted(self.days[listed[sk]].visits.values(), key=lambda v: (v.started_at, v.visit_id))]
        start = 0
        if cursor:
            start = next((i for i, (sk, _) in enumerate(ordered) if sk >= cursor["day"]), len(ordered))
            start += cursor.get("skip", 0)
        page = ordered[start:start + limit]
        if start + limit >= len(ordered):
            return [v for _, v in page], None
        last = page[-1][0]
        return [v for _, v in page], {"day": last, "skip": sum(1 for sk, _ in ordered[:start + limit] if sk == last)}

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
        mine = self.rejected_at[old.event.provider_id]
        if mine[str(old.event.event_id)].status != old.status:
            raise Conflict("the rejected event changed meanwhile; reload it")
        mine[str(old.event.event_id)] = new

    # -- devices, staff ---------------------------------------------------------------------------
    def get_device(self, device_id: str) -> Device | None:
        return self.devices.get(device_id)

    def devices_of(self, provider: str) -> list[Device]:
        return [d for d in self.devices.values() if d.provider_id == provider]

    def put_device(self, d: Device) -> None:
        self.devices[d.device_id] = d

    def bind_device(self, bound: Device) -> None:
        if self.devices[bound.device_id].status != "ordered":
            raise Conflict("the tag changed meanwhile")
        self.devices[bound.device_id] = bound

    def active_tags(self, provider: str) -> tuple[int, bool]:
        return sum(1 for d in self.devices_of(provider) if d.status != "retired"), True

    def order_devices(self, provider: str, devices: list[Device], seen: tuple[int, bool]) -> None:
        if self.active_tags(provider)[0] != seen[0]:
            raise Conflict("tags were ordered meanwhile; try again")
        for d in devices:
            self.devices[d.device_id] = d

    def retire_device(self, old: Device, retired: Device) -> None:
        self.devices[retired.device_id] = retired

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

    def lookups(self, devices: Iterable[str], staff: Iterable[tuple[str, str]], clients: Iterable[str],
                days: Iterable[DayKey] = ()) -> tuple[dict[str, Device], set[tuple[str, str]],
                                                      dict[str, list[dict[str, Any]]], dict[DayKey, ClientDay]]:
        return ({d: self.devices[d] for d in devices if d in self.devices}, set(staff) & self.staff,
                {c: self.decisions_of(c) for c in clients}, self.load_days(days))

    # -- absences, decisions ----------------------------------------------------------------------
    def add_absence(self, a: Absence, event: Event, now: datetime) -> None:
        self.absences.append(a)
        self.published.append(event)

    def absences_of(self, provider: str, client: str | None = None) -> list[Absence]:
        return [a for a in self.absences if a.provider_id == provider and (not client or str(a.client) == client)]

    def put_granted(self, decision: dict[str, Any]) -> None:
        self.decisions.setdefault(str(decision["client"]), {})[str(decision["decision_id"])] = decision

    def decisions_of(self, client: str) -> list[dict[str, Any]]:
        return sorted(self.decisions.get(client, {}).values(),
                      key=lambda d: (str(d.get("valid_from")), str(d.get("decision_id"))))

    def waiting_months(self, client: str) -> list[tuple[str, int, int]]:
        return sorted((p, y, m) for c, p, (y, m) in self.waiting if c == client)

    def put_waiting(self, marks: Iterable[tuple[str, str, tuple[int, int]]]) -> None:
        self.waiting |= set(marks)

    def stop_waiting(self, client: str, provider: str, year: int, month: int) -> None:
        self.waiting.discard((client, provider, (year, month)))
