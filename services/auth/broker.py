"""The OpenID Connect relying party for the municipality's e-ID broker (BankID, Freja eID).

One login for everyone: authorization code with PKCE (S256), state and nonce. The provider is
found by discovery (``{issuer}/.well-known/openid-configuration``, cached for an hour per issuer)
and its keys come from its ``jwks_uri`` (``tokens.py``'s ``JwksCache`` and ``Keys``, checked with
``jws.py``). The callback's ``iss`` parameter (RFC 9207) is checked when present, and required when
the discovery says ``authorization_response_iss_parameter_supported``. The ID token's signature,
``iss``, ``aud`` (``azp`` when several audiences), ``exp``/``iat`` and ``nonce`` are checked. The
personnummer is read from the configured claim (the Swedish profile's by default), else the
coordination number claim, from the ID token or else from userinfo (whose ``sub`` must be the ID
token's). ``acr`` comes from the ID token only.

Client authentication by configuration: ``none`` (a public client with PKCE),
``client_secret_basic``, ``client_secret_post``, ``private_key_jwt`` (RFC 7523, RS256).

Every failure is a ``LoginRefused`` with a stable ``reason`` (for the audit) and a Swedish
``message`` saying what the person can do. Tokens and personnummer are never logged.

Configuration (env): ``OIDC_ISSUER``, ``OIDC_CLIENT_ID`` (default ``insats``),
``OIDC_CLIENT_SECRET``, ``OIDC_CLIENT_AUTH`` (default ``client_secret_basic`` when a secret is set,
else ``none``), ``OIDC_CLIENT_KEY`` (PEM or a path to one), ``OIDC_SCOPES``, ``OIDC_PNR_CLAIM``,
``OIDC_COORDINATION_CLAIM``. Locally without ``OIDC_ISSUER``: the development broker at
``{PUBLIC_BASE_URL}/dev/oidc`` (``dev_broker.py``).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from pydantic import BaseModel, ConfigDict, Field

from ..domain.errors import LoginRefused

log = logging.getLogger("insats.auth.broker")

DEFAULT_SCOPES = ("openid", "https://id.oidc.se/scope/naturalPersonNumber")
DEFAULT_PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
DEFAULT_COORDINATION_CLAIM = "https://id.oidc.se/claim/coordinationNumber"
CLIENT_AUTH_METHODS = ("none", "client_secret_basic", "client_secret_post", "private_key_jwt")
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DISCOVERY_SECONDS = 3600.0  # the provider's metadata is fetched again after an hour
DISCOVERY_MAX_STALE = 24 * 3600.0  # a provider that cannot be reached: its last metadata serves this long
DISCOVERY_RETRY = 60.0  # ... and is asked again at most this often
LEEWAY = 30  # seconds of clock skew allowed on exp and iat (as for Insats' own tokens)
ASSERTION_SECONDS = 60  # a private_key_jwt client assertion lives at most this long
MAX_TOKEN_LENGTH = 16 * 1024
MAX_RESPONSE_BYTES = 1024 * 1024

_TRY_AGAIN = "Inloggningen kunde inte slutföras. Försök igen."
MESSAGES = {
    "broker_error": "Inloggningen avbröts eller godkändes inte i e-legitimationen. Försök igen.",
    "state_mismatch": "Inloggningen kunde inte slutföras. Den kan ha tagit för lång tid eller startats i en "
                      "annan flik. Försök igen.",
    "wrong_iss": _TRY_AGAIN,
    "code_refused": "Inloggningen hann gå ut eller har redan använts. Försök igen.",
    "id_token_invalid": _TRY_AGAIN,
    "userinfo_invalid": _TRY_AGAIN,
    "nonce_mismatch": _TRY_AGAIN,
    "no_personnummer": "Inloggningen gav inget giltigt personnummer eller samordningsnummer. Logga in med en "
                       "e-legitimation som har ditt personnummer, till exempel BankID eller Freja eID.",
    "broker_unavailable": "Inloggningstjänsten svarar inte just nu. Försök igen om en stund.",
}


def refused(reason: str, detail: str = "") -> LoginRefused:
    return LoginRefused(reason, MESSAGES.get(reason, _TRY_AGAIN), detail=detail)


@dataclass(frozen=True)
class BrokerConfig:
    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    client_auth: str = "none"
    client_key_pem: str = field(default="", repr=False)
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    pnr_claim: str = DEFAULT_PNR_CLAIM
    coordination_claim: str = DEFAULT_COORDINATION_CLAIM

    def __post_init__(self) -> None:
        if not self.issuer:
            raise ValueError("the broker's issuer is not set (OIDC_ISSUER)")
        if not self.client_id:
            raise ValueError("the client id is not set (OIDC_CLIENT_ID)")
        if self.client_auth not in CLIENT_AUTH_METHODS:
            raise ValueError(f"OIDC_CLIENT_AUTH must be one of {', '.join(CLIENT_AUTH_METHODS)}")
        if self.client_auth.startswith("client_secret") and not self.client_secret:
            raise ValueError(f"{self.client_auth} needs a client secret (OIDC_CLIENT_SECRET)")
        if self.client_auth == "private_key_jwt" and not self.client_key_pem:
            raise ValueError("private_key_jwt needs the client's private key (OIDC_CLIENT_KEY)")
        if "openid" not in self.scopes:
            raise ValueError("OIDC_SCOPES must include openid")

    @classmethod
    def from_env(cls, default_issuer: str | None) -> "BrokerConfig":
        env = os.environ
        issuer = env.get("OIDC_ISSUER") or default_issuer or ""
        secret = env.get("OIDC_CLIENT_SECRET", "")
        key = env.get("OIDC_CLIENT_KEY", "")
        if key and not key.lstrip().startswith("-----BEGIN"):
            with open(key, encoding="ascii") as fh:  # a path to the PEM
                key = fh.read()
        scopes = tuple((env.get("OIDC_SCOPES") or " ".join(DEFAULT_SCOPES)).split())
        return cls(
            issuer=issuer,
            client_id=env.get("OIDC_CLIENT_ID") or "insats",
            client_secret=secret,
            client_auth=env.get("OIDC_CLIENT_AUTH") or ("client_secret_basic" if secret else "none"),
            client_key_pem=key,
            scopes=scopes,
            pnr_claim=env.get("OIDC_PNR_CLAIM") or DEFAULT_PNR_CLAIM,
            coordination_claim=env.get("OIDC_COORDINATION_CLAIM") or DEFAULT_COORDINATION_CLAIM,
        )


class PendingBrokerLogin(BaseModel):
    """What one login needs back at the callback; kept in the web session, never sent anywhere."""

    model_config = ConfigDict(frozen=True)

    state: str
    nonce: str
    verifier: str = Field(repr=False)
    redirect_uri: str


class BrokerIdentity(BaseModel):
    """Who logged in, as the broker vouches for it."""

    model_config = ConfigDict(frozen=True)

    subject: str
    personnummer: str = Field(repr=False, pattern=r"^[0-9]{12}$")
    name: str | None = None
    acr: str | None = None
    id_token: str = Field(repr=False)  # for the broker's logout (id_token_hint)


# --- the network -----------------------------------------------------------------------------

class BrokerUnreachable(OSError):
    """The broker could not be reached or did not answer in time."""


class BrokerHttp(Protocol):
    def request(self, method: str, url: str, headers: Mapping[str, str],
                body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body); an HTTP error status is an answer, not
        an exception. Raises ``BrokerUnreachable`` (an ``OSError``) when there is no answer."""


