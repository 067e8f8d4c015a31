"""Notify's table: its copy of recipients' contact preferences, suppressed addresses, and one
delivery record per notification and channel. Every key, expression and DynamoDB error of
notify is here; the use cases see ``ContactPreferences`` and ``Delivery``.

Items (``insats-notify``):
- ``PREFS#<kind>#<ref>`` / ``profile`` or ``alerts``: email, phone, email_on, sms_on, changed_at
  (the newest ``contact_preferences.changed`` wins); providers also carry ``gsi1pk = PROVIDERS``.
- ``SUPPRESSED#<channel>#<sha256 of the address>``: a hard bounce, a complaint or an address the
  provider refused. Keyed by a hash: when the person changes the address, the new one is not
  suppressed; the old one stays suppressed.
- ``DELIVERY#<notification id>`` / ``email`` or ``sms``: the state machine
  ``pending`` (claimed, with a lease) → ``sent`` | ``failed`` | ``skipped``; an SMS in quiet hours is
  ``held`` (``gsi2pk = HELD``, ``gsi2sk = <not before>``) until the flush puts it back on the queue.
  A sent one carries ``gsi1pk = MSG#<provider message id>`` for SES feedback. No address is kept.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ...adapters.dynamo import UnitOfWork, from_dynamo, query_partition, translated_errors
from ...contracts.events import Event, Recipient
from ...domain.errors import Conflict
from ..domain.delivery import Claim, Delivery
from ..domain.preferences import ContactPreferences, address_hash

RETENTION_DAYS = 90


def notify_table() -> Any:
    """The ``insats-notify`` table, its client built on first use."""
    from ...adapters.aws import table

    return table("notify")


def _conditional(write: Any) -> bool:
    """Runs a conditional write: False when its condition did not hold."""
    try:
        with translated_errors():
            write()
    except Conflict:
        return False
    return True


def _time(raw: Any) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


class DynamoPreferences:
    def __init__(self, table: Any) -> None:
        self.table = table

    def find(self, recipient: Recipient, preferences: str) -> ContactPreferences | None:
        with translated_errors():
            item = self.table.get_item(Key={"pk": f"PREFS#{recipient.key}", "sk": preferences},
                                       ConsistentRead=True).get("Item")
        if not item:
            return None
        item = from_dynamo(item)
        return ContactPreferences(email=item.get("email"), phone=item.get("phone"),
                                  email_on=bool(item.get("email_on")), sms_on=bool(item.get("sms_on")),
                                  changed_at=datetime.fromisoformat(item["changed_at"]))

    def keep(self, recipient: Recipient, preferences: str, prefs: ContactPreferences) -> bool:
        """Keeps the newest; returns False for an older change arriving late."""
        item: dict[str, Any] = {"pk": f"PREFS#{recipient.key}", "sk": preferences, "email": prefs.email,
                                "phone": prefs.phone, "email_on": prefs.email_on, "sms_on": prefs.sms_on,
                                "changed_at": prefs.changed_at.isoformat() if prefs.changed_at else ""}
        if recipient.kind == "provider":
            item.update(gsi1pk="PROVIDERS", gsi1sk=recipient.ref)
        return _conditional(lambda: self.table.put_item(
            Item=item, ConditionExpression="attribute_not_exists(pk) OR #at <= :at",
            ExpressionAttributeNames={"#at": "changed_at"}, ExpressionAttributeValues={":at": item["changed_at"]}))

    def providers(self) -> list[Recipient]:
        with translated_errors():
            items = query_partition(self.table, "PROVIDERS", index="gsi1")
        return [Recipient(kind="provider", ref=i["gsi1sk"]) for i in items]


class DynamoSuppressions:
    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def _key(channel: str, address: str) -> dict[str, str]:
        return {"pk": f"SUPPRESSED#{channel}#{address_hash(address)}", "sk": "SUPPRESSED"}

    def is_suppressed(self, channel: str, address: str) -> bool:
        with translated_errors():
            return "Item" in self.table.get_item(Key=self._key(channel, address), ConsistentRead=True)

    def suppress(self, channel: str, address: str, reason: str, at: datetime) -> None:
        with translated_errors():
            self.table.put_item(Item={**self._key(channel, address), "reason": reason, "at": at.isoformat()})


def _delivery(item: dict[str, Any]) -> Delivery:
    kind, ref = item["recipient"].split("#", 1)
    return Delivery(
        notification_id=item["pk"].removeprefix("DELIVERY#"), channel=item["sk"], status=item["status"],
        template=item["template"], recipient=Recipient(kind=kind, ref=ref), attempts=int(item.get("attempts", 0)),
        lease_until=_time(item.get("lease_until")), not_before=_time(item.get("not_before")),
        request=item.get("request"), provider_message_id=item.get("provider_message_id"),
        reason=item.get("reason"), finished_at=_time(item.get("finished_at")))


class DynamoDeliveries:
    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def _key(notification_id: str, channel: str) -> dict[str, str]:
        return {"pk": f"DELIVERY#{notification_id}", "sk": channel}

    def get(self, notification_id: str, channel: str) -> Delivery | None:
        with translated_errors():
            item = self.table.get_item(Key=self._key(notification_id, channel), ConsistentRead=True).get("Item")
        return _delivery(from_dynamo(item)) if item else None

    def claim(self, notification_id: str, channel: str, *, now: datetime, lease_until: datetime,
              template: str, recipient: Recipient) -> Claim:
        """Takes the send: a new record, a pending one whose lease ran out (its worker crashed
        between claim and send), or a held SMS that is due."""
        claimed = _conditional(lambda: self.table.update_item(
            Key=self._key(notification_id, channel),
            UpdateExpression="SET #s = :pending, #lease = :lease, #t = :t, #r = :r, "
                             "#ttl = if_not_exists(#ttl, :ttl) ADD #n :one REMOVE gsi2pk, gsi2sk",
            ConditionExpression="attribute_not_exists(pk) OR (#s = :pending AND #lease < :now) "
                                "OR (#s = :held AND #nb <= :now)",
            ExpressionAttributeNames={"#s": "status", "#ttl": "ttl", "#lease": "lease_until", "#t": "template",
                                      "#r": "recipient", "#n": "attempts", "#nb": "not_before"},
            ExpressionAttributeValues={":pending": "pending", ":held": "held", ":lease": lease_until.isoformat(),
                                       ":now": now.isoformat(), ":t": template, ":r": recipient.key, ":one": 1,
                                       ":ttl": int(now.timestamp()) + RETENTION_DAYS * 86400}))
        if claimed:
            return "claimed"
        current = self.get(notification_id, channel)
        status = current.status if current else None
        if status == "pending":
            return "in_flight"
        if status == "held":
            return "held"
        return "done"

    def release(self, notification_id: str, channel: str, lease_until: datetime) -> None:
        """A transient failure: let the next delivery of the message claim it at once."""
        _conditional(lambda: self.table.update_item(
            Key=self._key(notification_id, channel), UpdateExpression="SET #lease = :zero",
            ConditionExpression="#s = :pending AND #lease = :lease",
            ExpressionAttributeNames={"#s": "status", "#lease": "lease_until"},
            ExpressionAttributeValues={":zero": "", ":pending": "pending", ":lease": lease_until.isoformat()}))

    def finish(self, notification_id: str, channel: str, lease_until: datetime, *,
               status: Literal["sent", "failed", "skipped"], at: datetime, event: Event | None,
               provider_message_id: str | None = None, reason: str | None = None) -> bool:
        """Records the outcome and emits its event in one transaction (the outbox relays it if
        publishing fails). False if the lease was lost to another worker meanwhile."""
        names = {"#s": "status", "#lease": "lease_until", "#fin": "finished_at"}
        values: dict[str, Any] = {":s": status, ":at": at.isoformat(), ":pending": "pending",
                                  ":lease": lease_until.isoformat()}
        expression = "SET #s = :s, #fin = :at"
        if provider_message_id:
            expression += ", #m = :m, gsi1pk = :g1, gsi1sk = :g1s"
            names["#m"] = "provider_message_id"
            values.update({":m": provider_message_id, ":g1": f"MSG#{provider_message_id}", ":g1s": channel})
        if reason:
            expression += ", #reason = :r"
            names["#reason"] = "reason"
            values[":r"] = reason
        uow = UnitOfWork(self.table, "notify")
        uow.update(self._key(notification_id, channel), expression, names=names, values=values,
                   condition="#s = :pending AND #lease = :lease")
        if event is not None:
            uow.emit(event)
        try:
            uow.commit()
        except Conflict:
            return False
        return True

    def hold(self, notification_id: str, channel: str, *, not_before: datetime, now: datetime,
             template: str, recipient: Recipient, request: str) -> bool:
        """Parks an SMS until ``not_before``; nothing if it went (or failed) already."""
        return _conditional(lambda: self.table.update_item(
            Key=self._key(notification_id, channel),
            UpdateExpression="SET #s = :held, #nb = :nb, #t = :t, #r = :r, #req = :req, "
                             "gsi2pk = :h, gsi2sk = :g2, #ttl = if_not_exists(#ttl, :ttl)",
            ConditionExpression="attribute_not_exists(pk) OR #s = :held",
            ExpressionAttributeNames={"#s": "status", "#ttl": "ttl", "#nb": "not_before", "#t": "template",
                                      "#r": "recipient", "#req": "request"},
            ExpressionAttributeValues={":held": "held", ":nb": not_before.isoformat(), ":t": template,
                                       ":r": recipient.key, ":req": request, ":h": "HELD",
                                       ":g2": f"{not_before.isoformat()}#{notification_id}",
                                       ":ttl": int(now.timestamp()) + RETENTION_DAYS * 86400}))

    def due_held(self, now: datetime) -> list[Delivery]:
        with translated_errors():
            items = query_partition(self.table, "HELD", index="gsi2")
        return [_delivery(i) for i in items if i.get("not_before", "") <= now.isoformat()]

    def by_provider_message(self, provider_message_id: str) -> Delivery | None:
        with translated_errors():
            items = query_partition(self.table, f"MSG#{provider_message_id}", index="gsi1")
        return _delivery(items[0]) if items else None

    def mark_failed_after_sent(self, notification_id: str, channel: str, *, reason: str, at: datetime,
                               event: Event) -> bool:
        """SES feedback: a sent e-mail bounced or was reported as spam."""
        uow = UnitOfWork(self.table, "notify")
        uow.update(self._key(notification_id, channel), "SET #s = :failed, #reason = :r, #fin = :at",
                   names={"#s": "status", "#reason": "reason", "#fin": "finished_at"},
                   values={":failed": "failed", ":r": reason, ":at": at.isoformat(), ":sent": "sent"},
                   condition="#s = :sent")
        uow.emit(event)
        try:
            uow.commit()
        except Conflict:
            return False
        return True
