"""The staff login's decision: who the verified e-ID belongs to in the directory, whether the account
is valid today and the e-ID's assurance level (``acr``) high enough, and as which roles the person
may act. Every login and every refusal (with its reason) is an audit entry; a refusal changes
nothing else."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ...auth.principal import Principal, Role
from ...domain.personnummer import mask
from ...observability import audit_line, get_logger
from ..domain.errors import LoginRefused
from ..domain.model import StaffAccount
from .common import entry

if TYPE_CHECKING:
    from ..ports import IdentityDeps

LOGGER = get_logger("identity")

# The e-ID assurance levels we know (Sweden's "tillitsnivåer"), lowest first: a login at a level at
# or above the required one passes. A level we do not know never passes.
ACR_LEVELS = (
    "http://id.elegnamnden.se/loa/1.0/loa1",
    "http://id.elegnamnden.se/loa/1.0/loa2",
    "http://id.elegnamnden.se/loa/1.0/loa3",
    "http://id.elegnamnden.se/loa/1.0/loa4",
)

REFUSALS = {
    "unknown_staff": "Du har inget konto för personal i Insats. Kontakta din verksamhets administratör "
                     "för att få ett konto. Är du invånare loggar du in på e-tjänsterna i stället.",
    "not_yet_valid": "Ditt konto i Insats gäller från {valid_from}. Logga in igen då, eller kontakta din "
                     "verksamhets administratör om du behöver komma åt Insats tidigare.",
    "account_ended": "Ditt konto i Insats gäller inte längre. Kontakta din verksamhets administratör för att "
                     "få det förlängt.",
    "acr_too_low": "Du loggade in med en e-legitimation som inte räcker för personal. Logga in igen med "
                   "BankID, Freja eID Plus eller en annan e-legitimation med tvåfaktorsinloggning.",
}


@dataclass(frozen=True)
class StaffLogin:
    account: StaffAccount
    principals: list[Principal]  # one per role, in the account's order


def acr_sufficient(acr: str | None, required: str) -> bool:
    """Whether a login at ``acr`` meets ``required``: the same level, or a higher known one."""
    if acr is None:
        return False
    if acr == required:
        return True
    if acr not in ACR_LEVELS or required not in ACR_LEVELS:
        return False
    return ACR_LEVELS.index(acr) >= ACR_LEVELS.index(required)


def principals_of(account: StaffAccount) -> list[Principal]:
    return [Principal(subject=account.account_id, role=Role(role), user_id=account.user_id,
                      organisation_id=account.organisation_id, provider_id=account.provider_id, name=account.name)
            for role in account.roles]


def _refuse(deps: IdentityDeps, reason: str, personnummer: str, account: StaffAccount | None,
            message: str) -> LoginRefused:
    deps.audit.record(entry(deps, "login_refused", "login", personnummer=personnummer, reason=reason,
                            account_id=account.account_id if account else None,
                            organisation_id=account.organisation_id if account else None))
    audit_line(LOGGER, "staff_login_refused", reason=reason, who=mask(personnummer),
               account_id=account.account_id if account else None)
    return LoginRefused(reason, message)


def staff_login(deps: IdentityDeps, personnummer: str, acr: str | None, today: date) -> StaffLogin:
    """The staff member behind a verified e-ID, as one principal per role; raises ``LoginRefused``
    (``unknown_staff``, ``acr_too_low``, ``not_yet_valid``, ``account_ended``). The assurance
    level is checked first after the account is found, so a too weak e-ID learns nothing about the
    account's dates."""
    account = deps.accounts.account_of(personnummer)
    if account is None:
        raise _refuse(deps, "unknown_staff", personnummer, None, REFUSALS["unknown_staff"])
    if not acr_sufficient(acr, deps.staff_acr):
        raise _refuse(deps, "acr_too_low", personnummer, account, REFUSALS["acr_too_low"])
    status = account.status_on(today)
    if status == "not_yet_valid":
        from ...domain.calendar import swedish_date

        raise _refuse(deps, "not_yet_valid", personnummer, account,
                      REFUSALS["not_yet_valid"].format(valid_from=swedish_date(account.valid_from)))
    if status == "ended":
        raise _refuse(deps, "account_ended", personnummer, account, REFUSALS["account_ended"])
    deps.audit.record(entry(deps, "login", "login", personnummer=personnummer, account_id=account.account_id,
                            organisation_id=account.organisation_id, details={"acr": acr}))
    audit_line(LOGGER, "staff_login", who=mask(personnummer), account_id=account.account_id)
    return StaffLogin(account=account, principals=principals_of(account))


def account_valid(deps: IdentityDeps, account_id: str, today: date, role: Role | None = None) -> bool:
    """Whether the account exists, is valid today and (given ``role``) still has that role: a
    session's renewal check, so an ended account's session, or a session in a role its organisation
    took away, ends at once."""
    account = deps.accounts.get_account(account_id)
    return account is not None and account.is_valid_on(today) and (role is None or role in account.roles)


def required_acr(deps: IdentityDeps) -> str:
    """The assurance level a staff login asks the broker for (``acr_values``) and then requires."""
    return deps.staff_acr


def record_login(deps: IdentityDeps, principal: Principal) -> None:
    """A person's login by e-ID (a citizen: no account, no directory)."""
    deps.audit.record(entry(deps, "login", "login", personnummer=str(principal.personnummer),
                            details={"role": str(principal.role)}))
    audit_line(LOGGER, "person_login", who=mask(str(principal.personnummer)))


def record_refusal(deps: IdentityDeps, refused: LoginRefused) -> None:
    """A login the broker's answer refused (state, issuer, signature, nonce …): its reason goes into
    the audit trail. The directory's own refusals were recorded where they were made."""
    if refused.reason in REFUSALS:
        return
    deps.audit.record(entry(deps, "login_refused", "login", reason=refused.reason))
    audit_line(LOGGER, "login_refused", reason=refused.reason)
