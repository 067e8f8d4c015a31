"""Loading the directory from the municipality's register (the local stack's demo data): the
organisations, and a staff account for each listed staff member. Idempotent: loading twice leaves
the same directory."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from ...auth.principal import STAFF_ROLES, Role
from ..domain.model import Organisation, StaffAccount, default_valid_to
from .notices import contact_events

if TYPE_CHECKING:
    from ..ports import IdentityDeps


def load_directory(deps: IdentityDeps, organisations: Iterable[Mapping[str, Any]],
                   staff: Iterable[Mapping[str, Any]], valid_from: date, today: date) -> int:
    """Stores the organisations and, for each staff entry (``personnummer``, ``name``, ``role``,
    ``organisation_id``, ``user_id``), an account with that one role (more roles of the same person
    are added to it), valid from ``valid_from`` to the default end date from ``today``. The account id
    is the ``user_id``. Returns how many accounts were stored."""
    kinds: dict[str, str] = {}
    for o in organisations:
        organisation = Organisation.model_validate(dict(o))
        deps.organisations.put_organisation(organisation)
        kinds[organisation.organisation_id] = organisation.kind
    accounts: dict[str, StaffAccount] = {}
    now = deps.clock()
    for s in staff:
        role = Role(s["role"])
        if role not in STAFF_ROLES:
            continue
        user_id = s["user_id"]
        if user_id in accounts:
            accounts[user_id] = accounts[user_id].model_copy(update={"roles": [*accounts[user_id].roles, role]})
            continue
        accounts[user_id] = StaffAccount(
            account_id=user_id, user_id=user_id, personnummer=s["personnummer"], name=s["name"],
            email=s.get("email"), organisation_id=s["organisation_id"],
            organisation_kind=kinds[s["organisation_id"]], roles=[role], valid_from=valid_from,
            valid_to=default_valid_to(today), created_at=now, changed_at=now, changed_by="register")
    for account in accounts.values():
        # Demo data: the account's work e-mail goes to notify as a new account's would.
        deps.accounts.put_account(account, contact_events(None, account))
    return len(accounts)
