"""Secure messages (seed 002 § 6) between a case worker and a citizen, or a relative approved to
act for the citizen (``X-Acting-For``). Only the two parties read a thread: anyone else gets 404.

Attachments (at most 5, each at most 16 MiB) go straight to S3 through a presigned POST whose
policy carries ``content-length-range``, so S3 refuses what is too large; a message then names
the uploads, which are checked (the sender's own, unused, present, within the size) before the
message is stored. Alerts go by the citizen's messaging settings and never carry content.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from chalice import Response
from pydantic import BaseModel, Field

from ...adapters.documents import EXPORTS_PREFIX, UPLOADS_PREFIX
from ...adapters.dynamo import from_dynamo, query_all, translated_errors
from ...contracts.events import MessageSent
from ...domain.calendar import stockholm_date
from ...domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from ...domain.personnummer import Personnummer, mask
from ..bootstrap import EservicesDeps
from ..relatives import acting_subject
from ..notifications import tell, tell_case_workers
from ..sv import citizen_error
from .inbox import pdf_response, trail
from .letters import thread_pdf
from .messaging import enabled_or_raise, settings_key
from .schemas import (AttachmentView, CitizenNewMessage, MessageView, Reply, StaffNewMessage, ThreadSummary,
                      ThreadView, UploadRequest, UploadTicket)

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 16 * 1024 * 1024
UPLOAD_TTL_SECONDS = 24 * 3600
UPLOAD_EXPIRES_SECONDS = 900
Party = Literal["citizen", "case_worker"]


class Attachment(BaseModel):
    attachment_id: str
    filename: str
    content_type: str
    size: int
    key: str


class Message(BaseModel):
    message_id: str
    thread_id: str
    from_party: Party
    author: str  # actor label: "case_worker:<id>", "citizen:<masked>", "relative:<masked>"
    author_name: str
    subject: str
    body: str
    sent_at: datetime
    read_receipt: bool = False
    read_at: datetime | None = None
    attachments: list[Attachment] = Field(default_factory=list)


class Thread(BaseModel):
    thread_id: str
    citizen: Personnummer
    citizen_name: str
    case_worker_id: str
    case_worker_name: str
    case_id: str | None = None
    case_number: str | None = None
    subject: str
    created_at: datetime
    last_message_at: datetime
    unread_citizen: int = 0
    unread_case_worker: int = 0


class Upload(BaseModel):
    upload_id: str
    owner: str
    key: str
    filename: str
    content_type: str
    created_at: datetime
    used: bool = False


def _thread_key(thread_id: str) -> dict[str, str]:
    return {"pk": f"THREAD#{thread_id}", "sk": "THREAD"}


def _upload_key(upload_id: str) -> dict[str, str]:
    return {"pk": f"UPLOAD#{upload_id}", "sk": "UPLOAD"}


def _thread_item(t: Thread) -> dict[str, Any]:
    return {**_thread_key(t.thread_id), "type": "thread", **t.model_dump(mode="json"),
            "gsi1pk": f"PERSON#{t.citizen}", "gsi1sk": f"THREAD#{t.last_message_at.isoformat()}#{t.thread_id}",
            "gsi2pk": f"STAFF_THREADS#{t.case_worker_id}", "gsi2sk": f"{t.last_message_at.isoformat()}#{t.thread_id}"}


def _message_item(m: Message) -> dict[str, Any]:
    return {"pk": f"THREAD#{m.thread_id}", "sk": f"MSG#{m.sent_at.isoformat()}#{m.message_id}", "type": "message",
            **m.model_dump(mode="json")}


class MessageRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def thread(self, thread_id: str) -> Thread:
        item = self.table.get_item(Key=_thread_key(thread_id), ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound("no such thread")
        return Thread.model_validate(from_dynamo(item))

    def messages(self, thread_id: str) -> list[Message]:
        items = query_all(self.table, ConsistentRead=True, KeyConditionExpression="pk = :pk AND begins_with(sk, :m)",
                          ExpressionAttributeValues={":pk": f"THREAD#{thread_id}", ":m": "MSG#"})
        return [Message.model_validate(i) for i in items]

    def threads_of_citizen(self, citizen: str) -> list[Thread]:
        items = query_all(self.table, IndexName="gsi1", ScanIndexForward=False,
                          KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :t)",
                          ExpressionAttributeValues={":pk": f"PERSON#{citizen}", ":t": "THREAD#"})
        return [Thread.model_validate(i) for i in items]

    def threads_of_case_worker(self, user_id: str) -> list[Thread]:
        items = query_all(self.table, IndexName="gsi2", ScanIndexForward=False,
                          KeyConditionExpression="gsi2pk = :pk",
                          ExpressionAttributeValues={":pk": f"STAFF_THREADS#{user_id}"})
        return [Thread.model_validate(i) for i in items]

    def upload(self, upload_id: str) -> Upload | None:
        item = self.table.get_item(Key=_upload_key(upload_id), ConsistentRead=True).get("Item")
        return Upload.model_validate(from_dynamo(item)) if item else None

    def mark_read(self, message: Message, at: datetime) -> None:
        with translated_errors():
            self.table.update_item(Key={"pk": f"THREAD#{message.thread_id}",
                                        "sk": f"MSG#{message.sent_at.isoformat()}#{message.message_id}"},
                                   UpdateExpression="SET read_at = :at",
                                   ConditionExpression="attribute_exists(pk)",
                                   ExpressionAttributeValues={":at": at.isoformat()})

    def clear_unread(self, thread_id: str, party: Party) -> None:
        self.table.update_item(Key=_thread_key(thread_id), UpdateExpression="SET #u = :zero",
                               ExpressionAttributeNames={"#u": f"unread_{party}"},
                               ExpressionAttributeValues={":zero": 0})


def repository(deps: EservicesDeps) -> MessageRepository:
    return MessageRepository(deps.table)


# -- who is a party ---------------------------------------------------------------------

class Sender(BaseModel):
    """The side a caller speaks for, and how they are named in the thread."""

    party: Party
    author: str
    author_name: str
    uploader: str  # who owns the uploads the caller may attach
    citizen: Personnummer | None = None  # people: whom they act for
    user_id: str | None = None  # staff
    proxy: bool = False  # a relative acting for the citizen: audited like staff

    @property
    def audited(self) -> bool:
        return self.party == "case_worker" or self.proxy


def staff_sender(call: Any) -> Sender:
    who = call.who
    return Sender(party="case_worker", author=who.actor, author_name=who.name or "Handläggare",
                  uploader=f"staff:{who.user_id or who.subject}", user_id=who.user_id or who.subject)


def person_sender(deps: EservicesDeps, call: Any) -> Sender:
    who = call.who
    today = stockholm_date(deps.clock())
    citizen = acting_subject(who, call.acting_for, deps.approvals, today)
    if citizen == who.personnummer:
        name = who.name or ""
    else:
        approval = deps.approvals.active_approval(citizen, who.personnummer, today)
        name = f"{approval.relative_first_name} {approval.relative_last_name} (närstående)" if approval else ""
    return Sender(party="citizen", author=who.actor, author_name=name, uploader=f"person:{who.personnummer}",
                  citizen=citizen, proxy=citizen != who.personnummer)


def _as_whom(sender: Sender) -> str | None:
    return str(sender.citizen) if sender.proxy else None


def _error(sender: Sender, cls: Any, english: str, swedish: str) -> Any:
    """The error in the language of the sender's audience: Swedish for citizens and relatives."""
    return citizen_error(cls, swedish) if sender.party == "citizen" else cls(english)


