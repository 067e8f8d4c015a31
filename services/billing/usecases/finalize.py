"""Making a month's invoice basis final, once its lock date has passed; a later change is a new
version with the difference."""
from __future__ import annotations

from datetime import datetime

from ...auth.principal import Principal
from ...domain.calendar import is_month_open, lock_date
from ...domain.errors import Conflict
from ..domain import basis as rules
from ..domain.basis import FinalBasis
from ..ports import BillingDeps
from ..schemas import InvoiceBasisView, year_month
from .invoice_basis import compute, invoice_basis, may_see


class BeforeLockDate(Conflict):
    slug = "before-lock-date"
    title = "The month's lock date has not passed"


class UnverifiedVisits(Conflict):
    slug = "unverified-visits"
    title = "Visits of the month are not verified"


def _same_figures(a: rules.Basis, b: rules.Basis) -> bool:
    return a.lines == b.lines and a.totals == b.totals and a.rule_pack == b.rule_pack and \
        a.unverified == b.unverified and a.visits_on_absence_days == b.visits_on_absence_days


def _confirmation(current: rules.Basis, who: Principal, reason: str | None, now: datetime, month: str
                  ) -> rules.UnverifiedConfirmation | None:
    """None when every visit is verified; finance's confirmation when it gave a reason; else 409."""
    if not current.unverified:
        return None
    count = {state: sum(u.visits for u in current.unverified if u.attestation == state)
             for state in ("unapproved", "awaiting_decision")}
    minutes = {state: sum(u.minutes for u in current.unverified if u.attestation == state)
               for state in ("unapproved", "awaiting_decision")}
    if reason is None:
        raise UnverifiedVisits(
            f"{sum(count.values())} visits of {month} are not verified ({count['unapproved']} not approved by the "
            f"provider's coordinator, {count['awaiting_decision']} waiting for the case worker's decision); they "
            "are not billed. Approve them first, or finance makes the basis final anyway with a reason: "
            f"POST /invoice-basis/{current.provider_id}/{month}/final/unverified-confirmation")
    return rules.UnverifiedConfirmation(
        reason=reason, confirmed_by=who.actor, confirmed_at=now, unapproved_visits=count["unapproved"],
        unapproved_minutes=minutes["unapproved"], awaiting_decision_visits=count["awaiting_decision"],
        awaiting_decision_minutes=minutes["awaiting_decision"])


def finalize(deps: BillingDeps, who: Principal, provider_id: str, month: str,
             unverified_reason: str | None = None) -> InvoiceBasisView:
    """Makes the month's basis final once its lock date has passed. A final version is never
    changed: if the figures moved since (a late correction), the next version holds them and the
    difference; if nothing moved, the latest version is the answer. While any visit of the month
    is not verified, only finance's ``unverified_reason`` makes it final (stored with the version)."""
    may_see(who, provider_id)
    year, mm = year_month(month)
    now = deps.clock()
    if is_month_open(year, mm, now):
        locks = lock_date(year, mm)
        raise BeforeLockDate(f"the invoice basis of {month} can be made final after its lock date, "
                             f"{locks.isoformat()}, has passed")
    current = compute(deps, provider_id, year, mm)
    last = deps.store.latest_final(provider_id, year, mm)
    if last is not None and _same_figures(last.basis, current):
        return invoice_basis(deps, who, provider_id, month)
    confirmed = _confirmation(current, who, unverified_reason, now, month)
    final = FinalBasis(version=(last.version + 1) if last else 1, basis=current, finalized_at=now,
                       finalized_by=who.actor, corrects_version=last.version if last else None,
                       unverified_confirmation=confirmed)
    if last is not None:
        lines, totals = rules.difference(current, last.basis)
        final = final.model_copy(update={"difference": lines, "difference_totals": totals})
    try:
        deps.store.add_final(final)
    except Conflict:
        pass  # someone finalized the same figures at the same moment: theirs stands
    return invoice_basis(deps, who, provider_id, month)
