"""Who a person is: the population register (behind a port) and the profile they keep with us.

Locally the register is a fixture file of fictional people (``POPULATION_REGISTER_FILE``); in
production an adapter for Skatteverket's register goes behind the same port. A person with
protected identity (sekretessmarkering) never has an address shown, prefilled, logged or sent.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from ..adapters.dynamo import from_dynamo, to_dynamo
from ..domain.personnummer import Personnummer


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


class PopulationRegister(Protocol):
    def lookup(self, personnummer: str) -> RegisteredPerson | None: ...


class FixtureRegister:
    def __init__(self, path: Path) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self._people = {p["personnummer"]: RegisteredPerson.model_validate(p) for p in data["population_register"]}

    def lookup(self, personnummer: str) -> RegisteredPerson | None:
        return self._people.get(str(personnummer))


class NoRegister:
    """No register configured: nothing is prefilled, the person types it in."""

    def lookup(self, personnummer: str) -> RegisteredPerson | None:
        return None


@cache
def configured_register() -> PopulationRegister:
    path = os.environ.get("POPULATION_REGISTER_FILE")
    return FixtureRegister(Path(path)) if path else NoRegister()


class Profile(BaseModel):
    """Contact details the person chose; kept for next time."""

    email: str | None = None
    mobile: str | None = None
    notify_email: bool = False
    notify_sms: bool = False
    updated_at: datetime | None = None


class ProfileRepository:
    """A person's profile: one item beside their drafts, written whole (the last choice wins)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def key(personnummer: str) -> dict[str, str]:
        return {"pk": f"PERSON#{personnummer}", "sk": "PROFILE"}

    def get(self, personnummer: str) -> Profile:
        item = self.table.get_item(Key=self.key(personnummer)).get("Item")
        return Profile.model_validate(from_dynamo(item)) if item else Profile()

    def item(self, personnummer: str, profile: Profile) -> dict[str, Any]:
        return {**self.key(personnummer), "type": "profile", **profile.model_dump(mode="json")}

    def save(self, uow: Any, personnummer: str, profile: Profile) -> None:
        """Stages the profile in ``uow``."""
        uow.put(self.item(personnummer, profile))

    def put(self, personnummer: str, profile: Profile) -> None:
        self.table.put_item(Item=to_dynamo(self.item(personnummer, profile)))


class ContactItems:
    """The stored contact details (profiles and case work's messaging settings) as raw items,
    for the one-off repair: read every one, and write one back only if it is unchanged."""

    KINDS = ("PROFILE", "MESSAGING")

    def __init__(self, table: Any) -> None:
        self.table = table

    def all(self) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"FilterExpression": "sk IN (:p, :m)",
                                  "ExpressionAttributeValues": {":p": self.KINDS[0], ":m": self.KINDS[1]}}
        items: list[dict[str, Any]] = []
        while True:
            page = self.table.scan(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return [from_dynamo(i) for i in items]
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def replace_if_unchanged(self, uow: Any, old: dict[str, Any], new: dict[str, Any],
                             watched: tuple[str, ...]) -> None:
        """Stages ``new`` on the condition that the ``watched`` attributes of ``old`` still hold."""
        names = {f"#{k}": k for k in watched if old.get(k) is not None}
        condition = " AND ".join(f"#{k} = :{k}" for k in names.values()) or "attribute_exists(pk)"
        uow.put(new, condition=condition, names=names or None,
                values={f":{k}": old[k] for k in names.values()} or None)


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
