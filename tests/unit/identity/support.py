"""A small directory for the identity unit tests: two municipal units, two providers, their admins."""
from __future__ import annotations

from datetime import date, datetime, timezone

from services.auth.principal import Principal, Role
from services.identity.domain.model import Organisation, StaffAccount
from tests.support.fakes.identity import NOW, fake_identity_deps
from tests.support.people import new_pnr

ORGS = [Organisation(organisation_id="enhet-bistand", kind="municipal_unit", name="Biståndsenheten"),
        Organisation(organisation_id="enhet-it", kind="municipal_unit", name="IT"),
        Organisation(organisation_id="prov-omsorg", kind="provider", name="Omsorg AB"),
        Organisation(organisation_id="prov-annan", kind="provider", name="Annan Omsorg AB")]
KIND = {o.organisation_id: o.kind for o in ORGS}


def directory(**kw):
    deps = fake_identity_deps(**kw)
    for o in ORGS:
        deps.organisations.put_organisation(o)
    return deps


def account(deps, account_id: str, organisation_id: str, *roles: Role, valid_from=date(2026, 1, 1),
            valid_to=date(2027, 2, 15), ended_at: datetime | None = None, pnr: str | None = None) -> StaffAccount:
    a = StaffAccount(account_id=account_id, user_id=f"u-{account_id}", personnummer=pnr or new_pnr(1980),
                     name=f"Namn {account_id}", email=f"{account_id}@example.se", organisation_id=organisation_id,
                     organisation_kind=KIND[organisation_id], roles=list(roles), valid_from=valid_from,
                     valid_to=valid_to, ended_at=ended_at, created_at=NOW, changed_at=NOW, changed_by="test")
    deps.accounts.put_account(a)
    return a


def admin(organisation_id: str = "prov-omsorg") -> Principal:
    return Principal(subject="adm", role=Role.ORGANISATION_ADMIN, user_id="adm", organisation_id=organisation_id,
                     provider_id=organisation_id if KIND[organisation_id] == "provider" else None)


def municipal_admin() -> Principal:
    return Principal(subject="kim", role=Role.MUNICIPAL_ADMIN, user_id="kim", organisation_id="enhet-it")


UTC = timezone.utc
