"""Billing's use cases. Each takes the caller (a Principal, resolved at the edge) and returns data
or a file; HTTP stays in the app.

Who sees what: the ordering unit (finance) every provider; the provider's coordinator and
management only their own provider (another's is 403, said openly: provider ids are not secret);
care staff, case workers and citizens nothing (the policy refuses them before a use case runs).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..auth.principal import Principal, Role
from ..domain.calendar import is_month_open, lock_date
from ..domain.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from ..domain.personnummer import InvalidPersonnummer, Personnummer
from . import basis as rules
from . import exports
from .bootstrap import BillingDeps
from .model import ClientProfile, profile_of
from .payouts import payouts as compute_payouts
from .ports import FinalBasis
from .reconcile import Reconciliation, reconcile as compare
from .schemas import (ClientProfileRequest, ClientProfileView, InvoiceBasisView, PayoutView, ReconcileRequest,
                      provider_id as valid_provider, year_month)


class BeforeLockDate(Conflict):
    slug = "before-lock-date"
    title = "The month's lock date has not passed"


class UnverifiedVisits(Conflict):
    slug = "unverified-visits"
    title = "Visits of the month are not verified"


@dataclass(frozen=True)
class File:
    body: bytes
    content_type: str
    filename: str


def _may_see(who: Principal, provider_id: str) -> None:
    valid_provider(provider_id)
    if who.role == Role.ORDERING_UNIT:
        return
    if who.role in (Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER) and who.provider_id == provider_id:
        return
    raise Forbidden("a provider sees only its own invoice basis")


def compute(deps: BillingDeps, provider_id: str, year: int, month: int) -> rules.Basis:
    """The basis from the read model as it is now, under the month's rule pack."""
    pack = deps.rules.for_month(deps.municipality, year, month)
    months = deps.store.month(provider_id, year, month)
    records = deps.store.clients(cm.client for cm in months)
    return rules.compute(provider_id, year, month, months, {c: r.grants for c, r in records.items()},
                         {c: profile_of(r) for c, r in records.items()}, pack,
                         deps.rules.preliminary(pack, year, month))


def _view(b: rules.Basis, *, year: int, month: int, at: datetime, final: FinalBasis | None,
          versions: list[int]) -> InvoiceBasisView:
    return InvoiceBasisView(
        provider_id=b.provider_id, month=b.month, status="final" if final else "preliminary",
        version=final.version if final else None, versions=versions, lock_date=lock_date(year, month),
        rule_pack=b.rule_pack, lines=b.lines, totals=b.totals, preliminary_amounts=b.preliminary_amounts,
        computed_at=final.finalized_at if final else at,
        finalized_by=final.finalized_by if final else None, corrects_version=final.corrects_version if final else None,
        difference=final.difference if final else [], difference_totals=final.difference_totals if final else {},
        unverified=b.unverified, visits_on_absence_days=b.visits_on_absence_days,
        unverified_confirmation=final.unverified_confirmation if final else None)


def invoice_basis(deps: BillingDeps, who: Principal, provider_id: str, month: str,
                  version: int | None = None, current: bool = False) -> InvoiceBasisView:
    """The basis (below), named with the provider's name from billing's own provider register."""
    view = _invoice_basis(deps, who, provider_id, month, version, current)
    return view.model_copy(update={"provider_name": deps.store.provider_name(provider_id)})


