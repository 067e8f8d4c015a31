"""DynamoDB helpers shared by the repositories: error translation, the unit of work with a
transactional outbox, and a counter for readable numbers.

Every service keeps one table (single-table design) with ``pk``/``sk`` and two generic
indexes ``gsi1`` (``gsi1pk``/``gsi1sk``) and ``gsi2`` (``gsi2pk``/``gsi2sk``); see
``infra/resources.py``. Repositories are per aggregate and receive the table injected.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..domain.errors import Conflict, DomainError
from ..observability import get_logger

if TYPE_CHECKING:  # the event contracts are many pydantic models: built on first use, not at import
    from ..contracts.events import Envelope, Event

OUTBOX_PK = "OUTBOX"
_MAX_TRANSACTION_ITEMS = 100


class StoreUnavailable(DomainError):
    status = 503
    slug = "store-unavailable"
    title = "The store is busy; try again"


@contextmanager
def translated_errors(conflict_detail: str = "the item changed or already exists") -> Iterator[None]:
    """Turns DynamoDB ClientError codes into domain errors."""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException":
            raise Conflict(conflict_detail) from None
        if code == "TransactionCanceledException":
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                raise Conflict(conflict_detail) from None
            raise StoreUnavailable("the transaction was cancelled; try again") from None
        if code in {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}:
            raise StoreUnavailable() from None
        raise


def to_dynamo(value: Any) -> Any:
    """JSON-ish python values to what boto3's DynamoDB resource accepts (floats as Decimal)."""
    return json.loads(json.dumps(value, default=str), parse_float=Decimal)


def from_dynamo(value: Any) -> Any:
    """Decimals back to int/float."""
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def query_all(table: Any, **kwargs: Any) -> list[dict]:
    items: list[dict] = []
    while True:
        page = table.query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return [from_dynamo(i) for i in items]
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def query_partition(table: Any, pk: str, sk_prefix: str | None = None, *, index: str | None = None,
                    **kwargs: Any) -> list[dict]:
    """Every item of one partition (of the table, or of ``index`` = gsi1/gsi2), optionally only
    those whose sort key starts with ``sk_prefix``."""
    pk_name, sk_name = (f"{index}pk", f"{index}sk") if index else ("pk", "sk")
    condition, values = f"{pk_name} = :pk", {":pk": pk}
    if sk_prefix:
        condition += f" AND begins_with({sk_name}, :prefix)"
        values[":prefix"] = sk_prefix
    if index:
        kwargs["IndexName"] = index
    return query_all(table, KeyConditionExpression=condition, ExpressionAttributeValues=values, **kwargs)


def next_number(table: Any, counter: str) -> int:
    """An atomic counter (for readable case numbers)."""
    with translated_errors():
        result = table.update_item(
            Key={"pk": "COUNTER", "sk": counter},
            UpdateExpression="ADD #v :one",
            ExpressionAttributeNames={"#v": "value"},
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
    return int(result["Attributes"]["value"])


class UnitOfWork:
    """Collects writes and events, commits them in one DynamoDB transaction, then publishes.

    Events are written to the table as outbox items in the same transaction as the state they
    describe, so a crash between commit and publish loses nothing: ``relay_outbox`` (scheduled)
    publishes what is left. Consumers are idempotent on the event id, so a second publish is
    harmless.
    """

    def __init__(self, table: Any, publisher: Any, source: str) -> None:
        self.table = table
        self.publisher = publisher
        self.source = source
        self._ops: list[dict] = []
        self._envelopes: list[Envelope] = []

    # -- collecting -------------------------------------------------------------------
    def put(self, item: dict, *, condition: str | None = None, names: dict | None = None,
            values: dict | None = None) -> None:
        op: dict[str, Any] = {"Put": {"TableName": self.table.name, "Item": to_dynamo(item)}}
        self._conditioned(op["Put"], condition, names, values)
        self._ops.append(op)

    def put_new(self, item: dict) -> None:
        """Put that fails with Conflict if the key exists."""
        self.put(item, condition="attribute_not_exists(pk)")

    def update(self, key: dict, expression: str, *, names: dict | None = None, values: dict | None = None,
               condition: str | None = None) -> None:
        op: dict[str, Any] = {"Update": {"TableName": self.table.name, "Key": key, "UpdateExpression": expression}}
        self._conditioned(op["Update"], condition, names, values)
        self._ops.append(op)

    def delete(self, key: dict, *, condition: str | None = None, names: dict | None = None,
               values: dict | None = None) -> None:
        op: dict[str, Any] = {"Delete": {"TableName": self.table.name, "Key": key}}
        self._conditioned(op["Delete"], condition, names, values)
        self._ops.append(op)

    def check(self, key: dict, condition: str, *, names: dict | None = None, values: dict | None = None) -> None:
        op: dict[str, Any] = {"ConditionCheck": {"TableName": self.table.name, "Key": key}}
        self._conditioned(op["ConditionCheck"], condition, names, values)
        self._ops.append(op)

    def emit(self, event: Event) -> Envelope:
        envelope = event.envelope(self.source)
        self._envelopes.append(envelope)
        self.put({"pk": OUTBOX_PK, "sk": f"{envelope.occurred_at.isoformat()}#{envelope.event_id}",
                  "envelope": envelope.model_dump_json()})
        return envelope

    @staticmethod
    def _conditioned(op: dict, condition: str | None, names: dict | None, values: dict | None) -> None:
        if condition:
            op["ConditionExpression"] = condition
        if names:
            op["ExpressionAttributeNames"] = names
        if values:
            op["ExpressionAttributeValues"] = to_dynamo(values)

    # -- committing -------------------------------------------------------------------
    def commit(self, conflict_detail: str = "the item changed or already exists") -> list[Envelope]:
        if not self._ops:
            return []
        if len(self._ops) > _MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a unit of work holds at most {_MAX_TRANSACTION_ITEMS} writes")
        client = self.table.meta.client
        with translated_errors(conflict_detail):
            client.transact_write_items(TransactItems=self._ops, ClientRequestToken=str(uuid.uuid4()))
        committed = list(self._envelopes)
        self._ops, self._envelopes = [], []
        for envelope in committed:
            try:
                self.publisher.publish(envelope)
            except Exception:  # noqa: BLE001 - committed state stands; the scheduled relay publishes it
                get_logger(self.source).warning("publish deferred to the outbox relay",
                                                extra={"event_type": envelope.event_type,
                                                       "event_id": envelope.event_id})
                continue
            self.table.delete_item(Key={"pk": OUTBOX_PK,
                                        "sk": f"{envelope.occurred_at.isoformat()}#{envelope.event_id}"})
        return committed


def relay_outbox(table: Any, publisher: Any, *, older_than_seconds: float = 30.0) -> int:
    """Publishes outbox items left by a crash between commit and publish. Returns how many."""
    from ..contracts.events import Envelope

    cutoff = datetime.fromtimestamp(time.time() - older_than_seconds, tz=timezone.utc).isoformat()
    items = query_all(table, KeyConditionExpression="pk = :pk AND sk < :cut",
                      ExpressionAttributeValues={":pk": OUTBOX_PK, ":cut": cutoff})
    for item in items:
        publisher.publish(Envelope.model_validate_json(item["envelope"]))
        table.delete_item(Key={"pk": OUTBOX_PK, "sk": item["sk"]})
    return len(items)
