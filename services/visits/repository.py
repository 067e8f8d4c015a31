"""The visits table (single-table design; only visits reads it). The only module of visits that
talks to DynamoDB: every key, condition and expression is here.

Key spaces:

- ``DAY#<provider>#<client>#<day>`` / ``DAY`` — one client-day (Europe/Stockholm date): its
  events (by event id: a resend has the same key, so the event id is its own idempotency record),
  the visits that began that day and its rejected events, in one item (``body``, compressed JSON),
  written whole with a condition on its ``version`` (put if unchanged, or if absent). One item per
  client-day: one write per changed day, one writer at a time (a loser re-reads and re-applies),
  no transaction. The write carries its events in ``outbox`` (relayed from the table's stream,
  with event ids derived from the item's key and version). ``minutes``: the day's performed time.
- Derived items, written before the client-day they point at (a pointer to a day that does not
  hold what it names is read as "not there"), idempotent, in batches:
  ``DAYREF#<ref>`` / ``DAY`` (a client-day by the random name its visit ids begin with → the
  day; one per day, not per visit), ``VISIT#<id>`` / ``VISIT`` (only a visit moved to another day
  since: where it is now), ``MONTH#<provider>#<yyyy-mm>`` /
  ``<client>#<day>`` (a provider's month, paged in client and day order), ``REJECTED#<provider>`` /
  ``<event id>`` (the provider's rejected events → their day; an ``unprocessable`` one, which may
  have no day, is held in this item itself).
- ``DEVICE#<id>`` / ``DEVICE`` — an NFC tag or a digital lock; ``gsi1`` = ``DEVICES#<provider>``.
- ``PROVIDER#<provider>`` — ``STAFF#<user>`` (the staff registry), ``TAGCOUNT`` (active tags),
  ``ABSENCE#<client>#<start>#<id>``.
- ``GRANTED#<client>`` — ``DECISIONS`` (the projection of published decisions, one attribute per
  decision, so a batch reads many clients' at once) and ``WAITING#<provider>#<yyyy-mm>`` (months
  with visits that wait for a decision).
"""
from __future__ import annotations

import json
import os
import time
import uuid
import zlib
from datetime import date, datetime
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, Iterable

from botocore.exceptions import BotoCoreError, ClientError

from ..adapters.dynamo import (StoreUnavailable, UnitOfWork, from_dynamo, query_all, query_partition, to_dynamo,
                               translated_errors)
from ..adapters.outbox import event_id_for, packed_outbox
from ..domain.errors import NotFound, Unavailable
from .days import ClientDay, DayKey
from .model import Absence, Device, RejectedEvent, StoredEvent, Visit

if TYPE_CHECKING:
    from ..contracts.events import Event

# The store failing: worth a redelivery, never an event's fault.
STORE_ERRORS = (ClientError, BotoCoreError, StoreUnavailable, Unavailable)
SOURCE = "visits"
_GET_MAX = 100  # BatchGetItem's keys per call
_WRITE_MAX = 25  # BatchWriteItem's items per call
# independent writes (client-days, batches of pointers) in flight at once
_PARALLEL = int(os.environ.get("VISITS_STORE_PARALLEL", "4"))
_pool: ThreadPoolExecutor | None = None


def _in_parallel(fn: Callable[[Any], Any], args: list[Any]) -> list[Any]:
    """``fn`` over ``args``, several at a time (each waits on the network, not on Python)."""
    global _pool
    if len(args) <= 1:
        return [fn(a) for a in args]
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_PARALLEL, thread_name_prefix="visits-store")
    return list(_pool.map(fn, args))


def day_pk(key: DayKey) -> str:
    provider, client, day = key
    return f"DAY#{provider}#{client}#{day.isoformat()}"


