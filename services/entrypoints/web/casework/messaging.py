"""Meddelandefunktion and messages, from a case: switching messaging (Lifecare Meddelande) on for
the case's person with the seed's choices — avisering via SMS (to telefon 1 or 2) and/or e-post —
through case work's ``set_settings`` (as ``PUT /messaging/settings``), and writing to the person
(subject, text, read receipt, up to 5 attachments of 16 MB) through ``staff_new_thread`` (as
``POST /messages``). Attachments come without JavaScript as on the citizens' side
(``..uploads``, as the citizens' ``citizen/attachments``: a presigned POST straight to S3 that brings the browser back, the same
limits and refusals), held as pending for the message in the case worker's session. "Meddelanden"
lists the case worker's threads and finds clients with messaging on by name ("Till klient":
personnummer after the name; a protected person never found by name)."""
from __future__ import annotations

from typing import Any

from ....domain.errors import Conflict, NotFound, ValidationFailed
from ..formview import ErrorLink
from ..http import Context, Page, Redirect
from .case import person
from .common import case_worker, nav, page_title

SETTINGS_FIELDS = ("first_name", "last_name", "enabled", "phone1", "phone2", "sms_alert", "sms_phone",
                   "email_alert", "email")
SETTINGS_MESSAGES = {
    "first_name": "Skriv förnamnet som det står i folkbokföringen.",
    "last_name": "Skriv efternamnet som det står i folkbokföringen.",
    "enabled": "Välj om meddelandefunktionen ska vara på.",
    "phone1": "Skriv telefon 1 som ett mobilnummer, till exempel 070-123 45 67.",
    "phone2": "Skriv telefon 2 som ett mobilnummer, till exempel 070-123 45 67.",
    "sms_phone": "Välj vilken telefon som får SMS-aviseringen, och skriv numret i den telefonens fält.",
    "email": "Skriv en e-postadress för aviseringar, till exempel namn@exempel.se.",
    "sms_alert": "Välj avisering via SMS.",
    "email_alert": "Välj avisering via e-post.",
}
MESSAGE_FIELDS = ("subject", "body", "files")
MESSAGE_MESSAGES = {"subject": "Skriv ett ämne, högst 200 tecken.",
                    "body": "Skriv meddelandet, högst 10 000 tecken.",
                    "files": "En bilaga kunde inte skickas med. Ta bort den och bifoga den igen."}
ON = ("1", "on", "true", "ja")


def _case(ctx: Context, case_id: str) -> tuple[Any, Any]:
    from ....eservices.casework.usecases import inbox

    who = case_worker(ctx)
    return who, inbox.get_case(ctx.deps, who, case_id)


def _split(name: str) -> tuple[str, str]:
    """The case's name as first and last name ("Test, Annika" or "Annika Test")."""
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    first, _, last = name.partition(" ")
    return first, last


