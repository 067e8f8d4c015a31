"""Logging in to the follow-up section and out, keeping the session alive. The login is OpenID
Connect code + PKCE against Insats' own authorization server (``section.reports_config``), with the
toolkit's relying party (``..oidc``); the ordering unit, finance and case workers are let in
(``common.admitted``), each page then asks for its own role."""
from __future__ import annotations

from .. import staff_login
from ..http import Context, Page, Redirect
from .common import admitted, page_title, start_path

START = "/personal"  # where a login lands: each role's own start page (``front``)
ADMIT = admitted


def _not_for_your_role(ctx: Context) -> Page:
    """A role the section does not serve (the authorization server refuses it first)."""
    return Page("error.html", {"title": page_title("Inte för din roll"),
                               "heading": "Uppföljningen är inte för din roll",
                               "text": "Uppföljningen är för beställarenheten, ekonomi och handläggare. "
                                       "Loggkontrollen för granskare finns i handläggningen. "
                                       "Utförarens sidor finns i besöksuppföljningen."}, status=403)


def login(ctx: Context) -> Redirect:
    return staff_login.login(ctx, START)


def login_done(ctx: Context) -> Page | Redirect:
    return staff_login.login_done(ctx, ADMIT, page_title, refused=_not_for_your_role)


def logout(ctx: Context) -> Page:
    return staff_login.logout(ctx, page_title)


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    return staff_login.keep_alive(ctx)


def front(ctx: Context) -> Redirect:
    principal = ctx.require_principal()
    return Redirect(ctx.url(start_path(principal)))

