"""A case worker approves a contact person's monthly or time report against its assignment.

The approval links the report to the assignment it is paid under (a monthly report names only
the client; the link is made here), checks that the assignment is the reporter's own and in
force in the report's month and about the assignment's client (the name the report gives is the
assignment's client's, by the register's rule: case, spacing and Unicode form aside, the first
name any one of the given names), and emits ``contact_report.approved`` with what billing pays
from: the assignment's fee and allowance, the year their amounts were set, and the report's km. A
report is approved once; the approval is audited in the same transaction. Approval is the report's
last step: the case moves to "closed" (through "received", as its history shows the reporter on
Mina sidor), with ``case.status_changed`` and the reporter told as for any status change.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ....auth.principal import Principal
from ....domain.errors import Conflict, NotFound, ValidationFailed
from ...usecases.notifications import notify_person
from ..domain.identity import is_protected, mismatched
from ..domain.report_approval import REPORT_FORMS, ReportApproval, in_force_during
from .audit import trail

if TYPE_CHECKING:
    from ...bootstrap import EservicesDeps
    from ..models.report_approval import ReportApprovalRequest, ReportReturnRequest

def approve(deps: EservicesDeps, who: Principal, case_id: str, body: ReportApprovalRequest) -> ReportApproval:
    case = deps.cases.get(case_id)
    if case.form_id not in REPORT_FORMS:
        raise Conflict("only a contact person's monthly or time report is approved against an assignment")
    if case.status == "closed":
        raise Conflict("the report is approved or sent back already")
    step, kind = REPORT_FORMS[case.form_id]
    answers = case.answers.get(step) or {}
    year, month = int(answers["year"]), int(answers["month"])
    try:
        a = deps.casework.assignments.get(body.assignment_id)
    except NotFound:
        raise ValidationFailed.field("assignment_id", "no such assignment") from None
    if a.contact_person != case.owner:
        raise ValidationFailed.field("assignment_id", "the assignment is another contact person's")
    if not in_force_during(a.valid_from, a.valid_to, year, month):
        raise ValidationFailed.field("assignment_id", f"the assignment is not in force in {year:04d}-{month:02d}")
    _about_the_assignments_client(deps, step, answers, a)
    km = float(case.computed.get("total_km") or 0) if kind == "time" else 0.0
    approval = ReportApproval(case_id=case_id, assignment_id=a.assignment_id, kind=kind, year=year, month=month,
                              km=km, fee_ore=a.monthly_fee_ore, allowance_ore=a.expense_allowance_ore,
                              terms_year=a.valid_from.year, approved_by=who.actor, approved_at=deps.clock())
    now = approval.approved_at
    received = case if case.status == "received" else case.moved_to("received", now, who.actor)
    closed = received.moved_to("closed", now, who.actor)
    uow = deps.unit_of_work()
    deps.casework.report_approvals.add(uow, approval)
    deps.cases.save_in(uow, closed, expected_version=case.version)
    trail(deps).add_to(uow, who, "contact_report.approve", [case.owner, a.client], resource=f"case:{case_id}")
    from ....contracts.events import ContactReportApproved

    uow.emit(ContactReportApproved(case_id=case_id, assignment_id=a.assignment_id, contact_person=case.owner,
                                   kind=kind, year=year, month=month, km=km, fee_ore=a.monthly_fee_ore,
                                   allowance_ore=a.expense_allowance_ore, terms_year=a.valid_from.year,
                                   approved_at=approval.approved_at))
    from ....contracts.events import CaseStatusChanged

    uow.emit(CaseStatusChanged(case_id=case.case_id, case_number=case.case_number, owner=case.owner,
                               status="closed", changed_at=now))
    # The reporter's own choices (the report's form asks them); the message names nothing.
    notify_person(uow, "case.status_changed", case.owner, preferences="profile")
    uow.commit("the report is approved already")
    return approval


def send_back(deps: EservicesDeps, who: Principal, case_id: str, body: ReportReturnRequest) -> None:
    """The report goes back to the contact person instead of being approved: the case closes with
    the reason (shown on Mina sidor, where they send a new report), nothing is paid (no
    ``contact_report.approved``), the reporter is told as for any status change, and it is audited in
    the same transaction. A report is approved or sent back once."""
    from ....contracts.events import CaseStatusChanged
    from ...domain.cases import ReportReturned

    reason = " ".join(body.reason.split())
    if len(reason) < 3 or any(ord(c) < 32 or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in reason):
        raise ValidationFailed.field("reason", "write why the report is sent back (3-1000 characters, plain text)")
    case = deps.cases.get(case_id)
    if case.form_id not in REPORT_FORMS:
        raise Conflict("only a contact person's monthly or time report is sent back")
    if case.status == "closed":
        raise Conflict("the report is approved or sent back already")
    now = deps.clock()
    received = case if case.status == "received" else case.moved_to("received", now, who.actor)
    closed = received.moved_to("closed", now, who.actor).model_copy(
        update={"returned": ReportReturned(reason=reason, at=now, by=who.actor)})
    uow = deps.unit_of_work()
    deps.cases.save_in(uow, closed, expected_version=case.version)
    trail(deps).add_to(uow, who, "contact_report.send_back", [case.owner], resource=f"case:{case_id}")
    uow.emit(CaseStatusChanged(case_id=case.case_id, case_number=case.case_number, owner=case.owner,
                               status="closed", changed_at=now))
    notify_person(uow, "case.status_changed", case.owner, preferences="profile")
    uow.commit("the report is approved or sent back already")


def _about_the_assignments_client(deps: EservicesDeps, step: str, answers: dict, a: Any) -> None:
    """422 on ``assignment_id`` when the report names someone else than the assignment's client:
    which of the report's fields differ, and both names (a protected client's name is not shown)."""
    first, last = str(answers.get("client_first_name") or ""), str(answers.get("client_last_name") or "")
    fields = mismatched(first, last, a.client_first_name, a.client_last_name,
                        (f"answers.{step}.client_first_name", f"answers.{step}.client_last_name"))
    if not fields:
        return
    client = ("has protected identity (the name is not shown)" if is_protected(deps.register, a.client)
              else f"is {a.client_first_name} {a.client_last_name}")
    raise ValidationFailed.field("assignment_id", f"the report is about {first} {last} ({', '.join(fields)}), "
                                                  f"but the assignment's client {client}")
