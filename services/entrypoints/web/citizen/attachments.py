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

from ....domain.errors import NotFound
from ..http import Context, Redirect
from ..sessions import PendingFile
from ..uploads import ERRORS, MAX_FILES, TYPES, pending_ids, sent, upload_form  # noqa: F401 - re-exported
from ..uploads import prefix as _prefix


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
