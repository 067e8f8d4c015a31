"""Use cases of home-care visits."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..adapters.dynamo import UnitOfWork, translated_errors
from ..adapters.messaging import send_batch
from ..auth.principal import Principal, Role
from ..clock import Clock, utc_now
from ..contracts.events import AbsenceRegistered, DecisionPublished, Envelope, VisitChanged
from ..domain.calendar import STOCKHOLM, is_month_open, lock_date, month_of
from ..domain.errors import Conflict, NotFound, PeriodLocked, ValidationFailed
from ..observability import get_logger
from .builder import build
from .model import INSATSER, Change, Deviation, Device, RejectedEvent, StoredEvent, Visit, VisitEvent
from .repository import VisitsRepository, day_of, visit_item, visit_key
from .schemas import (Accepted, AbsenceView, DeviceView, EditVisit, PostRegistration, PostVisitEvents, Reasoned,
                      RegisterAbsence, RejectedView, VisitQuery, VisitView)

logger = get_logger("visits")
SOURCE = "visits"
INGEST_QUEUE = "visits-ingest"


@dataclass
class VisitsDeps:
    table: Any
    publisher: Any
    clock: Clock = utc_now
    clock_skew: timedelta = timedelta(minutes=5)
    long_visit_minutes: int = 10 * 60
    tag_limit: int = 200  # active tags a provider may hold
    send: Any = send_batch

    @property
    def repo(self) -> VisitsRepository:
        return VisitsRepository(self.table)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.table, self.publisher, SOURCE)


# -- the staff app's events in ------------------------------------------------------------

def accept_events(deps: VisitsDeps, who: Principal, body: PostVisitEvents) -> Accepted:
    """Answers at once; the events travel through SQS to the processor."""
    errors = [i for i, e in enumerate(body.events) if e.provider_id != who.provider_id]
    if errors:
        raise ValidationFailed("events name another provider than yours",
                               errors=[_field(f"events.{i}.provider_id", "must be your own provider") for i in errors])
    ids = [str(e.event_id) for e in body.events]
    failed = deps.send(INGEST_QUEUE, [e.model_dump(mode="json") for e in body.events], ids=ids)
    if failed:
        from ..adapters.dynamo import StoreUnavailable

        raise StoreUnavailable(f"{len(failed)} events could not be queued; send them again")
    return Accepted(accepted=len(ids), event_ids=ids)


def _field(name: str, detail: str) -> Any:
    from ..domain.errors import FieldError

    return FieldError(name, detail)


def process_event(deps: VisitsDeps, event: VisitEvent) -> str:
    """One event (a correction, a test): as a batch of one."""
    return "failed" if process_events(deps, [("single", event)]) else "processed"


def process_events(deps: VisitsDeps, batch: list[tuple[str, VisitEvent]]) -> set[str]:
    """Stores each event once (checked; or rejected, listable) and rebuilds each client-day the
    batch touches once. Returns the message ids whose day could not be rebuilt: redelivered, they
    are stored already and the day is rebuilt again. Safe to run any number of times."""
    repo = deps.repo
    now = deps.clock()
    lookups: dict[tuple[str, str], Any] = {}
    days: dict[tuple[str, str, date], set[str]] = {}
    for message_id, event in batch:
        reasons = _check(deps, event, now, lookups)
        if reasons:
            repo.reject(event.provider_id, RejectedEvent(event=event, reasons=reasons, received_at=now), "checks")
            logger.info("visit event rejected", extra={"reasons": reasons})
            continue
        repo.add_event(StoredEvent(**event.model_dump(), received_at=now))
        days.setdefault((event.provider_id, str(event.client), day_of(event.device_time)), set()).add(message_id)
    failed: set[str] = set()
    for (provider, client, day), message_ids in sorted(days.items()):
        try:
            if rebuild_day(deps, provider, client, day):
                # Events before the day's first arrival may close a visit begun the evening before.
                rebuild_day(deps, provider, client, day - timedelta(days=1))
        except Conflict:
            failed |= message_ids  # someone rebuilt it meanwhile: try again on redelivery
    return failed


def _check(deps: VisitsDeps, e: VisitEvent, now: datetime, lookups: dict[tuple[str, str], Any]) -> list[str]:
    repo = deps.repo
    reasons = []
    staff_key = ("staff", f"{e.provider_id}#{e.staff_id}")
    if staff_key not in lookups:
        lookups[staff_key] = repo.is_staff(e.provider_id, e.staff_id)
    if not lookups[staff_key]:
        reasons.append("the staff member does not belong to the provider")
    if e.receipt.method in ("nfc", "digital_lock"):
        device_key = ("device", e.receipt.device_id or "")
        if device_key not in lookups:
            lookups[device_key] = repo.get_device(e.receipt.device_id or "")
        device = lookups[device_key]
        kind = "nfc" if e.receipt.method == "nfc" else "digital_lock"
        if device is None or device.kind != kind:
            reasons.append(f"the {kind.replace('_', ' ')} is not registered")
        elif device.status != "bound" or device.client != e.client:
            reasons.append(f"the {kind.replace('_', ' ')} is not registered to this client")
    if e.device_time > now + deps.clock_skew:
        reasons.append("the device time is in the future")
    year, month = month_of(e.device_time)
    if not is_month_open(year, month, now):
        reasons.append(f"{year}-{month:02d} is locked since the end of {lock_date(year, month).isoformat()}")
    return reasons


def rebuild_day(deps: VisitsDeps, provider: str, client: str, day: date) -> bool:
    """Rebuilds the visits that began on ``day``. Returns whether the day has events that no
    arrival of its own explains (the caller then rebuilds the day before)."""
    repo = deps.repo
    events = repo.events_of_day(provider, client, day)
    stored = {v.visit_id: v for v in repo.visits_of_day(provider, client, day)}
    frozen = [v for v in stored.values() if v.frozen]
    now = deps.clock()
    built = build(events, frozen, long_visit_minutes=deps.long_visit_minutes, now=now)
    if any(v.ended_at is None for v in built.visits):
        # A visit still open at midnight may end the next day.
        events += repo.events_of_day(provider, client, day + timedelta(days=1))
        built = build(events, frozen, long_visit_minutes=deps.long_visit_minutes, now=now)
    mine = [v for v in built.visits if day_of(v.started_at) == day]
    _sync_composition_rejections(deps, provider, client, day,
                                 [(e, r) for e, r in built.rejected if day_of(e.device_time) == day])
    for visit in mine:
        _save_built(deps, stored.get(visit.visit_id), visit)
    kept = {v.visit_id for v in mine}
    for old in stored.values():
        if not old.frozen and old.visit_id not in kept:
            _delete(deps, old)
    if mine:
        _mark_over_granted(deps, provider, client, *month_of(mine[0].started_at))
    return any(day_of(e.device_time) == day for e in built.unpaired)


def _sync_composition_rejections(deps: VisitsDeps, provider: str, client: str, day: date,
                                 rejected: list[tuple[StoredEvent, str]]) -> None:
    """The builder's rejections for a day follow its latest rebuild (an earlier event arriving late
    can change which insats breaks the visit's composition)."""
    repo = deps.repo
    now_rejected = {str(e.event_id) for e, _ in rejected}
    for event_id in repo.composition_rejections(provider, client, day) - now_rejected:
        repo.unreject(provider, event_id)
    for event, reason in rejected:
        repo.reject(provider, RejectedEvent(event=event, reasons=[reason], received_at=event.received_at),
                    "composition")


