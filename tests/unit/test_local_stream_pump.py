"""The local stack's stream pump over an in-memory stream: delivers records in order, a batch at
a time, and redelivers from the first record the handler reports failed, as Lambda does."""
from infra.local.pump import StreamPump
from services.adapters.outbox import StreamCursor

ARN = "arn:aws:dynamodb:eu-north-1:000000000000:table/insats-visits/stream/2026"


class FakeStreams:
    """DynamoDB Streams' read API over a list of records in one open shard."""

    def __init__(self, n):
        self.records = [{"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(100 + i), "Keys": {}}}
                        for i in range(n)]

    def describe_stream(self, StreamArn):
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, StreamArn, ShardId, ShardIteratorType, SequenceNumber=None):
        start = 0 if ShardIteratorType == "TRIM_HORIZON" else int(SequenceNumber) - 100 + 1
        return {"ShardIterator": str(start)}

    def get_records(self, ShardIterator, Limit):
        start = int(ShardIterator)
        return {"Records": self.records[start:start + Limit], "NextShardIterator": str(start + Limit)}


class FakeDynamo:
    def describe_table(self, TableName):
        return {"Table": {"LatestStreamArn": ARN}}


def pump(streams, handler, batch_size=2):
    import threading

    cursor = StreamCursor("insats-visits", dynamodb=FakeDynamo(), streams=streams)
    return StreamPump(cursor, handler, region="eu-north-1", batch_size=batch_size, stop=threading.Event(),
                      name="visits.relay_outbox")


def test_records_are_delivered_in_order_in_batches_and_once():
    seen = []

    def handler(event, context):
        assert all(r["eventSourceARN"] == ARN for r in event["Records"])
        seen.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        return {"batchItemFailures": []}

    p = pump(FakeStreams(5), handler)
    assert p.poll_once() == 5
    assert seen == [["100", "101"], ["102", "103"], ["104"]]
    assert p.poll_once() == 0 and p.delivered == 5


def test_a_failed_record_and_those_after_it_come_again():
    calls = []
    fail_once = {"102"}

    def handler(event, context):
        seqs = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        calls.append(seqs)
        failed = [s for s in seqs if s in fail_once]
        fail_once.difference_update(failed)
        return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}

    p = pump(FakeStreams(4), handler, batch_size=10)
    # WHEN the handler fails the third record, the poll stops there
    assert p.poll_once() == 2
    # THEN the next poll starts at that record
    assert p.poll_once() == 2
    assert calls == [["100", "101", "102", "103"], ["102", "103"]]
    assert (p.delivered, p.failed) == (4, 1)
