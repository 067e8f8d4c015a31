"""Hostile and broken tokens, and a JWKS that goes away: every token problem is a 401, an
unreachable identity provider a 503, and the key cache is bounded in what it fetches."""
from __future__ import annotations

import base64
import json
import threading
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from services.auth.tokens import JwksUnavailable, TokenVerifier
from services.domain.errors import Unauthenticated, Unavailable
from tests.support.fakes.common import Clock

ISS, AUD = "https://issuer.test", "insats"
START = 1000.0  # seconds on the verifier's monotonic clock


class FakeJwks:
    """A JWKS endpoint we control: counts fetches, can go down, can be slow."""

    def __init__(self, *keys: dict) -> None:
        self.keys = list(keys)
        self.down = False
        self.fetches = 0
        self.gate: threading.Event | None = None

    def fetch(self) -> dict:
        self.fetches += 1
        if self.gate is not None:
            self.gate.wait(5)
        if self.down:
            raise JwksUnavailable("connection refused")
        return {"keys": list(self.keys)}


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private, kid: str, **extra) -> dict:
    if isinstance(private, rsa.RSAPrivateKey):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    else:
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    return {**jwk, "kid": kid, **extra}


def claims(**over) -> dict:
    now = int(time.time())
    return {"iss": ISS, "aud": AUD, "sub": "s", "role": "case_worker", "user_id": "u", "iat": now,
            "exp": now + 300, **over}


@pytest.fixture(scope="module")
def key_a():
    return rsa_key()


@pytest.fixture()
def setup(key_a):
    source = FakeJwks(public_jwk(key_a, "a"))
    clock = Clock(START)
    verifier = TokenVerifier(source, ISS, AUD, clock=clock, ttl=300, cooldown=30, max_stale=3600, wait=1)
    return source, clock, verifier


def sign(private, kid: str | None = "a", alg: str = "RS256", **over) -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims(**over), private, algorithm=alg, headers=headers)


def test_given_a_good_token_when_verified_then_the_principal_comes_back(setup, key_a):
    _, _, verifier = setup
    assert verifier.verify(sign(key_a)).user_id == "u"


@pytest.mark.parametrize("token", [
    "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",                       # ES256 header, no kid, junk signature
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImEifQ.e30.AAAA",         # ES256 header naming the RSA key "a"
    "eyJhbGciOiJIUzI1NiIsImtpZCI6ImEifQ.e30.AAAA",         # HS256 naming the RSA key
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImEifQ.e30.AAAA",         # RS256, right kid, a broken signature
    "eyJhbGciOiJSUzI1NiIsImtpZCI6WzFdfQ.e30.AAAA",         # kid is a list
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImEifQ.bm90LWpzb24.AAAA",  # payload is not JSON
    "W10.e30.AAAA",                                        # header is a JSON list
    "not-a-jwt", "a.b", "....", "\u00e5.\u00e4.\u00f6", "x" * 20000,
])
def test_given_a_malformed_or_hostile_token_when_verified_then_401(setup, token):
    _, _, verifier = setup
    with pytest.raises(Unauthenticated):
        verifier.verify(token)


def test_given_an_ec_signed_token_naming_an_rsa_key_then_401_not_a_type_error(setup):
    _, _, verifier = setup
    token = sign(ec.generate_private_key(ec.SECP256R1()), kid="a", alg="ES256")
    with pytest.raises(Unauthenticated, match="algorithm"):
        verifier.verify(token)


def test_the_algorithm_follows_the_key_type_for_ec_keys(key_a):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    source = FakeJwks(public_jwk(ec_key, "e"), public_jwk(key_a, "a"))
    verifier = TokenVerifier(source, ISS, AUD, clock=Clock(START))
    assert verifier.verify(sign(ec_key, kid="e", alg="ES256")).role == "case_worker"
    with pytest.raises(Unauthenticated):  # an RSA signature presented under the EC key
        verifier.verify(sign(key_a, kid="e", alg="RS256"))


def test_a_jwk_whose_alg_contradicts_its_type_is_never_used(key_a):
    # An RSA key published as "HS256" would let its public half serve as an HMAC secret.
    source = FakeJwks(public_jwk(key_a, "a", alg="HS256"), public_jwk(rsa_key(), "b"))
    verifier = TokenVerifier(source, ISS, AUD, clock=Clock(START))
    with pytest.raises(Unauthenticated, match="unknown"):
        verifier.verify(sign(key_a, kid="a"))


