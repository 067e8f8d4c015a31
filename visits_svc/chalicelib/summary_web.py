"""Routes: the provider lead's month pages in the staff web's visits section — Översikt (the start
page) and Månaden och fakturaunderlag. Views in ``services.entrypoints.web.visits.overview``."""
from chalice import Blueprint

from .pages import serve_view

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    return serve_view(bp.current_request, view, **kw)


@bp.route("/personal/oversikt", methods=["GET"])
def web_overview():
    return _page("overview.overview")


@bp.route("/personal/manaden", methods=["GET"])
def web_month():
    return _page("overview.month")
