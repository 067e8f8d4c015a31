"""The login cycle every staff section shares (case work, besöksuppföljning, uppföljning): OpenID
Connect code + PKCE against Insats' own authorization server with the toolkit's relying party
(``oidc``), logout with revocation, and 'Fortsätt vara inloggad'. A section gives what differs: where
a login lands, whom it admits, its page titles, and (optionally) its page for a role it does not serve:
its ``session.py`` holds a ``StaffViews`` of those facts and names its views (``login = VIEWS.login``)."""
from __future__ import annotations

from dataclasses import dataclass
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


def logout(ctx: Context, title: Titles, layout: str) -> Page:
    """``layout``: the section's layout, which the shared ``logged_out.html`` extends."""
    revoke(ctx.config, ctx.user, **_token_endpoint(ctx))
    ctx.end()
    return Page("logged_out.html", {"title": title("Du är utloggad"), "layout": layout,
                                    "login_url": ctx.url("/personal/logga-in")}, personal=False)


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    ctx.require_principal()
    return Redirect(safe_next(ctx.config, ctx.form.get("next")))


def refused_page(title: Titles, heading: str, text: str) -> Callable[[Context], Page]:
    """A section's page for a role it does not serve (the authorization server refuses it first)."""

    def refused(ctx: Context) -> Page:
        return Page("error.html", {"title": title("Inte för din roll"), "heading": heading, "text": text}, status=403)

    return refused


@dataclass(frozen=True)
class StaffViews:
    """A staff section's session views from its facts: whom a login admits, its page titles, where a
    logged-in person starts (``front``), where a login lands unless asked for a page, and its page
    for a role it does not serve (None: the refusal is raised). ``layout``: the section's layout
    (``{% extends layout %}`` in the toolkit's ``logged_out.html`` and ``session_ended.html``)."""

    admit: Callable[[Principal], None]
    title: Titles
    start_path: Callable[[Principal], str]
    layout: str
    start: str = "/personal"  # where a login lands: each role's own start page (``front``)
    refused: Callable[[Context], Page] | None = None

    def login(self, ctx: Context) -> Redirect:
        return login(ctx, self.start)

    def login_done(self, ctx: Context) -> Page | Redirect:
        return login_done(ctx, self.admit, self.title, refused=self.refused)

    def logout(self, ctx: Context) -> Page:
        return logout(ctx, self.title, self.layout)

    def keep_alive(self, ctx: Context) -> Redirect:
        """'Fortsätt vara inloggad': the request itself moved the session's end."""
        return keep_alive(ctx)

    def front(self, ctx: Context) -> Redirect:
        return Redirect(ctx.url(self.start_path(ctx.require_principal())))
