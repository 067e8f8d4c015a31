"""Publishing domain events (SNS topic fan-out to each consumer's SQS queue) and sending
commands to a service's own queue."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .aws import client, queue_url, topic_arn

if TYPE_CHECKING:  # only annotations here; the contracts are built on first use
    from ..contracts.events import Envelope

EVENTS_TOPIC = "domain-events"
PUBLISH_BATCH_ENTRIES = 10  # SNS PublishBatch: at most 10 messages ...
PUBLISH_BATCH_BYTES = 256 * 1024  # ... and 256 KiB together


class Publisher(Protocol):
    def publish(self, envelope: Envelope) -> None: ...

    def publish_batch(self, envelopes: Sequence[Envelope]) -> list[str]:
        """Publishes every envelope; returns the event ids that were not published."""
        ...


def publish_chunks(envelopes: Sequence[Envelope]) -> list[list[tuple[Envelope, str]]]:
    """Envelopes with their JSON, in chunks one PublishBatch call takes."""
    chunks: list[list[tuple[Envelope, str]]] = []
    size = 0
    for envelope in envelopes:
        body = envelope.model_dump_json()
        weight = len(body.encode()) + len(envelope.event_type)
        if not chunks or len(chunks[-1]) >= PUBLISH_BATCH_ENTRIES or size + weight > PUBLISH_BATCH_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append((envelope, body))
        size += weight
    return chunks


class SnsPublisher:
    """Publishes to the domain-events topic with ``event_type`` as a message attribute, which
    the consumers' subscriptions filter on."""

    def __init__(self, topic: str = EVENTS_TOPIC) -> None:
        self._topic = topic

    def publish(self, envelope: Envelope) -> None:
        client("sns").publish(
            TopicArn=topic_arn(self._topic),
            Message=envelope.model_dump_json(),
            MessageAttributes={"event_type": {"DataType": "String", "StringValue": envelope.event_type}},
        )

    def publish_batch(self, envelopes: Sequence[Envelope]) -> list[str]:
        from botocore.exceptions import ClientError

        sns, arn = client("sns"), topic_arn(self._topic)
        failed: list[str] = []
        for chunk in publish_chunks(envelopes):
            entries = [{"Id": _entry_id(str(i)), "Message": body,
                        "MessageAttributes": {"event_type": {"DataType": "String", "StringValue": e.event_type}}}
                       for i, (e, body) in enumerate(chunk)]
            try:
                result = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=entries)
            except ClientError:  # the whole call failed: every event of it is retried
                failed.extend(e.event_id for e, _ in chunk)
                continue
            failed.extend(chunk[int(f["Id"])][0].event_id for f in result.get("Failed", []))
        return failed


def send_batch(queue: str, bodies: list[dict[str, Any]], *, ids: list[str] | None = None) -> list[str]:
    """Sends up to any number of messages to a queue, ten per call. Returns the ids that failed."""
    url = queue_url(queue)
    failed: list[str] = []
    for start in range(0, len(bodies), 10):
        chunk = bodies[start:start + 10]
        chunk_ids = (ids or [str(i) for i in range(len(bodies))])[start:start + 10]
        result = client("sqs").send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": _entry_id(i), "MessageBody": json.dumps(b, default=str)} for i, b in zip(chunk_ids, chunk)],
        )
        failed.extend(f["Id"] for f in result.get("Failed", []))
    return failed


def _entry_id(raw: str) -> str:
    # SQS batch entry ids: alphanumerics, - and _, up to 80 characters.
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in raw)[:80]
