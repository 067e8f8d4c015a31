"""Approval and edits until the lock date, deviations, absences, the tag registry, and who may."""
import dataclasses
import json
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.adapters.aws import client, queue_url
from services.contracts.events import DecisionPublished
from services.domain.calendar import lock_deadline, month_of
from services.domain.errors import PeriodLocked
from services.visits.bootstrap import deps
from services.visits.schemas import Reasoned
from services.visits.usecases.approval import approve
from services.visits.usecases.devices import order_tags
from tests.support.stack import drain
from tests.unit.visits.support import PEOPLE


def one_visit(provider, morning, minutes=30, **arrival):
    pnr, tag = provider.new_client()
    provider.post([provider.event("arrival", pnr, tag, morning, **arrival),
                   provider.event("insats", pnr, tag, morning + timedelta(minutes=1), insats="service"),
                   provider.event("departure", pnr, tag, morning + timedelta(minutes=minutes))])
    provider.deliver()
    (visit,) = provider.month_visits(pnr, morning)
    return pnr, tag, visit


class TestApproval:
    def test_approve_undo_edit_with_versions_and_reasons(self, provider, morning):
        pnr, tag, visit = one_visit(provider, morning)
        v = provider.visits
        path = f"/visits/{visit['visit_id']}"
        approved = v.post(f"{path}/approve", {"reason": "stämmer", "version": visit["version"]},
                          token=provider.coordinator)
        assert approved.status == 200 and approved.json["status"] == "approved"
        assert v.patch(path, {"reason": "fel tid", "version": approved.json["version"],
                              "ended_at": (morning + timedelta(minutes=25)).isoformat()},
                       token=provider.token).status == 409  # approved: undo first
        undone = v.post(f"{path}/unapprove", {"reason": "ska ändras", "version": approved.json["version"]},
                        token=provider.coordinator)
        assert undone.status == 200 and undone.json["status"] == "registered"
        stale = v.patch(path, {"reason": "fel tid", "version": visit["version"],
                               "ended_at": (morning + timedelta(minutes=25)).isoformat()}, token=provider.token)
        assert stale.status == 409
        edited = v.patch(path, {"reason": "fel tid", "version": undone.json["version"],
                                "ended_at": (morning + timedelta(minutes=25)).isoformat()}, token=provider.token)
        assert edited.status == 200, edited.json
        assert edited.json["minutes"] == 25 and edited.json["edited"]
        assert [d["code"] for d in edited.json["deviations"]] == ["adjusted_time"]

    def test_an_edit_needs_a_reason_and_sane_times(self, provider, morning):
        pnr, tag, visit = one_visit(provider, morning)
        v = provider.visits
        path = f"/visits/{visit['visit_id']}"
        r = v.patch(path, {"version": visit["version"], "ended_at": morning.isoformat()}, token=provider.token)
        assert r.status == 422 and {e["field"] for e in r.json["errors"]} == {"reason"}
        r = v.patch(path, {"reason": "tid", "version": visit["version"],
                           "ended_at": (morning - timedelta(minutes=5)).isoformat()}, token=provider.token)
        assert r.status == 422 and r.json["errors"][0]["field"] == "ended_at"
        assert v.get(path, token=provider.token).json["version"] == visit["version"]

    def test_after_the_lock_date_nothing_of_that_month_changes(self, provider, morning):
        pnr, tag, visit = one_visit(provider, morning)
        after = lock_deadline(*month_of(morning)) + timedelta(seconds=1)
        later = dataclasses.replace(deps(), clock=lambda: after)
        who = provider.visits  # noqa: F841 - the same provider, through the service
        from services.auth.principal import Principal, Role

        staff = Principal(subject="cora", role=Role.PROVIDER_COORDINATOR, user_id="cora", provider_id=provider.id)
        with pytest.raises(PeriodLocked, match="lock date"):
            approve(later, staff, visit["visit_id"], Reasoned(reason="sent", version=visit["version"]))
        on_the_day = dataclasses.replace(deps(), clock=lambda: after - timedelta(seconds=2))
        assert approve(on_the_day, staff, visit["visit_id"],
                               Reasoned(reason="sista dagen", version=visit["version"])).status == "approved"

    def test_a_post_registration_for_a_locked_month_is_refused_with_why(self, provider):
        pnr, _ = provider.new_client()
        old = datetime(2025, 1, 15, 8, tzinfo=timezone.utc)
        r = provider.visits.post("/visits", {"client": pnr, "staff_id": "anna", "started_at": old.isoformat(),
                                             "ended_at": (old + timedelta(minutes=30)).isoformat(),
                                             "insatser": ["service"], "reason_code": "technology_failure",
                                             "reason": "appen låg nere"}, token=provider.token)
        assert r.status == 409 and r.json["type"] == "urn:insats:problem:period-locked"
        assert "2025-02-05" in r.json["detail"]

    def test_a_post_registration_is_a_deviation(self, provider, morning):
        pnr, _ = provider.new_client()
        r = provider.visits.post("/visits", {"client": pnr, "staff_id": "bo", "started_at": morning.isoformat(),
                                             "ended_at": (morning + timedelta(minutes=20)).isoformat(),
                                             "insatser": ["dusch"], "reason_code": "technology_failure",
                                             "reason": "låset svarade inte"}, token=provider.token_of("bo"))
        assert r.status == 201, r.json
        assert r.json["deviations"][0]["code"] == "post_registration" and r.json["source"] == "post_registration"


