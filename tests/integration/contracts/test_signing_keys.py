"""Insats' signing keys: the key folder (``FileSigningKeys``, locally and in every unit test) and
AWS KMS on the moto server (``KmsSigningKeys``) keep one contract — they sign RS256 with the first
key they publish, the token verifies against what they publish, a rotation publishes both keys and
a retirement withdraws the old one.

What moto does not do as AWS does (so it is not tested here): it signs with a disabled key or one
pending deletion and still hands out its public key (AWS: KMSInvalidStateException/DisabledException);
it takes a RAW message over 4096 bytes (AWS refuses; the adapter refuses before asking); it hashes
a DIGEST message again (so the adapter sends RAW only); ``GetPublicKey`` has no ``KeySpec``, only the
older ``CustomerMasterKeySpec``."""
from __future__ import annotations

import pytest

from services.adapters.signing_keys import FileSigningKeys, KmsSigningKeys, kms_kid
from services.auth import jws
from services.auth.issuer import InsatsTokens
from services.auth.principal import Principal, Role
from services.auth.tokens import TokenVerifier
from services.domain.errors import Unauthenticated, Unavailable
from tests.support.fakes.common import Clock

ISS, AUD = "https://insats.example/identity", "insats"
WHO = Principal(subject="s-1", role=Role.CASE_WORKER, user_id="u-1", organisation_id="unit-1", name="Kim Handläggare")


class FileKeyring:
    """The key folder: rotate and retire are its own."""

    def __init__(self, folder) -> None:  # noqa: ANN001 - a Path
        self.folder = folder
        self.keys = FileSigningKeys(folder)

    def rotate(self) -> None:
        self.keys.rotate()

    def retire(self) -> None:
        self.keys.retire_previous()

    def again(self) -> FileSigningKeys:
        return FileSigningKeys(self.folder)


class KmsKeyring:
    """KMS: a new key named first in INSATS_SIGNING_KEY_IDS rotates, dropping the old one retires."""

    def __init__(self, kms) -> None:  # noqa: ANN001 - a boto3 KMS client
        self.kms = kms
        self.ids = [self.new_key()]
        self.keys = KmsSigningKeys(self.ids)

    def new_key(self, usage: str = "SIGN_VERIFY") -> str:
        return self.kms.create_key(KeySpec="RSA_2048", KeyUsage=usage,
                                   Tags=[{"TagKey": "insats:purpose", "TagValue": "token-signing"}])["KeyMetadata"]["KeyId"]

    def rotate(self) -> None:
        self.ids.insert(0, self.new_key())
        self.keys = KmsSigningKeys(",".join(self.ids))

    def retire(self) -> None:
        self.ids = self.ids[:1]
        self.keys = KmsSigningKeys(",".join(self.ids))

    def again(self) -> KmsSigningKeys:
        return KmsSigningKeys(",".join(self.ids))


@pytest.fixture(params=["file", "kms"])
def keyring(request, tmp_path):
    if request.param == "file":
        return FileKeyring(tmp_path / "keys")
    request.getfixturevalue("aws")
    from services.adapters.aws import client

    return KmsKeyring(client("kms"))


class Published:
    """The JWKS as the identity app serves it: whatever the keys publish now."""

    def __init__(self, keyring) -> None:  # noqa: ANN001
        self.keyring = keyring

    def fetch(self) -> dict:
        return self.keyring.keys.jwks()


def verifier_of(keyring, clock=None) -> TokenVerifier:  # noqa: ANN001
    return TokenVerifier(Published(keyring), ISS, AUD, clock=clock or Clock(1000.0), ttl=300, cooldown=30,
                         max_stale=3600, wait=1)


