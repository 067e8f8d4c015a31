"""Billing keeps what it consumes in its own table: which client-months changed and the granted
time. Redelivery and reordering change nothing. (Reports keep their own read model: tests in
tests/integration/reports.)"""
import uuid
from datetime import date, datetime, timezone

import pytest

from services.aws import table
from services.contracts.events import AbsenceRegistered, DecisionPublished, VisitChanged
from services.followup.inbox import changed_in
from tests.support.people import new_pnr


@pytest.mark.parametrize("service", ["billing"])
def test_changes_are_marked_once_per_client_month_whatever_the_order(app_client, service):
    client, provider = new_pnr(1938), f"prov-{uuid.uuid4().hex[:6]}"
    changes = [VisitChanged(visit_id=str(uuid.uuid4()), client=client, provider_id=provider, year=2031, month=3,
                            visit_version=v, change="updated").envelope("visits") for v in (2, 1)]
    absence = AbsenceRegistered(absence_id="a", client=client, provider_id=provider, kind="hospital",
                                starts_on=date(2031, 3, 9), learned_at=datetime(2031, 3, 9, tzinfo=timezone.utc))
    bodies = [e.model_dump_json() for e in changes] + [absence.envelope("visits").model_dump_json()]
    app = app_client(service)
    assert app.sqs("on_event", bodies) == {"batchItemFailures": []}
    assert app.sqs("on_event", bodies[:1]) == {"batchItemFailures": []}  # redelivered
    marked = [m for m in changed_in(table(service), 2031, 3) if m["sk"] == f"{provider}#{client}"]
    assert len(marked) == 1 and marked[0]["dirty"] is True
    assert len(marked[0]["event_ids"]) == 3


def test_granted_time_is_kept_from_decisions(app_client):
    client = new_pnr(1939)
    decision = DecisionPublished(decision_id=str(uuid.uuid4()), case_id="c", case_number="2031-000001",
                                 client=client, insats="hemtjanst", law="SoL", outcome="granted",
                                 granted_minutes_per_month=900, valid_from=date(2031, 4, 1),
                                 decided_at=datetime(2031, 3, 20, tzinfo=timezone.utc))
    assert app_client("billing").sqs("on_event", [decision.envelope("eservices").model_dump_json()]) == \
        {"batchItemFailures": []}
    kept = table("billing").query(KeyConditionExpression="pk = :pk",
                                  ExpressionAttributeValues={":pk": f"GRANTED#{client}"})["Items"]
    assert [int(i["granted_minutes_per_month"]) for i in kept] == [900]
