"""The outbox relayed from a table's DynamoDB Stream, on a moto server: what a write adds to its
item's ``outbox`` is published once, in batches; a replayed stream record publishes the same
event ids; a failed publish is reported by sequence number and retried."""
import json
import uuid

import pytest

from infra.resources import Table
from services.adapters.messaging import SnsPublisher
from tests.support.fakes.common import RecordingPublisher
from services.adapters.outbox import StreamCursor, drain_stream, handle_stream_event, outbox_value
from services.adapters.aws import client, queue_url, resource
from services.contracts.events import NotificationRequested, Recipient
from services.settings import settings
from tests.support.people import new_pnr
from tests.support.stack import drain


@pytest.fixture
def stream_table(aws):
    """A table of its own (so no other test's events are relayed here), shaped like the apps'."""
    spec = Table(name=f"outbox-{uuid.uuid4().hex[:8]}", owner="test")
    schema = spec.key_schema()
    ddb = client("dynamodb")
    ddb.create_table(TableName=settings().name(spec.name), BillingMode="PAY_PER_REQUEST",
                     StreamSpecification=spec.stream_specification(), **schema)
    yield resource("dynamodb").Table(settings().name(spec.name))
    ddb.delete_table(TableName=settings().name(spec.name))


def envelopes(n, *, to=None):
    recipient = Recipient(kind="person", ref=to or new_pnr())
    return [NotificationRequested(template="submission.received", recipient=recipient)
            .envelope("test", event_id=str(uuid.uuid4())) for _ in range(n)]


def ids(published):
    return [e.event_id for e in published]


def stream_records(table):
    """Every record on the table's stream, read with a cursor of its own."""
    got = []
    StreamCursor(table.name).poll(lambda records: got.extend(records) or [])
    return got


class FailingFor:
    """Publishes everything but the given event ids (a topic that refuses some entries)."""

    def __init__(self, refused):
        self.refused, self.published = set(refused), []

    def publish_batch(self, batch):
        self.published.extend(e for e in batch if e.event_id not in self.refused)
        return [e.event_id for e in batch if e.event_id in self.refused]


def test_each_write_publishes_the_events_it_added_and_nothing_twice(stream_table):
    # GIVEN an item written with two events, then rewritten with a new one, then changed without events
    first, second, third = envelopes(3)
    key = {"pk": f"CASE#{uuid.uuid4()}", "sk": "CASE"}
    stream_table.put_item(Item={**key, "version": 1, "outbox": outbox_value([first, second])})
    stream_table.put_item(Item={**key, "version": 2, "outbox": outbox_value([third])})
    stream_table.update_item(Key=key, UpdateExpression="SET note = :n", ExpressionAttributeValues={":n": "x"})
    stream_table.delete_item(Key=key)
    # WHEN the stream is drained
    recorder = RecordingPublisher()
    count = drain_stream(stream_table, recorder)
    # THEN each event was published once, in the order written; the update kept the outbox and the
    # delete removed it, and neither published anything
    assert ids(recorder.published) == ids([first, second, third])
    assert count == 3
    # AND a second drain finds nothing new
    assert drain_stream(stream_table, recorder) == 0
    assert len(recorder.published) == 3


def test_a_replayed_stream_record_publishes_the_same_event_ids(stream_table):
    # GIVEN the stream records of two writes
    written = envelopes(3)
    stream_table.put_item(Item={"pk": "A", "sk": "1", "outbox": outbox_value(written[:2])})
    stream_table.put_item(Item={"pk": "B", "sk": "1", "outbox": outbox_value(written[2:])})
    records = stream_records(stream_table)
    # WHEN the same records are handled twice (Lambda retries a batch after a timeout)
    first, second = RecordingPublisher(), RecordingPublisher()
    assert handle_stream_event({"Records": records}, first) == {"batchItemFailures": []}
    assert handle_stream_event({"Records": records}, second) == {"batchItemFailures": []}
    # THEN both runs published the very same event ids, those the writes stored
    assert ids(first.published) == ids(second.published) == ids(written)


def test_a_refused_event_is_reported_by_its_records_sequence_number_and_retried(stream_table):
    # GIVEN three writes, the second of whose events the topic refuses
    a, b, c = envelopes(3)
    for n, e in enumerate((a, b, c)):
        stream_table.put_item(Item={"pk": f"P{n}", "sk": "1", "outbox": outbox_value([e])})
    records = stream_records(stream_table)
    # WHEN the Lambda handler relays the batch
    result = handle_stream_event({"Records": records}, FailingFor({b.event_id}))
    # THEN only the second record is reported, by its sequence number
    assert result == {"batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]}

    # WHEN a drain meets the same refusal, it stops at that record ...
    refusing = FailingFor({b.event_id})
    assert drain_stream(stream_table, refusing) == 2
    # ... and the next drain starts there: the refused event and those after it come again
    recorder = RecordingPublisher()
    drain_stream(stream_table, recorder)
    assert ids(recorder.published) == ids([b, c])


def test_events_go_out_in_batches_of_ten_and_reach_the_subscribed_queue(stream_table):
    # GIVEN one write that carries 23 events for notify
    sqs = client("sqs")
    drain(queue_url("notify-inbox"), sqs)
    written = envelopes(23)
    stream_table.put_item(Item={"pk": "MANY", "sk": "1", "outbox": outbox_value(written)})
    calls = []
    sns = client("sns")
    hook = lambda model, **kw: calls.append(model.name)  # noqa: E731
    sns.meta.events.register("before-call.sns", hook)
    try:
        # WHEN the stream is relayed to the topic
        assert drain_stream(stream_table, SnsPublisher()) == 23
    finally:
        sns.meta.events.unregister("before-call.sns", hook)
    # THEN three PublishBatch calls carried them, and notify's queue received each once
    assert calls == ["PublishBatch"] * 3
    received = [json.loads(m["Body"])["event_id"] for m in drain(queue_url("notify-inbox"), sqs)]
    assert sorted(received) == sorted(ids(written))


def test_a_write_that_fails_its_condition_publishes_nothing(stream_table):
    from botocore.exceptions import ClientError

    # GIVEN an item, and a conditional write carrying an event that fails its condition
    stream_table.put_item(Item={"pk": "C", "sk": "1", "version": 1})
    drain_stream(stream_table, RecordingPublisher())
    with pytest.raises(ClientError):
        stream_table.put_item(Item={"pk": "C", "sk": "1", "version": 2, "outbox": outbox_value(envelopes(1))},
                              ConditionExpression="version = :v", ExpressionAttributeValues={":v": 5})
    # THEN the relay publishes nothing
    recorder = RecordingPublisher()
    assert drain_stream(stream_table, recorder) == 0
    assert recorder.published == []
