"""Visits through the real path: API → SQS → processor → table, on a moto server."""
import uuid
from datetime import datetime, timedelta, timezone

from services.adapters.aws import client, queue_url
from tests.integration.visits.conftest import shape
from tests.support.stack import drain
from tests.unit.visits.support import PEOPLE


def test_events_are_accepted_at_once_and_become_a_visit(provider, morning):
    pnr, tag = provider.new_client()
    events = [provider.event("arrival", pnr, tag, morning),
              provider.event("insats", pnr, tag, morning + timedelta(minutes=5), insats="personlig_omsorg"),
              provider.event("insats", pnr, tag, morning + timedelta(minutes=6), insats="service"),
              provider.event("departure", pnr, tag, morning + timedelta(minutes=45))]
    r = provider.post(events)
    assert r.status == 202 and r.json["accepted"] == 4
    assert provider.deliver() == [{"batchItemFailures": []}]
    (visit,) = provider.month_visits(pnr, morning)
    assert visit["minutes"] == 45 and visit["insatser"] == ["personlig_omsorg", "service"]
    assert visit["status"] == "registered" and visit["client"].endswith("-****")


def test_late_duplicated_reordered_events_build_the_same_visits(provider, morning):
    pnr_a, tag_a = provider.new_client()
    pnr_b, tag_b = provider.new_client()

    def day(pnr, tag):
        return [provider.event("arrival", pnr, tag, morning),
                provider.event("insats", pnr, tag, morning + timedelta(minutes=3), insats="dusch"),
                provider.event("departure", pnr, tag, morning + timedelta(minutes=30)),
                provider.event("arrival", pnr, tag, morning + timedelta(hours=5)),
                provider.event("insats", pnr, tag, morning + timedelta(hours=5, minutes=1), insats="matdistribution"),
                provider.event("departure", pnr, tag, morning + timedelta(hours=5, minutes=20)),
                provider.event("arrival", pnr, tag, morning + timedelta(minutes=1), staff="bo"),
                provider.event("double_staffing", pnr, tag, morning + timedelta(minutes=2), staff="bo"),
                provider.event("departure", pnr, tag, morning + timedelta(minutes=31), staff="bo")]

    provider.post(day(pnr_a, tag_a))
    provider.deliver()
    in_order = provider.month_visits(pnr_a, morning)
    provider.post(day(pnr_b, tag_b))
    provider.deliver(shuffle=True, duplicate=True)
    scrambled = provider.month_visits(pnr_b, morning)
    assert len(in_order) == 3 and shape(in_order) == shape(scrambled)
    assert sum(v["double_staffing"] for v in scrambled) == 2


def test_events_of_another_provider_are_refused_and_nothing_is_queued(provider, morning):
    pnr, tag = provider.new_client()
    event = provider.event("arrival", pnr, tag, morning)
    event["provider_id"] = "someone-else"
    r = provider.post([event])
    assert r.status == 422 and r.json["errors"][0]["field"] == "events.0.provider_id"
    assert drain(queue_url("visits-ingest"), client("sqs")) == []


def test_malformed_events_name_their_fields(provider, morning):
    pnr, tag = provider.new_client()
    event = provider.event("insats", pnr, tag, morning.replace(tzinfo=None), receipt={"method": "manual"})
    event["client"] = PEOPLE["luhn_invalid"]
    r = provider.post([event])
    assert r.status == 422
    named = {e["field"] for e in r.json["errors"]}
    assert {"events.0.client", "events.0.device_time", "events.0.receipt"} <= named
    assert drain(queue_url("visits-ingest"), client("sqs")) == []


class TestChecks:
    def test_what_fails_a_check_is_rejected_listed_and_correctable(self, provider, morning):
        pnr, tag = provider.new_client()
        other_pnr, other_tag = provider.new_client()
        wrong_tag = provider.event("arrival", pnr, other_tag, morning)
        stranger = provider.event("arrival", pnr, tag, morning, staff="not-ours")
        future = provider.event("arrival", pnr, tag, datetime.now(timezone.utc) + timedelta(hours=2))
        provider.post([wrong_tag, stranger, future])
        provider.deliver()
        rejected = {r["event"]["event_id"]: r for r in provider.visits.get("/rejected-events",
                                                                           token=provider.token).json}
        assert "not registered to this client" in rejected[wrong_tag["event_id"]]["reasons"][0]
        assert "does not belong" in rejected[stranger["event_id"]]["reasons"][0]
        assert "future" in rejected[future["event_id"]]["reasons"][0]
        assert provider.month_visits(pnr, morning) == []

        fixed = dict(wrong_tag, event_id=str(uuid.uuid4()), receipt={"method": "nfc", "device_id": tag})
        r = provider.visits.post(f"/rejected-events/{wrong_tag['event_id']}/corrections", fixed,
                                 token=provider.token)
        assert r.status == 202
        provider.deliver()
        listed = {r["event"]["event_id"]: r for r in provider.visits.get("/rejected-events",
                                                                         token=provider.token).json}
        assert listed[wrong_tag["event_id"]]["status"] == "corrected"
        assert len(provider.month_visits(pnr, morning)) == 1

    def test_a_composition_breach_is_rejected_not_merged(self, provider, morning):
        pnr, tag = provider.new_client()
        tillsyn = provider.event("insats", pnr, tag, morning + timedelta(minutes=4), insats="tillsyn_service")
        provider.post([provider.event("arrival", pnr, tag, morning),
                       provider.event("insats", pnr, tag, morning + timedelta(minutes=2), insats="service"),
                       tillsyn, provider.event("departure", pnr, tag, morning + timedelta(minutes=20))])
        provider.deliver()
        (visit,) = provider.month_visits(pnr, morning)
        assert visit["insatser"] == ["service"]
        rejected = [r for r in provider.visits.get("/rejected-events", token=provider.token).json
                    if r["event"]["event_id"] == tillsyn["event_id"]]
        assert "supervision" in rejected[0]["reasons"][0]


def test_every_change_emits_visit_changed_for_reports_and_billing(provider, morning):
    sqs = client("sqs")
    drain(queue_url("billing-inbox"), sqs)
    pnr, tag = provider.new_client()
    provider.post([provider.event("arrival", pnr, tag, morning),
                   provider.event("departure", pnr, tag, morning + timedelta(minutes=10))])
    provider.deliver()
    import json
    changes = [json.loads(m["Body"]) for m in drain(queue_url("billing-inbox"), sqs, wait=1)]
    mine = [c for c in changes if c["event_type"] == "visit.changed" and c["payload"]["provider_id"] == provider.id]
    assert mine and {c["payload"]["change"] for c in mine} <= {"created", "updated"}
    assert mine[-1]["payload"]["visit_version"] >= 1
