"""A tiny cookie-keeping browser over the e-services app in-process (chalice.test), and a login
through the development issuer's authorization server (PKCE) without a network."""
from __future__ import annotations

import html
import re
import urllib.parse
from dataclasses import dataclass, field

from tests.support.fake_authorization import DevAuthorizationServer
from services.eservices.bootstrap import deps
from services.entrypoints.web.config import web_config
from tests.support.people import new_pnr

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Browser:
    es: object
    cookie: str | None = None
    history: list = field(default_factory=list)

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookie:
            headers["Cookie"] = f"{web_config().cookie_name}={self.cookie}"
        return headers

    def _keep(self, r):
        set_cookie = r.headers.get("set-cookie")
        if set_cookie:
            value = set_cookie.split(";")[0].split("=", 1)[1]
            self.cookie = value or None
        self.history.append(r)
        return r

    def get(self, path):
        return self._keep(self.es.request("GET", path, headers=self._headers()))

    def post(self, path, pairs, csrf=True):
        pairs = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
        if csrf is True:
            pairs.append(("csrf", self.csrf))
        elif csrf:
            pairs.append(("csrf", csrf))
        body = urllib.parse.urlencode(pairs).encode()
        return self._keep(self.es.request("POST", path, headers=self._headers(FORM), raw=body))

    @property
    def csrf(self) -> str:
        for r in reversed(self.history):
            found = re.search(rb'name="csrf" value="([^"]+)"', r.body)
            if found:
                return found.group(1).decode()
        return ""


def inner(location: str) -> str:
    """A public path (/eservices/web/...) as the app routes it (/web/...)."""
    return location.removeprefix(web_config().app_prefix)


def login(es, issuer, role="contact_person", pnr=None, name="Test Person", next_path="/eservices/web/mina-sidor",
          browser=None):
    """Logs a person in through the authorize page and the token endpoint; returns (browser, pnr).
    A ``contact_person`` is given an assignment as contact person first (what makes one in Insats)."""
    pnr = pnr or new_pnr()
    if role == "contact_person":
        from tests.integration.eservices.helpers import give_assignment

        give_assignment(pnr)
    b = browser or Browser(es)
    r = b.get("/web/logga-in?" + urllib.parse.urlencode({"next": next_path}))
    assert r.status == 302, r.body
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))
    server = DevAuthorizationServer(issuer, [{"role": role, "personnummer": pnr, "label": name}], {pnr: name})
    status, headers, _ = server.approve({**query, "person": "0"})
    assert status == 302, (status, query.get("client_id"), query.get("redirect_uri"))  # which address, if refused
    deps().token_endpoint = lambda url, form: server.token(form)[1]
    callback = urllib.parse.urlsplit(headers["Location"])
    r = b.get(inner(callback.path) + "?" + callback.query)
    return b, pnr, r


def text(r) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(rb"<[^>]+>", b" ", r.body).decode()))
