"""Who a person is: what the population register says (behind the ``PopulationRegister`` port;
its adapters are in ``adapters/register.py``) and the profile they keep with us.

A person with protected identity (sekretessmarkering) never has an address shown, prefilled,
logged or sent.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from ...domain.personnummer import Personnummer


class Address(BaseModel):
    street: str
    postal_code: str
    city: str


class RegisteredPerson(BaseModel):
    personnummer: Personnummer
    first_name: str
    last_name: str
    address: Address | None = None
    municipality: str | None = None
    protected_identity: bool = False

    def shareable_address(self) -> Address | None:
        return None if self.protected_identity else self.address


class Profile(BaseModel):
    """Contact details the person chose; kept for next time."""

    email: str | None = None
    mobile: str | None = None
    notify_email: bool = False
    notify_sms: bool = False
    updated_at: datetime | None = None


def prefill_values(person: RegisteredPerson | None, profile: Profile, personnummer: str) -> dict[str, Any]:
    """Values by the forms' ``prefill`` keys."""
    values: dict[str, Any] = {"personnummer": str(personnummer)}
    if person is not None:
        values.update(first_name=person.first_name, last_name=person.last_name)
        address = person.shareable_address()
        if address is not None:
            values.update(street=address.street, postal_code=address.postal_code, city=address.city)
    for key in ("email", "mobile"):
        if getattr(profile, key):
            values[key] = getattr(profile, key)
    values.update(notify_email=profile.notify_email, notify_sms=profile.notify_sms)
    return values
