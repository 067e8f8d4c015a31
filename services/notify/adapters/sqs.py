"""Notify's SQS: its batches, each record on its own, failures reported back (partial batch
response), transient ones delayed with exponential backoff through the message's visibility.

No Powertools idempotency here: the delivery records are notify's idempotency (per request and
channel), and an idempotency record per message would skip a channel that must be retried. It
also keeps the Lambda's cold start light. A message that can never succeed (an unknown template)
goes straight to the DLQ instead of being tried again and again.
"""
from __future__ import annotations

from typing import Any, Callable

from ...observability import get_logger

logger = get_logger("notify")
BASE_DELAY, MAX_DELAY = 30, 900  # seconds; SQS allows a visibility of 12 hours, a delay of 15 minutes
INBOX = "notify-inbox"


def sqs() -> Any:
    from ...adapters.aws import client

    return client("sqs")


def queue_url_by_physical_name(name: str) -> str:
    return sqs().get_queue_url(QueueName=name)["QueueUrl"]


def requeue(body: str) -> None:
    """Puts an envelope back on notify's inbox (a held SMS that is due, a reminder to retry)."""
    from ...adapters.aws import queue_url

    sqs().send_message(QueueUrl=queue_url(INBOX), MessageBody=body)


def backoff_seconds(receive_count: int) -> int:
    return min(MAX_DELAY, BASE_DELAY * 2 ** max(0, receive_count - 1))


def _queue_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def process(event: Any, handle: Callable[[str, int], Any], *, sqs: Callable[[], Any] | None = None,
            queue_url: Callable[[str], str] | None = None) -> dict[str, Any]:
    """``handle(body, receive_count)``; raises ``Retry`` (or anything) to fail the record, ``Poison``
    to send it to the DLQ at once. ``sqs`` makes the SQS client, asked for only when a record fails
    (a cold start that succeeds makes no SQS client)."""
    from functools import cache

    from ..usecases.outcomes import Poison

    sqs = cache(sqs) if sqs is not None else None

    raw = event.to_dict() if hasattr(event, "to_dict") else event
    failures: list[dict[str, str]] = []
    for record in raw.get("Records", []):
        count = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1") or 1)
        try:
            handle(record["body"], count)
        except Poison as exc:
            logger.error("message can never succeed; moved to the DLQ", extra={"why": str(exc)[:200]})
            if not _to_dlq(record, sqs, queue_url):
                failures.append({"itemIdentifier": record["messageId"]})
        except Exception as exc:  # noqa: BLE001 - this record comes back later; the others stand
            logger.warning("record failed; retried after backoff",
                           extra={"error": type(exc).__name__, "receive_count": count})
            failures.append({"itemIdentifier": record["messageId"]})
            _delay(record, count, sqs, queue_url)
    return {"batchItemFailures": failures}


def _delay(record: dict, count: int, sqs: Callable[[], Any] | None, queue_url: Callable[[str], str] | None) -> None:
    if sqs is None or queue_url is None:
        return
    try:
        sqs().change_message_visibility(QueueUrl=queue_url(_queue_name(record["eventSourceARN"])),
                                      ReceiptHandle=record["receiptHandle"],
                                      VisibilityTimeout=backoff_seconds(count))
    except Exception:  # noqa: BLE001 - without it the queue's own visibility timeout applies
        logger.warning("could not delay the retry")


def _to_dlq(record: dict, sqs: Callable[[], Any] | None, queue_url: Callable[[str], str] | None) -> bool:
    if sqs is None or queue_url is None:
        return False
    try:
        sqs().send_message(QueueUrl=queue_url(_queue_name(record["eventSourceARN"]) + "-dlq"),
                         MessageBody=record["body"])
        return True
    except Exception:  # noqa: BLE001 - then it reaches the DLQ through the redrive policy
        logger.warning("could not move the message to the DLQ")
        return False
