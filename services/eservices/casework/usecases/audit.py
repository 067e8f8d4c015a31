"""Log follow-up: auditors search the audit trail; every use case audits through ``trail``."""
from __future__ import annotations

from typing import Any

from ....domain.results import FileResult, Page
from ..domain.audit import AuditTrail, local_day_bounds, to_csv


def search_records(deps: Any, who: Any, query: Any) -> Page | FileResult:
    """Log follow-up: records by person, actor and Stockholm dates, as JSON or a CSV export; a
    page at a time (``query.limit``, the next by ``cursor``). The auditor's own search is audited
    too (after it, so it is not in its own result)."""
    start, end = local_day_bounds(query.from_, query.to)
    audit = trail(deps)
    records, cursor = audit.page(person=query.person, actor=query.actor, start=start, end=end, limit=query.limit,
                                 cursor=query.cursor)
    audit.read(who, "audit.search", [query.person], resource="audit")
    if query.format == "json":
        return Page(items=records, next_cursor=cursor)
    return FileResult(filename=f"audit-{query.from_}-{query.to}.csv", content_type="text/csv; charset=utf-8",
                      body=to_csv(records), next_cursor=cursor)


def trail(deps: Any) -> AuditTrail:
    return AuditTrail(deps.casework.audit, deps.clock)
