"""The invoice basis of a provider's month, as figures or as a file: the latest final version (or
the one asked for), or preliminary, marked so, computed from the read model as it is now."""
from __future__ import annotations

from datetime import datetime

from ...auth.principal import Principal, Role
from ...domain.calendar import lock_date
from ...domain.errors import Forbidden, NotFound
from ...domain.results import FileResult
from .. import exports
from ..domain import basis as rules
from ..domain.basis import FinalBasis
from ..domain.model import profile_of
from ..ports import BillingDeps
from ..schemas import InvoiceBasisView, provider_id as valid_provider, year_month


def may_see(who: Principal, provider_id: str) -> None:
    valid_provider(provider_id)
    if who.role in (Role.ORDERING_UNIT, Role.FINANCE):
        return
    # the provider's coordinator and management, their own provider only; care staff see their own
    # registrations in visits, not the provider's basis
    if who.role in (Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER) and who.provider_id == provider_id:
        return
    raise Forbidden("a provider sees only its own invoice basis")


def compute(deps: BillingDeps, provider_id: str, year: int, month: int) -> rules.Basis:
    """The basis from the read model as it is now, under the month's rule pack."""
    pack = deps.rules.for_month(deps.municipality, year, month)
    months = deps.store.month(provider_id, year, month)
    records = deps.store.clients(cm.client for cm in months)
    return rules.compute(provider_id, year, month, months, {c: r.grants for c, r in records.items()},
                         {c: profile_of(r, year, month) for c, r in records.items()}, pack,
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
    may_see(who, provider_id)
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


def basis_file(deps: BillingDeps, who: Principal, provider_id: str, month: str, kind: str,
               version: int | None = None) -> FileResult:
    view = invoice_basis(deps, who, provider_id, month, version)
    suffix = f"v{view.version}" if view.version else "preliminart"
    name = f"fakturaunderlag-{provider_id}-{month}-{suffix}"
    if kind == "csv":
        return FileResult(body=exports.basis_csv(view), content_type="text/csv; charset=utf-8", filename=f"{name}.csv")
    pack = deps.rules.for_month(deps.municipality, *year_month(month))
    return FileResult(body=exports.basis_pdf(view, pack.municipality_name), content_type="application/pdf",
                      filename=f"{name}.pdf")
