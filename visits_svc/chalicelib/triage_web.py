"""Routes: the provider's "Att åtgärda" (``/visits/personal/att-atgarda``): the month's exceptions,
triaged, and a resolution with a reason code. Views in ``services.entrypoints.web.visits.triage``."""
from chalice import Blueprint

from .pages import FORM_TYPES, serve_view

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    return serve_view(bp.current_request, view, **kw)


@bp.route("/personal/att-atgarda", methods=["GET"])
def web_triage():
    return _page("triage.triage")


@bp.route("/personal/att-atgarda/{visit_id}/{kind}", methods=["GET"])
def web_resolution(visit_id, kind):
    return _page("triage.resolution", visit_id=visit_id, kind=kind)


@bp.route("/personal/att-atgarda/{visit_id}/{kind}", methods=["POST"], content_types=FORM_TYPES)
def web_resolution_post(visit_id, kind):
    return _page("triage.resolution", visit_id=visit_id, kind=kind)
