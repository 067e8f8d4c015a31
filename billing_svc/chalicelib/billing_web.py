"""Routes: the staff web's billing section (``/billing/personal``: ekonomi). Views in
``services.entrypoints.web.billing``; the page cycle and its views load on the first page."""
from chalice import Blueprint

from services.entrypoints.web.routes import add_staff_login_routes

bp = Blueprint(__name__)
add_staff_login_routes(bp, "services.entrypoints.web.billing", "BILLING")  # /personal, the login cycle, /web/static
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    from services.entrypoints.web.http import serve_view

    return serve_view("services.entrypoints.web.billing", "BILLING", bp.current_request, view, **kw)


@bp.route("/personal/start", methods=["GET"])
def web_start():
    return _page("session.start")
