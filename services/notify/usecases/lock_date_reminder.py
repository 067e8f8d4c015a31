"""The lock-date reminder: providers are asked to review a month before it locks."""
from __future__ import annotations

from ...contracts.events import NotificationRequested
from ...domain.calendar import STOCKHOLM, lock_date
from ..domain.lock_date import lock_reminder_due
from ..ports import NotifyDeps
from .deliver import deliver
from .outcomes import Retry


def remind_lock_date(deps: NotifyDeps) -> int:
    """Scheduled daily: three working days before a month's lock date, each provider is asked to
    review the month. One request per provider and month with a fixed id: running twice sends once."""
    today = deps.clock().astimezone(STOCKHOLM).date()
    month = lock_reminder_due(today)
    if month is None:
        return 0
    year, mon = month
    params = {"month": f"{year}-{mon:02d}", "lock_date": lock_date(year, mon).isoformat()}
    sent = 0
    for provider in deps.preferences.providers():
        request = NotificationRequested(template="lock_date.approaching", recipient=provider, params=params)
        envelope = request.envelope("notify", event_id=f"lock-date-{year}-{mon:02d}-{provider.ref}")
        try:
            deliver(deps, envelope, request)
        except Retry:
            deps.requeue(envelope.model_dump_json())  # the queue retries it with backoff
        sent += 1
    return sent
