"""Intake (aktualisering): a case worker connects an e-application to an investigation. The
application's PDF stays with the case; the status moves on to "Under utredning", which the
citizen sees on Mina sidor and is alerted of (if messaging alerts are set)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...domain.errors import Conflict, ValidationFailed
from ..cases import Case, Intake
from ..forms import get_form
from ..notifications import tell
from .audit import trail
from .catalog import INTAKE_TYPES, INTAKE_TYPES_BY_AREA
from .inbox import staff_view
from .models.inbox import CaseView
from .models.intake import IntakeRequest

if TYPE_CHECKING:
    from ..bootstrap import EservicesDeps


def take_in(deps: EservicesDeps, who: Any, case_id: str, body: IntakeRequest) -> CaseView:
    case = deps.cases.get(case_id)
    if case.status not in ("submitted", "received"):
        raise Conflict("the application has been taken in already")
    _fits_the_application(case, body)
    now = deps.clock()
    received = case if case.status == "received" else case.moved_to("received", now, who.actor)
    intake = Intake(intake_type=body.intake_type, intake_type_label=INTAKE_TYPES[body.intake_type],
                    lss_insatser=list(body.lss_insatser),
                    case_worker_id=body.case_worker_id or who.user_id or who.subject,
                    case_worker_name=body.case_worker_name or who.name or "", organisation=body.organisation,
                    from_whom=body.from_whom, channel=body.channel, reason=body.reason, note=body.note, at=now,
                    by=who.actor)
    updated = received.moved_to("in_progress", now, who.actor).model_copy(update={"intake": intake})
    uow = deps.unit_of_work()
    saved = deps.cases.save_in(uow, updated, expected_version=case.version)
    trail(deps).add_to(uow, who, "intake.create", [case.owner], resource=f"case:{case_id}")
    from ...contracts.events import CaseStatusChanged

    uow.emit(CaseStatusChanged(case_id=case.case_id, case_number=case.case_number, owner=case.owner,
                               status="in_progress", changed_at=now))
    tell(uow, "case.status_changed", case.owner, preferences="alerts")
    uow.commit("the case was changed by someone else; reload it")
    return staff_view(deps, who, saved)


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
