"""Insats' signing keys (the ``SigningKeys`` port of ``services/auth/issuer.py``): a folder of key
files locally, AWS KMS on AWS. Both sign RS256 with the current key and publish the public keys
(the current one first, then the previous ones while rotating) as a JWKS.

``FileSigningKeys`` keeps, in one folder:

- ``signing-key-<kid>.pem``: one private key per file (mode 0600), the kid its RFC 7638 thumbprint;
- ``signing-keys.json``: the index, ``{"current": kid, "previous": [kid, ...]}``;
- ``jwks.json``: the public keys, rewritten on every change, so the verifier reads it by ``file://``.

``rotate()`` publishes a new key and makes it current, keeping the old one published;
``retire_previous()`` withdraws (and deletes) the old ones. Every change is made under a lock file
and each file is replaced whole, so several processes over one folder (the local stack, a test
session's workers) see either the old or the new state, never half of one.

``KmsSigningKeys`` signs with ``kms:Sign`` (RSASSA_PKCS1_V1_5_SHA_256 over the raw signing input)
with asymmetric RSA_2048 SIGN_VERIFY keys named by ``INSATS_SIGNING_KEY_IDS`` ("current[,previous]",
key ids, ARNs or aliases). The private keys never leave KMS; the public ones come from
``kms:GetPublicKey`` and are cached for five minutes. A key's kid is a hash of its key id (the
uuid, whatever form it was named by), so it is the same in every process and for every name of
the key. Rotating is a change of ``INSATS_SIGNING_KEY_IDS`` ("new,old", later "new"), never
retargeting an alias in place: a verifier's cached JWKS names keys, not aliases.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..auth import jws
from ..domain.errors import Unavailable

ALGORITHM = "RS256"
KMS_SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
_KMS_RAW_LIMIT = 4096  # kms:Sign takes at most 4096 bytes of a RAW message


def _published(kid: str, jwk: dict[str, str]) -> dict[str, str]:
    return {**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM}


def _replace(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``path`` whole: a reader sees the old file or the new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class FileSigningKeys:
    """Signing keys in a folder (locally and in tests; never on AWS)."""

    INDEX = "signing-keys.json"
    JWKS = "jwks.json"
    LOCK = "signing-keys.lock"

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._private: dict[str, Any] = {}
        self._public: dict[str, dict[str, str]] = {}
        self._mutex = threading.RLock()  # this process's threads; the lock file is for other processes
        with self._locked():
            index = self._read_index()
            if index is None:
                index = {"current": self._new_key(), "previous": []}
                self._publish(index)
                self._write_index(index)
            else:
                self._publish(index)  # a folder from before, or a jwks.json someone removed

    # -- the port

    def sign(self, signing_input: bytes) -> tuple[str, bytes]:
        kid = self.current_kid()
        return kid, jws.sign_rs256(self.private_key(kid), signing_input)

    def jwks(self) -> dict[str, Any]:
        index = self._index()
        return {"keys": [_published(kid, self._public_jwk(kid)) for kid in (index["current"], *index["previous"])]}

    # -- keeping the keys

    def rotate(self) -> str:
        """A new current key, published before it signs anything; the old one stays published.
        Returns the new key's kid."""
        with self._locked():
            index = self._index()
            new = self._new_key()
            index = {"current": new, "previous": [index["current"], *index["previous"]]}
            self._publish(index)
            self._write_index(index)
        return new

    def retire_previous(self) -> list[str]:
        """Withdraws the previous keys (tokens they signed no longer verify) and deletes them.
        Returns their kids."""
        with self._locked():
            index = self._index()
            retired = list(index["previous"])
            index = {"current": index["current"], "previous": []}
            self._write_index(index)
            self._publish(index)
            for kid in retired:
                self._key_file(kid).unlink(missing_ok=True)
                self._private.pop(kid, None)
        return retired

    # -- reading

    @property
    def jwks_path(self) -> Path:
        return self.folder / self.JWKS

    @property
    def jwks_url(self) -> str:
        return f"file://{self.jwks_path}"

    def current_kid(self) -> str:
        return self._index()["current"]

    def private_key(self, kid: str | None = None) -> Any:
        """The private key of ``kid`` (the current key by default)."""
        from cryptography.hazmat.primitives import serialization

        kid = kid or self.current_kid()
        key = self._private.get(kid)
        if key is None:
            try:
                key = serialization.load_pem_private_key(self._key_file(kid).read_bytes(), password=None)
            except OSError:
                raise Unavailable("Insats signeringsnyckel saknas i sin mapp; starta om med en ny nyckel") from None
            with self._mutex:
                self._private[kid] = key
        return key

    def _public_jwk(self, kid: str) -> dict[str, str]:
        jwk = self._public.get(kid)
        if jwk is None:
            jwk = jws.rsa_public_jwk(self.private_key(kid).public_key())
            with self._mutex:
                self._public[kid] = jwk
        return jwk

    def _key_file(self, kid: str) -> Path:
        return self.folder / f"signing-key-{kid}.pem"

    def _read_index(self) -> dict[str, Any] | None:
        try:
            index = json.loads((self.folder / self.INDEX).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise Unavailable("Insats förteckning över signeringsnycklar går inte att läsa") from None
        if (not isinstance(index, dict) or not isinstance(index.get("current"), str)
                or not isinstance(index.get("previous", []), list)):
            raise Unavailable("Insats förteckning över signeringsnycklar går inte att läsa")
        return {"current": index["current"], "previous": [k for k in index.get("previous", []) if isinstance(k, str)]}

    def _index(self) -> dict[str, Any]:
        index = self._read_index()
        if index is None:
            raise Unavailable("Insats signeringsnycklar saknas (signing-keys.json)")
        return index

    # -- writing (under the lock)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl

        with self._mutex, open(self.folder / self.LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _new_key(self) -> str:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = jws.rsa_public_jwk(key.public_key())
        kid = jws.thumbprint(jwk)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        _replace(self._key_file(kid), pem, mode=0o600)
        self._private[kid], self._public[kid] = key, jwk
        return kid

    def _write_index(self, index: dict[str, Any]) -> None:
        _replace(self.folder / self.INDEX, json.dumps(index, indent=2).encode())

    def _publish(self, index: dict[str, Any]) -> None:
        keys = [_published(kid, self._public_jwk(kid)) for kid in (index["current"], *index["previous"])]
        data = json.dumps({"keys": keys}, indent=2).encode()
        try:
            if self.jwks_path.read_bytes() == data:
                return
        except OSError:
            pass
        _replace(self.jwks_path, data)


def kms_kid(key_id: str) -> str:
    """The kid of a KMS key: a hash of its key id (the uuid at the end of an ARN or a bare id)."""
    uuid = key_id.rsplit("/", 1)[-1]
    digest = hashlib.sha256(f"insats-kms:{uuid}".encode()).digest()
    return "kms-" + base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def key_ids_from(value: str | Sequence[str]) -> tuple[str, ...]:
    """``"current,previous"`` (or a list of them): the key ids, current first."""
    ids = value.split(",") if isinstance(value, str) else list(value)
    found = tuple(i.strip() for i in ids if i and i.strip())
    if not found:
        raise ValueError("INSATS_SIGNING_KEY_IDS names no key")
    return found


class KmsSigningKeys:
    """Signing keys in AWS KMS (asymmetric RSA_2048, SIGN_VERIFY). ``client`` is a boto3 KMS
    client; by default the shared lazy one of ``services/adapters/aws.py``."""

    def __init__(self, key_ids: str | Sequence[str], client: Any = None, *, cache_seconds: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.key_ids = key_ids_from(key_ids)
        self._client = client
        self._cache_seconds, self._clock = cache_seconds, clock
        self._public: dict[str, tuple[float, str, dict[str, str]]] = {}  # key id -> (fetched at, kid, jwk)
        self._mutex = threading.Lock()

    def _kms(self) -> Any:
        if self._client is None:
            from . import aws

            self._client = aws.client("kms")
        return self._client

    def sign(self, signing_input: bytes) -> tuple[str, bytes]:
        from botocore.exceptions import BotoCoreError, ClientError

        if len(signing_input) > _KMS_RAW_LIMIT:  # a token carries a principal: far from it
            raise ValueError(f"a signing input of {len(signing_input)} bytes is more than kms:Sign takes raw")
        try:
            answer = self._kms().sign(KeyId=self.key_ids[0], Message=signing_input, MessageType="RAW",
                                      SigningAlgorithm=KMS_SIGNING_ALGORITHM)
        except (ClientError, BotoCoreError) as exc:
            raise Unavailable(f"Insats kan inte signera inloggningen just nu ({_code(exc)}); försök igen om en stund") \
                from None
        kid = kms_kid(answer["KeyId"])
        cached = self._public.get(self.key_ids[0])
        if cached is not None and cached[1] != kid:  # the name now means another key: read it again
            with self._mutex:
                self._public.pop(self.key_ids[0], None)
        return kid, answer["Signature"]

    def jwks(self) -> dict[str, Any]:
        keys = [self._key(self.key_ids[0], required=True)]
        keys += [k for k in (self._key(i, required=False) for i in self.key_ids[1:]) if k is not None]
        return {"keys": [_published(kid, jwk) for kid, jwk in keys]}

    def _key(self, key_id: str, *, required: bool) -> tuple[str, dict[str, str]] | None:
        now = self._clock()
        cached = self._public.get(key_id)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1], cached[2]
        from botocore.exceptions import BotoCoreError, ClientError
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        try:
            answer = self._kms().get_public_key(KeyId=key_id)
        except (ClientError, BotoCoreError) as exc:
            if not required:  # a previous key gone (deleted, disabled) verifies nothing: leave it out
                return None
            raise Unavailable(f"Insats signeringsnyckel kan inte läsas just nu ({_code(exc)})") from None
        spec = answer.get("KeySpec") or answer.get("CustomerMasterKeySpec")
        algorithms = answer.get("SigningAlgorithms")
        public = serialization.load_der_public_key(answer["PublicKey"])
        if (answer.get("KeyUsage", "SIGN_VERIFY") != "SIGN_VERIFY" or spec not in (None, "RSA_2048")
                or (algorithms is not None and KMS_SIGNING_ALGORITHM not in algorithms)
                or not isinstance(public, rsa.RSAPublicKey)):
            raise Unavailable("Insats signeringsnyckel i KMS är inte en RSA_2048-nyckel för signering")
        kid, jwk = kms_kid(answer["KeyId"]), jws.rsa_public_jwk(public)
        with self._mutex:
            self._public[key_id] = (now, kid, jwk)
        return kid, jwk


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", type(exc).__name__))
    return type(exc).__name__