def _own_thread(deps: EservicesDeps, sender: Sender, thread_id: str) -> Thread:
    """The thread if the sender is one of its parties; otherwise 404, as if it did not exist."""
    try:
        thread: Thread | None = repository(deps).thread(thread_id)
    except NotFound:
        thread = None
    mine = thread is not None and (thread.citizen == sender.citizen if sender.party == "citizen"
                                   else thread.case_worker_id == sender.user_id)
    if not mine:
        raise _error(sender, NotFound, "no such thread", "Meddelandet finns inte")
    return thread  # type: ignore[return-value]


# -- uploads ----------------------------------------------------------------------------

def _safe_filename(filename: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._\-]+", "_", filename).strip("._") or "bilaga"
    return cleaned[-100:]


def start_upload(deps: EservicesDeps, call: Any, sender: Sender, body: UploadRequest) -> UploadTicket:
    """A presigned POST for one attachment; S3 refuses a file over 16 MiB or of another type."""
    upload_id = str(uuid.uuid4())
    # No filename in the key (it may name a person); under the prefix a lifecycle rule empties
    # daily, so an upload never attached (or refused) does not stay.
    key = f"{UPLOADS_PREFIX}{upload_id}"
    now = deps.clock()
    ticket = deps.documents.presigned_post(key, max_bytes=MAX_ATTACHMENT_BYTES, content_type=body.content_type,
                                           expires=UPLOAD_EXPIRES_SECONDS)
    upload = Upload(upload_id=upload_id, owner=sender.uploader, key=key, filename=body.filename,
                    content_type=body.content_type, created_at=now)
    uow = deps.unit_of_work()
    uow.put({**_upload_key(upload_id), "type": "upload", **upload.model_dump(mode="json"),
             "ttl": int(now.timestamp()) + UPLOAD_TTL_SECONDS}, condition="attribute_not_exists(pk)")
    if sender.audited:
        trail(deps).add_to(uow, call.who, "message.upload", [sender.citizen], resource=f"upload:{upload_id}",
                           acting_for=_as_whom(sender))
    uow.commit()
    return UploadTicket(upload_id=upload_id, url=ticket["url"], fields=ticket["fields"],
                        max_bytes=MAX_ATTACHMENT_BYTES, expires_in=UPLOAD_EXPIRES_SECONDS)


