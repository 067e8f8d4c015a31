"""Bearer JWTs from an OIDC provider: signature against the issuer's JWKS, issuer, audience, expiry.

In production the issuer is the municipality's e-ID broker (BankID, Freja eID); locally the
development issuer in ``dev_issuer.py`` mints the tokens. ``OIDC_JWKS_URL`` is an https URL or,
locally, a ``file://`` path that the development issuer writes.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import jwt
from pydantic import ValidationError

from ..domain.errors import Unauthenticated
from ..settings import settings
from .principal import Principal

_JWKS_TTL_SECONDS = 300
_ALGORITHMS = ["RS256", "ES256"]


class JwksCache:
    def __init__(self, url: str) -> None:
        self._url = url
        self._keys: jwt.PyJWKSet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _load(self) -> jwt.PyJWKSet:
        if self._url.startswith("file://"):
            with open(self._url.removeprefix("file://"), encoding="utf-8") as fh:
                data = json.load(fh)
        else:
            with urllib.request.urlopen(self._url, timeout=5) as resp:  # noqa: S310 - configured URL
                data = json.load(resp)
        return jwt.PyJWKSet.from_dict(data)

    def key(self, kid: str | None) -> Any:
        with self._lock:
            stale = time.monotonic() - self._fetched_at > _JWKS_TTL_SECONDS
            if self._keys is None or stale or not self._find(kid):
                self._keys, self._fetched_at = self._load(), time.monotonic()
            found = self._find(kid)
        if found is None:
            raise Unauthenticated("the token's signing key is unknown")
        return found.key

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        assert self._keys is not None
        for k in self._keys.keys:
            if kid is None or k.key_id == kid:
                return k
        return None


class TokenVerifier:
    def __init__(self, jwks_url: str, issuer: str, audience: str) -> None:
        self._jwks = JwksCache(jwks_url)
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            key = self._jwks.key(header.get("kid"))
            claims = jwt.decode(
                token,
                key=key,
                algorithms=_ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the token is not valid: {type(exc).__name__}") from None
        try:
            return Principal(
                subject=claims["sub"],
                role=claims.get("role"),
                personnummer=claims.get("personnummer"),
                user_id=claims.get("user_id"),
                provider_id=claims.get("provider_id"),
                name=claims.get("name"),
            )
        except ValidationError:
            raise Unauthenticated("the token's claims are incomplete") from None


_verifier: TokenVerifier | None = None


def verifier() -> TokenVerifier:
    global _verifier
    if _verifier is None:
        s = settings()
        if not s.oidc_jwks_url:
            raise Unauthenticated("no identity provider is configured (OIDC_JWKS_URL)")
        _verifier = TokenVerifier(s.oidc_jwks_url, s.oidc_issuer, s.oidc_audience)
    return _verifier


def reset_verifier() -> None:
    global _verifier
    _verifier = None


def principal_from_headers(headers: dict[str, str]) -> Principal:
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send Authorization: Bearer <token>")
    return verifier().verify(token.strip())
