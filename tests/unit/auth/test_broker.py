"""The e-ID broker's relying party (services/auth/broker.py) against the development broker served
in process: the whole flow, each refusal with its reason, each client authentication."""
from __future__ import annotations

import json
import logging
import time
import urllib.parse
from pathlib import Path

import pytest

from services.auth.broker import (LEEWAY, Broker, BrokerConfig, LoginRefused, MESSAGES, challenge_of)
from services.auth.dev_broker import LOA2, LOA3, PNR_SCOPE, TOKEN_SECONDS, DevBroker, DevClient
from tests.support.broker import RewritingHttp, choose, claims_of

ISSUER = "https://broker.test/oidc"
REDIRECT = "http://127.0.0.1:8000/personal/logga-in/klar"
ANNIKA = "196004042047"  # a citizen in people.json
MARITA = "197205142388"  # a case worker in people.json
PEOPLE = json.loads((Path(__file__).resolve().parents[3] / "infra" / "fixtures" / "people.json").read_text("utf-8"))
SECRET = "s3cret-for-tests"


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dev-broker")
    DevBroker(folder, ISSUER, [], PEOPLE)  # makes the key once for the module
    return folder


@pytest.fixture(scope="module")
def client_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def other_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def clients(client_pem):
    from services.auth.broker import public_jwk

    return [DevClient("insats"), DevClient("basic", "client_secret_basic", SECRET),
            DevClient("post", "client_secret_post", SECRET),
            DevClient("jwt", "private_key_jwt", jwk=public_jwk(client_pem))]


class World:
    def __init__(self, key_dir: Path, clients: list[DevClient], **dev_options) -> None:
        self.dev_clock = [time.time()]
        self.dev = DevBroker(key_dir, ISSUER, clients, PEOPLE, clock=lambda: self.dev_clock[0], **dev_options)
        self.http = RewritingHttp(self.dev)

    def broker(self, client_id: str = "insats", clock=time.time, **config) -> Broker:
        return Broker(BrokerConfig(issuer=ISSUER, client_id=client_id, **config), self.http, clock=clock)

    def callback(self, broker: Broker, person: str = ANNIKA, acr: str = LOA3, action: str = "login"):
        pending, url = broker.start(REDIRECT)
        return pending, choose(self.dev, url, person, acr, action)

    def reforge(self, token_answer: dict, **changes) -> dict:
        """The token answer with its ID token's claims changed and signed again with the broker's key."""
        claims = {**claims_of(token_answer["id_token"]), **changes}
        return {**token_answer, "id_token": self.dev.sign({k: v for k, v in claims.items() if v is not None})}


@pytest.fixture
def world(key_dir, clients):
    return World(key_dir, clients)


def refusal(broker: Broker, pending, params) -> LoginRefused:
    with pytest.raises(LoginRefused) as caught:
        broker.finish(pending, params)
    assert caught.value.message == MESSAGES[caught.value.reason]
    return caught.value


# --- the login that works -------------------------------------------------------------------------

def test_given_a_citizen_picked_at_the_broker_when_finished_then_the_personnummer_name_and_acr_come_back(world):
    broker = world.broker()
    pending, params = world.callback(broker, ANNIKA)

    identity = broker.finish(pending, params)

    assert identity.personnummer == ANNIKA
    assert identity.name == "Annika Test"
    assert identity.acr == LOA3
    assert identity.subject and identity.subject != ANNIKA
    assert ("GET", f"{ISSUER}/userinfo") in world.http.calls  # the pnr is not in the ID token by default
    assert "pnr" not in json.dumps(claims_of(identity.id_token)) and ANNIKA not in json.dumps(claims_of(identity.id_token))


def test_given_a_staff_member_and_the_simple_level_when_finished_then_acr_is_loa2(world):
    broker = world.broker()
    pending, params = world.callback(broker, MARITA, acr=LOA2)

    identity = broker.finish(pending, params)

    assert (identity.personnummer, identity.name, identity.acr) == (MARITA, "Marita Aronsson", LOA2)


def test_given_a_broker_that_puts_the_pnr_in_the_id_token_when_finished_then_userinfo_is_not_asked(key_dir, clients):
    world = World(key_dir, clients, pnr_in_id_token=True)
    broker = world.broker()
    pending, params = world.callback(broker)

    identity = broker.finish(pending, params)

    assert identity.personnummer == ANNIKA
    assert ("GET", f"{ISSUER}/userinfo") not in world.http.calls


