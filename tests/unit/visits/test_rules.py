"""The pure rules of visits: each check's failing case, the lock date, the tag limit, never
reusing a tag, and time beyond the granted time. No AWS."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.domain.calendar import lock_deadline
from services.visits.domain import rules
from services.visits.domain.model import Device, Visit, VisitEvent
from tests.support.people import new_pnr
from tests.unit.visits.support import PEOPLE

CLIENT = PEOPLE["client"]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def event(**over):
    body = {"event_id": uuid.uuid4(), "type": "arrival", "staff_id": "anna", "provider_id": "p1", "client": CLIENT,
            "device_time": NOW - timedelta(hours=1), "receipt": {"method": "nfc", "device_id": "TAG-1"}}
    body.update(over)
    return VisitEvent.model_validate(body)


def tag(**over):
    body = {"device_id": "TAG-1", "kind": "nfc", "provider_id": "p1", "client": CLIENT, "status": "bound",
            "ordered_at": NOW - timedelta(days=30)}
    body.update(over)
    return Device.model_validate(body)


def check(e, *, staff=True, device="default", now=NOW):
    return rules.check_event(e, staff_belongs=staff, device=tag() if device == "default" else device, now=now)


def test_a_good_event_passes_every_check():
    assert check(event()) == []


def test_a_stranger_to_the_provider_is_refused():
    assert check(event(), staff=False) == ["the staff member does not belong to the provider"]


@pytest.mark.parametrize("device,reason", [
    (None, "the NFC tag is not registered"),
    # a lock read as a tag is named for what it is
    (tag(kind="digital_lock"), "TAG-1 is a digital lock, not an NFC tag (receipt method digital_lock)"),
    (tag(provider_id="p2"), "the NFC tag is registered to another provider"),
    (tag(status="ordered", client=None), "the NFC tag is not registered to this client"),
    (tag(status="retired"), "the NFC tag is not registered to this client"),
])
def test_the_tag_must_be_bound_to_this_client_of_this_provider(device, reason):
    assert check(event(), device=device) == [reason]


def test_a_tag_of_another_client_is_refused():
    # GIVEN a tag bound to another client WHEN an event for this client names it THEN refused
    assert check(event(), device=tag(client=new_pnr(1940))) == ["the NFC tag is not registered to this client"]


def test_a_digital_lock_receipt_needs_a_registered_lock():
    e = event(receipt={"method": "digital_lock", "device_id": "LOCK-1"})
    assert check(e, device=None) == ["the digital lock is not registered"]
    assert check(e, device=tag(device_id="LOCK-1")) == ["LOCK-1 is an NFC tag, not a digital lock (receipt method nfc)"]
    assert check(e, device=tag(device_id="LOCK-1", kind="digital_lock")) == []


def test_a_manual_receipt_needs_no_device():
    e = event(receipt={"method": "manual", "manual_reason": "technical_fault"})
    assert check(e, device=None) == []


def test_device_time_may_run_ahead_only_by_the_skew():
    assert check(event(device_time=NOW + timedelta(minutes=4))) == []
    (reason,) = check(event(device_time=NOW + timedelta(minutes=6)))
    assert "in the future" in reason


def test_an_event_of_a_locked_month_is_refused_and_says_why():
    october = datetime(2026, 10, 15, 8, tzinfo=timezone.utc)
    assert check(event(device_time=october), now=lock_deadline(2026, 10) - timedelta(seconds=1)) == []
    (reason,) = check(event(device_time=october), now=lock_deadline(2026, 10) + timedelta(seconds=1))
    assert reason.startswith("2026-10 is locked") and "2026-11-04" in reason


def test_the_lock_date_itself_is_open_all_day_in_stockholm():
    october = datetime(2026, 10, 15, 8, tzinfo=timezone.utc)
    last_minute = datetime(2026, 11, 4, 23, 59, tzinfo=timezone(timedelta(hours=1)))
    assert rules.locked_reason(october, last_minute) is None
    assert rules.locked_reason(october, last_minute + timedelta(minutes=1)) is not None


def test_the_tag_limit_counts_active_tags():
    assert rules.tag_room(active=8, ordering=2, limit=10) is None
    assert "at most 10" in rules.tag_room(active=9, ordering=2, limit=10)


@pytest.mark.parametrize("status,allowed", [("ordered", True), ("bound", False), ("retired", False)])
def test_a_tag_is_bound_once_and_never_reused(status, allowed):
    device = tag(status=status, client=None if status == "ordered" else CLIENT)
    assert (rules.bind_refusal(device) is None) is allowed


def visit(start_hour, minutes, ended=True):
    start = NOW.replace(hour=start_hour)
    return Visit(visit_id=f"v{start_hour}", provider_id="p1", client=CLIENT, staff_id="anna", started_at=start,
                 ended_at=start + timedelta(minutes=minutes) if ended else None)


def test_time_beyond_the_granted_time_flags_the_visits_that_pass_it():
    visits = [visit(10, 30), visit(8, 30), visit(12, 30), visit(14, 0, ended=False)]
    assert rules.over_granted(visits, 60) == ["v12"]
    assert rules.over_granted(visits, 90) == []
    assert rules.over_granted(visits, 20) == ["v8", "v10", "v12"]


def staff_visit(staff="anna", start=0, end=30, **over):
    body = {"visit_id": str(uuid.uuid4()), "provider_id": "p1", "client": CLIENT, "staff_id": staff,
            "started_at": NOW + timedelta(minutes=start),
            "ended_at": NOW + timedelta(minutes=end) if end is not None else None}
    body.update(over)
    return Visit.model_validate(body)


class TestOverlap:
    def test_a_staff_member_is_at_one_visit_at_a_time(self):
        held = [staff_visit(start=0, end=30), staff_visit(staff="bo", start=40, end=60)]
        at = lambda a, b: (NOW + timedelta(minutes=a), NOW + timedelta(minutes=b))  # noqa: E731
        assert rules.overlapping(held, "anna", *at(20, 50)) is held[0]
        assert rules.overlapping(held, "anna", *at(-10, 5)) is held[0]
        assert rules.overlapping(held, "anna", *at(30, 50)) is None  # one ends as the next begins
        assert rules.overlapping(held, "anna", *at(40, 60)) is None  # bo's visit is not anna's
        assert rules.overlapping(held, "anna", *at(20, 50), besides=held[0].visit_id) is None

    def test_an_open_visit_counts_from_its_start(self):
        (open_visit,) = held = [staff_visit(start=0, end=None)]
        assert rules.overlapping(held, "anna", NOW - timedelta(minutes=10), NOW + timedelta(minutes=5)) is open_visit
        assert rules.overlapping(held, "anna", NOW - timedelta(minutes=10), NOW - timedelta(minutes=1)) is None


def test_a_pending_deviation_keeps_the_provider_from_approving():
    from services.visits.domain.model import Deviation

    pending = Deviation(code="manual_receipt", by="anna", at=NOW, status="pending")
    assert "manual_receipt deviation waits for the case worker" in rules.waiting_for_case_worker(
        staff_visit(deviations=[pending]))
    assert rules.waiting_for_case_worker(staff_visit(deviations=[pending.model_copy(update={"status": "approved"})])) is None
    assert rules.waiting_for_case_worker(staff_visit()) is None


def test_a_decision_covers_the_days_from_its_start_to_its_end():
    decisions = [{"valid_from": "2026-11-10", "valid_to": "2026-11-20"}, {"valid_from": "2026-12-01"}]
    day = lambda s: datetime.fromisoformat(s).date()  # noqa: E731
    assert [rules.decided_on(day(d), decisions) for d in
            ("2026-11-09", "2026-11-10", "2026-11-20", "2026-11-21", "2026-12-01", "2030-01-01")] == \
        [False, True, True, False, True, True]
    assert not rules.decided_on(day("2026-11-15"), [])


class TestAgainstDecisions:
    covered = [{"valid_from": "2026-01-01"}]

    def codes(self, v, decisions):
        return [(d.code, d.status) for d in rules.against_decisions(v, decisions)]

    def test_a_visit_no_decision_covers_waits_for_the_case_worker(self):
        assert self.codes(staff_visit(), []) == [("no_decision", "pending")]
        assert self.codes(staff_visit(), self.covered) == []

    def test_a_temporary_stay_and_an_approved_visit_get_none(self):
        assert self.codes(staff_visit(temporary_stay=True), []) == []
        assert self.codes(staff_visit(status="approved"), []) == []

    def test_a_pending_one_is_withdrawn_when_a_decision_covers_the_day_a_decided_one_stays(self):
        waiting = staff_visit(deviations=rules.against_decisions(staff_visit(), []))
        assert self.codes(waiting, self.covered) == []
        decided = waiting.model_copy(update={"deviations": [waiting.deviations[0].model_copy(
            update={"status": "approved"})]})
        assert self.codes(decided, self.covered) == [("no_decision", "approved")]
        assert self.codes(waiting, []) == [("no_decision", "pending")]  # never twice