def _comparable(v: Visit) -> dict:
    return v.model_dump(mode="json", exclude={"version", "history"})


def _save_built(deps: VisitsDeps, old: Visit | None, new: Visit) -> None:
    if old is not None:
        decided = {(d.code, d.at): d for d in old.deviations if d.status in ("approved", "rejected")}
        new.deviations = [decided.get((d.code, d.at), d) for d in new.deviations]
        over = [d for d in old.deviations if d.code == "over_granted_time"]
        new.deviations += [d for d in over if d not in new.deviations]
        if _comparable(old) == _comparable(new):
            return
    change = "created" if old is None else "updated"
    _write(deps, old, new, change, by="system", why="built from the staff app's events")


def _write(deps: VisitsDeps, old: Visit | None, new: Visit, change: str, *, by: str, why: str) -> Visit:
    now = deps.clock()
    version = (old.version if old else 0) + 1
    saved = new.model_copy(update={"version": version,
                                   "history": [*(old.history if old else []),
                                               Change(version=version, change=change, by=by, at=now, why=why)]})
    uow = deps.uow()
    if old is None:
        uow.put(visit_item(saved), condition="attribute_not_exists(pk)")
    elif visit_key(old) == visit_key(saved):
        uow.put(visit_item(saved), condition="#v = :v", names={"#v": "version"}, values={":v": old.version})
    else:  # moved to another day: its partition changes
        uow.delete(visit_key(old), condition="#v = :v", names={"#v": "version"}, values={":v": old.version})
        uow.put(visit_item(saved), condition="attribute_not_exists(pk)")
    year, month = month_of(saved.started_at)
    uow.emit(VisitChanged(visit_id=saved.visit_id, client=saved.client, provider_id=saved.provider_id, year=year,
                          month=month, visit_version=version, change=change))
    if old is not None and month_of(old.started_at) != (year, month):
        y0, m0 = month_of(old.started_at)
        uow.emit(VisitChanged(visit_id=saved.visit_id, client=saved.client, provider_id=saved.provider_id, year=y0,
                              month=m0, visit_version=version, change=change))
    uow.commit("the visit changed meanwhile; reload it")
    return saved


