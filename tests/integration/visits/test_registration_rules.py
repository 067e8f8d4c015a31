"""What a provider meets when registering: the staff member of an event is the caller, a
post-registration never doubles a visit, what waits for the case worker cannot be approved, a
manual visit is one deviation, an edit keeps an insats, a lock is named a lock, a visit without a
decision is a deviation, and another provider's list is refused."""
import uuid
from datetime import date, datetime, timedelta, timezone

from services.adapters.aws import client, queue_url
from services.contracts.events import DecisionPublished
from services.domain.calendar import month_of
from tests.support.stack import drain


def visit_of(provider, morning, pnr=None, tag=None, minutes=30, **arrival):
    if pnr is None:
        pnr, tag = provider.new_client()
    provider.post([provider.event("arrival", pnr, tag, morning, **arrival),
                   provider.event("departure", pnr, tag, morning + timedelta(minutes=minutes), **arrival)])
    provider.deliver()
    return pnr, tag, provider.month_visits(pnr, morning)


def post_registration(pnr, start, minutes=30, **over):
    return {"client": pnr, "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=minutes)).isoformat(),
            "insatser": ["dusch"], "reason_code": "technology_failure", "reason": "låset svarade inte", **over}


class TestTheStaffMemberIsTheCaller:
    def test_events_in_another_staff_members_name_are_refused_and_nothing_is_queued(self, provider, morning):
        pnr, tag = provider.new_client()
        r = provider.visits.post("/visit-events", {"events": [provider.event("arrival", pnr, tag, morning,
                                                                             staff="bo")]}, token=provider.token)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["events.0.staff_id"]
        assert drain(queue_url("visits-ingest"), client("sqs")) == []

    def test_an_event_without_a_staff_id_is_the_callers(self, provider, morning):
        pnr, tag = provider.new_client()
        events = [provider.event("arrival", pnr, tag, morning), provider.event("departure", pnr, tag,
                                                                             morning + timedelta(minutes=20))]
        for e in events:
            del e["staff_id"]
        assert provider.visits.post("/visit-events", {"events": events}, token=provider.token_of("bo")).status == 202
        provider.deliver()
        (visit,) = provider.month_visits(pnr, morning)
        assert visit["staff_id"] == "bo"

    def test_a_post_registration_is_for_the_callers_own_visit(self, provider, morning):
        pnr, _ = provider.new_client()
        r = provider.visits.post("/visits", post_registration(pnr, morning, staff_id="bo"), token=provider.token)
        assert r.status == 422 and r.json["errors"][0]["field"] == "staff_id"
        r = provider.visits.post("/visits", post_registration(pnr, morning), token=provider.token)
        assert r.status == 201 and r.json["staff_id"] == "anna"


class TestPostRegistrationOverlap:
    def test_a_post_registration_may_not_overlap_the_staff_members_visit(self, provider, morning):
        # GIVEN anna's visit 06:00-06:30 registered from the phone
        pnr, tag, (visit,) = visit_of(provider, morning)
        other, _ = provider.new_client()
        # WHEN she post-registers 06:15-06:45 at another client THEN refused, naming the visit, nothing stored
        r = provider.visits.post("/visits", post_registration(other, morning + timedelta(minutes=15)),
                                 token=provider.token)
        assert r.status == 422 and r.json["errors"][0]["field"] == "started_at"
        assert visit["visit_id"] in r.json["errors"][0]["detail"]
        assert provider.month_visits(other, morning) == []
        # AND a second overlapping post-registration of her own is refused too
        assert provider.visits.post("/visits", post_registration(other, morning + timedelta(hours=2)),
                                    token=provider.token).status == 201
        assert provider.visits.post("/visits", post_registration(pnr, morning + timedelta(hours=2, minutes=10)),
                                    token=provider.token).status == 422
        # AND what only touches, or is another staff member's, is fine
        assert provider.visits.post("/visits", post_registration(other, morning + timedelta(minutes=30)),
                                    token=provider.token).status == 201
        assert provider.visits.post("/visits", post_registration(other, morning + timedelta(minutes=10)),
                                    token=provider.token_of("bo")).status == 201

    def test_an_edit_may_not_stretch_a_visit_over_another(self, provider, morning):
        pnr, tag, (first,) = visit_of(provider, morning)
        later = morning + timedelta(hours=1)
        _, _, visits = visit_of(provider, later, pnr, tag)
        second = next(v for v in visits if v["visit_id"] != first["visit_id"])
        r = provider.visits.patch(f"/visits/{second['visit_id']}", {
            "reason": "fel tid", "version": second["version"],
            "started_at": (morning + timedelta(minutes=20)).isoformat()}, token=provider.token)
        assert r.status == 422 and r.json["errors"][0]["field"] == "started_at"