def test_the_authorize_url_carries_pkce_s256_state_nonce_scopes_and_the_asked_level(world):
    pending, url = world.broker().start(REDIRECT, acr_values=LOA3)

    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))

    assert url.startswith(f"{ISSUER}/authorize?")
    assert query["code_challenge"] == challenge_of(pending.verifier) and query["code_challenge_method"] == "S256"
    assert (query["state"], query["nonce"], query["redirect_uri"]) == (pending.state, pending.nonce, REDIRECT)
    assert query["scope"] == f"openid {PNR_SCOPE}" and query["acr_values"] == LOA3 and query["client_id"] == "insats"
    assert pending.verifier not in url and len(pending.verifier) >= 43


def test_the_discovery_is_fetched_once_for_many_logins(world):
    broker = world.broker()
    for _ in range(3):
        pending, params = world.callback(broker)
        broker.finish(pending, params)

    assert world.http.calls.count(("GET", f"{ISSUER}/.well-known/openid-configuration")) == 1


def test_the_discovery_is_asked_again_after_an_hour_and_a_broker_that_went_away_keeps_its_last_metadata(world):
    now = [time.time()]
    broker = world.broker(clock=lambda: now[0])
    discovery = ("GET", f"{ISSUER}/.well-known/openid-configuration")
    broker.start(REDIRECT)
    now[0] += 3599
    broker.start(REDIRECT)
    assert world.http.calls.count(discovery) == 1

    now[0] += 2
    world.http.down = True
    pending, url = broker.start(REDIRECT)  # from the metadata it had
    assert url.startswith(f"{ISSUER}/authorize?") and world.http.calls.count(discovery) == 2
    broker.start(REDIRECT)
    assert world.http.calls.count(discovery) == 2  # asked again at most once a minute

    now[0] += 24 * 3600
    with pytest.raises(LoginRefused) as caught:
        broker.start(REDIRECT)
    assert caught.value.reason == "broker_unavailable"


def test_a_coordination_number_is_read_from_its_own_claim(world):
    coordination = "197205742385"  # Marita's birth date + 60, Luhn-valid
    from services.domain.personnummer import Personnummer

    assert Personnummer(coordination).is_coordination_number
    world.http.rewrite["/userinfo"] = lambda info: {
        "sub": info["sub"], "https://id.oidc.se/claim/coordinationNumber": coordination}
    broker = world.broker()
    pending, params = world.callback(broker, MARITA)

    assert broker.finish(pending, params).personnummer == coordination


# --- each refusal --------------------------------------------------------------------------------

def test_given_the_person_cancels_at_the_broker_then_broker_error(world):
    broker = world.broker()
    pending, params = world.callback(broker, action="cancel")

    assert params["error"] == "access_denied"
    assert refusal(broker, pending, params).reason == "broker_error"
    assert refusal(broker, pending, {**params, "iss": "https://evil.test/oidc"}).reason == "wrong_iss"


def test_given_another_logins_state_then_state_mismatch(world):
    broker = world.broker()
    pending, params = world.callback(broker)

    assert refusal(broker, pending, {**params, "state": "someone-elses"}).reason == "state_mismatch"
    assert refusal(broker, pending, {k: v for k, v in params.items() if k != "state"}).reason == "state_mismatch"


def test_given_a_wrong_or_missing_iss_on_the_callback_then_wrong_iss(world):
    broker = world.broker()
    pending, params = world.callback(broker)

    assert params["iss"] == ISSUER
    assert refusal(broker, pending, {**params, "iss": "https://evil.test/oidc"}).reason == "wrong_iss"
    # the discovery promises iss (RFC 9207), so its absence is a mix-up too
    assert refusal(broker, pending, {k: v for k, v in params.items() if k != "iss"}).reason == "wrong_iss"


def test_given_a_broker_that_does_not_promise_iss_then_a_callback_without_it_is_accepted(world):
    world.http.rewrite["/.well-known/openid-configuration"] = lambda m: {
        **m, "authorization_response_iss_parameter_supported": False}
    broker = world.broker()
    pending, params = world.callback(broker)

    assert broker.finish(pending, {k: v for k, v in params.items() if k != "iss"}).personnummer == ANNIKA


