"""The development issuer: mints Insats' own tokens locally and in tests. Never deployed.

It signs through ``FileSigningKeys`` (a folder: ``.local/`` for ``make run``, a temporary one in
tests) and ``InsatsTokens``, so ``/dev/token`` and the tests mint exactly the tokens Insats
issues after a login, and the folder's ``jwks.json`` is what the apps verify them with
(``INSATS_TOKEN_JWKS_URL=file://<folder>/jwks.json``).
"""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from ..adapters.signing_keys import FileSigningKeys
from ..domain.personnummer import Personnummer
from .issuer import InsatsTokens
from .principal import STAFF_ROLES, Principal, Role

DEV_TOKEN_SECONDS = 3600  # tests and demos: a long run's token does not run out under it


class DevIssuer:
    def __init__(self, folder: Path, issuer: str, audience: str) -> None:
        self.folder = Path(folder)
        self.issuer = issuer
        self.audience = audience
        self.keys = FileSigningKeys(self.folder)
        self.tokens = InsatsTokens(self.keys, issuer, audience)
        self.jwks_path = self.keys.jwks_path

    @property
    def jwks_url(self) -> str:
        return self.keys.jwks_url

    @property
    def kid(self) -> str:
        """The current signing key's id."""
        return self.keys.current_kid()

    @property
    def _key(self) -> Any:
        """The current private key (the development e-signature, ``DevSigner``, signs with it)."""
        return self.keys.private_key()

    def mint(self, principal: Principal, ttl_seconds: int = DEV_TOKEN_SECONDS, **extra: Any) -> str:
        """An Insats token for ``principal``; ``extra`` claims are added (the old development login's
        ``nonce``), and a negative ``ttl_seconds`` gives an expired token (tests)."""
        claims = self.tokens.claims(principal, lifetime=ttl_seconds)
        claims.update(extra)
        return self.tokens.sign(claims)

    def token_for(
        self,
        role: str,
        *,
        personnummer: str | None = None,
        user_id: str | None = None,
        provider_id: str | None = None,
        name: str | None = None,
        organisation_id: str | None = None,
    ) -> str:
        staff = Role(role) in STAFF_ROLES
        # A staff member's personnummer is how the directory finds them at login, never a claim.
        pnr = Personnummer(personnummer) if personnummer and not staff else None
        principal = Principal(
            subject=str(uuid.uuid5(uuid.NAMESPACE_URL, f"insats:{pnr}")) if pnr else (user_id or "anonymous"),
            role=Role(role),
            personnummer=pnr,
            user_id=user_id,
            provider_id=provider_id,
            organisation_id=organisation_id or provider_id,
            name=name,
        )
        return self.mint(principal)
