"""Logging in to the billing section and out, keeping the session alive. The login is OpenID Connect
code + PKCE against Insats' own authorization server (``section.billing_config``), with the toolkit's
relying party (``..oidc``); finance and the ordering unit are let in (``common.admitted``)."""
from __future__ import annotations

from .. import staff_login
from ..http import Context, Page, Redirect
from .common import NAV, admitted, nav, page_title, start_path

START = "/personal"  # where a login lands: each role's own start page (``front``)


def _not_for_your_role(ctx: Context) -> Page:
    """A role the section does not serve (the authorization server refuses it first)."""
    return Page("error.html", {"title": page_title("Inte för din roll"),
                               "heading": "Ekonomisidorna är inte för din roll",
                               "text": "Fakturaunderlag, utbetalningar och regler är för kommunens ekonomi och "
                                       "beställarenheten. Utförarens fakturaunderlag finns i besöksuppföljningen."},
                status=403)


def login(ctx: Context) -> Redirect:
    return staff_login.login(ctx, START)


def login_done(ctx: Context) -> Page | Redirect:
    return staff_login.login_done(ctx, admitted, page_title, refused=_not_for_your_role)


def logout(ctx: Context) -> Page:
    return staff_login.logout(ctx, page_title)


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    return staff_login.keep_alive(ctx)


def front(ctx: Context) -> Redirect:
    principal = ctx.require_principal()
    return Redirect(ctx.url(start_path(principal)))


def start(ctx: Context) -> Page:
    """The section's start: what there is to do, per role."""
    from .common import member

    principal = member(ctx)
    links = [{"href": ctx.url(inner), "label": label} for label, inner, roles in NAV
             if principal.role in roles and inner != "/personal/start"]
    return Page("start.html", {"title": page_title("Start"), "nav": nav(ctx, "/personal/start"), "links": links})
