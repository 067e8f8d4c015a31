"""Client-days in the visits table (``DAY#…``), what points at them (``DAYREF#``, ``VISIT#``,
``MONTH#``, ``REJECTED#``) and the unprocessable rejected events held under ``REJECTED#``. The key
spaces are described in ``adapters/__init__.py``."""
from __future__ import annotations

import json
import uuid
import zlib
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable

from botocore.exceptions import ClientError

from ...adapters.dynamo import query_partition, translated_errors
from ...adapters.outbox import event_id_for, packed_outbox
from ...domain.errors import NotFound
from ..domain.days import ClientDay, DayKey
from ..domain.model import RejectedEvent, StoredEvent, Visit
from ..domain.summaries import ClientMonthSummary, day_counts, delta, month_key
from .batches import SOURCE, batch_get, batch_put, in_parallel
from .grants import waiting_item

if TYPE_CHECKING:
    from ...contracts.events import Event
    from ..ports import WaitingMark


def day_pk(key: DayKey) -> str:
    return f"DAY#{key.provider}#{key.client}#{key.day.isoformat()}"


def key_of_pk(pk: str) -> DayKey:
    _, provider, client, day = pk.split("#")
    return DayKey(provider, client, date.fromisoformat(day))


def day_key(key: DayKey) -> dict[str, str]:
    return {"pk": day_pk(key), "sk": "DAY"}


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def day_from(key: DayKey, item: dict | None) -> ClientDay:
    """The client-day an item holds; None: never written (named now, if this writer is the first)."""
    if item is None:
        return ClientDay(key, ref=uuid.uuid4().hex[:12])
    raw = item["body"]
    body = json.loads(zlib.decompress(raw.value if hasattr(raw, "value") else raw))
    return ClientDay(key, version=int(item["version"]), listed=bool(item.get("listed")), ref=str(item["ref"]),
                     events={k: StoredEvent.model_validate(v) for k, v in body["events"].items()},
                     visits={k: Visit.model_validate(v) for k, v in body["visits"].items()},
                     rejected={k: RejectedEvent.model_validate(v) for k, v in body["rejected"].items()},
                     counted={k: int(n) for k, n in (item.get("counted") or {}).items()})


def summary_key(key: DayKey) -> dict[str, str]:
    """The month summary a client-day adds to (``MONTHSUM#<provider>#<yyyy-mm>`` / the client)."""
    return {"pk": f"MONTHSUM#{key.provider}#{month_key(key.day)}", "sk": key.client}


def day_item(day: ClientDay, version: int, outbox: list[str], counted: dict[str, int] | None = None
             ) -> dict[str, Any]:
    """A client-day as stored: its content compressed (a busy day's events and visits repeat the same
    names over and over: compressed, a write costs a few write units, not dozens), and what it
    added to its month's summary (``counted``)."""
    body = {"events": {k: e.model_dump(mode="json") for k, e in day.events.items()},
            "visits": {k: v.model_dump(mode="json") for k, v in day.visits.items()},
            "rejected": {k: r.model_dump(mode="json") for k, r in day.rejected.items()}}
    return {"pk": day_pk(day.key), "sk": "DAY", "entity": "client_day", "ref": day.ref, "version": version,
            "minutes": day.minutes,
            "listed": day.listed or bool(day.visits),
            "body": zlib.compress(json.dumps(body, separators=(",", ":"), default=str).encode()),
            "outbox": packed_outbox(outbox),
            "counted": day_counts(day) if counted is None else counted}


def staff_pointer(provider: str, staff: str, client: str, on: date, pk: str) -> dict[str, Any]:
    return {"pk": f"STAFFMONTH#{provider}#{staff}#{_month(on)}", "sk": f"{on.isoformat()}#{client}", "day": pk}


def day_items(day: ClientDay) -> list[dict[str, Any]]:
    """A client-day and what points at it, as written the first time (seeding a table in bulk; its
    month's summary is ``summary_items``' of all the days seeded)."""
    provider, client, on = day.key
    pk = day_pk(day.key)
    pointers = [{"pk": f"DAYREF#{day.ref}", "sk": "DAY", "day": pk}]
    if day.visits:
        pointers.append({"pk": f"MONTH#{provider}#{_month(on)}", "sk": f"{client}#{on.isoformat()}", "day": pk})
    pointers += [staff_pointer(provider, s, client, on, pk) for s in sorted({v.staff_id for v in day.visits.values()})]
    return [day_item(day, 1, []), *pointers]


