"""Routes: the provider lead's month pages in the staff web's visits section — Översikt (the start
page) and Månaden och fakturaunderlag. Views in ``services.entrypoints.web.visits.overview``."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    import importlib

    from services.entrypoints.web.http import serve
    from services.entrypoints.web.visits.section import VISITS

    module, name = view.split(".")
    return serve(VISITS, bp.current_request,
                 getattr(importlib.import_module(f"services.entrypoints.web.visits.{module}"), name), **kw)


@bp.route("/personal/oversikt", methods=["GET"])
def web_overview():
    return _page("overview.overview")


@bp.route("/personal/manaden", methods=["GET"])
def web_month():
    return _page("overview.month")
