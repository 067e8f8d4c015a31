"""Routes: the case workers' section of the web (``/eservices/personal``: HTML pages, form posts).
Views in ``services.entrypoints.web.casework``, one module per part (session, todo, inbox, intake)."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages (and the login's OAuth endpoints): not in the OpenAPI document
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


# -- the case, decisions, messaging, relatives, contact-person reports (cw2) --------------------
POST = ["POST"]


@bp.route("/personal/arenden/{case_id}", methods=GET)
def case_page(case_id):
    return _page("case.case_page", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/dokument/{document_id}", methods=GET)
def case_document(case_id, document_id):
    return _page("case.document", case_id=case_id, document_id=document_id)


@bp.route("/personal/arenden/{case_id}/beslut", methods=GET)
def decision(case_id):
    return _page("decisions.decide", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/beslut", methods=POST, content_types=FORM_TYPES)
def decision_post(case_id):
    return _page("decisions.decide", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/meddelandefunktion", methods=GET)
def messaging_settings(case_id):
    return _page("messaging.settings", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/meddelandefunktion", methods=POST, content_types=FORM_TYPES)
def messaging_settings_post(case_id):
    return _page("messaging.settings", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/meddelande", methods=GET)
def message_new(case_id):
    return _page("messaging.write", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/meddelande", methods=POST, content_types=FORM_TYPES)
def message_new_post(case_id):
    return _page("messaging.write", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/meddelande/bilaga", methods=GET)
def message_upload_done(case_id):
    return _page("messaging.upload_done", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/meddelande/bilaga/ta-bort", methods=POST, content_types=FORM_TYPES)
def message_upload_remove(case_id):
    return _page("messaging.upload_remove", case_id=case_id)


@bp.route("/personal/meddelanden", methods=GET)
def messages():
    return _page("messaging.messages")


@bp.route("/personal/narstaende", methods=GET)
def relatives():
    return _page("relatives.relatives")


@bp.route("/personal/narstaende/nytt", methods=GET)
def relative_new():
    return _page("relatives.new")


@bp.route("/personal/narstaende/nytt", methods=POST, content_types=FORM_TYPES)
def relative_new_post():
    return _page("relatives.new")


@bp.route("/personal/narstaende/{approval_id}", methods=GET)
def relative_change(approval_id):
    return _page("relatives.change", approval_id=approval_id)


@bp.route("/personal/narstaende/{approval_id}", methods=POST, content_types=FORM_TYPES)
def relative_change_post(approval_id):
    return _page("relatives.change", approval_id=approval_id)


@bp.route("/personal/arenden/{case_id}/narstaende", methods=GET)
def case_relatives(case_id):
    return _page("relatives.of_case", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/rapport", methods=GET)
def report(case_id):
    return _page("reports.report", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/rapport", methods=POST, content_types=FORM_TYPES)
def report_post(case_id):
    return _page("reports.report", case_id=case_id)


@bp.route("/personal/arenden/{case_id}/rapport/tillbaka", methods=POST, content_types=FORM_TYPES)
def report_send_back(case_id):
    return _page("reports.send_back", case_id=case_id)


@bp.route("/personal/meddelanden/nytt", methods=GET)
def message_compose():
    return _page("messaging.new_message")


@bp.route("/personal/meddelanden/nytt", methods=POST, content_types=FORM_TYPES)
def message_compose_post():
    return _page("messaging.new_message")


@bp.route("/personal/meddelanden/nytt/bilaga", methods=GET)
def message_compose_upload_done():
    return _page("messaging.new_upload_done")


@bp.route("/personal/meddelanden/nytt/bilaga/ta-bort", methods=POST, content_types=FORM_TYPES)
def message_compose_upload_remove():
    return _page("messaging.new_upload_remove")


@bp.route("/personal/meddelanden/{thread_id}", methods=GET)
def thread(thread_id):
    return _page("messaging.thread", thread_id=thread_id)


@bp.route("/personal/meddelanden/{thread_id}", methods=POST, content_types=FORM_TYPES)
def thread_post(thread_id):
    return _page("messaging.thread", thread_id=thread_id)


@bp.route("/personal/meddelanden/{thread_id}/journal.pdf", methods=GET)
def thread_export(thread_id):
    return _page("messaging.thread_export", thread_id=thread_id)


@bp.route("/personal/meddelanden/{thread_id}/{message_id}/bilagor/{attachment_id}", methods=GET)
def thread_attachment(thread_id, message_id, attachment_id):
    return _page("messaging.thread_attachment", thread_id=thread_id, message_id=message_id,
                 attachment_id=attachment_id)
