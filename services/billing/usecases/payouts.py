"""Contact persons' payouts of a month, as figures or as a CSV for payroll; finance's approval for
payment in rounds (round 1 locks the month: the figures as approved, who and when; a report the case
worker approves later is paid by a supplementary round, tilläggsutbetalning, round 2, 3, …, each
holding exactly the reports in no earlier round), and the payroll system's import file of each
approved round (``payroll.py``; columns and rounds in docs/payroll-export.md)."""
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
from ..domain.payouts import PayoutView, paid_cases, payouts as compute_payouts, supplementary
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
    """A month's payouts as the staff page shows them: as approved (locked, round by round) or as they
    stand now, the approved reports behind each line, the reports approved after the last round (paid
    by none) and what the next round would pay them."""

    month: str
    view: PayoutView  # round 1's figures once approved, else the current ones
    approval: PayoutApproval | None  # round 1
    reports: dict[str, ApprovedReport]  # by case id
    after_approval: list[ApprovedReport] = field(default_factory=list)  # in no round yet
    ended: bool = False  # the month is over: it may be approved
    rounds: list[PayoutApproval] = field(default_factory=list)  # round 1 first
    next_round: PayoutView | None = None  # what a supplementary round would pay now (with after_approval)


def _ended(deps: BillingDeps, year: int, month: int) -> bool:
    return stockholm_date(deps.clock()) >= date(*next_month(year, month), 1)


def _next_round(deps: BillingDeps, year: int, month: int, reports: list[ApprovedReport],
                rounds: list[PayoutApproval]) -> PayoutView:
    """What the round after ``rounds`` pays: the month's payouts for round 1, else the reports in no round."""
    pack = deps.rules.for_month(deps.municipality, year, month)
    if not rounds:
        return compute_payouts(reports, year, month, pack, deps.rules.figures)
    return supplementary(reports, year, month, pack, deps.rules.figures, [r.payouts for r in rounds])


def payout_month(deps: BillingDeps, who: Principal, month: str) -> PayoutMonth:
    year, mm = year_month(month)
    reports = deps.store.reports(year, mm)
    rounds = deps.store.payout_rounds(year, mm)
    by_case = {r.case_id: r for r in reports}
    if not rounds:
        current = _next_round(deps, year, mm, reports, rounds)
        return PayoutMonth(month=current.month, view=current, approval=None, reports=by_case,
                           ended=_ended(deps, year, mm))
    done = paid_cases(r.payouts for r in rounds)
    later = sorted((r for r in reports if r.case_id not in done), key=lambda r: (r.approved_at, r.case_id))
    return PayoutMonth(month=rounds[0].month, view=rounds[0].payouts, approval=rounds[0], reports=by_case,
                       after_approval=later, ended=True, rounds=rounds,
                       next_round=_next_round(deps, year, mm, reports, rounds) if later else None)


def approve_payouts(deps: BillingDeps, who: Principal, month: str, round: int = 1) -> PayoutApproval:  # noqa: A002
    """Finance approves a round of the month's payouts for payment. Round 1: once the month is over,
    with something to pay. Round N > 1 (tilläggsutbetalning): after round N − 1, with reports approved
    after it to pay; it holds exactly the reports in no earlier round. Each round is stored once (a
    second approval of it is a ``Conflict``, also when two approve it at once), the figures as they stood."""
    authorize(who, "payouts.approve")
    year, mm = year_month(month)
    if round < 1:
        raise ValidationFailed.field("round", "a round is 1, 2, …")
    if not _ended(deps, year, mm):
        raise ValidationFailed.field("month", "a month's payouts are approved once the month is over")
    rounds = deps.store.payout_rounds(year, mm)
    if any(r.round == round for r in rounds):
        raise Conflict(f"round {round} of the payouts of {month} is approved already"
                       if round > 1 else f"the payouts of {month} are approved already")
    if round != len(rounds) + 1:
        raise ValidationFailed.field("round", f"the next round of {month} is {len(rounds) + 1}")
    view = _next_round(deps, year, mm, deps.store.reports(year, mm), rounds)
    if not view.lines:
        raise ValidationFailed.field("lines", "the month has no approved reports to pay" if round == 1 else
                                     f"no report was approved after round {round - 1}: nothing new to pay")
    approval = PayoutApproval(month=view.month, round=round, approved_at=deps.clock(),
                              approved_by=who.user_id or who.subject, approved_by_name=who.name or "", payouts=view)
    deps.store.add_payout_approval(approval)
    return approval


def payroll_filename(month: str, round: int = 1) -> str:  # noqa: A002
    return f"lonefil-kontaktpersoner-{month}.csv" if round == 1 else \
        f"lonefil-kontaktpersoner-{month}-omgang-{round}.csv"


def payroll_file(deps: BillingDeps, who: Principal, month: str, round: int = 1) -> FileResult:  # noqa: A002
    """The payroll system's import file of an approved round of a month (round 1 by default; a round
    not approved has none: 404). Each round's file holds that round's reports only."""
    year, mm = year_month(month)
    approval = next((r for r in deps.store.payout_rounds(year, mm) if r.round == round), None)
    if approval is None:
        raise NotFound(f"round {round} of the payouts of {month} is not approved for payment")
    return FileResult(body=payroll.payroll_csv(approval), content_type="text/csv; charset=utf-8",
                      filename=payroll_filename(approval.month, approval.round))