def _attachments(deps: EservicesDeps, sender: Sender, upload_ids: list[str]) -> list[Attachment]:
    """The named uploads, each checked; every bad one is named in the problem."""
    found, errors = [], []
    sv = sender.party == "citizen"
    mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
    for i, upload_id in enumerate(upload_ids):
        field = f"attachments.{i}"
        upload = repository(deps).upload(upload_id)
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


# -- sending ----------------------------------------------------------------------------

def _send(deps: EservicesDeps, call: Any, sender: Sender, thread: Thread, *, new: bool, subject: str, body: str,
          read_receipt: bool, upload_ids: list[str]) -> Message:
    settings = enabled_or_raise(deps, thread.citizen, for_citizen=sender.party == "citizen")
    uploaded = _attachments(deps, sender, upload_ids)
    now = deps.clock()
    message_id = str(uuid.uuid4())
    # An attached file moves out of the uploads prefix (which expires) to the message's own key.
    attachments = [a.model_copy(update={"key": f"messages/attachments/{message_id}/{a.attachment_id}"})
                   for a in uploaded]
    message = Message(message_id=message_id, thread_id=thread.thread_id, from_party=sender.party,
                      author=sender.author, author_name=sender.author_name or settings.name, subject=subject,
                      body=body, sent_at=now, read_receipt=read_receipt, attachments=attachments)
    to_party: Party = "case_worker" if sender.party == "citizen" else "citizen"
    uow = deps.unit_of_work()
    if new:
        uow.put(_thread_item(thread.model_copy(update={f"unread_{to_party}": 1, "last_message_at": now})),
                condition="attribute_not_exists(pk)")
    else:
        uow.update(_thread_key(thread.thread_id), "SET last_message_at = :at, gsi1sk = :g1, gsi2sk = :g2 ADD #u :one",
                   names={"#u": f"unread_{to_party}"},
                   values={":at": now.isoformat(), ":one": 1,
                           ":g1": f"THREAD#{now.isoformat()}#{thread.thread_id}",
                           ":g2": f"{now.isoformat()}#{thread.thread_id}"},
                   condition="attribute_exists(pk)")
    uow.put(_message_item(message), condition="attribute_not_exists(pk)")
    for a in attachments:  # an upload is attached once, by its owner
        uow.update(_upload_key(a.attachment_id), "SET #used = :yes REMOVE #ttl",
                   names={"#used": "used", "#ttl": "ttl", "#owner": "owner"},
                   values={":yes": True, ":no": False, ":me": sender.uploader},
                   condition="#used = :no AND #owner = :me")
    uow.check(settings_key(thread.citizen), "#e = :yes", names={"#e": "enabled"}, values={":yes": True})
    if sender.audited:
        trail(deps).add_to(uow, call.who, "message.send", [thread.citizen],
                           resource=f"thread:{thread.thread_id}/message:{message.message_id}",
                           acting_for=_as_whom(sender))
    uow.emit(MessageSent(message_id=message.message_id, to_party=to_party,
                         recipient=thread.citizen if to_party == "citizen" else None, sent_at=now))
    if to_party == "citizen":
        tell(uow, "message.received", thread.citizen, preferences="alerts")
    else:
        tell_case_workers(uow, "message.received_staff")
    for source, a in zip(uploaded, attachments):
        deps.documents.copy(source.key, a.key)
    try:
        uow.commit("messaging was switched off, or an attachment was used, while sending; try again")
    except Exception as exc:
        for a in attachments:  # the message was not stored: neither are its copies
            deps.documents.delete(a.key)
        if isinstance(exc, Conflict):
            raise _error(sender, Conflict, "messaging was switched off, or an attachment was used, while sending; "
                                           "try again", "Meddelandefunktionen stängdes av, eller en bilaga användes, "
                                                        "medan meddelandet skickades. Försök igen.") from None
        raise
    for source in uploaded:
        deps.documents.delete(source.key)
    return message


