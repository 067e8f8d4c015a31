"""The DLQ tool without AWS: a fake SQS where what is sent back fails again at once."""
import json

from infra import dlq


class LoopingSqs:
    """The source queue's consumer fails everything: a message sent back lands in the DLQ again."""

    def __init__(self, bodies):
        self.dlq = list(bodies)
        self.sent = []

    def get_queue_url(self, QueueName):
        return {"QueueUrl": QueueName}

    def get_queue_attributes(self, QueueUrl, AttributeNames):
        return {"Attributes": {"ApproximateNumberOfMessages": str(len(self.dlq)),
                               "ApproximateNumberOfMessagesNotVisible": "0"}}

    def receive_message(self, QueueUrl, MaxNumberOfMessages, **kw):
        got = self.dlq[:MaxNumberOfMessages]
        return {"Messages": [{"MessageId": str(i), "ReceiptHandle": str(i), "Body": b} for i, b in enumerate(got)]}

    def send_message_batch(self, QueueUrl, Entries):
        self.sent.extend(e["MessageBody"] for e in Entries)
        return {"Successful": [{"Id": e["Id"]} for e in Entries]}

    def delete_message_batch(self, QueueUrl, Entries):
        moved = self.dlq[:len(Entries)]
        del self.dlq[:len(Entries)]
        self.dlq.extend(moved)  # the consumer failed them again


def test_redrive_moves_what_is_there_once_even_when_it_fails_again():
    sqs = LoopingSqs([json.dumps({"event_id": str(i)}) for i in range(12)])
    assert dlq.redrive(sqs, "notify-inbox") == 12
    assert len(sqs.sent) == 12


def test_the_listing_names_messages_without_their_payload():
    body = json.dumps({"event_id": "e1", "event_type": "notification.requested", "payload": {"recipient": "x"}})
    assert dlq.summary(body) == {"event_id": "e1", "event_type": "notification.requested"}
    assert dlq.summary("not json") == {"body": "not JSON"}
