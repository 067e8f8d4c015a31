"""Attachments go straight to S3 through a presigned POST whose policy carries
``content-length-range``, so S3 refuses what is too large; a message then names the uploads,
which are checked (the sender's own, unused, present, within the size) before it is stored."""
from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from .....auth.principal import Principal
from .....adapters.documents import UPLOADS_PREFIX
from .....domain.errors import FieldError, ValidationFailed
from ....domain.citizen_problems import citizen_error
from ...domain.messages import MAX_ATTACHMENT_BYTES, UPLOAD_EXPIRES_SECONDS, Attachment, Sender, Upload
from ...models.messages import UploadRequest, UploadTicket
from ..audit import trail

if TYPE_CHECKING:
    from ....bootstrap import EservicesDeps


def safe_filename(filename: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._\-]+", "_", filename).strip("._") or "bilaga"
    return cleaned[-100:]


def start_upload(deps: EservicesDeps, who: Principal, sender: Sender, body: UploadRequest) -> UploadTicket:
    """A presigned POST for one attachment; S3 refuses a file over 16 MiB or of another type."""
    upload_id = str(uuid.uuid4())
    # No filename in the key (it may name a person); under the prefix a lifecycle rule empties
    # daily, so an upload never attached (or refused) does not stay.
    key = f"{UPLOADS_PREFIX}{upload_id}"
    ticket = deps.documents.presigned_post(key, max_bytes=MAX_ATTACHMENT_BYTES, content_type=body.content_type,
                                           expires=UPLOAD_EXPIRES_SECONDS)
    upload = Upload(upload_id=upload_id, owner=sender.uploader, key=key, filename=body.filename,
                    content_type=body.content_type, created_at=deps.clock())
    uow = deps.unit_of_work()
    deps.casework.uploads.add(uow, upload)
    if sender.audited:
        trail(deps).add_to(uow, who, "message.upload", [sender.citizen], resource=f"upload:{upload_id}",
                           acting_for=sender.as_whom)
    uow.commit()
    return UploadTicket(upload_id=upload_id, url=ticket["url"], fields=ticket["fields"],
                        max_bytes=MAX_ATTACHMENT_BYTES, expires_in=UPLOAD_EXPIRES_SECONDS)


def checked_attachments(deps: EservicesDeps, sender: Sender, upload_ids: list[str]) -> list[Attachment]:
    """The named uploads, each checked; every bad one is named in the problem."""
    found, errors = [], []
    sv = sender.party == "citizen"
    mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
    for i, upload_id in enumerate(upload_ids):
        field = f"attachments.{i}"
        upload = deps.casework.uploads.find(upload_id)
        if upload is None or upload.owner != sender.uploader:
            errors.append(FieldError(field, "Du har ingen sådan uppladdad fil" if sv else "no such upload of yours"))
            continue
        if upload.used:
            errors.append(FieldError(field, "Filen är redan bifogad till ett meddelande" if sv
                                     else "this upload is attached to a message already"))
            continue
        size = deps.documents.size(upload.key)
        if size is None:
            errors.append(FieldError(field, "Filen har inte laddats upp" if sv else "the file has not been uploaded"))
        elif size > MAX_ATTACHMENT_BYTES:
            errors.append(FieldError(field, f"Filen är större än {mb} MB" if sv
                                     else f"the file is larger than {mb} MB"))
        else:
            found.append(Attachment(attachment_id=upload.upload_id, filename=upload.filename,
                                    content_type=upload.content_type, size=size, key=upload.key))
    if errors:
        detail = "; ".join(f"{e.field}: {e.detail}" for e in errors)
        raise citizen_error(ValidationFailed, detail, errors=errors) if sv else ValidationFailed(detail, errors=errors)
    return found
