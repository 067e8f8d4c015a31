"""Use cases of home-care visits. HTTP and queue handlers in visits_svc call these; they
reach the table only through ``deps.repo`` (repository.py)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from ..auth.principal import Principal, Role
from ..contracts.events import AbsenceRegistered, DecisionPublished, Envelope
from ..domain.calendar import month_of
from ..domain.errors import Conflict, FieldError, Forbidden, NotFound, PeriodLocked, Unavailable, ValidationFailed
from ..domain.granted import home_care_decisions
from ..observability import get_logger
from . import processor, rules
from .days import ClientDay, day_key_of, day_of
from .deps import VisitsDeps
from .granted_check import compare_waiting
from .model import INSATSER, SUPERVISION, Absence, Deviation, Device, StaffAppEvent, Visit, VisitEvent
from .outgoing import rejected_events_changed
from .paging import decode_cursor, encode_cursor
from .schemas import (Accepted, AbsenceView, DeviceView, EditVisit, PostRegistration, PostVisitEvents, Reasoned,
                      RegisterAbsence, RejectedQuery, RejectedView, StaffView, TagQuery, VisitQuery, VisitView)
from .writes import update_day, versioned, write_visit

logger = get_logger("visits")
INGEST_QUEUE = "visits-ingest"

__all__ = ["VisitsDeps"]


# -- the staff app's events in ------------------------------------------------------------

def _me(who: Principal) -> str:
    if not who.user_id:
        raise Forbidden("your login names no user")
    return who.user_id


def accept_events(deps: VisitsDeps, who: Principal, body: PostVisitEvents) -> Accepted:
    """Answers at once; the request's events travel through SQS to the processor as one message.
    The staff member of each event is the caller (from the token); nobody registers events for
    another staff member."""
    me = _me(who)
    errors = [FieldError(f"events.{i}.provider_id", "must be your own provider")
              for i, e in enumerate(body.events) if e.provider_id != who.provider_id]
    errors += [FieldError(f"events.{i}.staff_id", "must be your own user id (or left out): nobody registers "
                                                  "events for another staff member")
               for i, e in enumerate(body.events) if e.staff_id is not None and e.staff_id != me]
    seen: set[str] = set()
    for i, e in enumerate(body.events):
        if str(e.event_id) in seen:
            errors.append(FieldError(f"events.{i}.event_id", "appears twice in the batch"))
        seen.add(str(e.event_id))
    if errors:
        raise ValidationFailed("some events cannot be accepted", errors=errors)
    ids = [str(e.event_id) for e in body.events]
    # validated as they came in: taken over as they are, not validated again
    queued = [VisitEvent.model_construct(**{k: getattr(e, k) for k in VisitEvent.model_fields
                                            if k not in ("staff_id", "sent_by")},
                                         staff_id=me, sent_by=who.actor) for e in body.events]
    failed = deps.send(INGEST_QUEUE, [{"events": [e.model_dump(mode="json") for e in queued]}], ids=ids[:1])
    if failed:
        raise Unavailable(f"{len(ids)} events could not be queued; send them again (resending is harmless)")
    return Accepted(accepted=len(ids), event_ids=ids)


def ingest_events(deps: VisitsDeps, batch: list[tuple[str, VisitEvent]]) -> set[str]:
    """The processor (see processor.py). Returns the message ids to redeliver."""
    return processor.ingest_events(deps, batch)


def _write(deps: VisitsDeps, old: Visit | None, new: Visit, change: str, *, by: str | Principal, why: str) -> Visit:
    """Writes the next version; ``by`` a person (their actor and user id are recorded) or a label."""
    user = by.user_id if isinstance(by, Principal) else None
    saved = versioned(old, new, change, by=by.actor if isinstance(by, Principal) else by, why=why,
                      now=deps.clock(), user=user)
    return write_visit(deps, old, saved, change)


# -- reading, approving, editing ----------------------------------------------------------

def _scoped(who: Principal, visit: Visit) -> Visit:
    """Provider staff see only their provider's visits; another provider's is not found."""
    if who.of_provider and visit.provider_id != who.provider_id:
        raise NotFound("no such visit")
    return visit


def _view(v: Visit, now: datetime) -> VisitView:
    return VisitView(**v.model_dump(exclude={"client", "event_ids"}), client=v.client.masked,
                     minutes=v.minutes, locked=rules.locked_reason(v.started_at, now) is not None)


def _provider_asked(who: Principal, asked: str | None) -> str | None:
    """Provider staff read their own provider's; naming another is refused, not answered empty."""
    if not who.of_provider:
        return asked
    if asked is not None and asked != who.provider_id:
        raise Forbidden("you may read only your own provider's", errors=[
            FieldError("query.provider_id", "must be your own provider (or left out)")])
    return who.provider_id


