"""The development OIDC issuer: mints tokens locally and in tests. Never deployed.

It keeps an RSA key in a folder (``.local/`` for ``make run``), publishes the public half as a
JWKS file, and signs tokens with the claims the e-ID broker would give.
"""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..domain.personnummer import Personnummer
from .principal import Principal, Role

KID = "insats-dev-1"


class DevIssuer:
    def __init__(self, folder: Path, issuer: str, audience: str) -> None:
        self.folder = Path(folder)
        self.issuer = issuer
        self.audience = audience
        self.folder.mkdir(parents=True, exist_ok=True)
        key_file = self.folder / "dev-issuer-key.pem"
        if key_file.exists():
            self._key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        else:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            key_file.write_bytes(
                self._key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
        self.jwks_path = self.folder / "jwks.json"
        self.jwks_path.write_text(json.dumps({"keys": [jwk]}))

    @property
    def jwks_url(self) -> str:
        return f"file://{self.jwks_path}"

    def mint(self, principal: Principal, ttl_seconds: int = 3600, **extra: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": principal.subject,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": str(uuid.uuid4()),
            "role": str(principal.role),
            **extra,
        }
        for name in ("personnummer", "user_id", "provider_id", "name"):
            value = getattr(principal, name)
            if value:
                claims[name] = str(value)
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KID})

    def token_for(
        self,
        role: str,
        *,
        personnummer: str | None = None,
        user_id: str | None = None,
        provider_id: str | None = None,
        name: str | None = None,
    ) -> str:
        pnr = Personnummer(personnummer) if personnummer else None
        principal = Principal(
            subject=str(uuid.uuid5(uuid.NAMESPACE_URL, f"insats:{pnr}")) if pnr else (user_id or "anonymous"),
            role=Role(role),
            personnummer=pnr,
            user_id=user_id,
            provider_id=provider_id,
            name=name,
        )
        return self.mint(principal)
