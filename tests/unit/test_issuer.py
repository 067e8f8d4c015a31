"""Insats' own tokens (services/auth/issuer.py): the claims and lifetimes it mints, what the
verifier refuses (another issuer, another audience, not yet valid), key rotation over a key
folder, and the settings: INSATS_TOKEN_* for the verifier, never the broker's OIDC_*."""
from __future__ import annotations

import time

import pytest

from services.adapters.signing_keys import FileSigningKeys
from services.auth import issuer as issuer_module
from services.auth import jws, tokens
from services.auth.dev_issuer import DevIssuer
from services.auth.issuer import ACCESS_TOKEN_SECONDS, InsatsTokens, insats_tokens, reset_insats_tokens
from services.auth.principal import Principal, Role
from services.auth.tokens import TokenVerifier
from services.domain.errors import Unauthenticated, Unavailable
from services.settings import settings
from tests.support.fakes.common import Clock

ISS, AUD = "https://insats.example/identity", "insats"
PNR = "191212121212"


@pytest.fixture()
def keys(tmp_path):
    return FileSigningKeys(tmp_path / "keys")


@pytest.fixture()
def minter(keys):
    return InsatsTokens(keys, ISS, AUD)


def verifier_for(keys: FileSigningKeys, issuer: str = ISS, audience: str = AUD, **cache) -> TokenVerifier:
    return TokenVerifier(keys.jwks_url, issuer, audience, **cache)


def claims_of(token: str) -> dict:
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


CITIZEN = Principal(subject="c-1", role=Role.CITIZEN, personnummer=PNR, name="Tolvan Tolvansson")
COORDINATOR = Principal(subject="s-1", role=Role.PROVIDER_COORDINATOR, user_id="u-1", provider_id="p-1",
                        organisation_id="p-1", name="Siv Samordnare")


# -- lifetimes and claims


def test_given_a_token_when_minted_then_it_lives_the_access_token_lifetime_from_now(minter):
    before = int(time.time())
    claims = claims_of(minter.mint(CITIZEN))
    assert claims["exp"] - claims["iat"] == ACCESS_TOKEN_SECONDS == 600
    assert claims["nbf"] == claims["iat"]
    assert before <= claims["iat"] <= int(time.time())


def test_given_a_lifetime_when_minted_then_exp_minus_iat_is_that_lifetime(minter):
    claims = claims_of(minter.mint(CITIZEN, lifetime=90))
    assert claims["exp"] - claims["iat"] == 90


@pytest.mark.parametrize("lifetime", [0, -1])
def test_a_token_that_would_never_be_valid_is_not_minted(minter, lifetime):
    with pytest.raises(ValueError):
        minter.mint(CITIZEN, lifetime=lifetime)


def test_a_token_carries_the_principal_the_session_and_its_own_id(minter, keys):
    token = minter.mint(COORDINATOR, session_id="sess-1")
    claims = claims_of(token)
    assert {k: claims[k] for k in ("iss", "aud", "sub", "role", "user_id", "provider_id", "organisation_id",
                                   "name", "sid")} == {
        "iss": ISS, "aud": AUD, "sub": "s-1", "role": "provider_coordinator", "user_id": "u-1",
        "provider_id": "p-1", "organisation_id": "p-1", "name": "Siv Samordnare", "sid": "sess-1"}
    assert claims["jti"] != claims_of(minter.mint(COORDINATOR))["jti"]
    assert jws.header(token) == {"alg": "RS256", "typ": "JWT", "kid": keys.current_kid()}
    assert verifier_for(keys).verify(token) == COORDINATOR


def test_a_persons_token_carries_the_personnummer_and_a_staff_token_never_does(minter, keys):
    assert claims_of(minter.mint(CITIZEN))["personnummer"] == PNR
    staff_with_pnr = Principal(subject="s-2", role=Role.CASE_WORKER, user_id="u-2", personnummer=PNR,
                               organisation_id="unit-1")
    claims = claims_of(minter.mint(staff_with_pnr))
    assert "personnummer" not in claims and PNR not in str(claims)
    assert verifier_for(keys).verify(minter.mint(staff_with_pnr)).organisation_id == "unit-1"


def test_a_token_without_a_session_names_none(minter):
    assert "sid" not in claims_of(minter.mint(CITIZEN))


# -- what the verifier refuses


def test_a_token_from_another_issuer_is_refused(keys):
    token = InsatsTokens(keys, "https://someone-else.example/identity", AUD).mint(CITIZEN)
    with pytest.raises(Unauthenticated, match="InvalidIssuerError"):
        verifier_for(keys).verify(token)


def test_a_token_for_another_audience_is_refused(keys):
    token = InsatsTokens(keys, ISS, "another-service").mint(CITIZEN)
    with pytest.raises(Unauthenticated, match="InvalidAudienceError"):
        verifier_for(keys).verify(token)


