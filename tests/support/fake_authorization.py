"""A fake of Insats' authorization server (``/identity/authorize`` + ``/identity/token``) for
in-process tests of a web section: an authorize page where one picks a person, and a token endpoint
that checks the PKCE verifier and returns an Insats token (``DevIssuer``) with the login's nonce.
Codes live in memory for a minute and are used once. The real server is
``services/identity/usecases/authorization.py``, tested over HTTP in tests/integration/identity."""
from __future__ import annotations

import time
import uuid
from typing import Any

from services.auth.dev_issuer import DevIssuer
from services.auth.principal import Principal, Role
from services.domain.personnummer import Personnummer
from services.identity.domain.grants import CLIENTS


class DevAuthorizationServer:
    """The development issuer's OpenID Connect endpoints, as an e-ID test environment offers them:
    an authorize page where one picks a demo person, and a token endpoint that checks the PKCE
    verifier and returns an ID token. Codes live in memory for a minute and are used once."""

    ROLES = ("citizen", "relative", "contact_person")
    ROLE_LABELS = {"citizen": "medborgare", "relative": "närstående", "contact_person": "kontaktperson"}

    def __init__(self, issuer: DevIssuer, people: list[dict[str, str]], names: dict[str, str],
                 stylesheet: str = "/eservices/web/static/app.css") -> None:
        self.issuer = issuer
        self.people = [p for p in people if p.get("role") in self.ROLES and p.get("personnummer")]
        self.names = names  # personnummer -> "Förnamn Efternamn"
        self.stylesheet = stylesheet
        self._codes: dict[str, dict[str, Any]] = {}

    HEADERS = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
               "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

    @staticmethod
    def _redirect_allowed(uri: str) -> bool:
        # Locally only: the relying party runs on this machine.
        return uri.startswith(("http://127.0.0.1:", "http://localhost:", "http://127.0.0.1/", "http://localhost/"))

    def authorize_page(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        from html import escape

        needed = ("client_id", "redirect_uri", "state", "nonce", "code_challenge")
        if (any(not query.get(k) for k in needed) or query.get("response_type") != "code"
                or query.get("code_challenge_method") != "S256" or query.get("client_id") not in CLIENTS
                or not self._redirect_allowed(query["redirect_uri"])):
            return 400, {**self.HEADERS}, self._html("Felaktig inloggningsbegäran",
                                                     "<p>Inloggningen saknar uppgifter eller har fel adress.</p>")
        hidden = "".join(f'<input type="hidden" name="{k}" value="{escape(query[k])}">' for k in needed)
        options = "".join(
            f'<div class="radio"><input type="radio" id="p{i}" name="person" value="{i}"{" checked" if i == 0 else ""}>'
            f'<label for="p{i}">{escape(self.names.get(p["personnummer"], p["label"]))} '
            f'({self.ROLE_LABELS[p["role"]]}, {escape(p["personnummer"][:8])}-{escape(p["personnummer"][8:])})'
            f'</label></div>' for i, p in enumerate(self.people))
        body = (f'<p>Det här är kommunens testmiljö för e-legitimation. Välj vilken testperson du vill logga in som.</p>'
                f'<form method="post" action="/dev/oidc/authorize">{hidden}'
                f'<fieldset class="fieldset"><legend class="legend">Testperson</legend>{options}</fieldset>'
                f'<button type="submit" class="button">Logga in</button></form>')
        return 200, {**self.HEADERS}, self._html("Logga in med e-legitimation (test)", body)

    def _html(self, title: str, body: str) -> bytes:
        from html import escape

        return (f'<!doctype html><html lang="sv"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>{escape(title)} – Svensk e-legitimation (test)</title>'
                f'<link rel="stylesheet" href="{escape(self.stylesheet)}"></head><body>'
                f'<header class="site-header"><div class="container"><p class="logo">Svensk e-legitimation '
                f'(testmiljö)</p></div></header>'
                f'<main id="main" class="container main"><h1>{escape(title)}</h1>{body}</main></body></html>').encode()

    def approve(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        import secrets
        import urllib.parse

        status, headers, page = self.authorize_page({**form, "response_type": "code", "code_challenge_method": "S256"})
        if status != 200:
            return status, headers, page
        try:
            person = self.people[int(form.get("person", ""))]
        except (ValueError, IndexError):
            return 400, {**self.HEADERS}, self._html("Välj en testperson", "<p>Ingen testperson valdes.</p>")
        code = secrets.token_urlsafe(24)
        self._codes[code] = {"person": person, "client_id": form["client_id"], "redirect_uri": form["redirect_uri"],
                             "challenge": form["code_challenge"], "nonce": form["nonce"], "at": time.time()}
        location = f'{form["redirect_uri"]}?{urllib.parse.urlencode({"code": code, "state": form["state"]})}'
        return 302, {"Location": location, "Cache-Control": "no-store"}, b""

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        import base64
        import hashlib

        grant = self._codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or time.time() - grant["at"] > 60:
            return 400, {"error": "invalid_grant"}
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(form.get("code_verifier", "").encode()).digest()).decode().rstrip("=")
        if (form.get("grant_type") != "authorization_code" or form.get("client_id") != grant["client_id"]
                or form.get("redirect_uri") != grant["redirect_uri"] or challenge != grant["challenge"]):
            return 400, {"error": "invalid_grant"}
        person = grant["person"]
        pnr = Personnummer(person["personnummer"])
        principal = Principal(subject=str(uuid.uuid5(uuid.NAMESPACE_URL, f"insats:{pnr}")), role=Role(person["role"]),
                              personnummer=pnr, name=self.names.get(str(pnr)))
        id_token = self.mint_id_token(principal, grant["nonce"])
        return 200, {"id_token": id_token, "access_token": id_token, "token_type": "Bearer", "expires_in": 3600}

    def mint_id_token(self, principal: Principal, nonce: str) -> str:
        return self.issuer.mint(principal, nonce=nonce)