def settings(ctx: Context, case_id: str) -> Page | Redirect:
    from pydantic import ValidationError

    from ....eservices.casework.models.messaging import MessagingSettingsRequest
    from ....eservices.casework.usecases import messaging as uc

    who, case = _case(ctx, case_id)
    found = ctx.deps.casework.messaging.find(case.personnummer)
    errors: dict[str, str] = {}
    if ctx.method == "POST":
        values: dict[str, Any] = {k: ctx.form.get(k).strip() for k in SETTINGS_FIELDS}
        body = {"citizen": case.personnummer, "first_name": values["first_name"], "last_name": values["last_name"],
                "enabled": values["enabled"] in ON, "sms_alert": values["sms_alert"] in ON,
                "email_alert": values["email_alert"] in ON, "phone1": values["phone1"] or None,
                "phone2": values["phone2"] or None, "email": values["email"] or None,
                "sms_phone": int(values["sms_phone"]) if values["sms_phone"] in ("1", "2") else None}
        try:
            uc.set_settings(ctx.deps, who, MessagingSettingsRequest.model_validate(body))
        except ValidationError as exc:
            for e in exc.errors():
                field = str(e["loc"][0]) if e["loc"] else "enabled"
                errors.setdefault(field, SETTINGS_MESSAGES.get(field, "Kontrollera uppgiften."))
        except ValidationFailed as exc:
            from .relatives import register_says

            for e in exc.errors:
                field = e.field.rsplit(".", 1)[-1]
                errors.setdefault(field, register_says(e.detail, SETTINGS_MESSAGES.get(field, "Kontrollera uppgiften.")))
        except Conflict:
            errors["enabled"] = "Någon annan ändrade inställningarna samtidigt. Ladda om sidan och försök igen."
        else:
            ctx.notice("Meddelandefunktionen är aktiverad." if body["enabled"]
                       else "Meddelandefunktionen är avstängd.")
            return Redirect(ctx.url(f"/personal/arenden/{case_id}"))
    elif found is not None:
        values = {"first_name": found.first_name, "last_name": found.last_name, "enabled": "1" if found.enabled else "",
                  "phone1": found.phone1 or "", "phone2": found.phone2 or "",
                  "sms_alert": "1" if found.sms_alert else "", "sms_phone": str(found.sms_phone or ""),
                  "email_alert": "1" if found.email_alert else "", "email": found.email or ""}
    else:
        first, last = _split(case.name) if not case.protected_identity and case.name != "Skyddad identitet" else ("", "")
        values = {"first_name": first, "last_name": last, "enabled": "1", "phone1": "", "phone2": "",
                  "sms_alert": "", "sms_phone": "1", "email_alert": "", "email": ""}
    links = [ErrorLink(f"#settings-{f}", errors[f]) for f in SETTINGS_FIELDS if f in errors]
    return Page("messaging_settings.html", {
        "title": page_title("Meddelandefunktion", case.case_number, error=bool(errors)),
        "nav": nav(ctx, "/personal/inkorg"), "case": case, "person": person(case), "values": values,
        "errors": links, "field_errors": errors, "action": ctx.url(f"/personal/arenden/{case_id}/meddelandefunktion"),
        "case_url": ctx.url(f"/personal/arenden/{case_id}"),
    }, status=422 if errors else 200)


# -- writing to the case's person --------------------------------------------------------------

def _target(case_id: str) -> str:
    return f"staff-case:{case_id}"


def _page_path(case_id: str) -> str:
    return f"/personal/arenden/{case_id}/meddelande"


def write(ctx: Context, case_id: str) -> Page | Redirect:
    from pydantic import ValidationError

    from ....eservices.casework.models.messages import StaffNewMessage
    from ....eservices.casework.usecases.messages.threads import staff_new_thread
    from ..uploads import pending_ids, sent, upload_form

    who, case = _case(ctx, case_id)
    found = ctx.deps.casework.messaging.find(case.personnummer)
    errors: dict[str, str] = {}
    conflict = None if found is not None and found.enabled else (
        "Meddelandefunktionen är inte aktiverad för personen. Aktivera den först.")
    values = {"subject": ctx.form.get("subject"), "body": ctx.form.get("body"),
              "read_receipt": ctx.form.get("read_receipt")} if ctx.method == "POST" else {}
    if ctx.method == "POST" and conflict is None:
        try:
            request = StaffNewMessage.model_validate({
                "citizen": case.personnummer, "case_id": case_id, "subject": values["subject"],
                "body": values["body"], "read_receipt": values["read_receipt"] in ON,
                "attachments": pending_ids(ctx, _target(case_id), [])})
            staff_new_thread(ctx.deps, who, request)
        except ValidationError as exc:
            for e in exc.errors():
                field = str(e["loc"][0]) if e["loc"] else "body"
                field = "files" if field == "attachments" else field
                errors.setdefault(field, MESSAGE_MESSAGES.get(field, "Kontrollera uppgiften."))
        except (ValidationFailed, NotFound):
            errors["files"] = MESSAGE_MESSAGES["files"]
        except Conflict:
            conflict = "Meddelandefunktionen stängdes av, eller en bilaga användes, medan du skrev. Försök igen."
        else:
            sent(ctx, _target(case_id))
            ctx.notice("Meddelandet är skickat.")
            return Redirect(ctx.url(f"/personal/arenden/{case_id}"))
    upload = upload_form(ctx, _target(case_id), _page_path(case_id)) if conflict is None else None
    links = [ErrorLink(f"#m-{f}" if f != "files" else "#bifoga", errors[f]) for f in MESSAGE_FIELDS if f in errors]
    return Page("message_new.html", {
        "title": page_title("Skriv meddelande", case.case_number, error=bool(errors)),
        "nav": nav(ctx, "/personal/meddelanden"), "case": case, "person": person(case), "values": values,
        "errors": links, "field_errors": errors, "conflict": conflict, "upload": upload,
        "action": ctx.url(_page_path(case_id)), "case_url": ctx.url(f"/personal/arenden/{case_id}"),
    }, status=422 if errors else 409 if conflict and ctx.method == "POST" else 200)


