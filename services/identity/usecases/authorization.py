"""Insats' authorization server at work (see ``domain/grants.py`` for why it exists).

``issue_code`` answers ``/identity/authorize`` for a person already logged in at the identity
service; ``redeem`` is the token endpoint (``authorization_code`` and ``refresh_token`` grants).
The token endpoint returns one Insats token as both ID token (with the request's nonce) and
access token, and a refresh token the section keeps in its own session.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping

from ...auth.principal import Principal
from ...domain.calendar import stockholm_date
from ..domain.grants import (CLIENTS, CODE_LIFETIME, AuthorizationRequest, CodeGrant, GrantRefused, RefreshGrant,
                             digest, new_secret, pkce_ok, redirect_with_code)
from ..domain.grants import RENEW_AFTER
from .login import account_valid


def issue_code(deps: Any, request: AuthorizationRequest, principal: Principal, session_id: str) -> str:
    """The redirect back to the section, with a code for ``principal``."""
    code = new_secret()
    now = deps.clock()
    deps.grants.put_code(digest(code), CodeGrant(
        client_id=request.client_id, redirect_uri=request.redirect_uri, code_challenge=request.code_challenge,
        nonce=request.nonce, principal=principal, session=digest(session_id), issued_at=now),
        expires_at=now + CODE_LIFETIME)
    return redirect_with_code(request, code, deps.tokens.issuer)


def redeem(deps: Any, form: Mapping[str, str], idle: timedelta) -> dict[str, Any]:
    """The token endpoint: a code (once, with its PKCE verifier) or a refresh token for a fresh
    Insats token. Refusals are ``GrantRefused`` with RFC 6749's codes."""
    grant_type = form.get("grant_type")
    client = CLIENTS.get(form.get("client_id", ""))
    if client is None:
        raise GrantRefused("invalid_client", "unknown client_id")
    if grant_type == "authorization_code":
        return _code(deps, form, idle)
    if grant_type == "refresh_token":
        return _refresh(deps, form, idle)
    raise GrantRefused("unsupported_grant_type", "authorization_code or refresh_token")


def _code(deps: Any, form: Mapping[str, str], idle: timedelta) -> dict[str, Any]:
    now = deps.clock()
    grant = deps.grants.take_code(digest(form.get("code", "")))  # gone after this, whatever follows
    if grant is None or grant.expired(now):
        raise GrantRefused("invalid_grant", "the code is unknown, used or expired")
    if form.get("client_id") != grant.client_id or form.get("redirect_uri") != grant.redirect_uri:
        raise GrantRefused("invalid_grant", "the code was issued to another client or redirect URI")
    if not pkce_ok(form.get("code_verifier", ""), grant.code_challenge):
        raise GrantRefused("invalid_grant", "the PKCE verifier does not match")
    _still_valid(deps, grant.principal, grant.session, now, idle)
    refresh_token = new_secret()
    deps.grants.put_refresh(digest(refresh_token), RefreshGrant(
        client_id=grant.client_id, principal=grant.principal, session=grant.session, issued_at=now))
    token = deps.tokens.mint(grant.principal, session_id=grant.session, nonce=grant.nonce)
    return _answer(deps, token, refresh_token)


def _refresh(deps: Any, form: Mapping[str, str], idle: timedelta) -> dict[str, Any]:
    now = deps.clock()
    refresh_token = form.get("refresh_token", "")
    grant = deps.grants.get_refresh(digest(refresh_token))
    if grant is None or grant.client_id != form.get("client_id"):
        raise GrantRefused("invalid_grant", "the refresh token is unknown or not this client's")
    _still_valid(deps, grant.principal, grant.session, now, idle)
    return _answer(deps, deps.tokens.mint(grant.principal, session_id=grant.session), refresh_token)


def _still_valid(deps: Any, principal: Principal, session: str, now: datetime, idle: timedelta) -> None:
    if not deps.sessions.keep_alive(session, now, idle):
        raise GrantRefused("invalid_grant", "the login has ended")
    if principal.is_staff and not account_valid(deps, principal.subject, stockholm_date(now), principal.role):
        raise GrantRefused("invalid_grant", "the staff account is not valid, or no longer has the role")


def _answer(deps: Any, token: str, refresh_token: str) -> dict[str, Any]:
    return {"access_token": token, "id_token": token, "token_type": "Bearer",
            "expires_in": deps.tokens.lifetime, "refresh_token": refresh_token,
            "renew_after": int(RENEW_AFTER.total_seconds())}


def revoke(deps: Any, form: Mapping[str, str]) -> None:
    """RFC 7009 revocation, from a section whose person logged out there: the refresh token's grant
    and the login at the identity service it came from end, so no section renews it again (and the
    next login asks for e-ID). Unknown tokens are ignored, as the RFC says."""
    digest_of_token = digest(form.get("token", ""))
    grant = deps.grants.get_refresh(digest_of_token)
    if grant is None or grant.client_id != form.get("client_id"):
        return
    deps.sessions.end_by_digest(grant.session)
    deps.grants.drop_refresh(digest_of_token)
