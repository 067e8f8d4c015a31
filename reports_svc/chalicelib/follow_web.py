"""Routes: the follow-up section's pages beyond the month (``/reports/personal/uppfoljning/…``): the
visits behind a figure, one visit, the twelve months' trend and the early warnings. Views in
``services.entrypoints.web.reports``."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document


def _page(view, **kw):
    from services.entrypoints.web.http import serve_view

    return serve_view("services.entrypoints.web.reports", "REPORTS", bp.current_request, view, **kw)


@bp.route("/personal/uppfoljning/besok", methods=["GET"])
def web_followup_visits():
    return _page("visits.behind")


@bp.route("/personal/uppfoljning/besok/{client_no}/{visit_id}", methods=["GET"])
def web_followup_visit(client_no, visit_id):
    return _page("visits.one", client_no=client_no, visit_id=visit_id)


@bp.route("/personal/uppfoljning/trend", methods=["GET"])
def web_followup_trend():
    return _page("trend.trend")


@bp.route("/personal/uppfoljning/varningar", methods=["GET"])
def web_followup_warnings():
    return _page("early.warnings")