class TestDeviations:
    def test_a_manual_receipt_waits_for_the_case_worker(self, provider, morning, token):
        pnr, tag, visit = one_visit(provider, morning,
                                    receipt={"method": "manual", "manual_reason": "technical_fault"})
        assert visit["deviations"][0]["status"] == "pending"
        provider.decided_by(pnr, "hl-1")
        worker = token("case_worker", user_id="hl-1")  # the client's case worker
        path = f"/visits/{visit['visit_id']}/deviation-decisions"
        assert provider.visits.post(path, {"index": 0, "decision": "approved", "reason": "ok"},
                                    token=provider.token).status == 403
        r = provider.visits.post(path, {"index": 0, "decision": "approved", "reason": "tekniskt fel bekräftat"},
                                 token=worker)
        assert r.status == 200 and r.json["deviations"][0]["status"] == "approved"
        assert provider.visits.post(path, {"index": 0, "decision": "rejected", "reason": "igen"},
                                    token=worker).status == 409

    def test_time_beyond_the_granted_time_is_flagged(self, provider, morning):
        pnr, tag = provider.new_client()
        first = date(*month_of(morning), 1)
        decision = DecisionPublished(decision_id=str(uuid.uuid4()), case_id="c", case_number="2026-1", client=pnr,
                                     insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=40,
                                     valid_from=first, decided_at=datetime.now(timezone.utc))
        assert provider.visits.sqs("on_event", [decision.envelope("eservices").model_dump_json()]) == \
            {"batchItemFailures": []}
        for start in (morning, morning + timedelta(hours=3)):
            provider.post([provider.event("arrival", pnr, tag, start),
                           provider.event("departure", pnr, tag, start + timedelta(minutes=30))])
        provider.deliver()
        visits = provider.month_visits(pnr, morning)
        flags = [[d["code"] for d in v["deviations"]] for v in visits]
        assert flags == [[], ["over_granted_time"]]


