"""What the follow-up section's pages share: the page title, the side navigation, who may log in
(the ordering unit, finance and case workers: the identity app's client ``insats-reports`` serves
the same roles; providers' people and auditors, whose log follow-up is in case work, are refused at
the door), and who may open the follow-up."""
from __future__ import annotations

from typing import Any

from ....auth.principal import Principal, Role
from ....domain.errors import Forbidden
from ..http import Context
from ..staff_section import role_nav, titles

SITE = "Insats uppföljning"

ROLES = FOLLOW_UP_ROLES = frozenset({Role.ORDERING_UNIT, Role.FINANCE, Role.CASE_WORKER})
FOLLOW_UP_ACTION = "reports.read"

# The side navigation: (label, inner path, the roles that see it).
NAV: list[tuple[str, str, frozenset[Role]]] = [
    ("Uppföljning", "/personal/uppfoljning", FOLLOW_UP_ROLES),
    ("Trend", "/personal/uppfoljning/trend", FOLLOW_UP_ROLES),
    ("Tidiga varningar", "/personal/uppfoljning/varningar", FOLLOW_UP_ROLES),
]


def start_path(principal: Principal) -> str:
    """Where a login lands: the month's follow-up."""
    return "/personal/uppfoljning"


page_title = titles(SITE)


def admitted(principal: Principal) -> None:
    """Who may log in to the section (``oidc.finish_login``'s ``admit``)."""
    if principal.role not in ROLES:
        raise Forbidden("uppföljningen är för beställarenheten, ekonomi och handläggare")


def follower(ctx: Context) -> Principal:
    """The logged-in person who may read the follow-up (a login page for nobody, 403 for anyone
    else: auditors and, should one have a session, providers' people)."""
    principal = ctx.require_principal(FOLLOW_UP_ACTION)
    if principal.role not in FOLLOW_UP_ROLES:
        raise Forbidden("uppföljningen är för beställarenheten och handläggare")
    return principal


def nav(ctx: Context, current: str) -> list[dict[str, Any]]:
    return role_nav(ctx, current, NAV)