class UrllibBrokerHttp:
    """The default: urllib with timeouts and a bounded answer."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def request(self, method: str, url: str, headers: Mapping[str, str],
                body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the broker's URLs
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read(MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, {k.lower(): v for k, v in (exc.headers or {}).items()}, exc.read(MAX_RESPONSE_BYTES)
        except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections; a malformed URL
            raise BrokerUnreachable(type(exc).__name__) from None


def _json(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _code(value: Any) -> str:
    """An OAuth error code as it may go into a log line: lower-case letters and _ only (whatever
    the other side sent, no personal data rides along)."""
    return "".join(ch for ch in str(value or "")[:64] if ch.isascii() and (ch.islower() or ch == "_"))


def _allowed_url(url: Any) -> bool:
    """https, or http to this machine (the development broker)."""
    if not isinstance(url, str):
        return False
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


class _HttpJwksSource:
    """The provider's ``jwks_uri`` through the broker's ``BrokerHttp`` (so tests need no network)."""

    def __init__(self, http: BrokerHttp, url: str) -> None:
        self._http, self._url = http, url

    def fetch(self) -> dict[str, Any]:
        from .tokens import JwksUnavailable

        try:
            status, _, body = self._http.request("GET", self._url, {"Accept": "application/json"})
        except OSError as exc:
            raise JwksUnavailable(type(exc).__name__) from None
        data = _json(body) if status == 200 else None
        if data is None:
            raise JwksUnavailable(f"the JWKS answered {status}")
        return data


# --- PKCE and client authentication ------------------------------------------------------------

def challenge_of(verifier: str) -> str:
    """The S256 code challenge of a PKCE verifier (RFC 7636)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def public_jwk(private_key: Any) -> dict[str, str]:
    """The public JWK (with its RFC 7638 thumbprint as ``kid``) of an RSA private key (a PEM or a
    loaded key): what the municipality registers with its broker for ``private_key_jwt``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = (serialization.load_pem_private_key(private_key.encode("ascii"), password=None)
           if isinstance(private_key, str) else private_key)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("OIDC_CLIENT_KEY must be an RSA private key (RS256)")
    numbers = key.public_key().public_numbers()

    def uint(n: int) -> str:
        return _b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))

    jwk = {"e": uint(numbers.e), "kty": "RSA", "n": uint(numbers.n)}
    thumbprint = hashlib.sha256(json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()).digest()
    return {**jwk, "kid": _b64url(thumbprint), "use": "sig", "alg": "RS256"}


def sign_rs256(private_key: Any, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A compact JWS signed with RS256 (``cryptography`` only)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = (f"{_b64url(json.dumps({**header, 'alg': 'RS256'}, separators=(',', ':')).encode())}."
                     f"{_b64url(json.dumps(claims, separators=(',', ':')).encode())}")
    signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


class _ClientKey:
    def __init__(self, pem: str) -> None:
        from cryptography.hazmat.primitives import serialization

        self.key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        self.kid = public_jwk(self.key)["kid"]


# --- the relying party -------------------------------------------------------------------------

@dataclass
class _Provider:
    metadata: dict[str, Any]
    fetched_at: float  # the last successful discovery
    next_check: float  # when to ask again (an hour on; a minute after a failure)


class Broker:
    def __init__(self, config: BrokerConfig, http: BrokerHttp | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self._http: BrokerHttp = http or UrllibBrokerHttp()
        self._clock = clock
        self._lock = threading.Lock()
        self._provider: _Provider | None = None
        self._jwks: dict[str, Any] = {}  # jwks_uri -> JwksCache
        self._client_key: _ClientKey | None = None

    # -- discovery

    @property
    def discovery_url(self) -> str:
        return self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def metadata(self) -> dict[str, Any]:
        """The provider's metadata (discovery), fetched again after an hour. While the broker cannot
        be reached its last metadata serves up to a day, asked again at most once a minute; with
        none, ``LoginRefused`` (broker_unavailable)."""
        now = self._clock()
        with self._lock:
            cached = self._provider
        if cached is not None and now < cached.next_check:
            return cached.metadata
        try:
            metadata = self._discover()
        except LoginRefused:
            if cached is not None and now - cached.fetched_at < DISCOVERY_MAX_STALE:
                log.warning("the broker's discovery failed; its metadata from before is used")
                with self._lock:
                    self._provider = _Provider(cached.metadata, cached.fetched_at, now + DISCOVERY_RETRY)
                return cached.metadata
            raise
        with self._lock:
            self._provider = _Provider(metadata, now, now + DISCOVERY_SECONDS)
        return metadata

    def _discover(self) -> dict[str, Any]:
        try:
            status, _, body = self._http.request("GET", self.discovery_url, {"Accept": "application/json"})
        except OSError as exc:
            raise refused("broker_unavailable", f"discovery: {type(exc).__name__}") from None
        metadata = _json(body) if status == 200 else None
        if metadata is None:
            raise refused("broker_unavailable", f"discovery answered {status} without a JSON object")
        if metadata.get("issuer") != self.config.issuer:  # OpenID Connect Discovery 4.3
            raise refused("broker_unavailable", "the discovery names another issuer than OIDC_ISSUER")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not _allowed_url(metadata.get(name)):
                raise refused("broker_unavailable", f"the discovery has no usable {name}")
        for name in ("userinfo_endpoint", "end_session_endpoint"):
            if name in metadata and not _allowed_url(metadata[name]):
                metadata.pop(name)
        return metadata

    def _keys(self, jwks_uri: str) -> Any:
        from .tokens import JwksCache

        with self._lock:
            cache = self._jwks.get(jwks_uri)
            if cache is None:
                cache = self._jwks[jwks_uri] = JwksCache(_HttpJwksSource(self._http, jwks_uri))
            return cache

    # -- the login

    def start(self, redirect_uri: str, *, acr_values: str | None = None) -> tuple[PendingBrokerLogin, str]:
        """A new login: what to keep in the session and the broker's authorize URL to send the
        browser to. ``LoginRefused`` (broker_unavailable) when the broker's discovery cannot be had."""
        metadata = self.metadata()
        pending = PendingBrokerLogin(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                                     verifier=secrets.token_urlsafe(64), redirect_uri=redirect_uri)
        params = {
            "response_type": "code", "client_id": self.config.client_id, "redirect_uri": redirect_uri,
            "scope": " ".join(self.config.scopes), "state": pending.state, "nonce": pending.nonce,
            "code_challenge": challenge_of(pending.verifier), "code_challenge_method": "S256", "ui_locales": "sv",
            # The identity service's own login is the one shared between Insats' sections: the broker
            # always asks for the e-ID, so a broker session left on a shared computer never logs the
            # next person in as the last.
            "prompt": "login",
        }
        if acr_values:
            params["acr_values"] = acr_values
        endpoint = metadata["authorization_endpoint"]
        return pending, f"{endpoint}{'&' if '?' in endpoint else '?'}{urllib.parse.urlencode(params)}"

    def finish(self, pending: PendingBrokerLogin, params: Mapping[str, str]) -> BrokerIdentity:
        """The callback: checks the answer, exchanges the code and returns who logged in; raises
        ``LoginRefused``."""
        if params.get("error"):  # an error answer too names its issuer (RFC 9207 2.4)
            if params.get("iss") is not None and params.get("iss") != self.config.issuer:
                raise refused("wrong_iss", "an error answer from another issuer (RFC 9207)")
            raise refused("broker_error", f"the broker answered error={_code(params['error'])!r}")
        if not hmac.compare_digest(str(params.get("state") or "").encode(), pending.state.encode()):
            raise refused("state_mismatch", "the callback's state is not this login's")
        metadata = self.metadata()
        iss = params.get("iss")
        if iss is not None:
            if iss != metadata["issuer"]:
                raise refused("wrong_iss", "the callback's iss is another issuer (RFC 9207)")
        elif metadata.get("authorization_response_iss_parameter_supported") is True:
            raise refused("wrong_iss", "the callback has no iss though the broker promises one (RFC 9207)")
        code = params.get("code")
        if not code:
            raise refused("code_refused", "the callback has no code")
        tokens = self._exchange(metadata, str(code), pending)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise refused("id_token_invalid", "the token endpoint returned no ID token")
        claims = self._verify_id_token(metadata, id_token)
        if not hmac.compare_digest(str(claims.get("nonce") or "").encode(), pending.nonce.encode()):
            raise refused("nonce_mismatch", "the ID token's nonce is not this login's")
        self._check_at_hash(claims, id_token, tokens.get("access_token"))
        released = dict(claims)
        if not self._number_in(claims):
            released = {**self._userinfo(metadata, tokens, claims["sub"]), **claims}
        personnummer = self._personnummer(released)
        acr = claims.get("acr")
        return BrokerIdentity(subject=claims["sub"], personnummer=personnummer, name=self._name(released),
                              acr=acr if isinstance(acr, str) else None, id_token=id_token)

    def logout_url(self, id_token_hint: str | None, post_logout_redirect_uri: str,
                   state: str | None = None) -> str | None:
        """Where to send the browser to end the broker's session too (``state`` comes back with it);
        None when the broker offers no ``end_session_endpoint`` (or cannot be reached: our own
        session ends regardless)."""
        try:
            metadata = self.metadata()
        except LoginRefused:
            log.warning("the broker cannot be reached: its session is not ended")
            return None
        endpoint = metadata.get("end_session_endpoint")
        if not endpoint:
            return None
        params = {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": self.config.client_id}
        if id_token_hint:
            params = {"id_token_hint": id_token_hint, **params}
        if state:
            params["state"] = state
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urllib.parse.urlencode(params)}"

    # -- the token endpoint

    def _exchange(self, metadata: dict[str, Any], code: str, pending: PendingBrokerLogin) -> dict[str, Any]:
        endpoint = metadata["token_endpoint"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": pending.redirect_uri,
                "code_verifier": pending.verifier}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        form, headers = self._authenticate(endpoint, form, headers)
        try:
            status, _, body = self._http.request("POST", endpoint, headers, urllib.parse.urlencode(form).encode())
        except OSError as exc:
            raise refused("broker_unavailable", f"token endpoint: {type(exc).__name__}") from None
        answer = _json(body)
        if status >= 500 or answer is None:
            raise refused("broker_unavailable", f"the token endpoint answered {status}")
        if status != 200:
            raise refused("code_refused", f"the token endpoint answered {status} error={_code(answer.get('error'))!r}")
        token_type = answer.get("token_type")
        if answer.get("access_token") and str(token_type).lower() != "bearer":
            raise refused("id_token_invalid", "the token endpoint's token_type is not Bearer")
        return answer

    def _authenticate(self, endpoint: str, form: dict[str, str],
                      headers: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        c = self.config
        if c.client_auth == "client_secret_basic":  # RFC 6749 2.3.1: each part form-encoded first
            user = urllib.parse.quote_plus(c.client_id)
            password = urllib.parse.quote_plus(c.client_secret)
            basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            return form, {**headers, "Authorization": f"Basic {basic}"}
        if c.client_auth == "client_secret_post":
            return {**form, "client_id": c.client_id, "client_secret": c.client_secret}, headers
        if c.client_auth == "private_key_jwt":
            return {**form, "client_id": c.client_id, "client_assertion_type": CLIENT_ASSERTION_TYPE,
                    "client_assertion": self.client_assertion(endpoint)}, headers
        return {**form, "client_id": c.client_id}, headers

    def client_assertion(self, audience: str) -> str:
        """An RFC 7523 client assertion for ``private_key_jwt``: signed with the client's key,
        for the token endpoint, living ``ASSERTION_SECONDS``."""
        if self._client_key is None:
            self._client_key = _ClientKey(self.config.client_key_pem)
        now = int(self._clock())
        claims = {"iss": self.config.client_id, "sub": self.config.client_id, "aud": audience,
                  "jti": str(uuid.uuid4()), "iat": now, "exp": now + ASSERTION_SECONDS}
        return sign_rs256(self._client_key.key, {"typ": "JWT", "kid": self._client_key.kid}, claims)

    # -- the ID token

    def _verify_id_token(self, metadata: dict[str, Any], token: str) -> dict[str, Any]:
        from ..domain.errors import Unauthenticated, Unavailable
        from . import jws

        if len(token) > MAX_TOKEN_LENGTH:
            raise refused("id_token_invalid", "the ID token is too long")
        try:
            header = jws.header(token)
        except jws.TokenError:
            raise refused("id_token_invalid", "the ID token cannot be read") from None
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise refused("id_token_invalid", "the ID token names no key (kid)")
        try:
            key, algorithm = self._keys(metadata["jwks_uri"]).key(kid)
        except Unauthenticated:
            raise refused("id_token_invalid", "the ID token's key is not the broker's") from None
        except Unavailable:
            raise refused("broker_unavailable", "the broker's keys cannot be fetched") from None
        try:
            claims = jws.decode(token, key, algorithm, audience=self.config.client_id, issuer=metadata["issuer"],
                                require=("iss", "sub", "aud", "exp", "iat"), leeway=LEEWAY, now=self._clock())
        except jws.TokenError as exc:
            raise refused("id_token_invalid", f"the ID token is not valid: {exc.name}") from None
        except Exception:  # noqa: BLE001 - a hostile token is the token's fault
            raise refused("id_token_invalid", "the ID token is not valid") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != self.config.client_id:
            raise refused("id_token_invalid", "the ID token's azp is not this client")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise refused("id_token_invalid", "the ID token has no subject")
        return claims

    @staticmethod
    def _check_at_hash(claims: dict[str, Any], id_token: str, access_token: Any) -> None:
        at_hash = claims.get("at_hash")
        if at_hash is None or not isinstance(access_token, str):
            return
        from . import jws

        bits = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}.get(
            str(jws.header(id_token).get("alg", ""))[-3:])
        if bits is None:
            return
        digest = bits(access_token.encode("ascii")).digest()
        if not hmac.compare_digest(str(at_hash).encode(), _b64url(digest[: len(digest) // 2]).encode()):
            raise refused("id_token_invalid", "the ID token's at_hash does not match the access token")

    # -- the claims

    def _number_in(self, claims: Mapping[str, Any]) -> bool:
        return bool(claims.get(self.config.pnr_claim) or claims.get(self.config.coordination_claim))

    def _userinfo(self, metadata: dict[str, Any], tokens: dict[str, Any], subject: str) -> dict[str, Any]:
        endpoint, access_token = metadata.get("userinfo_endpoint"), tokens.get("access_token")
        if not endpoint or not isinstance(access_token, str) or not access_token:
            raise refused("no_personnummer", "the ID token has no personnummer and there is no userinfo to ask")
        try:
            status, headers, body = self._http.request(
                "GET", endpoint, {"Authorization": f"Bearer {access_token}", "Accept": "application/json"})
        except OSError as exc:
            raise refused("broker_unavailable", f"userinfo: {type(exc).__name__}") from None
        if status >= 500:
            raise refused("broker_unavailable", f"userinfo answered {status}")
        claims = _json(body) if status == 200 else None
        if claims is None:
            raise refused("userinfo_invalid", f"userinfo answered {status} without a JSON object "
                                              f"({headers.get('content-type', '')[:40]})")
        if not isinstance(claims.get("sub"), str) or not hmac.compare_digest(claims["sub"].encode(), subject.encode()):
            raise refused("userinfo_invalid", "userinfo's sub is not the ID token's (OpenID Connect Core 5.3.2)")
        return claims

    def _personnummer(self, claims: Mapping[str, Any]) -> str:
        from ..domain.personnummer import InvalidPersonnummer, Personnummer

        value = claims.get(self.config.pnr_claim) or claims.get(self.config.coordination_claim)
        if not value:
            raise refused("no_personnummer", "neither the personnummer nor the coordination number claim was released")
        if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
            raise refused("no_personnummer", "the released number is not 12 digits")
        try:
            return str(Personnummer(value))
        except InvalidPersonnummer:
            raise refused("no_personnummer", "the released number is not a valid personnummer") from None

    @staticmethod
    def _name(claims: Mapping[str, Any]) -> str | None:
        name = claims.get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()
        parts = [claims.get("given_name"), claims.get("family_name")]
        joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        return joined or None


_broker: Broker | None = None
_broker_lock = threading.Lock()


def broker() -> Broker:
    """The broker client from env (cached). Locally without ``OIDC_ISSUER``: the development broker."""
    global _broker
    with _broker_lock:
        if _broker is None:
            from ..settings import settings

            s = settings()
            default = f"{s.public_base_url.rstrip('/')}/dev/oidc" if s.is_local else None
            _broker = Broker(BrokerConfig.from_env(default))
        return _broker


def reset_broker() -> None:
    global _broker
    with _broker_lock:
        _broker = None
