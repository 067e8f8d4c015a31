"""Logging in to the visits section and out, keeping the session alive. The login is OpenID Connect
code + PKCE against Insats' own authorization server (``section.visits_config``), with the toolkit's
relying party (``..oidc``); case workers and providers' staff are let in (``common.staff_only``),
each page then asks for its own role."""
from __future__ import annotations

from .. import staff_login
from ..http import Context, Page, Redirect
from .common import page_title, staff_only, start_path

START = "/personal"  # where a login lands: each role's own start page (``front``)
ADMIT = staff_only


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
    principal = ctx.require_principal()
    return Redirect(ctx.url(start_path(principal)))
