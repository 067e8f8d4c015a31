"""Routes: the staff web's follow-up section (``/reports/personal``: uppföljning). Views in
``services.entrypoints.web.reports``; the page cycle and its views load on the first page."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document
FORM_TYPES = ["application/x-www-form-urlencoded"]


def _page(view, **kw):
    from services.entrypoints.web.http import serve_view

    return serve_view("services.entrypoints.web.reports", "REPORTS", bp.current_request, view, **kw)


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


@bp.route("/personal/uppfoljning", methods=["GET"])
def web_followup():
    return _page("followup.followup")


@bp.route("/personal/uppfoljning/underlag", methods=["GET"])
def web_followup_rows():
    return _page("followup.behind")


@bp.route("/web/static/{name}", methods=["GET"])
def web_static(name):
    from services.entrypoints.web.http import static_response

    return static_response(name)