class TestAbsences:
    def test_an_absence_is_registered_and_announced_to_reports_and_billing(self, provider, morning):
        pnr, _ = provider.new_client()
        drain(queue_url("reports-inbox"), client("sqs"))
        r = provider.visits.post("/absences", {"client": pnr, "kind": "hospital",
                                               "starts_on": morning.date().isoformat(),
                                               "learned_at": morning.isoformat()}, token=provider.token)
        assert r.status == 201 and r.json["client"].endswith("****")
        events = [json.loads(m["Body"]) for m in drain(queue_url("reports-inbox"), client("sqs"), wait=1)]
        assert any(e["event_type"] == "absence.registered" and e["payload"]["absence_id"] == r.json["absence_id"]
                   for e in events)
        assert [a["absence_id"] for a in provider.visits.get("/absences", token=provider.token).json] == \
            [r.json["absence_id"]]

    def test_bad_absence_dates_are_named(self, provider, morning):
        pnr, _ = provider.new_client()
        r = provider.visits.post("/absences", {"client": pnr, "kind": "vacation", "starts_on": "2026-11-10",
                                               "ends_on": "2026-11-01", "learned_at": morning.isoformat()},
                                 token=provider.token)
        assert r.status == 422 and "kind" in {e["field"] for e in r.json["errors"]}


class TestTags:
    def test_order_bind_retire_and_never_reuse(self, provider):
        v = provider.visits
        tags = v.post("/devices/orders", {"count": 2}, token=provider.token)
        assert tags.status == 201 and len(tags.json) == 2
        tag = tags.json[0]["device_id"]
        pnr_a, _ = provider.new_client()
        pnr_b, _ = provider.new_client()
        assert v.post(f"/devices/{tag}/bind", {"client": pnr_a}, token=provider.token).json["status"] == "bound"
        assert v.post(f"/devices/{tag}/bind", {"client": pnr_b}, token=provider.token).status == 409
        assert v.post(f"/devices/{tag}/retire", token=provider.token).json["status"] == "retired"
        assert v.post(f"/devices/{tag}/bind", {"client": pnr_b}, token=provider.token).status == 409

    def test_a_provider_orders_at_most_its_limit(self, provider):
        limited = dataclasses.replace(deps(), tag_limit=3)
        from services.auth.principal import Principal, Role
        from services.domain.errors import Conflict

        staff = Principal(subject="anna", role=Role.PROVIDER_STAFF, user_id="anna", provider_id=provider.id)
        order_tags(limited, staff, 2, "nfc")
        with pytest.raises(Conflict, match="at most 3"):
            order_tags(limited, staff, 2, "nfc")


class TestWhoMay:
    def test_another_provider_never_sees_or_changes_our_visits_tags_or_rejections(self, provider, morning, token):
        pnr, tag, visit = one_visit(provider, morning)
        rival = token("provider_staff", user_id="eve", provider_id="prov-rival")
        rival_coordinator = token("provider_coordinator", user_id="rex", provider_id="prov-rival")
        v = provider.visits
        assert v.get(f"/visits/{visit['visit_id']}", token=rival).status == 404
        assert v.post(f"/visits/{visit['visit_id']}/approve", {"reason": "mine", "version": 1},
                      token=rival_coordinator).status == 404
        month = month_of(morning)
        assert v.get(f"/visits?month={month[0]}-{month[1]:02d}&client={pnr}", token=rival).json == []
        assert v.post(f"/devices/{tag}/retire", token=rival).status == 404
        assert v.get("/rejected-events", token=rival).json == []

    def test_the_ordering_unit_reads_any_provider_but_changes_nothing(self, provider, morning, token):
        pnr, tag, visit = one_visit(provider, morning)
        unit = token("ordering_unit", user_id="bu-1")
        month = month_of(morning)
        listed = provider.visits.get(f"/visits?month={month[0]}-{month[1]:02d}&provider_id={provider.id}",
                                     token=unit)
        assert listed.status == 200 and [x["visit_id"] for x in listed.json] == [visit["visit_id"]]
        assert provider.visits.get(f"/visits?month={month[0]}-{month[1]:02d}", token=unit).status == 422
        assert provider.visits.post(f"/visits/{visit['visit_id']}/approve", {"reason": "x" * 3, "version": 1},
                                    token=unit).status == 403

    def test_a_citizen_reaches_nothing(self, provider, token):
        citizen = token("citizen", personnummer=PEOPLE["citizen"])
        assert provider.visits.post("/visit-events", {"events": []}, token=citizen).status == 403
