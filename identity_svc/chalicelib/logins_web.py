"""Routes: Inloggningar och konton (``/personal/logg``), the identity service's audit trail for
auditors. View in ``services.entrypoints.web.personal.logins``."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # an HTML page: not in the OpenAPI document


def _page(view, **kw):  # the page cycle and its views load on the first page, not at a cold start
    from services.entrypoints.web.http import serve
    from services.entrypoints.web.personal import logins
    from services.entrypoints.web.personal.section import PERSONAL

    return serve(PERSONAL, bp.current_request, getattr(logins, view), **kw)


@bp.route("/logg", methods=["GET"])
def logins():
    return _page("logins")
