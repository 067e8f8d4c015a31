"""Drafts are deleted after the retention period, with a reminder some days before.

Run by a schedule; safe to run again and concurrently: each change is conditional on the draft's
version, so a draft saved meanwhile is left alone, and a reminder goes once.
"""
from __future__ import annotations

from datetime import timedelta

from ..contracts.events import Contact, NotificationRequested
from ..domain.errors import Conflict
from ..observability import get_logger
from .bootstrap import EservicesDeps
from .drafts import Draft, draft_key

logger = get_logger("eservices")


def sweep(deps: EservicesDeps) -> dict[str, int]:
    now = deps.clock()
    horizon = now + timedelta(days=deps.settings.draft_reminder_days_before)
    deleted = reminded = 0
    for draft in deps.drafts.expiring_before(horizon):
        try:
            if draft.expires_at <= now:
                deps.drafts.delete(draft)
                deleted += 1
            elif not draft.reminded:
                _remind(deps, draft)
                reminded += 1
        except Conflict:
            continue  # saved or removed meanwhile: the next sweep sees its new state
    logger.info("draft retention sweep", extra={"deleted": deleted, "reminded": reminded})
    return {"deleted": deleted, "reminded": reminded}


def _remind(deps: EservicesDeps, draft: Draft) -> None:
    profile = deps.profiles.get(draft.owner)
    contact = Contact(email=profile.email if profile.notify_email else None,
                      phone=profile.mobile if profile.notify_sms else None)
    uow = deps.unit_of_work()
    uow.update(draft_key(draft.owner, draft.draft_id), "SET reminded = :yes",
               values={":yes": True, ":v": draft.version}, names={"#v": "version"}, condition="#v = :v")
    if contact.email or contact.phone:
        uow.emit(NotificationRequested(template="draft.expiring", notify=contact))
    uow.commit()
