"""Routes: case work — inbox, cases, intake, decisions, assignments, relatives, messaging
settings and the audit trail. Every handler hands over to ``services.eservices.casework``."""
from chalice import Blueprint

from services.entrypoints.http import HttpApi
from services.eservices.bootstrap import deps
from services.eservices.casework import assignments, audit, decisions, inbox, intake, messaging, relatives
from services.eservices.casework.audit import AuditRecord
from services.eservices.casework.schemas import (ApprovalChange, ApprovalQuery, ApprovalRequest, ApprovalView,
                                                 AssignmentChange, AssignmentQuery, AssignmentRequest,
                                                 AssignmentView, AuditQuery, CaseView, DecisionRequest, InboxPage,
                                                 InboxQuery, IntakeRequest, MessagingCitizen,
                                                 MessagingSettingsRequest, MessagingSettingsView, MyAssignmentView,
                                                 NameQuery, PersonQuery)

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices")
CW = ("case work",)


@bp.route("/inbox")
@api.operation("inbox.read", query=InboxQuery, response=InboxPage, tags=CW,
               summary="Every incoming e-application, newest first; by status, category and dates; paged")
def list_inbox(call, query):
    return inbox.list_inbox(deps(), call, query)


@bp.route("/cases/{case_id}")
@api.operation("cases.read_any", response=CaseView, tags=CW, summary="A case: answers, documents, intake, decisions")
def get_case(call, case_id):
    return inbox.get_case(deps(), call, case_id)


@bp.route("/cases/{case_id}/files/{document_id}")
@api.operation("cases.read_any", tags=CW, content_type="application/pdf",
               summary="A document of the case (the application's PDF, decision letters)")
def case_file(call, case_id, document_id):
    return inbox.case_file(deps(), call, case_id, document_id)


@bp.route("/cases/{case_id}/intake", methods=["POST"])
@api.operation("intake.create", body=IntakeRequest, response=CaseView, tags=CW,
               summary="Take the application in (aktualisering): type, LSS insatser, case worker, organisation")
def take_in(call, body, case_id):
    return intake.take_in(deps(), call, case_id, body)


@bp.route("/cases/{case_id}/decisions", methods=["POST"])
@api.operation("decisions.create", body=DecisionRequest, response=CaseView, status=201, tags=CW,
               summary="Decide per insats; published to Mina sidor with a decision letter")
def decide(call, body, case_id):
    return decisions.decide(deps(), call, case_id, body)


# -- contact-person assignments -----------------------------------------------------------

@bp.route("/assignments", methods=["POST"])
@api.operation("assignments.manage", body=AssignmentRequest, response=AssignmentView, status=201, tags=CW,
               summary="Register a contact person's or contact family's assignment")
def register_assignment(call, body):
    return assignments.register(deps(), call, body)


@bp.route("/assignments")
@api.operation("assignments.manage", query=AssignmentQuery, response=list[AssignmentView], tags=CW,
               summary="Assignments, by client and/or contact person")
def list_assignments(call, query):
    return assignments.search(deps(), call, query)


@bp.route("/assignments/{assignment_id}")
@api.operation("assignments.manage", response=AssignmentView, tags=CW, summary="One assignment")
def get_assignment(call, assignment_id):
    return assignments.get(deps(), call, assignment_id)


@bp.route("/assignments/{assignment_id}", methods=["PATCH"])
@api.operation("assignments.manage", body=AssignmentChange, response=AssignmentView, tags=CW,
               summary="Change an assignment's terms or dates (with its version)")
def change_assignment(call, body, assignment_id):
    return assignments.change(deps(), call, assignment_id, body)


@bp.route("/assignments/{assignment_id}/end", methods=["POST"])
@api.operation("assignments.manage", response=AssignmentView, tags=CW, summary="End an assignment today")
def end_assignment(call, assignment_id):
    return assignments.end(deps(), call, assignment_id)


@bp.route("/my/assignments")
@api.operation("assignments.read_own", response=list[MyAssignmentView], tags=("mina sidor",),
               summary="My assignments as contact person")
def my_assignments(call):
    return assignments.mine(deps(), call)


# -- relatives ----------------------------------------------------------------------------

@bp.route("/relatives", methods=["POST"])
@api.operation("relatives.manage", body=ApprovalRequest, response=ApprovalView, status=201, tags=CW,
               summary="Approve a relative to act for a citizen, after recorded consent")
def approve_relative(call, body):
    return relatives.approve(deps(), call, body)


@bp.route("/relatives")
@api.operation("relatives.manage", query=ApprovalQuery, response=list[ApprovalView], tags=CW,
               summary="Approvals of a citizen or of a relative")
def list_relatives(call, query):
    return relatives.search(deps(), call, query)


@bp.route("/relatives/{approval_id}", methods=["PATCH"])
@api.operation("relatives.manage", body=ApprovalChange, response=ApprovalView, tags=CW,
               summary="Change an approval's dates or note (with its version)")
def change_relative(call, body, approval_id):
    return relatives.change(deps(), call, approval_id, body)


@bp.route("/relatives/{approval_id}/end", methods=["POST"])
@api.operation("relatives.manage", response=ApprovalView, tags=CW, summary="End an approval now")
def end_relative(call, approval_id):
    return relatives.end(deps(), call, approval_id)


# -- messaging settings -------------------------------------------------------------------

@bp.route("/messaging/settings", methods=["PUT"])
@api.operation("messaging.manage", body=MessagingSettingsRequest, response=MessagingSettingsView, tags=CW,
               summary="Switch messaging on or off for a citizen, with SMS and e-mail alerts")
def set_messaging(call, body):
    return messaging.set_settings(deps(), call, body)


@bp.route("/messaging/settings")
@api.operation("messaging.manage", query=PersonQuery, response=MessagingSettingsView, tags=CW,
               summary="A citizen's messaging settings")
def get_messaging(call, query):
    return messaging.get_settings(deps(), call, query.citizen)


@bp.route("/messaging/citizens")
@api.operation("messages.staff", query=NameQuery, response=list[MessagingCitizen], tags=CW,
               summary="Citizens with messaging on, by name (for a new message's To field)")
def messaging_citizens(call, query):
    return messaging.search_citizens(deps(), call, query.name)


# -- audit trail --------------------------------------------------------------------------

@bp.route("/audit")
@api.operation("audit.search", query=AuditQuery, response=list[AuditRecord], tags=("audit",),
               summary="Search the audit trail by person, actor and dates; format=csv exports")
def search_audit(call, query):
    return audit.search_records(deps(), call, query)
