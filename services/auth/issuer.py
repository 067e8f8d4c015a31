"""Insats' own tokens: after a login Insats mints a short-lived JWT (RS256) that carries the
principal, signed with Insats' own key; every app verifies it with Insats' public JWKS
(``tokens.py``). No app reads the identity context's table to know who calls.

Claims: ``iss`` (``INSATS_TOKEN_ISSUER``), ``aud`` (``INSATS_TOKEN_AUDIENCE``), ``sub``, ``iat``,
``nbf``, ``exp``, ``jti``, ``role``, ``user_id``, ``organisation_id``, ``provider_id``,
``personnummer`` (people only: a staff token never carries one), ``name``, ``sid`` (the session
that minted it, when one did).

Lifetimes, and why
------------------
``ACCESS_TOKEN_SECONDS`` = 600 (10 minutes), for every bearer token: the APIs', the staff pages'
and the staff app's. A bearer token cannot be withdrawn once given: whoever holds it is the
principal until it expires, and the apps check nothing but the signature and the times. So the
lifetime is how long an ended account (or a role taken away, or a stolen token) keeps working,
and the issue asks that an ended account's tokens stop "within their short lifetime". Ten minutes
keeps that short while a session renews its token (and checks the account again, see the identity
context's ``account_valid``) seldom enough to cost nothing: one KMS signature per session per ten
minutes. Shorter would buy little, since the verifiers' clock leeway is 30 s and a retired key's
cached JWKS lingers up to 5 minutes (``tokens.py``); longer would let an ended account act for
longer than the time it takes to notice.

Sessions themselves (the web's cookie) end at once when an account ends: the session checks the
account when it renews the token, and ending an account ends its sessions.

``DevIssuer`` (``dev_issuer.py``, tests and ``/dev/token`` only) mints the same tokens with the
same keys, by default for an hour, so a long test run's token does not run out under it.

Keys and rotation
-----------------
The ``SigningKeys`` port signs with the current key and publishes the current and the previous
ones. ``jwks()`` lists the current key first: the minter names it in the token's header and checks
that ``sign`` used it (a rotation in between is retried once). Rotate: make a new current key
(``FileSigningKeys.rotate()``, or ``INSATS_SIGNING_KEY_IDS=new,old`` on AWS); both verify while
tokens of the old key can live. Retire the old key no sooner than ``RETIRE_AFTER_SECONDS`` later:
by then every token it signed has expired.

Adapters (``services/adapters/signing_keys.py``): ``FileSigningKeys`` (a folder, locally) and
``KmsSigningKeys`` (AWS KMS). ``insats_tokens()`` picks one from the environment.
"""
from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from ..domain.errors import Unavailable
from ..settings import settings
from . import jws
from .principal import PERSON_ROLES, Principal

ACCESS_TOKEN_SECONDS = 600  # bearer tokens for APIs, the staff pages and the staff app (see above)
RETIRE_AFTER_SECONDS = ACCESS_TOKEN_SECONDS + 60  # after a rotation: the old key's tokens have expired (leeway 30 s)
ALGORITHM = "RS256"


class SigningKeys(Protocol):
    """Insats' signing keys (the port)."""

    def sign(self, signing_input: bytes) -> tuple[str, bytes]:
        """(kid, RS256 signature of ``signing_input``) with the current key."""

    def jwks(self) -> dict:
        """The public keys: the current one first and, while rotating, the previous one(s)."""


class InsatsTokens:
    def __init__(self, keys: SigningKeys, issuer: str, audience: str, clock: Callable[[], float] = time.time) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self._clock = clock

    lifetime = ACCESS_TOKEN_SECONDS

    def mint(self, principal: Principal, *, lifetime: int = ACCESS_TOKEN_SECONDS, session_id: str | None = None,
             nonce: str | None = None) -> str:
        """A signed token for ``principal``, valid from now for ``lifetime`` seconds; ``nonce`` when
        it answers a section's login (the ID token of Insats' authorization server)."""
        if lifetime <= 0:
            raise ValueError("a token's lifetime is a positive number of seconds")
        return self.sign(self.claims(principal, lifetime=lifetime, session_id=session_id, nonce=nonce))

    def claims(self, principal: Principal, *, lifetime: int = ACCESS_TOKEN_SECONDS,
               session_id: str | None = None, nonce: str | None = None) -> dict[str, Any]:
        """The claims ``mint`` signs."""
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.audience, "sub": principal.subject,
            "iat": now, "nbf": now, "exp": now + lifetime, "jti": uuid.uuid4().hex,
            "role": str(principal.role),
        }
        for name in ("user_id", "organisation_id", "provider_id", "name"):
            value = getattr(principal, name)
            if value:
                claims[name] = str(value)
        if principal.personnummer and principal.role in PERSON_ROLES:
            claims["personnummer"] = str(principal.personnummer)
        if session_id:
            claims["sid"] = session_id
        if nonce:
            claims["nonce"] = nonce
        return claims

    def sign(self, claims: dict[str, Any]) -> str:
        """``claims`` as a compact JWS signed with the current key."""
        for _ in range(2):
            kid = self.current_kid()
            signed = jws.signing_input({"alg": ALGORITHM, "typ": "JWT", "kid": kid}, claims)
            signed_by, signature = self.keys.sign(signed)
            if signed_by == kid:
                return jws.compact(signed, signature)
        raise Unavailable("Insats signeringsnyckel byttes under signeringen; försök igen")

    def current_kid(self) -> str:
        keys = self.keys.jwks().get("keys") or []
        if not keys or not isinstance(keys[0].get("kid"), str):
            raise Unavailable("Insats har ingen signeringsnyckel")
        return keys[0]["kid"]

    def jwks(self) -> dict:
        """The public JWKS to serve (``/identity/.well-known/jwks.json``)."""
        return self.keys.jwks()


def signing_keys_from_env() -> SigningKeys:
    """``INSATS_SIGNING_KEY_IDS`` (KMS, "current[,previous]"), else ``INSATS_SIGNING_KEY_DIR`` (a
    folder), else, on the local stage, ``DEV_ISSUER_DIR`` (the development stack's folder)."""
    from ..adapters import signing_keys

    key_ids = os.environ.get("INSATS_SIGNING_KEY_IDS", "").strip()
    if key_ids:
        return signing_keys.KmsSigningKeys(key_ids)
    folder = os.environ.get("INSATS_SIGNING_KEY_DIR", "").strip()
    if not folder and settings().is_local:
        folder = os.environ.get("DEV_ISSUER_DIR", "").strip()
    if folder:
        return signing_keys.FileSigningKeys(folder)
    raise Unavailable("Insats har ingen signeringsnyckel (INSATS_SIGNING_KEY_IDS eller INSATS_SIGNING_KEY_DIR)")


_tokens: InsatsTokens | None = None


def insats_tokens() -> InsatsTokens:
    """The token minter of this process, from the environment (built on first use)."""
    global _tokens
    if _tokens is None:
        s = settings()
        _tokens = InsatsTokens(signing_keys_from_env(), s.token_issuer, s.token_audience)
    return _tokens


def reset_insats_tokens() -> None:
    global _tokens
    _tokens = None


def __getattr__(name: str) -> Any:
    """``FileSigningKeys`` and ``KmsSigningKeys`` are adapters (``services/adapters/signing_keys.py``),
    importable from here as the design names them."""
    if name in ("FileSigningKeys", "KmsSigningKeys"):
        from ..adapters import signing_keys

        return getattr(signing_keys, name)
    raise AttributeError(name)
