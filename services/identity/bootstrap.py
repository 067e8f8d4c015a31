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

    return IdentityDeps(**identity_adapters(), staff_acr=os.environ.get("OIDC_STAFF_ACR") or DEFAULT_STAFF_ACR)
