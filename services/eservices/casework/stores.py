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
        from .inbox_index import InboxIndex
        from .messages.store import MessageRepository, ThreadRepository, UploadRepository
        from .repositories import (AssignmentRepository, AuditRepository, MessagingRepository,
                                   ReportApprovalRepository)

        return cls(audit=AuditRepository(table), inbox=InboxIndex(table), assignments=AssignmentRepository(table),
                   report_approvals=ReportApprovalRepository(table), messaging=MessagingRepository(table),
                   threads=ThreadRepository(table), messages=MessageRepository(table),
                   uploads=UploadRepository(table))
