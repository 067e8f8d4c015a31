"""The composition root of identity: the DynamoDB adapters over the identity table, the clock and
the assurance level a staff login needs (``OIDC_STAFF_ACR``). Light at import: the app imports it
at cold start."""
from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ports import IdentityDeps


@cache
def deps() -> IdentityDeps:
    from .adapters.dynamo import identity_adapters
    from .ports import DEFAULT_STAFF_ACR, IdentityDeps

    from ..auth.issuer import insats_tokens

    return IdentityDeps(**identity_adapters(), staff_acr=os.environ.get("OIDC_STAFF_ACR") or DEFAULT_STAFF_ACR,
                        tokens=_LazyTokens(insats_tokens))


class _LazyTokens:
    """Insats' token minter, built on first use (its keys are read then, not at a cold start)."""

    def __init__(self, build) -> None:  # noqa: ANN001
        self._build, self._tokens = build, None

    def __getattr__(self, name: str):  # noqa: ANN204
        if self._tokens is None:
            self._tokens = self._build()
        return getattr(self._tokens, name)
