"""Fires the apps' scheduled handlers (moto never fires schedules), on their schedule and on
demand. Understands Chalice's ``Rate`` and ``Cron`` (UTC, as EventBridge)."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

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


def scheduled_event(name: str) -> dict:
    return {"version": "0", "id": f"local-{time.time_ns()}", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": LOCAL_ACCOUNT,
            "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": "eu-north-1",
            "resources": [f"arn:aws:events:eu-north-1:{LOCAL_ACCOUNT}:rule/{name}"], "detail": {}}


class Scheduler(threading.Thread):
    def __init__(self, jobs: list[Job], stop: threading.Event) -> None:
        super().__init__(name="scheduler", daemon=True)
        self.jobs = {j.name: j for j in jobs}
        self.stop_event = stop
        self._lock = threading.Lock()
        started = time.time()
        for job in jobs:
            job.last_fired = started  # the first run comes one period after start, as on AWS

    def fire(self, name: str) -> Any:
        job = self.jobs[name]
        with self._lock:
            job.last_fired = time.time()
            job.runs += 1
            return job.handler(scheduled_event(name), None)

    def run(self) -> None:
        while not self.stop_event.wait(1):
            now = time.time()
            for job in self.jobs.values():
                if job.due(now):
                    try:
                        self.fire(job.name)
                    except Exception:  # noqa: BLE001
                        log.exception("scheduled job %s failed", job.name)
