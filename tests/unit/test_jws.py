"""Bearer tokens checked without PyJWT (services/auth/jws.py): PyJWT mints them here, and every
token PyJWT would refuse for our issuer and audience is refused too; a tampered signature, ``alg``
none, an HMAC signed with the public key, a wrong key id, bad times and audiences are 401s."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from services.auth import jws
from services.auth.tokens import TokenVerifier
from services.domain.errors import Unauthenticated
from tests.support.fakes.common import Clock
from tests.unit.test_tokens import AUD, ISS, FakeJwks, claims, public_jwk

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
ED_KEY = ed25519.Ed25519PrivateKey.generate()
REQUIRE = ("exp", "iat", "iss", "aud", "sub")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _ed_jwk(kid: str) -> dict:
    raw = ED_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": kid}


def _verifier() -> TokenVerifier:
    source = FakeJwks(public_jwk(RSA_KEY, "r"), public_jwk(EC_KEY, "e"), _ed_jwk("d"))
    return TokenVerifier(source, ISS, AUD, clock=Clock(1000.0))


def _decode(token: str, key, alg: str, **over) -> dict:  # noqa: ANN001 - a public key
    return jws.decode(token, key, alg, **{"audience": AUD, "issuer": ISS, "require": REQUIRE, "leeway": 30, **over})


@pytest.mark.parametrize("private, alg", [(RSA_KEY, "RS256"), (RSA_KEY, "RS512"), (RSA_KEY, "PS256"),
                                          (EC_KEY, "ES256"), (ED_KEY, "EdDSA")])
def test_given_a_token_pyjwt_signed_when_decoded_then_the_claims_are_those_pyjwt_reads(private, alg):
    # GIVEN a token PyJWT signed, and the key as its JWK publishes it
    token = jwt.encode(claims(aud=[AUD, "other"]), private, algorithm=alg, headers={"kid": "k"})
    jwk = _ed_jwk("k") if alg == "EdDSA" else public_jwk(private, "k")
    # WHEN decoded here
    got = _decode(token, jws.public_key(jwk, alg), alg)
    # THEN the claims are PyJWT's own reading of it
    assert got == jwt.decode(token, private.public_key(), algorithms=[alg], audience=AUD, issuer=ISS)


def test_given_a_tampered_signature_or_payload_then_401():
    verifier, token = _verifier(), jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "r"})
    head, payload, signature = token.split(".")
    flipped = _b64(bytes([base64.urlsafe_b64decode(signature + "==")[0] ^ 1]) +
                   base64.urlsafe_b64decode(signature + "==")[1:])
    richer = _b64(json.dumps({**claims(), "role": "ordering_unit"}).encode())
    for forged in (f"{head}.{payload}.{flipped}", f"{head}.{richer}.{signature}", f"{head}.{payload}.",
                   f"{head}.{payload}.{signature}=", f"{head}.{payload}.{signature}."):
        with pytest.raises(Unauthenticated, match="not valid"):
            verifier.verify(forged)


def test_given_alg_none_then_401():
    head = _b64(json.dumps({"alg": "none", "kid": "r"}).encode())
    with pytest.raises(Unauthenticated, match="algorithm"):
        _verifier().verify(f"{head}.{_b64(json.dumps(claims()).encode())}.")


def test_given_an_hmac_signed_with_the_public_key_then_401():
    # The alg-confusion attack: HS256 with the RSA public key (as PEM, as its JWK) as the secret.
    pem = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for secret in (pem, json.dumps(public_jwk(RSA_KEY, "r")).encode()):
        head = _b64(json.dumps({"alg": "HS256", "kid": "r", "typ": "JWT"}).encode())
        body = _b64(json.dumps(claims()).encode())
        mac = _b64(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
        with pytest.raises(Unauthenticated, match="algorithm"):
            _verifier().verify(f"{head}.{body}.{mac}")
        with pytest.raises(jws.TokenError):  # and the decoder alone refuses it too
            _decode(f"{head}.{body}.{mac}", RSA_KEY.public_key(), "RS256")


def test_given_a_token_signed_by_one_key_naming_another_then_401():
    verifier = _verifier()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthenticated, match="unknown"):
        verifier.verify(jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "nobody"}))
    with pytest.raises(Unauthenticated, match="InvalidSignature"):
        verifier.verify(jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "r"}))
    with pytest.raises(Unauthenticated, match="algorithm"):  # the EC key's kid on an RSA signature
        verifier.verify(jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "e"}))


def test_given_an_es256_signature_in_der_rather_than_r_and_s_then_401():
    token = jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "e"})
    head, payload, _ = token.split(".")
    from cryptography.hazmat.primitives import hashes

    der = EC_KEY.sign(f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(Unauthenticated, match="InvalidSignature"):
        _verifier().verify(f"{head}.{payload}.{_b64(der)}")


@pytest.mark.parametrize("over, why", [  # times from when the test runs, not from when it was collected
    (lambda now: {"exp": now - 31}, "expired"),
    (lambda now: {"nbf": now + 120}, "ImmatureSignature"),
    (lambda now: {"iat": now + 120}, "ImmatureSignature"),
    (lambda now: {"iat": "yesterday"}, "InvalidIssuedAt"),
    (lambda now: {"exp": True}, "not valid"),
    (lambda now: {"aud": "someone-else"}, "InvalidAudience"),
    (lambda now: {"aud": ["someone-else", 7]}, "InvalidAudience"),
    (lambda now: {"iss": "https://other.test"}, "InvalidIssuer"),
    (lambda now: {"sub": None}, "MissingRequiredClaim"),
    (lambda now: {"exp": None}, "MissingRequiredClaim"),
])
def test_given_bad_times_audiences_issuers_or_missing_claims_then_401(over, why):
    token = jwt.encode(claims(**over(int(time.time()))), RSA_KEY, algorithm="RS256", headers={"kid": "r"})
    with pytest.raises(Unauthenticated, match=why):
        _verifier().verify(token)
    with pytest.raises(jwt.PyJWTError):  # PyJWT refuses each as well
        jwt.decode(token, RSA_KEY.public_key(), algorithms=["RS256"], audience=AUD, issuer=ISS, leeway=30,
                   options={"require": list(REQUIRE)})


def test_given_a_critical_header_extension_then_401():
    token = jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "r", "crit": ["exp"]})
    with pytest.raises(Unauthenticated, match="not valid"):
        _verifier().verify(token)


def test_a_jwk_is_read_for_its_public_key_only_and_must_fit_the_algorithm():
    with pytest.raises(ValueError):
        jws.public_key(public_jwk(RSA_KEY, "r"), "ES256")
    with pytest.raises(ValueError):
        jws.public_key(public_jwk(EC_KEY, "e"), "ES384")  # a P-256 key under ES384
    with pytest.raises(ValueError):
        jws.public_key({"kty": "RSA", "kid": "r"}, "RS256")
    with pytest.raises(ValueError):  # a point off the curve
        jws.public_key({**public_jwk(EC_KEY, "e"), "y": _b64(b"\x01" * 32)}, "ES256")
