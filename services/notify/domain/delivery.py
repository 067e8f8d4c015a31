"""One delivery per notification and channel, the state machine that makes a send happen once:
``pending`` (claimed, with a lease) → ``sent`` | ``failed`` | ``skipped``; an SMS in quiet hours
is ``held`` until its ``not_before``. No address is kept on it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the event contracts are pydantic models, loaded by the use cases that need them
    from ...contracts.events import Recipient

CHANNELS = ("email", "sms")
Status = Literal["pending", "held", "sent", "failed", "skipped"]
# What claiming a send found: it is ours to send, finished already, another worker's, or parked.
Claim = Literal["claimed", "done", "in_flight", "held"]


@dataclass(frozen=True)
class Delivery:
    notification_id: str
    channel: str
    status: Status
    template: str
    recipient: Recipient
    attempts: int = 0
    lease_until: datetime | None = None  # a pending claim's; None once released
    not_before: datetime | None = None  # a held SMS's end of quiet hours
    request: str | None = None  # a held SMS's request envelope (JSON), put back on the queue when due
    provider_message_id: str | None = None
    reason: str | None = None
    finished_at: datetime | None = None
