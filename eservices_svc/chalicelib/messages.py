"""Routes: secure messages — case workers under /messages, citizens and approved relatives
(X-Acting-For) under /my/messages. Logic in ``services.eservices.casework.messages``."""
from chalice import Blueprint

from services.entrypoints.http import HttpApi
from services.eservices.bootstrap import deps
from services.eservices.casework import messages as msg
from services.eservices.casework.schemas import (CitizenNewMessage, CitizenReply, CitizenUploadRequest, Reply,
                                                 StaffNewMessage,
                                                 ThreadSummary, ThreadView, UploadRequest, UploadTicket)

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices")
STAFF, PEOPLE = ("messages",), ("mina sidor",)
ATTACHMENT = "/threads/{thread_id}/messages/{message_id}/attachments/{attachment_id}"


# -- case workers -------------------------------------------------------------------------

@bp.route("/messages/attachments", methods=["POST"])
@api.operation("messages.staff", body=UploadRequest, response=UploadTicket, status=201, tags=STAFF,
               summary="A presigned POST for one attachment (at most 16 MB, enforced by S3)")
def staff_upload(call, body):
    return msg.start_upload(deps(), call, msg.staff_sender(call), body)


@bp.route("/messages", methods=["POST"])
@api.operation("messages.staff", body=StaffNewMessage, response=ThreadView, status=201, tags=STAFF,
               summary="Write to a citizen with messaging on")
def staff_new(call, body):
    return msg.staff_new_thread(deps(), call, body)


@bp.route("/messages")
@api.operation("messages.staff", response=list[ThreadSummary], tags=STAFF, summary="My threads, newest first")
def staff_threads(call):
    return msg.list_threads(deps(), call, msg.staff_sender(call))


@bp.route("/messages/threads/{thread_id}")
@api.operation("messages.staff", response=ThreadView, tags=STAFF, summary="Read a thread (marks it read)")
def staff_thread(call, thread_id):
    return msg.read_thread(deps(), call, msg.staff_sender(call), thread_id)


@bp.route("/messages/threads/{thread_id}", methods=["POST"])
@api.operation("messages.staff", body=Reply, response=ThreadView, status=201, tags=STAFF, summary="Reply")
def staff_reply(call, body, thread_id):
    return msg.reply(deps(), call, msg.staff_sender(call), thread_id, body)


@bp.route("/messages/threads/{thread_id}/export")
@api.operation("messages.staff", tags=STAFF, content_type="application/pdf",
               summary="The thread as a PDF for the journal")
def staff_export(call, thread_id):
    return msg.export_thread(deps(), call, thread_id)


@bp.route("/messages" + ATTACHMENT)
@api.operation("messages.staff", tags=STAFF, summary="Download an attachment (303 to S3)", redirect=True)
def staff_attachment(call, thread_id, message_id, attachment_id):
    return msg.attachment(deps(), call, msg.staff_sender(call), thread_id, message_id, attachment_id)


# -- citizens and approved relatives ------------------------------------------------------

@bp.route("/my/messages/attachments", methods=["POST"])
@api.operation("messages.citizen", body=CitizenUploadRequest, response=UploadTicket, status=201, tags=PEOPLE,
               summary="A presigned POST for one attachment (at most 16 MB, enforced by S3)")
def my_upload(call, body):
    return msg.start_upload(deps(), call, msg.person_sender(deps(), call), body)


@bp.route("/my/messages", methods=["POST"])
@api.operation("messages.citizen", body=CitizenNewMessage, response=ThreadView, status=201, tags=PEOPLE,
               summary="Write to the case worker of my case")
def my_new(call, body):
    return msg.citizen_new_thread(deps(), call, body)


@bp.route("/my/messages")
@api.operation("messages.citizen", response=list[ThreadSummary], tags=PEOPLE, summary="My messages, newest first")
def my_threads(call):
    return msg.list_threads(deps(), call, msg.person_sender(deps(), call))


@bp.route("/my/messages/threads/{thread_id}")
@api.operation("messages.citizen", response=ThreadView, tags=PEOPLE, summary="Read a thread (marks it read)")
def my_thread(call, thread_id):
    return msg.read_thread(deps(), call, msg.person_sender(deps(), call), thread_id)


@bp.route("/my/messages/threads/{thread_id}", methods=["POST"])
@api.operation("messages.citizen", body=CitizenReply, response=ThreadView, status=201, tags=PEOPLE, summary="Reply")
def my_reply(call, body, thread_id):
    return msg.reply(deps(), call, msg.person_sender(deps(), call), thread_id, body)


@bp.route("/my/messages" + ATTACHMENT)
@api.operation("messages.citizen", tags=PEOPLE, summary="Download an attachment (303 to S3)", redirect=True)
def my_attachment(call, thread_id, message_id, attachment_id):
    return msg.attachment(deps(), call, msg.person_sender(deps(), call), thread_id, message_id, attachment_id)
