"""Secure messages between a case worker and a citizen, or a relative approved to act for the
citizen: threads, uploads and the journal export (the aggregates in ``domain/messages.py``)."""
from __future__ import annotations

from ...domain.messages import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, UPLOAD_EXPIRES_SECONDS, Sender
from .export import export_thread
from .threads import (attachment, citizen_new_thread, list_threads, mark_journaled, person_sender, read_thread, reply,
                      staff_new_thread, staff_sender)
from .uploads import start_upload

__all__ = ["MAX_ATTACHMENTS", "MAX_ATTACHMENT_BYTES", "UPLOAD_EXPIRES_SECONDS", "Sender", "attachment",
           "citizen_new_thread", "export_thread", "list_threads", "mark_journaled", "person_sender", "read_thread",
           "reply", "staff_new_thread", "staff_sender", "start_upload"]
