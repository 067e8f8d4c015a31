"""Visits test support: a provider with staff and a bound tag per client (with a home-care decision
unless asked otherwise); a client's decision naming their case worker (``decided_by``); events
posted through the API, each staff member's with their own token, and delivered from the real
ingest queue to the processor."""
import json
import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.adapters.aws import client, queue_url
from services.contracts.events import DecisionPublishedV2
from services.visits.bootstrap import deps
from services.visits.domain.model import Device
from tests.support.people import new_pnr
from tests.support.stack import drain


class Provider:
    def __init__(self, app_client, token):
        self.id = f"prov-{uuid.uuid4().hex[:8]}"
        self.staff = ["anna", "bo"]
        self.visits = app_client("visits")
        self._token = token
        self.token = token("provider_staff", user_id="anna", provider_id=self.id)
        # The provider's coordinator approves and keeps the staff registry (separation of duties)
        self.coordinator = token("provider_coordinator", user_id="cora", provider_id=self.id)
        self.approver = self.coordinator
        for user in self.staff:
            deps().staff.add_staff(self.id, user)

    def token_of(self, user):
        return self._token("provider_staff", user_id=user, provider_id=self.id)

    def new_client(self, decision=True):
        pnr = new_pnr(1935)
        tag = f"TAG-{uuid.uuid4().hex[:10]}"
        now = datetime.now(timezone.utc)
        if decision:  # home care granted long ago, more time than any test uses
            deps().grants.put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                                     "outcome": "granted", "granted_minutes_per_month": 100_000,
                                     "valid_from": "2000-01-01", "valid_to": None,
                                     "decided_at": "2000-01-01T00:00:00+00:00"})
        deps().devices.put_device(Device(device_id=tag, kind="nfc", provider_id=self.id, client=pnr, status="bound",
                                      ordered_at=now, bound_at=now))
        return pnr, tag

    def decided_by(self, pnr, case_worker_id, times=1, minutes=100_000, valid_from="2000-01-01"):
        """The client's home-care decision with this provider names ``case_worker_id`` (``decision.published``
        v2 through visits' consumer, delivered ``times`` times): the case worker who sees and decides the
        client's deviations. It grants ``minutes`` a month from ``valid_from`` (by default more than
        any test uses, from long ago: it adds no deviation and withdraws none but ``no_decision``)."""
        event = DecisionPublishedV2(decision_id=str(uuid.uuid4()), case_id="c", case_number="2026-9", client=pnr,
                                    insats="hemtjanst", law="SoL", outcome="granted", granted_minutes_per_month=minutes,
                                    valid_from=valid_from, decided_at=datetime.now(timezone.utc),
                                    provider_id=self.id, case_worker_id=case_worker_id)
        body = event.envelope("eservices").model_dump_json()
        for _ in range(times):
            assert self.visits.sqs("on_event", [body]) == {"batchItemFailures": []}

    def manual_visit(self, morning, case_worker_id, hours=0):
        """A new client of ``case_worker_id`` (``decided_by``) with one manually receipted visit
        ``hours`` after ``morning``: its ``manual_receipt`` deviation waits for the case worker.
        Returns (the client, the visit)."""
        pnr, tag = self.new_client()
        self.decided_by(pnr, case_worker_id)
        start = morning + timedelta(hours=hours)
        manual = {"method": "manual", "manual_reason": "technical_fault"}
        self.post([self.event("arrival", pnr, tag, start, receipt=manual),
                   self.event("departure", pnr, tag, start + timedelta(minutes=30))])
        self.deliver()
        (visit,) = self.month_visits(pnr, morning)
        assert [(d["code"], d["status"]) for d in visit["deviations"]] == [("manual_receipt", "pending")]
        return pnr, visit

    def event(self, kind, client, tag, at, staff="anna", **extra):
        body = {"event_id": str(uuid.uuid4()), "type": kind, "staff_id": staff, "provider_id": self.id,
                "client": client, "device_time": at.isoformat(),
                "receipt": extra.pop("receipt", {"method": "nfc", "device_id": tag})}
        body.update(extra)
        return body

    def post(self, events):
        """Each staff member posts their own events; the first refusal (or the last answer) is returned."""
        by_staff = {}
        for e in events:
            by_staff.setdefault(e.get("staff_id", "anna"), []).append(e)
        answers = [self.visits.post("/visit-events", {"events": mine}, token=self.token_of(staff))
                   for staff, mine in by_staff.items()]
        return next((r for r in answers if r.status != 202), answers[-1])

    def deliver(self, shuffle=False, duplicate=False):
        """Takes what the API queued and hands it to the processor, as Lambda would."""
        messages = drain(queue_url("visits-ingest"), client("sqs"))
        bodies = [m["Body"] for m in messages]
        if duplicate:
            bodies += bodies[: max(1, len(bodies) // 2)]
        if shuffle:
            random.Random(7).shuffle(bodies)
        results = []
        for start in range(0, len(bodies), 10):
            results.append(self.visits.sqs("on_visit_events", bodies[start:start + 10]))
        return results

    def month_visits(self, pnr, at):
        month = at.astimezone(timezone(timedelta(hours=1))).strftime("%Y-%m")
        r = self.visits.get(f"/visits?month={month}&client={pnr}", token=self.token)
        assert r.status == 200, r.json
        return r.json


@pytest.fixture()
def provider(app_client, token, aws):
    drain(queue_url("visits-ingest"), client("sqs"))
    return Provider(app_client, token)


@pytest.fixture()
def morning():
    """Yesterday 06:00 UTC: in the past all day long, and in a month still open (the lock date is
    at the earliest the third of the next month)."""
    now = datetime.now(timezone.utc)
    return now.replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)


def shape(visits):
    return sorted((v["staff_id"], v["started_at"], v["ended_at"], tuple(v["insatser"]), v["double_staffing"])
                  for v in visits)


def dumps(x):
    return json.dumps(x, default=str)