def test_given_a_token_without_kid_then_401(setup, key_a):
    _, _, verifier = setup
    with pytest.raises(Unauthenticated, match="kid"):
        verifier.verify(sign(key_a, kid=None))


def test_given_the_jwks_is_down_from_the_start_then_503(key_a):
    source = FakeJwks(public_jwk(key_a, "a"))
    source.down = True
    verifier = TokenVerifier(source, ISS, AUD, clock=Clock(START))
    with pytest.raises(Unavailable) as err:
        verifier.verify(sign(key_a))
    assert err.value.status == 503


def test_given_the_jwks_goes_down_then_the_last_good_keys_work_for_an_hour(setup, key_a):
    source, clock, verifier = setup
    verifier.verify(sign(key_a))
    source.down = True
    clock.now += 301  # past the 5-minute freshness: a refetch is tried and fails
    assert verifier.verify(sign(key_a)).user_id == "u"
    clock.now += 3000  # 55 min after the last good fetch
    assert verifier.verify(sign(key_a)).user_id == "u"
    clock.now += 400  # more than an hour after it
    with pytest.raises(Unavailable):
        verifier.verify(sign(key_a))
    source.down = False
    clock.now += 31  # the next attempt after the cool-down succeeds
    assert verifier.verify(sign(key_a)).user_id == "u"


def test_a_failing_jwks_is_retried_at_most_once_per_cool_down(setup, key_a):
    source, clock, verifier = setup
    verifier.verify(sign(key_a))
    source.down = True
    clock.now += 301
    for _ in range(20):
        verifier.verify(sign(key_a))
    assert source.fetches == 2
    clock.now += 30
    verifier.verify(sign(key_a))
    assert source.fetches == 3


def test_unknown_kids_refetch_at_most_once_per_cool_down(setup, key_a):
    source, clock, verifier = setup
    verifier.verify(sign(key_a))
    assert source.fetches == 1
    with pytest.raises(Unauthenticated, match="unknown"):  # just fetched: no refetch yet
        verifier.verify(sign(key_a, kid="forged"))
    assert source.fetches == 1
    clock.now += 31
    for i in range(50):
        with pytest.raises(Unauthenticated, match="unknown"):
            verifier.verify(sign(key_a, kid=f"forged-{i}"))
    assert source.fetches == 2  # one refetch for the first unknown kid, none for the other 49
    clock.now += 30
    with pytest.raises(Unauthenticated):
        verifier.verify(sign(key_a, kid="forged-again"))
    assert source.fetches == 3


def test_a_rotated_key_is_picked_up_by_the_refetch_its_kid_triggers(setup, key_a):
    source, clock, verifier = setup
    verifier.verify(sign(key_a))
    clock.now += 31
    key_b = rsa_key()
    source.keys.append(public_jwk(key_b, "b"))
    assert verifier.verify(sign(key_b, kid="b")).user_id == "u"


def test_no_lock_is_held_while_fetching(key_a):
    # GIVEN keys cached, then stale, and a fetch that hangs
    source = FakeJwks(public_jwk(key_a, "a"))
    clock = Clock(START)
    verifier = TokenVerifier(source, ISS, AUD, clock=clock)
    verifier.verify(sign(key_a))
    clock.now += 301
    source.gate = threading.Event()
    slow = threading.Thread(target=verifier.verify, args=(sign(key_a),))
    slow.start()
    deadline = time.monotonic() + 5
    while source.fetches < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    # WHEN another request comes while that fetch is under way
    started = time.monotonic()
    principal = verifier.verify(sign(key_a))
    # THEN it is answered from the cached keys without waiting for the fetch
    assert principal.user_id == "u" and time.monotonic() - started < 0.5
    assert source.fetches == 2
    source.gate.set()
    slow.join(5)


def test_a_jwks_without_usable_keys_is_unavailable_not_a_crash():
    secret = b"a-shared-secret-of-thirty-two-b!"
    source = FakeJwks({"kty": "oct", "k": base64.urlsafe_b64encode(secret).decode(), "kid": "h"})
    verifier = TokenVerifier(source, ISS, AUD, clock=Clock(START))
    token = jwt.encode(claims(), secret, algorithm="HS256", headers={"kid": "h"})
    with pytest.raises(Unavailable):
        verifier.verify(token)
