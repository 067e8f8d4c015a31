"""The shape of what the staff app and the provider send: each field's failing case is named."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.visits.schemas import BindTag, EditVisit, OrderTags, PostRegistration, PostVisitEvents, RegisterAbsence
from tests.unit.visits.support import PEOPLE

T = datetime(2026, 11, 20, 8, tzinfo=timezone.utc)


def event(**over):
    body = {"event_id": str(uuid.uuid4()), "type": "arrival", "staff_id": "anna", "provider_id": "p1",
            "client": PEOPLE["client"], "device_time": T.isoformat(),
            "receipt": {"method": "nfc", "device_id": "TAG-1"}}
    body.update(over)
    return body


def fields(model, body):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


def test_a_good_batch_parses():
    assert len(PostVisitEvents.model_validate({"events": [event(), event(type="departure")]}).events) == 2


def test_a_batch_holds_one_to_a_hundred_events():
    assert fields(PostVisitEvents, {"events": []}) == {"events"}
    assert fields(PostVisitEvents, {"events": [event() for _ in range(101)]}) == {"events"}


@pytest.mark.parametrize("over,field", [
    ({"event_id": "not-a-uuid"}, "events.0.event_id"),
    ({"type": "coffee"}, "events.0.type"),
    ({"client": PEOPLE["luhn_invalid"]}, "events.0.client"),
    ({"device_time": "2026-11-20T08:00:00"}, "events.0.device_time"),
    ({"receipt": {"method": "manual"}}, "events.0.receipt"),
    ({"receipt": {"method": "nfc"}}, "events.0.receipt"),
    ({"receipt": {"method": "bluetooth", "device_id": "x"}}, "events.0.receipt.method"),
    ({"receipt": {"method": "manual", "manual_reason": "forgot"}}, "events.0.receipt.manual_reason"),
    ({"type": "insats"}, "events.0"),
    ({"type": "insats", "insats": "massage"}, "events.0"),
    ({"insats": "dusch"}, "events.0"),
    ({"location": "garden"}, "events.0.location"),
    ({"staff_id": ""}, "events.0.staff_id"),
    ({"extra": 1}, "events.0.extra"),
])
def test_each_malformed_field_is_named(over, field):
    assert field in fields(PostVisitEvents, {"events": [event(**over)]})


def test_a_manual_receipt_names_its_reason():
    parsed = PostVisitEvents.model_validate(
        {"events": [event(receipt={"method": "manual", "manual_reason": "started_outside_home"})]})
    assert parsed.events[0].receipt.manual_reason == "started_outside_home"


def test_an_edit_changes_something_and_gives_a_reason_and_the_version():
    assert fields(EditVisit, {"version": 1, "ended_at": T.isoformat()}) == {"reason"}
    assert fields(EditVisit, {"reason": "fel tid", "ended_at": T.isoformat()}) == {"version"}
    assert fields(EditVisit, {"reason": "fel tid", "version": 0, "ended_at": T.isoformat()}) == {"version"}
    assert fields(EditVisit, {"reason": "fel tid", "version": 1, "ended_at": "2026-11-20T08:00:00"}) == {"ended_at"}


def test_an_edit_without_a_change_is_refused():
    with pytest.raises(ValidationError, match="change started_at, ended_at or insatser"):
        EditVisit.model_validate({"reason": "inget", "version": 1})


def test_a_post_registration_needs_a_reason_code_and_sane_times():
    body = {"client": PEOPLE["client"], "staff_id": "anna", "started_at": T.isoformat(),
            "ended_at": (T + timedelta(minutes=30)).isoformat(), "insatser": ["dusch"],
            "reason_code": "technology_failure", "reason": "appen låg nere"}
    assert PostRegistration.model_validate(body).reason_code == "technology_failure"
    assert "reason_code" in fields(PostRegistration, {**body, "reason_code": "forgot"})
    assert "insatser" in fields(PostRegistration, {**body, "insatser": []})
    with pytest.raises(ValidationError, match="ended_at must be after started_at"):
        PostRegistration.model_validate({**body, "ended_at": T.isoformat()})


def test_an_absence_has_a_known_kind_and_ends_after_it_starts():
    body = {"client": PEOPLE["client"], "kind": "hospital", "starts_on": "2026-11-10",
            "learned_at": T.isoformat()}
    assert RegisterAbsence.model_validate(body).starts_on == date(2026, 11, 10)
    assert "kind" in fields(RegisterAbsence, {**body, "kind": "vacation"})
    with pytest.raises(ValidationError, match="ends_on must not be before starts_on"):
        RegisterAbsence.model_validate({**body, "ends_on": "2026-11-01"})
    assert "learned_at" in fields(RegisterAbsence, {**body, "learned_at": None})


def test_tags_are_ordered_in_sane_numbers_and_bound_to_a_real_client():
    assert "count" in fields(OrderTags, {"count": 0})
    assert "count" in fields(OrderTags, {"count": 51})
    assert "client" in fields(BindTag, {"client": PEOPLE["luhn_invalid"]})


END_OF_TIME = "9999-12-31T23:59:59-14:00"
START_OF_TIME = "0001-01-01T00:00:00+14:00"


@pytest.mark.parametrize("when", [END_OF_TIME, START_OF_TIME, "1899-12-31T12:00:00+01:00", "2101-01-01T00:00:00Z"])
def test_every_time_sent_lies_in_a_sane_window(when):
    # GIVEN a time at the ends of the calendar (Python cannot even move it to UTC) THEN each request names it
    body = {"client": PEOPLE["client"], "started_at": when, "ended_at": T.isoformat(), "insatser": ["dusch"],
            "reason_code": "technology_failure", "reason": "appen låg nere"}
    assert "started_at" in fields(PostRegistration, body)
    assert "ended_at" in fields(PostRegistration, {**body, "started_at": T.isoformat(), "ended_at": when})
    assert fields(EditVisit, {"reason": "fel tid", "version": 1, "started_at": when}) == {"started_at"}
    assert fields(PostVisitEvents, {"events": [event(device_time=when)]}) == {"events.0.device_time"}
    absence = {"client": PEOPLE["client"], "kind": "hospital", "starts_on": "2026-11-01", "learned_at": T.isoformat()}
    assert fields(RegisterAbsence, {**absence, "learned_at": when}) == {"learned_at"}
    assert fields(RegisterAbsence, {**absence, "announced_at": when}) == {"announced_at"}


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_absence_dates_lie_in_a_sane_window(day):
    absence = {"client": PEOPLE["client"], "kind": "hospital", "starts_on": day, "learned_at": T.isoformat()}
    assert fields(RegisterAbsence, absence) == {"starts_on"}
    assert "ends_on" in fields(RegisterAbsence, {**absence, "starts_on": "2026-11-01", "ends_on": day})


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1899-12", "١٩٦٠-01", "２０２６-01"])
def test_a_month_asked_for_is_ascii_and_in_the_window(month):
    from services.visits.schemas import VisitQuery

    assert fields(VisitQuery, {"month": month}) == {"month"}


def test_insatser_lists_are_bounded_and_never_empty():
    body = {"client": PEOPLE["client"], "started_at": T.isoformat(), "ended_at": (T + timedelta(minutes=5)).isoformat(),
            "reason_code": "technology_failure", "reason": "appen låg nere"}
    assert fields(PostRegistration, {**body, "insatser": ["dusch"] * 21}) == {"insatser"}
    assert fields(PostRegistration, {**body, "insatser": []}) == {"insatser"}
    assert fields(EditVisit, {"reason": "fel", "version": 1, "insatser": ["dusch"] * 21}) == {"insatser"}
    assert fields(EditVisit, {"reason": "fel", "version": 1, "insatser": []}) == {"insatser"}
    assert len(PostRegistration.model_validate({**body, "insatser": ["dusch"] * 20}).insatser) == 20


@pytest.mark.parametrize("text", ["fel\x00tid", "fel\x1b[31mtid", "fel\u202etid", "fel\ud800tid"])
def test_free_text_holds_no_control_characters(text):
    from services.visits.schemas import DeviationDecision, Reasoned

    assert fields(Reasoned, {"reason": text, "version": 1}) == {"reason"}
    assert fields(DeviationDecision, {"index": 0, "decision": "approved", "reason": text}) == {"reason"}
    assert fields(PostVisitEvents, {"events": [event(staff_id="an\nna")]}) == {"events.0.staff_id"}


NAIVE = "2026-11-20T08:00:00"


def test_a_time_without_a_time_zone_is_refused_naming_its_field_in_every_model():
    # GIVEN times sent without an offset (whose 08:00?) THEN each model names the field
    registration = {"client": PEOPLE["client"], "started_at": T.isoformat(),
                    "ended_at": (T + timedelta(minutes=30)).isoformat(), "insatser": ["dusch"],
                    "reason_code": "technology_failure", "reason": "appen låg nere"}
    assert fields(PostRegistration, {**registration, "started_at": NAIVE}) == {"started_at"}
    assert fields(EditVisit, {"reason": "fel tid", "version": 1, "started_at": NAIVE}) == {"started_at"}
    absence = {"client": PEOPLE["client"], "kind": "hospital", "starts_on": "2026-11-01", "learned_at": T.isoformat()}
    assert fields(RegisterAbsence, {**absence, "announced_at": NAIVE}) == {"announced_at"}
    # AND an event already queued (bounded by no window) still needs its time zone
    from services.visits.domain.model import VisitEvent
    queued = {**event(device_time=NAIVE), "staff_id": "anna"}
    assert fields(VisitEvent, queued) == {"device_time"}
    assert VisitEvent.model_validate({**queued, "device_time": "1850-01-01T08:00:00+01:00"}).device_time.year == 1850
