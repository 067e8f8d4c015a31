"""Publishing domain events (SNS topic fan-out to each consumer's SQS queue) and sending
commands to a service's own queue."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from ..aws import client, queue_url, topic_arn

if TYPE_CHECKING:  # only annotations here; the contracts are built on first use
    from ..contracts.events import Envelope

EVENTS_TOPIC = "domain-events"


class Publisher(Protocol):
    def publish(self, envelope: Envelope) -> None: ...


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
