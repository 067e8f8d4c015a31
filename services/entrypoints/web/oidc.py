"""OpenID Connect authorization code flow with PKCE (RFC 7636), as a relying party.

In production the issuer is the municipality's e-ID broker (BankID, Freja eID); locally the
development issuer's authorize page and token endpoint (``services/auth/dev_issuer.py``). The ID
token is verified like any bearer token (JWKS signature, issuer, audience, expiry), and its nonce
must be the one this login sent.
"""
from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from ...auth.principal import Principal
from ...domain.errors import Unauthenticated
from .config import WebConfig
from .sessions import PendingLogin, WebSession, new_secret

DEFAULT_RENEW = 60  # seconds: how long a section trusts a login before asking the identity service again

TokenEndpoint = Callable[[str, dict[str, str]], dict[str, Any]]


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_login(next_path: str) -> PendingLogin:
    return PendingLogin(state=new_secret(), nonce=new_secret(), verifier=new_secret() + new_secret(), next=next_path)


def authorize_url(config: WebConfig, login: PendingLogin) -> str:
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": config.client_id, "redirect_uri": config.redirect_uri,
        "scope": "openid", "state": login.state, "nonce": login.nonce,
        "code_challenge": challenge_of(login.verifier), "code_challenge_method": "S256", "ui_locales": "sv",
    })
    return f"{config.authorize_url}?{query}"


class TokenRefused(Unauthenticated):
    """The token endpoint answered no (a used code, an ended login): not a network failure."""


@dataclass(frozen=True)
class SignedIn:
    """A completed login: who, and the identity service's standing to renew it."""

    principal: Principal
    refresh_token: str | None
    renew_after: int

    def session_fields(self, now: datetime) -> dict[str, Any]:
        return {"principal": self.principal, "refresh_token": self.refresh_token,
                "renew_at": now + timedelta(seconds=self.renew_after)}


def http_token_endpoint(url: str, form: dict[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - configured URL
            return json.load(resp)
    except urllib.error.HTTPError as exc:
        raise TokenRefused(f"the token endpoint refused ({exc.code})") from None
    except (urllib.error.URLError, ValueError) as exc:
        raise Unauthenticated(f"the token endpoint did not answer: {type(exc).__name__}") from None


def people_only(principal: Principal) -> None:
    """The citizens' section: people logged in with e-ID, never a staff account."""
    if principal.personnummer is None or principal.is_staff:
        raise Unauthenticated("the e-services are for people logged in with e-ID")


def finish_login(config: WebConfig, login: PendingLogin, code: str, state: str,
                 token_endpoint: TokenEndpoint = http_token_endpoint,
                 admit: Callable[[Principal], None] = people_only) -> SignedIn:
    """Exchanges the code (with the PKCE verifier) for an ID token and returns who logged in;
    ``admit`` is the section's own check of who may log in to it (it raises to refuse)."""
    import hmac

    import jwt

    from ...auth.tokens import verifier

    if not state or not hmac.compare_digest(state, login.state):
        raise Unauthenticated("the login's state does not match")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": config.redirect_uri,
            "client_id": config.client_id, "code_verifier": login.verifier}
    if config.client_secret:
        form["client_secret"] = config.client_secret
    tokens = token_endpoint(config.token_url, form)
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise Unauthenticated("the token endpoint returned no ID token")
    principal = verifier().verify(id_token)  # signature, issuer, audience, expiry
    claims = jwt.decode(id_token, options={"verify_signature": False})  # verified just above
    if not hmac.compare_digest(str(claims.get("nonce", "")), login.nonce):
        raise Unauthenticated("the ID token's nonce does not match")
    admit(principal)
    refresh = tokens.get("refresh_token")
    renew_after = tokens.get("renew_after")
    return SignedIn(principal=principal, refresh_token=refresh if isinstance(refresh, str) else None,
                    renew_after=renew_after if isinstance(renew_after, int) and renew_after > 0 else DEFAULT_RENEW)


def renew(config: WebConfig, session: WebSession, now: datetime,
          token_endpoint: TokenEndpoint = http_token_endpoint) -> bool:
    """Asks the identity service whether the login still holds (the refresh grant). False when it
    says no (a logout there, an ended account): the section's session ends. A service that does not
    answer is asked again on the next request; the session goes on meanwhile."""
    from ...auth.tokens import verifier

    assert session.refresh_token is not None and session.principal is not None
    form = {"grant_type": "refresh_token", "refresh_token": session.refresh_token, "client_id": config.client_id}
    if config.client_secret:
        form["client_secret"] = config.client_secret
    try:
        tokens = token_endpoint(config.token_url, form)
        principal = verifier().verify(str(tokens.get("id_token", "")))
    except TokenRefused:
        return False
    except Unauthenticated:
        return True  # the identity service did not answer (or answered garbage): try again next request
    if principal.subject != session.principal.subject:
        return False
    session.principal = principal
    renew_after = tokens.get("renew_after")
    session.renew_at = now + timedelta(seconds=renew_after if isinstance(renew_after, int) and renew_after > 0
                                       else DEFAULT_RENEW)
    return True


def revoke(config: WebConfig, session: WebSession | None, token_endpoint: TokenEndpoint = http_token_endpoint) -> None:
    """A logout in a section ends the login at the identity service too (RFC 7009, on the back
    channel), so the next login there asks for e-ID again. Best effort: the section's own session
    ends whatever the answer."""
    if session is None or not session.refresh_token or not config.revoke_url:
        return
    form = {"token": session.refresh_token, "token_type_hint": "refresh_token", "client_id": config.client_id}
    if config.client_secret:
        form["client_secret"] = config.client_secret
    try:
        token_endpoint(config.revoke_url, form)
    except Unauthenticated:
        pass  # refused or unreachable: its refresh then fails at the login's own end
