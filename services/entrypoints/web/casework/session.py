"""Logging in to the case workers' section and out, keeping the session alive, and the page for
a session that ended. The login is OpenID Connect code + PKCE against Insats' own authorization
server (``section.staff_config``), with the toolkit's relying party (``..oidc``); only a case
worker is let in (``common.case_workers_only``)."""
from __future__ import annotations

from .. import staff_login
from ..http import Context, Page, Redirect
from .common import case_workers_only, page_title

START = "/personal/att-gora"
ADMIT = case_workers_only


def login(ctx: Context) -> Redirect:
    return staff_login.login(ctx, START)


def login_done(ctx: Context) -> Page | Redirect:
    return staff_login.login_done(ctx, ADMIT, page_title)


def logout(ctx: Context) -> Page:
    return staff_login.logout(ctx, page_title)


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    return staff_login.keep_alive(ctx)


def front(ctx: Context) -> Redirect:
    return Redirect(ctx.url(START))