def list_visits(deps: VisitsDeps, who: Principal, query: VisitQuery) -> list[VisitView]:
    found, _ = visits_page(deps, who, query)
    return found


def visits_page(deps: VisitsDeps, who: Principal, query: VisitQuery) -> tuple[list[VisitView], str | None]:
    """A page of a provider's month (at most ``query.limit`` visits, in client and day order, each
    page in time order) and the cursor of the next page (None: the last)."""
    provider = _provider_asked(who, query.provider_id)
    if provider is None:
        raise ValidationFailed.field("query.provider_id", "name the provider")
    year, month = (int(x) for x in query.month.split("-"))
    visits, position = deps.repo.visits_page(provider, year, month, str(query.client) if query.client else None,
                                             limit=query.limit, cursor=decode_cursor(query.cursor))
    now = deps.clock()
    page = [_view(v, now) for v in sorted(visits, key=lambda v: (v.started_at, v.visit_id))]
    return page, encode_cursor(position) if position else None


def get_visit(deps: VisitsDeps, who: Principal, visit_id: str) -> VisitView:
    return _view(_scoped(who, deps.repo.get_visit(visit_id)), deps.clock())


def _open_for_change(deps: VisitsDeps, *instants: datetime) -> None:
    now = deps.clock()
    for instant in instants:
        reason = rules.locked_reason(instant, now)
        if reason:
            raise PeriodLocked(reason)


def _expect(visit: Visit, version: int) -> None:
    if visit.version != version:
        raise Conflict(f"the visit changed meanwhile (version {visit.version}, not {version}); reload it")


def approve(deps: VisitsDeps, who: Principal, visit_id: str, body: Reasoned) -> VisitView:
    visit = _scoped(who, deps.repo.get_visit(visit_id))
    _open_for_change(deps, visit.started_at)
    _expect(visit, body.version)
    if visit.status != "registered":
        raise Conflict(f"only a registered (ended) visit can be approved; this one is {visit.status}")
    refusal = rules.approval_refusal(visit, _me(who))
    if refusal:
        raise Forbidden(refusal)
    waiting = rules.waiting_for_case_worker(visit)
    if waiting:
        raise Conflict(waiting)
    approved = visit.model_copy(update={"status": "approved", "approved_by": who.actor, "approved_at": deps.clock()})
    saved = _write(deps, visit, approved, "approved", by=who, why=body.reason)
    return _view(saved, deps.clock())


def unapprove(deps: VisitsDeps, who: Principal, visit_id: str, body: Reasoned) -> VisitView:
    visit = _scoped(who, deps.repo.get_visit(visit_id))
    _open_for_change(deps, visit.started_at)
    _expect(visit, body.version)
    if visit.status != "approved":
        raise Conflict("the visit is not approved")
    undone = visit.model_copy(update={"status": "registered", "approved_by": None, "approved_at": None})
    saved = _write(deps, visit, undone, "unapproved", by=who, why=body.reason)
    return _view(saved, deps.clock())