def _delete(deps: VisitsDeps, old: Visit) -> None:
    uow = deps.uow()
    uow.delete(visit_key(old), condition="#v = :v", names={"#v": "version"}, values={":v": old.version})
    year, month = month_of(old.started_at)
    uow.emit(VisitChanged(visit_id=old.visit_id, client=old.client, provider_id=old.provider_id, year=year,
                          month=month, visit_version=old.version + 1, change="deleted"))
    uow.commit("the visit changed meanwhile")


def _mark_over_granted(deps: VisitsDeps, provider: str, client: str, year: int, month: int) -> None:
    """Performed time beyond the granted time needs the case worker's approval (seed 004)."""
    granted = deps.repo.granted_minutes(client, year, month)
    if granted is None:
        return
    total = 0
    for visit in sorted(deps.repo.visits_of_month(provider, year, month, client), key=lambda v: (v.started_at,
                                                                                                   v.visit_id)):
        total += visit.minutes
        flagged = any(d.code == "over_granted_time" for d in visit.deviations)
        if total > granted and not flagged and visit.ended_at is not None:
            updated = visit.model_copy(deep=True)
            updated.deviations.append(Deviation(code="over_granted_time", status="pending", by="system",
                                                at=visit.ended_at,
                                                reason=f"performed time passes the granted {granted} minutes"))
            _write(deps, visit, updated, "updated", by="system", why="time beyond the granted time")


# -- reading, approving, editing ----------------------------------------------------------

def _scoped(who: Principal, visit: Visit) -> Visit:
    if who.role == Role.PROVIDER_STAFF and visit.provider_id != who.provider_id:
        raise NotFound("no such visit")
    return visit


def _view(v: Visit, now: datetime) -> VisitView:
    year, month = month_of(v.started_at)
    return VisitView(**v.model_dump(exclude={"client", "event_ids", "history"}), client=v.client.masked,
                     minutes=v.minutes, locked=not is_month_open(year, month, now))


def list_visits(deps: VisitsDeps, who: Principal, query: VisitQuery) -> list[VisitView]:
    provider = who.provider_id if who.role == Role.PROVIDER_STAFF else query.provider_id
    if provider is None:
        raise ValidationFailed.field("query.provider_id", "name the provider")
    year, month = (int(x) for x in query.month.split("-"))
    visits = deps.repo.visits_of_month(provider, year, month, str(query.client) if query.client else None)
    now = deps.clock()
    return [_view(v, now) for v in sorted(visits, key=lambda v: (v.started_at, v.visit_id))]


def get_visit(deps: VisitsDeps, who: Principal, visit_id: str) -> VisitView:
    return _view(_scoped(who, deps.repo.get_visit(visit_id)), deps.clock())


def _open_for_change(deps: VisitsDeps, visit: Visit, *also: datetime) -> None:
    now = deps.clock()
    for instant in (visit.started_at, *also):
        year, month = month_of(instant)
        if not is_month_open(year, month, now):
            raise PeriodLocked(f"{year}-{month:02d} is locked: its lock date {lock_date(year, month).isoformat()} "
                               "has passed, and nothing of that month changes after it")


def _expect(visit: Visit, version: int) -> None:
    if visit.version != version:
        raise Conflict("the visit changed meanwhile; reload it")


def approve(deps: VisitsDeps, who: Principal, visit_id: str, body: Reasoned) -> VisitView:
    visit = _scoped(who, deps.repo.get_visit(visit_id))
    _expect(visit, body.version)
    _open_for_change(deps, visit)
    if visit.status != "registered":
        raise Conflict(f"only a registered visit can be approved (this one is {visit.status})")
    saved = _write(deps, visit, visit.model_copy(update={"status": "approved"}), "approved", by=who.actor,
                   why=body.reason)
    return _view(saved, deps.clock())


