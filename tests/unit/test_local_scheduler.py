"""The local scheduler fires Chalice schedules as EventBridge would (UTC; 1 = Sunday)."""
import threading
from datetime import datetime, timezone

from chalice import Cron, Rate

from infra.local.scheduler import Job, Scheduler, cron_matches


def at(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_nightly_cron_matches_only_its_minute():
    nightly = Cron(0, 2, "*", "*", "?", "*")
    assert cron_matches(nightly, at(2026, 11, 24, 2, 0))
    assert not cron_matches(nightly, at(2026, 11, 24, 2, 1))
    assert not cron_matches(nightly, at(2026, 11, 24, 3, 0))


def test_cron_lists_ranges_steps_and_weekdays():
    weekdays = Cron("0/15", "8-17", "?", "*", "2-6", "*")  # Monday–Friday
    assert cron_matches(weekdays, at(2026, 11, 24, 8, 45))      # Tuesday
    assert not cron_matches(weekdays, at(2026, 11, 29, 8, 45))  # Sunday
    assert not cron_matches(weekdays, at(2026, 11, 24, 8, 50))
    assert cron_matches(Cron("5,35", "*", "*", "*", "?", "*"), at(2026, 1, 1, 13, 35))


def test_a_rate_is_due_once_per_period_and_on_demand():
    calls = []
    job = Job("app.tick", Rate(1, unit=Rate.MINUTES), lambda event, ctx: calls.append(event) or "ok")
    scheduler = Scheduler([job], threading.Event())
    start = job.last_fired
    assert not job.due(start + 59)
    assert job.due(start + 60)
    assert scheduler.fire("app.tick") == "ok"
    assert calls[0]["detail-type"] == "Scheduled Event" and job.runs == 1
