"""Bearer tokens: signature against the JWKS, issuer, audience, expiry; roles from claims."""
import time

import jwt
import pytest

from services.auth.dev_issuer import DevIssuer
from services.auth.policy import POLICY, authorize
from services.auth.principal import Principal, Role
from services.auth.tokens import TokenVerifier, principal_from_headers
from services.domain.errors import Forbidden, Unauthenticated

ISS, AUD = "https://issuer.test", "insats"


@pytest.fixture()
def issuer(tmp_path):
    return DevIssuer(tmp_path / "a", issuer=ISS, audience=AUD)


@pytest.fixture()
def verifier(issuer):
    return TokenVerifier(issuer.jwks_url, ISS, AUD)


def test_a_valid_token_gives_the_principal(issuer, verifier):
    principal = verifier.verify(issuer.token_for("citizen", personnummer="19121212-1212"))
    assert principal.role == Role.CITIZEN
    assert principal.personnummer == "191212121212"
    assert "191212121212" not in principal.subject  # the subject is not the personnummer


def test_staff_tokens_carry_user_and_provider(issuer, verifier):
    principal = verifier.verify(issuer.token_for("provider_staff", user_id="s1", provider_id="p1"))
    assert (principal.user_id, principal.provider_id) == ("s1", "p1")


def test_an_expired_token_is_refused(issuer, verifier):
    p = Principal(subject="x", role=Role.CITIZEN)
    token = issuer.mint(p, ttl_seconds=-120)
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)


def test_wrong_audience_or_issuer_is_refused(issuer, tmp_path):
    token = issuer.token_for("citizen", personnummer="19121212-1212")
    with pytest.raises(Unauthenticated):
        TokenVerifier(issuer.jwks_url, ISS, "someone-else").verify(token)
    with pytest.raises(Unauthenticated):
        TokenVerifier(issuer.jwks_url, "https://other", AUD).verify(token)


def test_a_token_signed_by_another_key_is_refused(verifier, tmp_path):
    stranger = DevIssuer(tmp_path / "b", issuer=ISS, audience=AUD)
    with pytest.raises(Unauthenticated):
        verifier.verify(stranger.token_for("case_worker", user_id="u"))


def test_an_unsigned_token_is_refused(verifier):
    token = jwt.encode({"iss": ISS, "aud": AUD, "sub": "x", "role": "case_worker", "iat": int(time.time()),
                        "exp": int(time.time()) + 60}, key=None, algorithm="none")
    with pytest.raises(Unauthenticated):
        verifier.verify(token)


def test_a_token_with_an_unknown_role_is_refused(issuer, verifier):
    token = jwt.encode({"iss": ISS, "aud": AUD, "sub": "x", "role": "superuser", "iat": int(time.time()),
                        "exp": int(time.time()) + 60}, issuer._key, algorithm="RS256", headers={"kid": issuer.kid})
    with pytest.raises(Unauthenticated, match="claims"):
        verifier.verify(token)


def test_missing_or_malformed_authorization_header():
    with pytest.raises(Unauthenticated):
        principal_from_headers({})
    with pytest.raises(Unauthenticated):
        principal_from_headers({"authorization": "Basic abc"})


def test_policy_allows_only_the_listed_roles():
    citizen = Principal(subject="c", role=Role.CITIZEN, personnummer="19121212-1212")
    worker = Principal(subject="w", role=Role.CASE_WORKER, user_id="w")
    assert authorize(worker, "inbox.read") is worker
    with pytest.raises(Forbidden):
        authorize(citizen, "inbox.read")
    with pytest.raises(Forbidden):
        authorize(None, "drafts.create")


def test_provider_staff_without_a_provider_is_refused():
    staff = Principal(subject="s", role=Role.PROVIDER_STAFF, user_id="s")
    with pytest.raises(Forbidden):
        authorize(staff, "visit_events.post")


def test_every_action_names_at_least_one_role():
    assert all(POLICY.values())
