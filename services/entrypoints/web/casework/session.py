"""Logging in to the case workers' section and out, keeping the session alive, and the page for
a session that ended. The login is OpenID Connect code + PKCE against Insats' own authorization
server (``section.staff_config``), with the toolkit's relying party (``..oidc``); a case
worker is let in, and an auditor, who lands on the log pages (``common.case_workers_only``)."""
from __future__ import annotations

import urllib.parse

from ....auth.principal import Role
from ..http import Context, Page, Redirect
from ..staff_login import StaffViews
from .common import case_workers_only, page_title
from .section import LAYOUT

START = "/personal/att-gora"
AUDIT_START = "/personal/logg"  # an auditor's start: the log pages are all they reach here
ADMIT = case_workers_only


def _auditor(ctx: Context) -> bool:
    return ctx.user is not None and ctx.user.principal is not None and ctx.user.principal.role == Role.AUDITOR


def front(ctx: Context) -> Redirect:
    return Redirect(ctx.url(AUDIT_START if _auditor(ctx) else START))


# ``front`` is the section's own (an auditor starts on the log; nobody logged in goes to Att göra)
VIEWS = StaffViews(admit=ADMIT, title=page_title, layout=LAYOUT, start_path=lambda _principal: START, start=START)
login, logout, keep_alive = VIEWS.login, VIEWS.logout, VIEWS.keep_alive


def login_done(ctx: Context) -> Page | Redirect:
    result = VIEWS.login_done(ctx)
    if isinstance(result, Redirect) and _auditor(ctx):  # an auditor lands on the log, wherever else they were going
        if not urllib.parse.urlsplit(result.location).path.startswith(ctx.url(AUDIT_START)):
            return Redirect(ctx.url(AUDIT_START))
    return result