def test_a_token_not_valid_before_a_time_to_come_is_refused(minter, keys):
    claims = minter.claims(CITIZEN)
    claims["nbf"] = claims["iat"] + 120  # issued now, valid only in two minutes (beyond the 30 s leeway)
    with pytest.raises(Unauthenticated, match="ImmatureSignatureError"):
        verifier_for(keys).verify(minter.sign(claims))
    claims["nbf"] = claims["iat"] + 20  # within the leeway: clocks drift
    assert verifier_for(keys).verify(minter.sign(claims)) == CITIZEN


def test_a_token_minted_by_a_clock_ahead_is_refused_until_its_time(keys):
    token = InsatsTokens(keys, ISS, AUD, clock=lambda: time.time() + 300).mint(CITIZEN)
    with pytest.raises(Unauthenticated, match="ImmatureSignatureError"):
        verifier_for(keys).verify(token)


def test_an_expired_token_is_refused(keys):
    token = InsatsTokens(keys, ISS, AUD, clock=lambda: time.time() - ACCESS_TOKEN_SECONDS - 60).mint(CITIZEN)
    with pytest.raises(Unauthenticated, match="expired"):
        verifier_for(keys).verify(token)


# -- rotation


def test_given_a_rotation_then_both_keys_verify_until_the_old_one_is_retired(keys, minter):
    clock = Clock(1000.0)
    verifier = verifier_for(keys, clock=clock, ttl=300, cooldown=30, max_stale=3600, wait=1)
    key_a = keys.current_kid()
    token_a = minter.mint(CITIZEN)
    assert verifier.verify(token_a) == CITIZEN

    key_b = keys.rotate()
    token_b = minter.mint(COORDINATOR)
    assert key_b != key_a and jws.header(token_b)["kid"] == key_b
    assert [k["kid"] for k in keys.jwks()["keys"]] == [key_b, key_a]  # the current key first
    clock.advance(31)  # past the cool-down of the first fetch: an unknown kid fetches again
    assert verifier.verify(token_b) == COORDINATOR
    assert verifier.verify(token_a) == CITIZEN  # the old key is still published

    assert keys.retire_previous() == [key_a]
    assert [k["kid"] for k in keys.jwks()["keys"]] == [key_b]
    clock.advance(301)  # the cached keys are stale: the next request reads the file again
    with pytest.raises(Unauthenticated, match="signing key is unknown"):
        verifier.verify(token_a)
    assert verifier.verify(token_b) == COORDINATOR
    with pytest.raises(Unauthenticated, match="signing key is unknown"):
        verifier_for(keys).verify(token_a)


def test_a_retired_key_is_gone_from_the_folder(keys):
    old = keys.current_kid()
    keys.rotate()
    keys.retire_previous()
    assert not (keys.folder / f"signing-key-{old}.pem").exists()
    assert len(list(keys.folder.glob("signing-key-*.pem"))) == 1


def test_another_process_over_the_same_folder_signs_with_the_rotated_key(keys, tmp_path):
    other = FileSigningKeys(keys.folder)  # as the local stack and a test process share .local/
    assert other.current_kid() == keys.current_kid()
    new = keys.rotate()
    kid, _ = other.sign(b"x.y")
    assert kid == new


def test_given_the_key_changes_between_naming_and_signing_then_the_token_names_the_key_that_signed():
    class Racing:
        def __init__(self) -> None:
            self.published, self.signing = ["a", "b"], ["b", "b"]

        def jwks(self) -> dict:
            return {"keys": [{"kid": self.published.pop(0)}]}

        def sign(self, signing_input: bytes) -> tuple[str, bytes]:
            return self.signing.pop(0), b"sig"

    token = InsatsTokens(Racing(), ISS, AUD).mint(CITIZEN)
    assert jws.header(token)["kid"] == "b"


def test_given_a_key_that_never_signs_as_it_says_then_no_token():
    class Lying:
        def jwks(self) -> dict:
            return {"keys": [{"kid": "a"}]}

        def sign(self, signing_input: bytes) -> tuple[str, bytes]:
            return "b", b"sig"

    with pytest.raises(Unavailable):
        InsatsTokens(Lying(), ISS, AUD).mint(CITIZEN)


# -- the development issuer mints the same tokens


def test_the_development_issuer_mints_insats_tokens_with_the_folders_key(tmp_path):
    dev = DevIssuer(tmp_path / "dev", issuer=ISS, audience=AUD)
    token = dev.token_for("provider_staff", user_id="u-3", provider_id="p-3")
    claims = claims_of(token)
    assert jws.header(token)["kid"] == FileSigningKeys(tmp_path / "dev").current_kid() == dev.kid
    assert {"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "role", "user_id", "provider_id",
            "organisation_id"} <= set(claims)
    assert verifier_for(FileSigningKeys(tmp_path / "dev")).verify(token).organisation_id == "p-3"


# -- settings: INSATS_TOKEN_* for the verifier, OIDC_* for the broker only


