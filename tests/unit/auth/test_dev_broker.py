"""The development e-ID broker (services/auth/dev_broker.py) as a relying party meets it: its page,
its token endpoint's checks, what it releases, its logout, its key; and the local gateway's
``/dev/oidc/`` routes (the new broker beside the citizen web's old login until that moves)."""
from __future__ import annotations

import json
import re
import time
import urllib.parse
from pathlib import Path

import pytest

from services.auth.broker import challenge_of
from services.auth.dev_broker import (LOA2, LOA3, PNR_SCOPE, DevBroker, DevClient, demo_people)
from tests.support.broker import claims_of

ISSUER = "http://127.0.0.1:8000/dev/oidc"
REDIRECT = "http://127.0.0.1:8000/personal/logga-in/klar"
PEOPLE = json.loads((Path(__file__).resolve().parents[3] / "infra" / "fixtures" / "people.json").read_text("utf-8"))
ANNIKA = "196004042047"
VERIFIER = "v" * 50


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dev-broker")
    DevBroker(folder, ISSUER, [], PEOPLE)
    return folder


@pytest.fixture
def dev(key_dir):
    return DevBroker(key_dir, ISSUER, [DevClient("insats")], PEOPLE)


def authorize_query(**over) -> dict[str, str]:
    return {"response_type": "code", "client_id": "insats", "redirect_uri": REDIRECT, "scope": f"openid {PNR_SCOPE}",
            "state": "st", "nonce": "no", "code_challenge": challenge_of(VERIFIER), "code_challenge_method": "S256",
            **over}


def page(dev: DevBroker, **over) -> tuple[int, dict, str]:
    status, headers, body = dev.handle("GET", f"/dev/oidc/authorize?{urllib.parse.urlencode(authorize_query(**over))}",
                                       {}, b"")
    return status, headers, body.decode()


def code_for(dev: DevBroker, person: str = ANNIKA, acr: str = LOA3, **over) -> str:
    _, _, html = page(dev, **over)
    request_id = re.search(r'name="request" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode({"request": request_id, "person": person, "acr": acr, "action": "login"}).encode()
    status, headers, _ = dev.handle("POST", "/dev/oidc/authorize", {}, form)
    assert status == 302
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))
    assert query["iss"] == ISSUER and query["state"] == "st"
    return query["code"]


def token(dev: DevBroker, code: str, **over) -> tuple[int, dict]:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": VERIFIER,
            "client_id": "insats", **over}
    status, _, body = dev.handle("POST", "/dev/oidc/token", {}, urllib.parse.urlencode(form).encode())
    return status, json.loads(body)


def test_the_picker_lists_every_demo_login_with_name_role_and_organisation_in_swedish(dev):
    status, headers, html = page(dev)

    assert status == 200
    logins = [login for login in PEOPLE["demo_logins"] if login.get("personnummer")]
    assert len(logins) == len(demo_people(PEOPLE)) >= 10
    for login in logins:
        assert f'value="{login["personnummer"]}"' in html
    assert "Marita Aronsson, biståndshandläggare, Biståndsenheten" in html
    assert "Anna Andersson, personal i hemtjänsten, Omsorg AB" in html
    assert "Annika Test, invånare" in html
    assert "Kim Karlsson, kommunens administratör, Kommunens IT-förvaltning" in html


def test_the_picker_is_accessible_swedish_and_without_script(dev):
    _, headers, html = page(dev)

    assert '<html lang="sv">' in html and "<script" not in html.lower()
    assert html.count("<fieldset") == 2 and "<legend" in html and "Säkerhetsnivå" in html and "Testperson" in html
    ids = re.findall(r'<input type="radio" id="([^"]+)"', html)
    assert ids and all(f'<label for="{i}">' in html for i in ids)
    assert 'value="http://id.elegnamnden.se/loa/1.0/loa3" checked' in html  # two-factor by default
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp


def test_a_requested_level_is_chosen_beforehand(dev):
    _, _, html = page(dev, acr_values=LOA2)

    assert f'value="{LOA2}" checked' in html


@pytest.mark.parametrize("over", [{"client_id": "unknown"}, {"redirect_uri": "https://evil.example/cb"},
                                  {"redirect_uri": "http://localhost.evil.example/cb"}])
