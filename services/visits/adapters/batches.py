"""Batched reads and writes of the visits table, shared by its adapters: many keys in few calls,
independent calls several at a time, throttled writes retried."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable

from botocore.exceptions import BotoCoreError, ClientError

from ...adapters.dynamo import StoreUnavailable, to_dynamo
from ...domain.errors import Unavailable

# The store failing: worth a redelivery, never an event's fault.
STORE_ERRORS = (ClientError, BotoCoreError, StoreUnavailable, Unavailable)
SOURCE = "visits"  # the source of the events the table's writes carry
GET_MAX = 100  # BatchGetItem's keys per call
WRITE_MAX = 25  # BatchWriteItem's items per call
# independent writes (client-days, batches of pointers) in flight at once
PARALLEL = int(os.environ.get("VISITS_STORE_PARALLEL", "4"))
_pool: ThreadPoolExecutor | None = None


def in_parallel(fn: Callable[[Any], Any], args: list[Any]) -> list[Any]:
    """``fn`` over ``args``, several at a time (each waits on the network, not on Python)."""
    global _pool
    if len(args) <= 1:
        return [fn(a) for a in args]
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="visits-store")
    return list(_pool.map(fn, args))


def batch_get(table: Any, keys: Iterable[dict[str, str]], projection: str | None = None
              ) -> dict[tuple[str, str], dict]:
    """The items of ``keys`` that exist, by (pk, sk), read consistently."""
    client = table.meta.client  # the resource's client: python values in and out
    unique = list({(k["pk"], k["sk"]): k for k in keys}.values())
    found: dict[tuple[str, str], dict] = {}

    def read(chunk: list[dict[str, str]]) -> None:
        request: dict[str, Any] = {"Keys": chunk, "ConsistentRead": True}
        if projection:
            request["ProjectionExpression"] = projection
        pending = {table.name: request}
        while pending:
            answer = client.batch_get_item(RequestItems=pending)
            for item in answer.get("Responses", {}).get(table.name, []):
                found[(item["pk"], item["sk"])] = item
            pending = answer.get("UnprocessedKeys") or {}

    in_parallel(read, [unique[i:i + GET_MAX] for i in range(0, len(unique), GET_MAX)])
    return found


def batch_put(table: Any, items: Iterable[dict[str, Any]]) -> None:
    """Puts the items (the last of a key wins), retrying what DynamoDB did not take."""
    client = table.meta.client
    unique = list({(i["pk"], i["sk"]): to_dynamo(i) for i in items}.values())

    def write(chunk: list[dict[str, Any]]) -> None:
        pending = {table.name: [{"PutRequest": {"Item": i}} for i in chunk]}
        for attempt in range(8):
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                return
            time.sleep(0.05 * 2 ** attempt)  # throttled: back off, as DynamoDB asks
        raise StoreUnavailable("the store did not take every write; try again")

    in_parallel(write, [unique[i:i + WRITE_MAX] for i in range(0, len(unique), WRITE_MAX)])
