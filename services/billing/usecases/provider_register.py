"""Providers' names for billing (the invoice basis names the provider): from the municipality's
register of contracted providers, loaded into billing's own table, as notify loads their contact
addresses. Billing reads no other service's table, and no event carries a provider's name.

Loaded with ``python -m services.billing.cli load-providers FILE`` (``[{"provider_id", "name"}]``).
A name with control or bidirectional characters is refused, not stored.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ...domain.bounds import CleanLine
from ..ports import ProviderStore
from ..schemas import ProviderId


class ContractedProvider(BaseModel):
    model_config = ConfigDict(extra="ignore")
    provider_id: ProviderId
    name: CleanLine = Field(min_length=1, max_length=200)


def load(store: ProviderStore, providers: list[dict]) -> int:
    """Validates every entry first, then stores them: a bad register stores nothing."""
    valid = [ContractedProvider.model_validate(raw) for raw in providers]
    for p in valid:
        store.put_provider(p.provider_id, p.name.strip())
    return len(valid)

