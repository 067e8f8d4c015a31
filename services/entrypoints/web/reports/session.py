"""Logging in to the follow-up section and out, keeping the session alive. The login is OpenID
Connect code + PKCE against Insats' own authorization server (``section.reports_config``), with the
toolkit's relying party (``..oidc``); the ordering unit, auditors and case workers are let in
(``common.admitted``), each page then asks for its own role."""
from __future__ import annotations

from ....domain.errors import Forbidden
from ..http import Context, Page, Redirect, safe_next
from ..oidc import authorize_url, finish_login, new_login, revoke
from .common import admitted, nav, page_title, start_path

START = "/personal"  # where a login lands: each role's own start page (``front``)


def login(ctx: Context) -> Redirect:
    pending = new_login(safe_next(ctx.config, ctx.query.get("next") or ctx.url(START)))
    if ctx.user is not None:  # logged in until the new login completes
        ctx.user.login = pending
        ctx.save_session()
    else:
        ctx.begin("login", login=pending)
    return Redirect(authorize_url(ctx.config, pending), status=302)


def login_done(ctx: Context) -> Page | Redirect:
    session = ctx.session
    if session is None or session.login is None:
        return Redirect(ctx.url("/personal/logga-in"), status=303)
    if ctx.query.get("error"):
        return Page("error.html", {"title": page_title("Inloggningen avbröts"), "heading": "Inloggningen avbröts",
                                   "text": "Du loggades inte in. Försök igen."}, status=401)
    endpoint = ctx.deps.token_endpoint
    try:
        signed_in = finish_login(ctx.config, session.login, ctx.query.get("code", ""), ctx.query.get("state", ""),
                                 **({"token_endpoint": endpoint} if endpoint else {}), admit=admitted)
    except Forbidden:  # a role the section does not serve (the authorization server refuses it first)
        ctx.end()
        return Page("error.html", {"title": page_title("Inte för din roll"),
                                   "heading": "Uppföljningen är inte för din roll",
                                   "text": "Uppföljningen är för beställarenheten, granskare och handläggare. "
                                           "Utförarens sidor finns i besöksuppföljningen."}, status=403)
    next_path = session.login.next
    ctx.begin("user", **signed_in.session_fields(ctx.now))  # a new id: the login's id is never reused
    return Redirect(next_path)


def logout(ctx: Context) -> Page:
    endpoint = ctx.deps.token_endpoint
    revoke(ctx.config, ctx.user, **({"token_endpoint": endpoint} if endpoint else {}))
    ctx.end()
    return Page("logged_out.html", {"title": page_title("Du är utloggad"),
                                    "login_url": ctx.url("/personal/logga-in")}, personal=False)


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    ctx.require_principal()
    return Redirect(safe_next(ctx.config, ctx.form.get("next")))


def front(ctx: Context) -> Redirect:
    principal = ctx.require_principal()
    return Redirect(ctx.url(start_path(principal)))


def start(ctx: Context) -> Page:
    """The auditors' start until their log follow-up is built."""
    ctx.require_principal()
    return Page("start.html", {"title": page_title("Start"), "nav": nav(ctx, "/personal/start")})
