"""What the visits section's pages share: the page title, the side navigation (per role: the case
workers' pages of the e-services app and this section's; the provider's pages; a staff member's own),
who may log in, and the logged-in case worker, provider lead (coordinator or manager) or staff member."""
from __future__ import annotations

from typing import Any

from ....auth.principal import Principal, Role
from ....domain.errors import Forbidden
from ..http import Context
from ..staff_section import titles

CASE_WORKER_ACTION = "visits.approve_deviation"  # the case workers' pages: a case worker
SITE = "Insats besöksuppföljning"
ESERVICES = "/eservices"  # the case workers' section, in the e-services app behind the same gateway

# Who may log in (the identity app's client ``insats-visits`` serves the same roles)
ROLES = frozenset({Role.CASE_WORKER, Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER, Role.PROVIDER_STAFF})

# The case worker's side navigation: (address, label, this section's inner path or None)
CASE_WORKER_NAV: list[tuple[str, str, str | None]] = [
    (f"{ESERVICES}/personal/att-gora", "Att göra", None),
    (f"{ESERVICES}/personal/inkorg", "Inkorg", None),
    (f"{ESERVICES}/personal/meddelanden", "Meddelanden", None),
    (f"{ESERVICES}/personal/narstaende", "Godkänna närstående", None),
    ("", "Avvikelser i besök", "/personal/avvikelser"),
]


# The provider's side navigation (coordinators and the provider's manager): (address, label, inner path)
PROVIDER_NAV: list[tuple[str, str, str | None]] = [
    ("", "Översikt", "/personal/oversikt"),
    ("", "Att åtgärda", "/personal/att-atgarda"),
    ("", "Besök", "/personal/besok"),
    ("", "Frånvaro", "/personal/franvaro"),
    ("", "Taggar och lås", "/personal/enheter"),
    ("", "Månaden och fakturaunderlag", "/personal/manaden"),
    # the staff registry for visits, and where the accounts are kept (the identity app's staff
    # directory, whose keeper is the provider's administrator, not the coordinator): registry page
    ("", "Personal och konton", "/personal/personal"),
]
# A staff member's own pages
STAFF_NAV: list[tuple[str, str, str | None]] = [
    ("", "Besöksappen", "/personal/app"),
    ("", "Mina registreringar", "/personal/mina-registreringar"),
]
PROVIDER_LEAD_ACTION = "visits.approve"  # the provider's coordinators and manager
STAFF_ACTION = "visit_events.post"  # the provider's staff (and coordinators, who may perform visits)


def start_path(principal: Principal) -> str:
    """Where a login lands: a case worker's deviations, a provider lead's overview, a staff member's own."""
    if principal.role == Role.CASE_WORKER:
        return "/personal/avvikelser"
    if principal.role in (Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER):
        return "/personal/oversikt"
    return "/personal/mina-registreringar"


page_title = titles(SITE)


def staff_only(principal: Principal) -> None:
    """Who may log in to the section (``oidc.finish_login``'s ``admit``): case workers and providers' staff."""
    if principal.role not in ROLES:
        raise Forbidden("besöksuppföljningen är för handläggare och utförarens personal")


def case_worker(ctx: Context) -> Principal:
    """The logged-in case worker (a login page for nobody, 403 for anyone else)."""
    return ctx.require_principal(CASE_WORKER_ACTION)


def provider_lead(ctx: Context) -> Principal:
    """The logged-in coordinator or manager of a provider (a login page for nobody, 403 for anyone else)."""
    return ctx.require_principal(PROVIDER_LEAD_ACTION)


def staff_member(ctx: Context) -> Principal:
    """The logged-in staff member of a provider (a login page for nobody, 403 for anyone else)."""
    return ctx.require_principal(STAFF_ACTION)


def nav(ctx: Context, current: str) -> list[dict[str, Any]]:
    principal = ctx.user.principal if ctx.user is not None else None
    role = principal.role if principal is not None else None
    items = (CASE_WORKER_NAV if role == Role.CASE_WORKER
             else PROVIDER_NAV if role in (Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER) else STAFF_NAV)
    if role == Role.PROVIDER_COORDINATOR:  # a coordinator may perform visits too: their own page
        items = [*items, *STAFF_NAV]
    return [{"href": ctx.url(inner) if inner else href, "label": label, "current": inner == current}
            for href, label, inner in items]