def _key_of_pk(pk: str) -> DayKey:
    _, provider, client, day = pk.split("#")
    return (provider, client, date.fromisoformat(day))


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class VisitsRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    @property
    def _client(self) -> Any:
        return self.table.meta.client  # the resource's client: python values in and out

    # -- batched reads ----------------------------------------------------------------------
    def _batch_get(self, keys: Iterable[dict[str, str]], projection: str | None = None) -> dict[tuple[str, str], dict]:
        unique = list({(k["pk"], k["sk"]): k for k in keys}.values())
        found: dict[tuple[str, str], dict] = {}

        def read(chunk: list[dict[str, str]]) -> None:
            request: dict[str, Any] = {"Keys": chunk, "ConsistentRead": True}
            if projection:
                request["ProjectionExpression"] = projection
            pending = {self.table.name: request}
            while pending:
                answer = self._client.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self.table.name, []):
                    found[(item["pk"], item["sk"])] = item
                pending = answer.get("UnprocessedKeys") or {}

        _in_parallel(read, [unique[i:i + _GET_MAX] for i in range(0, len(unique), _GET_MAX)])
        return found

    def _batch_put(self, items: Iterable[dict[str, Any]]) -> None:
        unique = list({(i["pk"], i["sk"]): to_dynamo(i) for i in items}.values())

        def write(chunk: list[dict[str, Any]]) -> None:
            pending = {self.table.name: [{"PutRequest": {"Item": i}} for i in chunk]}
            for attempt in range(8):
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                if not pending:
                    return
                time.sleep(0.05 * 2 ** attempt)  # throttled: back off, as DynamoDB asks
            raise StoreUnavailable("the store did not take every write; try again")

        _in_parallel(write, [unique[i:i + _WRITE_MAX] for i in range(0, len(unique), _WRITE_MAX)])

    # -- client-days --------------------------------------------------------------------------
    @staticmethod
    def _day_from(key: DayKey, item: dict | None) -> ClientDay:
        if item is None:  # its name, if this writer is the first to write it
            return ClientDay(key, ref=uuid.uuid4().hex[:12])
        raw = item["body"]
        body = json.loads(zlib.decompress(raw.value if hasattr(raw, "value") else raw))
        return ClientDay(key, version=int(item["version"]), listed=bool(item.get("listed")), ref=str(item["ref"]),
                         events={k: StoredEvent.model_validate(v) for k, v in body["events"].items()},
                         visits={k: Visit.model_validate(v) for k, v in body["visits"].items()},
                         rejected={k: RejectedEvent.model_validate(v) for k, v in body["rejected"].items()})

    def load_days(self, keys: Iterable[DayKey]) -> dict[DayKey, ClientDay]:
        """The client-days, read consistently in batches; one never written is empty (version 0)."""
        wanted = list(dict.fromkeys(keys))
        found = self._batch_get({"pk": day_pk(k), "sk": "DAY"} for k in wanted)
        return {k: self._day_from(k, found.get((day_pk(k), "DAY"))) for k in wanted}

    def load_day(self, key: DayKey) -> ClientDay:
        item = self.table.get_item(Key={"pk": day_pk(key), "sk": "DAY"}, ConsistentRead=True).get("Item")
        return self._day_from(key, item)

    def days_minutes(self, keys: Iterable[DayKey]) -> dict[DayKey, int]:
        """The performed minutes of each client-day that exists (only that attribute is read)."""
        found = self._batch_get(({"pk": day_pk(k), "sk": "DAY"} for k in keys), projection="pk, sk, minutes")
        return {_key_of_pk(pk): int(item.get("minutes", 0)) for (pk, _), item in found.items()}

    def save_day(self, day: ClientDay, events: list[Event], now: datetime) -> bool:
        """Writes the client-day if nobody wrote it since it was read (its version), with the write's
        events in its outbox; False when someone did (re-read it and apply the change again). The
        items pointing at it (``index_day``) are written first."""
        version = day.version + 1
        pk = day_pk(day.key)
        envelopes = [e.envelope(SOURCE, occurred_at=now, event_id=event_id_for(pk, "DAY", version, e.event_type, n))
                     for n, e in enumerate(events)]
        item = day_item(day, version, [e.model_dump_json() for e in envelopes])
        if day.version == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {"ConditionExpression": "#v = :v", "ExpressionAttributeNames": {"#v": "version"},
                         "ExpressionAttributeValues": {":v": day.version}}
        try:
            self._client.put_item(TableName=self.table.name, Item=item, **condition)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        day.version, day.listed = version, item["listed"]
        return True

    def save_days(self, writes: list[tuple[ClientDay, list[Event]]], now: datetime) -> list[bool]:
        """``save_day`` of independent client-days, several at a time."""
        return _in_parallel(lambda w: self.save_day(w[0], w[1], now), writes)

    def index_days(self, changes: Iterable[tuple[ClientDay, ClientDay]],
                   waiting: Iterable[tuple[str, str, tuple[int, int]]] = ()) -> None:
        """Writes what points at each client-day that is about to change (stored → new): its new
        visits and rejected events by id, and the day in its month's list; and the months marked
        as waiting for a decision (a mark too many only costs a comparison)."""
        items: list[dict[str, Any]] = [self._waiting_item(*m) for m in waiting]
        for stored, new in changes:
            pk = day_pk(new.key)
            provider, client, day = new.key
            if stored.version == 0:
                items.append({"pk": f"DAYREF#{new.ref}", "sk": "DAY", "day": pk})
            items += [{"pk": f"REJECTED#{provider}", "sk": eid, "day": pk} for eid in new.rejected
                      if eid not in stored.rejected]
            if new.visits and not stored.listed:
                items.append({"pk": f"MONTH#{provider}#{_month(day)}", "sk": f"{client}#{day.isoformat()}", "day": pk})
        if items:
            self._batch_put(items)

    def point_visit(self, visit_id: str, key: DayKey) -> None:
        """A visit moved to another day: its pointer follows."""
        self.table.put_item(Item={"pk": f"VISIT#{visit_id}", "sk": "VISIT", "day": day_pk(key)})

    # -- visits ---------------------------------------------------------------------------------
    def get_visit(self, visit_id: str) -> Visit:
        moved, ref = ("VISIT#" + visit_id, "VISIT"), ("DAYREF#" + visit_id.split("-")[0], "DAY")
        found = self._batch_get([{"pk": moved[0], "sk": moved[1]}, {"pk": ref[0], "sk": ref[1]}])
        pointer = found.get(moved) or found.get(ref)
        if pointer is not None:
            visit = self.load_day(_key_of_pk(pointer["day"])).visits.get(visit_id)
            if visit is not None:
                return visit
        raise NotFound("no such visit")

    def visits_page(self, provider: str, year: int, month: int, client: str | None = None, *, limit: int,
                    cursor: dict[str, Any] | None = None) -> tuple[list[Visit], dict[str, Any] | None]:
        """A page of the provider's month (optionally one client's): at most ``limit`` visits in client,
        day and time order, and where the next page starts (None: this was the last)."""
        prefix = f"{client}#" if client else ""
        start, skip = (str(cursor["day"]), int(cursor.get("skip", 0))) if cursor else (prefix, 0)
        out: list[Visit] = []
        values = {":pk": f"MONTH#{provider}#{year:04d}-{month:02d}"}
        condition = "pk = :pk"
        if start and client:
            condition, values[":from"], values[":to"] = condition + " AND sk BETWEEN :from AND :to", start, prefix + "~"
        elif start:
            condition, values[":from"] = condition + " AND sk >= :from", start
        query: dict[str, Any] = {"KeyConditionExpression": condition, "ExpressionAttributeValues": values,
                                 "Limit": max(limit, 1)}
        while True:
            page = self.table.query(**query)
            pointers = page.get("Items", [])
            days = self.load_days(_key_of_pk(p["day"]) for p in pointers)
            for p in pointers:
                visits = sorted(days[_key_of_pk(p["day"])].visits.values(), key=lambda v: (v.started_at, v.visit_id))
                if p["sk"] == start:
                    visits = visits[skip:]
                    taken = skip
                else:
                    taken = 0
                for v in visits:
                    if len(out) == limit:
                        return out, {"day": p["sk"], "skip": taken}
                    out.append(v)
                    taken += 1
            if "LastEvaluatedKey" not in page:
                return out, None
            if len(out) == limit:
                return out, {"day": page["LastEvaluatedKey"]["sk"] + "#", "skip": 0}
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def visits_of_month(self, provider: str, year: int, month: int, client: str | None = None) -> list[Visit]:
        visits, cursor = self.visits_page(provider, year, month, client, limit=1000)
        while cursor is not None:
            more, cursor = self.visits_page(provider, year, month, client, limit=1000, cursor=cursor)
            visits += more
        return visits

    # -- rejected events ------------------------------------------------------------------------
    def rejected_page(self, provider: str, *, limit: int, cursor: dict[str, Any] | None = None
                      ) -> tuple[list[RejectedEvent], dict[str, Any] | None]:
        """A page of the provider's rejected events, in event id order."""
        query: dict[str, Any] = {"KeyConditionExpression": "pk = :pk",
                                 "ExpressionAttributeValues": {":pk": f"REJECTED#{provider}"}, "Limit": limit}
        if cursor:
            query["ExclusiveStartKey"] = {"pk": f"REJECTED#{provider}", "sk": str(cursor["after"])}
        page = self.table.query(**query)
        pointers = page.get("Items", [])
        days = self.load_days(_key_of_pk(p["day"]) for p in pointers if p.get("day"))
        found = []
        for p in pointers:
            r = self._rejected_of(p, days)
            if r is not None:
                found.append(r)
        last = page.get("LastEvaluatedKey")
        return found, ({"after": last["sk"]} if last else None)

    @staticmethod
    def _rejected_of(pointer: dict, days: dict[DayKey, ClientDay]) -> RejectedEvent | None:
        if pointer.get("rejected"):
            return RejectedEvent.model_validate(json.loads(pointer["rejected"]))
        if pointer.get("day"):
            return days[_key_of_pk(pointer["day"])].rejected.get(pointer["sk"])
        return None

    def get_rejected(self, provider: str, event_id: str) -> tuple[RejectedEvent, DayKey | None]:
        """A rejected event and its client-day (None: an unprocessable one, held apart)."""
        pointer = self.table.get_item(Key={"pk": f"REJECTED#{provider}", "sk": event_id},
                                      ConsistentRead=True).get("Item")
        if pointer is not None:
            key = _key_of_pk(pointer["day"]) if pointer.get("day") else None
            found = self._rejected_of(pointer, self.load_days([key]) if key else {})
            if found is not None:
                return found, key
        raise NotFound("no such rejected event")

    def add_unprocessable(self, r: RejectedEvent) -> bool:
        """Records an event the processor could not handle, unless recorded before (a redelivery)."""
        try:
            self.table.put_item(Item=self._unprocessable_item(r), ConditionExpression="attribute_not_exists(pk)")
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def replace_unprocessable(self, old: RejectedEvent, new: RejectedEvent) -> None:
        with translated_errors("the rejected event changed meanwhile; reload it"):
            self.table.put_item(Item=self._unprocessable_item(new), ConditionExpression="#s = :s",
                                ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": old.status})

    @staticmethod
    def _unprocessable_item(r: RejectedEvent) -> dict[str, Any]:
        return {"pk": f"REJECTED#{r.event.provider_id}", "sk": str(r.event.event_id), "day": "",
                "status": r.status, "rejected": r.model_dump_json()}

    # -- devices (NFC tags, digital locks) ------------------------------------------------------
    def get_device(self, device_id: str) -> Device | None:
        item = self.table.get_item(Key={"pk": f"DEVICE#{device_id}", "sk": "DEVICE"}, ConsistentRead=True).get("Item")
        return Device.model_validate(from_dynamo(item)) if item else None

    def devices_of(self, provider: str) -> list[Device]:
        items = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": f"DEVICES#{provider}"})
        return [Device.model_validate(i) for i in items]

    @staticmethod
    def _device_item(d: Device) -> dict[str, Any]:
        return {"pk": f"DEVICE#{d.device_id}", "sk": "DEVICE", "type": "device", **d.model_dump(mode="json"),
                "gsi1pk": f"DEVICES#{d.provider_id}", "gsi1sk": d.device_id}

    def put_device(self, d: Device) -> None:
        """Registers a device as it is (demo data, tests)."""
        self.table.put_item(Item=to_dynamo(self._device_item(d)))

    def bind_device(self, bound: Device) -> None:
        """Binds a tag never bound before (a tag belongs to one client and is never reused)."""
        with translated_errors("the tag changed meanwhile"):
            self.table.put_item(Item=to_dynamo(self._device_item(bound)), ConditionExpression="#s = :ordered",
                                ExpressionAttributeNames={"#s": "status"},
                                ExpressionAttributeValues={":ordered": "ordered"})

    @staticmethod
    def _tag_count_key(provider: str) -> dict[str, str]:
        return {"pk": f"PROVIDER#{provider}", "sk": "TAGCOUNT"}

    def active_tags(self, provider: str) -> tuple[int, bool]:
        """How many tags and locks the provider holds (not retired), and whether the counter exists."""
        item = self.table.get_item(Key=self._tag_count_key(provider), ConsistentRead=True).get("Item")
        if item is not None:
            return int(item["active"]), True
        return sum(1 for d in self.devices_of(provider) if d.status != "retired"), False

    def order_devices(self, provider: str, devices: list[Device], seen: tuple[int, bool]) -> None:
        """New devices and the provider's counter of active ones, in one transaction: the counter
        as it was read (``seen``) keeps two concurrent orders from passing the limit together."""
        active, counted = seen
        uow = UnitOfWork(self.table, SOURCE)
        counter = self._tag_count_key(provider)
        if counted:
            uow.update(counter, "SET active = active + :n", condition="active = :seen",
                       values={":n": len(devices), ":seen": active})
        else:
            uow.put({**counter, "type": "tag_count", "active": active + len(devices)},
                    condition="attribute_not_exists(pk)")
        for device in devices:
            uow.put(self._device_item(device), condition="attribute_not_exists(pk)")
        uow.commit("tags were ordered meanwhile; try again")

    def retire_device(self, old: Device, retired: Device) -> None:
        active, counted = self.active_tags(old.provider_id)
        uow = UnitOfWork(self.table, SOURCE)
        uow.put(self._device_item(retired), condition="#s = :s", names={"#s": "status"}, values={":s": old.status})
        if counted and active > 0:
            uow.update(self._tag_count_key(old.provider_id), "SET active = active - :one",
                       condition="active = :seen", values={":one": 1, ":seen": active})
        uow.commit("the tag changed meanwhile; try again")

    # -- the staff registry -----------------------------------------------------------------------
    def is_staff(self, provider: str, user_id: str) -> bool:
        return "Item" in self.table.get_item(Key={"pk": f"PROVIDER#{provider}", "sk": f"STAFF#{user_id}"},
                                             ConsistentRead=True)

    def add_staff(self, provider: str, user_id: str) -> None:
        self.table.put_item(Item={"pk": f"PROVIDER#{provider}", "sk": f"STAFF#{user_id}", "type": "staff",
                                  "user_id": user_id})

    def remove_staff(self, provider: str, user_id: str) -> bool:
        old = self.table.delete_item(Key={"pk": f"PROVIDER#{provider}", "sk": f"STAFF#{user_id}"},
                                     ReturnValues="ALL_OLD")
        return "Attributes" in old

    def staff_of(self, provider: str) -> list[str]:
        items = query_partition(self.table, f"PROVIDER#{provider}", "STAFF#")
        return sorted(i["user_id"] for i in items)

    # -- what a batch of events needs, read at once -------------------------------------------------
    def lookups(self, devices: Iterable[str], staff: Iterable[tuple[str, str]], clients: Iterable[str],
                days: Iterable[DayKey] = ()) -> tuple[dict[str, Device], set[tuple[str, str]],
                                                      dict[str, list[dict[str, Any]]], dict[DayKey, ClientDay]]:
        """The devices, which (provider, user) are registered staff, each client's decisions and the
        client-days — all in the same batched reads."""
        devices, staff, clients, days = list(devices), list(staff), list(clients), list(dict.fromkeys(days))
        keys = ([{"pk": f"DEVICE#{d}", "sk": "DEVICE"} for d in devices]
                + [{"pk": f"PROVIDER#{p}", "sk": f"STAFF#{u}"} for p, u in staff]
                + [{"pk": f"GRANTED#{c}", "sk": "DECISIONS"} for c in clients]
                + [{"pk": day_pk(k), "sk": "DAY"} for k in days])
        found = self._batch_get(keys)
        got_days = {k: self._day_from(k, found.get((day_pk(k), "DAY"))) for k in days}
        got_devices = {d: Device.model_validate(from_dynamo(found[(f"DEVICE#{d}", "DEVICE")])) for d in devices
                       if (f"DEVICE#{d}", "DEVICE") in found}
        got_staff = {(p, u) for p, u in staff if (f"PROVIDER#{p}", f"STAFF#{u}") in found}
        decisions = {c: self._decisions(found.get((f"GRANTED#{c}", "DECISIONS"))) for c in clients}
        return got_devices, got_staff, decisions, got_days

    # -- absences ---------------------------------------------------------------------------------
    def add_absence(self, a: Absence, event: Event, now: datetime) -> None:
        """The absence, with its AbsenceRegistered in the item's outbox."""
        pk, sk = f"PROVIDER#{a.provider_id}", f"ABSENCE#{a.client}#{a.starts_on}#{a.absence_id}"
        envelope = event.envelope(SOURCE, occurred_at=now, event_id=event_id_for(pk, sk, 1, event.event_type))
        with translated_errors("the absence exists already"):
            self.table.put_item(Item=to_dynamo({"pk": pk, "sk": sk, "type": "absence", **a.model_dump(mode="json"),
                                                "outbox": [envelope.model_dump_json()]}),
                                ConditionExpression="attribute_not_exists(pk)")

    def absences_of(self, provider: str, client: str | None = None) -> list[Absence]:
        items = query_partition(self.table, f"PROVIDER#{provider}", f"ABSENCE#{client}#" if client else "ABSENCE#")
        return [Absence.model_validate(i) for i in items]

    # -- granted time (from DecisionPublished) ----------------------------------------------------
    def put_granted(self, decision: dict[str, Any]) -> None:
        """One attribute per decision: a redelivered decision sets the same value again."""
        with translated_errors():
            self.table.update_item(Key={"pk": f"GRANTED#{decision['client']}", "sk": "DECISIONS"},
                                   UpdateExpression="SET #d = :d",
                                   ExpressionAttributeNames={"#d": f"d_{decision['decision_id']}"},
                                   ExpressionAttributeValues={":d": json.dumps(decision, default=str)})

    @staticmethod
    def _decisions(item: dict | None) -> list[dict[str, Any]]:
        return sorted((json.loads(v) for k, v in (item or {}).items() if k.startswith("d_")),
                      key=lambda d: (str(d.get("valid_from")), str(d.get("decision_id"))))

    def decisions_of(self, client: str) -> list[dict[str, Any]]:
        """The client's published decisions, as the events carried them."""
        item = self.table.get_item(Key={"pk": f"GRANTED#{client}", "sk": "DECISIONS"}, ConsistentRead=True).get("Item")
        return self._decisions(item)

    @staticmethod
    def _waiting_item(client: str, provider: str, month: tuple[int, int]) -> dict[str, Any]:
        return {"pk": f"GRANTED#{client}", "sk": f"WAITING#{provider}#{month[0]:04d}-{month[1]:02d}",
                "entity": "waiting", "provider_id": provider, "year": month[0], "month": month[1]}

    def waiting_months(self, client: str) -> list[tuple[str, int, int]]:
        """The (provider, year, month) with visits of the client that wait for a decision."""
        items = query_partition(self.table, f"GRANTED#{client}", "WAITING#")
        return [(i["provider_id"], int(i["year"]), int(i["month"])) for i in items]

    def put_waiting(self, marks: Iterable[tuple[str, str, tuple[int, int]]]) -> None:
        """Marks (client, provider, month)s whose visits wait for a decision."""
        self._batch_put(self._waiting_item(*m) for m in marks)

    def stop_waiting(self, client: str, provider: str, year: int, month: int) -> None:
        item = self._waiting_item(client, provider, (year, month))
        self.table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})


