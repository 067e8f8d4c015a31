"""Logging in to the case workers' section and out, keeping the session alive, and the page for
a session that ended. The login is OpenID Connect code + PKCE against Insats' own authorization
server (``section.staff_config``), with the toolkit's relying party (``..oidc``); a case
worker is let in, and an auditor, who lands on the log pages (``common.case_workers_only``)."""
from __future__ import annotations

import urllib.parse

from ....auth.principal import Role
from .. import staff_login
from ..http import Context, Page, Redirect
from .common import case_workers_only, page_title

START = "/personal/att-gora"
AUDIT_START = "/personal/logg"  # an auditor's start: the log pages are all they reach here
ADMIT = case_workers_only


def _auditor(ctx: Context) -> bool:
    return ctx.user is not None and ctx.user.principal is not None and ctx.user.principal.role == Role.AUDITOR


def login(ctx: Context) -> Redirect:
    return staff_login.login(ctx, START)


def login_done(ctx: Context) -> Page | Redirect:
    result = staff_login.login_done(ctx, ADMIT, page_title)
    if isinstance(result, Redirect) and _auditor(ctx):  # an auditor lands on the log, wherever else they were going
        if not urllib.parse.urlsplit(result.location).path.startswith(ctx.url(AUDIT_START)):
            return Redirect(ctx.url(AUDIT_START))
    return result


def logout(ctx: Context) -> Page:
    return staff_login.logout(ctx, page_title)


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    return staff_login.keep_alive(ctx)


def front(ctx: Context) -> Redirect:
    return Redirect(ctx.url(AUDIT_START if _auditor(ctx) else START))
