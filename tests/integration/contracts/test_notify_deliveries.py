"""Notify's deliveries port: the in-memory fake (``tests/support/fakes/notify.py``) and the
DynamoDB adapter on the moto server keep one contract — the state machine that sends once per
notification and channel, and the events its finishing writes carry."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

from services.contracts.events import NotificationDelivered, NotificationFailed, Recipient
from tests.support.fakes.notify import FakeDeliveries

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
LEASE = NOW + timedelta(minutes=2)
PERSON = Recipient(kind="person", ref="191212121212")
TEMPLATE = "message.received"


@dataclass
class Subject:
    deliveries: Any
    # (event type, reason) of what a notification's writes carried; the outbox keeps no order
    events_of: Callable[[str], list[tuple[str, str | None]]]


def _outbox_events(table: Any, notification_id: str) -> list[tuple[str, str | None]]:
    """The events the adapter's writes put in the table's outbox for one notification."""
    found, kwargs = [], {"FilterExpression": "begins_with(pk, :outbox)",
                         "ExpressionAttributeValues": {":outbox": "OUTBOX#"}, "ConsistentRead": True}
    while True:
        page = table.scan(**kwargs)
        for item in page.get("Items", []):
            for raw in item.get("outbox", []):
                envelope = json.loads(raw)
                if envelope["payload"].get("notification_id") == notification_id:
                    found.append((envelope["event_type"], envelope["payload"].get("reason")))
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.fixture(params=["memory", "dynamodb"])
def subject(request) -> Subject:
    if request.param == "memory":
        fake = FakeDeliveries()
        return Subject(fake, lambda nid: [(e.event_type, getattr(e, "reason", None))
                                          for e in fake.events if e.notification_id == nid])
    request.getfixturevalue("aws")
    from services.notify.adapters.dynamo import DynamoDeliveries, notify_table

    table = notify_table()
    return Subject(DynamoDeliveries(table), lambda nid: _outbox_events(table, nid))


def _nid() -> str:
    return str(uuid.uuid4())


def _claim(deliveries: Any, nid: str, channel: str = "email", *, now: datetime = NOW,
           lease_until: datetime = LEASE) -> str:
    return deliveries.claim(nid, channel, now=now, lease_until=lease_until, template=TEMPLATE, recipient=PERSON)


def _delivered(nid: str, channel: str = "email") -> NotificationDelivered:
    return NotificationDelivered(notification_id=nid, template=TEMPLATE, recipient=PERSON, channel=channel, at=NOW)


def _failed(nid: str, reason: str, channel: str = "email") -> NotificationFailed:
    return NotificationFailed(notification_id=nid, template=TEMPLATE, recipient=PERSON, channel=channel,
                              reason=reason, at=NOW)


def test_a_new_delivery_is_claimed_once_and_a_live_claim_is_in_flight(subject):
    d, nid = subject.deliveries, _nid()
    # GIVEN nothing for this notification WHEN it is claimed THEN it is ours, pending under the lease
    assert d.get(nid, "email") is None
    assert _claim(d, nid) == "claimed"
    got = d.get(nid, "email")
    assert (got.notification_id, got.channel, got.status, got.attempts) == (nid, "email", "pending", 1)
    assert (got.template, got.recipient, got.lease_until) == (TEMPLATE, PERSON, LEASE)
    # AND a second claim while the lease holds finds it in flight; the other channel is its own
    assert _claim(d, nid, now=NOW + timedelta(minutes=1)) == "in_flight"
    assert _claim(d, nid, "sms") == "claimed"


def test_a_claim_whose_lease_ran_out_is_taken_over_and_a_released_one_at_once(subject):
    d, nid = subject.deliveries, _nid()
    _claim(d, nid)
    # WHEN the lease has run out THEN the next claim takes it, counting the attempt
    later = LEASE + timedelta(seconds=1)
    assert _claim(d, nid, now=later, lease_until=later + timedelta(minutes=2)) == "claimed"
    assert d.get(nid, "email").attempts == 2
    # WHEN someone else's lease is released THEN nothing changes; our own released lease frees it at once
    d.release(nid, "email", LEASE)
    assert _claim(d, nid, now=later) == "in_flight"
    d.release(nid, "email", later + timedelta(minutes=2))
    assert d.get(nid, "email").lease_until is None
    assert _claim(d, nid, now=later) == "claimed"
    assert d.get(nid, "email").attempts == 3


def test_finishing_under_the_lease_records_the_outcome_with_its_event_and_a_lost_lease_nothing(subject):
    d, nid = subject.deliveries, _nid()
    _claim(d, nid)
    # WHEN finished under a lease that is not the current one THEN nothing is recorded or emitted
    assert d.finish(nid, "email", NOW, status="sent", at=NOW, event=_delivered(nid), provider_message_id="m") is False
    assert d.get(nid, "email").status == "pending" and subject.events_of(nid) == []
    # WHEN finished under its lease THEN it is sent, with the provider's id and the time, and its event
    message_id = f"mail-{nid}"
    assert d.finish(nid, "email", LEASE, status="sent", at=NOW, event=_delivered(nid),
                    provider_message_id=message_id) is True
    got = d.get(nid, "email")
    assert (got.status, got.provider_message_id, got.finished_at, got.reason) == ("sent", message_id, NOW, None)
    assert subject.events_of(nid) == [("notification.delivered", None)]
    # AND it is done for every later claim, and cannot be finished twice
    assert _claim(d, nid, now=LEASE + timedelta(hours=1)) == "done"
    assert d.finish(nid, "email", LEASE, status="failed", at=NOW, event=_failed(nid, "rejected")) is False


def test_a_failure_keeps_its_reason(subject):
    d, nid = subject.deliveries, _nid()
    _claim(d, nid, "sms")
    assert d.finish(nid, "sms", LEASE, status="failed", at=NOW, reason="no_address",
                    event=_failed(nid, "no_address", "sms")) is True
    got = d.get(nid, "sms")
    assert (got.status, got.reason, got.provider_message_id) == ("failed", "no_address", None)
    assert subject.events_of(nid) == [("notification.failed", "no_address")]


def test_a_held_sms_waits_until_it_is_due_then_is_claimed_like_any(subject):
    d, nid = subject.deliveries, _nid()
    morning = NOW + timedelta(hours=9)
    request = json.dumps({"event_id": nid})
    # GIVEN an SMS held until the morning
    assert d.hold(nid, "sms", not_before=morning, now=NOW, template=TEMPLATE, recipient=PERSON,
                  request=request) is True
    got = d.get(nid, "sms")
    assert (got.status, got.not_before, got.request, got.recipient) == ("held", morning, request, PERSON)
    # THEN holding it again is harmless, and before the morning it is neither due nor claimable
    assert d.hold(nid, "sms", not_before=morning, now=NOW, template=TEMPLATE, recipient=PERSON,
                  request=request) is True
    assert nid not in [h.notification_id for h in d.due_held(NOW)]
    assert _claim(d, nid, "sms", now=NOW) == "held"
    # WHEN the morning comes THEN it is due, carrying its request, and the next claim takes it
    [due] = [h for h in d.due_held(morning) if h.notification_id == nid]
    assert (due.channel, due.request) == ("sms", request)
    assert _claim(d, nid, "sms", now=morning, lease_until=morning + timedelta(minutes=2)) == "claimed"
    assert d.get(nid, "sms").attempts == 1
    assert nid not in [h.notification_id for h in d.due_held(morning)]
    # AND an SMS that has gone (or is going) is not held again
    assert d.hold(nid, "sms", not_before=morning, now=morning, template=TEMPLATE, recipient=PERSON,
                  request=request) is False


def test_a_sent_delivery_is_found_by_the_providers_message_id_and_fails_after_a_bounce(subject):
    d, nid = subject.deliveries, _nid()
    message_id = f"mail-{nid}"
    assert d.by_provider_message(message_id) is None
    _claim(d, nid)
    # WHEN it has not been sent THEN feedback cannot fail it
    bounced_at = NOW + timedelta(hours=1)
    assert d.mark_failed_after_sent(nid, "email", reason="bounced", at=bounced_at,
                                    event=_failed(nid, "bounced")) is False
    d.finish(nid, "email", LEASE, status="sent", at=NOW, event=_delivered(nid), provider_message_id=message_id)
    found = d.by_provider_message(message_id)
    assert (found.notification_id, found.channel, found.template, found.recipient) == (nid, "email", TEMPLATE,
                                                                                       PERSON)
    # WHEN it bounces THEN it is failed with the reason and the time, and its event is carried
    assert d.mark_failed_after_sent(nid, "email", reason="bounced", at=bounced_at,
                                    event=_failed(nid, "bounced")) is True
    got = d.get(nid, "email")
    assert (got.status, got.reason, got.finished_at) == ("failed", "bounced", bounced_at)
    assert sorted(subject.events_of(nid)) == [("notification.delivered", None), ("notification.failed", "bounced")]
