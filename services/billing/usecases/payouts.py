"""Contact persons' payouts of a month, as figures or as a CSV for payroll; finance's approval for
payment (the month is then locked: the figures as approved, who and when), and the payroll system's
import file of an approved month (``payroll.py``; columns in docs/payroll-export.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ...auth.policy import authorize
from ...auth.principal import Principal
from ...domain.calendar import next_month, stockholm_date
from ...domain.errors import Conflict, NotFound, ValidationFailed
from ...domain.results import FileResult
from .. import exports, payroll
from ..domain.approvals import PayoutApproval
from ..domain.model import ApprovedReport
from ..domain.payouts import PayoutView, payouts as compute_payouts
from ..ports import BillingDeps
from ..schemas import year_month


def payouts(deps: BillingDeps, who: Principal, month: str) -> PayoutView:
    year, mm = year_month(month)
    pack = deps.rules.for_month(deps.municipality, year, mm)
    return compute_payouts(deps.store.reports(year, mm), year, mm, pack, deps.rules.figures)


def payouts_file(deps: BillingDeps, who: Principal, month: str) -> FileResult:
    return FileResult(body=exports.payouts_csv(payouts(deps, who, month)), content_type="text/csv; charset=utf-8",
                      filename=f"utbetalningar-kontaktpersoner-{month}.csv")


@dataclass(frozen=True)
class PayoutMonth:
    """A month's payouts as the staff page shows them: as approved (locked) or as they stand now,
    the approved reports behind each line, and reports approved after the month was approved."""

    month: str
    view: PayoutView  # the approved figures once approved, else the current ones
    approval: PayoutApproval | None
    reports: dict[str, ApprovedReport]  # by case id
    after_approval: list[ApprovedReport] = field(default_factory=list)  # not in the approved payout
    ended: bool = False  # the month is over: it may be approved


def _ended(deps: BillingDeps, year: int, month: int) -> bool:
    return stockholm_date(deps.clock()) >= date(*next_month(year, month), 1)


def payout_month(deps: BillingDeps, who: Principal, month: str) -> PayoutMonth:
    year, mm = year_month(month)
    reports = deps.store.reports(year, mm)
    current = payouts(deps, who, month)
    approval = deps.store.payout_approval(year, mm)
    by_case = {r.case_id: r for r in reports}
    if approval is None:
        return PayoutMonth(month=current.month, view=current, approval=None, reports=by_case,
                           ended=_ended(deps, year, mm))
    approved_cases = {c for line in approval.payouts.lines for c in line.case_ids}
    later = sorted((r for r in reports if r.case_id not in approved_cases), key=lambda r: (r.approved_at, r.case_id))
    return PayoutMonth(month=current.month, view=approval.payouts, approval=approval, reports=by_case,
                       after_approval=later, ended=True)


def approve_payouts(deps: BillingDeps, who: Principal, month: str) -> PayoutApproval:
    """Finance approves the month's payouts for payment: once the month is over, with something to
    pay; stored once (a second approval is a ``Conflict``), the figures as they stood."""
    authorize(who, "payouts.approve")
    year, mm = year_month(month)
    if not _ended(deps, year, mm):
        raise ValidationFailed.field("month", "a month's payouts are approved once the month is over")
    if deps.store.payout_approval(year, mm) is not None:
        raise Conflict(f"the payouts of {month} are approved already")
    view = payouts(deps, who, month)
    if not view.lines:
        raise ValidationFailed.field("lines", "the month has no approved reports to pay")
    approval = PayoutApproval(month=view.month, approved_at=deps.clock(), approved_by=who.user_id or who.subject,
                              approved_by_name=who.name or "", payouts=view)
    deps.store.add_payout_approval(approval)
    return approval


def payroll_file(deps: BillingDeps, who: Principal, month: str) -> FileResult:
    """The payroll system's import file of an approved month (a month not approved has none: 404)."""
    year, mm = year_month(month)
    approval = deps.store.payout_approval(year, mm)
    if approval is None:
        raise NotFound(f"the payouts of {month} are not approved for payment")
    return FileResult(body=payroll.payroll_csv(approval), content_type="text/csv; charset=utf-8",
                      filename=f"lonefil-kontaktpersoner-{approval.month}.csv")
