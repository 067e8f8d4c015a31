"""Insats' own authorization server for its web sections: OpenID Connect's code flow with PKCE.

Why a second flow behind the e-ID broker's: each section of the web lives in the app that owns its
data (citizens' pages and case work in e-services, visits in visits, follow-up in reports and
billing), and no app reads another's table. A person logs in once, at the identity service, by
e-ID; each section then gets its own session the way any OpenID Connect client does — a code at
its redirect URI, exchanged on the back channel (with the PKCE verifier) for an Insats token whose
claims are the principal. Later the section renews that token with a refresh token, which the
identity service honours only while the person's login session there lasts and, for staff, their
account is valid: an ended account or a logout ends every section's session at its next renewal.

Everything here is pure: what a request must hold, what a code and a refresh grant bind, and the
PKCE check. ``usecases/authorization.py`` stores and redeems them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Mapping

from pydantic import BaseModel, ConfigDict

from ...auth.principal import PERSON_ROLES, Principal, Role

CODE_LIFETIME = timedelta(seconds=60)  # RFC 6749 recommends at most 10 minutes; a redirect takes a second
# How often a section asks again whether the login still holds. Also the bound on how long a
# section's session outlives a logout or an ended account.
RENEW_AFTER = timedelta(seconds=60)
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")  # S256 of any verifier: 32 bytes, base64url, no padding
_OPAQUE = re.compile(r"[\x21-\x7e]{8,512}")  # state and nonce: printable ASCII, no spaces


@dataclass(frozen=True)
class Client:
    """A section of the web (or the staff app) that logs people in through the identity service."""

    client_id: str
    redirect_path: str  # under the public base URL: the only place its codes go
    audience: Literal["people", "staff"]
    roles: frozenset[Role]  # the roles it serves; another role is refused at the door
    label: str  # Swedish, for the refusal page: "handläggning"
    logged_out_path: str = "/personal?utloggad=1"  # where its people land once the broker's session ended too

    @property
    def lands_at_personal(self) -> bool:
        return self.logged_out_path.startswith("/personal?")

    def redirect_uri(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}{self.redirect_path}"

    def serves(self, principal: Principal) -> bool:
        return principal.role in self.roles


# The sections that exist. A new section registers here (its redirect path and the roles it serves).
CLIENTS: dict[str, Client] = {c.client_id: c for c in (
    Client("insats-citizen-web", "/eservices/web/logga-in/klar", "people", frozenset(PERSON_ROLES),
           "e-tjänsterna", "/eservices/web?utloggad=1"),
    # Handläggning in the e-services app: the case workers' pages, and the auditors' log follow-up
    # (the only pages there for them).
    Client("insats-casework", "/eservices/personal/logga-in/klar", "staff",
           frozenset({Role.CASE_WORKER, Role.AUDITOR}), "handläggning"),
    # Besöksuppföljning in the visits app: the case workers' deviation decisions now, the providers' pages next.
    Client("insats-visits", "/visits/personal/logga-in/klar", "staff",
           frozenset({Role.CASE_WORKER, Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER, Role.PROVIDER_STAFF}),
           "besöksuppföljning"),
    # Uppföljning in the reports app: the ordering unit's follow-up of a month (a case worker: their own
    # clients'), the auditors' log follow-up next; providers are not let in.
    Client("insats-reports", "/reports/personal/logga-in/klar", "staff",
           frozenset({Role.ORDERING_UNIT, Role.FINANCE, Role.CASE_WORKER}), "uppföljning"),
    # Ekonomi in the billing app: invoice bases, reconciliation, classification, payouts and rules.
    Client("insats-billing", "/billing/personal/logga-in/klar", "staff",
           frozenset({Role.FINANCE, Role.ORDERING_UNIT}), "ekonomi"),
)}


class InvalidAuthorization(Exception):
    """A request that names no known client or a redirect URI not its own: shown as a page, never
    redirected (RFC 6749 §4.1.2.1: an unverified redirect URI is not followed)."""


class GrantRefused(Exception):
    """The token endpoint's refusal: an RFC 6749 §5.2 error code and a description."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


class AuthorizationRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str

    @classmethod
    def parse(cls, query: Mapping[str, str], base_url: str) -> tuple["AuthorizationRequest", Client]:
        client = CLIENTS.get(query.get("client_id", ""))
        if client is None or query.get("redirect_uri") != client.redirect_uri(base_url):
            raise InvalidAuthorization("okänd klient eller fel återadress")
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            raise InvalidAuthorization("endast code med PKCE (S256)")
        state, nonce, challenge = (query.get(k, "") for k in ("state", "nonce", "code_challenge"))
        if not (_OPAQUE.fullmatch(state) and _OPAQUE.fullmatch(nonce) and _CHALLENGE.fullmatch(challenge)):
            raise InvalidAuthorization("state, nonce eller code_challenge saknas eller är ogiltiga")
        return cls(client_id=client.client_id, redirect_uri=client.redirect_uri(base_url), state=state, nonce=nonce,
                   code_challenge=challenge), client

    def query(self) -> str:
        """The request again, as the query of ``/identity/authorize`` (to come back to after a login)."""
        return urllib.parse.urlencode({"response_type": "code", "client_id": self.client_id,
                                       "redirect_uri": self.redirect_uri, "state": self.state, "nonce": self.nonce,
                                       "code_challenge": self.code_challenge, "code_challenge_method": "S256"})


def digest(secret: str) -> str:
    """What is stored of a code, a refresh token or a session id: its SHA-256, never the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def pkce_ok(verifier: str, challenge: str) -> bool:
    if not 43 <= len(verifier) <= 128:
        return False
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest()).decode()
    return hmac.compare_digest(computed.rstrip("="), challenge)


class CodeGrant(BaseModel):
    """What one authorization code stands for; stored under the code's digest, redeemed once."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    principal: Principal
    session: str  # the digest of the identity session's id
    issued_at: datetime

    def expired(self, now: datetime) -> bool:
        return now - self.issued_at > CODE_LIFETIME


class RefreshGrant(BaseModel):
    """A section's standing to renew its token; stored under the refresh token's digest."""

    client_id: str
    principal: Principal
    session: str
    issued_at: datetime


def redirect_with_code(request: AuthorizationRequest, code: str, issuer: str) -> str:
    # RFC 9207: the issuer travels with the code, so a client talking to several cannot be confused.
    query = urllib.parse.urlencode({"code": code, "state": request.state, "iss": issuer})
    return f"{request.redirect_uri}?{query}"


def redirect_with_error(request: AuthorizationRequest, error: str, issuer: str) -> str:
    query = urllib.parse.urlencode({"error": error, "state": request.state, "iss": issuer})
    return f"{request.redirect_uri}?{query}"