def edit(deps: VisitsDeps, who: Principal, visit_id: str, body: EditVisit) -> VisitView:
    visit = _scoped(who, deps.repo.get_visit(visit_id))
    started = body.started_at or visit.started_at
    ended = body.ended_at or visit.ended_at
    _open_for_change(deps, visit.started_at, started, *([ended] if ended else []))
    _expect(visit, body.version)
    if visit.status == "approved":
        raise Conflict("undo the approval before editing the visit")
    if visit.source == "events" and day_of(started) != day_of(visit.started_at):
        # its events stay in their client-day; a visit on another day is a post-registration
        raise ValidationFailed.field("started_at", "an edit keeps the visit on its day (Europe/Stockholm)")
    if ended is not None and ended <= started:
        raise ValidationFailed.field("ended_at", "must be after started_at")
    if ended is not None and ended > deps.clock() + deps.clock_skew:
        raise ValidationFailed.field("ended_at", "must not be in the future")
    insatser = list(dict.fromkeys(body.insatser)) if body.insatser is not None else visit.insatser
    _check_composition(insatser, "insatser")
    if (started, ended) != (visit.started_at, visit.ended_at):
        _no_overlap(deps, visit.provider_id, visit.staff_id, started, ended or started, "started_at",
                    besides=visit.visit_id)
    now = deps.clock()
    updated = visit.model_copy(deep=True, update={"started_at": started, "ended_at": ended, "insatser": insatser,
                                                  "supervision": bool(set(insatser) & SUPERVISION),
                                                  "edited": True, "status": "registered" if ended else "open"})
    if (started, ended) != (visit.started_at, visit.ended_at):
        updated.deviations.append(Deviation(code="adjusted_time", reason=body.reason, by=who.actor, at=now))
    return _view(_write(deps, visit, updated, "edited", by=who, why=body.reason), now)


def _check_composition(insatser: list[str], field: str) -> None:
    unknown = [i for i in insatser if i not in INSATSER]
    if unknown:
        raise ValidationFailed.field(field, f"unknown insatser: {unknown}; known: {sorted(INSATSER)}")
    if set(insatser) & SUPERVISION and set(insatser) - SUPERVISION:
        raise ValidationFailed.field(field, "supervision (tillsyn) is registered on its own, never with other "
                                            "insatser")


def _no_overlap(deps: VisitsDeps, provider: str, staff_id: str, start: datetime, end: datetime, field: str,
                besides: str | None = None) -> None:
    """One staff member is at one visit at a time: a registered time may not overlap another visit."""
    months = sorted({month_of(start - timedelta(days=1)), month_of(start), month_of(end)})
    visits = [v for y, m in months for v in deps.repo.visits_of_month(provider, y, m)]
    other = rules.overlapping(visits, staff_id, start, end, besides=besides)
    if other is not None:
        raise ValidationFailed.field(field, f"overlaps the staff member's visit {other.visit_id} "
                                            f"({other.started_at.isoformat()} – "
                                            f"{other.ended_at.isoformat() if other.ended_at else 'open'})")


def post_register(deps: VisitsDeps, who: Principal, body: PostRegistration) -> VisitView:
    """Efterregistrering: a visit registered afterwards, always a deviation followed up. Staff
    register their own visits."""
    _check_composition(body.insatser, "insatser")
    provider = who.provider_id or ""
    me = _me(who)
    staff_id = body.staff_id or me
    if who.role != Role.PROVIDER_COORDINATOR and staff_id != me:
        # Staff register their own visits; the coordinator may register one for a staff member
        # (a phone that broke), and then never approves it.
        raise ValidationFailed.field("staff_id", "must be your own user id (or left out): only the coordinator "
                                                 "registers a visit for another staff member")
    if not deps.repo.is_staff(provider, staff_id):
        raise ValidationFailed.field("staff_id", "the staff member does not belong to your provider")
    now = deps.clock()
    if body.ended_at > now + deps.clock_skew:
        raise ValidationFailed.field("ended_at", "a post-registration cannot end in the future")
    _open_for_change(deps, body.started_at, body.ended_at)
    _no_overlap(deps, provider, staff_id, body.started_at, body.ended_at, "started_at")
    insatser = list(dict.fromkeys(body.insatser))
    deviations = [Deviation(code="post_registration", reason=f"{body.reason_code}: {body.reason}", by=who.actor,
                            at=now)]
    day = deps.repo.load_day((provider, str(body.client), day_of(body.started_at)))
    visit = Visit(visit_id=day.new_visit_id(str(uuid.uuid4())), provider_id=provider, client=body.client,
                  staff_id=staff_id, started_at=body.started_at, ended_at=body.ended_at, insatser=insatser,
                  location=body.location,
                  supervision=bool(set(insatser) & SUPERVISION), status="registered",
                  source="post_registration", receipt_methods=["post_registration"], deviations=deviations)
    visit.deviations = rules.against_decisions(visit, home_care_decisions(deps.repo.decisions_of(str(body.client))))
    if any(d.code == "no_decision" for d in visit.deviations):
        deps.repo.put_waiting([(str(body.client), provider, month_of(body.started_at))])
    return _view(_write(deps, None, visit, "created", by=who, why=body.reason), now)


