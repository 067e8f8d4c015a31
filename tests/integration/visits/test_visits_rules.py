"""Visits on the moto server: kinds of visits, versions and VisitChanged for every change, the lock
date over HTTP, bad input that stores nothing, granted time, tags, partial batch failures and the
outbox relay from the table's stream."""
import dataclasses
import json
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.auth.principal import Principal, Role
from services.adapters.aws import client, queue_url
from services.contracts.events import DecisionPublished, DecisionPublishedV2, GrantedTime, VisitChanged
from services.domain.calendar import month_of
from services.domain.errors import Conflict
from services.visits.bootstrap import deps
from services.visits.domain.model import Visit
from services.visits.usecases.day_writes import write_as
from services.visits.usecases.devices import order_tags, retire_tag
from tests.support.people import new_pnr
from tests.support.stack import drain


def staff_of(provider):
    return Principal(subject="anna", role=Role.PROVIDER_STAFF, user_id="anna", provider_id=provider.id)


def month(at):
    return "%04d-%02d" % month_of(at)


def test_unplanned_temporary_stay_and_outside_home_visits(provider, morning):
    pnr, tag = provider.new_client()
    provider.post([
        provider.event("arrival", pnr, tag, morning, unplanned=True, temporary_stay=True),
        provider.event("insats", pnr, tag, morning + timedelta(minutes=1), insats="dusch"),
        provider.event("departure", pnr, tag, morning + timedelta(minutes=20)),
        provider.event("arrival", pnr, tag, morning + timedelta(hours=2),
                       receipt={"method": "manual", "manual_reason": "started_outside_home"}),
        provider.event("insats", pnr, tag, morning + timedelta(hours=2, minutes=1), insats="inkop",
                       location="outside", receipt={"method": "manual", "manual_reason": "started_outside_home"}),
        provider.event("departure", pnr, tag, morning + timedelta(hours=2, minutes=40)),
    ])
    provider.deliver()
    stay, errand = provider.month_visits(pnr, morning)
    assert stay["unplanned"] and stay["temporary_stay"] and stay["insatser"] == ["tillfallig_vistelse"]
    assert errand["location"] == "outside" and errand["insatser"] == ["inkop"]
    assert [(d["code"], d["status"], d["reason"]) for d in errand["deviations"]] == \
        [("manual_receipt", "pending", "started_outside_home")]


def test_every_change_is_versioned_with_who_when_why_and_announced(provider, morning):
    sqs = client("sqs")
    pnr, tag = provider.new_client()
    provider.post([provider.event("arrival", pnr, tag, morning),
                   provider.event("departure", pnr, tag, morning + timedelta(minutes=30))])
    provider.deliver()
    (visit,) = provider.month_visits(pnr, morning)
    drain(queue_url("billing-inbox"), sqs)
    v, path = provider.visits, f"/visits/{visit['visit_id']}"
    a = v.post(f"{path}/approve", {"reason": "stämmer", "version": visit["version"]}, token=provider.coordinator).json
    u = v.post(f"{path}/unapprove", {"reason": "ska ändras", "version": a["version"]}, token=provider.coordinator).json
    e = v.patch(path, {"reason": "glömde dusch", "version": u["version"], "insatser": ["dusch"]},
                token=provider.token).json
    assert [h["change"] for h in e["history"]] == ["created", "approved", "unapproved", "edited"]
    assert [h["version"] for h in e["history"]] == [1, 2, 3, 4]
    assert [h["why"] for h in e["history"][1:]] == ["stämmer", "ska ändras", "glömde dusch"]
    assert [h["by"] for h in e["history"][1:]] == ["provider_coordinator:cora", "provider_coordinator:cora",
                                                   "provider_staff:anna"]
    assert all(h["at"] for h in e["history"])
    assert (a["approved_by"], u["approved_by"]) == ("provider_coordinator:cora", None)
    assert e["deviations"] == [] and e["edited"]  # insatser only: no adjusted time
    changes = [json.loads(m["Body"])["payload"] for m in drain(queue_url("billing-inbox"), sqs, wait=1)]
    mine = sorted((c["visit_version"], c["change"], c["year"], c["month"]) for c in changes
                  if c["visit_id"] == visit["visit_id"])
    assert mine == [(2, "approved", *month_of(morning)), (3, "unapproved", *month_of(morning)),
                    (4, "edited", *month_of(morning))]


