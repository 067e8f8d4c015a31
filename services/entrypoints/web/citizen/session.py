"""Logging in and out, keeping a session alive, a session that ended while a step was being
filled in (what was posted is kept for after the next login), and choosing whom to act for."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ....domain.errors import Conflict, NotFound, ValidationFailed
from ....eservices.usecases import submissions
from ....eservices.domain.forms import get_form
from ....eservices.domain.forms.engine import validate_step
from .. import formview as fv
from ..http import Context, Form, Page, Redirect, safe_next
from ..oidc import authorize_url, finish_login, new_login, revoke
from ..sessions import Stash, WebSession
from .common import acting_choices, registered_person, title


def login(ctx: Context) -> Redirect:
    pending = new_login(safe_next(ctx.config, ctx.query.get("next")))
    if ctx.user is not None:
        # A logged-in person stays logged in until a new login completes: a link from another
        # site to this page (SameSite=Lax lets a top-level GET carry the cookie) logs nobody out.
        ctx.user.login = pending
        ctx.save_session()
        return Redirect(authorize_url(ctx.config, pending), status=302)
    # Answers kept when a session ended travel on to the new login (see session_ended).
    stash = next((s.stash for s in (ctx.session, ctx.ended_session) if s is not None and s.stash), None)
    ctx.begin("login", login=pending, stash=stash)
    return Redirect(authorize_url(ctx.config, pending), status=302)


def login_done(ctx: Context) -> Page | Redirect:
    session = ctx.session
    if session is None or session.login is None:
        return Redirect(ctx.url("/web/logga-in"), status=303)
    if ctx.query.get("error"):
        if session.kind == "user":  # the person stays logged in as before
            session.login = None
            ctx.save_session()
        return Page("error.html", {"title": title("Inloggningen avbröts"), "heading": "Inloggningen avbröts",
                                   "text": "Du loggades inte in. Försök igen."}, status=401)
    signed_in = finish_login(ctx.config, session.login, ctx.query.get("code", ""), ctx.query.get("state", ""),
                             **_token_endpoint(ctx))
    principal = signed_in.principal
    next_path, stash = session.login.next, session.stash
    ctx.begin("user", **signed_in.session_fields(ctx.now))  # a new id: the login's id is never reused
    if stash is not None and stash.personnummer == str(principal.personnummer):
        return _resume_stash(ctx, stash)
    return Redirect(next_path)


def _token_endpoint(ctx: Context) -> dict[str, Any]:
    endpoint = ctx.deps.token_endpoint
    return {"token_endpoint": endpoint} if endpoint else {}


def logout(ctx: Context) -> Redirect:
    endpoint = ctx.deps.token_endpoint
    revoke(ctx.config, ctx.user, **({"token_endpoint": endpoint} if endpoint else {}))
    ctx.end()
    if ctx.config.end_session_url:  # the broker's session too: on a shared computer nobody is left logged in
        return Redirect(f"{ctx.config.end_session_url}?{urllib.parse.urlencode({'client_id': ctx.config.client_id})}")
    return Redirect(ctx.url("/web") + "?utloggad=1")


def keep_alive(ctx: Context) -> Redirect:
    """'Fortsätt vara inloggad': the request itself moved the session's end."""
    ctx.require_user()
    return Redirect(safe_next(ctx.config, ctx.form.get("next")))


def session_ended(ctx: Context, ended: WebSession, next_path: str) -> Page | Redirect:
    """The session ended while the person was filling in a step: what they posted is kept and
    saved into the draft once the same person has logged in again."""
    stash = None
    parts = ctx.raw_path.strip("/").split("/")
    if (ctx.method == "POST" and ended.principal is not None and ended.csrf_ok(ctx.form.get("csrf"))
            and len(parts) == 5 and parts[:2] == ["web", "utkast"] and parts[3] == "steg"):
        stash = Stash(personnummer=str(ended.principal.personnummer), draft_id=parts[2], step_id=parts[4],
                      pairs=[(k, v) for k, v in ctx.form.pairs if k not in ("csrf",)])
    ctx.sessions.delete(ended.session_id)
    ctx.ended_session = None
    ctx.begin("login", login=new_login(safe_next(ctx.config, next_path)), stash=stash)
    return Page("session_ended.html", {"title": title("Du har loggats ut"), "kept": stash is not None,
                                       "login_url": ctx.url("/web/logga-in") + "?" + urllib.parse.urlencode(
                                           {"next": safe_next(ctx.config, next_path)})})


def _resume_stash(ctx: Context, stash: Stash) -> Redirect:
    acting = ctx.require_user("drafts.update")
    try:
        draft = submissions.get_draft(ctx.deps, acting, stash.draft_id)
        form = get_form(draft.form_id)
        step = form.step(stash.step_id)
        if step is not None:
            posted = fv.from_form(step, Form(list(map(tuple, stash.pairs))), registered_person(ctx, acting))
            _, errors = validate_step(form, step.id, posted.answers, complete=False)
            submissions.save_draft(ctx.deps, acting, draft.draft_id, {step.id: fv.without_bad(step, posted, errors)},
                                   draft.version)
            ctx.notice("Du loggades ut efter en stund utan aktivitet. Dina svar är sparade.")
            return Redirect(ctx.url(f"/web/utkast/{draft.draft_id}/steg/{step.id}"))
    except (NotFound, Conflict, ValidationFailed):
        pass
    return Redirect(ctx.url("/web/mina-sidor"))


def acting_for(ctx: Context) -> Page | Redirect:
    """A relative chooses whom to act for: themselves or a citizen whose approval is in force."""
    choices = acting_choices(ctx, ctx.require_user("cases.read_own").who)
    if ctx.method == "POST":
        chosen = ctx.form.get("acting_for")
        match = next((c for c in choices if c["value"] == chosen), None)
        if match is None:
            raise NotFound("no approval for that person")
        assert ctx.user is not None
        ctx.user.acting_for = chosen or None
        ctx.user.acting_for_name = match["label"] if chosen else None
        ctx.user.notice = f"Du företräder nu {match['label']}." if chosen else "Du agerar nu för dig själv."
        ctx.save_session()
        return Redirect(ctx.url("/web/mina-sidor"))
    current = ctx.user.acting_for if ctx.user else None
    return Page("acting.html", {"title": title("Välj vem du företräder"), "choices": choices,
                                "current": current or ""})
