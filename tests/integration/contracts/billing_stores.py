"""What billing's contract tests share: the ``store`` fixture, run once with the in-memory fake
(tests/support/fakes/billing.py) and once with the DynamoDB adapter on the moto server, and ids
that keep tests apart on the shared table."""
from __future__ import annotations

import random
import uuid

import pytest

from tests.support.fakes.billing import InMemoryBillingStore


@pytest.fixture(params=["fake", "dynamodb"])
def store(request):
    if request.param == "fake":
        return InMemoryBillingStore()
    request.getfixturevalue("aws")
    from services.adapters.aws import table
    from services.billing.adapters.dynamo import DynamoBillingStore

    return DynamoBillingStore(table("billing"))


def new_provider() -> str:
    return f"p-{uuid.uuid4().hex[:12]}"


def unique_month() -> tuple[int, int]:
    """A month no other test writes: listings by month (providers, reports) see only this test's."""
    return random.randint(2100, 9999), random.randint(1, 12)
