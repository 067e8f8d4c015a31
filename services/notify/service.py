"""Turns domain events into e-mails and SMS, once per event and channel.

Idempotency per channel: a delivery record is written after each send, so a redelivered event
does not send again what already went out (if SMS failed after the e-mail went, only the SMS
is retried).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError

from ..contracts.events import Contact, Envelope
from ..observability import get_logger
from .templates import TEMPLATES, render

logger = get_logger("notify")


@dataclass
class NotifyDeps:
    table: Any
    email: Any
    sms: Any


def template_for(envelope: Envelope) -> tuple[str, dict[str, str], Contact] | None:
    event = envelope.parse()
    contact: Contact = getattr(event, "notify", Contact())
    if envelope.event_type == "notification.requested":
        return event.template, dict(event.params), contact  # type: ignore[attr-defined]
    if envelope.event_type in TEMPLATES:
        return envelope.event_type, {"case_number": getattr(event, "case_number", "")}, contact
    return None


def handle(deps: NotifyDeps, envelope: Envelope) -> list[str]:
    """Sends what the event asks for; returns the channels sent now."""
    found = template_for(envelope)
    if found is None:
        logger.info("event needs no notification", extra={"event_type": envelope.event_type})
        return []
    template_id, params, contact = found
    subject, body = render(template_id, params)
    sent = []
    if contact.email and not _delivered(deps, envelope.event_id, "email"):
        message_id = deps.email.send(contact.email, subject, body)
        _record(deps, envelope, "email", template_id, message_id)
        sent.append("email")
    if contact.phone and not _delivered(deps, envelope.event_id, "sms"):
        message_id = deps.sms.send(contact.phone, body)
        _record(deps, envelope, "sms", template_id, message_id)
        sent.append("sms")
    logger.info("notification sent", extra={"event_type": envelope.event_type, "template": template_id,
                                            "channels": sent})
    return sent


def _delivered(deps: NotifyDeps, event_id: str, channel: str) -> bool:
    return "Item" in deps.table.get_item(Key={"pk": f"DELIVERY#{event_id}", "sk": channel}, ConsistentRead=True)


def _record(deps: NotifyDeps, envelope: Envelope, channel: str, template_id: str, message_id: str) -> None:
    # No recipient address is kept: the record proves what went out, not to whom.
    now = datetime.now(timezone.utc)
    try:
        deps.table.put_item(Item={"pk": f"DELIVERY#{envelope.event_id}", "sk": channel, "template": template_id,
                                  "provider_message_id": message_id, "sent_at": now.isoformat(),
                                  "ttl": int(now.timestamp()) + 90 * 86400},
                            ConditionExpression="attribute_not_exists(pk)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