def test_an_approval_needs_an_ended_visit_and_the_current_version(provider, morning):
    pnr, tag = provider.new_client()
    provider.post([provider.event("arrival", pnr, tag, morning)])
    provider.deliver()
    (visit,) = provider.month_visits(pnr, morning)
    path = f"/visits/{visit['visit_id']}/approve"
    r = provider.visits.post(path, {"reason": "klart", "version": visit["version"]}, token=provider.coordinator)
    assert r.status == 409 and "open" in r.json["detail"]
    r = provider.visits.post(path, {"reason": "klart", "version": visit["version"] + 5}, token=provider.coordinator)
    assert r.status == 409 and "reload" in r.json["detail"]


def test_a_visit_of_a_locked_month_refuses_every_change_and_says_why(provider):
    # GIVEN a visit of January 2025 (its lock date, 5 February 2025, has passed)
    pnr, _ = provider.new_client()
    start = datetime(2025, 1, 20, 8, tzinfo=timezone.utc)
    old = Visit(visit_id=str(uuid.uuid4()), provider_id=provider.id, client=pnr, staff_id="anna", started_at=start,
                ended_at=start + timedelta(minutes=30), status="registered")
    saved = write_as(deps(), None, old, "created", by="test", why="a visit of a locked month")
    v, path = provider.visits, f"/visits/{saved.visit_id}"
    assert v.get(path, token=provider.token).json["locked"] is True
    # WHEN the provider edits, approves; the case worker decides THEN 409 period-locked, with the lock date
    for r in (v.patch(path, {"reason": "fel tid", "version": 1, "ended_at": (start + timedelta(minutes=20)).isoformat()},
                      token=provider.token),
              v.post(f"{path}/approve", {"reason": "stämmer", "version": 1}, token=provider.coordinator)):
        assert r.status == 409 and r.json["type"] == "urn:insats:problem:period-locked"
        assert "2025-02-05" in r.json["detail"] and "nothing of that month changes" in r.json["detail"]
    assert v.get(path, token=provider.token).json["version"] == 1


def test_an_edit_keeps_a_visit_on_its_day_and_out_of_locked_months(provider, morning):
    pnr, tag = provider.new_client()
    provider.post([provider.event("arrival", pnr, tag, morning),
                   provider.event("departure", pnr, tag, morning + timedelta(minutes=30))])
    provider.deliver()
    (visit,) = provider.month_visits(pnr, morning)
    path = f"/visits/{visit['visit_id']}"
    r = provider.visits.patch(path, {"reason": "fel dag", "version": visit["version"],
                                     "started_at": "2025-01-20T08:00:00+01:00"}, token=provider.token)
    assert r.status == 409 and r.json["type"] == "urn:insats:problem:period-locked"
    r = provider.visits.patch(path, {"reason": "fel dag", "version": visit["version"],
                                     "started_at": (morning - timedelta(days=1)).isoformat()}, token=provider.token)
    assert r.status == 422 and r.json["errors"][0]["field"] == "started_at"
    r = provider.visits.patch(path, {"reason": "kom tidigare", "version": visit["version"],
                                     "started_at": (morning - timedelta(minutes=10)).isoformat()},
                              token=provider.token)
    assert r.status == 200 and r.json["minutes"] == 40
    assert [d["code"] for d in r.json["deviations"]] == ["adjusted_time"]
    # a later event of that day leaves the edited visit as it is, and is listed with why
    late = provider.event("insats", pnr, tag, morning + timedelta(minutes=5), insats="dusch")
    provider.post([late])
    provider.deliver()
    (after,) = provider.month_visits(pnr, morning)
    assert after["version"] == r.json["version"] and after["minutes"] == 40 and after["insatser"] == []
    (held,) = [x for x in provider.visits.get("/rejected-events", token=provider.token).json
               if x["event_id"] == late["event_id"]]
    assert "is edited" in held["reasons"][0]


