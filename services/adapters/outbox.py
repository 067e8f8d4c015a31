"""The outbox, relayed from each table's change stream.

A writer puts the events of a write on the item it writes, in the attribute ``outbox``: a list of
envelope JSON strings (or that list compressed, :func:`packed_outbox`) holding that write's events
only (each write replaces the list, so it never accumulates). The state and its events are then one
item, written atomically without a transaction. The table's DynamoDB Stream (NEW_AND_OLD_IMAGES)
carries every change; the relay publishes, for each INSERT or MODIFY, the envelopes in the new
image's ``outbox`` whose event id is not in the old image's. The envelope (its id included) is
stored, so a replayed stream record publishes the same event id, and consumers are idempotent on
it; a writer derives the id from what it writes (:func:`event_id_for`), so a re-run write emits the
same id too.

- On AWS a Lambda with the stream as its event source calls :func:`handle_stream_event`, which
  reports the records it could not relay (``batchItemFailures`` by sequence number) so Lambda
  retries from there; an alarm on the function's ``IteratorAge`` says when it falls behind.
- Locally (the stack's stream pump) and in tests, :class:`StreamCursor` reads every shard from
  where it last stopped, and :func:`drain_stream` relays what is new.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..observability import get_logger

if TYPE_CHECKING:  # the event contracts are many pydantic models: built on first use, not at import
    from ..contracts.events import Envelope

OUTBOX_ATTRIBUTE = "outbox"
OUTBOX_TTL_DAYS = 7  # an item that exists only to carry events is kept a week, then expires
_RELAYED = ("INSERT", "MODIFY")
_READ_LIMIT = 1000  # GetRecords' maximum per call
_SHARDS_MAX_AGE = 30.0  # seconds a shard list is trusted (shards split now and then; an open one stays readable)


EVENT_ID_NAMESPACE = uuid.UUID("6f1c3a52-2d4e-5b8a-9c1f-3e7d0a4b8c21")


def event_id_for(pk: str, sk: str, version: int | str, event_type: str, n: int = 0) -> str:
    """A deterministic event id for the ``n``-th event of ``event_type`` that the write of
    version ``version`` of item (``pk``, ``sk``) emits: a re-run of the same write (a redelivered
    message, a retried request) emits the same id, which consumers are idempotent on."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{pk}|{sk}|{version}|{event_type}|{n}"))


def outbox_value(envelopes: Iterable[Envelope]) -> list[str]:
    """The ``outbox`` attribute for a write's events."""
    return [e.model_dump_json() for e in envelopes]


def packed_outbox(envelopes: list[str]) -> bytes:
    """The ``outbox`` attribute compressed, for items written often with several events (a write's
    envelopes repeat the same names and fields: packed, they cost a third of the write units)."""
    return zlib.compress(json.dumps(envelopes, separators=(",", ":")).encode())


def _strings(image: dict | None) -> list[str]:
    """The ``outbox`` list of a stream image (DynamoDB's typed JSON: ``{"L": [{"S": ...}]}``, or
    ``{"B": ...}`` packed: bytes as boto3 reads a stream, base64 as a Lambda event carries them)."""
    value = (image or {}).get(OUTBOX_ATTRIBUTE)
    if not value:
        return []
    if "L" in value:
        return [v["S"] for v in value["L"] if "S" in v]
    if "SS" in value:
        return list(value["SS"])
    if "B" in value:
        packed = value["B"]
        return [str(e) for e in json.loads(zlib.decompress(base64.b64decode(packed) if isinstance(packed, str)
                                                             else bytes(packed)))]
    return []


def _event_id(raw: str) -> str | None:
    try:
        return str(json.loads(raw)["event_id"])
    except (ValueError, KeyError, TypeError):
        return None


def new_envelopes(record: dict) -> list[str]:
    """The envelope JSON strings a stream record adds: in NewImage.outbox, not in OldImage.outbox."""
    if record.get("eventName") not in _RELAYED:
        return []
    images = record.get("dynamodb", {})
    old_ids = {_event_id(raw) for raw in _strings(images.get("OldImage"))}
    return [raw for raw in _strings(images.get("NewImage")) if _event_id(raw) not in old_ids]


def relay_records(records: list[dict], publisher: Any) -> tuple[list[int], int]:
    """Publishes what ``records`` add (in batches). Returns the indexes of the records with an
    event that could not be published, and how many events were published. An envelope seen
    twice in the same call (moto emits a duplicate INSERT for an update that creates the item)
    is published once."""
    from ..contracts.events import Envelope

    log = get_logger("outbox")
    pending: list[tuple[int, Envelope]] = []
    seen: set[str] = set()
    for index, record in enumerate(records):
        for raw in new_envelopes(record):
            try:
                envelope = Envelope.model_validate_json(raw)
            except ValueError:  # a writer's bug; blocking the shard on it would stop every later event
                log.error("outbox entry is not an envelope; skipped",
                          extra={"sequence_number": _sequence_number(record)})
                continue
            if envelope.event_id in seen:
                continue
            seen.add(envelope.event_id)
            pending.append((index, envelope))
    if not pending:
        return [], 0
    failed_ids = set(publisher.publish_batch([e for _, e in pending]))
    failed = sorted({index for index, e in pending if e.event_id in failed_ids})
    if failed:
        log.warning("events not published; the stream records are retried",
                    extra={"failed_events": len(failed_ids), "records": len(records)})
    return failed, len(pending) - len(failed_ids)