class TestWaitingForTheCaseWorker:
    def test_a_visit_whose_manual_receipt_waits_cannot_be_approved(self, provider, morning, token):
        manual = {"receipt": {"method": "manual", "manual_reason": "technical_fault"}}
        pnr, tag, (visit,) = visit_of(provider, morning, **manual)
        provider.decided_by(pnr, "hl-9")  # the client's case worker
        # one visit with two manual receipts: one deviation
        assert [(d["code"], d["status"]) for d in visit["deviations"]] == [("manual_receipt", "pending")]
        path = f"/visits/{visit['visit_id']}"
        r = provider.visits.post(f"{path}/approve", {"reason": "stämmer", "version": visit["version"]},
                                 token=provider.approver)
        assert r.status == 409 and "manual_receipt" in r.json["detail"] and "case worker" in r.json["detail"]
        assert provider.visits.get(path, token=provider.token).json["status"] == "registered"
        # WHEN the case worker approves the manual receipt THEN the provider may approve
        decided = provider.visits.post(f"{path}/deviation-decisions",
                                       {"index": 0, "decision": "approved", "reason": "tekniskt fel"},
                                       token=token("case_worker", user_id="hl-9"))
        assert decided.status == 200, decided.json
        r = provider.visits.post(f"{path}/approve", {"reason": "stämmer", "version": decided.json["version"]},
                                 token=provider.approver)
        assert r.status == 200, r.json


class TestEditsAndDevices:
    def test_an_edit_to_no_insatser_is_refused(self, provider, morning):
        pnr, tag, (visit,) = visit_of(provider, morning)
        r = provider.visits.patch(f"/visits/{visit['visit_id']}", {"reason": "inget gjort", "version": visit["version"],
                                                                   "insatser": []}, token=provider.token)
        assert r.status == 422 and r.json["errors"][0]["field"] == "insatser"
        assert provider.visits.get(f"/visits/{visit['visit_id']}", token=provider.token).json["version"] == \
            visit["version"]

    def test_a_lock_read_as_an_nfc_tag_is_named_a_lock(self, provider, morning):
        pnr, _ = provider.new_client()
        (lock,) = provider.visits.post("/devices/orders", {"count": 1, "kind": "digital_lock"},
                                       token=provider.token).json
        provider.visits.post(f"/devices/{lock['device_id']}/bind", {"client": pnr}, token=provider.token)
        wrong = provider.event("arrival", pnr, lock["device_id"], morning)
        provider.post([wrong])
        provider.deliver()
        (listed,) = [r for r in provider.visits.get("/rejected-events", token=provider.token).json
                     if r["event_id"] == wrong["event_id"]]
        assert listed["reasons"] == [f"{lock['device_id']} is a digital lock, not an NFC tag "
                                     "(receipt method digital_lock)"]


class TestNoDecision:
    def test_a_visit_without_a_home_care_decision_is_a_deviation_until_one_covers_it(self, provider, morning):
        # GIVEN a client without a home-care decision WHEN a visit is registered
        pnr, tag = provider.new_client(decision=False)
        _, _, (visit,) = visit_of(provider, morning, pnr, tag)
        (deviation,) = visit["deviations"]
        assert deviation["code"] == "no_decision" and deviation["status"] == "pending"
        assert "no decision behind it" in deviation["reason"]
        # AND a post-registration for that client likewise
        r = provider.visits.post("/visits", post_registration(pnr, morning + timedelta(hours=2)), token=provider.token)
        assert [d["code"] for d in r.json["deviations"]] == ["post_registration", "no_decision"]
        # WHEN a decision covering the month is published THEN both pending deviations are withdrawn
        first = date(*month_of(morning), 1)
        decision = DecisionPublished(decision_id=str(uuid.uuid4()), case_id="c", case_number="2026-7", client=pnr,
                                     insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=6000,
                                     valid_from=first, decided_at=datetime.now(timezone.utc))
        assert provider.visits.sqs("on_event", [decision.envelope("eservices").model_dump_json()]) == \
            {"batchItemFailures": []}
        assert [[d["code"] for d in v["deviations"]] for v in provider.month_visits(pnr, morning)] == \
            [[], ["post_registration"]]

    def test_a_temporary_stay_is_not_compared_with_this_municipalitys_decisions(self, provider, morning):
        pnr, tag = provider.new_client(decision=False)
        _, _, (visit,) = visit_of(provider, morning, pnr, tag, temporary_stay=True)
        assert visit["temporary_stay"] and visit["deviations"] == []


class TestAnotherProvidersList:
    def test_naming_another_provider_is_refused_not_answered_empty(self, provider, morning):
        month = "%04d-%02d" % month_of(morning)
        r = provider.visits.get(f"/visits?month={month}&provider_id=prov-someone-else", token=provider.token)
        assert r.status == 403 and r.json["errors"][0]["field"] == "query.provider_id"
        r = provider.visits.get("/devices?provider_id=prov-someone-else", token=provider.token)
        assert r.status == 403
        assert provider.visits.get(f"/visits?month={month}&provider_id={provider.id}",
                                   token=provider.token).status == 200
