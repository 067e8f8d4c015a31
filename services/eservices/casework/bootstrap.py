"""Case work's composition: its repositories over the e-services table, for the e-services'
bootstrap (``EservicesDeps.casework``). Each is built on first use, so a cold start builds its
route's only; the unit tier passes in-memory twins (``tests/support/fakes/casework.py``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .ports import CaseworkRepositories


def over_dynamodb(table: Any, on_first_use: Callable[..., Any]) -> CaseworkRepositories:
    """``on_first_use(module, name, *args)``: the e-services' lazy builder (module names relative to
    ``services.eservices``), passed in so this module does not import the e-services' bootstrap."""
    from .ports import CaseworkRepositories

    repositories, messages = ".casework.adapters.repositories", ".casework.adapters.messages"
    return CaseworkRepositories(
        audit=on_first_use(repositories, "AuditRepository", table),  # type: ignore[arg-type]
        inbox=on_first_use(".casework.adapters.inbox_index", "InboxIndex", table),  # type: ignore[arg-type]
        assignments=on_first_use(repositories, "AssignmentRepository", table),  # type: ignore[arg-type]
        report_approvals=on_first_use(repositories, "ReportApprovalRepository", table),  # type: ignore[arg-type]
        messaging=on_first_use(repositories, "MessagingRepository", table),  # type: ignore[arg-type]
        threads=on_first_use(messages, "ThreadRepository", table),  # type: ignore[arg-type]
        messages=on_first_use(messages, "MessageRepository", table),  # type: ignore[arg-type]
        uploads=on_first_use(messages, "UploadRepository", table),  # type: ignore[arg-type]
        visit_deviations=on_first_use(".casework.adapters.visit_deviations",  # type: ignore[arg-type]
                                      "DynamoVisitDeviationCounts", table))
