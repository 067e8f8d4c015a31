"""Routes: the provider's "Att åtgärda" (``/visits/personal/att-atgarda``): the month's exceptions,
triaged, and a resolution with a reason code. Views in ``services.entrypoints.web.visits.triage``."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document
FORM_TYPES = ["application/x-www-form-urlencoded"]


def _page(view, **kw):
    import importlib

    from services.entrypoints.web.http import serve
    from services.entrypoints.web.visits.section import VISITS

    module, name = view.split(".")
    return serve(VISITS, bp.current_request,
                 getattr(importlib.import_module(f"services.entrypoints.web.visits.{module}"), name), **kw)


@bp.route("/personal/att-atgarda", methods=["GET"])
def web_triage():
    return _page("triage.triage")


@bp.route("/personal/att-atgarda/{visit_id}/{kind}", methods=["GET"])
def web_resolution(visit_id, kind):
    return _page("triage.resolution", visit_id=visit_id, kind=kind)


@bp.route("/personal/att-atgarda/{visit_id}/{kind}", methods=["POST"], content_types=FORM_TYPES)
def web_resolution_post(visit_id, kind):
    return _page("triage.resolution", visit_id=visit_id, kind=kind)
