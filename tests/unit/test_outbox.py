"""The stream relay's rules on hand-made stream records (DynamoDB's typed JSON), without AWS."""
import base64
import uuid

from services.adapters.messaging import PUBLISH_BATCH_BYTES, publish_chunks
from tests.support.fakes.common import RecordingPublisher
from services.adapters.outbox import event_id_for, handle_stream_event, new_envelopes, packed_outbox
from services.contracts.events import Envelope


def envelope(payload=None):
    return Envelope(event_id=str(uuid.uuid4()), event_type="visit.changed", version=1,
                    occurred_at="2026-11-24T10:00:00Z", source="visits", payload=payload or {})


def image(*envelopes, **attrs):
    item = {"pk": {"S": "CLIENT#1"}, "sk": {"S": "DAY#2026-11-24"}, **{k: {"S": v} for k, v in attrs.items()}}
    if envelopes:
        item["outbox"] = {"L": [{"S": e.model_dump_json()} for e in envelopes]}
    return item


def record(seq, name, new=None, old=None):
    body = {"SequenceNumber": str(seq), "Keys": {"pk": {"S": "CLIENT#1"}, "sk": {"S": "DAY#2026-11-24"}}}
    if new is not None:
        body["NewImage"] = new
    if old is not None:
        body["OldImage"] = old
    return {"eventID": str(seq), "eventName": name, "eventSource": "aws:dynamodb", "dynamodb": body}


def test_only_envelopes_the_new_image_adds_are_relayed():
    kept, added = envelope(), envelope()
    # GIVEN a modify whose old image already held one of the two envelopes
    rec = record(1, "MODIFY", new=image(kept, added), old=image(kept))
    # THEN only the added one is new
    assert [Envelope.model_validate_json(raw).event_id for raw in new_envelopes(rec)] == [added.event_id]
    # AND a removal or an item without an outbox adds nothing
    assert new_envelopes(record(2, "REMOVE", old=image(kept))) == []
    assert new_envelopes(record(3, "INSERT", new=image())) == []


def packed(*envelopes, base64_encoded=False):
    """An image whose outbox is packed: bytes as boto3 reads a stream, base64 as a Lambda event has it."""
    item = image()
    raw = packed_outbox([e.model_dump_json() for e in envelopes])
    item["outbox"] = {"B": base64.b64encode(raw).decode() if base64_encoded else raw}
    return item


def test_a_packed_outbox_is_relayed_like_a_list():
    kept, added = envelope(), envelope()
    for as_lambda_sends_it in (False, True):
        # GIVEN a modify of an item whose outbox is packed, the old image holding one of the two envelopes
        rec = record(1, "MODIFY", new=packed(kept, added, base64_encoded=as_lambda_sends_it),
                     old=packed(kept, base64_encoded=as_lambda_sends_it))
        # THEN only the added one is new, as with a list
        assert [Envelope.model_validate_json(raw).event_id for raw in new_envelopes(rec)] == [added.event_id]
    # AND an old list image and a new packed one compare by event id all the same
    assert new_envelopes(record(2, "MODIFY", new=packed(kept, added), old=image(kept, added))) == []


def test_the_handler_publishes_every_record_and_reports_no_failure():
    a, b, c = envelope(), envelope(), envelope()
    recorder = RecordingPublisher()
    event = {"Records": [record(10, "INSERT", new=image(a, b)), record(11, "MODIFY", new=image(c), old=image(a, b)),
                         record(12, "REMOVE", old=image(c))]}
    assert handle_stream_event(event, recorder) == {"batchItemFailures": []}
    assert [e.event_id for e in recorder.published] == [a.event_id, b.event_id, c.event_id]


def test_a_record_whose_event_is_refused_is_named_by_its_sequence_number():
    a, b = envelope(), envelope()

    class Refusing(RecordingPublisher):
        def publish_batch(self, envelopes):
            super().publish_batch([e for e in envelopes if e.event_id != b.event_id])
            return [b.event_id]

    event = {"Records": [record(20, "INSERT", new=image(a)), record(21, "INSERT", new=image(b))]}
    assert handle_stream_event(event, Refusing()) == {"batchItemFailures": [{"itemIdentifier": "21"}]}


def test_an_outbox_entry_that_is_no_envelope_is_skipped_not_blocking():
    good = envelope()
    broken = image(good)
    broken["outbox"]["L"].insert(0, {"S": '{"not": "an envelope"}'})
    recorder = RecordingPublisher()
    assert handle_stream_event({"Records": [record(30, "INSERT", new=broken)]}, recorder) == {"batchItemFailures": []}
    assert [e.event_id for e in recorder.published] == [good.event_id]


def test_publish_batches_hold_ten_entries_and_stay_under_the_size_limit():
    small = [envelope() for _ in range(23)]
    assert [len(c) for c in publish_chunks(small)] == [10, 10, 3]
    big = [envelope({"text": "x" * 100_000}) for _ in range(5)]
    chunks = publish_chunks(big)
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert all(sum(len(body.encode()) for _, body in c) <= PUBLISH_BATCH_BYTES for c in chunks)


def test_event_ids_derive_from_the_write_so_a_rerun_emits_the_same_ids():
    first = event_id_for("DAY#p#c#2026-11-24", "DAY", 3, "visit.changed", 0)
    assert event_id_for("DAY#p#c#2026-11-24", "DAY", 3, "visit.changed", 0) == first
    others = {event_id_for("DAY#p#c#2026-11-24", "DAY", 4, "visit.changed", 0),
              event_id_for("DAY#p#c#2026-11-24", "DAY", 3, "visit.changed", 1),
              event_id_for("DAY#p#c#2026-11-24", "DAY", 3, "absence.registered", 0),
              event_id_for("DAY#p#c#2026-11-25", "DAY", 3, "visit.changed", 0)}
    assert first not in others and len(others) == 4
    assert str(uuid.UUID(first)) == first