def test_an_unknown_client_or_unregistered_redirect_gets_an_error_page_never_a_redirect(dev, over):
    status, headers, html = page(dev, **over)

    assert status == 400 and "Location" not in headers and "Felaktig inloggningsbegäran" in html


@pytest.mark.parametrize("over, error", [({"code_challenge_method": "plain"}, "invalid_request"),
                                         ({"code_challenge": ""}, "invalid_request"),
                                         ({"scope": "profile"}, "invalid_scope"),
                                         ({"response_type": "token"}, "unsupported_response_type")])
def test_a_bad_request_from_a_known_client_is_answered_at_its_redirect_with_iss(dev, over, error):
    status, headers, _ = page(dev, **over)

    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))
    assert status == 302 and query["error"] == error and query["iss"] == ISSUER and query["state"] == "st"


def test_only_loopback_redirects_can_be_registered():
    with pytest.raises(ValueError, match="loopback"):
        DevClient("insats", redirect_prefixes=("https://insats.example/",))


def test_the_id_token_has_acr_and_nonce_but_not_the_personnummer_which_userinfo_releases(dev):
    status, answer = token(dev, code_for(dev, acr=LOA2))

    claims = claims_of(answer["id_token"])
    assert status == 200 and claims["acr"] == LOA2 and claims["nonce"] == "no" and claims["iss"] == ISSUER
    assert ANNIKA not in json.dumps(claims)
    _, _, body = dev.handle("GET", "/dev/oidc/userinfo", {"Authorization": f"Bearer {answer['access_token']}"}, b"")
    info = json.loads(body)
    assert info["https://id.oidc.se/claim/personalIdentityNumber"] == ANNIKA and info["sub"] == claims["sub"]


def test_without_the_personnummer_scope_nothing_releases_it(key_dir):
    dev = DevBroker(key_dir, ISSUER, [DevClient("insats")], PEOPLE, pnr_in_id_token=True)
    status, answer = token(dev, code_for(dev, scope="openid profile"))

    _, _, body = dev.handle("GET", "/dev/oidc/userinfo", {"Authorization": f"Bearer {answer['access_token']}"}, b"")
    assert ANNIKA not in body.decode() and ANNIKA not in json.dumps(claims_of(answer["id_token"]))
    assert json.loads(body)["name"] == "Annika Test"


def test_with_pnr_in_id_token_the_id_token_carries_it(key_dir):
    dev = DevBroker(key_dir, ISSUER, [DevClient("insats")], PEOPLE, pnr_in_id_token=True)

    _, answer = token(dev, code_for(dev))

    assert claims_of(answer["id_token"])["https://id.oidc.se/claim/personalIdentityNumber"] == ANNIKA


@pytest.mark.parametrize("over", [{"code_verifier": "w" * 50}, {"redirect_uri": REDIRECT + "/other"},
                                  {"grant_type": "refresh_token"}])
def test_the_token_endpoint_checks_pkce_the_redirect_and_the_grant(dev, over):
    status, answer = token(dev, code_for(dev), **over)

    assert status == 400 and answer["error"] in ("invalid_grant", "unsupported_grant_type")


def test_a_code_is_used_once_and_a_replay_revokes_its_access_token(dev):
    code = code_for(dev)
    _, answer = token(dev, code)

    status, again = token(dev, code)

    assert status == 400 and again["error"] == "invalid_grant" and dev.owns_code(code)
    status, _, _ = dev.handle("GET", "/dev/oidc/userinfo", {"Authorization": f"Bearer {answer['access_token']}"}, b"")
    assert status == 401


def test_a_code_lives_a_minute(key_dir):
    now = [time.time()]
    dev = DevBroker(key_dir, ISSUER, [DevClient("insats")], PEOPLE, clock=lambda: now[0])
    code = code_for(dev)
    now[0] += 61

    assert token(dev, code)[1]["error"] == "invalid_grant"


def test_a_client_registered_with_a_secret_must_use_it(key_dir):
    dev = DevBroker(key_dir, ISSUER, [DevClient("insats", "client_secret_post", "s")], PEOPLE)

    status, answer = token(dev, code_for(dev))

    assert status == 401 and answer["error"] == "invalid_client"
    assert token(dev, code_for(dev), client_secret="s")[0] == 200


