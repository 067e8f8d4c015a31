"""Threads between a case worker and a citizen, or a relative approved to act for the citizen
(``X-Acting-For``). Only the two parties read a thread: anyone else gets 404. Alerts go by the
citizen's messaging settings and never carry content."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from .....auth.principal import Principal
from .....domain.calendar import stockholm_date
from .....domain.errors import Conflict, NotFound, ValidationFailed
from .....domain.personnummer import Personnummer, mask
from .....domain.results import Redirect
from ....usecases.notifications import notify_case_workers, notify_person
from ....acting_for import acting_subject
from ....domain.citizen_problems import citizen_error
from ...domain.messages import Message, Party, Sender, Thread
from ...models.messages import (AttachmentView, CitizenNewMessage, MessageView, Reply, StaffNewMessage, ThreadSummary,
                                ThreadView)
from ..audit import trail
from ..messaging import enabled_or_raise
from .uploads import checked_attachments, safe_filename

if TYPE_CHECKING:
    from ....bootstrap import EservicesDeps


# -- who is a party ---------------------------------------------------------------------

def staff_sender(who: Principal) -> Sender:
    return Sender(party="case_worker", author=who.actor, author_name=who.name or "Handläggare",
                  uploader=f"staff:{who.user_id or who.subject}", user_id=who.user_id or who.subject)


def person_sender(deps: EservicesDeps, who: Principal, acting_for: Personnummer | None = None) -> Sender:
    """A person writing as themselves, or (``acting_for``) as a citizen who approved them today."""
    today = stockholm_date(deps.clock())
    citizen = acting_subject(who, acting_for, deps.approvals, today)
    if citizen == who.personnummer:
        name = who.name or ""
    else:
        approval = deps.approvals.active_approval(citizen, who.personnummer, today)
        name = f"{approval.relative_first_name} {approval.relative_last_name} (närstående)" if approval else ""
    return Sender(party="citizen", author=who.actor, author_name=name, uploader=f"person:{who.personnummer}",
                  citizen=citizen, proxy=citizen != who.personnummer)


def _error(sender: Sender, cls: Any, english: str, swedish: str) -> Any:
    """The error in the language of the sender's audience: Swedish for citizens and relatives."""
    return citizen_error(cls, swedish) if sender.party == "citizen" else cls(english)


def own_thread(deps: EservicesDeps, sender: Sender, thread_id: str) -> Thread:
    """The thread if the sender is one of its parties; otherwise 404, as if it did not exist."""
    thread = deps.casework.threads.find(thread_id)
    mine = thread is not None and (thread.citizen == sender.citizen if sender.party == "citizen"
                                   else thread.case_worker_id == sender.user_id)
    if not mine:
        raise _error(sender, NotFound, "no such thread", "Meddelandet finns inte")
    return thread  # type: ignore[return-value]


# -- sending ----------------------------------------------------------------------------

def _send(deps: EservicesDeps, who: Principal, sender: Sender, thread: Thread, *, new: bool, subject: str, body: str,
          read_receipt: bool, upload_ids: list[str]) -> Message:
    from .....contracts.events import MessageSent

    stores = deps.casework
    settings = enabled_or_raise(deps, thread.citizen, for_citizen=sender.party == "citizen")
    uploaded = checked_attachments(deps, sender, upload_ids)
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
        stores.threads.add(uow, thread.model_copy(update={f"unread_{to_party}": 1, "last_message_at": now}))
    else:
        stores.threads.touch(uow, thread, now, to_party)
    stores.messages.add(uow, message)
    for a in attachments:
        stores.uploads.attach(uow, a.attachment_id, sender.uploader)
    stores.messaging.require_enabled(uow, thread.citizen)
    if sender.audited:
        trail(deps).add_to(uow, who, "message.send", [thread.citizen],
                           resource=f"{thread.audit_resource}/message:{message.message_id}",
                           acting_for=sender.as_whom)
    uow.emit(MessageSent(message_id=message.message_id, to_party=to_party,
                         recipient=thread.citizen if to_party == "citizen" else None, sent_at=now))
    if to_party == "citizen":
        notify_person(uow, "message.received", thread.citizen, preferences="alerts")
    else:
        notify_case_workers(uow, "message.received_staff")
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


def staff_new_thread(deps: EservicesDeps, who: Principal, body: StaffNewMessage) -> ThreadView:
    """A case worker writes to a citizen with messaging on (409 otherwise), optionally about a case."""
    sender = staff_sender(who)
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
    _send(deps, who, sender, thread, new=True, subject=body.subject, body=body.body,
          read_receipt=body.read_receipt, upload_ids=body.attachments)
    return _thread_view(deps, sender, deps.casework.threads.get(thread.thread_id))