def staff_new_thread(deps: EservicesDeps, call: Any, body: StaffNewMessage) -> ThreadView:
    """A case worker writes to a citizen with messaging on (409 otherwise), optionally about a case."""
    sender = staff_sender(call)
    settings = enabled_or_raise(deps, body.citizen)
    case_number = None
    if body.case_id:
        try:
            case = deps.cases.get(body.case_id)
        except NotFound:
            case = None
        if case is None or case.owner != body.citizen:
            raise ValidationFailed.field("case_id", "not a case of this citizen")
        case_number = case.case_number
    now = deps.clock()
    thread = Thread(thread_id=str(uuid.uuid4()), citizen=body.citizen, citizen_name=settings.name,
                    case_worker_id=sender.user_id or "", case_worker_name=sender.author_name, case_id=body.case_id,
                    case_number=case_number, subject=body.subject, created_at=now, last_message_at=now)
    _send(deps, call, sender, thread, new=True, subject=body.subject, body=body.body,
          read_receipt=body.read_receipt, upload_ids=body.attachments)
    return _thread_view(deps, sender, repository(deps).thread(thread.thread_id))


def citizen_new_thread(deps: EservicesDeps, call: Any, body: CitizenNewMessage) -> ThreadView:
    """A citizen (or their relative) writes about their own case to its case worker."""
    sender = person_sender(deps, call)
    case = deps.cases.get_owned(body.case_id, sender.citizen or "")
    if case.intake is None:
        raise citizen_error(Conflict, "Ingen handläggare har tagit upp ärendet än. Du kan skriva när det är gjort.")
    settings = enabled_or_raise(deps, case.owner, for_citizen=True)
    now = deps.clock()
    thread = Thread(thread_id=str(uuid.uuid4()), citizen=case.owner, citizen_name=settings.name,
                    case_worker_id=case.intake.case_worker_id, case_worker_name=case.intake.case_worker_name,
                    case_id=case.case_id, case_number=case.case_number, subject=body.subject, created_at=now,
                    last_message_at=now)
    _send(deps, call, sender, thread, new=True, subject=body.subject, body=body.body,
          read_receipt=body.read_receipt, upload_ids=body.attachments)
    return _thread_view(deps, sender, repository(deps).thread(thread.thread_id))


def reply(deps: EservicesDeps, call: Any, sender: Sender, thread_id: str, body: Reply) -> ThreadView:
    thread = _own_thread(deps, sender, thread_id)
    subject = thread.subject if thread.subject.startswith("Sv: ") else f"Sv: {thread.subject}"
    _send(deps, call, sender, thread, new=False, subject=subject, body=body.body, read_receipt=body.read_receipt,
          upload_ids=body.attachments)
    return _thread_view(deps, sender, repository(deps).thread(thread_id))


# -- reading ----------------------------------------------------------------------------

def _summary(thread: Thread, sender: Sender) -> ThreadSummary:
    return ThreadSummary(thread_id=thread.thread_id, subject=thread.subject,
                         citizen=str(thread.citizen) if sender.party == "case_worker" else mask(thread.citizen),
                         citizen_name=thread.citizen_name, case_worker_name=thread.case_worker_name,
                         case_id=thread.case_id, last_message_at=thread.last_message_at,
                         unread=thread.unread_case_worker if sender.party == "case_worker" else thread.unread_citizen)