def test_it_signs_rs256_with_the_first_key_it_publishes(keyring):
    message = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0"
    kid, signature = keyring.keys.sign(message)
    first = keyring.keys.jwks()["keys"][0]
    assert kid == first["kid"]
    key = jws.public_key(first, "RS256")
    jws._verify_signature(key, "RS256", message, signature)  # raises when it does not verify
    with pytest.raises(jws.TokenError):
        jws._verify_signature(key, "RS256", message + b"x", signature)


def test_it_publishes_public_rsa_signing_keys_only(keyring):
    for jwk in keyring.keys.jwks()["keys"]:
        assert {k: jwk[k] for k in ("kty", "use", "alg")} == {"kty": "RSA", "use": "sig", "alg": "RS256"}
        assert isinstance(jwk["kid"], str) and jwk["kid"] and jwk["n"] and jwk["e"]
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)


def test_the_same_keys_have_the_same_kids_in_every_process(keyring):
    assert keyring.again().jwks() == keyring.keys.jwks()
    assert keyring.again().sign(b"a.b")[0] == keyring.keys.sign(b"a.b")[0]


def test_a_minted_token_verifies_against_what_is_published(keyring):
    token = InsatsTokens(keyring.keys, ISS, AUD).mint(WHO, session_id="sess-1")
    assert verifier_of(keyring).verify(token) == WHO


def test_while_rotating_both_keys_verify_and_after_retiring_the_old_ones_token_is_refused(keyring):
    clock = Clock(1000.0)
    verifier = verifier_of(keyring, clock)
    token_a = InsatsTokens(keyring.keys, ISS, AUD).mint(WHO)
    assert verifier.verify(token_a) == WHO

    keyring.rotate()
    token_b = InsatsTokens(keyring.keys, ISS, AUD).mint(WHO)
    kid_a, kid_b = jws.header(token_a)["kid"], jws.header(token_b)["kid"]
    assert kid_a != kid_b
    assert [k["kid"] for k in keyring.keys.jwks()["keys"]] == [kid_b, kid_a]
    clock.advance(31)
    assert verifier.verify(token_b) == WHO  # an unknown kid: the verifier fetched the JWKS again
    assert verifier.verify(token_a) == WHO

    keyring.retire()
    assert [k["kid"] for k in keyring.keys.jwks()["keys"]] == [kid_b]
    clock.advance(301)
    with pytest.raises(Unauthenticated, match="signing key is unknown"):
        verifier.verify(token_a)
    assert verifier.verify(token_b) == WHO


# -- KMS only


@pytest.fixture()
def kms(aws):
    from services.adapters.aws import client

    return client("kms")


def test_a_key_named_by_alias_arn_or_id_has_one_kid(kms):
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    alias = f"alias/insats-test-{key['KeyId'][:8]}"
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    kids = {KmsSigningKeys(name).sign(b"a.b")[0] for name in (alias, key["Arn"], key["KeyId"])}
    kids |= {KmsSigningKeys(name).jwks()["keys"][0]["kid"] for name in (alias, key["Arn"], key["KeyId"])}
    assert kids == {kms_kid(key["KeyId"])}


def test_an_unknown_current_key_is_unavailable_not_a_crash(kms):
    keys = KmsSigningKeys("alias/insats-no-such-key")
    with pytest.raises(Unavailable):
        keys.sign(b"a.b")
    with pytest.raises(Unavailable):
        keys.jwks()


def test_a_previous_key_that_is_gone_is_left_out(kms):
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    jwks = KmsSigningKeys(f"{key},alias/insats-deleted-long-ago").jwks()
    assert [k["kid"] for k in jwks["keys"]] == [kms_kid(key)]


def test_a_key_not_for_signing_is_refused(kms):
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    with pytest.raises(Unavailable):
        KmsSigningKeys(key).jwks()
    with pytest.raises(Unavailable):
        KmsSigningKeys(key).sign(b"a.b")


def test_a_signing_input_beyond_what_kms_signs_raw_is_refused_before_asking(kms):
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(ValueError):
        KmsSigningKeys(key).sign(b"x" * 4097)
