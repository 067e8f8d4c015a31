"""What the billing section's pages share: the page title, the side navigation, who may log in
(finance and the ordering unit: the identity app's client ``insats-billing`` serves the same roles;
providers' people, case workers and auditors are refused at the door) and who may do what."""
from __future__ import annotations

from typing import Any

from ....auth.principal import Principal, Role
from ....domain.errors import Forbidden
from ..http import Context
from ..staff_section import role_nav, titles

SITE = "Insats ekonomi"

ROLES = frozenset({Role.FINANCE, Role.ORDERING_UNIT})

# The side navigation: (label, inner path, the roles that see it). Pages come with their modules.
NAV: list[tuple[str, str, frozenset[Role]]] = [
    ("Start", "/personal/start", ROLES),
    ("Fakturaunderlag", "/personal/fakturaunderlag", ROLES),
    ("Klassificering", "/personal/klassificering", ROLES),
    ("Utbetalningar", "/personal/utbetalningar", ROLES),
    ("Regler", "/personal/regler", ROLES),
]


def start_path(principal: Principal) -> str:
    """Where a login lands: the month's invoice bases."""
    return "/personal/fakturaunderlag"


page_title = titles(SITE)


def admitted(principal: Principal) -> None:
    """Who may log in to the section (``oidc.finish_login``'s ``admit``)."""
    if principal.role not in ROLES:
        raise Forbidden("ekonomisidorna är för kommunens ekonomi och beställarenheten")


def member(ctx: Context, action: str | None = None) -> Principal:
    """The logged-in finance or ordering-unit person, allowed ``action`` (a login page for nobody, 403
    for anyone else who should somehow have a session)."""
    principal = ctx.require_principal(action)
    if principal.role not in ROLES:
        raise Forbidden("ekonomisidorna är för kommunens ekonomi och beställarenheten")
    return principal


def nav(ctx: Context, current: str) -> list[dict[str, Any]]:
    return role_nav(ctx, current, NAV)