class TestBadInputStoresNothing:
    def test_too_many_or_twice_named_events(self, provider, morning):
        pnr, tag = provider.new_client()
        many = [provider.event("arrival", pnr, tag, morning) for _ in range(101)]
        r = provider.post(many)
        assert r.status == 422 and r.json["errors"][0]["field"] == "events"
        one = provider.event("arrival", pnr, tag, morning)
        r = provider.post([one, dict(one)])
        assert r.status == 422 and r.json["errors"][0]["field"] == "events.1.event_id"
        assert drain(queue_url("visits-ingest"), client("sqs")) == []

    def test_post_registrations_that_break_a_rule(self, provider, morning):
        pnr, _ = provider.new_client()
        good = {"client": pnr, "staff_id": "anna", "started_at": morning.isoformat(),
                "ended_at": (morning + timedelta(minutes=20)).isoformat(), "insatser": ["dusch"],
                "reason_code": "technology_failure", "reason": "låset svarade inte"}
        cases = {"insatser": {**good, "insatser": ["massage"]},
                 "staff_id": {**good, "staff_id": "not-ours"},
                 "ended_at": {**good, "ended_at": (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()}}
        for field, body in cases.items():
            r = provider.visits.post("/visits", body, token=provider.token)
            assert r.status == 422 and r.json["errors"][0]["field"] == field, (field, r.json)
        mixed = provider.visits.post("/visits", {**good, "insatser": ["tillsyn_service", "dusch"]},
                                     token=provider.token)
        assert mixed.status == 422 and "on its own" in mixed.json["errors"][0]["detail"]
        assert provider.month_visits(pnr, morning) == []

    def test_absences_in_the_future_or_a_locked_month(self, provider, morning):
        pnr, _ = provider.new_client()
        before = provider.visits.get("/absences", token=provider.token).json
        future = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
        r = provider.visits.post("/absences", {"client": pnr, "kind": "hospital", "starts_on": "2026-11-01",
                                               "learned_at": future}, token=provider.token)
        assert r.status == 422 and r.json["errors"][0]["field"] == "learned_at"
        r = provider.visits.post("/absences", {"client": pnr, "kind": "short_term_stay", "starts_on": "2025-01-10",
                                               "learned_at": morning.isoformat()}, token=provider.token)
        assert r.status == 409 and r.json["type"] == "urn:insats:problem:period-locked"
        assert provider.visits.get("/absences", token=provider.token).json == before

    def test_tag_orders_and_binds(self, provider):
        v = provider.visits
        assert v.post("/devices/orders", {"count": 51}, token=provider.token).status == 422
        assert v.post("/devices/orders", {"count": 1, "kind": "padlock"}, token=provider.token).status == 422
        assert v.get("/devices", token=provider.token).json == []
        (tag,) = v.post("/devices/orders", {"count": 1}, token=provider.token).json
        r = v.post(f"/devices/{tag['device_id']}/bind", {"client": "12345"}, token=provider.token)
        assert r.status == 422 and r.json["errors"][0]["field"] == "client"
        assert v.get("/devices", token=provider.token).json[0]["status"] == "ordered"
        assert v.post("/devices/TAG-NOPE/bind", {"client": new_pnr(1932)}, token=provider.token).status == 404

    def test_a_deviation_decision_names_an_existing_deviation(self, provider, morning, token):
        pnr, tag = provider.new_client()
        provider.decided_by(pnr, "hl-3")  # hl-3 is the client's case worker: the index is what is wrong
        provider.post([provider.event("arrival", pnr, tag, morning),
                       provider.event("departure", pnr, tag, morning + timedelta(minutes=30))])
        provider.deliver()
        (visit,) = provider.month_visits(pnr, morning)
        r = provider.visits.post(f"/visits/{visit['visit_id']}/deviation-decisions",
                                 {"index": 0, "decision": "approved", "reason": "ok ok"},
                                 token=token("case_worker", user_id="hl-3"))
        assert r.status == 422 and r.json["errors"][0]["field"] == "index"


class TestGrantedTime:
    def decide(self, provider, pnr, minutes, outcome="granted", decided=None, lines=None):
        first = date(*month_of(datetime.now(timezone.utc) - timedelta(days=1)), 1)
        kind, extra = (DecisionPublishedV2, {"granted": lines, "provider_id": provider.id}) if lines \
            else (DecisionPublished, {})
        d = kind(decision_id=str(uuid.uuid4()), case_id="c", case_number="2026-9", client=pnr,
                 insats="hemtjanst", law="SoL", outcome=outcome, granted_minutes_per_month=minutes,
                 valid_from=first, decided_at=decided or datetime.now(timezone.utc), **extra)
        assert provider.visits.sqs("on_event", [d.envelope("eservices").model_dump_json()]) == \
            {"batchItemFailures": []}

    def visits_of(self, provider, pnr, morning, count):
        for i in range(count):
            start = morning + timedelta(hours=2 * i)
            tag = provider.tags[pnr]
            provider.post([provider.event("arrival", pnr, tag, start),
                           provider.event("departure", pnr, tag, start + timedelta(minutes=30))])
        provider.deliver()
        return [[d["code"] for d in v["deviations"]] for v in provider.month_visits(pnr, morning)]

    @pytest.fixture()
    def client_with_tag(self, provider):
        pnr, tag = provider.new_client()
        provider.tags = {pnr: tag}
        return pnr

    def test_without_a_decision_each_visit_waits_for_the_case_worker(self, provider, morning):
        # GIVEN a client no home-care decision covers WHEN visits are registered
        # THEN each has a pending no_decision deviation, and no time is compared
        pnr, tag = provider.new_client(decision=False)
        provider.tags = {pnr: tag}
        assert self.visits_of(provider, pnr, morning, 2) == [["no_decision"], ["no_decision"]]

    def test_a_refusal_revokes_no_granted_time(self, provider, morning, client_with_tag):
        self.decide(provider, client_with_tag, 60)
        self.decide(provider, client_with_tag, None, outcome="refused")
        assert self.visits_of(provider, client_with_tag, morning, 2) == [[], []]

    def test_the_latest_decision_replaces_the_former(self, provider, morning, client_with_tag):
        earlier = datetime.now(timezone.utc) - timedelta(days=3)
        self.decide(provider, client_with_tag, 600, decided=earlier)
        self.decide(provider, client_with_tag, 45)
        flags = self.visits_of(provider, client_with_tag, morning, 2)
        assert flags == [[], ["over_granted_time"]]

    def test_a_v2_decision_with_lines_per_insats_is_granted_time_too(self, provider, morning, client_with_tag):
        # GIVEN a v1 grant, then a later v2 grant of 45 minutes broken down per insats
        earlier = datetime.now(timezone.utc) - timedelta(days=3)
        self.decide(provider, client_with_tag, 600, decided=earlier)
        self.decide(provider, client_with_tag, 45, lines=[GrantedTime(insats="personlig_omsorg", minutes_per_month=30),
                                                          GrantedTime(insats="service", minutes_per_month=15)])
        # WHEN two 30-minute visits are registered THEN the v2 grant stands: the second is over granted time
        assert self.visits_of(provider, client_with_tag, morning, 2) == [[], ["over_granted_time"]]


class TestTagLimit:
    def test_retiring_a_tag_makes_room_for_another(self, provider):
        limited = dataclasses.replace(deps(), tag_limit=2)
        staff = staff_of(provider)
        first, _ = order_tags(limited, staff, 2, "nfc")
        with pytest.raises(Conflict, match="at most 2"):
            order_tags(limited, staff, 1, "nfc")
        retire_tag(limited, staff, first.device_id)
        (lock,) = order_tags(limited, staff, 1, "digital_lock")
        assert lock.device_id.startswith("LOCK-")


def test_a_malformed_message_fails_alone_and_the_rest_is_processed(provider, morning):
    pnr, tag = provider.new_client()
    good = [provider.event("arrival", pnr, tag, morning),
            provider.event("departure", pnr, tag, morning + timedelta(minutes=15))]
    result = provider.visits.sqs("on_visit_events", [json.dumps(good[0]), "{not json", json.dumps(good[1])],
                                 ["m-1", "m-bad", "m-3"])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}
    (visit,) = provider.month_visits(pnr, morning)
    assert visit["minutes"] == 15


