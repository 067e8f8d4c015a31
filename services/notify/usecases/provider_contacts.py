"""Providers' contact addresses for notify (the lock-date reminder): functional addresses from
the municipality's register of contracted providers, kept as notify's own preferences.
Numbers go through the one Swedish-mobile rule; a contact that breaks it is refused, not stored.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from ...contracts.events import Recipient
from ...domain.phone import OptionalEmailAddress, OptionalMobilePhone
from ..domain.preferences import ContactPreferences
from ..ports import PreferencesRepository


class ProviderContact(BaseModel):
    model_config = ConfigDict(extra="ignore")
    provider_id: str
    email: OptionalEmailAddress = None
    mobile: OptionalMobilePhone = None


def load(preferences: PreferencesRepository, contacts: list[dict[str, Any]], at: datetime) -> int:
    n = 0
    for raw in contacts:
        c = ProviderContact.model_validate(raw)
        preferences.keep(Recipient(kind="provider", ref=c.provider_id), "profile",
                         ContactPreferences(email=c.email, phone=c.mobile, email_on=bool(c.email),
                                            sms_on=bool(c.mobile), changed_at=at))
        n += 1
    return n
