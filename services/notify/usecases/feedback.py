"""Delivery feedback: SES's bounces and complaints."""
from __future__ import annotations

import json
from typing import Any

from ...contracts.events import NotificationFailed
from ...observability import get_logger
from ..ports import NotifyDeps

logger = get_logger("notify")


def _feedback_message(body: str) -> dict[str, Any]:
    message = json.loads(body)
    if isinstance(message, dict) and message.get("Type") == "Notification" and "Message" in message:
        message = json.loads(message["Message"])  # SNS envelope when raw delivery is off
    return message


def on_feedback(deps: NotifyDeps, body: str) -> str:
    """A bounce or complaint from SES: a permanent bounce or a complaint suppresses the address
    and fails the notification; a transient bounce (mailbox full) changes nothing."""
    message = _feedback_message(body)
    kind = message.get("notificationType") or message.get("eventType")
    now = deps.clock()
    if kind == "Bounce":
        bounce = message.get("bounce", {})
        if bounce.get("bounceType") != "Permanent":
            return "ignored"
        addresses = [r.get("emailAddress") for r in bounce.get("bouncedRecipients", [])]
        reason = "bounced"
    elif kind == "Complaint":
        addresses = [r.get("emailAddress") for r in message.get("complaint", {}).get("complainedRecipients", [])]
        reason = "complaint"
    else:
        return "ignored"
    for address in filter(None, addresses):
        deps.suppressions.suppress("email", address, reason, now)
    delivery = deps.deliveries.by_provider_message(message.get("mail", {}).get("messageId", ""))
    if delivery is not None:
        nid = delivery.notification_id
        deps.deliveries.mark_failed_after_sent(nid, "email", reason=reason, at=now, event=NotificationFailed(
            notification_id=nid, template=delivery.template, recipient=delivery.recipient,
            channel="email", reason=reason, at=now))
    logger.info("mail feedback", extra={"reason": reason, "known_delivery": delivery is not None})
    return reason