def upload_done(ctx: Context, case_id: str) -> Redirect:
    """S3 sends the browser back here after "Bifoga fil" (the citizens' mechanism, a staff uploader)."""
    _case(ctx, case_id)
    return _done(ctx, _target(case_id), _page_path(case_id))


def upload_remove(ctx: Context, case_id: str) -> Redirect:
    _case(ctx, case_id)
    session = ctx.user
    assert session is not None
    upload_id = ctx.form.get("remove")
    target = _target(case_id)
    session.pending_files[target] = [f for f in session.pending_files.get(target, []) if f.upload_id != upload_id]
    session.notice = "Filen är borttagen från meddelandet."
    ctx.save_session()
    return Redirect(f"{ctx.url(_page_path(case_id))}#bifoga")


def _done(ctx: Context, target: str, page_path: str) -> Redirect:
    """As the citizens' ``attachments._done``, the upload recorded with the case worker as uploader."""
    from pydantic import ValidationError

    from ....eservices.casework.schemas import CitizenUploadRequest
    from ....eservices.casework.usecases import messages as msg
    from ..uploads import MAX_FILES, TYPES
    from ..uploads import prefix as _prefix
    from ..sessions import PendingFile

    who = case_worker(ctx)
    session = ctx.user
    assert session is not None
    key = ctx.query.get("key", "")
    nonce = session.upload_nonce
    if (not nonce or ctx.query.get("bucket") != ctx.deps.documents.bucket or not key.startswith(_prefix(nonce))
            or "/" in key[len(_prefix(nonce)):]):
        raise NotFound("no such upload of yours")
    back = ctx.url(page_path)
    pending = session.pending_files.setdefault(target, [])

    def refuse(code: str) -> Redirect:
        ctx.deps.documents.delete(key)
        return Redirect(f"{back}?bilagefel={code}#bifoga")

    if len(pending) >= MAX_FILES:
        return refuse("antal")
    filename = key[len(_prefix(nonce)):]
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    try:
        body = CitizenUploadRequest.model_validate({"filename": filename, "content_type": TYPES.get(extension)})
    except ValidationError:
        return refuse("typ")
    size = ctx.deps.documents.size(key)
    if size is None:
        return Redirect(f"{back}?bilagefel=saknas#bifoga")
    if size > msg.MAX_ATTACHMENT_BYTES:
        return refuse("storlek")
    ticket = msg.start_upload(ctx.deps, who, msg.staff_sender(who), body)
    ctx.deps.documents.copy(key, ticket.fields["key"])
    ctx.deps.documents.delete(key)
    pending.append(PendingFile(upload_id=ticket.upload_id, filename=body.filename, size=size))
    session.notice = f"Filen {body.filename} är bifogad. Den skickas med när du skickar meddelandet."
    ctx.save_session()
    return Redirect(f"{back}#bifoga")


# -- Meddelanden: the case worker's threads and "Till klient" ----------------------------------

def messages(ctx: Context) -> Page:
    from ....domain.personnummer import Personnummer
    from ....eservices.casework.usecases.messages.threads import list_threads, staff_sender

    who = case_worker(ctx)
    threads = list_threads(ctx.deps, who, staff_sender(who))
    return Page("messages.html", {
        "title": page_title("Meddelanden"), "nav": nav(ctx, "/personal/meddelanden"), "errors": [],
        "threads": [{**t.model_dump(), "pnr": Personnummer(t.citizen).formatted,
                     "thread_url": ctx.url(f"/personal/meddelanden/{t.thread_id}")} for t in threads],
        "new_url": ctx.url(NEW_PATH),
    })