def unapprove(deps: VisitsDeps, who: Principal, visit_id: str, body: Reasoned) -> VisitView:
    visit = _scoped(who, deps.repo.get_visit(visit_id))
    _expect(visit, body.version)
    _open_for_change(deps, visit)
    if visit.status != "approved":
        raise Conflict("the visit is not approved")
    saved = _write(deps, visit, visit.model_copy(update={"status": "registered"}), "unapproved", by=who.actor,
                   why=body.reason)
    return _view(saved, deps.clock())


def edit(deps: VisitsDeps, who: Principal, visit_id: str, body: EditVisit) -> VisitView:
    visit = _scoped(who, deps.repo.get_visit(visit_id))
    _expect(visit, body.version)
    if visit.status == "approved":
        raise Conflict("undo the approval before editing the visit")
    started = body.started_at or visit.started_at
    ended = body.ended_at or visit.ended_at
    _open_for_change(deps, visit, started)
    if ended is not None and ended <= started:
        raise ValidationFailed.field("ended_at", "must be after started_at")
    insatser = body.insatser if body.insatser is not None else visit.insatser
    unknown = [i for i in insatser if i not in INSATSER]
    if unknown:
        raise ValidationFailed.field("insatser", f"unknown insatser: {unknown}")
    now = deps.clock()
    updated = visit.model_copy(deep=True, update={"started_at": started, "ended_at": ended, "insatser": insatser,
                                                  "edited": True, "status": "registered" if ended else "open"})
    if (started, ended) != (visit.started_at, visit.ended_at):
        updated.deviations.append(Deviation(code="adjusted_time", reason=body.reason, by=who.actor, at=now))
    return _view(_write(deps, visit, updated, "edited", by=who.actor, why=body.reason), now)


def post_register(deps: VisitsDeps, who: Principal, body: PostRegistration) -> VisitView:
    unknown = [i for i in body.insatser if i not in INSATSER]
    if unknown:
        raise ValidationFailed.field("insatser", f"unknown insatser: {unknown}")
    if not deps.repo.is_staff(who.provider_id or "", body.staff_id):
        raise ValidationFailed.field("staff_id", "the staff member does not belong to your provider")
    now = deps.clock()
    visit = Visit(visit_id=str(uuid.uuid4()), provider_id=who.provider_id or "", client=body.client,
                  staff_id=body.staff_id, started_at=body.started_at, ended_at=body.ended_at,
                  insatser=list(dict.fromkeys(body.insatser)), status="registered", source="post_registration",
                  receipt_methods=["post_registration"],
                  deviations=[Deviation(code="post_registration", reason=f"{body.reason_code}: {body.reason}",
                                        by=who.actor, at=now)])
    _open_for_change(deps, visit, body.ended_at)
    if body.ended_at > now + deps.clock_skew:
        raise ValidationFailed.field("ended_at", "a post-registration cannot be in the future")
    return _view(_write(deps, None, visit, "created", by=who.actor, why=body.reason), now)


def decide_deviation(deps: VisitsDeps, who: Principal, visit_id: str, index: int, decision: str,
                     reason: str) -> VisitView:
    visit = deps.repo.get_visit(visit_id)
    _open_for_change(deps, visit)
    if index >= len(visit.deviations):
        raise ValidationFailed.field("index", "no such deviation")
    deviation = visit.deviations[index]
    if deviation.status != "pending":
        raise Conflict("only a pending deviation is decided")
    updated = visit.model_copy(deep=True)
    updated.deviations[index] = deviation.model_copy(update={"status": decision, "decided_by": who.actor,
                                                             "decided_at": deps.clock()})
    return _view(_write(deps, visit, updated, "updated", by=who.actor, why=reason), deps.clock())


# -- rejected events ----------------------------------------------------------------------

def list_rejected(deps: VisitsDeps, who: Principal) -> list[RejectedView]:
    return [RejectedView(event={**r.event.model_dump(mode="json"), "client": r.event.client.masked},
                         reasons=r.reasons, received_at=r.received_at, status=r.status,
                         corrected_by_event=r.corrected_by_event)
            for r in sorted(deps.repo.rejected_of(who.provider_id or ""), key=lambda r: r.received_at)]


