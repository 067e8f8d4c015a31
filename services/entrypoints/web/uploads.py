"""Attaching files to a message without JavaScript, for any section: an ordinary multipart form
posts one file straight to S3 (a presigned POST whose policy holds the size range, the key prefix
under ``uploads/web/<nonce>/`` and the ``success_action_redirect`` back to the message page); the
section's own view then takes the file as an upload of the person who posted it and keeps it as
pending in the web session until the message is sent. The citizens' views are in
``citizen/attachments.py``, the case workers' in ``casework/messaging.py``."""
from __future__ import annotations

from typing import Any

from ...adapters.documents import UPLOADS_PREFIX
from .http import Context
from .sessions import new_secret

MAX_FILES = 5
TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
         "heic": "image/heic", "txt": "text/plain", "doc": "application/msword",
         "odt": "application/vnd.oasis.opendocument.text",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ERRORS = {"antal": "Du kan bifoga högst 5 filer till ett meddelande.",
          "typ": "Den filtypen kan inte skickas. Skicka PDF, JPEG, PNG, HEIC, text eller Word.",
          "storlek": "Filen är större än 16 MB och kan inte skickas.",
          "saknas": "Filen kom inte fram. Välj filen och försök igen."}


def prefix(nonce: str) -> str:
    return f"{UPLOADS_PREFIX}web/{nonce}/"


def upload_form(ctx: Context, target: str, page_path: str) -> dict[str, Any]:
    """What a message page needs for "Bifoga fil": S3's address and hidden fields (none once 5 files
    wait), the files waiting, and the error of the last try."""
    from ...eservices.casework.domain.messages import MAX_ATTACHMENT_BYTES, UPLOAD_EXPIRES_SECONDS

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
            prefix(session.upload_nonce) + "${filename}", max_bytes=MAX_ATTACHMENT_BYTES, content_type=None,
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