def test_given_a_code_used_once_when_replayed_then_code_refused(world):
    broker = world.broker()
    pending, params = world.callback(broker)
    broker.finish(pending, params)

    refused = refusal(broker, pending, params)

    assert refused.reason == "code_refused" and "invalid_grant" in refused.detail


def test_given_a_code_older_than_a_minute_then_code_refused(world):
    broker = world.broker()
    pending, params = world.callback(broker)
    world.dev_clock[0] += 61

    assert refusal(broker, pending, params).reason == "code_refused"


def test_given_an_id_token_for_another_audience_then_id_token_invalid(world):
    world.http.rewrite["/token"] = lambda answer: world.reforge(answer, aud="another-service")
    broker = world.broker()
    pending, params = world.callback(broker)

    refused = refusal(broker, pending, params)

    assert refused.reason == "id_token_invalid" and "InvalidAudienceError" in refused.detail


def test_given_several_audiences_then_azp_must_name_this_client(world):
    broker = world.broker()
    world.http.rewrite["/token"] = lambda answer: world.reforge(answer, aud=["insats", "another-service"])
    pending, params = world.callback(broker)
    assert refusal(broker, pending, params).reason == "id_token_invalid"

    world.http.rewrite["/token"] = lambda answer: world.reforge(answer, aud=["insats", "another-service"], azp="insats")
    pending, params = world.callback(broker)
    assert broker.finish(pending, params).personnummer == ANNIKA


def test_given_an_id_token_from_another_issuer_and_key_then_id_token_invalid(world, tmp_path):
    other = DevBroker(tmp_path, "https://other-broker.test/oidc", [DevClient("insats")], PEOPLE)
    world.http.rewrite["/token"] = lambda answer: {
        **answer, "id_token": other.sign({**claims_of(answer["id_token"]), "iss": other.issuer})}
    broker = world.broker()
    pending, params = world.callback(broker)

    refused = refusal(broker, pending, params)

    assert refused.reason == "id_token_invalid" and "key" in refused.detail


def test_given_an_id_token_signed_with_another_key_under_the_brokers_key_id_then_id_token_invalid(world, other_pem):
    from cryptography.hazmat.primitives import serialization

    from services.auth.broker import sign_rs256

    forger = serialization.load_pem_private_key(other_pem.encode(), password=None)
    world.http.rewrite["/token"] = lambda answer: {
        **answer, "id_token": sign_rs256(forger, {"typ": "JWT", "kid": world.dev.kid}, claims_of(answer["id_token"]))}
    broker = world.broker()
    pending, params = world.callback(broker)

    refused = refusal(broker, pending, params)

    assert refused.reason == "id_token_invalid" and "InvalidSignatureError" in refused.detail


def test_given_the_brokers_key_but_another_issuer_claim_then_id_token_invalid(world):
    world.http.rewrite["/token"] = lambda answer: world.reforge(answer, iss="https://other-broker.test/oidc")
    broker = world.broker()
    pending, params = world.callback(broker)

    refused = refusal(broker, pending, params)

    assert refused.reason == "id_token_invalid" and "InvalidIssuerError" in refused.detail


def test_given_an_expired_id_token_then_id_token_invalid(world):
    later = time.time() + TOKEN_SECONDS + LEEWAY + 5
    broker = world.broker(clock=lambda: later)
    pending, params = world.callback(broker)

    refused = refusal(broker, pending, params)

    assert refused.reason == "id_token_invalid" and "Expired" in refused.detail


def test_given_an_id_token_issued_in_the_future_then_id_token_invalid(world):
    world.http.rewrite["/token"] = lambda answer: world.reforge(answer, iat=int(time.time()) + 600)
    broker = world.broker()
    pending, params = world.callback(broker)

    assert refusal(broker, pending, params).reason == "id_token_invalid"


def test_given_an_unsigned_id_token_then_id_token_invalid(world):
    import base64

    def unsigned(answer):
        header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": world.dev.kid}).encode()).decode().rstrip("=")
        return {**answer, "id_token": f"{header}.{answer['id_token'].split('.')[1]}."}

    world.http.rewrite["/token"] = unsigned
    broker = world.broker()
    pending, params = world.callback(broker)

    assert refusal(broker, pending, params).reason == "id_token_invalid"


