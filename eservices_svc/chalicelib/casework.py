"""Routes: case work — inbox, cases, intake, decisions, assignments, relatives, messaging
settings and the audit trail. Every handler hands over to ``services.eservices.casework``."""
from chalice import Blueprint

from services.entrypoints.downloads import download as download_file
from services.entrypoints.http import HttpApi
from services.eservices.bootstrap import deps

# Models by name, each feature's use cases imported in its handler: a cold start builds neither.
M = "services.eservices.casework.models"
INBOX, ASSIGNMENTS, RELATIVES, MESSAGING = (f"{M}.{m}:" for m in ("inbox", "assignments", "relatives", "messaging"))

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices")
CW = ("case work",)


@bp.route("/inbox")
@api.operation("inbox.read", query=INBOX + "InboxQuery", response=INBOX + "InboxPage", tags=CW,
               summary="Every incoming e-application, newest first; by status, category and dates; paged")
def list_inbox(call, query):
    from services.eservices.casework.usecases import inbox

    return inbox.list_inbox(deps(), call.who, query)


@bp.route("/cases/{case_id}")
@api.operation("cases.read_any", response=INBOX + "CaseView",
               tags=CW, summary="A case: answers, documents, intake, decisions")
def get_case(call, case_id):
    from services.eservices.casework.usecases import inbox

    return inbox.get_case(deps(), call.who, case_id)


@bp.route("/cases/{case_id}/files/{document_id}")
@api.operation("cases.read_any", tags=CW, content_type="application/pdf",
               summary="A document of the case (the application's PDF, decision letters)")
def case_file(call, case_id, document_id):
    from services.eservices.casework.usecases import inbox

    return download_file(deps().documents, inbox.case_file(deps(), call.who, case_id, document_id), call.headers)


@bp.route("/cases/{case_id}/intake", methods=["POST"])
@api.operation("intake.create", body=f"{M}.intake:IntakeRequest", response=INBOX + "CaseView", tags=CW,
               summary="Take the application in (aktualisering): type, LSS insatser, case worker, organisation")
def take_in(call, body, case_id):
    from services.eservices.casework.usecases import intake

    return intake.take_in(deps(), call.who, case_id, body)


@bp.route("/cases", methods=["POST"])
@api.operation("intake.create", body=f"{M}.intake:RegistrationRequest", response=INBOX + "CaseView", status=201,
               tags=CW, summary="Register an application that came by phone, letter, visit or a report from "
                                "someone else, taken in at once (aktualisering)")
def register_case(call, body):
    from services.eservices.casework.usecases import intake

    return intake.register(deps(), call.who, body)


@bp.route("/cases/{case_id}/decisions", methods=["POST"])
@api.operation("decisions.create", body=f"{M}.decisions:DecisionRequest", response=INBOX + "CaseView", status=201,
               tags=CW,
               summary="Decide per insats; published to Mina sidor with a decision letter")
def decide(call, body, case_id):
    from services.eservices.casework.usecases import decisions

    return decisions.decide(deps(), call.who, case_id, body)


# -- contact-person assignments -----------------------------------------------------------

@bp.route("/assignments", methods=["POST"])
@api.operation("assignments.manage", body=ASSIGNMENTS + "AssignmentRequest",
               response=ASSIGNMENTS + "AssignmentView", status=201, tags=CW,
               summary="Register a contact person's or contact family's assignment")
def register_assignment(call, body):
    from services.eservices.casework.usecases import assignments

    return assignments.register(deps(), call.who, body)


@bp.route("/assignments")
@api.operation("assignments.manage", query=ASSIGNMENTS + "AssignmentQuery",
               response=f"list[{ASSIGNMENTS}AssignmentView]", tags=CW,
               summary="Assignments, by client and/or contact person")
def list_assignments(call, query):
    from services.eservices.casework.usecases import assignments

    return assignments.search(deps(), call.who, query)


@bp.route("/assignments/{assignment_id}")
@api.operation("assignments.manage", response=ASSIGNMENTS + "AssignmentView", tags=CW, summary="One assignment")
def get_assignment(call, assignment_id):
    from services.eservices.casework.usecases import assignments

    return assignments.get(deps(), call.who, assignment_id)


