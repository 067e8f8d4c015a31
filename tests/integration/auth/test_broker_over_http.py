"""The e-ID login over real HTTP: the broker client (services/auth/broker.py, its default urllib
transport) against the development broker on a loopback server, and through the local gateway
as ``make run`` serves it: discovery, the person's choice on the page, the token endpoint with
each client authentication, the keys, userinfo, logout."""
from __future__ import annotations

import json
import re
import threading
import types
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from services.auth.broker import Broker, BrokerConfig, LoginRefused, public_jwk
from services.auth.dev_broker import LOA3, DevClient
from tests.support.broker import closed_port, served_dev_broker

PEOPLE = json.loads((Path(__file__).resolve().parents[3] / "infra" / "fixtures" / "people.json").read_text("utf-8"))
MARITA = "197205142388"
SECRET = "a-secret-over-http"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the browser would follow; the test reads Location
        return None


BROWSER = urllib.request.build_opener(_NoRedirect)


def browse(url: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with BROWSER.open(urllib.request.Request(url, data=data), timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:  # a 302 without a handler comes back as an HTTPError
        with exc:
            return exc.code, dict(exc.headers), exc.read().decode()


def person_logs_in(authorize_url: str, person: str, acr: str = LOA3) -> dict[str, str]:
    """What a browser does: opens the page, picks, posts; the callback's parameters."""
    status, headers, html = browse(authorize_url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    request_id = re.search(r'name="request" value="([^"]+)"', html).group(1)
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(authorize_url))
    status, headers, _ = browse(origin + action, {"request": request_id, "person": person, "acr": acr,
                                                  "action": "login"})
    assert status == 302
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))


@pytest.fixture(scope="module")
def client_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory, client_pem):
    """The development broker on 127.0.0.1, a free port; yields (broker, issuer URL)."""
    clients = [DevClient("insats"), DevClient("basic", "client_secret_basic", SECRET),
               DevClient("post", "client_secret_post", SECRET),
               DevClient("jwt", "private_key_jwt", jwk=public_jwk(client_pem))]
    with served_dev_broker(tmp_path_factory.mktemp("dev-broker"), clients, PEOPLE) as dev:
        yield dev, dev.issuer


@pytest.mark.parametrize("client_id, method", [("insats", "none"), ("basic", "client_secret_basic"),
                                               ("post", "client_secret_post"), ("jwt", "private_key_jwt")])
def test_a_staff_member_logs_in_over_http_with_each_client_authentication(served, client_pem, client_id, method):
    dev, issuer = served
    broker = Broker(BrokerConfig(issuer=issuer, client_id=client_id, client_auth=method,
                                 client_secret=SECRET if "secret" in method else "",
                                 client_key_pem=client_pem if method == "private_key_jwt" else ""))
    pending, url = broker.start("http://127.0.0.1:8000/personal/logga-in/klar")

    params = person_logs_in(url, MARITA)
    identity = broker.finish(pending, params)

    assert (identity.personnummer, identity.name, identity.acr) == (MARITA, "Marita Aronsson", LOA3)
    logout = broker.logout_url(identity.id_token, "http://127.0.0.1:8000/personal/utloggad")
    status, headers, _ = browse(logout)
    assert status == 302 and headers["Location"] == "http://127.0.0.1:8000/personal/utloggad"
    with pytest.raises(LoginRefused) as replayed:
        broker.finish(pending, params)
    assert replayed.value.reason == "code_refused"


def test_a_broker_that_does_not_answer_is_broker_unavailable():
    broker = Broker(BrokerConfig(issuer=f"http://127.0.0.1:{closed_port()}/dev/oidc", client_id="insats"))

    with pytest.raises(LoginRefused) as caught:
        broker.start("http://127.0.0.1:8000/cb")

    assert caught.value.reason == "broker_unavailable"


@pytest.fixture
def gateway(tmp_path, monkeypatch):
    """The local stack's gateway (no apps) on a free port, PUBLIC_BASE_URL pointing at it."""
    from infra.local.gateway import DevRoutes, Gateway
    from services.auth.dev_issuer import DevIssuer
    from services.settings import settings

    for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_CLIENT_AUTH", "OIDC_CLIENT_KEY", "OIDC_ISSUER",
                 "OIDC_SCOPES"):
        monkeypatch.delenv(name, raising=False)
    issuer = DevIssuer(tmp_path, issuer="https://dev-issuer.insats.local", audience="insats")
    gw = Gateway({}, DevRoutes(issuer, "http://127.0.0.1:1", types.SimpleNamespace(jobs={}), []), "127.0.0.1", 0)
    base = f"http://127.0.0.1:{gw.server.server_address[1]}"
    monkeypatch.setenv("PUBLIC_BASE_URL", base)
    monkeypatch.setenv("INSATS_STAGE", "local")
    settings.cache_clear()
    thread = threading.Thread(target=gw.serve_forever, daemon=True)
    thread.start()
    yield base
    gw.shutdown()
    settings.cache_clear()


def test_the_local_stack_logs_in_through_the_development_broker_at_dev_oidc(gateway):
    from services.auth.broker import broker, reset_broker

    reset_broker()
    try:
        client = broker()  # from env: no OIDC_ISSUER, the local stage: {PUBLIC_BASE_URL}/dev/oidc, insats public
        assert client.config.issuer == f"{gateway}/dev/oidc" and client.config.client_auth == "none"
        pending, url = client.start(f"{gateway}/eservices/web/logga-in/klar")

        identity = client.finish(pending, person_logs_in(url, "196004042047"))

        assert identity.personnummer == "196004042047" and identity.acr == LOA3
    finally:
        reset_broker()
