"""When the nightly build runs: 02:00 Europe/Stockholm, once a night, across daylight saving.

Schedules are UTC, so the job is fired at 00:00 and at 01:00 UTC: in summer (UTC+2) the first is
02:00 local, in winter (UTC+1) the second. ``is_nightly_run`` lets only that one proceed:

- the last Sunday of October, 02:00 local happens twice (00:00 UTC in summer time, 01:00 UTC in
  winter time): only the first (``fold == 0``) runs;
- the last Sunday of March, 02:00 local does not exist (clocks go from 02:00 to 03:00 at 01:00 UTC):
  the run at 01:00 UTC (03:00 local) stands in for it.

A run-once record per Stockholm date in the store keeps a redelivered schedule event from a second run.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from ...domain.calendar import STOCKHOLM

LOCAL_HOUR = 2
CRON_UTC_HOURS = "0,1"


def _skips_hour(day: date, hour: int) -> bool:
    """Whether ``hour`` o'clock does not exist on ``day`` in Stockholm (the spring change)."""
    naive = datetime(day.year, day.month, day.day, hour, 30)
    there = naive.replace(tzinfo=STOCKHOLM)
    return there.astimezone(timezone.utc).astimezone(STOCKHOLM).replace(tzinfo=None) != naive


def is_nightly_run(now: datetime) -> bool:
    """Whether a firing at ``now`` (aware) is tonight's 02:00 local run."""
    local = now.astimezone(STOCKHOLM)
    if local.hour == LOCAL_HOUR:
        return local.fold == 0
    return local.hour == LOCAL_HOUR + 1 and _skips_hour(local.date(), LOCAL_HOUR)


def night_of(now: datetime) -> date:
    """The Stockholm date a nightly run belongs to (its run-once key)."""
    return now.astimezone(STOCKHOLM).date()
