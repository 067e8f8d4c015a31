"""Delivers queue messages to the apps' SQS handlers, as Lambda's event source mapping does.

Each queue gets a thread: long-poll, call the handler with a real SQS-shaped event, and delete
only the records the handler did not report in ``batchItemFailures``. A failed record becomes
visible again after the queue's visibility timeout and, after ``maxReceiveCount`` receives, moves
to the DLQ through the queue's redrive policy, as on AWS.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

log = logging.getLogger("insats.pump")


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    return {"Records": [{
        "messageId": m["MessageId"],
        "receiptHandle": m["ReceiptHandle"],
        "body": m["Body"],
        "attributes": m.get("Attributes", {}),
        "messageAttributes": m.get("MessageAttributes", {}),
        "md5OfBody": m.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    } for m in messages]}


class QueuePump(threading.Thread):
    def __init__(self, sqs: Any, queue_url: str, queue_arn: str, handler: Callable[[dict, Any], Any], *,
                 region: str, batch_size: int, stop: threading.Event, name: str) -> None:
        super().__init__(name=f"pump-{name}", daemon=True)
        self.sqs, self.queue_url, self.queue_arn, self.handler = sqs, queue_url, queue_arn, handler
        self.region, self.batch_size, self.stop_event = region, batch_size, stop
        self.delivered = 0
        self.failed = 0

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.poll_once(wait_seconds=1)
            except Exception:  # noqa: BLE001 - keep pumping; the handler's own errors are per record
                log.exception("pump %s failed", self.name)
                self.stop_event.wait(1)

    def poll_once(self, wait_seconds: int = 0) -> int:
        messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size,
                                            WaitTimeSeconds=wait_seconds, AttributeNames=["All"],
                                            MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return 0
        result = self.handler(sqs_event(messages, self.queue_arn, self.region), None) or {}
        failed_ids = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start:start + 10])])
        self.delivered += len(done)
        self.failed += len(failed_ids)
        return len(messages)


def stream_event(records: list[dict], stream_arn: str, region: str) -> dict:
    return {"Records": [{**r, "eventSourceARN": stream_arn, "awsRegion": region} for r in records]}


class StreamPump(threading.Thread):
    """Delivers a table's stream records to an app's stream handler, as Lambda's event source
    mapping does: in order, a batch at a time; a record the handler reports in
    ``batchItemFailures`` (by sequence number) and everything after it come again."""

    def __init__(self, cursor: Any, handler: Callable[[dict, Any], Any], *, region: str, batch_size: int,
                 stop: threading.Event, name: str, interval: float = 0.5) -> None:
        super().__init__(name=f"stream-{name}", daemon=True)
        self.cursor, self.handler, self.region, self.batch_size = cursor, handler, region, batch_size
        self.stop_event, self.interval = stop, interval
        self.delivered = 0
        self.failed = 0

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            try:
                self.poll_once()
            except Exception:  # noqa: BLE001 - keep pumping; the next poll starts where this one stopped
                log.exception("stream pump %s failed", self.name)
                self.stop_event.wait(1)

    def poll_once(self) -> int:
        return self.cursor.poll(self._deliver, limit=self.batch_size)

    def _deliver(self, records: list[dict]) -> list[int]:
        result = self.handler(stream_event(records, self.cursor.stream_arn, self.region), None) or {}
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        first = next((i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] in failed), None)
        self.delivered += len(records) if first is None else first
        self.failed += len(failed)
        return [] if first is None else [first]
