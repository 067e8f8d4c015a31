"""Routes: the case workers' section of the web (``/eservices/personal``: HTML pages, form posts).
Views in ``services.entrypoints.web.casework``, one module per part (session, todo, inbox, intake)."""
from chalice import Blueprint

bp = Blueprint(__name__)
GET = ["GET"]
FORM_TYPES = ["application/x-www-form-urlencoded"]
VIEWS = "services.entrypoints.web.casework"


def _page(view, **kw):  # "module.view": the page cycle and its views load on the first page, not at a cold start
    import importlib

    from services.entrypoints.web.casework.section import CASEWORK
    from services.entrypoints.web.http import serve

    module, name = view.split(".")
    return serve(CASEWORK, bp.current_request, getattr(importlib.import_module(f"{VIEWS}.{module}"), name), **kw)


@bp.route("/personal", methods=GET)
def front():
    return _page("session.front")


@bp.route("/personal/logga-in", methods=GET)
def login():
    return _page("session.login")


@bp.route("/personal/logga-in/klar", methods=GET)
def login_done():
    return _page("session.login_done")


@bp.route("/personal/logga-ut", methods=["POST"], content_types=FORM_TYPES)
def logout():
    return _page("session.logout")


@bp.route("/personal/session", methods=["POST"], content_types=FORM_TYPES)
def keep_alive():
    return _page("session.keep_alive")


@bp.route("/personal/att-gora", methods=GET)
def todo():
    return _page("todo.todo")


@bp.route("/personal/inkorg", methods=GET)
def inbox():
    return _page("inbox.inbox")


@bp.route("/personal/ansokningar/{case_id}/koppla", methods=GET)
def intake(case_id):
    return _page("intake.intake", case_id=case_id)


@bp.route("/personal/ansokningar/{case_id}/koppla", methods=["POST"], content_types=FORM_TYPES)
def intake_post(case_id):
    return _page("intake.intake", case_id=case_id)
