"""DynamoDB helpers shared by the repositories: error translation, the unit of work with a
transactional outbox (relayed from the table's stream), and a counter for readable numbers.

Every service keeps one table (single-table design) with ``pk``/``sk`` and two generic
indexes ``gsi1`` (``gsi1pk``/``gsi1sk``) and ``gsi2`` (``gsi2pk``/``gsi2sk``); see
``infra/resources.py`` (the e-services' table a third, ``gsi3``). Repositories are per aggregate and receive the table injected.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..domain.errors import Conflict, DomainError

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


def give_index_keys(table: Any, partitions: Iterable[str], index: str,
                    keys_of: Callable[[dict], tuple[str, str] | None]) -> int:
    """One-off and idempotent: the items of ``partitions`` written before ``index`` (gsi1, gsi3 …) held
    them get its keys, ``keys_of(item)`` → (pk, sk), or None for an item that has no place in it.
    Each write is on the condition that the item has none yet, so two runs at once give each item
    its keys once. Returns how many were given them."""
    given = 0
    for partition in partitions:
        with translated_errors():
            items = query_partition(table, partition)
        for item in items:
            keys = None if f"{index}pk" in item else keys_of(item)
            if keys is None:
                continue
            try:
                with translated_errors():
                    table.update_item(Key={"pk": item["pk"], "sk": item["sk"]},
                                      UpdateExpression=f"SET {index}pk = :pk, {index}sk = :sk",
                                      ConditionExpression=f"attribute_exists(pk) AND attribute_not_exists({index}pk)",
                                      ExpressionAttributeValues={":pk": keys[0], ":sk": keys[1]})
                given += 1
            except Conflict:  # given them meanwhile (a second run at the same time)
                pass
    return given


def days(first: date, last: date) -> Iterator[date]:
    """The days [first, last]."""
    while first <= last:
        yield first
        first += timedelta(days=1)


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
    """Collects writes and events and commits them in one DynamoDB transaction.

    The events go into the same transaction as one outbox item (``outbox``: their envelopes,
    with a ``ttl``), so they exist exactly when the state they describe does. Nothing is
    published here: the table's stream relay (``adapters/outbox.py``) publishes them.
    """

    def __init__(self, table: Any, source: str) -> None:
        self.table = table
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

    def emit(self, event: Event, *, event_id: str | None = None) -> Envelope:
        """Adds an event to the outbox item this unit of work writes. ``event_id`` lets a writer
        derive the id from what it writes, so a re-run write publishes the same id."""
        envelope = event.envelope(self.source, event_id=event_id)
        self._envelopes.append(envelope)
        return envelope

    @staticmethod
    def _conditioned(op: dict, condition: str | None, names: dict | None, values: dict | None) -> None:
        if condition:
            op["ConditionExpression"] = condition
        if names:
            op["ExpressionAttributeNames"] = names
        if values:
            op["ExpressionAttributeValues"] = to_dynamo(values)

    def _outbox_op(self) -> dict:
        from .outbox import OUTBOX_ATTRIBUTE, OUTBOX_TTL_DAYS, outbox_value

        first = self._envelopes[0]
        # Keyed by the first event's id: outbox items spread over partitions and never collide.
        item = {"pk": f"{OUTBOX_PK}#{first.event_id}", "sk": OUTBOX_PK,
                OUTBOX_ATTRIBUTE: outbox_value(self._envelopes),
                "ttl": int(time.time()) + OUTBOX_TTL_DAYS * 86400}
        return {"Put": {"TableName": self.table.name, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}

    # -- committing -------------------------------------------------------------------
    def commit(self, conflict_detail: str = "the item changed or already exists") -> list[Envelope]:
        """Writes everything or nothing; returns the events, which the stream relay publishes."""
        ops = [*self._ops, self._outbox_op()] if self._envelopes else list(self._ops)
        if not ops:
            return []
        if len(ops) > _MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a unit of work holds at most {_MAX_TRANSACTION_ITEMS} writes")
        client = self.table.meta.client
        with translated_errors(conflict_detail):
            client.transact_write_items(TransactItems=ops, ClientRequestToken=str(uuid.uuid4()))
        committed = list(self._envelopes)
        self._ops, self._envelopes = [], []
        return committed
