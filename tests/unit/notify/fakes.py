"""In-memory fakes of notify's ports: the store (same state machine as DynamoNotifyStore) and
a clock that tests move."""
from __future__ import annotations

from datetime import datetime, timezone

from services.notify.store import Prefs, address_hash


class FakeNotifyStore:
    def __init__(self):
        self.prefs, self.suppressed, self.deliveries, self.events = {}, {}, {}, []

    def get_preferences(self, recipient, preferences):
        return self.prefs.get((recipient.key, preferences))

    def put_preferences(self, recipient, preferences, prefs):
        old = self.prefs.get((recipient.key, preferences))
        if old and old.changed_at and prefs.changed_at and old.changed_at > prefs.changed_at:
            return False
        self.prefs[(recipient.key, preferences)] = prefs
        return True

    def providers(self):
        from services.contracts.events import Recipient

        return [Recipient(kind="provider", ref=k.split("#", 1)[1]) for k, _ in self.prefs if k.startswith("provider#")]

    def is_suppressed(self, channel, address):
        return (channel, address_hash(address)) in self.suppressed

    def suppress(self, channel, address, reason, at):
        self.suppressed[(channel, address_hash(address))] = reason

    def get_delivery(self, nid, channel):
        return self.deliveries.get((nid, channel))

    def claim(self, nid, channel, *, now, lease_until, template, recipient):
        d = self.deliveries.get((nid, channel))
        if d is None or (d["status"] == "pending" and d["lease_until"] < now) or (
                d["status"] == "held" and d["not_before"] <= now):
            attempts = (d or {}).get("attempts", 0) + 1
            self.deliveries[(nid, channel)] = {"status": "pending", "lease_until": lease_until, "template": template,
                                               "recipient": recipient.key, "attempts": attempts}
            return "claimed"
        return {"pending": "in_flight", "held": "held"}.get(d["status"], "done")

    def release(self, nid, channel, lease_until):
        d = self.deliveries[(nid, channel)]
        if d["status"] == "pending" and d["lease_until"] == lease_until:
            d["lease_until"] = datetime.min.replace(tzinfo=timezone.utc)

    def finish(self, nid, channel, lease_until, *, status, at, event, provider_message_id=None, reason=None):
        d = self.deliveries[(nid, channel)]
        if d["status"] != "pending" or d["lease_until"] != lease_until:
            return False
        d.update(status=status, finished_at=at, provider_message_id=provider_message_id, reason=reason)
        if event is not None:
            self.events.append(event)
        return True

    def hold(self, nid, channel, *, not_before, now, template, recipient, request):
        d = self.deliveries.get((nid, channel))
        if d is not None and d["status"] != "held":
            return False
        self.deliveries[(nid, channel)] = {"status": "held", "not_before": not_before, "template": template,
                                           "recipient": recipient.key, "request": request}
        return True

    def due_held(self, now):
        return [d for d in self.deliveries.values() if d["status"] == "held" and d["not_before"] <= now]

    def by_provider_message(self, message_id):
        for (nid, channel), d in self.deliveries.items():
            if d.get("provider_message_id") == message_id:
                return {**d, "pk": f"DELIVERY#{nid}", "sk": channel}
        return None

    def mark_failed_after_sent(self, nid, channel, *, reason, at, event):
        d = self.deliveries[(nid, channel)]
        if d["status"] != "sent":
            return False
        d.update(status="failed", reason=reason)
        self.events.append(event)
        return True


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self):
        return self.now


__all__ = ["FakeNotifyStore", "Clock", "Prefs"]
