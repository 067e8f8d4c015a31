"""Notify's copy of a recipient's contact preferences (the newest ``contact_preferences.changed``
wins), and how a suppressed address is recognised without keeping it."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ContactPreferences:
    email: str | None = None
    phone: str | None = None
    email_on: bool = False
    sms_on: bool = False
    changed_at: datetime | None = None

    def address(self, channel: str) -> str | None:
        return self.email if channel == "email" else self.phone

    def wants(self, channel: str) -> bool:
        return self.email_on if channel == "email" else self.sms_on


def address_hash(address: str) -> str:
    """A suppressed address is kept as this hash only: the same address however it is cased or
    padded, and a new address the person gives is not suppressed."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()
