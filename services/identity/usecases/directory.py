"""The staff directory: list, read, add, extend, end and change roles, each within what the caller
keeps (``domain/scope.py``: an organisation's administrator its own organisation, the municipality's
administrator municipal units and providers' administrators). What is out of reach answers 404 (its
existence is not disclosed); a change carries the version the caller read (409 if it moved on) and
writes its audit entry in the same transaction."""
from __future__ import annotations

import uuid
from datetime import timedelta, timezone
from typing import TYPE_CHECKING

from ...auth.principal import Principal
from ...domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain import scope
from ..domain.model import StaffAccount, default_extension, default_valid_to, roles_refusal
from ..schemas import (
    AuditEntryView,
    AuditQuery,
    EndRequest,
    ExtensionRequest,
    NewStaffAccount,
    OrganisationView,
    RolesRequest,
    StaffAccountQuery,
    StaffAccountView,
)
from .common import entry, today as today_of
from .notices import contact_events

if TYPE_CHECKING:
    from ..ports import IdentityDeps

MAX_AUDIT_DAYS = 31


def _in_reach(who: Principal, account: StaffAccount) -> bool:
    return scope.reaches(who, account.organisation_id, account.organisation_kind, account.roles)


def _account(deps: IdentityDeps, who: Principal, account_id: str) -> StaffAccount:
    account = deps.accounts.get_account(account_id)
    if account is None or not _in_reach(who, account):
        raise NotFound("no such staff account")
    return account


def _same_version(account: StaffAccount, version: int) -> None:
    if account.version != version:
        raise Conflict(f"the account changed since it was read (version {account.version}); read it again")


def list_accounts(deps: IdentityDeps, who: Principal, query: StaffAccountQuery) -> list[StaffAccountView]:
    today = today_of(deps)
    if query.organisation_id is not None:
        organisation = deps.organisations.get_organisation(query.organisation_id)
        if organisation is None or not scope.reaches_organisation(who, organisation.organisation_id,
                                                                  organisation.kind):
            raise Forbidden("query.organisation_id: you keep no accounts of that organisation")
        organisations = [organisation]
    else:
        organisations = [o for o in deps.organisations.all_organisations()
                         if scope.reaches_organisation(who, o.organisation_id, o.kind)]
    found = [a for o in organisations for a in deps.accounts.accounts_of(o.organisation_id) if _in_reach(who, a)]
    if query.role is not None:
        found = [a for a in found if query.role in a.roles]
    if query.status is not None:
        found = [a for a in found if a.status_on(today) == query.status]
    if query.ending_within_days is not None:
        last = today + timedelta(days=query.ending_within_days)
        found = [a for a in found if a.ended_at is None and today <= a.valid_to <= last]
    found.sort(key=lambda a: (a.organisation_id, a.name, a.account_id))
    return [StaffAccountView.of(a, today) for a in found]


def get_account(deps: IdentityDeps, who: Principal, account_id: str) -> StaffAccountView:
    return StaffAccountView.of(_account(deps, who, account_id), today_of(deps), full=True)


def list_organisations(deps: IdentityDeps, who: Principal) -> list[OrganisationView]:
    return [OrganisationView(**o.model_dump()) for o in deps.organisations.all_organisations()
            if scope.reaches_organisation(who, o.organisation_id, o.kind)]


def add_account(deps: IdentityDeps, who: Principal, body: NewStaffAccount) -> StaffAccountView:
    today = today_of(deps)
    organisation = deps.organisations.get_organisation(body.organisation_id)
    if organisation is None or not scope.reaches_organisation(who, organisation.organisation_id, organisation.kind):
        raise ValidationFailed.field("organisation_id", "no organisation whose accounts you keep")
    refusal = roles_refusal(organisation.kind, body.roles) or scope.grant_refusal(who, body.roles)
    if refusal:
        raise ValidationFailed.field("roles", refusal)
    if not scope.reaches(who, organisation.organisation_id, organisation.kind, body.roles):
        raise ValidationFailed.field("roles", "you keep only a provider's administrators")
    valid_from = body.valid_from or today
    valid_to = body.valid_to or default_valid_to(max(valid_from, today))
    if valid_to < valid_from or valid_to < today:
        raise ValidationFailed.field("valid_to", "the end date must be today or later, and not before valid_from")
    existing = deps.accounts.account_of(body.personnummer)
    if existing is not None:
        detail = ("the person already has an account" +
                  ("; extend it" if _in_reach(who, existing) else " in another organisation"))
        raise Conflict(f"personnummer: {detail}")
    now = deps.clock()
    account_id = uuid.uuid4().hex
    account = StaffAccount(account_id=account_id, user_id=body.user_id or account_id,
                           personnummer=body.personnummer, name=body.name.strip(), email=body.email,
                           organisation_id=organisation.organisation_id, organisation_kind=organisation.kind,
                           roles=list(body.roles), valid_from=valid_from, valid_to=valid_to, created_at=now,
                           changed_at=now, changed_by=who.actor)
    deps.accounts.add_account(account, entry(
        deps, "account_added", who.actor, account_id=account_id, organisation_id=account.organisation_id,
        details={"roles": [str(r) for r in account.roles], "valid_from": valid_from.isoformat(),
                 "valid_to": valid_to.isoformat()}), contact_events(None, account))
    return StaffAccountView.of(account, today, full=True)


