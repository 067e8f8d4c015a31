"""Who may call each visits endpoint: a citizen reaches none; provider staff reach only their own
provider's visits, tags, staff and rejected events (another provider's are not found: 404); the
case worker decides their own clients' deviations (another's client's visit is not found: 404) and
changes nothing else; the ordering unit reads."""
import re
from datetime import timedelta

import pytest

from infra.apps import load_app
from services.domain.calendar import month_of
from tests.support.people import new_pnr
from tests.unit.visits.support import PEOPLE


def visits_routes():
    for path, methods in load_app("visits").app.routes.items():
        for method, entry in methods.items():
            spec = getattr(entry.view_function, "__operation__", None)
            if spec is not None and spec.action is not None:
                yield pytest.param(method, path, id=f"{method} {path}")


@pytest.mark.parametrize("method,path", list(visits_routes()))
def test_a_citizen_reaches_no_visits_endpoint(app_client, token, method, path):
    citizen = token("citizen", personnummer=PEOPLE["citizen"])
    r = app_client("visits").request(method, re.sub(r"{\w+}", "x", path), token=citizen,
                                     json_body={} if method in ("POST", "PATCH", "PUT") else None)
    assert r.status == 403, (method, path, r.json)


def visit_of(provider, morning):
    pnr, tag = provider.new_client()
    provider.post([provider.event("arrival", pnr, tag, morning),
                   provider.event("departure", pnr, tag, morning + timedelta(minutes=20))])
    provider.deliver()
    (visit,) = provider.month_visits(pnr, morning)
    return pnr, tag, visit


class TestAnotherProvider:
    """GIVEN provider A's visit, tag, staff and rejected event WHEN provider B's staff ask THEN not found."""

    @pytest.fixture()
    def rival(self, token):
        return token("provider_staff", user_id="eve", provider_id="prov-rival")

    @pytest.fixture()
    def rival_coordinator(self, token):
        # approving and the staff registry are the coordinator's: the row rule is tested with theirs
        return token("provider_coordinator", user_id="rex", provider_id="prov-rival")

    def test_never_reads_or_changes_our_visits(self, provider, morning, rival, rival_coordinator):
        pnr, tag, visit = visit_of(provider, morning)
        v, path = provider.visits, f"/visits/{visit['visit_id']}"
        month = "%04d-%02d" % month_of(morning)
        assert v.get(path, token=rival).status == 404
        assert v.get(f"/visits?month={month}&client={pnr}", token=rival).json == []
        assert v.patch(path, {"reason": "mine", "version": 1, "ended_at": morning.isoformat()},
                       token=rival).status == 404
        assert v.post(f"{path}/approve", {"reason": "mine", "version": 1}, token=rival_coordinator).status == 404
        assert v.post(f"{path}/unapprove", {"reason": "mine", "version": 1}, token=rival_coordinator).status == 404
        after = v.get(path, token=provider.token).json
        assert after["version"] == visit["version"] and after["status"] == "registered"

    def test_never_reads_binds_or_retires_our_tags(self, provider, rival):
        v = provider.visits
        (ordered,) = v.post("/devices/orders", {"count": 1}, token=provider.token).json
        tag = ordered["device_id"]
        assert tag not in {d["device_id"] for d in v.get("/devices", token=rival).json}
        assert v.post(f"/devices/{tag}/bind", {"client": new_pnr(1930)}, token=rival).status == 404
        assert v.post(f"/devices/{tag}/retire", token=rival).status == 404
        (mine,) = [d for d in v.get("/devices", token=provider.token).json if d["device_id"] == tag]
        assert mine["status"] == "ordered"

    def test_never_sees_or_corrects_our_rejected_events(self, provider, morning, rival):
        pnr, tag = provider.new_client()
        stranger = provider.event("arrival", pnr, tag, morning, staff="not-ours")
        provider.post([stranger])
        provider.deliver()
        assert stranger["event_id"] not in {r["event_id"] for r in
                                            provider.visits.get("/rejected-events", token=rival).json}
        fixed = dict(stranger, event_id=new_id(), provider_id="prov-rival")
        r = provider.visits.post(f"/rejected-events/{stranger['event_id']}/corrections", fixed, token=rival)
        assert r.status == 404
        (ours,) = [r for r in provider.visits.get("/rejected-events", token=provider.token).json
                   if r["event_id"] == stranger["event_id"]]
        assert ours["status"] == "open"

    def test_never_sees_our_staff_or_absences(self, provider, morning, rival, rival_coordinator):
        v = provider.visits
        assert v.get("/staff", token=rival_coordinator).json == []
        assert v.delete("/staff/anna", token=rival_coordinator).status == 404
        assert "anna" in {s["user_id"] for s in v.get("/staff", token=provider.coordinator).json}
        r = v.post("/absences", {"client": new_pnr(1931), "kind": "other", "starts_on": morning.date().isoformat(),
                                 "learned_at": morning.isoformat()}, token=provider.token)
        assert r.status == 201
        assert r.json["absence_id"] not in {a["absence_id"] for a in v.get("/absences", token=rival).json}

    def test_cannot_send_events_in_our_name(self, provider, morning, rival):
        pnr, tag = provider.new_client()
        r = provider.visits.post("/visit-events", {"events": [provider.event("arrival", pnr, tag, morning)]},
                                 token=rival)
        assert r.status == 422 and r.json["errors"][0]["field"] == "events.0.provider_id"


