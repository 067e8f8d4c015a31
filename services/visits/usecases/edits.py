"""Changing a visit by hand: an edit of its times or insatser, and a post-registration
(efterregistrering) of a visit the staff app did not register."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ...auth.principal import Principal, Role
from ...domain.calendar import month_of
from ...domain.errors import Conflict, ValidationFailed
from ...domain.granted import home_care_decisions
from ..domain import rules
from ..domain.days import DayKey, day_of
from ..domain.model import SUPERVISION, Deviation, Visit
from ..schemas import EditVisit, PostRegistration, VisitView
from .day_writes import write_as
from .guards import caller_user_id, check_composition, expect_version, no_overlap, open_for_change, scoped
from .reading import visit_view

if TYPE_CHECKING:
    from ..ports import VisitsDeps


def edit(deps: VisitsDeps, who: Principal, visit_id: str, body: EditVisit) -> VisitView:
    visit = scoped(who, deps.days.get_visit(visit_id))
    started = body.started_at or visit.started_at
    ended = body.ended_at or visit.ended_at
    open_for_change(deps, visit.started_at, started, *([ended] if ended else []))
    expect_version(visit, body.version)
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
    check_composition(insatser, "insatser")
    if (started, ended) != (visit.started_at, visit.ended_at):
        no_overlap(deps, visit.provider_id, visit.staff_id, started, ended or started, "started_at",
                   besides=visit.visit_id)
    now = deps.clock()
    updated = visit.model_copy(deep=True, update={"started_at": started, "ended_at": ended, "insatser": insatser,
                                                  "supervision": bool(set(insatser) & SUPERVISION),
                                                  "edited": True, "status": "registered" if ended else "open"})
    if (started, ended) != (visit.started_at, visit.ended_at):
        updated.deviations.append(Deviation(code="adjusted_time", reason=body.reason, by=who.actor, at=now))
    return visit_view(write_as(deps, visit, updated, "edited", by=who, why=body.reason), now)


def post_register(deps: VisitsDeps, who: Principal, body: PostRegistration) -> VisitView:
    """Efterregistrering: a visit registered afterwards, always a deviation followed up. Staff
    register their own visits."""
    check_composition(body.insatser, "insatser")
    provider = who.provider_id or ""
    me = caller_user_id(who)
    staff_id = body.staff_id or me
    if who.role != Role.PROVIDER_COORDINATOR and staff_id != me:
        # Staff register their own visits; the coordinator may register one for a staff member
        # (a phone that broke), and then never approves it.
        raise ValidationFailed.field("staff_id", "must be your own user id (or left out): only the coordinator "
                                                 "registers a visit for another staff member")
    if not deps.staff.is_staff(provider, staff_id):
        raise ValidationFailed.field("staff_id", "the staff member does not belong to your provider")
    now = deps.clock()
    if body.ended_at > now + deps.clock_skew:
        raise ValidationFailed.field("ended_at", "a post-registration cannot end in the future")
    open_for_change(deps, body.started_at, body.ended_at)
    no_overlap(deps, provider, staff_id, body.started_at, body.ended_at, "started_at")
    insatser = list(dict.fromkeys(body.insatser))
    deviations = [Deviation(code="post_registration", reason=f"{body.reason_code}: {body.reason}", by=who.actor,
                            at=now)]
    day = deps.days.load_day(DayKey(provider, str(body.client), day_of(body.started_at)))
    visit = Visit(visit_id=day.new_visit_id(str(uuid.uuid4())), provider_id=provider, client=body.client,
                  staff_id=staff_id, started_at=body.started_at, ended_at=body.ended_at, insatser=insatser,
                  location=body.location,
                  supervision=bool(set(insatser) & SUPERVISION), status="registered",
                  source="post_registration", receipt_methods=["post_registration"], deviations=deviations)
    visit.deviations = rules.against_decisions(visit, home_care_decisions(deps.grants.decisions_of(str(body.client))))
    if any(d.code == "no_decision" for d in visit.deviations):
        deps.grants.put_waiting([(str(body.client), provider, month_of(body.started_at))])
    return visit_view(write_as(deps, None, visit, "created", by=who, why=body.reason), now)
