"""Routes: secure messages — case workers under /messages, citizens and approved relatives
(X-Acting-For) under /my/messages. Logic in ``services.eservices.casework.usecases.messages``."""
from chalice import Blueprint

from services.entrypoints.downloads import download as download_file
from services.entrypoints.http import HttpApi
from services.eservices.bootstrap import deps

# Models by name, the use cases imported in each handler: a cold start builds neither.
M = "services.eservices.casework.models.messages"

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices")
STAFF, PEOPLE = ("messages",), ("mina sidor",)
ATTACHMENT = "/threads/{thread_id}/messages/{message_id}/attachments/{attachment_id}"


def _person(call):
    """A citizen, or a relative acting for one (``X-Acting-For``), as the thread's citizen side."""
    from services.eservices.casework.usecases import messages as msg

    return msg.person_sender(deps(), call.who, call.acting_for)


# -- case workers -------------------------------------------------------------------------

@bp.route("/messages/attachments", methods=["POST"])
@api.operation("messages.staff", body=f"{M}:UploadRequest", response=f"{M}:UploadTicket", status=201, tags=STAFF,
               summary="A presigned POST for one attachment (at most 16 MB, enforced by S3)")
def staff_upload(call, body):
    from services.eservices.casework.usecases import messages as msg

    return msg.start_upload(deps(), call.who, msg.staff_sender(call.who), body)


@bp.route("/messages", methods=["POST"])
@api.operation("messages.staff", body=f"{M}:StaffNewMessage", response=f"{M}:ThreadView", status=201, tags=STAFF,
               summary="Write to a citizen with messaging on")
def staff_new(call, body):
    from services.eservices.casework.usecases import messages as msg

    return msg.staff_new_thread(deps(), call.who, body)


@bp.route("/messages")
@api.operation("messages.staff", response=f"list[{M}:ThreadSummary]", tags=STAFF, summary="My threads, newest first")
def staff_threads(call):
    from services.eservices.casework.usecases import messages as msg

    return msg.list_threads(deps(), call.who, msg.staff_sender(call.who))


@bp.route("/messages/threads/{thread_id}")
@api.operation("messages.staff", response=f"{M}:ThreadView", tags=STAFF, summary="Read a thread (marks it read)")
def staff_thread(call, thread_id):
    from services.eservices.casework.usecases import messages as msg

    return msg.read_thread(deps(), call.who, msg.staff_sender(call.who), thread_id)


@bp.route("/messages/threads/{thread_id}", methods=["POST"])
@api.operation("messages.staff", body=f"{M}:Reply", response=f"{M}:ThreadView", status=201, tags=STAFF, summary="Reply")
def staff_reply(call, body, thread_id):
    from services.eservices.casework.usecases import messages as msg

    return msg.reply(deps(), call.who, msg.staff_sender(call.who), thread_id, body)


@bp.route("/messages/threads/{thread_id}/export")
@api.operation("messages.staff", tags=STAFF, content_type="application/pdf",
               summary="The thread as a PDF for the journal")
def staff_export(call, thread_id):
    from services.eservices.casework.usecases import messages as msg

    return download_file(deps().documents, msg.export_thread(deps(), call.who, thread_id), call.headers)


@bp.route("/messages" + ATTACHMENT)
@api.operation("messages.staff", tags=STAFF, summary="Download an attachment (303 to S3)", redirect=True)
def staff_attachment(call, thread_id, message_id, attachment_id):
    from services.eservices.casework.usecases import messages as msg

    return msg.attachment(deps(), call.who, msg.staff_sender(call.who), thread_id, message_id, attachment_id)


# -- citizens and approved relatives ------------------------------------------------------

@bp.route("/my/messages/attachments", methods=["POST"])
@api.operation("messages.citizen", body=f"{M}:CitizenUploadRequest", response=f"{M}:UploadTicket", status=201,
               tags=PEOPLE,
               summary="A presigned POST for one attachment (at most 16 MB, enforced by S3)")
def my_upload(call, body):
    from services.eservices.casework.usecases import messages as msg

    return msg.start_upload(deps(), call.who, _person(call), body)


@bp.route("/my/messages", methods=["POST"])
@api.operation("messages.citizen", body=f"{M}:CitizenNewMessage", response=f"{M}:ThreadView", status=201, tags=PEOPLE,
               summary="Write to the case worker of my case")
def my_new(call, body):
    from services.eservices.casework.usecases import messages as msg

    return msg.citizen_new_thread(deps(), call.who, _person(call), body)


@bp.route("/my/messages")
@api.operation("messages.citizen", response=f"list[{M}:ThreadSummary]",
               tags=PEOPLE, summary="My messages, newest first")
def my_threads(call):
    from services.eservices.casework.usecases import messages as msg

    return msg.list_threads(deps(), call.who, _person(call))


@bp.route("/my/messages/threads/{thread_id}")
@api.operation("messages.citizen", response=f"{M}:ThreadView", tags=PEOPLE, summary="Read a thread (marks it read)")
def my_thread(call, thread_id):
    from services.eservices.casework.usecases import messages as msg

    return msg.read_thread(deps(), call.who, _person(call), thread_id)


@bp.route("/my/messages/threads/{thread_id}", methods=["POST"])
@api.operation("messages.citizen", body=f"{M}:CitizenReply", response=f"{M}:ThreadView", status=201,
               tags=PEOPLE, summary="Reply")
def my_reply(call, body, thread_id):
    from services.eservices.casework.usecases import messages as msg

    return msg.reply(deps(), call.who, _person(call), thread_id, body)


@bp.route("/my/messages" + ATTACHMENT)
@api.operation("messages.citizen", tags=PEOPLE, summary="Download an attachment (303 to S3)", redirect=True)
def my_attachment(call, thread_id, message_id, attachment_id):
    from services.eservices.casework.usecases import messages as msg

    return msg.attachment(deps(), call.who, _person(call), thread_id, message_id, attachment_id)
