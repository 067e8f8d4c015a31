"""Routes: the staff web's visits section (``/visits/personal``: besöksuppföljning). Views in
``services.entrypoints.web.visits``; the page cycle and its views load on the first page."""
from chalice import Blueprint

from .pages import FORM_TYPES, serve_view

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    return serve_view(bp.current_request, view, **kw)


@bp.route("/personal", methods=["GET"])
def web_front():
    return _page("session.front")


@bp.route("/personal/logga-in", methods=["GET"])
def web_login():
    return _page("session.login")


@bp.route("/personal/logga-in/klar", methods=["GET"])
def web_login_done():
    return _page("session.login_done")


@bp.route("/personal/logga-ut", methods=["POST"], content_types=FORM_TYPES)
def web_logout():
    return _page("session.logout")


@bp.route("/personal/session", methods=["POST"], content_types=FORM_TYPES)
def web_keep_alive():
    return _page("session.keep_alive")


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


@bp.route("/web/static/{name}", methods=["GET"])
def web_static(name):
    from services.entrypoints.web.http import static_response

    return static_response(name)
