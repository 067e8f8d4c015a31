"""Insats' own bearer tokens (``issuer.py`` mints them): signature against Insats' JWKS, issuer,
audience, times (``nbf``, ``iat``, ``exp``, 30 s leeway).

Settings (``services/settings.py``): ``INSATS_TOKEN_ISSUER`` (default ``{PUBLIC_BASE_URL}/identity``),
``INSATS_TOKEN_AUDIENCE`` (default ``insats``), ``INSATS_TOKEN_JWKS_URL``: an https URL (the identity
app's ``/identity/.well-known/jwks.json``) or, locally, a ``file://`` path to the key folder's
``jwks.json``. The ``OIDC_*`` settings are the e-ID broker's and are never read here. A token
signed by any key in the JWKS verifies: while keys rotate, the current and the previous one.

Every problem with a token is a 401; only an identity provider we cannot reach (and no keys
recent enough to fall back on) is a 503. The JWKS is cached:

- fresh for ``ttl`` (5 min), then fetched again on the next request;
- a token naming a key id we do not have triggers one refetch, at most once per
  ``cooldown`` (30 s), so a stream of forged key ids cannot hammer the provider;
- when a fetch fails, the last good keys keep working until ``max_stale`` (1 h) after they
  were fetched; a failed fetch is retried at most once per ``cooldown``.

No lock is held while fetching: one caller fetches, others use what is cached (or, with
nothing cached yet, wait a bounded time for that one fetch).
"""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any, Callable, Protocol

from pydantic import ValidationError

from ..domain.errors import Unauthenticated, Unavailable
from ..settings import settings
from . import jws
from .principal import Principal

# The algorithms a key may sign with, by its type (and curve): the token's header never chooses
# the family, so an RSA public key is never tried as an HMAC secret or an EC key.
_RSA = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
_OKP = {"Ed25519": "EdDSA"}
_MAX_TOKEN_LENGTH = 16 * 1024


class JwksUnavailable(Exception):
    """The JWKS could not be fetched or read."""


class JwksSource(Protocol):
    def fetch(self) -> dict[str, Any]:
        """The JWKS document; raises ``JwksUnavailable`` when it cannot be had."""


class UrlJwksSource:
    """An https URL, or a ``file://`` path (a key folder's ``jwks.json``)."""

    def __init__(self, url: str, timeout: float = 3.0) -> None:
        self._url = url
        self._timeout = timeout

    def fetch(self) -> dict[str, Any]:
        try:
            if self._url.startswith("file://"):
                with open(self._url.removeprefix("file://"), encoding="utf-8") as fh:
                    data = json.load(fh)
            else:
                with urllib.request.urlopen(self._url, timeout=self._timeout) as resp:  # noqa: S310 - configured
                    data = json.load(resp)
        except (OSError, ValueError) as exc:  # URLError and timeouts are OSErrors; bad JSON a ValueError
            raise JwksUnavailable(type(exc).__name__) from None
        if not isinstance(data, dict):
            raise JwksUnavailable("the JWKS is not a JSON object")
        return data


def allowed_algorithm(jwk: dict[str, Any]) -> str | None:
    """The one algorithm a JWK may verify, from its key type; None for a key we never use."""
    kty, crv, alg = jwk.get("kty"), jwk.get("crv"), jwk.get("alg")
    if kty == "RSA":
        family: set[str] = set(_RSA)
        default = "RS256"
    elif kty == "EC" and crv in _EC:
        family, default = {_EC[crv]}, _EC[crv]
    elif kty == "OKP" and crv in _OKP:
        family, default = {_OKP[crv]}, _OKP[crv]
    else:  # symmetric ("oct") or unknown keys have no place in a public JWKS
        return None
    if alg is None:
        return default
    return alg if alg in family else None


