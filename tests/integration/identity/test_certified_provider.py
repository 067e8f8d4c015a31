"""Insats against a certified OpenID provider run locally, set by configuration only (issue 22: "Tried as
a new user would against a certified OpenID provider run locally, the citizen login ended in 401").

The provider is panva/node-oidc-provider (OpenID Certified), set up as a Swedish e-ID broker in
tests/support/certified_op/server.mjs: the profile's scope and claim names, assurance levels, the
personnummer released through userinfo only (never in the ID token), RFC 9207's ``iss``, PKCE and
RP-initiated logout. Insats is pointed at it with ``OIDC_*`` alone, as the README says, over real
HTTP: the local gateway with the e-services and identity apps, the moto server behind them.
"""
from __future__ import annotations

import os
import re
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

from services.auth.dev_broker import LOA2, LOA3
from services.auth.principal import Role
from tests.support.certified_provider import (AUTH_METHODS, certified_provider, client_key, insats_settings,
                                              log_in_at_the_provider, log_out_through_the_provider)
from tests.support.login_browser import MARITA, Browser, account, refusals_since
from tests.support.login_gateway import login_gateway

@pytest.fixture(scope="module")
def client_key_pem() -> str:
    return client_key()


@pytest.fixture(scope="module")
def stack(aws, issuer):
    with login_gateway(aws, issuer, ("eservices", "identity")) as base:
        yield base


@pytest.fixture(scope="module")
def provider(stack, client_key_pem, tmp_path_factory):
    with certified_provider(stack, client_key_pem, tmp_path_factory.mktemp("op")) as issuer_url:
        yield issuer_url


@pytest.fixture
def configured(provider, client_key_pem, request, monkeypatch):
    """Insats pointed at the provider by OIDC_* only (README "Logging in with e-ID"): the issuer, the
    client id and the client authentication of ``request.param``; its secret or key where that needs one."""
    from services.auth.broker import reset_broker

    settings = insats_settings(provider, getattr(request, "param", "client_secret_basic"), client_key_pem)
    for k, v in settings.items():
        if v is None:
            monkeypatch.delenv(k, raising=False)
        else:
            monkeypatch.setenv(k, v)
    reset_broker()
    yield provider
    monkeypatch.undo()
    reset_broker()


def test_a_citizen_logs_in_at_the_e_services_through_a_certified_provider(configured):
    """GIVEN Insats set to the certified provider by OIDC_* only WHEN Annika logs in at the e-services
    THEN she reaches Mina sidor: her personnummer was released under the profile's claim name (by this
    provider through userinfo only), the request had PKCE, state and nonce, the answer RFC 9207's iss."""
    stack = os.environ["PUBLIC_BASE_URL"]
    b = Browser(stack)
    status, url, html = b.follow("/eservices/web/logga-in?next=/eservices/web/mina-sidor")
    assert status == 200 and url.startswith(f"{configured}/interaction/"), url
    authorize = next(h for h in b.hops if h.startswith(f"{configured}/auth"))
    asked = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
    assert asked["prompt"] == "login"  # a broker session left behind never logs the next person in
    assert set(asked["scope"].split()) == {"openid", "https://id.oidc.se/scope/naturalPersonNumber"}
    status, url, html = log_in_at_the_provider(b, url, html, "annika")
    assert status == 200 and url.endswith("/eservices/web/mina-sidor"), (status, url, html[:300])
    assert "<h1>Mina sidor</h1>" in re.sub(r"<h1[^>]*>", "<h1>", html) and "Logga ut" in html
    callback = next(h for h in b.hops if "/personal/logga-in/klar" in h)
    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))["iss"] == configured


@pytest.mark.parametrize("configured", AUTH_METHODS, indirect=True)
def test_a_case_worker_logs_in_at_personal_with_each_client_authentication(configured):
    """GIVEN Marita's staff account and Insats registered at the provider with one client authentication
    WHEN she logs in at /personal with two-factor e-ID THEN the start page names her role and unit."""
    account(MARITA, "op-marita", "enhet-bistand", Role.CASE_WORKER)
    b = Browser(os.environ["PUBLIC_BASE_URL"])
    status, url, html = b.follow("/personal/logga-in")
    assert url.startswith(f"{configured}/interaction/"), url
    authorize = next(h for h in b.hops if h.startswith(f"{configured}/auth"))
    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))["acr_values"] == LOA3
    status, url, html = log_in_at_the_provider(b, url, html, "marita")
    assert status == 200 and url.rstrip("/").endswith("/personal"), (status, url, html[:300])
    assert "Handläggare" in html and "Biståndsenheten" in html


def test_a_staff_login_below_two_factor_at_the_provider_is_refused(configured):
    """GIVEN the provider's e-ID step done at loa2 WHEN Marita logs in at /personal THEN a Swedish refusal,
    no session, and acr_too_low in the identity trail."""
    account(MARITA, "op-marita", "enhet-bistand", Role.CASE_WORKER)
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    b = Browser(os.environ["PUBLIC_BASE_URL"])
    status, url, html = b.follow("/personal/logga-in")
    status, url, html = log_in_at_the_provider(b, url, html, "marita", LOA2)
    assert status == 403 and "tvåfaktor" in html
    assert "acr_too_low" in refusals_since(since)
    assert b.follow("/personal")[2].count("Logga in med e-legitimation") == 1


def test_logging_out_at_personal_ends_the_providers_session_too(configured):
    """GIVEN Marita logged in through the provider WHEN she logs out at /personal THEN the provider's
    end_session asks her, she confirms, she is back at /personal logged out, and the next login asks
    for e-ID again (the provider kept no session to log her in silently)."""
    account(MARITA, "op-marita", "enhet-bistand", Role.CASE_WORKER)
    b = Browser(os.environ["PUBLIC_BASE_URL"])
    status, url, html = b.follow("/personal/logga-in")
    log_in_at_the_provider(b, url, html, "marita")
    status, url, html = b.follow("/personal")
    status, url, html = log_out_through_the_provider(b, configured, "/personal/logga-ut", html)
    assert status == 200 and "/personal" in url and "utloggad=1" in url, (status, url)
    status, url, html = b.follow("/personal/logga-in")
    assert url.startswith(f"{configured}/interaction/"), url  # e-ID asked for again


def test_a_citizens_logout_at_the_e_services_ends_the_providers_session_too(configured):
    """GIVEN Annika logged in at the e-services through the provider WHEN she logs out there THEN the
    provider's end_session asks her, and once confirmed she is on the e-services' logged-out page; her
    session there is gone."""
    b = Browser(os.environ["PUBLIC_BASE_URL"])
    status, url, html = b.follow("/eservices/web/logga-in?next=/eservices/web/mina-sidor")
    status, url, html = log_in_at_the_provider(b, url, html, "annika")
    assert url.endswith("/eservices/web/mina-sidor")
    status, url, html = log_out_through_the_provider(b, configured, "/eservices/web/logga-ut", html)
    assert status == 200 and url.endswith("/eservices/web?utloggad=1"), (status, url)
    assert "Du är nu utloggad" in html
    status, url, _ = b.follow("/eservices/web/mina-sidor")
    assert url.startswith(f"{configured}/interaction/"), url  # logged out: e-ID again