def _sequence_number(record: dict) -> str:
    return str(record.get("dynamodb", {}).get("SequenceNumber", ""))


def handle_stream_event(event: Any, publisher: Any) -> dict[str, Any]:
    """A Lambda DynamoDB-stream event: publishes the new outbox envelopes; returns
    ``{"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}`` naming the records
    not relayed (Lambda retries from the lowest of them; a retried record publishes the same ids)."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    records = list(raw.get("Records", []))
    failed, _ = relay_records(records, publisher)
    return {"batchItemFailures": [{"itemIdentifier": _sequence_number(records[i])} for i in failed]}


class StreamCursor:
    """Reads a table's stream, every shard, from where the last read stopped (the first read
    starts at the oldest record still held, TRIM_HORIZON). The position is a sequence number per
    shard, kept in memory.

    Each read asks for a fresh iterator after the kept sequence number rather than following
    ``NextShardIterator``: moto replaces a table's stream shard when it rolls back a cancelled
    transaction, and an iterator taken before would go on reading the discarded one.
    """

    def __init__(self, table_name: str, *, dynamodb: Any = None, streams: Any = None) -> None:
        from .aws import client

        self.table_name = table_name
        self._dynamodb = dynamodb or client("dynamodb")
        self._streams = streams or client("dynamodbstreams")
        self._arn: str | None = None
        self._positions: dict[str, str] = {}  # shard id -> last sequence number consumed
        self._finished: set[str] = set()  # closed shards read to their end
        self._shard_ids: list[str] = []
        self._listed_at = float("-inf")
        self._lock = threading.Lock()

    @property
    def stream_arn(self) -> str:
        if self._arn is None:
            arn = self._dynamodb.describe_table(TableName=self.table_name)["Table"].get("LatestStreamArn")
            if not arn:
                raise RuntimeError(f"table {self.table_name} has no stream")
            self._arn = arn
        return self._arn

    def _shards(self) -> list[str]:
        if time.monotonic() - self._listed_at > _SHARDS_MAX_AGE:
            self._shard_ids = [s["ShardId"] for s in self._describe()]
            self._listed_at = time.monotonic()
        return self._shard_ids

    def _describe(self) -> list[dict]:
        shards: list[dict] = []
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self._streams.describe_stream(**kwargs)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            last = description.get("LastEvaluatedShardId")
            if not last:
                return shards  # parents are listed before their children
            kwargs["ExclusiveStartShardId"] = last

    def _iterator(self, shard_id: str) -> str:
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id}
        if shard_id in self._positions:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self._positions[shard_id])
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        return self._streams.get_shard_iterator(**kwargs)["ShardIterator"]

    def poll(self, consume: Callable[[list[dict]], list[int]], *, limit: int = _READ_LIMIT) -> int:
        """Hands each shard's new records to ``consume`` (in pages of at most ``limit``), which
        returns the indexes of records it failed; the position stops before the first of them,
        so they come again on the next poll. Returns how many records were consumed."""
        with self._lock:
            done = 0
            for shard_id in self._shards():
                if shard_id not in self._finished:
                    done += self._poll_shard(shard_id, consume, limit)
            return done

    def _poll_shard(self, shard_id: str, consume: Callable[[list[dict]], list[int]], limit: int) -> int:
        done = 0
        while True:
            page = self._streams.get_records(ShardIterator=self._iterator(shard_id), Limit=limit)
            records = page.get("Records", [])
            if not records and not page.get("NextShardIterator"):
                self._finished.add(shard_id)
                self._listed_at = float("-inf")  # the shard closed: its children are listed next time
            if not records:
                return done
            failed = consume(records)
            good = records[:min(failed)] if failed else records
            if good:
                self._positions[shard_id] = _sequence_number(good[-1])
            done += len(good)
            if failed:
                return done


_cursors: dict[tuple[str, str], StreamCursor] = {}
_cursors_lock = threading.Lock()


def cursor(table: Any) -> StreamCursor:
    """This process's cursor over a table's stream (by the table's logical name in
    ``infra/resources.py``, or a boto3 Table)."""
    from ..settings import settings

    name = getattr(table, "name", None) or settings().name(table)
    key = (os.environ.get("AWS_ENDPOINT_URL", ""), name)
    with _cursors_lock:
        if key not in _cursors:
            _cursors[key] = StreamCursor(name)
        return _cursors[key]


def drain_stream(table: Any, publisher: Any) -> int:
    """Relays everything new on a table's stream; returns how many envelopes were published.
    Stops at a record whose events could not be published (the next drain starts there)."""
    published = 0

    def consume(records: list[dict]) -> list[int]:
        nonlocal published
        failed, count = relay_records(records, publisher)
        published += count
        return failed

    cursor(table).poll(consume)
    return published


def forget_positions() -> None:
    """Drops every cursor (tests that start a fresh embedded AWS)."""
    with _cursors_lock:
        _cursors.clear()
