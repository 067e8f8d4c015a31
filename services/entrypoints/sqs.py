"""SQS batch processing for the Chalice apps' queue handlers.

Every consumer: parses each record with pydantic, handles it at most once per message key
(Powertools idempotency over the service's own table), reports only the failed records back
(``batchItemFailures``) so SQS redelivers just those and, after ``maxReceiveCount``, moves them
to the queue's DLQ. Chalice handlers take one argument, so the Powertools handler decorators
do not apply: ``process_partial_response`` runs on ``event.to_dict()``.
"""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from pydantic import BaseModel

from ..adapters.aws import client
from ..observability import get_logger, get_metrics
from ..settings import settings

if TYPE_CHECKING:
    from ..contracts.events import Envelope
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

# Powertools' batch and idempotency utilities pull in boto3's resource layer and s3transfer:
# imported on the first batch, not on the Lambda's import path (cold start is measured).

M = TypeVar("M", bound=BaseModel)
IDEMPOTENCY_DAYS = 14  # longer than any redelivery: SQS keeps messages 4 days by default


IDEMPOTENCY_PREFIX = "IDEMPOTENCY#"


@cache
def _persistence(table_logical_name: str) -> "DynamoDBPersistenceLayer":
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    class PerKeyPartitions(DynamoDBPersistenceLayer):
        """Each record in a partition of its own (``IDEMPOTENCY#<key>``, the key being derived
        from the event id), not all in one static partition that grows without end. Expired
        records go by the table's TTL (``ttl``)."""

        def _get_key(self, idempotency_key: str) -> dict:
            return {self.key_attr: {"S": f"{IDEMPOTENCY_PREFIX}{idempotency_key}"},
                    self.sort_key_attr: {"S": "IDEMPOTENCY"}}

        def _item_to_data_record(self, item: dict[str, Any]) -> Any:
            record = super()._item_to_data_record(item)
            record.idempotency_key = record.idempotency_key.removeprefix(IDEMPOTENCY_PREFIX)
            return record

    return PerKeyPartitions(
        table_name=settings().name(table_logical_name),
        key_attr="pk",
        sort_key_attr="sk",
        expiry_attr="ttl",
        boto3_client=client("dynamodb"),
    )


def process_batch(
    event: Any,
    *,
    service: str,
    model: type[M],
    handle: Callable[[M], Any],
    key: str,
    table: str,
) -> dict[str, Any]:
    """Processes an SQS batch; returns ``{"batchItemFailures": [...]}``.

    ``key`` is the JMESPath of the idempotency key inside the parsed record (``event_id``).
    ``handle`` must be safe to run again after a crash mid-way: idempotency records only what
    completed.
    """
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

    logger = get_logger(service)
    metrics = get_metrics(service)
    config = IdempotencyConfig(event_key_jmespath=key, raise_on_no_idempotency_key=True,
                               expires_after_seconds=IDEMPOTENCY_DAYS * 86400)
    context = getattr(event, "context", None)
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        config.register_lambda_context(context)

    @idempotent_function(data_keyword_argument="message", persistence_store=_persistence(table), config=config,
                         key_prefix=f"{service}.{getattr(handle, '__name__', 'handle')}")
    def handle_once(message: dict) -> dict:
        handle(model.model_validate(message))
        return {"ok": True}

    def record_handler(record: SQSRecord) -> None:
        parsed = model.model_validate_json(record.body)
        handle_once(message=parsed.model_dump(mode="json"))

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    result = process_partial_response(event=raw, record_handler=record_handler, processor=processor)
    failed = len(result.get("batchItemFailures", []))
    total = len(raw.get("Records", []))
    metrics.add_metric(name="RecordsProcessed", unit="Count", value=total - failed)
    if failed:
        metrics.add_metric(name="RecordsFailed", unit="Count", value=failed)
        logger.warning("batch had failures", extra={"failed": failed, "total": total})
    metrics.flush_metrics()
    return result


def process_events(event: Any, *, service: str, handle: Callable[[Envelope], Any], table: str) -> dict[str, Any]:
    """For queues subscribed to the domain-events topic: each body is an ``Envelope``."""
    from ..contracts.events import Envelope

    return process_batch(event, service=service, model=Envelope, handle=handle, key="event_id", table=table)


def process_grouped(
    event: Any,
    *,
    service: str,
    model: type[M],
    handle_all: Callable[[list[tuple[str, M]]], set[str]],
) -> dict[str, Any]:
    """For consumers whose work is per group of records (visits rebuild a client-day once per
    batch, not once per event). ``handle_all`` gets ``(message_id, record)`` pairs and returns the
    message ids that failed; records that do not parse fail on their own.

    No Powertools idempotency here on purpose: such a consumer keeps its own idempotency record
    (the event store's conditional put) and recomputes its projection, so a redelivery is harmless,
    while an idempotency record would skip a group whose projection failed.
    """
    logger = get_logger(service)
    metrics = get_metrics(service)
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    records = raw.get("Records", [])
    parsed: list[tuple[str, M]] = []
    failed: set[str] = set()
    for record in records:
        try:
            parsed.append((record["messageId"], model.model_validate_json(record["body"])))
        except ValueError:
            failed.add(record["messageId"])
    try:
        failed |= handle_all(parsed)
    except Exception:  # noqa: BLE001 - the whole batch comes back
        logger.exception("batch failed")
        failed |= {mid for mid, _ in parsed}
    metrics.add_metric(name="RecordsProcessed", unit="Count", value=len(records) - len(failed))
    if failed:
        metrics.add_metric(name="RecordsFailed", unit="Count", value=len(failed))
        logger.warning("batch had failures", extra={"failed": len(failed), "total": len(records)})
    metrics.flush_metrics()
    return {"batchItemFailures": [{"itemIdentifier": mid} for mid in sorted(failed)]}
