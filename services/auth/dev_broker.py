"""The development e-ID broker: an OpenID Connect provider as the municipality's broker offers it,
for the local stack and tests. Never deployed.

Served under its issuer's path (locally ``{PUBLIC_BASE_URL}/dev/oidc``):

- ``/.well-known/openid-configuration`` (discovery) and ``/jwks`` (its own key, NOT Insats' key);
- ``GET+POST /authorize``: a Swedish page to pick any demo person of ``infra/fixtures/people.json``
  (citizens and staff, by name, role and organisation) and a "Säkerhetsnivå" (loa3, two-factor, by
  default; loa2 to test refusals). The chosen level is the ID token's ``acr``; the answer carries
  ``iss`` (RFC 9207);
- ``POST /token``: the client's registered authentication (none, client_secret_basic,
  client_secret_post, private_key_jwt), PKCE S256, the same redirect_uri, a code used once within
  60 s (a replayed code answers invalid_grant);
- ``GET+POST /userinfo`` (Bearer access token) and ``GET /end_session``.

The personnummer is released under the Swedish profile's claim name (the coordination number claim
for a coordination number) only when its scope was asked: in userinfo, and in the ID token only
when constructed with ``pnr_in_id_token=True``. Names come with that scope, ``profile`` or the
profile's ``naturalPersonInfo`` scope.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .broker import (CLIENT_ASSERTION_TYPE, CLIENT_AUTH_METHODS, DEFAULT_COORDINATION_CLAIM, DEFAULT_PNR_CLAIM,
                     challenge_of, sign_rs256)

LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LEVELS = {LOA3: "Tvåfaktorsinloggning (loa3), som BankID och Freja eID", LOA2: "Enkel inloggning (loa2)"}
PNR_SCOPE = "https://id.oidc.se/scope/naturalPersonNumber"
INFO_SCOPE = "https://id.oidc.se/scope/naturalPersonInfo"
CODE_SECONDS = 60
TOKEN_SECONDS = 300
REQUEST_SECONDS = 600  # a person has ten minutes on the picker page
LOOPBACK = ("http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/", "http://[::1]:",
            "http://[::1]/")
ROLE_LABELS = {
    "citizen": "invånare", "relative": "närstående", "contact_person": "kontaktperson",
    "case_worker": "biståndshandläggare", "provider_staff": "personal i hemtjänsten",
    "provider_coordinator": "samordnare hos utföraren", "provider_manager": "verksamhetschef hos utföraren",
    "ordering_unit": "beställarenheten", "auditor": "granskare", "organisation_admin": "organisationens administratör",
    "municipal_admin": "kommunens administratör",
}

Answer = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class DevClient:
    """A client registered with the development broker."""

    client_id: str
    auth_method: str = "none"
    secret: str = field(default="", repr=False)
    jwk: dict[str, Any] | None = None  # the public key, for private_key_jwt
    redirect_prefixes: tuple[str, ...] = LOOPBACK

    def __post_init__(self) -> None:
        if self.auth_method not in CLIENT_AUTH_METHODS:
            raise ValueError(f"auth_method must be one of {CLIENT_AUTH_METHODS}")
        if self.auth_method.startswith("client_secret") and not self.secret:
            raise ValueError(f"{self.auth_method} needs a secret")
        if self.auth_method == "private_key_jwt" and not self.jwk:
            raise ValueError("private_key_jwt needs the client's public JWK")
        if not self.redirect_prefixes or not all(p.startswith(LOOPBACK) for p in self.redirect_prefixes):
            raise ValueError("the development broker sends people back to this machine only (loopback redirect URIs)")

    def allows(self, uri: str) -> bool:
        return "#" not in uri and any(uri.startswith(p) for p in self.redirect_prefixes)

    @classmethod
    def from_env(cls) -> "DevClient":
        """The local stack's client, from the same env the relying party reads (``OIDC_CLIENT_ID``,
        ``OIDC_CLIENT_AUTH``, ``OIDC_CLIENT_SECRET``, ``OIDC_CLIENT_KEY``): ``insats``, public, by default."""
        from .broker import BrokerConfig, public_jwk

        config = BrokerConfig.from_env("http://127.0.0.1/dev/oidc")
        jwk = public_jwk(config.client_key_pem) if config.client_auth == "private_key_jwt" else None
        return cls(config.client_id, config.client_auth, config.client_secret, jwk)


@dataclass
class _Person:
    personnummer: str
    name: str
    given_name: str
    family_name: str
    role: str
    organisation: str | None


def demo_people(people: Mapping[str, Any]) -> list[_Person]:
    """Every demo login with a personnummer: name, role and organisation (people.json)."""
    register = {p["personnummer"]: p for p in people.get("population_register", [])}
    organisations = {o["organisation_id"]: o["name"] for o in people.get("organisations", [])}
    found, seen = [], set()
    for login in people.get("demo_logins", []):
        pnr = login.get("personnummer")
        if not pnr or pnr in seen:
            continue
        seen.add(pnr)
        known = register.get(pnr, {})
        given, family = known.get("first_name"), known.get("last_name")
        name = f"{given} {family}" if given and family else login.get("name") or login.get("label", pnr)
        if not (given and family):
            given, _, family = name.partition(" ")
        organisation = organisations.get(login.get("organisation_id") or login.get("provider_id") or "")
        found.append(_Person(pnr, name, given, family, login.get("role", "citizen"), organisation))
    return found


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


class DevBroker:
    HEADERS = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
               "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
    JSON = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}

    def __init__(self, folder: Path, issuer: str, clients: Iterable[DevClient], people: Mapping[str, Any], *,
                 pnr_in_id_token: bool = False, stylesheet: str = "/eservices/web/static/app.css",
                 pnr_claim: str = DEFAULT_PNR_CLAIM, coordination_claim: str = DEFAULT_COORDINATION_CLAIM,
                 clock: Callable[[], float] = time.time) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        from .broker import public_jwk

        self.issuer = issuer.rstrip("/")
        self.base_path = urllib.parse.urlsplit(self.issuer).path.rstrip("/")
        self.clients = {c.client_id: c for c in clients}
        self.people = demo_people(people)
        self.pnr_in_id_token = pnr_in_id_token
        self.stylesheet = stylesheet
        self.pnr_claim, self.coordination_claim = pnr_claim, coordination_claim
        self.clock = clock
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        key_file = self.folder / "dev-broker-key.pem"
        if key_file.exists():
            pem = key_file.read_text(encoding="ascii")
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode("ascii")
            key_file.write_text(pem, encoding="ascii")
            key_file.chmod(0o600)
        # its own file, written just above or on an earlier run: the (slow) key check is skipped
        self._key = serialization.load_pem_private_key(pem.encode("ascii"), password=None,
                                                       unsafe_skip_rsa_key_validation=True)
        self.jwk = public_jwk(self._key)
        self.kid = self.jwk["kid"]
        self._lock = threading.Lock()
        self._requests: dict[str, tuple[dict[str, str], float]] = {}
        self._codes: dict[str, dict[str, Any]] = {}
        self._spent: dict[str, float] = {}  # codes already exchanged (answered invalid_grant again)
        self._access: dict[str, dict[str, Any]] = {}
        self._assertions: dict[str, float] = {}  # client assertion jti's seen (used once)

    # -- URLs

    def url(self, path: str) -> str:
        return f"{self.issuer}{path}"

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.url("/authorize"),
            "token_endpoint": self.url("/token"),
            "userinfo_endpoint": self.url("/userinfo"),
            "jwks_uri": self.url("/jwks"),
            "end_session_endpoint": self.url("/end_session"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", PNR_SCOPE, INFO_SCOPE],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "name", "given_name",
                                 "family_name", "birthdate", self.pnr_claim, self.coordination_claim],
            "acr_values_supported": list(LEVELS),
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": list(CLIENT_AUTH_METHODS),
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "authorization_response_iss_parameter_supported": True,
            "ui_locales_supported": ["sv"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
        }

    def owns_code(self, code: str) -> bool:
        """Whether this broker issued ``code`` (live or spent): the gateway tells old clients apart."""
        with self._lock:
            return code in self._codes or code in self._spent

    def sign(self, claims: dict[str, Any]) -> str:
        """A JWT signed with this broker's key (tests forge tokens with it)."""
        return sign_rs256(self._key, {"typ": "JWT", "kid": self.kid}, claims)

    # -- dispatch

    def handle(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        path, _, query = raw_path.partition("?")
        if not path.startswith(self.base_path + "/"):
            return self._json(404, {"error": "not_found"})
        route = path[len(self.base_path):]
        headers = {k.lower(): v for k, v in headers.items()}
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"))) if method == "POST" else {}
        params = dict(urllib.parse.parse_qsl(query))
        if route == "/.well-known/openid-configuration" and method in ("GET", "HEAD"):
            return self._json(200, self.metadata(), cache=True)
        if route == "/jwks" and method in ("GET", "HEAD"):
            return self._json(200, {"keys": [self.jwk]}, cache=True)
        if route == "/authorize" and method == "GET":
            return self.authorize(params)
        if route == "/authorize" and method == "POST":
            return self.choose(form) if "request" in form else self.authorize(form)
        if route == "/token" and method == "POST":
            return self.token(form, headers)
        if route == "/userinfo" and method in ("GET", "POST"):
            return self.userinfo(headers)
        if route == "/end_session" and method in ("GET", "POST"):
            return self.end_session({**params, **form})
        return self._json(404, {"error": "not_found", "error_description": f"no {method} {route}"})

    @staticmethod
    def _json(status: int, payload: dict[str, Any], *, cache: bool = False,
              extra: Mapping[str, str] | None = None) -> Answer:
        headers = {"Content-Type": "application/json"} if cache else {**DevBroker.JSON}
        return status, {**headers, **(extra or {})}, json.dumps(payload).encode()

    def _page(self, status: int, title: str, body: str, form_target: str | None = None) -> Answer:
        headers = {**self.HEADERS}
        if form_target:  # browsers apply form-action to the redirect after the post too
            parts = urllib.parse.urlsplit(form_target)
            headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
                "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")
        page = (f'<!doctype html><html lang="sv"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>{escape(title)} – Svensk e-legitimation (test)</title>'
                f'<link rel="stylesheet" href="{escape(self.stylesheet)}"></head><body>'
                f'<header class="site-header"><div class="container"><p class="logo">Kommunens e-legitimering '
                f'(testmiljö)</p></div></header>'
                f'<main id="main" class="container main"><h1>{escape(title)}</h1>{body}</main></body></html>')
        return status, headers, page.encode()

    def _redirect(self, uri: str, params: dict[str, str]) -> Answer:
        location = f"{uri}{'&' if '?' in uri else '?'}{urllib.parse.urlencode(params)}"
        return 302, {"Location": location, "Cache-Control": "no-store"}, b""

    # -- authorize

    def authorize(self, query: Mapping[str, str]) -> Answer:
        client = self.clients.get(query.get("client_id", ""))
        redirect_uri = query.get("redirect_uri", "")
        if client is None or not client.allows(redirect_uri):  # never redirect to an unknown place
            return self._page(400, "Felaktig inloggningsbegäran",
                              "<p>Tjänsten som skickade dig hit är okänd eller angav en adress som inte är "
                              "registrerad. Gå tillbaka till tjänsten och försök igen.</p>")
        state = query.get("state", "")

        def error(code: str, description: str) -> Answer:
            answer = {"error": code, "error_description": description, "iss": self.issuer}
            return self._redirect(redirect_uri, {**answer, **({"state": state} if state else {})})

        scopes = query.get("scope", "").split()
        if query.get("response_type") != "code":
            return error("unsupported_response_type", "only response_type=code")
        if "openid" not in scopes:
            return error("invalid_scope", "scope must include openid")
        challenge = query.get("code_challenge", "")
        if query.get("code_challenge_method") != "S256" or not 43 <= len(challenge) <= 128:
            return error("invalid_request", "PKCE with S256 is required")
        if not query.get("nonce"):
            return error("invalid_request", "nonce is required")
        request_id = secrets.token_urlsafe(24)
        kept = {k: query.get(k, "") for k in ("client_id", "redirect_uri", "state", "nonce", "code_challenge",
                                              "scope", "acr_values")}
        with self._lock:
            now = self.clock()
            self._requests = {k: v for k, v in self._requests.items() if now - v[1] <= REQUEST_SECONDS}
            self._requests[request_id] = (kept, now)
        wanted = [v for v in query.get("acr_values", "").split() if v in LEVELS]
        chosen_level = wanted[0] if wanted else LOA3
        people = "".join(
            f'<div class="radio"><input type="radio" id="person-{i}" name="person" value="{escape(p.personnummer)}"'
            f'{" checked" if i == 0 else ""}><label for="person-{i}">{escape(p.name)}, {escape(ROLE_LABELS.get(p.role, p.role))}'
            f'{", " + escape(p.organisation) if p.organisation else ""} '
            f'({escape(p.personnummer[:8])}-{escape(p.personnummer[8:])})</label></div>'
            for i, p in enumerate(self.people))
        levels = "".join(
            f'<div class="radio"><input type="radio" id="level-{i}" name="acr" value="{escape(level)}"'
            f'{" checked" if level == chosen_level else ""}><label for="level-{i}">{escape(label)}</label></div>'
            for i, (level, label) in enumerate(LEVELS.items()))
        body = (f'<p>Det här är kommunens testmiljö för e-legitimation. Välj vilken testperson du vill logga in som '
                f'och hur säker inloggningen ska vara.</p>'
                f'<form method="post" action="{escape(self.base_path)}/authorize">'
                f'<input type="hidden" name="request" value="{escape(request_id)}">'
                f'<fieldset class="fieldset"><legend class="legend">Testperson</legend>{people}</fieldset>'
                f'<fieldset class="fieldset"><legend class="legend">Säkerhetsnivå</legend>{levels}</fieldset>'
                f'<button type="submit" class="button" name="action" value="login">Logga in</button> '
                f'<button type="submit" class="button button-secondary" name="action" value="cancel">Avbryt</button>'
                f'</form>')
        return self._page(200, "Logga in med e-legitimation (test)", body, form_target=redirect_uri)

    def choose(self, form: Mapping[str, str]) -> Answer:
        with self._lock:
            found = self._requests.pop(form.get("request", ""), None)
        if found is None or self.clock() - found[1] > REQUEST_SECONDS:
            return self._page(400, "Inloggningen har gått ut",
                              "<p>Inloggningen tog för lång tid eller är redan klar. Gå tillbaka till tjänsten "
                              "och logga in igen.</p>")
        request = found[0]
        answer = {"iss": self.issuer, **({"state": request["state"]} if request["state"] else {})}
        if form.get("action") == "cancel":
            return self._redirect(request["redirect_uri"], {"error": "access_denied",
                                                            "error_description": "the person cancelled", **answer})
        person = next((p for p in self.people if p.personnummer == form.get("person")), None)
        level = form.get("acr", LOA3)
        if person is None or level not in LEVELS:
            with self._lock:
                self._requests[form["request"]] = found  # choose again
            return self._page(400, "Välj en testperson och en säkerhetsnivå",
                              "<p>Gå tillbaka och välj både en testperson och en säkerhetsnivå.</p>")
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = self.clock()
            self._codes = {k: v for k, v in self._codes.items() if now - v["at"] <= CODE_SECONDS}
            self._spent = {k: v for k, v in self._spent.items() if now - v <= 3600}
            self._codes[code] = {**request, "person": person, "acr": level, "at": self.clock()}
        return self._redirect(request["redirect_uri"], {"code": code, **answer})

    # -- token

    def _client_of(self, form: dict[str, str], headers: Mapping[str, str]) -> tuple[DevClient | None, str]:
        """The authenticated client, or None and why."""
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(authorization[6:].strip(), validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None, "the Basic credentials cannot be read"
            client = self.clients.get(urllib.parse.unquote_plus(user))
            if client is None or client.auth_method != "client_secret_basic":
                return None, "not a client_secret_basic client"
            if not secrets.compare_digest(urllib.parse.unquote_plus(password).encode(), client.secret.encode()):
                return None, "wrong client secret"
            return client, ""
        if "client_assertion" in form:
            return self._assertion_client(form)
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            return None, "unknown client"
        if "client_secret" in form:
            if client.auth_method != "client_secret_post":
                return None, "not a client_secret_post client"
            if not secrets.compare_digest(form["client_secret"].encode(), client.secret.encode()):
                return None, "wrong client secret"
            return client, ""
        if client.auth_method != "none":
            return None, f"the client must authenticate with {client.auth_method}"
        return client, ""

    def _assertion_client(self, form: dict[str, str]) -> tuple[DevClient | None, str]:
        from . import jws

        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            return None, "wrong client_assertion_type"
        assertion = form["client_assertion"]
        try:
            unverified = json.loads(base64.urlsafe_b64decode(assertion.split(".")[1] + "=="))
        except (ValueError, IndexError):
            return None, "the client assertion cannot be read"
        client_id = unverified.get("iss") if isinstance(unverified, dict) else None
        client = self.clients.get(client_id if isinstance(client_id, str) else "")
        if client is None or client.auth_method != "private_key_jwt" or not client.jwk:
            return None, "not a private_key_jwt client"
        if form.get("client_id") not in (None, client.client_id):
            return None, "client_id and the assertion's issuer differ"
        now = self.clock()
        try:
            key = jws.public_key(client.jwk, "RS256")
            claims = None
            for audience in (self.url("/token"), self.issuer):  # RFC 7523 3: the token endpoint or the issuer
                try:
                    claims = jws.decode(assertion, key, "RS256", audience=audience, issuer=client.client_id,
                                        require=("iss", "sub", "aud", "exp", "jti"), leeway=5, now=now)
                    break
                except jws.TokenError as exc:
                    if exc.name != "InvalidAudienceError":
                        raise
            if claims is None:
                return None, "the client assertion is for another audience"
        except (jws.TokenError, ValueError) as exc:
            return None, f"the client assertion is not valid: {getattr(exc, 'name', type(exc).__name__)}"
        if claims["sub"] != client.client_id:
            return None, "the client assertion's sub is not the client"
        if int(claims["exp"]) - now > 300:
            return None, "the client assertion lives too long"
        with self._lock:
            self._assertions = {k: v for k, v in self._assertions.items() if v > now}
            if claims["jti"] in self._assertions:
                return None, "the client assertion was used before"
            self._assertions[str(claims["jti"])] = float(claims["exp"]) + 5
        return client, ""

    def token(self, form: dict[str, str], headers: Mapping[str, str]) -> Answer:
        client, why = self._client_of(form, headers)
        if client is None:
            extra = {"WWW-Authenticate": 'Basic realm="dev-broker"'} if "authorization" in headers else None
            return self._json(401, {"error": "invalid_client", "error_description": why}, extra=extra)
        if form.get("grant_type") != "authorization_code":
            return self._json(400, {"error": "unsupported_grant_type"})
        code = form.get("code", "")
        now = self.clock()
        with self._lock:
            grant = self._codes.pop(code, None)  # a code is used once
            if grant is not None:
                self._spent[code] = now
            elif code in self._spent:  # replayed: its tokens would be revoked too (RFC 6749 4.1.2)
                self._access = {k: v for k, v in self._access.items() if v.get("code") != code}
        if grant is None:
            return self._json(400, {"error": "invalid_grant", "error_description": "unknown or used code"})
        if now - grant["at"] > CODE_SECONDS:
            return self._json(400, {"error": "invalid_grant", "error_description": "the code has expired"})
        if grant["client_id"] != client.client_id:
            return self._json(400, {"error": "invalid_grant", "error_description": "the code is another client's"})
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._json(400, {"error": "invalid_grant", "error_description": "redirect_uri differs"})
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or not secrets.compare_digest(
                challenge_of(verifier).encode(), grant["code_challenge"].encode()):
            return self._json(400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"})
        person: _Person = grant["person"]
        scopes = grant["scope"].split()
        subject = self.subject_of(person.personnummer)
        access_token = secrets.token_urlsafe(32)
        id_claims: dict[str, Any] = {
            "iss": self.issuer, "sub": subject, "aud": client.client_id, "iat": int(now), "auth_time": int(grant["at"]),
            "exp": int(now) + TOKEN_SECONDS, "nonce": grant["nonce"], "acr": grant["acr"], "jti": str(uuid.uuid4()),
            "at_hash": _b64url(hashlib.sha256(access_token.encode()).digest()[:16]),
        }
        if self.pnr_in_id_token:
            id_claims.update(self.released(person, scopes))
        with self._lock:
            self._access = {k: v for k, v in self._access.items() if v["exp"] > now}
            self._access[access_token] = {"person": person, "scopes": scopes, "sub": subject, "code": code,
                                          "exp": now + TOKEN_SECONDS}
        return self._json(200, {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS,
                                "scope": grant["scope"], "id_token": self.sign(id_claims)})

    def subject_of(self, personnummer: str) -> str:
        """A stable subject that is not the personnummer."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}:{personnummer}"))

    def released(self, person: _Person, scopes: list[str]) -> dict[str, str]:
        """The claims the asked scopes release (the Swedish profile's names)."""
        claims: dict[str, str] = {}
        if {PNR_SCOPE, INFO_SCOPE, "profile"} & set(scopes):
            claims.update({"name": person.name, "given_name": person.given_name, "family_name": person.family_name})
        if PNR_SCOPE in scopes:
            coordination = int(person.personnummer[6:8]) > 60
            claims[self.coordination_claim if coordination else self.pnr_claim] = person.personnummer
        return claims

    # -- userinfo and logout

    def userinfo(self, headers: Mapping[str, str]) -> Answer:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        with self._lock:
            grant = self._access.get(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None or grant["exp"] <= self.clock():
            return self._json(401, {"error": "invalid_token"}, extra={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return self._json(200, {"sub": grant["sub"], **self.released(grant["person"], grant["scopes"])})

    def end_session(self, params: Mapping[str, str]) -> Answer:
        from . import jws

        client_id = params.get("client_id", "")
        hint = params.get("id_token_hint")
        if hint:
            try:  # our own ID token, expired or not
                claims = json.loads(base64.urlsafe_b64decode(hint.split(".")[1] + "=="))
                jws.decode(hint, jws.public_key(self.jwk, "RS256"), "RS256", audience=str(claims.get("aud")),
                           issuer=self.issuer, require=("aud",), now=float(claims.get("iat", 0)))
                client_id = client_id or str(claims.get("aud"))
            except (ValueError, IndexError, TypeError, jws.TokenError):
                return self._page(400, "Utloggningen kunde inte göras",
                                  "<p>Utloggningen kom med en okänd inloggning. Stäng webbläsaren för att vara säker "
                                  "på att du är utloggad.</p>")
        client = self.clients.get(client_id)
        target = params.get("post_logout_redirect_uri", "")
        if client is not None and target and client.allows(target):
            state = params.get("state")
            if state:
                return self._redirect(target, {"state": state})
            return 302, {"Location": target, "Cache-Control": "no-store"}, b""
        return self._page(200, "Du är utloggad", "<p>Du är utloggad från e-legitimationen. Du kan stänga fönstret.</p>")


class InProcessBrokerHttp:
    """A ``BrokerHttp`` that serves the development broker's URLs in this process (tests): no network.
    ``calls`` records (method, url) of every request."""

    def __init__(self, dev: DevBroker) -> None:
        self.dev = dev
        self.calls: list[tuple[str, str]] = []

    def request(self, method: str, url: str, headers: Mapping[str, str],
                body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        from .broker import BrokerUnreachable

        self.calls.append((method, url.partition("?")[0]))
        if not url.startswith(self.dev.issuer + "/"):
            raise BrokerUnreachable(f"no such host in this process: {url.partition('?')[0]}")
        rest = url[len(urllib.parse.urlsplit(self.dev.issuer)._replace(path="").geturl()):]
        status, out, payload = self.dev.handle(method, rest, headers, body or b"")
        return status, {k.lower(): v for k, v in out.items()}, payload
