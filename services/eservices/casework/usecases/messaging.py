"""The messaging function (Lifecare Meddelande) per citizen: switched on by a case worker, with
alerts by SMS (to phone 1 or 2) and/or e-mail. Without it a citizen cannot be messaged, and
decisions reach Mina sidor without an alert. Alerts name nothing: notify sends only a hint."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ....auth.principal import Principal
from ....domain.errors import Conflict
from ....domain.personnummer import Personnummer
from ...usecases.notifications import alerts_changed
from ...domain.citizen_problems import citizen_error
from ..domain.identity import PROTECTED_NAME, checked_name, is_protected
from ..domain.messaging import SEARCH_LIMIT, MessagingSettings
from .audit import trail

if TYPE_CHECKING:
    from ...bootstrap import EservicesDeps
    from ..models.messaging import MessagingCitizen, MessagingSettingsRequest, MessagingSettingsView

def enabled_or_raise(deps: EservicesDeps, citizen: str, *, for_citizen: bool = False) -> MessagingSettings:
    found = deps.casework.messaging.find(citizen)
    if found is None or not found.enabled:
        if for_citizen:
            raise citizen_error(Conflict, "Meddelandefunktionen är inte påslagen för dig. En handläggare slår på "
                                          "den först.")
        raise Conflict("messaging is not switched on for this citizen; a case worker switches it on first")
    return found


def _view(s: MessagingSettings) -> MessagingSettingsView:
    from ..models.messaging import MessagingSettingsView

    return MessagingSettingsView(citizen=str(s.citizen), name=s.name, enabled=s.enabled, phone1=s.phone1,
                                 phone2=s.phone2, sms_alert=s.sms_alert, sms_phone=s.sms_phone,
                                 email_alert=s.email_alert, email=s.email, changed_by=s.changed_by,
                                 changed_at=s.changed_at)


def set_settings(deps: EservicesDeps, who: Principal, body: MessagingSettingsRequest) -> MessagingSettingsView:
    """Switch messaging on or off for a citizen and choose the alerts; audited in the same write."""
    first, last = checked_name(deps.register, body.citizen, body.first_name, body.last_name)
    store = deps.casework.messaging
    before = store.find(body.citizen)
    new = MessagingSettings(**{**body.model_dump(), "first_name": first, "last_name": last},
                            changed_by=who.actor, changed_at=deps.clock())
    uow = deps.unit_of_work()
    if before is None:
        store.add(uow, new)
    else:
        new = store.replace(uow, new, expected_version=before.version)
    trail(deps).add_to(uow, who, "messaging.change", [body.citizen], resource="messaging")
    alerts_changed(uow, new)  # notify's copy of where alerts go
    uow.commit("the settings were changed by someone else; reload them")
    return _view(new)


def get_settings(deps: EservicesDeps, who: Principal, citizen: str) -> MessagingSettingsView:
    found = deps.casework.messaging.get(citizen)
    trail(deps).read(who, "messaging.read", [citizen], resource="messaging")
    return _view(found)


def search_citizens(deps: EservicesDeps, who: Principal, name: str) -> list[MessagingCitizen]:
    """Citizens with messaging on, by name; the personnummer is always shown after the name. A
    person with protected identity is never found by name (that would tie the name to the
    personnummer for every case worker) and is listed as "Skyddad identitet"."""
    from ..models.messaging import MessagingCitizen

    found = sorted(deps.casework.messaging.enabled_named(name, SEARCH_LIMIT),
                   key=lambda s: (s.last_name.lower(), s.first_name.lower()))
    protected = {str(s.citizen) for s in found if is_protected(deps.register, s.citizen)}
    if name:
        found = [s for s in found if str(s.citizen) not in protected]
    found = found[:50]
    trail(deps).read(who, "messaging.read", [s.citizen for s in found], resource="messaging:search")
    return [MessagingCitizen(citizen=str(s.citizen), name=PROTECTED_NAME if str(s.citizen) in protected else s.name)
            for s in found]
