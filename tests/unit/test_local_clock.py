"""The local stack's clock (issue 20, item 14): ``INSATS_CLOCK`` starts the apps' one clock at a
given time on the local stage, it runs on in real time from there, the lock-date rules and the
scheduled jobs follow it, and any other stage refuses it."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from chalice import Cron

from infra.local import stack
from infra.local.gateway import DevRoutes
from infra.local.scheduler import Job, Scheduler
from services.clock import ClockRefused, utc_now
from services.contracts.events import Recipient
from services.notify.domain.preferences import ContactPreferences
from services.notify.ports import NotifyDeps
from services.notify.usecases.lock_date_reminder import remind_lock_date
from services.visits.domain.rules import locked_reason
from tests.support.fakes.notify import (FakeDeliveries, FakePreferences, FakeSuppressions, RecordingEmailSender,
                                       RecordingSmsSender)
from tests.unit.notify.test_notifications import CFG


def set_clock(monkeypatch, at: str, *, seconds_ago: float = 0.0, stage: str = "local") -> None:
    """The environment ``make run`` gives its apps: the clock, and the real instant it was set at."""
    monkeypatch.setenv("INSATS_STAGE", stage)
    monkeypatch.setenv("INSATS_CLOCK", at)
    monkeypatch.setenv("INSATS_CLOCK_FROM", repr(time.time() - seconds_ago))


def test_the_clock_starts_at_insats_clock_and_runs_on_in_real_time(monkeypatch):
    # GIVEN a stack started 90 seconds ago with INSATS_CLOCK
    set_clock(monkeypatch, "2027-01-08T09:00+01:00", seconds_ago=90)
    # WHEN an app asks for the time
    now = utc_now()
    # THEN it is the start time plus the 90 seconds that have passed
    expected = datetime(2027, 1, 8, 8, 1, 30, tzinfo=timezone.utc)
    assert timedelta(0) <= now - expected < timedelta(seconds=5)
    # AND without INSATS_CLOCK it is the real time
    monkeypatch.delenv("INSATS_CLOCK")
    assert abs(utc_now() - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_the_lock_date_rule_sees_the_shifted_time(monkeypatch):
    december_visit = datetime(2026, 12, 15, 9, 0, tzinfo=timezone.utc)
    # GIVEN the clock on the evening of December's lock date (Thursday 7 January 2027: the 1st and
    # the 6th are holidays)
    set_clock(monkeypatch, "2027-01-07T23:00+01:00")
    # THEN December may still change
    assert locked_reason(december_visit, utc_now()) is None
    # WHEN the clock is started the morning after
    set_clock(monkeypatch, "2027-01-08T09:00+01:00")
    # THEN December is locked
    assert locked_reason(december_visit, utc_now()) == (
        "2026-12 is locked: its lock date 2027-01-07 has passed, and nothing of that month changes after it")


def test_a_scheduled_job_fires_on_the_shifted_clock(monkeypatch):
    # GIVEN the lock-date reminder on notify's schedule (07:00 UTC daily), with notify's default clock,
    # and a stack whose clock was set to a minute before 07:00 UTC on Friday 29 January 2027
    # (three working days before January's lock date, Wednesday 3 February)
    preferences = FakePreferences()
    preferences.keep(Recipient(kind="provider", ref="prov-a"), "profile",
                     ContactPreferences(email="rapport@a.example", email_on=True,
                                        changed_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    notify = NotifyDeps(preferences=preferences, suppressions=FakeSuppressions(), deliveries=FakeDeliveries(),
                        email=RecordingEmailSender(), sms=RecordingSmsSender(), config=CFG, requeue=lambda body: None)
    events = []
    job = Job("notify.remind_lock_date", Cron(0, 7, "*", "*", "?", "*"),
              lambda event, context: events.append(event) or remind_lock_date(notify))
    set_clock(monkeypatch, "2027-01-29T07:59:00+01:00")
    scheduler = Scheduler([job], threading.Event())
    assert scheduler.tick() == []  # 06:59 UTC: not yet
    # WHEN 70 seconds have passed (the clock was set 70 s ago) and the scheduler looks again
    monkeypatch.setenv("INSATS_CLOCK_FROM", repr(time.time() - 70))
    fired = scheduler.tick()
    # THEN the job fired, at the shifted time, and the providers were reminded of January 2027
    assert fired == ["notify.remind_lock_date"]
    assert events[0]["time"].startswith("2027-01-29T07:00:")
    assert [m[1] for m in notify.email.sent] == ["Spärrdatum för januari 2027 närmar sig"]


def test_fire_passes_a_month_to_the_job_and_refuses_a_bad_one():
    events = []
    job = Job("reports.nightly", Cron(0, 1, "*", "*", "?", "*"), lambda event, context: events.append(event) or "ok")
    dev = DevRoutes(issuer=None, endpoint="http://127.0.0.1:1", scheduler=Scheduler([job], threading.Event()), pumps=[])
    # WHEN make fire JOB=reports.nightly MONTH=2026-12
    status, body = dev.fire("reports.nightly", "month=2026-12")
    # THEN the job gets the month in the event's detail
    assert (status, body["month"]) == (200, "2026-12") and events[0]["detail"] == {"month": "2026-12"}
    # AND a month that is none is refused, the job not fired
    assert dev.fire("reports.nightly", "month=2026-13")[0] == 422
    assert dev.fire("reports.nightly", "moth=2026-12")[0] == 422
    assert len(events) == 1


def test_a_stage_other_than_local_refuses_insats_clock(monkeypatch, capsys):
    # GIVEN INSATS_CLOCK on the prod stage
    set_clock(monkeypatch, "2027-01-08T09:00+01:00", stage="prod")
    # THEN the apps' clock refuses, saying why
    with pytest.raises(ClockRefused, match="local stage only"):
        utc_now()
    # AND make run refuses to start, at once
    assert stack.main(["--port", "0", "--moto-port", "0"]) == 2
    assert "INSATS_CLOCK sets the time on the local stage only" in capsys.readouterr().err


def test_insats_clock_must_be_an_instant_with_its_offset(monkeypatch):
    set_clock(monkeypatch, "2027-01-08T09:00")  # no offset: whose nine o'clock?
    with pytest.raises(ClockRefused, match="with its UTC offset"):
        utc_now()