@bp.route("/assignments/{assignment_id}", methods=["PATCH"])
@api.operation("assignments.manage", body=ASSIGNMENTS + "AssignmentChange", response=ASSIGNMENTS + "AssignmentView",
               tags=CW,
               summary="Change an assignment's terms or dates (with its version)")
def change_assignment(call, body, assignment_id):
    from services.eservices.casework.usecases import assignments

    return assignments.change(deps(), call.who, assignment_id, body)


@bp.route("/assignments/{assignment_id}/end", methods=["POST"])
@api.operation("assignments.manage", response=ASSIGNMENTS + "AssignmentView",
               tags=CW, summary="End an assignment today")
def end_assignment(call, assignment_id):
    from services.eservices.casework.usecases import assignments

    return assignments.end(deps(), call.who, assignment_id)


@bp.route("/my/assignments")
@api.operation("assignments.read_own", response=f"list[{ASSIGNMENTS}MyAssignmentView]", tags=("mina sidor",),
               summary="My assignments as contact person")
def my_assignments(call):
    from services.eservices.casework.usecases import assignments

    return assignments.mine(deps(), call.who)


# -- relatives ----------------------------------------------------------------------------

@bp.route("/relatives", methods=["POST"])
@api.operation("relatives.manage", body=RELATIVES + "ApprovalRequest", response=RELATIVES + "ApprovalView", status=201,
               tags=CW,
               summary="Approve a relative to act for a citizen, after recorded consent")
def approve_relative(call, body):
    from services.eservices.casework.usecases import relatives

    return relatives.approve(deps(), call.who, body)


@bp.route("/relatives")
@api.operation("relatives.manage", query=RELATIVES + "ApprovalQuery", response=f"list[{RELATIVES}ApprovalView]",
               tags=CW,
               summary="Approvals of a citizen or of a relative")
def list_relatives(call, query):
    from services.eservices.casework.usecases import relatives

    return relatives.search(deps(), call.who, query)


@bp.route("/relatives/{approval_id}", methods=["PATCH"])
@api.operation("relatives.manage", body=RELATIVES + "ApprovalChange", response=RELATIVES + "ApprovalView", tags=CW,
               summary="Change an approval's dates or note (with its version)")
def change_relative(call, body, approval_id):
    from services.eservices.casework.usecases import relatives

    return relatives.change(deps(), call.who, approval_id, body)


@bp.route("/relatives/{approval_id}/end", methods=["POST"])
@api.operation("relatives.manage", response=RELATIVES + "ApprovalView", tags=CW, summary="End an approval now")
def end_relative(call, approval_id):
    from services.eservices.casework.usecases import relatives

    return relatives.end(deps(), call.who, approval_id)


# -- messaging settings -------------------------------------------------------------------

@bp.route("/messaging/settings", methods=["PUT"])
@api.operation("messaging.manage", body=MESSAGING + "MessagingSettingsRequest",
               response=MESSAGING + "MessagingSettingsView", tags=CW,
               summary="Switch messaging on or off for a citizen, with SMS and e-mail alerts")
def set_messaging(call, body):
    from services.eservices.casework.usecases import messaging

    return messaging.set_settings(deps(), call.who, body)


@bp.route("/messaging/settings")
@api.operation("messaging.manage", query=MESSAGING + "PersonQuery", response=MESSAGING + "MessagingSettingsView",
               tags=CW,
               summary="A citizen's messaging settings")
def get_messaging(call, query):
    from services.eservices.casework.usecases import messaging

    return messaging.get_settings(deps(), call.who, query.citizen)


@bp.route("/messaging/citizens")
@api.operation("messages.staff", query=MESSAGING + "NameQuery", response=f"list[{MESSAGING}MessagingCitizen]", tags=CW,
               summary="Citizens with messaging on, by name (for a new message's To field)")
def messaging_citizens(call, query):
    from services.eservices.casework.usecases import messaging

    return messaging.search_citizens(deps(), call.who, query.name)


# -- audit trail --------------------------------------------------------------------------

@bp.route("/audit")
@api.operation("audit.search", query=f"{M}.audit:AuditQuery",
               response="list[services.eservices.casework.domain.audit:AuditRecord]", tags=("audit",),
               summary="Search the audit trail by person, actor and dates, a page at a time (the next from the "
                       "X-Next-Cursor header); format=csv exports")
def search_audit(call, query):
    from services.eservices.casework.usecases import audit

    return audit.search_records(deps(), call.who, query)