def day_item(day: ClientDay, version: int, outbox: list[str]) -> dict[str, Any]:
    """A client-day as stored: its content compressed (a busy day's events and visits repeat the same
    names over and over: compressed, a write costs a few write units, not dozens)."""
    body = {"events": {k: e.model_dump(mode="json") for k, e in day.events.items()},
            "visits": {k: v.model_dump(mode="json") for k, v in day.visits.items()},
            "rejected": {k: r.model_dump(mode="json") for k, r in day.rejected.items()}}
    return {"pk": day_pk(day.key), "sk": "DAY", "entity": "client_day", "ref": day.ref, "version": version,
            "minutes": day.minutes,
            "listed": day.listed or bool(day.visits),
            "body": zlib.compress(json.dumps(body, separators=(",", ":"), default=str).encode()),
            "outbox": packed_outbox(outbox)}


def day_items(day: ClientDay) -> list[dict[str, Any]]:
    """A client-day and what points at it, as written the first time (seeding a table in bulk)."""
    provider, client, on = day.key
    pk = day_pk(day.key)
    pointers = [{"pk": f"DAYREF#{day.ref}", "sk": "DAY", "day": pk}]
    if day.visits:
        pointers.append({"pk": f"MONTH#{provider}#{_month(on)}", "sk": f"{client}#{on.isoformat()}", "day": pk})
    return [day_item(day, 1, []), *pointers]
