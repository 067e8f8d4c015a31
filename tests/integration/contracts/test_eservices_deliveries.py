"""The newest delivery status per person and channel: the in-memory fake and the DynamoDB adapter
on the moto server keep one contract — nothing at first, a newer status replaces, an older one
arriving late changes nothing, each channel on its own."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.eservices.domain.deliveries import ChannelStatus, DeliveryStatus
from tests.support.fakes.eservices import FakeDeliveries
from tests.support.people import new_pnr

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "dynamodb"])
def statuses(request):
    if request.param == "memory":
        return FakeDeliveries()
    request.getfixturevalue("aws")
    from services.eservices.adapters.deliveries import DynamoDeliveryStatuses
    from services.eservices.adapters.table import eservices_table

    return DynamoDeliveryStatuses(eservices_table())


def test_a_person_nothing_was_sent_to_has_no_status(statuses):
    assert statuses.get(new_pnr()) == DeliveryStatus()


def test_the_newest_status_of_each_channel_is_kept_and_a_late_older_one_changes_nothing(statuses):
    me = new_pnr()
    sent = ChannelStatus(status="sent", at=AT)
    failed = ChannelStatus(status="failed", at=AT + timedelta(hours=1), reason="suppressed")
    statuses.record(me, "sms", sent)
    statuses.record(me, "sms", failed)
    statuses.record(me, "sms", ChannelStatus(status="sent", at=AT - timedelta(days=1)))
    # AND a status at the same moment (a redelivered event) changes nothing either
    statuses.record(me, "sms", ChannelStatus(status="sent", at=failed.at))
    assert statuses.get(me) == DeliveryStatus(sms=failed)
    mail = ChannelStatus(status="sent", at=AT - timedelta(days=2))
    statuses.record(me, "email", mail)
    assert statuses.get(me) == DeliveryStatus(email=mail, sms=failed)
    assert statuses.get(new_pnr()) == DeliveryStatus()