def _message_view(m: Message, thread_id: str, sender: Sender) -> MessageView:
    base = "/eservices/messages" if sender.party == "case_worker" else "/eservices/my/messages"
    return MessageView(message_id=m.message_id, from_party=m.from_party, author_name=m.author_name, subject=m.subject,
                       body=m.body, sent_at=m.sent_at, read_receipt=m.read_receipt,
                       read_at=m.read_at if m.read_receipt else None,
                       attachments=[AttachmentView(
                           attachment_id=a.attachment_id, filename=a.filename, content_type=a.content_type,
                           size=a.size,
                           url=f"{base}/threads/{thread_id}/messages/{m.message_id}/attachments/{a.attachment_id}")
                           for a in m.attachments])


def _thread_view(deps: EservicesDeps, sender: Sender, thread: Thread) -> ThreadView:
    messages = repository(deps).messages(thread.thread_id)
    return ThreadView(**_summary(thread, sender).model_dump(),
                      messages=[_message_view(m, thread.thread_id, sender) for m in messages])


def list_threads(deps: EservicesDeps, call: Any, sender: Sender) -> list[ThreadSummary]:
    repo = repository(deps)
    if sender.party == "case_worker":
        threads = repo.threads_of_case_worker(sender.user_id or "")
        trail(deps).read(call.who, "message.read", [t.citizen for t in threads], resource="threads")
    else:
        threads = repo.threads_of_citizen(sender.citizen or "")
        if sender.proxy:
            trail(deps).read(call.who, "message.read", [sender.citizen], resource="threads",
                             acting_for=_as_whom(sender))
    return [_summary(t, sender) for t in threads]


def read_thread(deps: EservicesDeps, call: Any, sender: Sender, thread_id: str) -> ThreadView:
    """The thread; what the other party sent is marked read now (the sender's read receipt)."""
    thread = _own_thread(deps, sender, thread_id)
    if sender.audited:
        trail(deps).read(call.who, "message.read", [thread.citizen], resource=f"thread:{thread_id}",
                         acting_for=_as_whom(sender))
    repo, now = repository(deps), deps.clock()
    for m in repo.messages(thread_id):
        if m.from_party != sender.party and m.read_at is None:
            repo.mark_read(m, now)
    repo.clear_unread(thread_id, sender.party)
    return _thread_view(deps, sender, repo.thread(thread_id))


def attachment(deps: EservicesDeps, call: Any, sender: Sender, thread_id: str, message_id: str,
               attachment_id: str) -> Response:
    """A 303 to a short-lived S3 address of the attachment, for the thread's parties only."""
    thread = _own_thread(deps, sender, thread_id)
    message = next((m for m in repository(deps).messages(thread_id) if m.message_id == message_id), None)
    found = next((a for a in message.attachments if a.attachment_id == attachment_id), None) if message else None
    if found is None:
        raise _error(sender, NotFound, "no such attachment", "Bilagan finns inte")
    if sender.audited:
        trail(deps).read(call.who, "message.attachment.read", [thread.citizen],
                         resource=f"thread:{thread_id}/message:{message_id}/attachment:{attachment_id}",
                         acting_for=_as_whom(sender))
    url = deps.documents.presigned_get(found.key, filename=_safe_filename(found.filename))
    return Response(body="", status_code=303, headers={"Location": url, "Cache-Control": "private, no-store"})


def export_thread(deps: EservicesDeps, call: Any, thread_id: str) -> Response:
    """The thread as a PDF for the journal, kept in S3 as well; for the thread's case worker."""
    sender = staff_sender(call)
    thread = _own_thread(deps, sender, thread_id)
    now = deps.clock()
    messages = repository(deps).messages(thread_id)
    pdf = thread_pdf(subject=thread.subject, citizen=thread.citizen, citizen_name=thread.citizen_name,
                     case_worker_name=thread.case_worker_name, case_number=thread.case_number, messages=messages,
                     exported_at=now, exported_by=sender.author_name)
    key = f"{EXPORTS_PREFIX}threads/{thread_id}/{now.strftime('%Y%m%dT%H%M%S%f')}.pdf"  # expires in a day
    deps.documents.put(key, pdf, "application/pdf")
    trail(deps).read(call.who, "thread.export", [thread.citizen], resource=f"thread:{thread_id}")
    return pdf_response(deps, call, key, f"Meddelanden {thread.case_number or thread_id[:8]}.pdf", "application/pdf")
