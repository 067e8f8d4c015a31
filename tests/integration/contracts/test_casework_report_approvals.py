"""The report approvals repository: one approval per case, added once; the adapter and the fake alike."""
from __future__ import annotations

import pytest

from services.domain.errors import Conflict, NotFound
from services.eservices.casework.domain.report_approval import ReportApproval

from .casework_ports import NOW, an_id, ports  # noqa: F401


def an_approval(case_id: str) -> ReportApproval:
    return ReportApproval(case_id=case_id, assignment_id=an_id("asg-"), kind="monthly", year=2026, month=2, km=12.5,
                          fee_ore=150_000, allowance_ore=30_000, terms_year=2026, approved_by="hl-1",
                          approved_at=NOW)


def test_a_cases_report_is_approved_once(ports):
    # GIVEN a case whose report is not approved
    approval = an_approval(an_id("case-"))
    assert ports.repos.report_approvals.find(approval.case_id) is None
    with pytest.raises(NotFound, match="the report is not approved"):
        ports.repos.report_approvals.get(approval.case_id)
    # WHEN approved THEN it is found as it was given; a second approval of the case fails and changes nothing
    ports.commit(lambda uow: ports.repos.report_approvals.add(uow, approval))
    assert ports.repos.report_approvals.get(approval.case_id) == approval
    with pytest.raises(Conflict):
        ports.commit(lambda uow: ports.repos.report_approvals.add(
            uow, approval.model_copy(update={"assignment_id": "asg-other"})))
    assert ports.repos.report_approvals.get(approval.case_id) == approval
