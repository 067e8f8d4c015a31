"""The login cycle every staff section shares (case work, besöksuppföljning, uppföljning): OpenID
Connect code + PKCE against Insats' own authorization server with the toolkit's relying party
(``oidc``), logout with revocation, and 'Fortsätt vara inloggad'. A section gives what differs: where
a login lands, whom it admits, its page titles, and (optionally) its page for a role it does not serve."""
from __future__ import annotations

from typing import Callable

from ...auth.principal import Principal
from ...domain.errors import Forbidden
from .http import Context, Page, Redirect, safe_next
from .oidc import authorize_url, finish_login, new_login, revoke

Titles = Callable[[str], str]


def _token_endpoint(ctx: Context) -> dict:
    endpoint = ctx.deps.token_endpoint  # tests pass one; otherwise over HTTP
    return {"token_endpoint": endpoint} if endpoint else {}


def login(ctx: Context, start: str) -> Redirect:
    pending = new_login(safe_next(ctx.config, ctx.query.get("next") or ctx.url(start)))
    if ctx.user is not None:  # logged in until the new login completes (a link from elsewhere logs nobody out)
        ctx.user.login = pending
        ctx.save_session()
    else:
        ctx.begin("login", login=pending)
    return Redirect(authorize_url(ctx.config, pending), status=302)


def login_done(ctx: Context, admit: Callable[[Principal], None], title: Titles,
               refused: Callable[[Context], Page] | None = None) -> Page | Redirect:
    """``refused``: the section's page for a role ``admit`` refuses (None: the refusal is raised)."""
    session = ctx.session
    if session is None or session.login is None:
        return Redirect(ctx.url("/personal/logga-in"), status=303)
    if ctx.query.get("error"):
        return Page("error.html", {"title": title("Inloggningen avbröts"), "heading": "Inloggningen avbröts",
                                   "text": "Du loggades inte in. Försök igen."}, status=401)
    try:
        signed_in = finish_login(ctx.config, session.login, ctx.query.get("code", ""), ctx.query.get("state", ""),
                                 **_token_endpoint(ctx), admit=admit)
    except Forbidden:
        if refused is None:
            raise
        ctx.end()
        return refused(ctx)
    next_path = session.login.next
    ctx.begin("user", **signed_in.session_fields(ctx.now))  # a new id: the login's id is never reused
    return Redirect(next_path)


def logout(ctx: Context, title: Titles) -> Page:
    revoke(ctx.config, ctx.user, **_token_endpoint(ctx))
    ctx.end()
    return Page("logged_out.html", {"title": title("Du är utloggad"),
                                    "login_url": ctx.url("/personal/logga-in")}, personal=False)


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    ctx.require_principal()
    return Redirect(safe_next(ctx.config, ctx.form.get("next")))
