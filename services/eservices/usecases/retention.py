"""Drafts are deleted after the retention period, with a reminder some days before.

Run by a schedule; safe to run again and concurrently: each change is conditional on the draft's
version, so a draft saved meanwhile is left alone, and a reminder goes once.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from ...domain.errors import Conflict
from ...observability import get_logger
from ..ports import EservicesDeps
from ..domain.drafts import EXPIRY_LOOKBACK, Draft
from .notifications import notify_person

logger = get_logger("eservices")


def due(draft: Draft, now: datetime, reminder_days_before: int) -> Literal["delete", "remind"] | None:
    """What the retention rule asks of one draft now: delete it, remind its owner, or nothing."""
    if draft.status != "draft":
        return None  # a submitted draft belongs to its case
    if draft.expires_at <= now:
        return "delete"
    if not draft.reminded and draft.expires_at <= now + timedelta(days=reminder_days_before):
        return "remind"
    return None


def sweep(deps: EservicesDeps) -> dict[str, int]:
    now = deps.clock()
    days_before = deps.settings.draft_reminder_days_before
    deleted = reminded = 0
    # The days from a week back (DynamoDB's TTL removes what expired before) to the reminder horizon.
    horizon = now + timedelta(days=days_before, seconds=1)
    for draft in deps.drafts.expiring_before(horizon, since=now - EXPIRY_LOOKBACK):
        try:
            action = due(draft, now, days_before)
            if action == "delete":
                deps.drafts.delete(draft)
                deleted += 1
            elif action == "remind":
                _remind(deps, draft)
                reminded += 1
        except Conflict:
            continue  # saved or removed meanwhile: the next sweep sees its new state
    logger.info("draft retention sweep", extra={"deleted": deleted, "reminded": reminded})
    return {"deleted": deleted, "reminded": reminded}


def _remind(deps: EservicesDeps, draft: Draft) -> None:
    uow = deps.unit_of_work()
    deps.drafts.mark_reminded(uow, draft)
    days = max(1, (draft.expires_at - deps.clock()).days)
    notify_person(uow, "draft.expiring", draft.owner, params={"days": str(days)})
    uow.commit()
