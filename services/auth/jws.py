"""A signed JWT checked with ``cryptography``'s primitives only: the public key of a JWK, the
signature of the one algorithm the caller allows, and the registered claims (exp, nbf, iat, iss,
aud, the required ones) as PyJWT checks them.

Why not PyJWT: importing it loads ``cryptography.x509`` and compiles its PEM patterns (50-130 ms
of every HTTP app's cold start) for what bearer tokens never use. The tests check this module
against PyJWT.

Minting (``issuer.py``) uses the other half here: ``signing_input`` and ``compact`` build the
compact serialisation around a signature made elsewhere (a key file or KMS), ``rsa_public_jwk``
and ``thumbprint`` publish a key.

Every problem is a ``TokenError`` whose name says what was wrong (``ExpiredSignatureError`` for an
expired token, as PyJWT names it).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import time
from typing import Any

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_HASHES = {"256": "SHA256", "384": "SHA384", "512": "SHA512"}
_CURVES = {"P-256": ("SECP256R1", 32), "P-384": ("SECP384R1", 48), "P-521": ("SECP521R1", 66)}
_CURVE_OF_ALG = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


class TokenError(Exception):
    """The token is not valid; ``name`` says why (``DecodeError``, ``InvalidSignatureError``, ...)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _b64decode(part: str) -> bytes:
    if not _B64URL.fullmatch(part):
        raise TokenError("DecodeError")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("DecodeError") from None


def _uint(jwk: dict[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"the JWK has no {name}")
    return int.from_bytes(_b64decode(value), "big")


def public_key(jwk: dict[str, Any], algorithm: str) -> Any:
    """The public key of a JWK, for ``algorithm`` (which follows from its type, see tokens.py);
    ValueError when the JWK does not hold one. Private members are never read."""
    kty = jwk.get("kty")
    if kty == "RSA" and algorithm[:2] in ("RS", "PS"):
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

        return RSAPublicNumbers(_uint(jwk, "e"), _uint(jwk, "n")).public_key()
    if kty == "EC" and _CURVE_OF_ALG.get(algorithm) == jwk.get("crv"):
        from cryptography.hazmat.primitives.asymmetric import ec

        curve, _ = _CURVES[jwk["crv"]]
        return ec.EllipticCurvePublicNumbers(_uint(jwk, "x"), _uint(jwk, "y"), getattr(ec, curve)()).public_key()
    if kty == "OKP" and jwk.get("crv") == "Ed25519" and algorithm == "EdDSA":
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        x = jwk.get("x")
        if not isinstance(x, str):
            raise ValueError("the JWK has no x")
        return Ed25519PublicKey.from_public_bytes(_b64decode(x))
    raise ValueError("the JWK does not fit the algorithm")


def _verify_signature(key: Any, algorithm: str, message: bytes, signature: bytes) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes

    try:
        if algorithm == "EdDSA":
            key.verify(signature, message)
            return
        digest = getattr(hashes, _HASHES[algorithm[2:]])()
        if algorithm.startswith("RS"):
            from cryptography.hazmat.primitives.asymmetric import padding

            key.verify(signature, message, padding.PKCS1v15(), digest)
        elif algorithm.startswith("PS"):
            from cryptography.hazmat.primitives.asymmetric import padding

            key.verify(signature, message, padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size),
                       digest)
        else:  # ES*: r and s side by side, each the curve's size (RFC 7518 3.4)
            from cryptography.hazmat.primitives.asymmetric import ec
            from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

            size = _CURVES[_CURVE_OF_ALG[algorithm]][1]
            if len(signature) != 2 * size:
                raise InvalidSignature()
            r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), message, ec.ECDSA(digest))
    except (InvalidSignature, TypeError, ValueError, AttributeError):
        raise TokenError("InvalidSignatureError") from None


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:  # bad JSON or bad UTF-8
        raise TokenError("DecodeError") from None
    if not isinstance(value, dict):
        raise TokenError("DecodeError")
    return value


def header(token: str) -> dict[str, Any]:
    """The token's header, unverified (to find its key)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("DecodeError")
    return _json_object(_b64decode(parts[0]))


def _number(claims: dict[str, Any], name: str, error: str) -> int:
    value = claims[name]
    if isinstance(value, bool):
        raise TokenError(error)
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError):
        raise TokenError(error) from None


def decode(token: str, key: Any, algorithm: str, *, audience: str, issuer: str, require: tuple[str, ...],
           leeway: float = 0, now: float | None = None) -> dict[str, Any]:
    """The claims of a token signed by ``key`` with ``algorithm`` (the only one allowed), for
    ``audience`` from ``issuer``, with every ``require``d claim, within its times."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("DecodeError")
    head = _json_object(_b64decode(parts[0]))
    if head.get("alg") != algorithm:
        raise TokenError("InvalidAlgorithmError")
    if "crit" in head:  # no extension is understood here (RFC 7515 4.1.11)
        raise TokenError("InvalidTokenError")
    payload, signature = _b64decode(parts[1]), _b64decode(parts[2])
    _verify_signature(key, algorithm, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)
    claims = _json_object(payload)
    for name in require:
        if claims.get(name) is None:
            raise TokenError("MissingRequiredClaimError")
    now = time.time() if now is None else now
    if "iat" in claims and _number(claims, "iat", "InvalidIssuedAtError") > now + leeway:
        raise TokenError("ImmatureSignatureError")
    if "nbf" in claims and _number(claims, "nbf", "DecodeError") > now + leeway:
        raise TokenError("ImmatureSignatureError")
    if "exp" in claims and _number(claims, "exp", "DecodeError") <= now - leeway:
        raise TokenError("ExpiredSignatureError")
    if claims.get("iss") != issuer:
        raise TokenError("InvalidIssuerError")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(audiences, list) or any(not isinstance(a, str) for a in audiences) or audience not in audiences:
        raise TokenError("InvalidAudienceError")
    if "sub" in claims and not isinstance(claims["sub"], str):
        raise TokenError("InvalidSubjectError")
    return claims


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _json_part(value: dict[str, Any]) -> str:
    return _b64encode(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def signing_input(head: dict[str, Any], claims: dict[str, Any]) -> bytes:
    """What a JWS signature covers: ``BASE64URL(header) '.' BASE64URL(payload)`` (RFC 7515 5.1)."""
    return f"{_json_part(head)}.{_json_part(claims)}".encode("ascii")


def compact(signed: bytes, signature: bytes) -> str:
    """The compact serialisation of a token whose ``signing_input`` was signed with ``signature``."""
    return f"{signed.decode('ascii')}.{_b64encode(signature)}"


def sign_rs256(private_key: Any, message: bytes) -> bytes:
    """An RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of ``message`` with an RSA private key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    return private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())


def rsa_public_jwk(public_key: Any) -> dict[str, str]:
    """The public JWK (``kty``, ``n``, ``e``) of an RSA public key."""
    numbers = public_key.public_numbers()

    def uint(value: int) -> str:
        return _b64encode(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))

    return {"kty": "RSA", "n": uint(numbers.n), "e": uint(numbers.e)}


def thumbprint(jwk: dict[str, Any]) -> str:
    """The JWK SHA-256 thumbprint of an RSA key (RFC 7638): a key id that follows from the key."""
    import hashlib

    members = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}  # the required members, in order
    return _b64encode(hashlib.sha256(json.dumps(members, separators=(",", ":")).encode("ascii")).digest())
