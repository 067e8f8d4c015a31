"""Case work's repositories, built once over the e-services table (``EservicesDeps.casework``).
Each owns the keys and expressions of its aggregate; the unit tier passes in-memory twins
(``tests/support/fakes_casework.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class CaseworkStores:
    audit: Any  # repositories.AuditRepository
    inbox: Any  # inbox_index.InboxIndex
    assignments: Any  # repositories.AssignmentRepository
    report_approvals: Any  # repositories.ReportApprovalRepository
    messaging: Any  # repositories.MessagingRepository
    threads: Any  # messages.store.ThreadRepository
    messages: Any  # messages.store.MessageRepository
    uploads: Any  # messages.store.UploadRepository

    @classmethod
    def over(cls, table: Any) -> CaseworkStores:
        from ..bootstrap import on_first_use  # each built on first use: a cold start builds its route's only

        repositories, store = ".casework.repositories", ".casework.messages.store"
        return cls(audit=on_first_use(repositories, "AuditRepository", table),
                   inbox=on_first_use(".casework.inbox_index", "InboxIndex", table),
                   assignments=on_first_use(repositories, "AssignmentRepository", table),
                   report_approvals=on_first_use(repositories, "ReportApprovalRepository", table),
                   messaging=on_first_use(repositories, "MessagingRepository", table),
                   threads=on_first_use(store, "ThreadRepository", table),
                   messages=on_first_use(store, "MessageRepository", table),
                   uploads=on_first_use(store, "UploadRepository", table))
