"""Signing behind its port: the digest binds the answers; the development signer's signature
verifies with the issuer's public key; without a provider, signing is refused, not faked."""
import json
from datetime import datetime, timezone

import jwt
import pytest

from services.auth.dev_issuer import DevIssuer
from services.domain.errors import DomainError
from services.eservices.adapters.signing import DevSigner, UnavailableSigner
from services.eservices.domain.signing import digest_of
from tests.support.people import new_pnr

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=timezone.utc)


def public_key(issuer):
    return jwt.PyJWK(json.loads(issuer.jwks_path.read_text())["keys"][0]).key


def test_the_digest_changes_with_any_answer_and_not_with_key_order():
    a = {"s": {"x": 1, "y": "två"}}
    assert digest_of("f", a) == digest_of("f", {"s": {"y": "två", "x": 1}})
    assert digest_of("f", a) != digest_of("f", {"s": {"x": 2, "y": "två"}})
    assert digest_of("f", a) != digest_of("g", a)


def test_the_development_signer_signs_the_digest_verifiably(tmp_path):
    issuer = DevIssuer(tmp_path, issuer="https://dev", audience="insats")
    pnr = new_pnr()
    signature = DevSigner(issuer).start(pnr, "Jag skriver under.", "abc123", NOW)
    assert signature.status == "complete" and signature.signed_by == pnr
    public = public_key(issuer)
    claims = jwt.decode(signature.signature, public, algorithms=["RS256"], options={"verify_aud": False})
    assert (claims["sub"], claims["digest"]) == (pnr, "abc123")
    with pytest.raises(jwt.InvalidSignatureError):
        other = DevIssuer(tmp_path / "other", issuer="https://dev", audience="insats")
        jwt.decode(signature.signature, public_key(other), algorithms=["RS256"], options={"verify_aud": False})


def test_without_a_provider_signing_is_refused_with_503():
    with pytest.raises(DomainError) as refused:
        UnavailableSigner().start(new_pnr(), "text", "digest", NOW)
    assert refused.value.status == 503
