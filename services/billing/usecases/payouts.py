"""Contact persons' payouts of a month, as figures or as a CSV for payroll."""
from __future__ import annotations

from ...auth.principal import Principal
from ...domain.results import FileResult
from .. import exports
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