def new_id():
    import uuid

    return str(uuid.uuid4())


class TestRoles:
    def test_provider_staff_never_decide_deviations_and_case_workers_never_approve(self, provider, morning, token):
        pnr, tag, visit = visit_of(provider, morning)
        worker = token("case_worker", user_id="hl-2")
        v, path = provider.visits, f"/visits/{visit['visit_id']}"
        decision = {"index": 0, "decision": "approved", "reason": "ok ok"}
        assert v.post(f"{path}/deviation-decisions", decision, token=provider.token).status == 403
        assert v.post(f"{path}/approve", {"reason": "ok ok", "version": 1}, token=worker).status == 403
        assert v.patch(path, {"reason": "ok ok", "version": 1, "ended_at": morning.isoformat()},
                       token=worker).status == 403
        assert v.post("/visit-events", {"events": []}, token=worker).status == 403
        assert v.get(path, token=worker).status == 200  # reads, as the policy says

    def test_the_ordering_unit_reads_visits_and_tags_of_a_named_provider_only(self, provider, morning, token):
        pnr, tag, visit = visit_of(provider, morning)
        unit = token("ordering_unit", user_id="bu-2")
        v, month = provider.visits, "%04d-%02d" % month_of(morning)
        listed = v.get(f"/visits?month={month}&provider_id={provider.id}", token=unit)
        assert listed.status == 200 and [x["visit_id"] for x in listed.json] == [visit["visit_id"]]
        assert v.get(f"/visits?month={month}", token=unit).json["errors"][0]["field"] == "query.provider_id"
        assert tag in {d["device_id"] for d in v.get(f"/devices?provider_id={provider.id}", token=unit).json}
        assert v.get("/devices", token=unit).status == 422
        assert v.post("/devices/orders", {"count": 1}, token=unit).status == 403
        assert v.post(f"/visits/{visit['visit_id']}/approve", {"reason": "x" * 3, "version": 1},
                      token=unit).status == 403




class TestTheClientsCaseWorker:
    """Only the case worker a client's decision names decides the client's deviations; to any other
    case worker the visit is not found, whatever else is wrong with the call."""

    def test_another_case_worker_is_not_found_and_nothing_changes(self, provider, morning, token):
        # GIVEN a manual receipt waiting for hl-own, and hl-other, a case worker of other clients
        _, visit = provider.manual_visit(morning, "hl-own")
        provider.decided_by(provider.new_client()[0], "hl-other")
        other = token("case_worker", user_id="hl-other")
        v, path = provider.visits, f"/visits/{visit['visit_id']}"
        # WHEN hl-other decides it THEN not found, as for a visit that does not exist
        unknown = v.post("/visits/no-such-visit/deviation-decisions",
                         {"index": 0, "decision": "approved", "reason": "ser bra ut"}, token=other)
        for body in ({"index": 0, "decision": "approved", "reason": "ser bra ut"},
                     {"index": 0, "decision": "rejected", "reason": "ser fel ut"},
                     {"index": 7, "decision": "approved", "reason": "fel index"}):  # not 422: nothing disclosed
            r = v.post(f"{path}/deviation-decisions", body, token=other)
            assert r.status == 404, r.json
            assert r.json["detail"] == unknown.json["detail"] and r.json["type"] == unknown.json["type"]
        # THEN the deviation still waits, read back: same version, same history, undecided
        after = v.get(path, token=provider.token).json
        assert after["version"] == visit["version"] and after["history"] == visit["history"]
        assert [(d["status"], d.get("decided_by")) for d in after["deviations"]] == [("pending", None)]

    def test_the_clients_own_case_worker_decides(self, provider, morning, token):
        # GIVEN a manual receipt waiting for hl-own
        _, visit = provider.manual_visit(morning, "hl-own")
        path = f"/visits/{visit['visit_id']}"
        # WHEN hl-own approves it THEN 200, approved by them, and so it reads back
        r = provider.visits.post(f"{path}/deviation-decisions",
                                 {"index": 0, "decision": "approved", "reason": "tekniskt fel bekräftat"},
                                 token=token("case_worker", user_id="hl-own"))
        assert r.status == 200, r.json
        after = provider.visits.get(path, token=provider.token).json
        assert after["version"] == visit["version"] + 1
        assert [(d["status"], d["decided_by"]) for d in after["deviations"]] == [("approved", "case_worker:hl-own")]