def extend_account(deps: IdentityDeps, who: Principal, account_id: str, body: ExtensionRequest) -> StaffAccountView:
    """A new end date (by default the next 15 February or 15 September after the current one). An
    ended account extended is open again: that is how a returning staff member gets access back."""
    today = today_of(deps)
    account = _account(deps, who, account_id)
    _same_version(account, body.version)
    valid_to = body.valid_to or default_extension(account.valid_to, today)
    if valid_to < today or valid_to < account.valid_from:
        raise ValidationFailed.field("valid_to", "the end date must be today or later, and not before valid_from")
    changed = account.model_copy(update={"valid_to": valid_to, "ended_at": None, "end_reason": None,
                                         "changed_at": deps.clock(), "changed_by": who.actor})
    saved = deps.accounts.save_account(changed, account.version, entry(
        deps, "account_extended", who.actor, account_id=account_id, organisation_id=account.organisation_id,
        details={"valid_to_before": account.valid_to.isoformat(), "valid_to": valid_to.isoformat(),
                 "reopened": "yes" if account.ended_at else "no"}))
    return StaffAccountView.of(saved, today, full=True)


def end_account(deps: IdentityDeps, who: Principal, account_id: str, body: EndRequest) -> StaffAccountView:
    """Ends the account now: its next login is refused and its sessions end at their next check."""
    today = today_of(deps)
    account = _account(deps, who, account_id)
    _same_version(account, body.version)
    if account.ended_at is not None:
        raise Conflict("the account has ended already")
    now = deps.clock()
    changed = account.model_copy(update={"ended_at": now, "end_reason": body.reason.strip(), "changed_at": now,
                                         "changed_by": who.actor})
    saved = deps.accounts.save_account(changed, account.version, entry(
        deps, "account_ended", who.actor, account_id=account_id, organisation_id=account.organisation_id,
        reason=body.reason.strip()))
    return StaffAccountView.of(saved, today, full=True)


def change_roles(deps: IdentityDeps, who: Principal, account_id: str, body: RolesRequest) -> StaffAccountView:
    today = today_of(deps)
    account = _account(deps, who, account_id)
    _same_version(account, body.version)
    if account.ended_at is not None:
        raise Conflict("the account has ended; extend it first")
    refusal = roles_refusal(account.organisation_kind, body.roles) or scope.grant_refusal(who, body.roles)
    if refusal:
        raise ValidationFailed.field("roles", refusal)
    if not scope.reaches(who, account.organisation_id, account.organisation_kind, body.roles):
        raise ValidationFailed.field("roles", "you keep only a provider's administrators")
    changed = account.model_copy(update={"roles": list(body.roles), "changed_at": deps.clock(),
                                         "changed_by": who.actor})
    saved = deps.accounts.save_account(changed, account.version, entry(
        deps, "roles_changed", who.actor, account_id=account_id, organisation_id=account.organisation_id,
        details={"roles_before": [str(r) for r in account.roles], "roles": [str(r) for r in body.roles]}))
    return StaffAccountView.of(saved, today, full=True)


def read_audit(deps: IdentityDeps, who: Principal, query: AuditQuery) -> list[AuditEntryView]:
    """The directory's audit trail for auditors: days [from, to] (at most 31), optionally one account's
    or one action's."""
    if query.to_date < query.from_date:
        raise ValidationFailed.field("query.to", "must not be before from")
    if (query.to_date - query.from_date).days >= MAX_AUDIT_DAYS:
        raise ValidationFailed.field("query.to", f"at most {MAX_AUDIT_DAYS} days at a time")
    if query.account_id is not None:  # the account's own partition, not every entry of the period
        found = [e for e in deps.audit.entries_of_account(query.account_id)
                 if query.from_date <= e.at.astimezone(timezone.utc).date() <= query.to_date]
    else:
        found = deps.audit.entries(query.from_date, query.to_date)
    if query.action is not None:
        found = [e for e in found if e.action == query.action]
    # Whoever reads the trail is in it too, from the next search on (HSLF-FS 2016:40: the log
    # follow-up is itself followed up); what was searched is in its details, not its account.
    deps.audit.record(entry(deps, "audit_searched", who.actor,
                            details={"from": query.from_date.isoformat(), "to": query.to_date.isoformat(),
                                     "account_id": query.account_id, "action": query.action}))
    return [AuditEntryView(**e.model_dump()) for e in found]




def account_history(deps: IdentityDeps, who: Principal, account_id: str) -> list[AuditEntryView]:
    """One account's lines of the audit trail (added, extended, ended, roles changed, logins, refusals)
    since it began, the newest first, for whoever keeps the account (404 otherwise)."""
    _account(deps, who, account_id)
    found = sorted(deps.audit.entries_of_account(account_id), key=lambda e: (e.at, e.entry_id), reverse=True)
    return [AuditEntryView(**e.model_dump()) for e in found]
