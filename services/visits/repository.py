"""The visits table: events, visits, devices, staff, rejected events, absences, granted time.
One repository; each aggregate has its own key space."""
from __future__ import annotations

from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from ..adapters.dynamo import from_dynamo, query_all, to_dynamo, translated_errors
from ..domain.calendar import stockholm_date
from ..domain.errors import NotFound
from .model import Absence, Device, RejectedEvent, StoredEvent, Visit


def day_of(event_or_visit_time: Any) -> date:
    return stockholm_date(event_or_visit_time)


# Events and visits live in client-day partitions: the processor reads and rewrites a client-day
# at a time. An event's key is its day and id, so storing it is its idempotency record (a resend
# has the same device time, hence the same day).

def event_item(e: StoredEvent) -> dict[str, Any]:
    return {"pk": f"DAY#{e.provider_id}#{e.client}#{day_of(e.device_time).isoformat()}", "sk": f"EVENT#{e.event_id}",
            "type": "visit_event", **e.model_dump(mode="json")}


def visit_key(v: Visit) -> dict[str, str]:
    return {"pk": f"DAYV#{v.provider_id}#{v.client}#{day_of(v.started_at).isoformat()}", "sk": f"VISIT#{v.visit_id}"}


def visit_item(v: Visit) -> dict[str, Any]:
    day = day_of(v.started_at)
    return {**visit_key(v), "type": "visit", **v.model_dump(mode="json"), "minutes": v.minutes,
            "gsi1pk": f"VISIT#{v.visit_id}", "gsi1sk": "VISIT",
            "gsi2pk": f"MONTH#{v.provider_id}#{day.year:04d}-{day.month:02d}",
            "gsi2sk": f"{v.client}#{v.started_at.isoformat()}#{v.visit_id}"}


def _rejected_day_key(provider: str, client: str, day: date) -> str:
    return f"REJDAY#{provider}#{client}#{day.isoformat()}"


class VisitsRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    # -- events ---------------------------------------------------------------------------
    def add_event(self, event: StoredEvent) -> bool:
        """Stores an event once; False if its id was stored before (a resend)."""
        try:
            self.table.put_item(Item=to_dynamo(event_item(event)), ConditionExpression="attribute_not_exists(pk)")
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def events_of_day(self, provider: str, client: str, day: date) -> list[StoredEvent]:
        items = query_all(self.table, ConsistentRead=True, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": f"DAY#{provider}#{client}#{day.isoformat()}"})
        return [StoredEvent.model_validate(i) for i in items]

    # -- visits ---------------------------------------------------------------------------
    def get_visit(self, visit_id: str) -> Visit:
        found = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": f"VISIT#{visit_id}"})
        if not found:
            raise NotFound("no such visit")
        # The index may lag a write; the item itself is read consistently.
        item = self.table.get_item(Key={"pk": found[0]["pk"], "sk": found[0]["sk"]}, ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound("no such visit")
        return Visit.model_validate(from_dynamo(item))

    def visits_of_day(self, provider: str, client: str, day: date) -> list[Visit]:
        items = query_all(self.table, ConsistentRead=True, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": f"DAYV#{provider}#{client}#{day.isoformat()}"})
        return [Visit.model_validate(i) for i in items]

    def visits_of_month(self, provider: str, year: int, month: int, client: str | None = None) -> list[Visit]:
        kwargs: dict[str, Any] = {"IndexName": "gsi2",
                                  "ExpressionAttributeValues": {":pk": f"MONTH#{provider}#{year:04d}-{month:02d}"}}
        if client:
            kwargs["KeyConditionExpression"] = "gsi2pk = :pk AND begins_with(gsi2sk, :c)"
            kwargs["ExpressionAttributeValues"][":c"] = f"{client}#"
        else:
            kwargs["KeyConditionExpression"] = "gsi2pk = :pk"
        return [Visit.model_validate(i) for i in query_all(self.table, **kwargs)]

    # -- devices and staff ----------------------------------------------------------------
    def get_device(self, device_id: str) -> Device | None:
        item = self.table.get_item(Key={"pk": f"DEVICE#{device_id}", "sk": "DEVICE"}, ConsistentRead=True).get("Item")
        return Device.model_validate(from_dynamo(item)) if item else None

    def devices_of(self, provider: str) -> list[Device]:
        items = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": f"DEVICES#{provider}"})
        return [Device.model_validate(i) for i in items]

    def device_item(self, d: Device) -> dict[str, Any]:
        return to_dynamo({"pk": f"DEVICE#{d.device_id}", "sk": "DEVICE", "type": "device", **d.model_dump(mode="json"),
                          "gsi1pk": f"DEVICES#{d.provider_id}", "gsi1sk": d.device_id})

    def put_device(self, d: Device, *, condition: str | None = None, values: dict | None = None) -> None:
        kwargs: dict[str, Any] = {"Item": self.device_item(d)}
        if condition:
            kwargs["ConditionExpression"] = condition
        if values:
            kwargs["ExpressionAttributeNames"] = {"#s": "status"}
            kwargs["ExpressionAttributeValues"] = values
        with translated_errors("the tag changed meanwhile"):
            self.table.put_item(**kwargs)

    def is_staff(self, provider: str, user_id: str) -> bool:
        return "Item" in self.table.get_item(Key={"pk": f"PROVIDER#{provider}", "sk": f"STAFF#{user_id}"})

    def add_staff(self, provider: str, user_id: str) -> None:
        self.table.put_item(Item={"pk": f"PROVIDER#{provider}", "sk": f"STAFF#{user_id}", "type": "staff",
                                  "user_id": user_id})

    # -- rejected events ------------------------------------------------------------------
    def reject(self, provider: str, rejected: RejectedEvent, origin: str) -> None:
        item = {"pk": f"PROVIDER#{provider}", "sk": f"REJECTED#{rejected.event.event_id}",
                "type": "rejected_event", "origin": origin, **rejected.model_dump(mode="json")}
        if origin == "composition":
            item["gsi1pk"] = _rejected_day_key(provider, str(rejected.event.client), day_of(rejected.event.device_time))
            item["gsi1sk"] = str(rejected.event.event_id)
        self.table.put_item(Item=to_dynamo(item))

    def composition_rejections(self, provider: str, client: str, day: date) -> set[str]:
        items = query_all(self.table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                          ExpressionAttributeValues={":pk": _rejected_day_key(provider, client, day)})
        return {i["gsi1sk"] for i in items if i.get("status") == "open"}

    def unreject(self, provider: str, event_id: str) -> None:
        """Withdraws a composition rejection that a rebuild no longer makes (events reordered)."""
        try:
            self.table.delete_item(Key={"pk": f"PROVIDER#{provider}", "sk": f"REJECTED#{event_id}"},
                                   ConditionExpression="origin = :c AND #s = :open",
                                   ExpressionAttributeNames={"#s": "status"},
                                   ExpressionAttributeValues={":c": "composition", ":open": "open"})
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def rejected_of(self, provider: str) -> list[RejectedEvent]:
        items = query_all(self.table, KeyConditionExpression="pk = :pk AND begins_with(sk, :r)",
                          ExpressionAttributeValues={":pk": f"PROVIDER#{provider}", ":r": "REJECTED#"})
        return [RejectedEvent.model_validate(i) for i in items]

    def get_rejected(self, provider: str, event_id: str) -> RejectedEvent:
        item = self.table.get_item(Key={"pk": f"PROVIDER#{provider}", "sk": f"REJECTED#{event_id}"},
                                   ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound("no such rejected event")
        return RejectedEvent.model_validate(from_dynamo(item))

    # -- absences and granted time --------------------------------------------------------
    def absence_item(self, a: Absence) -> dict[str, Any]:
        return to_dynamo({"pk": f"PROVIDER#{a.provider_id}", "sk": f"ABSENCE#{a.client}#{a.starts_on}#{a.absence_id}",
                          "type": "absence", **a.model_dump(mode="json")})

    def absences_of(self, provider: str, client: str | None = None) -> list[Absence]:
        prefix = f"ABSENCE#{client}#" if client else "ABSENCE#"
        items = query_all(self.table, KeyConditionExpression="pk = :pk AND begins_with(sk, :a)",
                          ExpressionAttributeValues={":pk": f"PROVIDER#{provider}", ":a": prefix})
        return [Absence.model_validate(i) for i in items]

    def put_granted(self, decision: dict[str, Any]) -> None:
        self.table.put_item(Item=to_dynamo({"pk": f"GRANTED#{decision['client']}",
                                            "sk": f"{decision['valid_from']}#{decision['decision_id']}",
                                            "type": "granted_time", **decision}))

    def granted_minutes(self, client: str, year: int, month: int) -> int | None:
        """Granted home-care minutes for the month, from the decisions in force on its first day."""
        first = date(year, month, 1).isoformat()
        items = query_all(self.table, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": f"GRANTED#{client}"})
        minutes = [i.get("granted_minutes_per_month") or 0 for i in items
                   if i.get("outcome") == "granted" and i.get("insats") == "hemtjanst"
                   and i["valid_from"] <= first and (not i.get("valid_to") or i["valid_to"] >= first)]
        return sum(minutes) if minutes else None
