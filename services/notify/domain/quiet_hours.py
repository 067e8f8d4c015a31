"""SMS waits outside the quiet hours (Europe/Stockholm); e-mail goes at once."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from ...domain.calendar import STOCKHOLM


def quiet_until(now: datetime, hours: tuple[time, time]) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (UTC), or None outside them."""
    start, end = hours
    if start == end:
        return None
    local = now.astimezone(STOCKHOLM)
    t = local.time()
    quiet = (t >= start or t < end) if start > end else (start <= t < end)
    if not quiet:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=STOCKHOLM).astimezone(now.tzinfo)