def test_given_another_logins_nonce_then_nonce_mismatch(world):
    broker = world.broker()
    pending, params = world.callback(broker)

    assert refusal(broker, pending.model_copy(update={"nonce": "another"}), params).reason == "nonce_mismatch"


def test_given_no_personnummer_scope_then_no_personnummer(world):
    broker = world.broker(scopes=("openid", "profile"))
    pending, params = world.callback(broker)

    refused = refusal(broker, pending, params)

    assert refused.reason == "no_personnummer"
    assert "personnummer" in refused.message and "BankID" in refused.message


@pytest.mark.parametrize("number", ["196004042048", "6004042047", "19600404-2047", 196004042047])
def test_given_a_released_number_that_is_not_a_valid_12_digit_personnummer_then_no_personnummer(world, number):
    world.http.rewrite["/userinfo"] = lambda info: {**info, "https://id.oidc.se/claim/personalIdentityNumber": number}
    broker = world.broker()
    pending, params = world.callback(broker)

    assert refusal(broker, pending, params).reason == "no_personnummer"


def test_given_userinfo_about_another_subject_then_userinfo_invalid(world):
    world.http.rewrite["/userinfo"] = lambda info: {**info, "sub": "someone-else"}
    broker = world.broker()
    pending, params = world.callback(broker)

    assert refusal(broker, pending, params).reason == "userinfo_invalid"


def test_given_a_broker_that_does_not_answer_then_broker_unavailable(world):
    world.http.down = True

    with pytest.raises(LoginRefused) as caught:
        world.broker().start(REDIRECT)

    assert caught.value.reason == "broker_unavailable"
    assert caught.value.message == "Inloggningstjänsten svarar inte just nu. Försök igen om en stund."


def test_given_the_broker_goes_away_after_the_person_logged_in_then_broker_unavailable(world):
    broker = world.broker()
    pending, params = world.callback(broker)
    world.http.down = True

    assert refusal(broker, pending, params).reason == "broker_unavailable"


def test_given_a_discovery_naming_another_issuer_then_broker_unavailable(world):
    world.http.rewrite["/.well-known/openid-configuration"] = lambda m: {**m, "issuer": "https://evil.test/oidc"}

    with pytest.raises(LoginRefused) as caught:
        world.broker().start(REDIRECT)

    assert caught.value.reason == "broker_unavailable"


# --- client authentication -------------------------------------------------------------------

@pytest.mark.parametrize("client_id, method", [("insats", "none"), ("basic", "client_secret_basic"),
                                               ("post", "client_secret_post"), ("jwt", "private_key_jwt")])
def test_each_client_authentication_is_accepted(world, client_pem, client_id, method):
    broker = world.broker(client_id, client_auth=method, client_secret=SECRET if "secret" in method else "",
                          client_key_pem=client_pem if method == "private_key_jwt" else "")
    pending, params = world.callback(broker)

    assert broker.finish(pending, params).personnummer == ANNIKA


@pytest.mark.parametrize("client_id, method", [("basic", "client_secret_basic"), ("post", "client_secret_post")])
def test_a_wrong_client_secret_is_refused(world, client_id, method):
    broker = world.broker(client_id, client_auth=method, client_secret="wrong")
    pending, params = world.callback(broker)

    refused = refusal(broker, pending, params)

    assert refused.reason == "code_refused" and "invalid_client" in refused.detail


def test_a_confidential_client_that_does_not_authenticate_is_refused(world):
    broker = world.broker("basic")  # registered with client_secret_basic, configured as public
    pending, params = world.callback(broker)

    assert "invalid_client" in refusal(broker, pending, params).detail


def test_a_client_assertion_signed_with_another_key_is_refused(world, other_pem):
    broker = world.broker("jwt", client_auth="private_key_jwt", client_key_pem=other_pem)
    pending, params = world.callback(broker)

    assert "invalid_client" in refusal(broker, pending, params).detail


def test_the_client_assertion_is_for_the_token_endpoint_lives_a_minute_and_is_never_reused(world, client_pem):
    broker = world.broker("jwt", client_auth="private_key_jwt", client_key_pem=client_pem)

    first, second = claims_of(broker.client_assertion(f"{ISSUER}/token")), claims_of(broker.client_assertion(f"{ISSUER}/token"))

    assert first["aud"] == f"{ISSUER}/token" and first["iss"] == first["sub"] == "jwt"
    assert 0 < first["exp"] - first["iat"] <= 60
    assert first["jti"] != second["jti"]


