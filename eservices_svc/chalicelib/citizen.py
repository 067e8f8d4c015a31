"""Citizen e-services routes: forms, drafts, preview, sign, submit, receipts."""
from chalice import Blueprint

from chalicelib.acting import acting_party
from services.eservices.bootstrap import deps
from services.entrypoints.http import HttpApi

# Models by name, the use cases and the form engine imported in each handler: a cold start
# builds neither.
SCHEMAS = "services.eservices.schemas:"

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices", acting=acting_party)


@bp.route("/forms")
@api.operation(None, response=f"list[{SCHEMAS}FormSummary]", summary="The e-services", tags=("forms",))
def list_forms(call):
    from services.eservices.domain.forms import registry
    from services.eservices.schemas import FormSummary

    return [FormSummary(id=f.id, title=f.title, description=f.description, category=f.category,
                        roles=list(f.roles)) for f in registry().values()]


@bp.route("/forms/{form_id}")
@api.operation(None, summary="One e-service: steps, fields, rules and its JSON Schema", tags=("forms",))
def show_form(call, form_id):
    from services.eservices.domain.forms import get_form
    from services.eservices.domain.forms.engine import describe

    return describe(get_form(form_id))


@bp.route("/drafts", methods=["POST"])
@api.operation("drafts.create", body=SCHEMAS + "StartDraft", response=SCHEMAS + "DraftView", status=201,
               summary="Start a draft", tags=("drafts",), acting=True)
def start_draft(call, body, acting):
    from services.eservices.usecases import submissions as sub

    return sub.start_draft(deps(), acting, body.form_id, body.answers)


@bp.route("/drafts")
@api.operation("drafts.read", response=f"list[{SCHEMAS}DraftView]", summary="My drafts", tags=("drafts",), acting=True)
def list_drafts(call, acting):
    from services.eservices.usecases import submissions as sub

    return sub.list_drafts(deps(), acting)


@bp.route("/drafts/{draft_id}")
@api.operation("drafts.read", response=SCHEMAS + "DraftView", summary="Resume a draft", tags=("drafts",), acting=True)
def get_draft(call, draft_id, acting):
    from services.eservices.usecases import submissions as sub

    return sub.get_draft(deps(), acting, draft_id)


@bp.route("/drafts/{draft_id}", methods=["PATCH"])
@api.operation("drafts.update", body=SCHEMAS + "SaveDraft", response=SCHEMAS + "DraftView",
               summary="Save steps of a draft", tags=("drafts",), acting=True)
def save_draft(call, body, draft_id, acting):
    from services.eservices.usecases import submissions as sub

    return sub.save_draft(deps(), acting, draft_id, body.answers, body.version)


@bp.route("/drafts/{draft_id}", methods=["DELETE"])
@api.operation("drafts.delete", status=204, summary="Discard a draft", tags=("drafts",), acting=True)
def discard_draft(call, draft_id, acting):
    from services.eservices.usecases import submissions as sub

    return sub.discard_draft(deps(), acting, draft_id)


@bp.route("/drafts/{draft_id}/preview")
@api.operation("drafts.read", response=SCHEMAS + "Preview", summary="Preview every step with its errors",
               tags=("drafts",), acting=True)
def preview_draft(call, draft_id, acting):
    from services.eservices.usecases import submissions as sub

    return sub.preview_draft(deps(), acting, draft_id)


@bp.route("/drafts/{draft_id}/signature", methods=["POST"])
@api.operation("drafts.sign", response=SCHEMAS + "SignatureView", status=201, summary="Sign with e-ID",
               tags=("drafts",), acting=True)
def sign_draft(call, draft_id, acting):
    from services.eservices.usecases import submissions as sub

    return sub.sign_draft(deps(), acting, draft_id)


@bp.route("/drafts/{draft_id}/signature")
@api.operation("drafts.sign", response=SCHEMAS + "SignatureView", summary="Collect the signing's status",
               tags=("drafts",), acting=True)
def collect_signature(call, draft_id, acting):
    from services.eservices.usecases import submissions as sub

    return sub.collect_signature(deps(), acting, draft_id)


@bp.route("/drafts/{draft_id}/submit", methods=["POST"])
@api.operation("drafts.submit", response=SCHEMAS + "SubmissionReceipt", status=201,
               summary="Submit a signed draft (Idempotency-Key)", tags=("drafts",), acting=True)
def submit_draft(call, draft_id, acting):
    from services.eservices.usecases import submissions as sub

    return sub.submit_draft(deps(), acting, draft_id, call.idempotency_key)
