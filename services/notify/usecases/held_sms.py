"""Held SMS: when the quiet hours are over, each held SMS goes back on notify's queue."""
from __future__ import annotations

from ...observability import get_logger
from ..domain.quiet_hours import quiet_until
from ..ports import NotifyDeps

logger = get_logger("notify")


def flush_held(deps: NotifyDeps) -> int:
    """Puts each held SMS whose quiet hours are over back on notify's queue (scheduled). The
    queue's consumer then claims it like any request; putting it back twice is harmless."""
    now = deps.clock()
    if quiet_until(now, deps.config.sms_quiet_hours) is not None:
        return 0
    due = [held for held in deps.deliveries.due_held(now) if held.request]
    for held in due:
        deps.requeue(held.request)
    if due:
        logger.info("held SMS put back on the queue", extra={"count": len(due)})
    return len(due)