class Keys:
    """Usable keys of one JWKS, by key id."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.by_kid: dict[str, tuple[Any, str]] = {}
        raw = document.get("keys")
        if not isinstance(raw, list):
            raise JwksUnavailable("the JWKS has no key list")
        for entry in raw:
            if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
                continue
            if entry.get("use") not in (None, "sig"):
                continue
            algorithm = allowed_algorithm(entry)
            if algorithm is None:
                continue
            try:
                key = jws.public_key(entry, algorithm)
            except (jws.TokenError, ValueError, TypeError, KeyError):
                continue
            self.by_kid[entry["kid"]] = (key, algorithm)
        if not self.by_kid:
            raise JwksUnavailable("the JWKS holds no usable signing key")


class JwksCache:
    def __init__(self, source: JwksSource, *, ttl: float = 300.0, cooldown: float = 30.0, max_stale: float = 3600.0,
                 wait: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._source = source
        self._ttl, self._cooldown, self._max_stale, self._wait = ttl, cooldown, max_stale, wait
        self._clock = clock
        self._keys: Keys | None = None
        self._fetched_at = 0.0  # last successful fetch
        self._attempted_at: float | None = None  # last fetch started, successful or not
        self._inflight: threading.Event | None = None
        self._state = threading.Lock()  # guards the fields above, never held while fetching

    def key(self, kid: str) -> tuple[Any, str]:
        """The key and its one algorithm; ``Unauthenticated`` for an unknown kid, ``Unavailable``
        when the JWKS cannot be had and no recent keys remain."""
        keys = self._current(kid)
        if keys is None:
            raise Unavailable("the identity provider cannot be reached; try again in a minute")
        found = keys.by_kid.get(kid)
        if found is None:
            raise Unauthenticated("the token's signing key is unknown")
        return found

    def _current(self, kid: str) -> Keys | None:
        now = self._clock()
        with self._state:
            keys = self._keys
            fresh = keys is not None and now - self._fetched_at <= self._ttl
            if fresh and kid in keys.by_kid:
                return keys
            may_try = self._attempted_at is None or now - self._attempted_at >= self._cooldown
            if self._inflight is not None:
                event, fetcher = self._inflight, False
            elif may_try:
                event = self._inflight = threading.Event()
                self._attempted_at, fetcher = now, True
            else:
                return self._usable(now)
        if fetcher:
            self._fetch(event)
        elif self._usable(now) is None:
            event.wait(self._wait)  # nothing cached yet: wait for the one fetch under way
        with self._state:
            return self._usable(self._clock())

    def _fetch(self, event: threading.Event) -> None:
        try:
            keys = Keys(self._source.fetch())
        except JwksUnavailable:
            keys = None
        except Exception:  # noqa: BLE001 - a broken source is an unavailable provider, not a crash
            keys = None
        with self._state:
            if keys is not None:
                self._keys, self._fetched_at = keys, self._clock()
            self._inflight = None
        event.set()

    def _usable(self, now: float) -> Keys | None:
        if self._keys is not None and now - self._fetched_at <= self._max_stale:
            return self._keys
        return None


class TokenVerifier:
    def __init__(self, jwks: str | JwksSource, issuer: str, audience: str, **cache: Any) -> None:
        source = UrlJwksSource(jwks) if isinstance(jwks, str) else jwks
        self._jwks = JwksCache(source, **cache)
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
        if len(token) > _MAX_TOKEN_LENGTH:
            raise Unauthenticated("the token is not valid: too long")
        try:
            header = jws.header(token)
        except Exception:  # noqa: BLE001 - whatever a client sends, a bad token is a 401
            raise Unauthenticated("the token is not valid: DecodeError") from None
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token names no signing key (kid)")
        key, algorithm = self._jwks.key(kid)
        if header.get("alg") != algorithm:
            raise Unauthenticated("the token is not valid: its algorithm does not match its key")
        try:
            claims = jws.decode(token, key, algorithm, audience=self._audience, issuer=self._issuer,
                                require=("exp", "iat", "iss", "aud", "sub"), leeway=30)
        except jws.TokenError as exc:
            if exc.name == "ExpiredSignatureError":
                raise Unauthenticated("the token has expired") from None
            raise Unauthenticated(f"the token is not valid: {exc.name}") from None
        except Exception:  # noqa: BLE001 - a library error on a hostile token is still the token's fault
            raise Unauthenticated("the token is not valid") from None
        try:
            return Principal(
                subject=claims["sub"],
                role=claims.get("role"),
                personnummer=claims.get("personnummer"),
                user_id=claims.get("user_id"),
                provider_id=claims.get("provider_id"),
                organisation_id=claims.get("organisation_id"),
                name=claims.get("name"),
            )
        except (ValidationError, TypeError, ValueError):
            raise Unauthenticated("the token's claims are incomplete") from None


_verifier: TokenVerifier | None = None


def verifier() -> TokenVerifier:
    global _verifier
    if _verifier is None:
        s = settings()
        if not s.token_jwks_url:
            raise Unavailable("Insats public keys are not configured (INSATS_TOKEN_JWKS_URL)")
        _verifier = TokenVerifier(s.token_jwks_url, s.token_issuer, s.token_audience)
    return _verifier


def reset_verifier() -> None:
    global _verifier
    _verifier = None


def principal_from_headers(headers: dict[str, str]) -> Principal:
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    return verifier().verify(token.strip())
