"""What the ingest path costs in AWS calls: one queue message per request; per batch, batched reads,
one conditional write per changed client-day (with its month's summary, when the day's counts
change: one transaction of the two), and nothing else written per day."""
import json
from collections import Counter
from datetime import timedelta

from services.adapters.aws import client, queue_url, table
from tests.support.stack import drain


class Calls:
    """Counts the calls made through the clients the visits code uses."""

    def __init__(self):
        self.seen = Counter()
        self.clients = [table("visits").meta.client, client("sqs")]  # every table's client is that one

    def count(self, model, **_):
        self.seen[model.name] += 1

    def __enter__(self):
        for c in self.clients:
            c.meta.events.register("before-call.*.*", self.count)
        return self

    def __exit__(self, *exc):
        for c in self.clients:
            c.meta.events.unregister("before-call.*.*", self.count)


def test_a_request_is_one_message_and_each_client_day_is_written_once(provider, morning):
    # GIVEN three clients, each with two visits (four events) in one request
    events = []
    for _ in range(3):
        pnr, tag = provider.new_client()
        for k in range(2):
            at = morning + timedelta(hours=k)
            events += [provider.event("arrival", pnr, tag, at),
                       provider.event("departure", pnr, tag, at + timedelta(minutes=20))]
    # WHEN they are posted THEN one message holds them all
    assert provider.post(events).status == 202
    messages = drain(queue_url("visits-ingest"), client("sqs"), relay=False)
    assert len(messages) == 1 and len(json.loads(messages[0]["Body"])["events"]) == 12
    # WHEN the processor takes the message
    with Calls() as calls:
        assert provider.visits.sqs("on_visit_events", [messages[0]["Body"]]) == {"batchItemFailures": []}
    # THEN it read in batches (what the events need; then the months' totals against the decisions),
    # wrote each client-day once, with its month's summary in the same transaction
    assert calls.seen["BatchGetItem"] == 2
    assert calls.seen["TransactWriteItems"] == 3
    assert calls.seen["PutItem"] == 0 and calls.seen["Query"] == 0 and calls.seen["GetItem"] == 0
    # AND a redelivery writes nothing
    with Calls() as again:
        assert provider.visits.sqs("on_visit_events", [messages[0]["Body"]]) == {"batchItemFailures": []}
    assert again.seen["PutItem"] == 0 and again.seen["BatchWriteItem"] == 0
    assert again.seen["TransactWriteItems"] == 0
