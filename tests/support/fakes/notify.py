"""In-memory fakes of notify's ports (``services/notify/ports.py``): the same state machines as
the DynamoDB adapters, proven by ``tests/integration/contracts/test_notify_*.py``; and senders
that keep what was sent."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.contracts.events import Recipient
from services.notify.domain.delivery import Claim, Delivery
from services.notify.domain.preferences import ContactPreferences, address_hash
from services.notify.ports import PermanentSendFailure

E164 = re.compile(r"\+[1-9][0-9]{1,14}")


class FakePreferences:
    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], ContactPreferences] = {}

    def find(self, recipient: Recipient, preferences: str) -> ContactPreferences | None:
        return self.kept.get((recipient.key, preferences))

    def keep(self, recipient: Recipient, preferences: str, prefs: ContactPreferences) -> bool:
        old = self.kept.get((recipient.key, preferences))
        if old and old.changed_at and prefs.changed_at and old.changed_at > prefs.changed_at:
            return False
        self.kept[(recipient.key, preferences)] = prefs
        return True

    def providers(self) -> list[Recipient]:
        return [Recipient(kind="provider", ref=key.split("#", 1)[1])
                for key, _ in self.kept if key.startswith("provider#")]


class FakeSuppressions:
    def __init__(self) -> None:
        self.reasons: dict[tuple[str, str], str] = {}

    def is_suppressed(self, channel: str, address: str) -> bool:
        return (channel, address_hash(address)) in self.reasons

    def suppress(self, channel: str, address: str, reason: str, at: datetime) -> None:
        self.reasons[(channel, address_hash(address))] = reason


class FakeDeliveries:
    """``events`` keeps what the writes emitted, in order (the DynamoDB adapter's outbox)."""

    def __init__(self) -> None:
        self.deliveries: dict[tuple[str, str], Delivery] = {}
        self.events: list[Any] = []

    def get(self, notification_id: str, channel: str) -> Delivery | None:
        return self.deliveries.get((notification_id, channel))

    def claim(self, notification_id: str, channel: str, *, now: datetime, lease_until: datetime,
              template: str, recipient: Recipient) -> Claim:
        d = self.get(notification_id, channel)
        lease_ran_out = d is not None and d.status == "pending" and (d.lease_until is None or d.lease_until < now)
        held_and_due = d is not None and d.status == "held" and d.not_before is not None and d.not_before <= now
        if d is None or lease_ran_out or held_and_due:
            base = d or Delivery(notification_id, channel, "pending", template, recipient)
            self.deliveries[(notification_id, channel)] = replace(
                base, status="pending", lease_until=lease_until, template=template, recipient=recipient,
                attempts=base.attempts + 1)
            return "claimed"
        return {"pending": "in_flight", "held": "held"}.get(d.status, "done")  # type: ignore[return-value]

    def release(self, notification_id: str, channel: str, lease_until: datetime) -> None:
        d = self.get(notification_id, channel)
        if d is not None and d.status == "pending" and d.lease_until == lease_until:
            self.deliveries[(notification_id, channel)] = replace(d, lease_until=None)

    def finish(self, notification_id: str, channel: str, lease_until: datetime, *, status: str, at: datetime,
               event: Any, provider_message_id: str | None = None, reason: str | None = None) -> bool:
        d = self.get(notification_id, channel)
        if d is None or d.status != "pending" or d.lease_until != lease_until:
            return False
        self.deliveries[(notification_id, channel)] = replace(
            d, status=status, finished_at=at, provider_message_id=provider_message_id or d.provider_message_id,
            reason=reason or d.reason)
        if event is not None:
            self.events.append(event)
        return True

    def hold(self, notification_id: str, channel: str, *, not_before: datetime, now: datetime, template: str,
             recipient: Recipient, request: str) -> bool:
        d = self.get(notification_id, channel)
        if d is not None and d.status != "held":
            return False
        base = d or Delivery(notification_id, channel, "held", template, recipient)
        self.deliveries[(notification_id, channel)] = replace(
            base, status="held", not_before=not_before, template=template, recipient=recipient, request=request)
        return True

    def due_held(self, now: datetime) -> list[Delivery]:
        return [d for d in self.deliveries.values()
                if d.status == "held" and d.not_before is not None and d.not_before <= now]

    def by_provider_message(self, provider_message_id: str) -> Delivery | None:
        return next((d for d in self.deliveries.values() if d.provider_message_id == provider_message_id), None)

    def mark_failed_after_sent(self, notification_id: str, channel: str, *, reason: str, at: datetime,
                               event: Any) -> bool:
        d = self.get(notification_id, channel)
        if d is None or d.status != "sent":
            return False
        self.deliveries[(notification_id, channel)] = replace(d, status="failed", reason=reason, finished_at=at)
        self.events.append(event)
        return True


class RecordingEmailSender:
    """Keeps what was sent; ``fail_with`` makes the next sends fail. Like SES, an address without
    a domain is refused for good."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str]] = []
        self.fail_with: Exception | None = None

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        if not to.partition("@")[2]:
            raise PermanentSendFailure("invalid_address")
        self.sent.append((to, subject, text, html))
        return f"mail-{len(self.sent)}"


class RecordingSmsSender:
    """Keeps what was sent; ``fail_with`` makes the next sends fail. Like SNS, a number not in
    E.164 is refused for good."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_with: Exception | None = None

    def send(self, to: str, body: str) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        if not E164.fullmatch(to):
            raise PermanentSendFailure("invalid_address")
        self.sent.append((to, body))
        return f"sms-{len(self.sent)}"
