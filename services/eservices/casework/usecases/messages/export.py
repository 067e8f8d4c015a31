"""A thread as a PDF for the journal, kept in S3 as well; for the thread's case worker."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .....auth.principal import Principal
from .....adapters.documents import EXPORTS_PREFIX
from .....domain.files import StoredFile
from ..audit import trail
from .threads import own_thread, staff_sender

if TYPE_CHECKING:
    from ....bootstrap import EservicesDeps


def export_thread(deps: EservicesDeps, who: Principal, thread_id: str) -> StoredFile:
    from ...letters import thread_pdf  # fpdf: only when a thread is printed

    sender = staff_sender(who)
    thread = own_thread(deps, sender, thread_id)
    now = deps.clock()
    messages = deps.casework.messages.of_thread(thread_id)
    pdf = thread_pdf(subject=thread.subject, citizen=thread.citizen, citizen_name=thread.citizen_name,
                     case_worker_name=thread.case_worker_name, case_number=thread.case_number, messages=messages,
                     exported_at=now, exported_by=sender.author_name)
    key = f"{EXPORTS_PREFIX}threads/{thread_id}/{now.strftime('%Y%m%dT%H%M%S%f')}.pdf"  # expires in a day
    deps.documents.put(key, pdf, "application/pdf")
    trail(deps).read(who, "thread.export", [thread.citizen], resource=thread.audit_resource)
    return StoredFile(key=key, filename=f"Meddelanden {thread.case_number or thread_id[:8]}.pdf")
