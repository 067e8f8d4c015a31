"""Routes: the staff web's visits section (``/visits/personal``: besöksuppföljning). Views in
``services.entrypoints.web.visits``; the page cycle and its views load on the first page."""
from chalice import Blueprint

from services.entrypoints.web.routes import add_staff_login_routes

from .pages import FORM_TYPES, serve_view

bp = Blueprint(__name__)
add_staff_login_routes(bp, "services.entrypoints.web.visits", "VISITS")  # /personal, the login cycle, /web/static
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    return serve_view(bp.current_request, view, **kw)


@bp.route("/personal/avvikelser", methods=["GET"])
def web_deviations():
    return _page("deviations.deviations")


@bp.route("/personal/avvikelser", methods=["POST"], content_types=FORM_TYPES)
def web_deviations_post():
    return _page("deviations.deviations")


@bp.route("/personal/avvikelser/{visit_id}/{index}", methods=["GET"])
def web_deviation(visit_id, index):
    return _page("deviations.deviation", visit_id=visit_id, index=index)


@bp.route("/personal/avvikelser/{visit_id}/{index}", methods=["POST"], content_types=FORM_TYPES)
def web_deviation_post(visit_id, index):
    return _page("deviations.deviation", visit_id=visit_id, index=index)