def summary_items(days: Iterable[ClientDay]) -> list[dict[str, Any]]:
    """The month summaries of client-days seeded in bulk (each written whole: seed every day of a
    client's month together, into a table that holds none of them)."""
    sums: dict[tuple[str, str], dict[str, int]] = {}
    for day in days:
        key = summary_key(day.key)
        total = sums.setdefault((key["pk"], key["sk"]), {})
        for k, n in day_counts(day).items():
            total[k] = total.get(k, 0) + n
    return [{"pk": pk, "sk": sk, **counts} for (pk, sk), counts in sums.items()]


def seed_items(days: Iterable[ClientDay]) -> list[dict[str, Any]]:
    """Client-days, what points at them and their months' summaries, for a bulk seed."""
    days = list(days)
    return [item for day in days for item in day_items(day)] + summary_items(days)


def _summary_of(item: dict[str, Any]) -> ClientMonthSummary:
    """A kept summary as read (a count back to zero is left out)."""
    return ClientMonthSummary(str(item["sk"]), {k: int(v) for k, v in item.items() if k not in ("pk", "sk") and v})


def _lost_to_another_writer(exc: ClientError) -> bool:
    """A write refused because someone wrote the day since it was read (its version), or met
    another writer in a transaction: the writer reads again and applies its change again."""
    code = exc.response["Error"]["Code"]
    if code in ("ConditionalCheckFailedException", "TransactionConflictException"):
        return True
    if code != "TransactionCanceledException":
        return False
    reasons = [str(r.get("Code") or "None") for r in exc.response.get("CancellationReasons") or []]
    return bool(reasons) and all(r in ("None", "ConditionalCheckFailed", "TransactionConflict") for r in reasons) \
        and any(r != "None" for r in reasons)


