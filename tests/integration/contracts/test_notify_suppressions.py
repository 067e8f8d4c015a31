"""Notify's suppression list: the in-memory fake and the DynamoDB adapter on the moto server keep
one contract — an address is suppressed per channel, however it is cased or padded."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from tests.support.fakes.notify import FakeSuppressions

AT = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def suppressions(request):
    if request.param == "memory":
        return FakeSuppressions()
    request.getfixturevalue("aws")
    from services.notify.adapters.dynamo import DynamoSuppressions, notify_table

    return DynamoSuppressions(notify_table())


def test_a_suppressed_address_is_suppressed_on_its_channel_however_written(suppressions):
    address = f"{uuid.uuid4().hex}@example.se"
    assert suppressions.is_suppressed("email", address) is False
    suppressions.suppress("email", address, "bounced", AT)
    assert suppressions.is_suppressed("email", address) is True
    assert suppressions.is_suppressed("email", f"  {address.upper()} ") is True
    # AND another address, or the same text on the other channel, is not
    assert suppressions.is_suppressed("email", f"x{address}") is False
    assert suppressions.is_suppressed("sms", address) is False


def test_suppressing_twice_keeps_it_suppressed(suppressions):
    number = f"+4670{uuid.uuid4().int % 10**7:07d}"
    suppressions.suppress("sms", number, "invalid_address", AT)
    suppressions.suppress("sms", number, "rejected", AT)
    assert suppressions.is_suppressed("sms", number) is True
