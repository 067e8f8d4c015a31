"""Reports and billing keep what they consume in their own tables: which client-months changed
(for tonight's rebuild) and the granted time. Redelivery and reordering change nothing."""
import uuid
from datetime import date, datetime, timezone

import pytest

from services.aws import table
from services.contracts.events import AbsenceRegistered, VisitChanged
from services.followup.inbox import changed_in
from tests.support.people import new_pnr


@pytest.mark.parametrize("service", ["reports"])  # billing keeps its own read model
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
