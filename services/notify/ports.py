"""What notify's use cases depend on: one repository per aggregate (contact preferences,
suppressed addresses, deliveries), the e-mail and SMS senders, a clock and the queue to put a
request back on. ``NotifyDeps`` is typed with them; ``bootstrap.deps()`` wires the real adapters
(``adapters/``) and the unit tier the fakes in ``tests/support/fakes/notify.py``."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Literal, Protocol

from ..clock import utc_now
from .config import NotifyConfig

if TYPE_CHECKING:
    from ..contracts.events import Event, Recipient
    from .domain.delivery import Claim, Delivery
    from .domain.preferences import ContactPreferences


class PreferencesRepository(Protocol):
    """Notify's copy of each recipient's contact preferences, by preferences name (``profile``,
    ``alerts``)."""

    def find(self, recipient: Recipient, preferences: str) -> ContactPreferences | None: ...

    def keep(self, recipient: Recipient, preferences: str, prefs: ContactPreferences) -> bool:
        """Keeps the newest by ``changed_at``; False for an older change arriving late."""
        ...

    def providers(self) -> list[Recipient]:
        """Every provider with contact preferences (the lock-date reminder's recipients)."""
        ...


class SuppressionList(Protocol):
    """Addresses not to send to again (a hard bounce, a complaint, refused by the provider)."""

    def is_suppressed(self, channel: str, address: str) -> bool: ...

    def suppress(self, channel: str, address: str, reason: str, at: datetime) -> None: ...


class DeliveryRepository(Protocol):
    """The delivery of one notification on one channel (``domain/delivery.py``). Writes that
    finish a delivery store its event with it, atomically."""

    def get(self, notification_id: str, channel: str) -> Delivery | None: ...

    def claim(self, notification_id: str, channel: str, *, now: datetime, lease_until: datetime,
              template: str, recipient: Recipient) -> Claim:
        """Takes the send: a new delivery, a pending one whose lease ran out, or a held SMS that
        is due; otherwise says what it found."""
        ...

    def release(self, notification_id: str, channel: str, lease_until: datetime) -> None:
        """A transient failure: the next delivery of the message may claim it at once."""
        ...

    def finish(self, notification_id: str, channel: str, lease_until: datetime, *,
               status: Literal["sent", "failed", "skipped"], at: datetime, event: Event | None,
               provider_message_id: str | None = None, reason: str | None = None) -> bool:
        """Records the outcome with its event; False if the lease was lost meanwhile."""
        ...

    def hold(self, notification_id: str, channel: str, *, not_before: datetime, now: datetime,
             template: str, recipient: Recipient, request: str) -> bool:
        """Parks an SMS until ``not_before``; False if it went (or failed) already."""
        ...

    def due_held(self, now: datetime) -> list[Delivery]: ...

    def by_provider_message(self, provider_message_id: str) -> Delivery | None: ...

    def mark_failed_after_sent(self, notification_id: str, channel: str, *, reason: str, at: datetime,
                               event: Event) -> bool:
        """A sent e-mail bounced or was reported as spam; False unless it was ``sent``."""
        ...


class SendFailure(Exception):
    pass


class PermanentSendFailure(SendFailure):
    """This address will not work: record it, suppress it, do not retry."""

    def __init__(self, reason: str) -> None:  # "invalid_address" | "rejected"
        super().__init__(reason)
        self.reason = reason


class TransientSendFailure(SendFailure):
    """Try again later, with backoff."""


class EmailSender(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str:
        """The provider's message id; raises ``PermanentSendFailure`` or ``TransientSendFailure``."""
        ...


class SmsSender(Protocol):
    def send(self, to: str, body: str) -> str:
        """The provider's message id; raises ``PermanentSendFailure`` or ``TransientSendFailure``."""
        ...


@dataclass
class NotifyDeps:
    preferences: PreferencesRepository
    suppressions: SuppressionList
    deliveries: DeliveryRepository
    email: EmailSender
    sms: SmsSender
    config: NotifyConfig
    clock: Callable[[], datetime] = utc_now
    requeue: Callable[[str], None] = field(default=lambda body: None)  # puts an envelope back on the queue
