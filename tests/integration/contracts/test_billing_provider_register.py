"""Billing's ``ProviderStore`` port (its copy of the register of contracted providers): the fake
and the DynamoDB adapter answer alike."""
from __future__ import annotations

from tests.integration.contracts.billing_stores import new_provider, store  # noqa: F401 - the fixture


def test_an_unknown_provider_has_no_name(store):
    assert store.provider_name(new_provider()) is None


def test_a_providers_name_is_the_one_last_loaded(store):
    provider, other = new_provider(), new_provider()
    store.put_provider(provider, "Omsorg Åkesson AB")
    assert store.provider_name(provider) == "Omsorg Åkesson AB"
    store.put_provider(provider, "Åkessons Omsorg i Haninge AB")
    assert store.provider_name(provider) == "Åkessons Omsorg i Haninge AB"
    assert store.provider_name(other) is None
