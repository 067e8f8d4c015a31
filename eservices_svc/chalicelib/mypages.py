"""Routes: Mina sidor — profile, cases, documents."""
from chalice import Blueprint

from services.entrypoints.downloads import download as download_file
from services.entrypoints.http import HttpApi
from chalicelib.acting import acting_party
from services.eservices.bootstrap import deps

# Models by name, the use cases imported in each handler: a cold start builds neither.
SCHEMAS = "services.eservices.schemas:"

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices", acting=acting_party)


@bp.route("/profile")
@api.operation("profile.read", response=SCHEMAS + "ProfileView", summary="My details, prefilled from the register",
               tags=("mina sidor",))
def get_profile(call):
    from services.eservices.usecases import mypages

    return mypages.get_profile(deps(), call.who)


@bp.route("/profile", methods=["PUT"])
@api.operation("profile.update", body=SCHEMAS + "UpdateProfile", response=SCHEMAS + "ProfileView",
               summary="Correct my contact details", tags=("mina sidor",))
def update_profile(call, body):
    from services.eservices.usecases import mypages

    return mypages.update_profile(deps(), call.who, body)


@bp.route("/my/drafts")
@api.operation("drafts.read", response=f"list[{SCHEMAS}DraftView]", summary="My drafts (as GET /drafts), newest first",
               tags=("mina sidor",), acting=True)
def my_drafts(call, acting):
    from services.eservices.usecases import submissions

    return submissions.list_drafts(deps(), acting)


@bp.route("/my/cases")
@api.operation("cases.read_own", response=f"list[{SCHEMAS}CaseSummary]", summary="My cases, newest first",
               tags=("mina sidor",), acting=True)
def my_cases(call, acting):
    from services.eservices.usecases import mypages

    return mypages.my_cases(deps(), acting)


@bp.route("/my/cases/{case_id}")
@api.operation("cases.read_own", response=SCHEMAS + "CaseDetail",
               summary="One of my cases: status history, documents, decisions", tags=("mina sidor",), acting=True)
def my_case(call, case_id, acting):
    from services.eservices.usecases import mypages

    return mypages.my_case(deps(), acting, case_id)


@bp.route("/cases/{case_id}/documents/{document_id}")
@api.operation("documents.read_own", summary="Download a document of my case (PDF)", tags=("mina sidor",),
               content_type="application/pdf", acting=True)
def download(call, case_id, document_id, acting):
    from services.eservices.usecases import mypages

    return download_file(deps().documents, mypages.document(deps(), acting, case_id, document_id), call.headers)


@bp.route("/cases/{case_id}/report-another", methods=["POST"])
@api.operation("drafts.create", response=SCHEMAS + "DraftView", status=201, summary="Report for another person",
               tags=("drafts",), acting=True)
def report_another(call, case_id, acting):
    from services.eservices.usecases import submissions

    return submissions.report_another(deps(), acting, case_id)
