"""The visits table (single-table design; only visits reads it).

Key spaces:

- ``DAY#<provider>#<client>#<day>`` — one client-day (Europe/Stockholm date): its events
  (``EVENT#<id>``), the visits that began that day (``VISIT#<id>``) and its rejected events
  (``REJECTED#<id>``). The processor reads a client-day with one query and rewrites it in one
  transaction. An event's item is its idempotency record: a resend has the same key.
  Visits: ``gsi1`` = ``VISIT#<id>`` (by id), ``gsi2`` = ``MONTH#<provider>#<yyyy-mm>`` /
  ``<client>#<start>#<id>`` (a provider's month, optionally one client's).
  Rejected events: ``gsi1`` = ``REJECTED#<provider>`` / ``<event id>`` (the provider's list, and by id).
- ``DEVICE#<id>`` — an NFC tag or a digital lock; ``gsi1`` = ``DEVICES#<provider>``.
- ``PROVIDER#<provider>`` — ``STAFF#<user>`` (the staff registry), ``TAGCOUNT`` (active tags),
  ``ABSENCE#<client>#<start>#<id>``.
- ``GRANTED#<client>`` — the granted-time projection of published decisions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..adapters.dynamo import StoreUnavailable, from_dynamo, query_all, query_partition, to_dynamo, translated_errors
from ..domain.calendar import stockholm_date
from ..domain.errors import NotFound
from .model import Absence, Device, RejectedEvent, StoredEvent, Visit, VisitEvent

DayKey = tuple[str, str, date]  # provider, client, Stockholm date
# The store failing: worth a redelivery, never an event's fault.
STORE_ERRORS = (ClientError, BotoCoreError, StoreUnavailable)


def day_of(instant: datetime) -> date:
    return stockholm_date(instant)


def day_pk(provider: str, client: str, day: date) -> str:
    return f"DAY#{provider}#{client}#{day.isoformat()}"


def day_key_of(e: VisitEvent) -> DayKey:
    return (e.provider_id, str(e.client), day_of(e.device_time))


def event_key(e: VisitEvent) -> dict[str, str]:
    return {"pk": day_pk(*day_key_of(e)), "sk": f"EVENT#{e.event_id}"}


def event_item(e: StoredEvent) -> dict[str, Any]:
    return {**event_key(e), "entity": "visit_event", **e.model_dump(mode="json")}


def visit_key(v: Visit) -> dict[str, str]:
    return {"pk": day_pk(v.provider_id, str(v.client), day_of(v.started_at)), "sk": f"VISIT#{v.visit_id}"}


def visit_item(v: Visit) -> dict[str, Any]:
    day = day_of(v.started_at)
    return {**visit_key(v), "entity": "visit", **v.model_dump(mode="json"), "minutes": v.minutes,
            "gsi1pk": f"VISIT#{v.visit_id}", "gsi1sk": "VISIT",
            "gsi2pk": f"MONTH#{v.provider_id}#{day.year:04d}-{day.month:02d}",
            "gsi2sk": f"{v.client}#{v.started_at.isoformat()}#{v.visit_id}"}


def rejected_key(e: VisitEvent) -> dict[str, str]:
    return {"pk": day_pk(*day_key_of(e)), "sk": f"REJECTED#{e.event_id}"}


def unprocessable_key(e: VisitEvent) -> dict[str, str]:
    """An event the processor could not handle may have no client-day (a time Python cannot convert)."""
    return {"pk": f"PROVIDER#{e.provider_id}", "sk": f"REJECTED#{e.event_id}"}


def rejected_item(r: RejectedEvent) -> dict[str, Any]:
    key = unprocessable_key(r.event) if r.origin == "unprocessable" else rejected_key(r.event)
    return {**key, "entity": "rejected_event", **r.model_dump(mode="json"),
            "gsi1pk": f"REJECTED#{r.event.provider_id}", "gsi1sk": str(r.event.event_id)}


def waiting_item(client: str, provider: str, month: tuple[int, int]) -> dict[str, Any]:
    """A provider's month with visits of the client that wait for a decision: when one is
    published, these months are compared again."""
    return {"pk": f"GRANTED#{client}", "sk": f"WAITING#{provider}#{month[0]:04d}-{month[1]:02d}", "entity": "waiting",
            "provider_id": provider, "year": month[0], "month": month[1]}


@dataclass
class DayState:
    """What a client-day holds, as read (consistently) at the start of a rebuild."""

    key: DayKey
    events: dict[str, StoredEvent] = field(default_factory=dict)
    visits: dict[str, Visit] = field(default_factory=dict)
    rejected: dict[str, RejectedEvent] = field(default_factory=dict)


class VisitsRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    # -- client-days ------------------------------------------------------------------------
    def load_day(self, key: DayKey) -> DayState:
        state = DayState(key)
        items = query_all(self.table, ConsistentRead=True, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": day_pk(*key)})
        for item in items:
            kind = item.get("entity")  # an event's own "type" is arrival, departure …
            if kind == "visit_event":
                e = StoredEvent.model_validate(item)
                state.events[str(e.event_id)] = e
            elif kind == "visit":
                v = Visit.model_validate(item)
                state.visits[v.visit_id] = v
            elif kind == "rejected_event":
                r = RejectedEvent.model_validate(item)
                state.rejected[str(r.event.event_id)] = r
        return state

    def add_rejected_once(self, r: RejectedEvent) -> bool:
        """Records a rejected event unless its id was recorded before (a redelivery); False then."""
        try:
            self.table.put_item(Item=to_dynamo(rejected_item(r)), ConditionExpression="attribute_not_exists(pk)")
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def add_event(self, event: StoredEvent) -> bool:
        """Stores an event once; False if its id was stored before (a resend)."""
        try:
            self.table.put_item(Item=to_dynamo(event_item(event)), ConditionExpression="attribute_not_exists(pk)")
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    # -- visits -----------------------------------------------------------------------------
    def get_visit(self, visit_id: str) -> Visit:
        found = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": f"VISIT#{visit_id}"})
        for hit in found:
            # The index may lag a write; the item itself is read consistently.
            item = self.table.get_item(Key={"pk": hit["pk"], "sk": hit["sk"]}, ConsistentRead=True).get("Item")
            if item is not None:
                return Visit.model_validate(from_dynamo(item))
        raise NotFound("no such visit")

    def visits_of_month(self, provider: str, year: int, month: int, client: str | None = None) -> list[Visit]:
        items = query_partition(self.table, f"MONTH#{provider}#{year:04d}-{month:02d}",
                                f"{client}#" if client else None, index="gsi2")
        return [Visit.model_validate(i) for i in items]

    # -- rejected events --------------------------------------------------------------------
    def rejected_of(self, provider: str) -> list[RejectedEvent]:
        items = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": f"REJECTED#{provider}"})
        return [RejectedEvent.model_validate(i) for i in items]

    def get_rejected(self, provider: str, event_id: str) -> RejectedEvent:
        found = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk AND gsi1sk = :id",
                          ExpressionAttributeValues={":pk": f"REJECTED#{provider}", ":id": event_id})
        for hit in found:
            item = self.table.get_item(Key={"pk": hit["pk"], "sk": hit["sk"]}, ConsistentRead=True).get("Item")
            if item is not None:
                return RejectedEvent.model_validate(from_dynamo(item))
        raise NotFound("no such rejected event")

    # -- devices (NFC tags, digital locks) --------------------------------------------------
    def get_device(self, device_id: str) -> Device | None:
        item = self.table.get_item(Key={"pk": f"DEVICE#{device_id}", "sk": "DEVICE"}, ConsistentRead=True).get("Item")
        return Device.model_validate(from_dynamo(item)) if item else None

    def devices_of(self, provider: str) -> list[Device]:
        items = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": f"DEVICES#{provider}"})
        return [Device.model_validate(i) for i in items]

    @staticmethod
    def device_item(d: Device) -> dict[str, Any]:
        return {"pk": f"DEVICE#{d.device_id}", "sk": "DEVICE", "type": "device", **d.model_dump(mode="json"),
                "gsi1pk": f"DEVICES#{d.provider_id}", "gsi1sk": d.device_id}

    def put_device(self, d: Device, *, condition: str | None = None, values: dict | None = None) -> None:
        """Registers a device as it is (demo data, tests); use cases go through a unit of work."""
        kwargs: dict[str, Any] = {"Item": to_dynamo(self.device_item(d))}
        if condition:
            kwargs["ConditionExpression"] = condition
        if values:
            kwargs["ExpressionAttributeNames"] = {"#s": "status"}
            kwargs["ExpressionAttributeValues"] = to_dynamo(values)
        with translated_errors("the tag changed meanwhile"):
            self.table.put_item(**kwargs)

    @staticmethod
    def tag_count_key(provider: str) -> dict[str, str]:
        return {"pk": f"PROVIDER#{provider}", "sk": "TAGCOUNT"}

    def active_tags(self, provider: str) -> tuple[int, bool]:
        """How many tags and locks the provider holds (not retired), and whether the counter exists."""
        item = self.table.get_item(Key=self.tag_count_key(provider), ConsistentRead=True).get("Item")
        if item is not None:
            return int(item["active"]), True
        return sum(1 for d in self.devices_of(provider) if d.status != "retired"), False

    # -- the staff registry -----------------------------------------------------------------
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

    # -- absences ---------------------------------------------------------------------------
    @staticmethod
    def absence_item(a: Absence) -> dict[str, Any]:
        return {"pk": f"PROVIDER#{a.provider_id}", "sk": f"ABSENCE#{a.client}#{a.starts_on}#{a.absence_id}",
                "type": "absence", **a.model_dump(mode="json")}

    def absences_of(self, provider: str, client: str | None = None) -> list[Absence]:
        items = query_partition(self.table, f"PROVIDER#{provider}", f"ABSENCE#{client}#" if client else "ABSENCE#")
        return [Absence.model_validate(i) for i in items]

    # -- granted time (from DecisionPublished) ----------------------------------------------
    def put_granted(self, decision: dict[str, Any]) -> None:
        self.table.put_item(Item=to_dynamo({"pk": f"GRANTED#{decision['client']}",
                                            "sk": f"{decision['valid_from']}#{decision['decision_id']}",
                                            "type": "granted_time", **decision}))

    def home_care_decisions(self, client: str) -> list[dict[str, Any]]:
        """The client's granted home-care (``hemtjanst``) decisions. A refusal revokes nothing: it is left out."""
        items = query_all(self.table, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": f"GRANTED#{client}"})
        return [i for i in items if i.get("insats") == "hemtjanst" and i.get("outcome") == "granted"]

    def waiting_months(self, client: str) -> list[tuple[str, int, int]]:
        """The (provider, year, month) with visits of the client that wait for a decision."""
        items = query_partition(self.table, f"GRANTED#{client}", "WAITING#")
        return [(i["provider_id"], int(i["year"]), int(i["month"])) for i in items]

    def put_waiting(self, client: str, provider: str, month: tuple[int, int]) -> None:
        self.table.put_item(Item=to_dynamo(waiting_item(client, provider, month)))

    def stop_waiting(self, client: str, provider: str, year: int, month: int) -> None:
        self.table.delete_item(Key={k: v for k, v in waiting_item(client, provider, (year, month)).items()
                                    if k in ("pk", "sk")})

    def granted_minutes(self, client: str, year: int, month: int,
                        decisions: list[dict[str, Any]] | None = None) -> int | None:
        """Granted home-care minutes for the month: the latest decided home-care decision in force
        on some day of the month (a new decision replaces the former). None when no decision
        grants home care (then nothing is compared)."""
        first = date(year, month, 1)
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
        items = self.home_care_decisions(client) if decisions is None else decisions
        in_force = [i for i in items if i["valid_from"] <= last.isoformat()
                    and (not i.get("valid_to") or i["valid_to"] >= first.isoformat())]
        if not in_force:
            return None
        latest = max(in_force, key=lambda i: (i.get("decided_at", ""), i["sk"]))
        return int(latest.get("granted_minutes_per_month") or 0)
