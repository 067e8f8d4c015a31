"""Routes: the staff web's follow-up section (``/reports/personal``: uppföljning). Views in
``services.entrypoints.web.reports``; the page cycle and its views load on the first page."""
from chalice import Blueprint

from services.entrypoints.web.routes import add_staff_login_routes

bp = Blueprint(__name__)
add_staff_login_routes(bp, "services.entrypoints.web.reports", "REPORTS")  # /personal, the login cycle, /web/static
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    from services.entrypoints.web.http import serve_view

    return serve_view("services.entrypoints.web.reports", "REPORTS", bp.current_request, view, **kw)


@bp.route("/personal/uppfoljning", methods=["GET"])
def web_followup():
    return _page("followup.followup")


@bp.route("/personal/uppfoljning/underlag", methods=["GET"])
def web_followup_rows():
    return _page("followup.behind")