# --- logout, configuration, logs -----------------------------------------------------------------

def test_the_logout_url_ends_the_brokers_session_and_comes_back(world):
    broker = world.broker()
    pending, params = world.callback(broker)
    identity = broker.finish(pending, params)

    url = broker.logout_url(identity.id_token, "http://127.0.0.1:8000/personal/utloggad")

    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith(f"{ISSUER}/end_session?")
    assert query == {"id_token_hint": identity.id_token, "client_id": "insats",
                     "post_logout_redirect_uri": "http://127.0.0.1:8000/personal/utloggad"}
    status, headers, _ = world.dev.handle("GET", url.removeprefix("https://broker.test"), {}, b"")
    assert status == 302 and headers["Location"] == "http://127.0.0.1:8000/personal/utloggad"


def test_given_a_broker_without_end_session_then_no_logout_url(world):
    world.http.rewrite["/.well-known/openid-configuration"] = lambda m: {
        k: v for k, v in m.items() if k != "end_session_endpoint"}

    assert world.broker().logout_url("x.y.z", "http://127.0.0.1:8000/") is None


def test_the_configuration_comes_from_env(monkeypatch, tmp_path, client_pem):
    for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_CLIENT_AUTH", "OIDC_CLIENT_KEY",
                 "OIDC_SCOPES", "OIDC_PNR_CLAIM", "OIDC_COORDINATION_CLAIM"):
        monkeypatch.delenv(name, raising=False)
    local = BrokerConfig.from_env("http://127.0.0.1:8000/dev/oidc")
    assert (local.issuer, local.client_id, local.client_auth) == ("http://127.0.0.1:8000/dev/oidc", "insats", "none")
    assert local.scopes == ("openid", PNR_SCOPE)
    assert local.pnr_claim == "https://id.oidc.se/claim/personalIdentityNumber"

    (tmp_path / "client.pem").write_text(client_pem)
    monkeypatch.setenv("OIDC_ISSUER", "https://eid.kommun.example")
    monkeypatch.setenv("OIDC_CLIENT_AUTH", "private_key_jwt")
    monkeypatch.setenv("OIDC_CLIENT_KEY", str(tmp_path / "client.pem"))
    monkeypatch.setenv("OIDC_SCOPES", "openid profile")
    configured = BrokerConfig.from_env("http://127.0.0.1:8000/dev/oidc")
    assert configured.issuer == "https://eid.kommun.example" and configured.client_key_pem == client_pem
    assert configured.scopes == ("openid", "profile") and client_pem not in repr(configured)

    monkeypatch.setenv("OIDC_CLIENT_AUTH", "")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", SECRET)
    assert BrokerConfig.from_env(None).client_auth == "client_secret_basic"  # a secret without a method

    monkeypatch.delenv("OIDC_ISSUER")
    with pytest.raises(ValueError, match="OIDC_ISSUER"):
        BrokerConfig.from_env(None)
    with pytest.raises(ValueError, match="OIDC_CLIENT_AUTH"):
        BrokerConfig("https://eid.kommun.example", "insats", client_auth="client_secret_jwt")


def test_neither_tokens_nor_personnummer_reach_the_log_or_the_reprs(world, caplog):
    caplog.set_level(logging.DEBUG)
    broker = world.broker()
    pending, params = world.callback(broker)
    identity = broker.finish(pending, params)
    refused = refusal(broker, pending, params)
    world.http.rewrite["/userinfo"] = lambda info: {**info, "https://id.oidc.se/claim/personalIdentityNumber": "196004042048"}
    pending2, params2 = world.callback(broker)
    refused2 = refusal(broker, pending2, params2)

    refused3 = refusal(broker, pending2, {**params2, "error": "access_denied 196004042047"})
    shown = str(refused3) + refused3.detail + caplog.text + repr(identity) + str(identity) + repr(pending) + str(refused) + str(refused2) + refused2.detail
    assert ANNIKA not in shown and "196004042048" not in shown and "19600404" not in shown
    assert identity.id_token not in shown and pending.verifier not in shown and params["code"] not in shown
