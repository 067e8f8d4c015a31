"""Routes: the citizen web (HTML pages, form posts). Views in ``services.entrypoints.web.citizen``, one
module per part (public, session, forms, mypages, messages, attachments)."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages (and the login's OAuth endpoints): not in the OpenAPI document
GET = ["GET"]  # a GET has no body: no content type to require
FORM_TYPES = ["application/x-www-form-urlencoded"]
CITIZEN_VIEWS = "services.entrypoints.web.citizen"


def _page(view, **kw):  # "module.view": the page cycle and its views load on the first page, not at a cold start
    import importlib

    from services.entrypoints.web.citizen.section import CITIZEN
    from services.entrypoints.web.http import serve

    module, name = view.split(".")
    return serve(CITIZEN, bp.current_request, getattr(importlib.import_module(f"{CITIZEN_VIEWS}.{module}"), name),
                 **kw)


@bp.route("/web", methods=GET)
def catalogue():
    return _page("public.catalogue")


@bp.route("/web/tillganglighet", methods=GET)
def accessibility():
    return _page("public.accessibility")


@bp.route("/web/personal", methods=GET)
def staff_entry():
    return _page("public.staff_entry")


@bp.route("/web/tjanster/{form_id}", methods=GET)
def start_page(form_id):
    return _page("forms.start_page", form_id=form_id)


@bp.route("/web/tjanster/{form_id}/starta", methods=["POST"], content_types=FORM_TYPES)
def start_draft(form_id):
    return _page("forms.start_draft", form_id=form_id)


@bp.route("/web/logga-in", methods=GET)
def login():
    return _page("session.login")


@bp.route("/web/logga-in/klar", methods=GET)
def login_done():
    return _page("session.login_done")


@bp.route("/web/logga-ut", methods=["POST"], content_types=FORM_TYPES)
def logout():
    return _page("session.logout")


@bp.route("/web/session", methods=["POST"], content_types=FORM_TYPES)
def keep_alive():
    return _page("session.keep_alive")


@bp.route("/web/utkast/{draft_id}/steg/{step_id}", methods=GET)
def step(draft_id, step_id):
    return _page("forms.step", draft_id=draft_id, step_id=step_id)


@bp.route("/web/utkast/{draft_id}/steg/{step_id}", methods=["POST"], content_types=FORM_TYPES)
def step_post(draft_id, step_id):
    return _page("forms.step", draft_id=draft_id, step_id=step_id)


@bp.route("/web/utkast/{draft_id}/granska", methods=GET)
def preview(draft_id):
    return _page("forms.preview", draft_id=draft_id)


@bp.route("/web/utkast/{draft_id}/signera", methods=["POST"], content_types=FORM_TYPES)
def sign(draft_id):
    return _page("forms.sign_and_submit", draft_id=draft_id)


@bp.route("/web/utkast/{draft_id}/signering", methods=GET)
def signing(draft_id):
    return _page("forms.signing", draft_id=draft_id)


@bp.route("/web/utkast/{draft_id}/signering", methods=["POST"], content_types=FORM_TYPES)
def signing_post(draft_id):
    return _page("forms.signing", draft_id=draft_id)


@bp.route("/web/utkast/{draft_id}/ta-bort", methods=GET)
def discard(draft_id):
    return _page("forms.discard", draft_id=draft_id)


@bp.route("/web/utkast/{draft_id}/ta-bort", methods=["POST"], content_types=FORM_TYPES)
def discard_post(draft_id):
    return _page("forms.discard", draft_id=draft_id)


@bp.route("/web/arenden/{case_id}/kvittens", methods=GET)
def receipt(case_id):
    return _page("forms.receipt", case_id=case_id)


@bp.route("/web/arenden/{case_id}/dokument/{document_id}", methods=GET)
def document(case_id, document_id):
    return _page("mypages.document", case_id=case_id, document_id=document_id)


@bp.route("/web/arenden/{case_id}/en-till", methods=["POST"], content_types=FORM_TYPES)
def report_another(case_id):
    return _page("forms.report_another", case_id=case_id)


@bp.route("/web/mina-sidor", methods=GET)
def my_pages():
    return _page("mypages.my_pages")


@bp.route("/web/mina-sidor/arenden/{case_id}", methods=GET)
def my_case(case_id):
    return _page("mypages.my_case", case_id=case_id)


@bp.route("/web/mina-sidor/arenden/{case_id}/meddelande", methods=["POST"], content_types=FORM_TYPES)
def new_message(case_id):
    return _page("messages.new_message", case_id=case_id)


@bp.route("/web/mina-sidor/meddelanden", methods=GET)
def messages():
    return _page("messages.messages")


@bp.route("/web/mina-sidor/meddelanden/{thread_id}", methods=GET)
def thread(thread_id):
    return _page("messages.thread", thread_id=thread_id)


@bp.route("/web/mina-sidor/meddelanden/{thread_id}", methods=["POST"], content_types=FORM_TYPES)
def thread_post(thread_id):
    return _page("messages.thread", thread_id=thread_id)


@bp.route("/web/mina-sidor/meddelanden/{thread_id}/bilagor/{message_id}/{attachment_id}", methods=GET)
def attachment(thread_id, message_id, attachment_id):
    return _page("messages.attachment", thread_id=thread_id, message_id=message_id, attachment_id=attachment_id)


@bp.route("/web/mina-sidor/bilagor", methods=["POST"], content_types=FORM_TYPES)
def upload_ticket():
    return _page("messages.upload_ticket")


@bp.route("/web/mina-sidor/meddelanden/{thread_id}/bilaga", methods=GET)
def thread_upload_done(thread_id):
    return _page("attachments.thread_upload_done", thread_id=thread_id)


@bp.route("/web/mina-sidor/meddelanden/{thread_id}/bilaga/ta-bort", methods=["POST"], content_types=FORM_TYPES)
def thread_upload_remove(thread_id):
    return _page("attachments.thread_upload_remove", thread_id=thread_id)


@bp.route("/web/mina-sidor/arenden/{case_id}/bilaga", methods=GET)
def case_upload_done(case_id):
    return _page("attachments.case_upload_done", case_id=case_id)


@bp.route("/web/mina-sidor/arenden/{case_id}/bilaga/ta-bort", methods=["POST"], content_types=FORM_TYPES)
def case_upload_remove(case_id):
    return _page("attachments.case_upload_remove", case_id=case_id)


@bp.route("/web/mina-sidor/uppgifter", methods=GET)
def profile():
    return _page("mypages.profile")


@bp.route("/web/mina-sidor/uppgifter", methods=["POST"], content_types=FORM_TYPES)
def profile_post():
    return _page("mypages.profile")


@bp.route("/web/mina-sidor/fora-talan", methods=GET)
def acting_for():
    return _page("session.acting_for")


@bp.route("/web/mina-sidor/fora-talan", methods=["POST"], content_types=FORM_TYPES)
def acting_for_post():
    return _page("session.acting_for")


@bp.route("/web/static/{name}", methods=GET)
def static(name):
    from services.entrypoints.web.http import static_response

    return static_response(name)