def test_the_relay_publishes_what_a_write_left_in_its_outbox(provider, app_client):
    from services.adapters.outbox import StreamCursor, outbox_value

    sqs = client("sqs")
    drain(queue_url("billing-inbox"), sqs)
    changed = VisitChanged(visit_id=str(uuid.uuid4()), client=new_pnr(1933), provider_id=provider.id, year=2026,
                           month=11, visit_version=1, change="created")
    envelope = changed.envelope("visits", occurred_at=datetime.now(timezone.utc) - timedelta(minutes=5))
    deps().days.table.put_item(Item={"pk": f"OUTBOX#{envelope.event_id}", "sk": "OUTBOX",
                                     "outbox": outbox_value([envelope])})
    records = []
    StreamCursor(deps().days.table.name).poll(lambda page: records.extend(page) or [])
    mine = [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"] == f"OUTBOX#{envelope.event_id}"]
    # WHEN the app's stream relay gets the write's stream record (as Lambda delivers it)
    chalice = provider.visits._client
    result = chalice.lambda_.invoke("relay_outbox", {"Records": mine}).payload
    assert result == {"batchItemFailures": []}
    relayed = [json.loads(m["Body"]) for m in drain(queue_url("billing-inbox"), sqs, wait=1, relay=False)]
    assert envelope.event_id in {e["event_id"] for e in relayed}