# -- a thread: incoming messages read, replied to and marked as entered in the journal ---------

def thread(ctx: Context, thread_id: str) -> Page | Redirect:
    """The thread (reading it marks the client's messages read, audited as the API's read), a
    reply, "Journalförd" per message and the thread as a PDF for the journal."""
    from pydantic import ValidationError

    from ....domain.personnummer import Personnummer
    from ....eservices.casework.models.messages import Reply
    from ....eservices.casework.usecases.messages.threads import mark_journaled, read_thread, reply, staff_sender

    who = case_worker(ctx)
    sender = staff_sender(who)
    errors: dict[str, str] = {}
    body = ""
    if ctx.method == "POST" and ctx.form.get("action") == "journalford":
        try:
            mark_journaled(ctx.deps, who, thread_id, ctx.form.get("message_id"))
        except Conflict:
            ctx.notice("Meddelandet var redan markerat som journalfört.")
        else:
            ctx.notice("Meddelandet är markerat som journalfört.")
        return Redirect(ctx.url(f"/personal/meddelanden/{thread_id}"))
    if ctx.method == "POST":
        body = ctx.form.get("body")
        try:
            reply(ctx.deps, who, sender, thread_id,
                  Reply.model_validate({"body": body, "read_receipt": ctx.form.get("read_receipt") in ON}))
        except ValidationError:
            errors["body"] = MESSAGE_MESSAGES["body"]
        except Conflict:
            errors["body"] = "Meddelandefunktionen är inte aktiverad för klienten. Aktivera den först."
        else:
            ctx.notice("Svaret är skickat.")
            return Redirect(ctx.url(f"/personal/meddelanden/{thread_id}"))
    view = read_thread(ctx.deps, who, sender, thread_id)
    base = f"/personal/meddelanden/{thread_id}"
    messages = [{**m.model_dump(), "attachments": [
        {"filename": a.filename, "size": a.size, "href": ctx.url(f"{base}/{m.message_id}/bilagor/{a.attachment_id}")}
        for a in m.attachments]} for m in view.messages]
    return Page("thread.html", {
        "title": page_title(view.subject, "Meddelanden", error=bool(errors)), "nav": nav(ctx, "/personal/meddelanden"),
        "thread": view, "pnr": Personnummer(view.citizen).formatted, "messages": messages, "body": body,
        "errors": [ErrorLink("#m-body", errors["body"])] if errors else [], "field_errors": errors,
        "action": ctx.url(base), "export_url": ctx.url(f"{base}/journal.pdf"),
        "case_url": ctx.url(f"/personal/arenden/{view.case_id}") if view.case_id else None,
    }, status=422 if errors else 200)


def thread_attachment(ctx: Context, thread_id: str, message_id: str, attachment_id: str) -> Redirect:
    from ....eservices.casework.usecases.messages.threads import attachment, staff_sender

    who = case_worker(ctx)
    found = attachment(ctx.deps, who, staff_sender(who), thread_id, message_id, attachment_id)
    return Redirect(found.location)


def thread_export(ctx: Context, thread_id: str) -> Redirect:
    from ....eservices.casework.usecases.messages.export import export_thread

    who = case_worker(ctx)
    file = export_thread(ctx.deps, who, thread_id)
    return Redirect(ctx.deps.documents.presigned_get(file.key, filename=file.filename))


# -- Nytt meddelande: "Till klient" among those with messaging on ------------------------------

NEW_TARGET = "staff-new"
NEW_PATH = "/personal/meddelanden/nytt"


