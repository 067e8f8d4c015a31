"""Secure messages on Mina sidor: the threads, reading and answering one, writing about a case,
attachments (through a short-lived address) and the script's upload ticket."""
from __future__ import annotations

from ....domain.errors import Conflict, ValidationFailed
from .. import formview as fv
from ..http import Context, Json, Page, Redirect
from . import attachments
from .common import message_threads, title, upload_context, validated
from .mypages import my_case


def messages(ctx: Context) -> Page:
    acting = ctx.require_user("messages.citizen")
    return Page("messages.html", {"title": title("Meddelanden"), "threads": message_threads(ctx, acting)})


MESSAGE_ERRORS = {"body": "Skriv ett meddelande", "subject": "Skriv en rubrik",
                  "attachments": "En bifogad fil kunde inte tas emot. Du kan bifoga högst 5 filer på högst 16 MB."}


def _message_errors(exc: ValidationFailed) -> dict[str, str]:
    out = {}
    for e in exc.errors:
        name = e.field.split(".")[0]
        out["files" if name == "attachments" else name] = MESSAGE_ERRORS.get(name, "Kontrollera uppgiften")
    return out or {"body": "Meddelandet kunde inte skickas"}


def thread(ctx: Context, thread_id: str) -> Page | Redirect:
    from ....eservices.casework.usecases import messages as msg
    from ....eservices.casework.schemas import Reply

    acting = ctx.require_user("messages.citizen")
    sender = msg.person_sender(ctx.deps, acting.who, acting.acting_for)
    errors: dict[str, str] = {}
    target = f"thread:{thread_id}"
    if ctx.method == "POST":
        try:
            body = validated(Reply, {
                "body": ctx.form.get("body"), "read_receipt": ctx.form.get("read_receipt") == "true",
                "attachments": attachments.pending_ids(ctx, target, ctx.form.getlist("attachments"))})
            msg.reply(ctx.deps, acting.who, sender, thread_id, body)
            attachments.sent(ctx, target)
            ctx.notice("Ditt meddelande är skickat.")
            return Redirect(ctx.url(f"/web/mina-sidor/meddelanden/{thread_id}"))
        except ValidationFailed as exc:
            errors = _message_errors(exc)
        except Conflict:
            errors = {"body": "Meddelanden är avstängda för dig just nu. Kontakta kommunen."}
    view = msg.read_thread(ctx.deps, acting.who, sender, thread_id)
    upload = upload_context(ctx, target, f"/web/mina-sidor/meddelanden/{thread_id}")
    links = [fv.ErrorLink(f"#m-{k}", v) for k, v in errors.items()] + upload.pop("errors")
    return Page("thread.html", {"title": title(view.subject, "Meddelanden", error=bool(links)), "thread": view,
                                "errors": links, "field_errors": errors, "values": {"body": ctx.form.get("body")},
                                **upload},
                status=422 if errors else 200)


def new_message(ctx: Context, case_id: str) -> Page | Redirect:
    from ....eservices.casework.usecases import messages as msg
    from ....eservices.casework.schemas import CitizenNewMessage

    acting = ctx.require_user("messages.citizen")
    errors: dict[str, str] = {}
    try:
        body = validated(CitizenNewMessage, {"case_id": case_id, "subject": ctx.form.get("subject"),
                                          "body": ctx.form.get("body"),
                                          "read_receipt": ctx.form.get("read_receipt") == "true",
                                          "attachments": attachments.pending_ids(ctx, f"case:{case_id}",
                                                                            ctx.form.getlist("attachments"))})
        sender = msg.person_sender(ctx.deps, acting.who, acting.acting_for)
        view = msg.citizen_new_thread(ctx.deps, acting.who, sender, body)
        attachments.sent(ctx, f"case:{case_id}")
        ctx.notice("Ditt meddelande är skickat.")
        return Redirect(ctx.url(f"/web/mina-sidor/meddelanden/{view.thread_id}"))
    except ValidationFailed as exc:
        errors = _message_errors(exc)
    except Conflict:
        errors = {"body": "Du kan skicka meddelanden när en handläggare har tagit emot ärendet och meddelanden "
                          "är påslagna för dig."}
    page = my_case(ctx, case_id)
    page.context.update(errors=[fv.ErrorLink(f"#m-{k}", v) for k, v in errors.items()], field_errors=errors,
                        values={"subject": ctx.form.get("subject"), "body": ctx.form.get("body")},
                        title=title(f"Ärende {page.context['case'].case_number}", error=True))
    page.status = 422
    return page


def attachment(ctx: Context, thread_id: str, message_id: str, attachment_id: str) -> Redirect:
    """An attachment of one's own thread, through a short-lived address."""
    from ....eservices.casework.usecases import messages as msg

    acting = ctx.require_user("messages.citizen")
    sender = msg.person_sender(ctx.deps, acting.who, acting.acting_for)
    found = msg.attachment(ctx.deps, acting.who, sender, thread_id, message_id, attachment_id)
    return Redirect(found.location, status=303)


def upload_ticket(ctx: Context) -> Json:
    """A presigned S3 POST for one attachment, for the page's script: the file goes straight to S3,
    which refuses more than 16 MB; the message then names the upload."""
    from ....eservices.casework.usecases import messages as msg
    from ....eservices.casework.schemas import UploadRequest

    acting = ctx.require_user("messages.citizen")
    try:
        body = validated(UploadRequest, {"filename": ctx.form.get("filename"),
                                         "content_type": ctx.form.get("content_type")})
    except ValidationFailed:
        return Json({"error": "Den filtypen kan inte skickas. Skicka PDF, JPEG, PNG, HEIC, text eller Word."}, 422)
    ticket = msg.start_upload(ctx.deps, acting.who, msg.person_sender(ctx.deps, acting.who, acting.acting_for), body)
    return Json({"upload_id": ticket.upload_id, "url": ticket.url, "fields": ticket.fields,
                 "max_bytes": ticket.max_bytes}, 201)
