"""Routes: the provider's visits in the staff web's visits section (``/visits/personal/besok``,
``/visits/personal/efterregistrera``). Views in ``services.entrypoints.web.visits.visit_pages``; the
page cycle and its views load on the first page."""
from chalice import Blueprint

from .pages import FORM_TYPES, serve_view

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    return serve_view(bp.current_request, view, **kw)


@bp.route("/personal/besok", methods=["GET"])
def web_visits():
    return _page("visit_pages.visits")


@bp.route("/personal/besok", methods=["POST"], content_types=FORM_TYPES)
def web_visits_post():
    return _page("visit_pages.visits")


@bp.route("/personal/besok/{visit_id}", methods=["GET"])
def web_visit(visit_id):
    return _page("visit_pages.visit", visit_id=visit_id)


@bp.route("/personal/besok/{visit_id}", methods=["POST"], content_types=FORM_TYPES)
def web_visit_post(visit_id):
    return _page("visit_pages.visit", visit_id=visit_id)


@bp.route("/personal/besok/{visit_id}/andra", methods=["GET"])
def web_visit_edit(visit_id):
    return _page("visit_pages.edit", visit_id=visit_id)


@bp.route("/personal/besok/{visit_id}/andra", methods=["POST"], content_types=FORM_TYPES)
def web_visit_edit_post(visit_id):
    return _page("visit_pages.edit", visit_id=visit_id)


@bp.route("/personal/efterregistrera", methods=["GET"])
def web_post_registration():
    return _page("visit_pages.post_registration")


@bp.route("/personal/efterregistrera", methods=["POST"], content_types=FORM_TYPES)
def web_post_registration_post():
    return _page("visit_pages.post_registration")
