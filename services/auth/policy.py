"""Who may call what: the one authorization policy.

Every HTTP operation names an action; the action maps to the roles that may perform it. Row
level rules (a citizen reads only their own cases, a relative only inside an approval's dates,
provider staff only their provider's visits) live in the use cases, which also answer 404 for
what belongs to someone else.
"""
from __future__ import annotations

from ..domain.errors import Forbidden
from .principal import PROVIDER_ROLES, Principal, Role

C, R, K = Role.CITIZEN, Role.RELATIVE, Role.CONTACT_PERSON
CW, PS, OU, AU = Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.ORDERING_UNIT, Role.AUDITOR
FIN = Role.FINANCE
PC, PM = Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER
OA, MA = Role.ORGANISATION_ADMIN, Role.MUNICIPAL_ADMIN
PEOPLE = frozenset({C, R, K})
PROVIDER = frozenset({PS, PC})

POLICY: dict[str, frozenset[Role]] = {
    # Citizen e-services
    "profile.read": PEOPLE,
    "profile.update": PEOPLE,
    "drafts.create": PEOPLE,
    "drafts.read": PEOPLE,
    "drafts.update": PEOPLE,
    "drafts.delete": PEOPLE,
    "drafts.sign": PEOPLE,
    "drafts.submit": PEOPLE,
    "cases.read_own": PEOPLE,
    "documents.read_own": PEOPLE,
    "messages.citizen": PEOPLE,
    "assignments.read_own": PEOPLE,  # a person's own assignments as contact person (none: an empty list)
    # Case work
    "inbox.read": frozenset({CW}),
    "intake.create": frozenset({CW}),
    "cases.read_any": frozenset({CW}),
    "decisions.create": frozenset({CW}),
    "assignments.manage": frozenset({CW}),
    "messaging.manage": frozenset({CW}),
    "messages.staff": frozenset({CW}),
    "relatives.manage": frozenset({CW}),
    "audit.search": frozenset({AU}),
    # Home-care visits. Separation of duties: staff register, the provider's coordinator
    # approves and keeps the staff registry (and may perform visits too, never approving their own).
    "visit_events.post": PROVIDER,
    "visits.read": frozenset({PS, PC, PM, OU, CW}),
    # The provider's manager approves too: where a provider has one coordinator, the manager approves
    # what that coordinator registered or changed (separation of duties, services/visits/__init__.py).
    "visits.approve": frozenset({PC, PM}),
    "visits.edit": PROVIDER,
    "visits.approve_deviation": frozenset({CW}),
    # Exceptions, triaged: the provider's coordinators and manager, who approve
    "exceptions.read": frozenset({PC, PM}),
    "exceptions.resolve": frozenset({PC, PM}),
    "rejected_events.read": PROVIDER,
    "rejected_events.correct": PROVIDER,
    "absences.manage": PROVIDER,
    "tags.manage": PROVIDER,
    "tags.read": frozenset({PS, PC, OU}),
    "staff.manage": frozenset({PC}),
    # Reports and billing. Rows (docs/architecture.md "Who sees what"): the ordering unit (finance)
    # every provider; the provider's coordinator and management their own provider's report and
    # basis (another's is 403); a case worker the report's rows of their own clients. Care staff see
    # their own registrations in visits, not the provider's report or basis.
    # Finance (ekonomi) pays: every provider's basis, its final version, reconciliation, classification
    # and payouts; the ordering unit keeps the same rights, as it attests invoices in many municipalities.
    "reports.read": frozenset({OU, FIN, PC, PM, CW}),
    "billing.read": frozenset({OU, FIN, PC, PM}),
    "billing.finalize": frozenset({OU, FIN}),
    "billing.finalize_unverified": frozenset({OU, FIN}),  # final although visits are unverified, with a reason
    "billing.reconcile": frozenset({OU, FIN, PC, PM}),
    "billing.clients.manage": frozenset({OU, FIN}),
    "payouts.read": frozenset({OU, FIN}),
    # Paying and the rules paid by are finance's own: approving a month's payouts for payment (locks
    # it) and storing a new rule pack version. The ordering unit reads both.
    "payouts.approve": frozenset({FIN}),
    "rules.manage": frozenset({FIN}),
    "contact_reports.approve": frozenset({CW}),
    # The staff directory (identity): its keepers; whom each reaches is the use cases' rule
    # (services/identity/domain/scope.py). Its audit trail: the auditors.
    "staff_accounts.read": frozenset({OA, MA}),
    "staff_accounts.manage": frozenset({OA, MA}),
    "identity_audit.read": frozenset({AU}),
}


def authorize(principal: Principal | None, action: str) -> Principal:
    """Returns the principal if its role may perform ``action``; raises Forbidden otherwise."""
    allowed = POLICY[action]  # KeyError: an operation names an action the policy lacks
    if principal is None or principal.role not in allowed:
        raise Forbidden(f"role may not perform {action}")
    if principal.role in PROVIDER_ROLES and not principal.provider_id:
        raise Forbidden("provider staff tokens must name a provider")
    if principal.role in PROVIDER_ROLES and not principal.user_id:
        raise Forbidden("provider staff tokens must name the user")
    return principal
