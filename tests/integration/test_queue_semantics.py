"""At-least-once through real queues on a moto server: partial batch failures, idempotent
consumers, redelivery, the DLQ, and the transactional outbox (relayed from the table's stream)."""
import json
import time
import uuid

from infra.local.pump import QueuePump
from services.adapters.dynamo import UnitOfWork, query_all
from services.adapters.messaging import SnsPublisher
from services.adapters.outbox import drain_stream
from tests.support.fakes.common import RecordingPublisher
from services.adapters.aws import client, queue_url, table
from services.contracts.events import (ContactPreferencesChanged, NotificationRequested, Recipient,
                                       SubmissionReceived)
from tests.support.people import new_pnr
from tests.support.stack import drain, relay_streams


def submission_event():
    return SubmissionReceived(case_id=str(uuid.uuid4()), case_number=f"2026-{uuid.uuid4().int % 10**6:06d}",
                              eservice="contact-monthly-report", owner=new_pnr(),
                              submitted_at="2026-11-24T10:00:00Z")


def receipt_request(app_client, email):
    """A person whose preferences notify knows (e-mail), and a request for their receipt."""
    person = Recipient(kind="person", ref=new_pnr())
    prefs = ContactPreferencesChanged(recipient=person, email=email, email_on=True,
                                      changed_at="2026-11-24T10:00:00Z").envelope("eservices")
    assert app_client("notify").sqs("on_event", [prefs.model_dump_json()]) == {"batchItemFailures": []}
    return NotificationRequested(template="submission.received", recipient=person)


def outbox_count(to_address):
    import urllib.request
    from services.adapters.aws import _endpoint

    data = json.load(urllib.request.urlopen(f"{_endpoint()}/moto-api/data.json"))
    return sum(1 for m in data["ses"]["Message"] if to_address in m["destinations"]["ToAddresses"])


def test_a_bad_record_fails_alone_and_the_rest_are_processed(app_client):
    # GIVEN a batch with one valid event and one that is not an envelope
    address = f"{uuid.uuid4().hex}@example.se"
    good = receipt_request(app_client, address)
    bodies = [good.envelope("eservices").model_dump_json(), '{"not": "an envelope"}']
    # WHEN notify's handler gets it
    result = app_client("notify").sqs("on_event", bodies, message_ids=["m-good", "m-bad"])
    # THEN only the bad record is reported as failed, and the good one was sent
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}
    assert outbox_count(address) == 1


def test_a_redelivered_event_sends_nothing_twice(app_client):
    address = f"{uuid.uuid4().hex}@example.se"
    event = receipt_request(app_client, address)
    body = event.envelope("eservices", event_id=str(uuid.uuid4())).model_dump_json()
    notify = app_client("notify")
    assert notify.sqs("on_event", [body]) == {"batchItemFailures": []}
    assert notify.sqs("on_event", [body]) == {"batchItemFailures": []}  # redelivery, new message id
    assert outbox_count(address) == 1


def test_an_unknown_event_version_fails_into_the_queue_for_the_dlq(app_client):
    envelope = submission_event().envelope("eservices").model_dump()
    envelope["version"] = 99
    result = app_client("notify").sqs("on_event", [json.dumps(envelope, default=str)], message_ids=["v99"])
    assert result == {"batchItemFailures": [{"itemIdentifier": "v99"}]}


def test_the_pump_redelivers_failures_and_the_redrive_moves_them_to_the_dlq(aws):
    # GIVEN a queue with a DLQ after 2 receives and a consumer that always fails
    sqs = client("sqs")
    name = f"t-{uuid.uuid4().hex[:8]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": "0",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    sqs.send_message(QueueUrl=url, MessageBody="fine")
    seen = []

    def handler(event, context):
        seen.extend(r["body"] for r in event["Records"])
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if r["body"] == "poison"]}

    import threading
    pump = QueuePump(sqs, url, "arn:queue", handler, region="eu-north-1", batch_size=10,
                     stop=threading.Event(), name=name)
    # WHEN the pump polls until the queue is empty
    for _ in range(6):
        pump.poll_once()
    # THEN the good message was deleted after one delivery, the poison one went to the DLQ
    assert seen.count("fine") == 1
    assert seen.count("poison") == 2
    dead = [m["Body"] for m in drain(dlq_url, sqs)]
    assert dead == ["poison"]


class FailingPublisher:
    def publish_batch(self, envelopes):
        return [e.event_id for e in envelopes]  # the topic is unreachable


