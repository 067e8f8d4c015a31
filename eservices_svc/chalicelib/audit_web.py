"""Routes: the auditors' log follow-up in the case work section (``/eservices/personal/logg``: HTML
pages and a CSV export). Views in ``services.entrypoints.web.casework.auditlog``."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages: not in the OpenAPI document
GET = ["GET"]


def _page(view, **kw):  # the page cycle and its views load on the first page, not at a cold start
    from services.entrypoints.web.casework import auditlog
    from services.entrypoints.web.casework.section import CASEWORK
    from services.entrypoints.web.http import serve

    return serve(CASEWORK, bp.current_request, getattr(auditlog, view), **kw)


@bp.route("/personal/logg", methods=GET)
def audit_log():
    return _page("log_page")


@bp.route("/personal/logg/export", methods=GET)
def audit_log_export():
    return _page("export")
