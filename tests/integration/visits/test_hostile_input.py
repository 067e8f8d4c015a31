"""What a hostile or broken client sends: times at the ends of the calendar are refused at the API
naming the field, and an event the processor cannot handle becomes a rejected event of its own —
the good events of the same batch are stored, nothing comes back to SQS for them."""
import dataclasses
import json
import uuid
from datetime import timedelta

from services.visits.bootstrap import deps
from services.visits.domain.model import VisitEvent
from services.visits.usecases.processing import ingest_events

END_OF_TIME = "9999-12-31T23:59:59-14:00"
START_OF_TIME = "0001-01-01T00:00:00+14:00"


def listed(provider, event_id):
    return next((r for r in provider.visits.get("/rejected-events", token=provider.token).json
                 if r["event_id"] == event_id), None)


class TestTheEndsOfTheCalendar:
    def test_events_absences_edits_and_post_registrations_name_the_field(self, provider, morning):
        pnr, tag = provider.new_client()
        v = provider.visits
        for when in (END_OF_TIME, START_OF_TIME):
            r = provider.post([provider.event("arrival", pnr, tag, morning), dict(
                provider.event("departure", pnr, tag, morning), device_time=when)])
            assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["events.1.device_time"]
        r = v.post("/absences", {"client": pnr, "kind": "hospital", "starts_on": "9999-12-31",
                                 "learned_at": morning.isoformat()}, token=provider.token)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["starts_on"]
        r = v.post("/absences", {"client": pnr, "kind": "hospital", "starts_on": morning.date().isoformat(),
                                 "learned_at": "0001-01-01T00:00:00+00:00"}, token=provider.token)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["learned_at"]
        r = v.post("/visits", {"client": pnr, "started_at": morning.isoformat(), "ended_at": END_OF_TIME,
                               "insatser": ["dusch"], "reason_code": "technology_failure", "reason": "appen låg nere"},
                   token=provider.token)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["ended_at"]
        provider.post([provider.event("arrival", pnr, tag, morning),
                       provider.event("departure", pnr, tag, morning + timedelta(minutes=20))])
        provider.deliver()
        (visit,) = provider.month_visits(pnr, morning)
        r = v.patch(f"/visits/{visit['visit_id']}", {"reason": "fel tid", "version": visit["version"],
                                                      "started_at": START_OF_TIME}, token=provider.token)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["started_at"]
        for field, when in (("started_at", END_OF_TIME), ("ended_at", START_OF_TIME), ("ended_at", END_OF_TIME)):
            r = v.patch(f"/visits/{visit['visit_id']}", {"reason": "fel tid", "version": visit["version"],
                                                          field: when}, token=provider.token)
            assert r.status == 422 and [e["field"] for e in r.json["errors"]] == [field], (field, when, r.json)
        # nothing stored by any of them
        assert v.get("/absences", token=provider.token).json == []
        assert provider.month_visits(pnr, morning) == [visit]


class TestIsolation:
    def test_an_event_that_crashes_the_processor_is_rejected_alone(self, provider, morning):
        # GIVEN two valid events and one at the end of time on the queue (sent before the API bound
        # times, or by another producer), in one batch
        pnr, tag = provider.new_client()
        good = [provider.event("arrival", pnr, tag, morning),
                provider.event("departure", pnr, tag, morning + timedelta(minutes=25))]
        bad = dict(provider.event("arrival", pnr, tag, morning), device_time=END_OF_TIME)
        # WHEN the processor takes the batch
        result = provider.visits.sqs("on_visit_events", [json.dumps(good[0]), json.dumps(bad), json.dumps(good[1])],
                                     ["m-1", "m-bad", "m-3"])
        # THEN nothing comes back, the two are a visit, and the third is listed as rejected
        assert result == {"batchItemFailures": []}
        (visit,) = provider.month_visits(pnr, morning)
        assert visit["minutes"] == 25
        rejected = listed(provider, bad["event_id"])
        assert rejected["origin"] == "unprocessable" and rejected["status"] == "open"
        assert "9999-12-31" in rejected["reasons"][0]
        # AND a redelivery of it records nothing twice and fails nothing
        assert provider.visits.sqs("on_visit_events", [json.dumps(bad)], ["m-bad"]) == {"batchItemFailures": []}
        # AND it is corrected like any other rejected event
        fixed = {k: v for k, v in bad.items() if k != "staff_id"}
        fixed.update(event_id=str(uuid.uuid4()), device_time=(morning + timedelta(hours=2)).isoformat())
        r = provider.visits.post(f"/rejected-events/{bad['event_id']}/corrections", fixed, token=provider.token)
        assert r.status == 202, r.json
        provider.deliver()
        assert listed(provider, bad["event_id"])["status"] == "corrected"
        assert len(provider.month_visits(pnr, morning)) == 2

    def test_a_client_day_whose_rebuild_fails_fails_no_one_else(self, provider, morning):
        # GIVEN a rebuild that fails for any closed visit (a fault injected through the settings:
        # the long-visit limit cannot be compared), and a batch with a closed visit at one client
        # and an arrival at another
        broken = dataclasses.replace(deps(), long_visit_minutes=None)
        crashing, tag_c = provider.new_client()
        fine, tag_f = provider.new_client()
        events = [provider.event("arrival", crashing, tag_c, morning),
                  provider.event("departure", crashing, tag_c, morning + timedelta(minutes=30)),
                  provider.event("arrival", fine, tag_f, morning)]
        batch = [(f"m-{i}", VisitEvent.model_validate(e)) for i, e in enumerate(events)]
        # WHEN it is processed THEN no message comes back
        assert ingest_events(broken, batch) == set()
        # AND the other client's visit is stored, the failing day's events are listed as rejected
        (open_visit,) = provider.month_visits(fine, morning)
        assert open_visit["status"] == "open"
        assert provider.month_visits(crashing, morning) == []
        for e in events[:2]:
            rejected = listed(provider, e["event_id"])
            assert rejected["origin"] == "unprocessable" and "TypeError" in rejected["reasons"][0]

    def test_a_day_failing_on_what_it_held_before_returns_only_its_messages(self, provider, morning):
        # GIVEN a closed visit stored at one client, and a rebuild that fails for any closed visit
        held, tag_h = provider.new_client()
        provider.post([provider.event("arrival", held, tag_h, morning),
                       provider.event("departure", held, tag_h, morning + timedelta(minutes=30))])
        provider.deliver()
        broken = dataclasses.replace(deps(), long_visit_minutes=None)
        fine, tag_f = provider.new_client()
        late = provider.event("insats", held, tag_h, morning + timedelta(minutes=10), insats="dusch")
        batch = [("m-held", VisitEvent.model_validate(late)),
                 ("m-fine", VisitEvent.model_validate(provider.event("arrival", fine, tag_f, morning)))]
        # WHEN a batch brings an event to that day and one to another client
        # THEN only that day's message comes back, its event is not called unprocessable, the other is done
        assert ingest_events(broken, batch) == {"m-held"}
        assert listed(provider, late["event_id"]) is None
        assert provider.month_visits(fine, morning)[0]["status"] == "open"
        # AND once the fault is gone, its redelivery completes the visit
        assert ingest_events(deps(), batch[:1]) == set()
        (visit,) = provider.month_visits(held, morning)
        assert visit["insatser"] == ["dusch"]
