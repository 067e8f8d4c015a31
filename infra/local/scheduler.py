"""Fires the apps' scheduled handlers (moto never fires schedules), on their schedule and on
demand. Understands Chalice's ``Rate`` and ``Cron`` (UTC, as EventBridge). Schedules follow the
apps' clock (``services.clock``: moved by ``INSATS_CLOCK`` on the local stage), not the machine's."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from services.clock import Clock, utc_now

log = logging.getLogger("insats.scheduler")
_UNIT_SECONDS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


@dataclass
class Job:
    name: str  # "<app>.<function>"
    expression: Any  # chalice Rate or Cron
    handler: Callable[[dict, Any], Any]
    last_fired: float = 0.0
    runs: int = 0

    def describe(self) -> str:
        e = self.expression
        if hasattr(e, "unit"):
            return f"rate({e.value} {e.unit})"
        return f"cron({e.minutes} {e.hours} {e.day_of_month} {e.month} {e.day_of_week} {e.year})"

    def due(self, now: float) -> bool:
        e = self.expression
        if hasattr(e, "unit"):
            return now - self.last_fired >= e.value * _UNIT_SECONDS[str(e.unit).lower()]
        moment = datetime.fromtimestamp(now, tz=timezone.utc)
        if now - self.last_fired < 60:
            return False
        return cron_matches(e, moment)


def _field_matches(spec: Any, value: int) -> bool:
    spec = str(spec)
    if spec in ("*", "?"):
        return True
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part in ("*", ""):
            lo, hi = 0, 10_000
        elif "-" in part:
            lo, hi = (int(x) for x in part.split("-"))
        else:
            lo = hi = int(part)
            if step > 1:
                hi = 10_000
        if lo <= value <= hi and (value - lo) % step == 0:
            return True
    return False


def cron_matches(cron: Any, moment: datetime) -> bool:
    dow = (moment.isoweekday() % 7) + 1  # EventBridge: 1 = Sunday
    return (_field_matches(cron.minutes, moment.minute) and _field_matches(cron.hours, moment.hour)
            and _field_matches(cron.day_of_month, moment.day) and _field_matches(cron.month, moment.month)
            and _field_matches(cron.day_of_week, dow) and _field_matches(cron.year, moment.year))


LOCAL_ACCOUNT = "1234" + "56789012"  # moto's default account id (split: it is no personnummer)


def scheduled_event(name: str, at: datetime | None = None, detail: dict | None = None) -> dict:
    """EventBridge's event; ``detail`` is empty on a schedule and carries what an operator's
    on-demand firing asks for (``make fire JOB=reports.nightly MONTH=2026-12``)."""
    at = at or utc_now()
    return {"version": "0", "id": f"local-{time.time_ns()}", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": LOCAL_ACCOUNT,
            "time": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": "eu-north-1",
            "resources": [f"arn:aws:events:eu-north-1:{LOCAL_ACCOUNT}:rule/{name}"], "detail": detail or {}}


class Scheduler(threading.Thread):
    def __init__(self, jobs: list[Job], stop: threading.Event, clock: Clock = utc_now) -> None:
        super().__init__(name="scheduler", daemon=True)
        self.jobs = {j.name: j for j in jobs}
        self.stop_event = stop
        self.clock = clock
        self._lock = threading.Lock()
        started = clock().timestamp()
        for job in jobs:
            job.last_fired = started  # the first run comes one period after start, as on AWS

    def fire(self, name: str, detail: dict | None = None) -> Any:
        job = self.jobs[name]
        with self._lock:
            now = self.clock()
            job.last_fired = now.timestamp()
            job.runs += 1
            return job.handler(scheduled_event(name, now, detail), None)

    def tick(self) -> list[str]:
        """Fires every job that is due on the clock; returns their names."""
        now = self.clock().timestamp()
        fired = []
        for job in self.jobs.values():
            if job.due(now):
                fired.append(job.name)
                try:
                    self.fire(job.name)
                except Exception:  # noqa: BLE001
                    log.exception("scheduled job %s failed", job.name)
        return fired

    def run(self) -> None:
        while not self.stop_event.wait(1):
            self.tick()
