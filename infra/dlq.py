"""What is in each dead-letter queue, and moving it back (``make dlq``, ``make redrive QUEUE=…``).

Works on the local stack and on AWS alike: the endpoint comes from ``AWS_ENDPOINT_URL`` (unset:
AWS with the usual credentials; ``--local``, or no AWS credentials at all while the local stack
answers on 127.0.0.1:4566, means the local stack). Lists only what identifies a message (its
id, event type, event id, source, time, receive count) — never the payload, which may hold
personal data.

Redrive moves each message back to its source queue (send, then delete from the DLQ), so a
crash half-way leaves at worst a copy in both places: the consumers are idempotent.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.request
from typing import Any

from .resources import STACK

LOCAL_ENDPOINT = "http://127.0.0.1:4566"


def _local_answers() -> bool:
    try:
        with urllib.request.urlopen(f"{LOCAL_ENDPOINT}/moto-api/", timeout=1):
            return True
    except Exception:  # noqa: BLE001 - not running
        return False


def sqs_client(local: bool = False) -> Any:
    import boto3

    endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-north-1"
    session = boto3.session.Session()
    if endpoint is None and (local or (session.get_credentials() is None and _local_answers())):
        endpoint = LOCAL_ENDPOINT
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        session = boto3.session.Session()
    print(f"# SQS at {endpoint or 'AWS'} ({region})", file=sys.stderr)
    return session.client("sqs", region_name=region, endpoint_url=endpoint)


def _prefix() -> str:
    return os.environ.get("INSATS_PREFIX") or "insats"


def _url(sqs: Any, name: str) -> str:
    return sqs.get_queue_url(QueueName=f"{_prefix()}-{name}")["QueueUrl"]


def summary(body: str) -> dict[str, Any]:
    """The identifying fields of a message body: an envelope's, or an SNS notification's type."""
    try:
        data = json.loads(body)
    except ValueError:
        return {"body": "not JSON"}
    if not isinstance(data, dict):
        return {"body": type(data).__name__}
    keep = ("event_type", "version", "event_id", "source", "occurred_at", "notificationType", "eventType")
    return {k: data[k] for k in keep if k in data}


def list_dlqs(sqs: Any, peek: int = 10) -> list[dict[str, Any]]:
    out = []
    for queue in STACK.queues:
        url = _url(sqs, queue.dlq)
        count = int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
                    ["Attributes"]["ApproximateNumberOfMessages"])
        messages = []
        if count and peek:
            # Received with a short visibility so they are back at once (a DLQ has no redrive).
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(10, peek), VisibilityTimeout=1,
                                      AttributeNames=["All"]).get("Messages", [])
            messages = [{"message_id": m["MessageId"],
                         "receive_count": m.get("Attributes", {}).get("ApproximateReceiveCount"),
                         **summary(m["Body"])} for m in got]
        out.append({"queue": queue.name, "dlq": queue.dlq, "messages": count, "sample": messages})
    return out


def redrive(sqs: Any, queue: str) -> int:
    """Moves everything in ``queue``'s DLQ back to ``queue``. Returns how many."""
    name = queue.removesuffix("-dlq")
    if name not in {q.name for q in STACK.queues}:
        raise SystemExit(f"no such queue: {queue} (known: {', '.join(q.name for q in STACK.queues)})")
    source, target = _url(sqs, f"{name}-dlq"), _url(sqs, name)
    # Only what is there now: a message that fails again comes back to the DLQ while we work, and
    # must not be moved round and round.
    attributes = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    limit = int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
    moved = 0
    while moved < limit:
        # Long-poll briefly: a message just peeked at by ``list`` is back after a second.
        got = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=min(10, limit - moved), VisibilityTimeout=60,
                                  WaitTimeSeconds=2, MessageAttributeNames=["All"]).get("Messages", [])
        if not got:
            return moved
        entries = [{"Id": str(i), "MessageBody": m["Body"],
                    **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {})}
                   for i, m in enumerate(got)]
        result = sqs.send_message_batch(QueueUrl=target, Entries=entries)
        sent = {e["Id"] for e in result.get("Successful", [])}
        done = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got) if str(i) in sent]
        if done:
            sqs.delete_message_batch(QueueUrl=source, Entries=done)
        moved += len(done)
        if len(done) < len(got):
            raise SystemExit(f"moved {moved}; {len(got) - len(done)} could not be sent back, still in the DLQ")
    return moved


def main(argv: list[str]) -> int:
    local = "--local" in argv
    args = [a for a in argv if a != "--local"]
    if not args or args[0] not in ("list", "redrive"):
        print("usage: python -m infra.dlq list | redrive QUEUE  [--local]", file=sys.stderr)
        return 2
    sqs = sqs_client(local)
    if args[0] == "list":
        for row in list_dlqs(sqs):
            print(f"{row['dlq']}: {row['messages']}")
            for m in row["sample"]:
                print("   " + json.dumps(m, ensure_ascii=False))
        return 0
    if len(args) < 2:
        print("usage: python -m infra.dlq redrive QUEUE", file=sys.stderr)
        return 2
    print(f"moved {redrive(sqs, args[1])} messages back to {args[1].removesuffix('-dlq')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