def test_end_session_returns_only_to_a_registered_address(dev):
    _, answer = token(dev, code_for(dev))
    hint = answer["id_token"]

    status, headers, _ = dev.handle("GET", "/dev/oidc/end_session?" + urllib.parse.urlencode(
        {"id_token_hint": hint, "post_logout_redirect_uri": "http://127.0.0.1:8000/utloggad", "state": "s1"}), {}, b"")
    assert status == 302 and headers["Location"] == "http://127.0.0.1:8000/utloggad?state=s1"

    status, headers, body = dev.handle("GET", "/dev/oidc/end_session?" + urllib.parse.urlencode(
        {"client_id": "insats", "post_logout_redirect_uri": "https://evil.example/"}), {}, b"")
    assert status == 200 and "Location" not in headers and "Du är utloggad" in body.decode()


def test_the_discovery_names_every_endpoint_under_the_issuer_and_promises_iss(dev):
    status, _, body = dev.handle("GET", "/dev/oidc/.well-known/openid-configuration", {}, b"")
    metadata = json.loads(body)

    assert status == 200 and metadata["issuer"] == ISSUER
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"):
        assert metadata[name].startswith(ISSUER + "/")
    _, _, jwks = dev.handle("GET", "/dev/oidc/jwks", {}, b"")
    assert [k["kid"] for k in json.loads(jwks)["keys"]] == [dev.kid]
    assert all("d" not in k for k in json.loads(jwks)["keys"])  # public only


def test_the_key_is_kept_in_its_folder_and_is_not_the_insats_key(key_dir, tmp_path):
    from services.auth.dev_issuer import DevIssuer

    again = DevBroker(key_dir, ISSUER, [], PEOPLE)
    insats = DevIssuer(tmp_path, issuer="https://insats.test", audience="insats")

    assert again.kid == DevBroker(key_dir, ISSUER, [], PEOPLE).kid
    assert json.loads(insats.jwks_path.read_text())["keys"][0]["n"] != again.jwk["n"]
    assert (key_dir / "dev-broker-key.pem").is_file()


# --- the local gateway --------------------------------------------------------------------------

@pytest.fixture
def gateway(tmp_path, monkeypatch):
    import types

    from infra.local.gateway import DevRoutes, Gateway
    from services.auth.dev_issuer import DevIssuer
    from services.settings import settings

    for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_CLIENT_AUTH", "OIDC_CLIENT_KEY", "OIDC_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    settings.cache_clear()
    issuer = DevIssuer(tmp_path, issuer="https://dev-issuer.insats.local", audience="insats")
    gw = Gateway({}, DevRoutes(issuer, "http://127.0.0.1:1", types.SimpleNamespace(jobs={}), []), "127.0.0.1", 0)
    yield gw
    gw.server.server_close()
    settings.cache_clear()


def test_the_gateway_serves_the_development_broker_under_dev_oidc_with_its_key_in_its_own_folder(gateway, tmp_path):
    status, _, body = gateway.handle("GET", "/dev/oidc/.well-known/openid-configuration", {}, b"")

    assert status == 200 and json.loads(body)["issuer"] == ISSUER
    assert (tmp_path / "dev-broker" / "dev-broker-key.pem").is_file()
    status, _, html = gateway.handle("GET", "/dev/oidc/authorize?" + urllib.parse.urlencode(authorize_query()), {}, b"")
    assert status == 200 and "Säkerhetsnivå" in html.decode()


def test_the_local_stacks_client_is_registered_from_the_relying_partys_env(monkeypatch):
    for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_CLIENT_AUTH", "OIDC_CLIENT_KEY", "OIDC_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    assert DevClient.from_env() == DevClient("insats")  # public by default

    monkeypatch.setenv("OIDC_CLIENT_ID", "insats-test")
    monkeypatch.setenv("OIDC_CLIENT_AUTH", "client_secret_post")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "hemligt")
    client = DevClient.from_env()
    assert (client.client_id, client.auth_method, client.secret) == ("insats-test", "client_secret_post", "hemligt")
    assert "hemligt" not in repr(client)