@pytest.fixture()
def clean_env(monkeypatch):
    for name in ("INSATS_TOKEN_ISSUER", "INSATS_TOKEN_AUDIENCE", "INSATS_TOKEN_JWKS_URL", "INSATS_SIGNING_KEY_IDS",
                 "INSATS_SIGNING_KEY_DIR", "DEV_ISSUER_DIR", "PUBLIC_BASE_URL", "OIDC_ISSUER", "OIDC_AUDIENCE",
                 "OIDC_JWKS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSATS_STAGE", "local")
    settings.cache_clear()
    tokens.reset_verifier()
    reset_insats_tokens()
    yield monkeypatch
    settings.cache_clear()
    tokens.reset_verifier()
    reset_insats_tokens()


def test_the_token_settings_default_to_the_identity_address_and_insats(clean_env):
    clean_env.setenv("PUBLIC_BASE_URL", "https://e-tjanster.kommun.example/")
    settings.cache_clear()
    s = settings()
    assert (s.token_issuer, s.token_audience, s.token_jwks_url) == (
        "https://e-tjanster.kommun.example/identity", "insats", "")
    clean_env.setenv("INSATS_STAGE", "prod")
    settings.cache_clear()
    assert settings().token_jwks_url == "https://e-tjanster.kommun.example/identity/.well-known/jwks.json"


def test_locally_the_jwks_is_the_key_folders_file(clean_env, tmp_path):
    clean_env.setenv("DEV_ISSUER_DIR", str(tmp_path))
    settings.cache_clear()
    assert settings().token_jwks_url == f"file://{tmp_path}/jwks.json"
    clean_env.setenv("INSATS_SIGNING_KEY_DIR", str(tmp_path / "keys"))
    settings.cache_clear()
    assert settings().token_jwks_url == f"file://{tmp_path}/keys/jwks.json"


def test_the_verifier_reads_insats_token_settings_and_never_the_brokers(clean_env, tmp_path):
    keys = FileSigningKeys(tmp_path / "keys")
    token = InsatsTokens(keys, ISS, AUD).mint(COORDINATOR)
    # The broker's settings name something else entirely: none of it may matter.
    clean_env.setenv("OIDC_ISSUER", "https://eid-broker.example.se")
    clean_env.setenv("OIDC_AUDIENCE", "the-brokers-client-id")
    clean_env.setenv("OIDC_JWKS_URL", f"file://{tmp_path}/nothing-here.json")
    clean_env.setenv("INSATS_TOKEN_ISSUER", ISS)
    clean_env.setenv("INSATS_TOKEN_AUDIENCE", AUD)
    clean_env.setenv("INSATS_TOKEN_JWKS_URL", keys.jwks_url)
    settings.cache_clear()
    assert tokens.principal_from_headers({"authorization": f"Bearer {token}"}) == COORDINATOR


def test_the_brokers_jwks_alone_configures_no_verifier(clean_env, tmp_path):
    keys = FileSigningKeys(tmp_path / "keys")
    clean_env.setenv("OIDC_JWKS_URL", keys.jwks_url)
    settings.cache_clear()
    with pytest.raises(Unavailable, match="INSATS_TOKEN_JWKS_URL"):
        tokens.principal_from_headers({"authorization": f"Bearer {InsatsTokens(keys, ISS, AUD).mint(CITIZEN)}"})


def test_insats_tokens_sign_with_kms_when_key_ids_are_given(clean_env, tmp_path):
    clean_env.setenv("INSATS_SIGNING_KEY_IDS", "alias/insats-token-signing, arn:aws:kms:eu-north-1:1:key/old")
    clean_env.setenv("INSATS_SIGNING_KEY_DIR", str(tmp_path))  # KMS wins
    minter = insats_tokens()
    assert type(minter.keys).__name__ == "KmsSigningKeys"
    assert minter.keys.key_ids == ("alias/insats-token-signing", "arn:aws:kms:eu-north-1:1:key/old")
    assert list(tmp_path.iterdir()) == []  # no file key was made


def test_insats_tokens_sign_with_a_key_folder_and_the_configured_issuer(clean_env, tmp_path):
    clean_env.setenv("INSATS_SIGNING_KEY_DIR", str(tmp_path / "keys"))
    clean_env.setenv("INSATS_TOKEN_ISSUER", ISS)
    settings.cache_clear()
    minter = insats_tokens()
    assert isinstance(minter.keys, FileSigningKeys) and minter.issuer == ISS and minter.audience == "insats"
    assert insats_tokens() is minter
    assert verifier_for(minter.keys).verify(minter.mint(CITIZEN)) == CITIZEN


def test_the_development_folder_signs_only_on_the_local_stage(clean_env, tmp_path):
    clean_env.setenv("DEV_ISSUER_DIR", str(tmp_path))
    settings.cache_clear()
    assert isinstance(insats_tokens().keys, FileSigningKeys)
    reset_insats_tokens()
    clean_env.setenv("INSATS_STAGE", "prod")
    settings.cache_clear()
    with pytest.raises(Unavailable, match="INSATS_SIGNING_KEY_IDS"):
        insats_tokens()


def test_the_adapters_are_importable_by_the_names_of_the_design():
    assert issuer_module.FileSigningKeys is FileSigningKeys
    assert issuer_module.KmsSigningKeys.__name__ == "KmsSigningKeys"
