"""Intake (aktualisering): a case worker connects an e-application to an investigation, or
registers an application that came another way (phone, letter, visit, a report from someone else)
as a case taken in at once. The status moves on to "Under utredning", which the citizen sees on
Mina sidor and is alerted of (if messaging alerts are set); an e-application's PDF stays with its case."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from ....auth.principal import Principal
from ....domain.errors import Conflict, ValidationFailed
from ...domain.cases import Case, Intake, StatusChange
from ...domain.forms import get_form
from ...domain.forms.support_application import FORM as SUPPORT_APPLICATION
from ...usecases.notifications import notify_person
from ..domain.catalog import CHANNELS, E_APPLICATION, FROM_WHOM, INTAKE_TYPES, INTAKE_TYPES_BY_AREA
from ..domain.identity import checked_name, is_protected
from ..models.inbox import CaseView
from ..models.intake import IntakeRequest, RegistrationRequest
from .audit import trail
from .inbox import staff_view

if TYPE_CHECKING:
    from ....domain.ports import UnitOfWork
    from ...bootstrap import EservicesDeps


def take_in(deps: EservicesDeps, who: Principal, case_id: str, body: IntakeRequest) -> CaseView:
    case = deps.cases.get(case_id)
    if case.status not in ("submitted", "received"):
        raise Conflict("the application has been taken in already")
    if body.channel != E_APPLICATION:
        raise ValidationFailed.field("channel", "this application came as an e-application (e_ansokan); one that "
                                                "came another way is registered with POST /cases")
    _fits_the_application(case, body)
    now = deps.clock()
    received = case if case.status == "received" else case.moved_to("received", now, who.actor)
    updated = _taken_in(received, who, body, now)
    uow = deps.unit_of_work()
    saved = deps.cases.save_in(uow, updated, expected_version=case.version)
    _record(deps, uow, who, saved)
    uow.commit("the case was changed by someone else; reload it")
    return staff_view(deps, who, saved)


def register(deps: EservicesDeps, who: Principal, body: RegistrationRequest) -> CaseView:
    """A paper, phone, visit or reported application: the case is made as the e-service would have
    made it (the same form's answers, so decisions, Mina sidor and the inbox treat it alike) and
    taken in at once, in one write."""
    pnr = str(body.personnummer)
    first, last = checked_name(deps.register, pnr, body.first_name, body.last_name)
    now = deps.clock()
    answers = {"ansokan": {"area": body.area, "sol_insats": body.sol_insats,
                           "lss_insatser": list(body.lss_insatser) or None, "need": body.need},
               "om_dig": {"personnummer": pnr, "first_name": first, "last_name": last}}
    form = SUPPORT_APPLICATION
    case = Case(case_id=str(uuid.uuid4()), case_number=deps.case_numbers.next(now.year), form_id=form.id,
                title=form.title, category=form.category_for(answers), owner=pnr, owner_name=f"{first} {last}",
                submitted_by=pnr, submitted_at=now, status="received",
                history=[StatusChange(status="received", at=now, by=who.actor)], answers=answers,
                protected_identity=is_protected(deps.register, pnr))
    _fits_the_application(case, body)
    taken = _taken_in(case, who, body, now)
    uow = deps.unit_of_work()
    deps.cases.add(uow, taken)
    _record(deps, uow, who, taken)
    uow.commit("the case could not be registered; try again")
    return staff_view(deps, who, taken)


def _taken_in(received: Case, who: Principal, body: IntakeRequest, now: datetime) -> Case:
    intake = Intake(intake_type=body.intake_type, intake_type_label=INTAKE_TYPES[body.intake_type],
                    lss_insatser=list(body.lss_insatser),
                    case_worker_id=body.case_worker_id or who.user_id or who.subject,
                    case_worker_name=body.case_worker_name or who.name or "", organisation=body.organisation,
                    from_whom=body.from_whom, from_whom_label=FROM_WHOM[body.from_whom], channel=body.channel,
                    channel_label=CHANNELS[body.channel], reason=body.reason, note=body.note, at=now, by=who.actor)
    return received.moved_to("in_progress", now, who.actor).model_copy(update={"intake": intake})


def _record(deps: EservicesDeps, uow: UnitOfWork, who: Principal, case: Case) -> None:
    """The intake's audit record, its status event and the citizen's alert, in the intake's write."""
    from ....contracts.events import CaseStatusChanged

    trail(deps).add_to(uow, who, "intake.create", [case.owner], resource=f"case:{case.case_id}")
    uow.emit(CaseStatusChanged(case_id=case.case_id, case_number=case.case_number, owner=case.owner,
                               status="in_progress", changed_at=case.intake.at if case.intake else case.submitted_at))
    notify_person(uow, "case.status_changed", case.owner, preferences="alerts")


def _fits_the_application(case: Case, body: IntakeRequest) -> None:
    """Only an application is taken in (a contact person's report is not one), and the intake
    type fits what was applied for: Begäran LSS for LSS, Ansökan SoL (or simplified handling in
    elderly care) otherwise."""
    form = get_form(case.form_id)
    if not form.is_application or form.applied_for is None:
        raise Conflict(f"a {form.title!r} is a report, not an application; only applications are taken in")
    area, _ = form.applied_for(case.answers)
    allowed = INTAKE_TYPES_BY_AREA.get(area, frozenset())
    if body.intake_type not in allowed:
        raise ValidationFailed.field("intake_type", f"the application is for {area}; the intake type must be one "
                                                    f"of {', '.join(sorted(allowed))}")
