"""Every link in every notification resolves to a page: each template is rendered with sample
parameters and the configured public address, each link found in its e-mail (text and HTML) and
SMS is followed through the local gateway in front of the real apps over moto, and each must
answer a page (2xx) or, for a page that needs a login, a 303 to the login; never a 404."""
from __future__ import annotations

import re
import types
import urllib.parse

import pytest

from services.notify.config import NotifyConfig
from services.notify.domain.templates import PARAMETERS, TEMPLATES, names_in, render

PUBLIC = "https://e-tjanster.exempelby.se"
SAMPLE_PARAMS = {"days": "3", "month": "2026-11", "lock_date": "2026-12-03", "valid_to": "2027-02-15"}
assert set(SAMPLE_PARAMS) == set(PARAMETERS)  # a new parameter needs a sample here


@pytest.fixture(scope="module")
def gateway(aws, issuer):
    from infra.apps import load_all
    from infra.local.gateway import DevRoutes, Gateway

    apps = {name: module for name, module in load_all().items() if module.app.routes}
    gw = Gateway(apps, DevRoutes(issuer, aws, types.SimpleNamespace(jobs={}), []), "127.0.0.1", 0)
    yield gw
    gw.server.server_close()


def links_in(*parts: str) -> set[str]:
    found: set[str] = set()
    for part in parts:
        found |= set(re.findall(r'href="([^"]+)"', part))
        found |= {u.rstrip(".,;)") for u in re.findall(r"https?://[^\s<>\"']+", part)}
    return found


def follow(gateway, url: str) -> tuple[int, dict]:
    assert url.startswith(PUBLIC + "/"), f"{url} is not under the configured address {PUBLIC}"
    path = url.removeprefix(PUBLIC)
    status, headers, _ = gateway.handle("GET", path, {"Accept": "text/html"}, b"")
    return status, {k.lower(): v for k, v in headers.items()}


def answers_a_page(status: int, headers: dict) -> bool:
    if 200 <= status < 300:
        return True
    location = urllib.parse.urlsplit(headers.get("location", "")).path
    return status == 303 and location.endswith("/web/logga-in")


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_link_of_every_template_answers_a_page(template_id, gateway, monkeypatch):
    # GIVEN notify configured with the site's public address only (the paths are the pages' own)
    for name in ("LOGIN_URL", "STAFF_LOGIN_URL", "PROVIDER_LOGIN_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC + "/")
    # WHEN the template is rendered with sample parameters
    rendered = render(template_id, {k: SAMPLE_PARAMS[k] for k in names_in(TEMPLATES[template_id])}, NotifyConfig())
    links = links_in(rendered.text, rendered.html, rendered.sms)
    # THEN it has a link, and each one answers a page through the gateway
    assert links, f"{template_id} tells no one where to log in"
    for url in sorted(links):
        status, headers = follow(gateway, url)
        assert answers_a_page(status, headers), f"{template_id}: {url} answered {status} {headers.get('location')}"


def test_the_follower_tells_a_missing_page(gateway):
    # GIVEN the addresses the e-mails had before WHEN followed THEN 404s, which the check refuses
    for old in ("/mina-sidor", "/handlaggning", "/utforare"):
        status, headers = follow(gateway, PUBLIC + old)
        assert status == 404 and not answers_a_page(status, headers), old


def test_the_staff_page_is_a_public_swedish_page(gateway):
    status, headers, body = gateway.handle("GET", "/eservices/web/personal", {"Accept": "text/html"}, b"")
    headers = {k.lower(): v for k, v in headers.items()}
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in headers["content-security-policy"] and "unsafe-inline" not in headers[
        "content-security-policy"]
    page = body.decode()
    assert "<h1>Inloggning för personal</h1>" in page and 'lang="sv"' in page