def decide_deviation(deps: VisitsDeps, who: Principal, visit_id: str, index: int, decision: str,
                     reason: str) -> VisitView:
    """The case worker approves or rejects a pending deviation (manual receipt, time beyond the
    granted time)."""
    visit = deps.repo.get_visit(visit_id)
    _open_for_change(deps, visit.started_at)
    if index >= len(visit.deviations):
        raise ValidationFailed.field("index", f"the visit has {len(visit.deviations)} deviations")
    deviation = visit.deviations[index]
    if deviation.status != "pending":
        raise Conflict(f"only a pending deviation is decided; this one is {deviation.status}")
    updated = visit.model_copy(deep=True)
    updated.deviations[index] = deviation.model_copy(update={"status": decision, "decided_by": who.actor,
                                                             "decided_at": deps.clock()})
    return _view(_write(deps, visit, updated, "updated", by=who, why=f"{decision}: {reason}"), deps.clock())


# -- rejected events ----------------------------------------------------------------------

def list_rejected(deps: VisitsDeps, who: Principal, query: RejectedQuery) -> list[RejectedView]:
    found, _ = rejected_page(deps, who, query)
    return found


def rejected_page(deps: VisitsDeps, who: Principal, query: RejectedQuery) -> tuple[list[RejectedView], str | None]:
    """A page of the provider's rejected events (at most ``query.limit``, in event id order, the
    status asked for) and the cursor of the next page (None: the last)."""
    found, position = deps.repo.rejected_page(who.provider_id or "", limit=query.limit,
                                              cursor=decode_cursor(query.cursor))
    if query.status:
        found = [r for r in found if r.status == query.status]
    return [RejectedView.of(r) for r in found], encode_cursor(position) if position else None


def correct_rejected(deps: VisitsDeps, who: Principal, event_id: str, corrected: StaffAppEvent) -> Accepted:
    """A corrected event replaces a rejected one: the rejected one is marked corrected (and, if the
    builder held it, superseded in the event store) and the new one goes the usual way. The staff
    member who sent an event corrects it: a correction is their event too."""
    rejected, _ = deps.repo.get_rejected(who.provider_id or "", event_id)
    if rejected.event.staff_id != _me(who):
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
        processor.rebuild_days(deps, [day_key_of(rejected.event)])
    return accepted


def _mark_corrected(deps: VisitsDeps, old: Any, new: Any, stored: bool) -> None:
    if old.origin == "unprocessable":  # held apart from the client-days
        deps.repo.replace_unprocessable(old, new)
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


# -- absences -----------------------------------------------------------------------------

def register_absence(deps: VisitsDeps, who: Principal, body: RegisterAbsence) -> AbsenceView:
    now = deps.clock()
    for name in ("learned_at", "announced_at"):
        value = getattr(body, name)
        if value is not None and value > now + deps.clock_skew:
            raise ValidationFailed.field(name, "must not be in the future")
    _open_for_change(deps, processor.noon(body.starts_on))
    absence = Absence(provider_id=who.provider_id or "", client=body.client, kind=body.kind, starts_on=body.starts_on,
                      ends_on=body.ends_on, learned_at=body.learned_at, announced_at=body.announced_at,
                      registered_by=who.actor, registered_at=now)
    registered = AbsenceRegistered(absence_id=absence.absence_id, client=absence.client,
                                   provider_id=absence.provider_id, kind=absence.kind, starts_on=absence.starts_on,
                                   ends_on=absence.ends_on, learned_at=absence.learned_at,
                                   announced_at=absence.announced_at)
    deps.repo.add_absence(absence, registered, now)  # the event in the absence's own outbox
    return AbsenceView.of(absence)