def new_message(ctx: Context) -> Page | Redirect:
    """Seed 002's "Skicka meddelande": attach files first (they wait in the session), search the
    client by name among those with messaging on (the personnummer after the name; a protected
    person never found by name), choose, write subject and text, read receipt, send."""
    from pydantic import ValidationError

    from ....domain.personnummer import Personnummer
    from ....eservices.casework.models.messages import StaffNewMessage
    from ....eservices.casework.models.messaging import NameQuery
    from ....eservices.casework.usecases.messages.threads import staff_new_thread
    from ....eservices.casework.usecases.messaging import search_citizens
    from ..uploads import pending_ids, sent, upload_form

    who = case_worker(ctx)
    errors: dict[str, str] = {}
    source = ctx.form if ctx.method == "POST" else None
    q = (source.get("klient") if source else ctx.query.get("klient", "")).strip()
    values = {"subject": source.get("subject") if source else "", "body": source.get("body") if source else "",
              "read_receipt": source.get("read_receipt") if source else "",
              "citizen": source.get("citizen") if source else ""}
    found: list[dict[str, str]] | None = None
    if q or ctx.method == "POST":
        try:
            query = NameQuery.model_validate({"name": q})
            found = [{"citizen": c.citizen, "name": c.name, "pnr": Personnummer(c.citizen).formatted}
                     for c in search_citizens(ctx.deps, who, query.name)] if q else []
        except ValidationError:
            errors["klient"] = "Sök med högst 100 tecken av namnet."
    if ctx.method == "POST" and not errors:
        chosen = next((c for c in (found or []) if c["citizen"] == values["citizen"]), None)
        if chosen is None:
            errors["citizen"] = "Sök fram klienten och välj vem meddelandet ska till."
        try:
            request = StaffNewMessage.model_validate({
                "citizen": values["citizen"] or "000000000000", "subject": values["subject"], "body": values["body"],
                "read_receipt": values["read_receipt"] in ON, "attachments": pending_ids(ctx, NEW_TARGET, [])})
        except ValidationError as exc:
            for e in exc.errors():
                field = str(e["loc"][0]) if e["loc"] else "body"
                if field in ("subject", "body"):
                    errors.setdefault(field, MESSAGE_MESSAGES[field])
                elif field == "attachments":
                    errors.setdefault("files", MESSAGE_MESSAGES["files"])
                else:
                    errors.setdefault("citizen", "Sök fram klienten och välj vem meddelandet ska till.")
            request = None
        if not errors and request is not None:
            try:
                staff_new_thread(ctx.deps, who, request)
            except (ValidationFailed, NotFound):
                errors["files"] = MESSAGE_MESSAGES["files"]
            except Conflict:
                errors["citizen"] = "Meddelandefunktionen är inte aktiverad för klienten längre."
            else:
                sent(ctx, NEW_TARGET)
                ctx.notice(f"Meddelandet till {chosen['name']} är skickat.")  # type: ignore[index]
                return Redirect(ctx.url("/personal/meddelanden"))
    order = ("klient", "citizen", "subject", "body", "files")
    anchors = {"klient": "#klient", "citizen": "#m-citizen-0" if found else "#klient", "subject": "#m-subject",
               "body": "#m-body", "files": "#bifoga"}
    return Page("message_compose.html", {
        "title": page_title("Nytt meddelande", error=bool(errors)), "nav": nav(ctx, "/personal/meddelanden"),
        "q": q, "found": found, "values": values, "field_errors": errors,
        "errors": [ErrorLink(anchors[f], errors[f]) for f in order if f in errors],
        "upload": upload_form(ctx, NEW_TARGET, NEW_PATH), "action": ctx.url(NEW_PATH),
        "cancel_url": ctx.url("/personal/meddelanden"),
    }, status=422 if errors else 200)


def new_upload_done(ctx: Context) -> Redirect:
    case_worker(ctx)
    return _done(ctx, NEW_TARGET, NEW_PATH)


def new_upload_remove(ctx: Context) -> Redirect:
    case_worker(ctx)
    session = ctx.user
    assert session is not None
    upload_id = ctx.form.get("remove")
    session.pending_files[NEW_TARGET] = [f for f in session.pending_files.get(NEW_TARGET, [])
                                         if f.upload_id != upload_id]
    session.notice = "Filen är borttagen från meddelandet."
    ctx.save_session()
    return Redirect(f"{ctx.url(NEW_PATH)}#bifoga")