def citizen_new_thread(deps: EservicesDeps, who: Principal, sender: Sender, body: CitizenNewMessage) -> ThreadView:
    """A citizen (or their relative: ``person_sender``) writes about their own case to its case worker."""
    case = deps.cases.get_owned(body.case_id, sender.citizen or "")
    if case.intake is None:
        raise citizen_error(Conflict, "Ingen handläggare har tagit upp ärendet än. Du kan skriva när det är gjort.")
    settings = enabled_or_raise(deps, case.owner, for_citizen=True)
    now = deps.clock()
    thread = Thread(thread_id=str(uuid.uuid4()), citizen=case.owner, citizen_name=settings.name,
                    case_worker_id=case.intake.case_worker_id, case_worker_name=case.intake.case_worker_name,
                    case_id=case.case_id, case_number=case.case_number, subject=body.subject, created_at=now,
                    last_message_at=now)
    _send(deps, who, sender, thread, new=True, subject=body.subject, body=body.body,
          read_receipt=body.read_receipt, upload_ids=body.attachments)
    return _thread_view(deps, sender, deps.casework.threads.get(thread.thread_id))


def reply(deps: EservicesDeps, who: Principal, sender: Sender, thread_id: str, body: Reply) -> ThreadView:
    thread = own_thread(deps, sender, thread_id)
    subject = thread.subject if thread.subject.startswith("Sv: ") else f"Sv: {thread.subject}"
    _send(deps, who, sender, thread, new=False, subject=subject, body=body.body, read_receipt=body.read_receipt,
          upload_ids=body.attachments)
    return _thread_view(deps, sender, deps.casework.threads.get(thread_id))


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
                           for a in m.attachments],
                       journaled_at=m.journaled_at if sender.party == "case_worker" else None)


def _thread_view(deps: EservicesDeps, sender: Sender, thread: Thread) -> ThreadView:
    messages = deps.casework.messages.of_thread(thread.thread_id)
    return ThreadView(**_summary(thread, sender).model_dump(),
                      messages=[_message_view(m, thread.thread_id, sender) for m in messages])


def list_threads(deps: EservicesDeps, who: Principal, sender: Sender) -> list[ThreadSummary]:
    threads = deps.casework.threads
    if sender.party == "case_worker":
        found = threads.of_case_worker(sender.user_id or "")
        trail(deps).read(who, "message.read", [t.citizen for t in found], resource="threads")
    else:
        found = threads.of_citizen(sender.citizen or "")
        if sender.proxy:
            trail(deps).read(who, "message.read", [sender.citizen], resource="threads",
                             acting_for=sender.as_whom)
    return [_summary(t, sender) for t in found]


def read_thread(deps: EservicesDeps, who: Principal, sender: Sender, thread_id: str) -> ThreadView:
    """The thread; what the other party sent is marked read now (the sender's read receipt)."""
    thread = own_thread(deps, sender, thread_id)
    if sender.audited:
        trail(deps).read(who, "message.read", [thread.citizen], resource=thread.audit_resource,
                         acting_for=sender.as_whom)
    stores, now = deps.casework, deps.clock()
    for m in stores.messages.of_thread(thread_id):
        if m.from_party != sender.party and m.read_at is None:
            stores.messages.mark_read(m, now)
    stores.threads.clear_unread(thread_id, sender.party)
    return _thread_view(deps, sender, stores.threads.get(thread_id))


def attachment(deps: EservicesDeps, who: Principal, sender: Sender, thread_id: str, message_id: str,
               attachment_id: str) -> Redirect:
    """A short-lived S3 address of the attachment, for the thread's parties only."""
    thread = own_thread(deps, sender, thread_id)
    message = next((m for m in deps.casework.messages.of_thread(thread_id) if m.message_id == message_id), None)
    found = next((a for a in message.attachments if a.attachment_id == attachment_id), None) if message else None
    if found is None:
        raise _error(sender, NotFound, "no such attachment", "Bilagan finns inte")
    if sender.audited:
        trail(deps).read(who, "message.attachment.read", [thread.citizen],
                         resource=f"{thread.audit_resource}/message:{message_id}/attachment:{attachment_id}",
                         acting_for=sender.as_whom)
    return Redirect(deps.documents.presigned_get(found.key, filename=safe_filename(found.filename)))


def mark_journaled(deps: EservicesDeps, who: Principal, thread_id: str, message_id: str) -> ThreadView:
    """The thread's case worker marks a message as entered in the journal (journalförd); once
    (409 after that); audited as ``message.journal``."""
    sender = staff_sender(who)
    thread = own_thread(deps, sender, thread_id)
    message = next((m for m in deps.casework.messages.of_thread(thread_id) if m.message_id == message_id), None)
    if message is None:
        raise NotFound("no such message")
    if message.journaled_at is not None:
        raise Conflict("the message is entered in the journal already")
    deps.casework.messages.mark_journaled(message, deps.clock(), who.actor)
    trail(deps).read(who, "message.journal", [thread.citizen], resource=f"{thread.audit_resource}/message:{message_id}")
    return _thread_view(deps, sender, deps.casework.threads.get(thread_id))
