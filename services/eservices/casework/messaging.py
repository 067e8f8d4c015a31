"""The messaging function (Lifecare Meddelande) per citizen: switched on by a case worker, with
alerts by SMS (to phone 1 or 2) and/or e-mail. Without it a citizen cannot be messaged, and
decisions reach Mina sidor without an alert. Alerts name nothing: notify sends only a hint."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from ...adapters.dynamo import from_dynamo, query_all
from ...domain.errors import Conflict, NotFound
from ...domain.personnummer import Personnummer
from ..bootstrap import EservicesDeps
from ..notifications import alerts_changed
from ..sv import citizen_error
from .identity import PROTECTED_NAME, checked_name, is_protected
from .inbox import trail
from .schemas import MessagingCitizen, MessagingSettingsRequest, MessagingSettingsView

ENABLED_INDEX_PK = "MESSAGING_ON"


class MessagingSettings(BaseModel):
    citizen: Personnummer
    first_name: str
    last_name: str
    enabled: bool
    phone1: str | None = None
    phone2: str | None = None
    sms_alert: bool = False
    sms_phone: int | None = None
    email_alert: bool = False
    email: str | None = None
    changed_by: str
    changed_at: datetime
    version: int = 1

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def settings_key(citizen: str) -> dict[str, str]:
    return {"pk": f"PERSON#{citizen}", "sk": "MESSAGING"}


def settings_item(s: MessagingSettings) -> dict[str, Any]:
    item = {**settings_key(s.citizen), "type": "messaging_settings", **s.model_dump(mode="json")}
    if s.enabled:  # the "To client" search lists only citizens with messaging on
        item.update(gsi2pk=ENABLED_INDEX_PK, gsi2sk=f"{s.last_name.lower()} {s.first_name.lower()}#{s.citizen}",
                    search_name=f"{s.first_name} {s.last_name}".lower())
    return item


class MessagingRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, citizen: str) -> MessagingSettings | None:
        item = self.table.get_item(Key=settings_key(citizen), ConsistentRead=True).get("Item")
        return MessagingSettings.model_validate(from_dynamo(item)) if item else None

    def enabled_named(self, name: str) -> list[MessagingSettings]:
        kwargs: dict[str, Any] = {"IndexName": "gsi2", "KeyConditionExpression": "gsi2pk = :pk",
                                  "ExpressionAttributeValues": {":pk": ENABLED_INDEX_PK}}
        if name:
            kwargs["FilterExpression"] = "contains(search_name, :name)"
            kwargs["ExpressionAttributeValues"][":name"] = name.lower()
        return [MessagingSettings.model_validate(i) for i in query_all(self.table, **kwargs)]


def repository(deps: EservicesDeps) -> MessagingRepository:
    return MessagingRepository(deps.table)


def enabled_or_raise(deps: EservicesDeps, citizen: str, *, for_citizen: bool = False) -> MessagingSettings:
    found = repository(deps).get(citizen)
    if found is None or not found.enabled:
        if for_citizen:
            raise citizen_error(Conflict, "Meddelandefunktionen är inte påslagen för dig. En handläggare slår på "
                                          "den först.")
        raise Conflict("messaging is not switched on for this citizen; a case worker switches it on first")
    return found


def _view(s: MessagingSettings) -> MessagingSettingsView:
    return MessagingSettingsView(citizen=str(s.citizen), name=s.name, enabled=s.enabled, phone1=s.phone1,
                                 phone2=s.phone2, sms_alert=s.sms_alert, sms_phone=s.sms_phone,
                                 email_alert=s.email_alert, email=s.email, changed_by=s.changed_by,
                                 changed_at=s.changed_at)


def set_settings(deps: EservicesDeps, call: Any, body: MessagingSettingsRequest) -> MessagingSettingsView:
    """Switch messaging on or off for a citizen and choose the alerts; audited in the same write."""
    first, last = checked_name(deps.register, body.citizen, body.first_name, body.last_name)
    before = repository(deps).get(body.citizen)
    new = MessagingSettings(**{**body.model_dump(), "first_name": first, "last_name": last},
                            changed_by=call.who.actor, changed_at=deps.clock(),
                            version=before.version + 1 if before else 1)
    uow = deps.unit_of_work()
    if before is None:
        uow.put(settings_item(new), condition="attribute_not_exists(pk)")
    else:
        uow.put(settings_item(new), condition="#v = :v", names={"#v": "version"},
                values={":v": before.version})
    trail(deps).add_to(uow, call.who, "messaging.change", [body.citizen], resource="messaging")
    alerts_changed(uow, new)  # notify's copy of where alerts go
    uow.commit("the settings were changed by someone else; reload them")
    return _view(new)


def get_settings(deps: EservicesDeps, call: Any, citizen: str) -> MessagingSettingsView:
    found = repository(deps).get(citizen)
    if found is None:
        raise NotFound("messaging has never been set up for this citizen")
    trail(deps).read(call.who, "messaging.read", [citizen], resource="messaging")
    return _view(found)


def search_citizens(deps: EservicesDeps, call: Any, name: str) -> list[MessagingCitizen]:
    """Citizens with messaging on, by name; the personnummer is always shown after the name. A
    person with protected identity is never found by name (that would tie the name to the
    personnummer for every case worker) and is listed as "Skyddad identitet"."""
    found = sorted(repository(deps).enabled_named(name),
                   key=lambda s: (s.last_name.lower(), s.first_name.lower()))
    protected = {str(s.citizen) for s in found if is_protected(deps.register, s.citizen)}
    if name:
        found = [s for s in found if str(s.citizen) not in protected]
    found = found[:50]
    trail(deps).read(call.who, "messaging.read", [s.citizen for s in found], resource="messaging:search")
    return [MessagingCitizen(citizen=str(s.citizen), name=PROTECTED_NAME if str(s.citizen) in protected else s.name)
            for s in found]
