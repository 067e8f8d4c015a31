"""Checks through the real path (API → SQS → processor): what fails becomes a rejected event the
provider lists and corrects — never dropped. Events no arrival explains wait as rejected events and
are withdrawn when their arrival comes."""
import uuid
from datetime import datetime, timedelta, timezone

from services.visits.bootstrap import deps
from services.visits.domain.model import Device


def rejected(provider, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    r = provider.visits.get(f"/rejected-events{'?' + qs if qs else ''}", token=provider.token)
    assert r.status == 200, r.json
    return {x["event_id"]: x for x in r.json}


def test_unknown_retired_foreign_and_wrong_kind_devices_are_refused(provider, morning):
    pnr, tag = provider.new_client()
    now = datetime.now(timezone.utc)
    retired = f"TAG-{uuid.uuid4().hex[:10]}"
    deps().devices.put_device(Device(device_id=retired, kind="nfc", provider_id=provider.id, client=pnr,
                                  status="retired", ordered_at=now, bound_at=now, retired_at=now))
    foreign = f"TAG-{uuid.uuid4().hex[:10]}"
    deps().devices.put_device(Device(device_id=foreign, kind="nfc", provider_id="prov-other", client=pnr,
                                  status="bound", ordered_at=now, bound_at=now))
    events = {
        "unknown": provider.event("arrival", pnr, "TAG-NEVER-ORDERED", morning),
        "retired": provider.event("arrival", pnr, retired, morning),
        "foreign": provider.event("arrival", pnr, foreign, morning),
        "lock": provider.event("arrival", pnr, tag, morning, receipt={"method": "digital_lock", "device_id": tag}),
    }
    provider.post(list(events.values()))
    assert provider.deliver() == [{"batchItemFailures": []}]
    listed = rejected(provider)
    reasons = {name: listed[e["event_id"]]["reasons"] for name, e in events.items()}
    assert reasons == {"unknown": ["the NFC tag is not registered"],
                       "retired": ["the NFC tag is not registered to this client"],
                       "foreign": ["the NFC tag is registered to another provider"],
                       "lock": [f"{tag} is an NFC tag, not a digital lock (receipt method nfc)"]}
    assert all(listed[e["event_id"]]["origin"] == "checks" for e in events.values())
    assert provider.month_visits(pnr, morning) == []


def test_an_event_of_a_locked_month_is_rejected_with_the_lock_date(provider):
    pnr, tag = provider.new_client()
    january = datetime(2025, 1, 10, 8, tzinfo=timezone.utc)
    late = provider.event("arrival", pnr, tag, january)
    provider.post([late, provider.event("departure", pnr, tag, january + timedelta(minutes=30))])
    provider.deliver()
    (reason,) = rejected(provider)[late["event_id"]]["reasons"]
    assert "2025-01 is locked" in reason and "2025-02-05" in reason
    assert provider.month_visits(pnr, january) == []


def test_a_phone_clock_a_little_ahead_is_accepted(provider):
    pnr, tag = provider.new_client()
    ahead = provider.event("arrival", pnr, tag, datetime.now(timezone.utc) + timedelta(minutes=3))
    provider.post([ahead])
    provider.deliver()
    assert ahead["event_id"] not in rejected(provider)
    (visit,) = provider.month_visits(pnr, datetime.now(timezone.utc) + timedelta(minutes=3))
    assert visit["status"] == "open"


def test_a_departure_waits_as_rejected_until_its_arrival_comes(provider, morning):
    # GIVEN a departure whose arrival is still on an offline phone
    pnr, tag = provider.new_client()
    departure = provider.event("departure", pnr, tag, morning + timedelta(minutes=25))
    provider.post([departure])
    provider.deliver()
    held = rejected(provider)[departure["event_id"]]
    assert held["origin"] == "orphan" and "no arrival" in held["reasons"][0] and held["status"] == "open"
    assert provider.month_visits(pnr, morning) == []
    # WHEN the arrival comes THEN the visit is built and the rejection withdrawn
    provider.post([provider.event("arrival", pnr, tag, morning)])
    provider.deliver()
    (visit,) = provider.month_visits(pnr, morning)
    assert visit["minutes"] == 25 and visit["status"] == "registered"
    assert departure["event_id"] not in rejected(provider)


def test_a_visit_across_midnight_is_one_visit_whatever_the_order(provider):
    pnr, tag = provider.new_client()
    stockholm = timezone(timedelta(hours=1))
    evening = (datetime.now(stockholm) - timedelta(days=2)).replace(hour=23, minute=50, second=0, microsecond=0)
    if evening.day == 1 or (evening + timedelta(days=1)).day == 1:
        evening -= timedelta(days=2)  # stay inside one month, for the lookup below
    departure = provider.event("departure", pnr, tag, evening + timedelta(minutes=30))
    provider.post([departure])
    provider.deliver()
    assert rejected(provider)[departure["event_id"]]["origin"] == "orphan"
    provider.post([provider.event("arrival", pnr, tag, evening)])
    provider.deliver()
    (visit,) = provider.month_visits(pnr, evening)
    assert visit["minutes"] == 30 and visit["status"] == "registered"
    assert departure["event_id"] not in rejected(provider)


class TestCorrections:
    def test_a_wrong_departure_is_corrected_and_stays_corrected(self, provider, morning):
        # GIVEN a departure stamped before its arrival (a wrong phone clock)
        pnr, tag = provider.new_client()
        wrong = provider.event("departure", pnr, tag, morning - timedelta(minutes=10))
        provider.post([provider.event("arrival", pnr, tag, morning), wrong])
        provider.deliver()
        (visit,) = provider.month_visits(pnr, morning)
        assert visit["status"] == "open" and rejected(provider)[wrong["event_id"]]["origin"] == "orphan"
        # WHEN the provider corrects it
        fixed = dict(wrong, event_id=str(uuid.uuid4()), device_time=(morning + timedelta(minutes=40)).isoformat())
        r = provider.visits.post(f"/rejected-events/{wrong['event_id']}/corrections", fixed, token=provider.token)
        assert r.status == 202, r.json
        provider.deliver()
        # THEN the visit closes with the corrected time and the original is marked, with who and when
        (visit,) = provider.month_visits(pnr, morning)
        assert visit["minutes"] == 40 and visit["status"] == "registered"
        marked = rejected(provider)[wrong["event_id"]]
        assert marked["status"] == "corrected" and marked["corrected_by_event"] == fixed["event_id"]
        assert marked["corrected_by"] and marked["corrected_at"]
        # AND a later rebuild of the day (another visit) neither reopens it nor counts the original again
        provider.post([provider.event("arrival", pnr, tag, morning + timedelta(hours=3)),
                       provider.event("departure", pnr, tag, morning + timedelta(hours=3, minutes=10))])
        provider.deliver()
        assert rejected(provider)[wrong["event_id"]]["status"] == "corrected"
        assert sorted(v["minutes"] for v in provider.month_visits(pnr, morning)) == [10, 40]
        assert wrong["event_id"] not in rejected(provider, status="open")

    def test_a_correction_is_a_new_event_made_once(self, provider, morning):
        pnr, tag = provider.new_client()
        wrong = provider.event("arrival", pnr, "TAG-NEVER-ORDERED", morning)
        provider.post([wrong])
        provider.deliver()
        path = f"/rejected-events/{wrong['event_id']}/corrections"
        fixed = dict(wrong, receipt={"method": "nfc", "device_id": tag})
        same = provider.visits.post(path, fixed, token=provider.token)
        assert same.status == 422 and same.json["errors"][0]["field"] == "event_id"
        bad = provider.visits.post(path, dict(fixed, event_id=str(uuid.uuid4()), device_time="yesterday"),
                                   token=provider.token)
        assert bad.status == 422 and bad.json["errors"][0]["field"] == "device_time"
        assert rejected(provider)[wrong["event_id"]]["status"] == "open"
        first = provider.visits.post(path, dict(fixed, event_id=str(uuid.uuid4())), token=provider.token)
        assert first.status == 202
        again = provider.visits.post(path, dict(fixed, event_id=str(uuid.uuid4())), token=provider.token)
        assert again.status == 409
        assert provider.visits.post("/rejected-events/00000000-0000-0000-0000-000000000000/corrections",
                                    dict(fixed, event_id=str(uuid.uuid4())), token=provider.token).status == 404

    def test_only_the_staff_member_whose_event_it_is_corrects_it(self, provider, morning):
        # GIVEN bo's arrival refused (a tag never ordered)
        pnr, tag = provider.new_client()
        wrong = provider.event("arrival", pnr, "TAG-NEVER-ORDERED", morning, staff="bo")
        provider.post([wrong])
        provider.deliver()
        # WHEN anna sends a correction for it THEN refused, and it stays open for bo
        fixed = dict(wrong, event_id=str(uuid.uuid4()), staff_id="anna", receipt={"method": "nfc", "device_id": tag})
        r = provider.visits.post(f"/rejected-events/{wrong['event_id']}/corrections", fixed, token=provider.token)
        assert r.status == 403
        r = provider.visits.post(f"/rejected-events/{wrong['event_id']}/corrections", fixed,
                                 token=provider.token_of("bo"))  # bo, naming anna as its staff member
        assert r.status == 422 and r.json["errors"][0]["field"] == "staff_id"
        assert rejected(provider)[wrong["event_id"]]["status"] == "open"
        r = provider.visits.post(f"/rejected-events/{wrong['event_id']}/corrections",
                                 {k: v for k, v in fixed.items() if k != "staff_id"}, token=provider.token_of("bo"))
        assert r.status == 202, r.json
        provider.deliver()
        (visit,) = provider.month_visits(pnr, morning)
        assert visit["staff_id"] == "bo"

    def test_a_resend_of_a_corrected_event_counts_no_more(self, provider, morning):
        # GIVEN an arrival rejected (a tag never ordered) and corrected
        pnr, tag = provider.new_client()
        later = f"TAG-{uuid.uuid4().hex[:10]}"
        original = provider.event("arrival", pnr, later, morning)
        provider.post([original, provider.event("departure", pnr, tag, morning + timedelta(minutes=30))])
        provider.deliver()
        fixed = dict(original, event_id=str(uuid.uuid4()), receipt={"method": "nfc", "device_id": tag})
        provider.visits.post(f"/rejected-events/{original['event_id']}/corrections", fixed, token=provider.token)
        provider.deliver()
        assert len(provider.month_visits(pnr, morning)) == 1
        # WHEN the tag becomes known and the offline phone resends the original
        now = datetime.now(timezone.utc)
        deps().devices.put_device(Device(device_id=later, kind="nfc", provider_id=provider.id, client=pnr,
                                      status="bound", ordered_at=now, bound_at=now))
        provider.post([original])
        provider.deliver()
        # THEN it is ignored: still one visit, of the corrected time
        (visit,) = provider.month_visits(pnr, morning)
        assert visit["minutes"] == 30
        assert rejected(provider)[original["event_id"]]["status"] == "corrected"


def test_a_staff_member_removed_from_the_registry_is_refused_afterwards(provider, morning):
    pnr, tag = provider.new_client()
    v = provider.visits
    assert v.post("/staff", {"user_id": "dana"}, token=provider.coordinator).status == 201
    assert v.post("/staff", {"user_id": "dana smith"}, token=provider.coordinator).status == 422
    assert "dana" in {s["user_id"] for s in v.get("/staff", token=provider.coordinator).json}
    assert v.delete("/staff/dana", token=provider.coordinator).status == 200
    assert v.delete("/staff/dana", token=provider.coordinator).status == 404
    event = provider.event("arrival", pnr, tag, morning, staff="dana")
    provider.post([event])
    provider.deliver()
    assert rejected(provider)[event["event_id"]]["reasons"] == ["the staff member does not belong to the provider"]