def _invoice_basis(deps: BillingDeps, who: Principal, provider_id: str, month: str,
                   version: int | None = None, current: bool = False) -> InvoiceBasisView:
    """The latest final version (or the one asked for); preliminary, marked so, until there is one
    (or when ``current``: the figures as they are now)."""
    _may_see(who, provider_id)
    year, mm = year_month(month)
    latest = deps.store.latest_final(provider_id, year, mm)
    versions = list(range(1, latest.version + 1)) if latest else []
    if current:
        return _view(compute(deps, provider_id, year, mm), year=year, month=mm, at=deps.clock(), final=None,
                     versions=versions)
    if version is not None:
        chosen = deps.store.final(provider_id, year, mm, version) if version in versions else None
        if chosen is None:
            raise NotFound(f"the invoice basis of {month} has no final version {version}")
        return _view(chosen.basis, year=year, month=mm, at=chosen.finalized_at, final=chosen, versions=versions)
    if latest:
        return _view(latest.basis, year=year, month=mm, at=latest.finalized_at, final=latest, versions=versions)
    return _view(compute(deps, provider_id, year, mm), year=year, month=mm, at=deps.clock(), final=None,
                 versions=[])


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
    _may_see(who, provider_id)
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


def reconcile(deps: BillingDeps, who: Principal, provider_id: str, month: str,
              body: ReconcileRequest) -> Reconciliation:
    shown = invoice_basis(deps, who, provider_id, month, body.version)
    b = rules.Basis(provider_id=shown.provider_id, month=shown.month, rule_pack=shown.rule_pack, lines=shown.lines,
                    totals=shown.totals, preliminary_amounts=shown.preliminary_amounts)
    return compare(b, list(body.lines), body.received_on)


def basis_file(deps: BillingDeps, who: Principal, provider_id: str, month: str, kind: str,
               version: int | None = None) -> File:
    view = invoice_basis(deps, who, provider_id, month, version)
    suffix = f"v{view.version}" if view.version else "preliminart"
    name = f"fakturaunderlag-{provider_id}-{month}-{suffix}"
    if kind == "csv":
        return File(exports.basis_csv(view), "text/csv; charset=utf-8", f"{name}.csv")
    pack = deps.rules.for_month(deps.municipality, *year_month(month))
    return File(exports.basis_pdf(view, pack.municipality_name), "application/pdf", f"{name}.pdf")


def set_client_profile(deps: BillingDeps, who: Principal, client: str, body: ClientProfileRequest) -> ClientProfileView:
    """Finance classifies a client: rural or island (supplements), social psychiatry (reference code),
    and the terminations the provider mismanaged. A month already final keeps its figures; the
    classification shows in a correction."""
    try:
        client = Personnummer(client)
    except InvalidPersonnummer as exc:
        raise ValidationFailed.field("client", str(exc)) from None
    known = set(deps.store.client(client).terminations)
    unknown = [FieldError(f"mismanaged_terminations.{i}", f"{t!r} is not a termination of this client")
               for i, t in enumerate(body.mismanaged_terminations) if t not in known]
    if unknown:
        raise ValidationFailed("; ".join(e.detail for e in unknown), errors=unknown)
    record = deps.store.set_profile(client, ClientProfile(
        area=body.area, social_psychiatry=body.social_psychiatry,
        mismanaged_terminations=tuple(sorted(set(body.mismanaged_terminations)))))
    return ClientProfileView(client=client, area=record.profile.area, social_psychiatry=record.profile.social_psychiatry,
                             mismanaged_terminations=list(record.profile.mismanaged_terminations))


def payouts(deps: BillingDeps, who: Principal, month: str) -> PayoutView:
    year, mm = year_month(month)
    pack = deps.rules.for_month(deps.municipality, year, mm)
    return compute_payouts(deps.store.reports(year, mm), year, mm, pack, deps.rules.figures)


def payouts_file(deps: BillingDeps, who: Principal, month: str) -> File:
    return File(exports.payouts_csv(payouts(deps, who, month)), "text/csv; charset=utf-8",
                f"utbetalningar-kontaktpersoner-{month}.csv")


def consume(deps: BillingDeps):  # noqa: ANN201
    """The inbox's batch handler: ``(message_id, envelope)`` pairs in, failed message ids out."""
    from ..observability import get_logger
    from .consumer import apply_batch

    log = get_logger("billing")

    def handle_all(messages: list) -> set[str]:
        return apply_batch(deps.store, messages, log)

    return handle_all
