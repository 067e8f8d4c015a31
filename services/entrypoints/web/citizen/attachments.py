"""Attaching files to a message without JavaScript.

An ordinary multipart form posts one file straight to S3 (a presigned POST whose policy holds the
size range, the key prefix and the ``success_action_redirect`` back to the message page). S3 then
sends the browser back here with ``bucket``, ``key`` and ``etag``; the file becomes an upload of
the person's own (the same use case as the script's ticket) and waits in the web session as pending
for that message until "Skicka" names it.

Why a third party cannot attach a file to someone's message through the redirect: only keys under
``uploads/web/<nonce>/`` are taken, the nonce is a random secret kept in the person's own session
and shown only in their own page's policy; the upload is recorded with that person as its owner,
which the message use case checks again when the message is sent.
"""
from __future__ import annotations

from typing import Any

from ....adapters.documents import UPLOADS_PREFIX
from ....domain.errors import NotFound
from ..http import Context, Redirect
from ..sessions import PendingFile, new_secret

MAX_FILES = 5
TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
         "heic": "image/heic", "txt": "text/plain", "doc": "application/msword",
         "odt": "application/vnd.oasis.opendocument.text",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ERRORS = {"antal": "Du kan bifoga högst 5 filer till ett meddelande.",
          "typ": "Den filtypen kan inte skickas. Skicka PDF, JPEG, PNG, HEIC, text eller Word.",
          "storlek": "Filen är större än 16 MB och kan inte skickas.",
          "saknas": "Filen kom inte fram. Välj filen och försök igen."}


def _prefix(nonce: str) -> str:
    return f"{UPLOADS_PREFIX}web/{nonce}/"


def upload_form(ctx: Context, target: str, page_path: str) -> dict[str, Any]:
    """What a message page needs for "Bifoga fil": S3's address and hidden fields (none once 5 files
    wait), the files waiting, and the error of the last try."""
    from ....eservices.casework.domain.messages import MAX_ATTACHMENT_BYTES, UPLOAD_EXPIRES_SECONDS

    session = ctx.user
    assert session is not None
    if session.upload_nonce is None:
        session.upload_nonce = new_secret()
        ctx.save_session()
    pending = session.pending_files.get(target, [])
    ticket = None
    if len(pending) < MAX_FILES:
        redirect = ctx.config.public_base_url + ctx.url(page_path + "/bilaga")
        ticket = ctx.deps.documents.presigned_post(
            _prefix(session.upload_nonce) + "${filename}", max_bytes=MAX_ATTACHMENT_BYTES, content_type=None,
            expires=UPLOAD_EXPIRES_SECONDS, redirect=redirect)
    return {"ticket": ticket, "pending": pending, "error": ERRORS.get(ctx.query.get("bilagefel", "")),
            "remove_url": ctx.url(page_path + "/bilaga/ta-bort")}


def pending_ids(ctx: Context, target: str, named: list[str]) -> list[str]:
    """The uploads a message names: the script's, then the ones waiting in the session."""
    waiting = [f.upload_id for f in ctx.user.pending_files.get(target, [])] if ctx.user else []
    return list(dict.fromkeys([*named, *waiting]))


def sent(ctx: Context, target: str) -> None:
    if ctx.user is not None and ctx.user.pending_files.pop(target, None) is not None:
        ctx.save_session()


def _done(ctx: Context, target: str, page_path: str) -> Redirect:
    from pydantic import ValidationError

    from ....eservices.casework.usecases import messages as msg
    from ....eservices.casework.schemas import CitizenUploadRequest

    call = ctx.require_user("messages.citizen")
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
    if size is None:  # also a reload of this address: the file has moved on already
        return Redirect(f"{back}?bilagefel=saknas#bifoga")
    if size > msg.MAX_ATTACHMENT_BYTES:  # S3's policy refuses it first; a second lock
        return refuse("storlek")
    ticket = msg.start_upload(ctx.deps, call.who, msg.person_sender(ctx.deps, call.who, call.acting_for), body)
    # Out of the session's prefix to the upload's own key (no file name in it), as the script's upload.
    ctx.deps.documents.copy(key, ticket.fields["key"])
    ctx.deps.documents.delete(key)
    pending.append(PendingFile(upload_id=ticket.upload_id, filename=body.filename, size=size))
    session.notice = f"Filen {body.filename} är bifogad. Den skickas med när du skickar meddelandet."
    ctx.save_session()
    return Redirect(f"{back}#bifoga")


def _remove(ctx: Context, target: str, page_path: str) -> Redirect:
    ctx.require_user("messages.citizen")
    session = ctx.user
    assert session is not None
    upload_id = ctx.form.get("remove")
    session.pending_files[target] = [f for f in session.pending_files.get(target, []) if f.upload_id != upload_id]
    session.notice = "Filen är borttagen från meddelandet."
    ctx.save_session()
    return Redirect(f"{ctx.url(page_path)}#bifoga")


def thread_upload_done(ctx: Context, thread_id: str) -> Redirect:
    return _done(ctx, f"thread:{thread_id}", f"/web/mina-sidor/meddelanden/{thread_id}")


def thread_upload_remove(ctx: Context, thread_id: str) -> Redirect:
    return _remove(ctx, f"thread:{thread_id}", f"/web/mina-sidor/meddelanden/{thread_id}")


def case_upload_done(ctx: Context, case_id: str) -> Redirect:
    return _done(ctx, f"case:{case_id}", f"/web/mina-sidor/arenden/{case_id}")


def case_upload_remove(ctx: Context, case_id: str) -> Redirect:
    return _remove(ctx, f"case:{case_id}", f"/web/mina-sidor/arenden/{case_id}")
