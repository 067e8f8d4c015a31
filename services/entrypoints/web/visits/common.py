"""What the visits section's pages share: the page title, the side navigation (the case workers'
pages of the e-services app and this section's), who may log in, and the logged-in case worker."""
from __future__ import annotations

from typing import Any

from ....auth.principal import Principal, Role
from ....domain.errors import Forbidden
from ..http import Context

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


def page_title(*parts: str, error: bool = False) -> str:
    return ("Fel: " if error else "") + " – ".join([*parts, SITE])


def staff_only(principal: Principal) -> None:
    """Who may log in to the section (``oidc.finish_login``'s ``admit``): case workers and providers' staff."""
    if principal.role not in ROLES:
        raise Forbidden("besöksuppföljningen är för handläggare och utförarens personal")


def case_worker(ctx: Context) -> Principal:
    """The logged-in case worker (a login page for nobody, 403 for anyone else)."""
    return ctx.require_principal(CASE_WORKER_ACTION)


def nav(ctx: Context, current: str) -> list[dict[str, Any]]:
    return [{"href": ctx.url(inner) if inner else href, "label": label, "current": inner == current}
            for href, label, inner in CASE_WORKER_NAV]
