"""Who may call each visits endpoint: a citizen reaches none; provider staff reach only their own
provider's visits, tags, staff and rejected events (another provider's are not found: 404); the
case worker decides deviations and nothing else changes; the ordering unit reads."""
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

    def test_never_reads_or_changes_our_visits(self, provider, morning, rival):
        pnr, tag, visit = visit_of(provider, morning)
        v, path = provider.visits, f"/visits/{visit['visit_id']}"
        month = "%04d-%02d" % month_of(morning)
        assert v.get(path, token=rival).status == 404
        assert v.get(f"/visits?month={month}&client={pnr}", token=rival).json == []
        assert v.patch(path, {"reason": "mine", "version": 1, "ended_at": morning.isoformat()},
                       token=rival).status == 404
        assert v.post(f"{path}/approve", {"reason": "mine", "version": 1}, token=rival).status == 404
        assert v.post(f"{path}/unapprove", {"reason": "mine", "version": 1}, token=rival).status == 404
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

    def test_never_sees_our_staff_or_absences(self, provider, morning, rival):
        v = provider.visits
        assert v.get("/staff", token=rival).json == []
        assert v.delete("/staff/anna", token=rival).status == 404
        assert "anna" in {s["user_id"] for s in v.get("/staff", token=provider.token).json}
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
