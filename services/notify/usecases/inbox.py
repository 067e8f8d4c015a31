"""Notify's inbox: each event to its use case."""
from __future__ import annotations

from ...contracts.events import ContactPreferencesChanged, Envelope, NotificationRequested
from ...observability import get_logger
from ..ports import NotifyDeps
from .deliver import deliver
from .preferences import keep_preferences

logger = get_logger("notify")


def handle(deps: NotifyDeps, envelope: Envelope, receive_count: int = 1) -> dict[str, str]:
    event = envelope.parse()
    if isinstance(event, ContactPreferencesChanged):
        keep_preferences(deps, event)
        return {}
    if isinstance(event, NotificationRequested):
        return deliver(deps, envelope, event, receive_count)
    logger.info("event needs nothing from notify", extra={"event_type": envelope.event_type})
    return {}