def list_absences(deps: VisitsDeps, who: Principal) -> list[AbsenceView]:
    return [AbsenceView.of(a) for a in sorted(deps.repo.absences_of(who.provider_id or ""),
                                               key=lambda a: (a.starts_on, a.absence_id))]


# -- the tag and lock registry ------------------------------------------------------------

def order_tags(deps: VisitsDeps, who: Principal, count: int, kind: str) -> list[DeviceView]:
    """Tags are ordered per provider in limited numbers: a counter of active tags, changed in the
    same transaction as the tags, keeps two concurrent orders from passing the limit together."""
    provider = who.provider_id or ""
    active, counted = deps.repo.active_tags(provider)
    refusal = rules.tag_room(active, count, deps.tag_limit)
    if refusal:
        raise Conflict(refusal)
    now = deps.clock()
    made = [Device(device_id=f"{'TAG' if kind == 'nfc' else 'LOCK'}-{uuid.uuid4().hex[:12].upper()}", kind=kind,
                   provider_id=provider, ordered_at=now) for _ in range(count)]
    deps.repo.order_devices(provider, made, (active, counted))
    made = [DeviceView.of(d) for d in made]
    return made


def _own_device(deps: VisitsDeps, who: Principal, device_id: str) -> Device:
    device = deps.repo.get_device(device_id)
    if device is None or device.provider_id != who.provider_id:
        raise NotFound("no such tag or lock")
    return device


def bind_tag(deps: VisitsDeps, who: Principal, device_id: str, client: str) -> DeviceView:
    device = _own_device(deps, who, device_id)
    refusal = rules.bind_refusal(device)
    if refusal:
        raise Conflict(refusal)
    bound = device.model_copy(update={"client": client, "status": "bound", "bound_at": deps.clock()})
    deps.repo.bind_device(bound)
    return DeviceView.of(bound)


def retire_tag(deps: VisitsDeps, who: Principal, device_id: str) -> DeviceView:
    device = _own_device(deps, who, device_id)
    if device.status == "retired":
        raise Conflict("the tag is retired already")
    retired = device.model_copy(update={"status": "retired", "retired_at": deps.clock()})
    deps.repo.retire_device(device, retired)
    return DeviceView.of(retired)


def list_devices(deps: VisitsDeps, who: Principal, query: TagQuery) -> list[DeviceView]:
    provider = _provider_asked(who, query.provider_id)
    if provider is None:
        raise ValidationFailed.field("query.provider_id", "name the provider")
    return [DeviceView.of(d) for d in sorted(deps.repo.devices_of(provider), key=lambda d: d.device_id)]


# -- the staff registry -------------------------------------------------------------------

def add_staff(deps: VisitsDeps, who: Principal, user_id: str) -> StaffView:
    deps.repo.add_staff(who.provider_id or "", user_id)
    return StaffView(provider_id=who.provider_id or "", user_id=user_id)


def list_staff(deps: VisitsDeps, who: Principal) -> list[StaffView]:
    provider = who.provider_id or ""
    return [StaffView(provider_id=provider, user_id=u) for u in deps.repo.staff_of(provider)]


def remove_staff(deps: VisitsDeps, who: Principal, user_id: str) -> StaffView:
    if not deps.repo.remove_staff(who.provider_id or "", user_id):
        raise NotFound("no such staff member")
    return StaffView(provider_id=who.provider_id or "", user_id=user_id)


# -- granted time -------------------------------------------------------------------------

def on_domain_event(deps: VisitsDeps, envelope: Envelope) -> str:
    """Decisions are the source of granted time (the projection GRANTED#<client>)."""
    event = envelope.parse()
    if isinstance(event, DecisionPublished):
        decision = event.model_dump(mode="json")
        deps.repo.put_granted(decision)
        if home_care_decisions([decision]):  # it grants home care: compare the waiting months again
            compare_waiting(deps, str(event.client))
        return "granted"
    return "ignored"