def outbox_items(t, envelope):
    return [i for i in query_all(t, KeyConditionExpression="pk = :p",
                                 ExpressionAttributeValues={":p": f"OUTBOX#{envelope.event_id}"})]


def test_events_survive_a_failed_publish_through_the_outbox(aws):
    # GIVEN a unit of work with a write and an event (and earlier tests' events relayed)
    relay_streams()
    t = table("eservices")
    key = {"pk": f"TEST#{uuid.uuid4()}", "sk": "x"}
    uow = UnitOfWork(t, "eservices")
    uow.put({**key, "value": 1})
    event = submission_event()
    envelope = uow.emit(event)
    # WHEN it commits
    assert uow.commit() == [envelope]
    # THEN the state and the outbox item (with a time to live) were committed together
    assert t.get_item(Key=key)["Item"]["value"] == 1
    [item] = outbox_items(t, envelope)
    assert json.loads(item["outbox"][0])["event_id"] == envelope.event_id and item["ttl"] > time.time()
    # WHEN the relay cannot publish, THEN it publishes nothing and the event stays on the stream
    assert drain_stream("eservices", FailingPublisher()) == 0
    # WHEN the relay runs again with the topic back
    recorder = RecordingPublisher()
    drain_stream("eservices", recorder)
    # THEN the event is published
    assert envelope.event_id in [e.event_id for e in recorder.published]


def test_a_failed_condition_commits_nothing_and_publishes_nothing(aws):
    from services.domain.errors import Conflict

    t = table("eservices")
    key = {"pk": f"TEST#{uuid.uuid4()}", "sk": "x"}
    t.put_item(Item={**key, "value": 0})
    relay_streams()
    uow = UnitOfWork(t, "eservices")
    uow.put_new({**key, "value": 1})  # exists: the transaction is cancelled
    envelope = uow.emit(submission_event())
    try:
        uow.commit()
        raise AssertionError("expected a conflict")
    except Conflict:
        pass
    assert t.get_item(Key=key)["Item"]["value"] == 0
    assert outbox_items(t, envelope) == []
    recorder = RecordingPublisher()
    drain_stream("eservices", recorder)
    assert envelope.event_id not in [e.event_id for e in recorder.published]


def test_published_events_reach_only_subscribed_queues(aws):
    sqs = client("sqs")
    for q in ("notify-inbox", "reports-inbox", "billing-inbox", "visits-inbox"):
        drain(queue_url(q), sqs)
    # GIVEN a domain event (facts) and a request to tell someone
    SnsPublisher().publish(submission_event().envelope("eservices"))
    SnsPublisher().publish(NotificationRequested(template="submission.received", recipient=Recipient(
        kind="person", ref=new_pnr())).envelope("eservices"))
    # THEN notify hears only the request, and the others hear neither
    [only] = drain(queue_url("notify-inbox"), sqs, wait=1)
    assert json.loads(only["Body"])["event_type"] == "notification.requested"
    for q in ("reports-inbox", "billing-inbox", "visits-inbox"):
        assert drain(queue_url(q), sqs) == []


def test_idempotency_records_spread_one_partition_per_event_and_expire(aws):
    from services.entrypoints.sqs import process_events
    from tests.support.stack import sqs_record

    handled = []

    def note(envelope):
        handled.append(envelope.event_id)

    first, second = (submission_event().envelope("eservices", event_id=str(uuid.uuid4())) for _ in range(2))
    bodies = [first.model_dump_json(), second.model_dump_json()]
    # GIVEN two events, WHEN the batch is delivered twice (the second time as a redelivery)
    for _ in range(2):
        result = process_events({"Records": [sqs_record(b) for b in bodies]}, service="test", handle=note,
                                table="eservices")
        assert result == {"batchItemFailures": []}
    # THEN each was handled once
    assert sorted(handled) == sorted([first.event_id, second.event_id])
    # AND their idempotency records sit in partitions of their own, each with a time to live
    records, scan = [], {"FilterExpression": "begins_with(pk, :p)",
                         "ExpressionAttributeValues": {":p": "IDEMPOTENCY#test.note#"}, "ConsistentRead": True}
    while True:  # every page of the scan: the shared table holds every other test's items too
        page = table("eservices").scan(**scan)
        records += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert len({r["pk"] for r in records}) == 2
    assert all(r["sk"] == "IDEMPOTENCY" and int(r["ttl"]) > time.time() + 86400 for r in records)