def correct_rejected(deps: VisitsDeps, who: Principal, event_id: str, corrected: VisitEvent) -> Accepted:
    rejected = deps.repo.get_rejected(who.provider_id or "", event_id)
    if rejected.status != "open":
        raise Conflict("this event was corrected already")
    if str(corrected.event_id) == event_id:
        raise ValidationFailed.field("event_id", "a correction is a new event with a new event_id")
    accepted = accept_events(deps, who, PostVisitEvents(events=[corrected]))
    deps.repo.reject(who.provider_id or "", rejected.model_copy(update={"status": "corrected",
                                                                        "corrected_by_event": str(corrected.event_id)}),
                     "corrected")
    return accepted


# -- absences, devices, staff, granted time -----------------------------------------------

def register_absence(deps: VisitsDeps, who: Principal, body: RegisterAbsence) -> AbsenceView:
    from .model import Absence

    absence = Absence(provider_id=who.provider_id or "", client=body.client, kind=body.kind, starts_on=body.starts_on,
                      ends_on=body.ends_on, learned_at=body.learned_at, announced_at=body.announced_at,
                      registered_by=who.actor, registered_at=deps.clock())
    year, month = body.starts_on.year, body.starts_on.month
    if not is_month_open(year, month, deps.clock()):
        raise PeriodLocked(f"{year}-{month:02d} is locked since the end of {lock_date(year, month).isoformat()}")
    uow = deps.uow()
    uow.put(deps.repo.absence_item(absence), condition="attribute_not_exists(pk)")
    uow.emit(AbsenceRegistered(absence_id=absence.absence_id, client=absence.client, provider_id=absence.provider_id,
                               kind=absence.kind, starts_on=absence.starts_on, ends_on=absence.ends_on,
                               learned_at=absence.learned_at, announced_at=absence.announced_at))
    uow.commit()
    return AbsenceView.of(absence)


def list_absences(deps: VisitsDeps, who: Principal) -> list[AbsenceView]:
    return [AbsenceView.of(a) for a in deps.repo.absences_of(who.provider_id or "")]


def order_tags(deps: VisitsDeps, who: Principal, count: int, kind: str) -> list[DeviceView]:
    provider = who.provider_id or ""
    active = [d for d in deps.repo.devices_of(provider) if d.status != "retired"]
    if len(active) + count > deps.tag_limit:
        raise Conflict(f"a provider holds at most {deps.tag_limit} active tags; {len(active)} are active")
    now = deps.clock()
    made = []
    for _ in range(count):
        device = Device(device_id=f"{'TAG' if kind == 'nfc' else 'LOCK'}-{uuid.uuid4().hex[:12].upper()}", kind=kind,
                        provider_id=provider, ordered_at=now)
        deps.repo.put_device(device, condition="attribute_not_exists(pk)")
        made.append(DeviceView.of(device))
    return made


def _own_device(deps: VisitsDeps, who: Principal, device_id: str) -> Device:
    device = deps.repo.get_device(device_id)
    if device is None or device.provider_id != who.provider_id:
        raise NotFound("no such tag")
    return device


def bind_tag(deps: VisitsDeps, who: Principal, device_id: str, client: str) -> DeviceView:
    device = _own_device(deps, who, device_id)
    if device.status != "ordered":
        raise Conflict("a tag belongs to one client and is never reused")
    bound = device.model_copy(update={"client": client, "status": "bound", "bound_at": deps.clock()})
    deps.repo.put_device(bound, condition="#s = :ordered", values={":ordered": "ordered"})
    return DeviceView.of(bound)


def retire_tag(deps: VisitsDeps, who: Principal, device_id: str) -> DeviceView:
    device = _own_device(deps, who, device_id)
    if device.status == "retired":
        raise Conflict("the tag is retired already")
    retired = device.model_copy(update={"status": "retired", "retired_at": deps.clock()})
    deps.repo.put_device(retired, condition="#s = :s", values={":s": device.status})
    return DeviceView.of(retired)


def list_devices(deps: VisitsDeps, who: Principal) -> list[DeviceView]:
    return [DeviceView.of(d) for d in sorted(deps.repo.devices_of(who.provider_id or ""), key=lambda d: d.device_id)]


def add_staff(deps: VisitsDeps, who: Principal, user_id: str) -> dict:
    deps.repo.add_staff(who.provider_id or "", user_id)
    return {"provider_id": who.provider_id, "user_id": user_id}


def on_domain_event(deps: VisitsDeps, envelope: Envelope) -> str:
    """Decisions are the source of granted time."""
    event = envelope.parse()
    if isinstance(event, DecisionPublished):
        with translated_errors():
            deps.repo.put_granted(event.model_dump(mode="json"))
        return "granted"
    return "ignored"
