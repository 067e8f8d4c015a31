"""visit.changed v2 from visits carries the visit's content: reports and billing need nothing else."""
import json
from datetime import timedelta

from services.adapters.aws import client, queue_url
from services.contracts.events import Envelope, VisitChangedV2
from tests.support.stack import drain


def test_given_a_visit_with_two_insatser_when_processed_then_reports_get_its_content_in_a_v2_change(provider,
                                                                                                  morning):
    sqs = client("sqs")
    drain(queue_url("reports-inbox"), sqs)
    pnr, tag = provider.new_client()
    provider.post([provider.event("arrival", pnr, tag, morning),
                   provider.event("insats", pnr, tag, morning + timedelta(minutes=1), insats="dusch"),
                   provider.event("insats", pnr, tag, morning + timedelta(minutes=2), insats="service"),
                   provider.event("departure", pnr, tag, morning + timedelta(minutes=41))])
    provider.deliver()
    mine = [Envelope.model_validate(json.loads(m["Body"])) for m in drain(queue_url("reports-inbox"), sqs, wait=1)]
    mine = [e for e in mine if e.event_type == "visit.changed" and e.payload["provider_id"] == provider.id]
    assert mine and all(e.version == 2 for e in mine)
    last = max((e.parse() for e in mine), key=lambda e: e.visit_version)
    assert isinstance(last, VisitChangedV2) and last.visit is not None
    assert last.visit.minutes == 41 and last.visit.staff_id == "anna"
    assert sorted((i.insats, i.minutes) for i in last.visit.insatser) == [("dusch", 21), ("service", 20)]
    assert last.visit.receipt_methods == ["nfc"] and last.visit.status == "registered"
