"""Preferences changed: notify keeps its copy of where and how a recipient wants to be told."""
from __future__ import annotations

from ...contracts.events import ContactPreferencesChanged
from ...observability import get_logger
from ..domain.preferences import ContactPreferences
from ..ports import NotifyDeps

logger = get_logger("notify")


def keep_preferences(deps: NotifyDeps, event: ContactPreferencesChanged) -> None:
    kept = deps.preferences.keep(event.recipient, event.preferences, ContactPreferences(
        email=event.email, phone=event.phone, email_on=event.email_on, sms_on=event.sms_on,
        changed_at=event.changed_at))
    logger.info("contact preferences", extra={"kind": event.recipient.kind, "preferences": event.preferences,
                                              "kept": kept})
