"""A client-day's open rejected events travel to reports as ``rejected_events.changed``, through
the same outbox as the visits, and the report's "rejected events still open" follows them."""
import json
import uuid
from datetime import datetime, timedelta

from services.adapters.aws import client, queue_url
from services.contracts.events import Envelope, RejectedEventsChanged
from services.reports.domain.client_month import ClientMonth
from tests.support.stack import drain


def open_in_report(provider_id, pnr, envelopes, year, month):
    """The report's count for the provider: the client-month of reports fed with the envelopes."""
    cm = ClientMonth(year, month, pnr)
    for e in envelopes:
        cm.apply(e.parse(), e.occurred_at)
    return sum(r[0] for k, r in cm.rejected.items() if k.split("|")[0] == provider_id)


def changes(sqs, pnr):
    found = [Envelope.model_validate(json.loads(m["Body"])) for m in drain(queue_url("reports-inbox"), sqs, wait=1)]
    return [e for e in found if e.event_type == RejectedEventsChanged.event_type and e.payload["client"] == pnr]


def test_a_rejected_event_is_counted_open_in_the_report_until_it_is_corrected(provider, morning):
    sqs = client("sqs")
    drain(queue_url("reports-inbox"), sqs)
    # GIVEN a departure stamped before its arrival (a wrong phone clock): rejected, open
    pnr, tag = provider.new_client()
    wrong = provider.event("departure", pnr, tag, morning - timedelta(minutes=10))
    provider.post([provider.event("arrival", pnr, tag, morning), wrong])
    provider.deliver()
    first = changes(sqs, pnr)
    # THEN reports hear of one open rejected event of that client-day, and the report counts it
    assert [(e.payload["provider_id"], e.payload["open_count"]) for e in first] == [(provider.id, 1)]
    assert open_in_report(provider.id, pnr, first, morning.year, morning.month) == 1
    # WHEN it is corrected
    fixed = dict(wrong, event_id=str(uuid.uuid4()), device_time=(morning + timedelta(minutes=40)).isoformat())
    r = provider.visits.post(f"/rejected-events/{wrong['event_id']}/corrections", fixed, token=provider.token)
    assert r.status == 202, r.json
    provider.deliver()
    later = changes(sqs, pnr)
    # THEN the day's count goes back to 0 in the report, whatever order the events arrive in
    assert later and later[-1].payload["open_count"] == 0
    assert open_in_report(provider.id, pnr, first + later, morning.year, morning.month) == 0
    assert open_in_report(provider.id, pnr, list(reversed(first + later)), morning.year, morning.month) == 0


def test_an_orphan_withdrawn_when_its_arrival_comes_is_no_longer_open(provider, morning):
    sqs = client("sqs")
    drain(queue_url("reports-inbox"), sqs)
    # GIVEN a departure alone: held as rejected until its arrival comes
    pnr, tag = provider.new_client()
    provider.post([provider.event("departure", pnr, tag, morning + timedelta(minutes=30))])
    provider.deliver()
    first = changes(sqs, pnr)
    assert [e.payload["open_count"] for e in first] == [1]
    # WHEN the arrival comes THEN the rebuild withdraws it and reports hear 0
    provider.post([provider.event("arrival", pnr, tag, morning)])
    provider.deliver()
    later = changes(sqs, pnr)
    assert [e.payload["open_count"] for e in later] == [0]
    assert open_in_report(provider.id, pnr, first + later, morning.year, morning.month) == 0
