"""Signing through the e-ID provider (the ``Signer`` port).

In production the adapter talks to the municipality's e-ID broker (BankID/Freja sign: start an
order for a text and a digest, then collect until complete). Locally ``DevSigner`` completes
at once and signs with the development issuer's key, so the signature is a verifiable JWS.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ..domain.drafts import Signature


class DevSigner:
    def __init__(self, issuer: Any) -> None:
        self._issuer = issuer  # services.auth.dev_issuer.DevIssuer

    def start(self, personnummer: str, text: str, digest: str, now: datetime) -> Signature:
        import jwt

        token = jwt.encode({"sub": personnummer, "digest": digest, "text": text, "iat": int(now.timestamp()),
                            "iss": self._issuer.issuer}, self._issuer._key, algorithm="RS256")
        return Signature(order_ref=str(uuid.uuid4()), status="complete", digest=digest, signed_by=personnummer,
                         signed_at=now, signature=token)

    def collect(self, signature: Signature, now: datetime) -> Signature:
        return signature


class UnavailableSigner:
    """Where no e-ID broker is configured: signing is refused rather than faked."""

    def start(self, personnummer: str, text: str, digest: str, now: datetime) -> Signature:
        from ...domain.errors import DomainError

        err = DomainError("Det finns ingen tjänst för underskrift med e-legitimation")
        err.status, err.slug, err.title = 503, "signing-unavailable", "Underskrift är inte tillgänglig"
        raise err

    def collect(self, signature: Signature, now: datetime) -> Signature:
        return self.start("", "", signature.digest, now)