class DynamoClientDays:
    def __init__(self, table: Any) -> None:
        self.table = table

    # -- client-days --------------------------------------------------------------------------
    def load_days(self, keys: Iterable[DayKey]) -> dict[DayKey, ClientDay]:
        """The client-days, read consistently in batches; one never written is empty (version 0)."""
        wanted = list(dict.fromkeys(keys))
        found = batch_get(self.table, (day_key(k) for k in wanted))
        return {k: day_from(k, found.get((day_pk(k), "DAY"))) for k in wanted}

    def load_day(self, key: DayKey) -> ClientDay:
        item = self.table.get_item(Key=day_key(key), ConsistentRead=True).get("Item")
        return day_from(key, item)

    def days_minutes(self, keys: Iterable[DayKey]) -> dict[DayKey, int]:
        """The performed minutes of each client-day that exists (only that attribute is read)."""
        found = batch_get(self.table, (day_key(k) for k in keys), projection="pk, sk, minutes")
        return {key_of_pk(pk): int(item.get("minutes", 0)) for (pk, _), item in found.items()}

    def save_day(self, day: ClientDay, events: list[Event], now: datetime) -> bool:
        """Writes the client-day if nobody wrote it since it was read (its version), with the write's
        events in its outbox; False when someone did (re-read it and apply the change again). The
        items pointing at it (``index_days``) are written first."""
        version = day.version + 1
        pk = day_pk(day.key)
        envelopes = [e.envelope(SOURCE, occurred_at=now, event_id=event_id_for(pk, "DAY", version, e.event_type, n))
                     for n, e in enumerate(events)]
        counts = day_counts(day)
        item = day_item(day, version, [e.model_dump_json() for e in envelopes], counts)
        if day.version == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {"ConditionExpression": "#v = :v", "ExpressionAttributeNames": {"#v": "version"},
                         "ExpressionAttributeValues": {":v": day.version}}
        change = delta(counts, day.counted)
        client = self.table.meta.client
        try:
            if change:  # the day and its month's summary, together or not at all
                names = {f"#c{n}": k for n, k in enumerate(change)}
                values = {f":c{n}": v for n, v in enumerate(change.values())}
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": self.table.name, "Item": item, **condition}},
                    {"Update": {"TableName": self.table.name, "Key": summary_key(day.key),
                                "UpdateExpression": "ADD " + ", ".join(f"{n} {v}" for n, v in zip(names, values)),
                                "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}}])
            else:
                client.put_item(TableName=self.table.name, Item=item, **condition)
        except ClientError as exc:
            if _lost_to_another_writer(exc):
                return False
            raise
        day.version, day.listed, day.counted = version, item["listed"], counts
        return True

    def save_days(self, writes: list[tuple[ClientDay, list[Event]]], now: datetime) -> list[bool]:
        """``save_day`` of independent client-days, several at a time; the days of one client's month
        one after the other (their transactions change the same month summary: at the same time,
        all but one would be cancelled as conflicting, to be planned again)."""
        groups: dict[tuple[str, str], list[int]] = {}
        for n, (day, _) in enumerate(writes):
            key = summary_key(day.key)
            groups.setdefault((key["pk"], key["sk"]), []).append(n)

        def save_group(indexes: list[int]) -> list[tuple[int, bool]]:
            return [(n, self.save_day(writes[n][0], writes[n][1], now)) for n in indexes]

        done = dict(pair for result in in_parallel(save_group, list(groups.values())) for pair in result)
        return [done[n] for n in range(len(writes))]

    def index_days(self, changes: Iterable[tuple[ClientDay, ClientDay]], waiting: Iterable[WaitingMark] = ()) -> None:
        """Writes what points at each client-day that is about to change (stored → new): its new
        visits and rejected events by id, and the day in its month's list; and the months marked
        as waiting for a decision (a mark too many only costs a comparison), in the same batch."""
        items: list[dict[str, Any]] = [waiting_item(*m) for m in waiting]
        for stored, new in changes:
            pk = day_pk(new.key)
            provider, client, day = new.key
            if stored.version == 0:
                items.append({"pk": f"DAYREF#{new.ref}", "sk": "DAY", "day": pk})
            items += [{"pk": f"REJECTED#{provider}", "sk": eid, "day": pk} for eid in new.rejected
                      if eid not in stored.rejected]
            if new.visits and not stored.listed:
                items.append({"pk": f"MONTH#{provider}#{_month(day)}", "sk": f"{client}#{day.isoformat()}", "day": pk})
            known = {v.staff_id for v in stored.visits.values()}
            items += [staff_pointer(provider, s, client, day, pk)
                      for s in sorted({v.staff_id for v in new.visits.values()} - known)]
        if items:
            batch_put(self.table, items)

    def month_summaries(self, provider: str, year: int, month: int) -> list[ClientMonthSummary]:
        """The kept summaries of the provider's month, one per client, in client order."""
        query: dict[str, Any] = {"KeyConditionExpression": "pk = :pk",
                                 "ExpressionAttributeValues": {":pk": f"MONTHSUM#{provider}#{year:04d}-{month:02d}"}}
        out: list[ClientMonthSummary] = []
        while True:
            page = self.table.query(**query)
            out += [_summary_of(i) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return out
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def point_visit(self, visit_id: str, key: DayKey) -> None:
        """A visit moved to another day: its pointer follows."""
        self.table.put_item(Item={"pk": f"VISIT#{visit_id}", "sk": "VISIT", "day": day_pk(key)})

    # -- visits ---------------------------------------------------------------------------------
    def get_visit(self, visit_id: str) -> Visit:
        moved, ref = ("VISIT#" + visit_id, "VISIT"), ("DAYREF#" + visit_id.split("-")[0], "DAY")
        found = batch_get(self.table, [{"pk": moved[0], "sk": moved[1]}, {"pk": ref[0], "sk": ref[1]}])
        pointer = found.get(moved) or found.get(ref)
        if pointer is not None:
            visit = self.load_day(key_of_pk(pointer["day"])).visits.get(visit_id)
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
            days = self.load_days(key_of_pk(p["day"]) for p in pointers)
            for p in pointers:
                visits = sorted(days[key_of_pk(p["day"])].visits.values(), key=lambda v: (v.started_at, v.visit_id))
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

    def visits_of_staff(self, provider: str, staff: str, year: int, month: int) -> list[Visit]:
        """A staff member's visits of a month: the days their pointer names (one query), read in
        batches, only their visits, in time order. A pointer to a day that no longer holds a visit of
        theirs (an edit moved it) costs one read and adds nothing."""
        items = query_partition(self.table, f"STAFFMONTH#{provider}#{staff}#{year:04d}-{month:02d}")
        days = self.load_days(key_of_pk(i["day"]) for i in items)
        return sorted((v for d in days.values() for v in d.visits.values() if v.staff_id == staff),
                      key=lambda v: (v.started_at, v.visit_id))

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
        days = self.load_days(key_of_pk(p["day"]) for p in pointers if p.get("day"))
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
            return days[key_of_pk(pointer["day"])].rejected.get(pointer["sk"])
        return None

    def get_rejected(self, provider: str, event_id: str) -> tuple[RejectedEvent, DayKey | None]:
        """A rejected event and its client-day (None: an unprocessable one, held apart)."""
        pointer = self.table.get_item(Key={"pk": f"REJECTED#{provider}", "sk": event_id},
                                      ConsistentRead=True).get("Item")
        if pointer is not None:
            key = key_of_pk(pointer["day"]) if pointer.get("day") else None
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