class TestSeparationOfDuties:
    """Staff register; the provider's coordinator approves and keeps the staff registry; nobody
    approves their own visit, nor one they registered or changed."""

    def test_staff_never_approve_nor_keep_the_registry(self, provider, morning):
        pnr, tag, visit = visit_of(provider, morning)
        v, path = provider.visits, f"/visits/{visit['visit_id']}"
        assert v.post(f"{path}/approve", {"reason": "stämmer", "version": visit["version"]},
                      token=provider.token).status == 403
        assert v.post("/staff", {"user_id": "invented"}, token=provider.token).status == 403
        assert v.delete("/staff/bo", token=provider.token).status == 403
        assert v.get("/staff", token=provider.token).status == 403
        registry = {s["user_id"] for s in v.get("/staff", token=provider.coordinator).json}
        assert "invented" not in registry and "bo" in registry
        assert v.get(path, token=provider.token).json["status"] == "registered"

    def test_the_coordinator_approves_and_it_is_recorded_who(self, provider, morning):
        pnr, tag, visit = visit_of(provider, morning)
        r = provider.visits.post(f"/visits/{visit['visit_id']}/approve",
                                 {"reason": "stämmer", "version": visit["version"]}, token=provider.coordinator)
        assert r.status == 200, r.json
        assert r.json["approved_by"] == "provider_coordinator:cora" and r.json["approved_at"]
        assert r.json["history"][-1]["by"] == "provider_coordinator:cora"

    def test_a_coordinator_never_approves_a_visit_they_performed(self, provider, morning):
        # GIVEN the coordinator, registered as staff too, performs a visit
        provider.visits.post("/staff", {"user_id": "cora"}, token=provider.coordinator)
        pnr, tag = provider.new_client()
        events = [provider.event("arrival", pnr, tag, morning, staff="cora"),
                  provider.event("departure", pnr, tag, morning + timedelta(minutes=20), staff="cora")]
        assert provider.visits.post("/visit-events", {"events": events}, token=provider.coordinator).status == 202
        provider.deliver()
        (visit,) = provider.month_visits(pnr, morning)
        assert visit["staff_id"] == "cora"
        # WHEN she approves it THEN refused, and it stays registered
        r = provider.visits.post(f"/visits/{visit['visit_id']}/approve",
                                 {"reason": "stämmer", "version": visit["version"]}, token=provider.coordinator)
        assert r.status == 403 and "own visit" in r.json["detail"]
        assert provider.visits.get(f"/visits/{visit['visit_id']}", token=provider.token).json["status"] == "registered"

    def test_a_coordinator_never_approves_a_visit_they_registered_or_changed(self, provider, morning, token):
        pnr, tag = provider.new_client()
        # GIVEN the coordinator post-registers bo's visit
        r = provider.visits.post("/visits", {"client": pnr, "staff_id": "bo", "started_at": morning.isoformat(),
                                             "ended_at": (morning + timedelta(minutes=20)).isoformat(),
                                             "insatser": ["dusch"], "reason_code": "technology_failure",
                                             "reason": "telefonen var trasig"}, token=provider.coordinator)
        assert r.status == 201 and r.json["staff_id"] == "bo"
        visit = r.json
        # WHEN she approves it THEN refused; another coordinator may
        path = f"/visits/{visit['visit_id']}/approve"
        r = provider.visits.post(path, {"reason": "stämmer", "version": visit["version"]}, token=provider.coordinator)
        assert r.status == 403 and "registered or changed" in r.json["detail"]
        other = token("provider_coordinator", user_id="otto", provider_id=provider.id)
        assert provider.visits.post(path, {"reason": "stämmer", "version": visit["version"]}, token=other).status == 200


def test_the_demo_data_has_a_coordinator_per_provider(aws):
    from infra.local.demo import _seed_home_care, people
    from services.visits.bootstrap import deps

    data = people()
    _seed_home_care(data["home_care"])
    for provider in data["home_care"]["providers"]:
        logins = [x for x in data["demo_logins"] if x["role"] == "provider_coordinator"
                  and x["provider_id"] == provider["provider_id"]]
        assert logins and all(x["user_id"] in provider["coordinators"] for x in logins)
        assert all(deps().staff.is_staff(provider["provider_id"], user) for user in provider["coordinators"])
