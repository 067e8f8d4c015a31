"""What the e-services tell notify, and what notify tells back.

- ``notify_person`` / ``notify_case_workers``: ask for a notification in the caller's unit of
  work (no address travels: notify resolves it from its copy of the person's preferences when
  it sends).
- ``profile_changed`` / ``alerts_changed``: keep notify's copy of a person's preferences current,
  in the same unit of work as the change.
- ``record_delivery``: the consumer's branch (``consumer.py``) for ``notification.delivered``/
  ``failed`` keeps the newest status per person and channel, shown on Mina sidor's settings.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from ...contracts.events import (ContactPreferencesChanged, Envelope, NotificationDelivered, NotificationFailed,
                                NotificationRequested, Recipient)
from ..domain.deliveries import ChannelStatus, DeliveryStatus, status_label

if TYPE_CHECKING:
    from ..ports import DeliveryStatuses

CASEWORK_MAILBOX = "casework"  # the case workers' functional mailbox (all of them see the inbox)


def notify_person(uow: Any, template: str, person: str, *, preferences: Literal["profile", "alerts"] = "profile",
                  params: dict[str, str] | None = None, contact_as_of: datetime | None = None) -> None:
    uow.emit(NotificationRequested(template=template, recipient=Recipient(kind="person", ref=str(person)),
                                   preferences=preferences, params=params or {}, contact_as_of=contact_as_of))


def notify_case_workers(uow: Any, template: str) -> None:
    uow.emit(NotificationRequested(template=template, recipient=Recipient(kind="mailbox", ref=CASEWORK_MAILBOX),
                                   channels=["email"]))


def profile_changed(uow: Any, person: str, profile: Any, at: datetime) -> datetime:
    """The person's own choices (Mina sidor, or the last submitted form). Returns ``at``."""
    uow.emit(ContactPreferencesChanged(recipient=Recipient(kind="person", ref=str(person)), preferences="profile",
                                       email=profile.email, phone=profile.mobile, email_on=profile.notify_email,
                                       sms_on=profile.notify_sms, changed_at=at))
    return at


def alerts_changed(uow: Any, settings: Any) -> None:
    """The alerts a case worker set with messaging: nothing while messaging is off."""
    on = settings.enabled
    phone = (settings.phone1 if settings.sms_phone == 1 else settings.phone2) if settings.sms_alert else None
    uow.emit(ContactPreferencesChanged(recipient=Recipient(kind="person", ref=str(settings.citizen)),
                                       preferences="alerts", email=settings.email if settings.email_alert else None,
                                       phone=phone, email_on=on and settings.email_alert,
                                       sms_on=on and settings.sms_alert and phone is not None,
                                       changed_at=settings.changed_at))


def delivery_status(statuses: DeliveryStatuses, person: str) -> DeliveryStatus:
    status = statuses.get(person)
    for channel in ("email", "sms"):
        found = getattr(status, channel)
        if found is not None:
            found.label = status_label(channel, found)
    return status


def record_delivery(statuses: DeliveryStatuses, envelope: Envelope) -> None:
    """Keeps the newest status per channel; an older event arriving late changes nothing."""
    event = envelope.parse()
    if not isinstance(event, (NotificationDelivered, NotificationFailed)) or event.recipient.kind != "person":
        return
    status = ChannelStatus(status="sent" if isinstance(event, NotificationDelivered) else "failed", at=event.at,
                           reason=getattr(event, "reason", None))
    statuses.record(event.recipient.ref, event.channel, status)
