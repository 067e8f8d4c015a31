"""Notifications carry no personal data or case content, and go out once per channel."""
import pytest

from services.adapters.senders import RecordingEmailSender, RecordingSmsSender
from services.contracts.events import (CaseStatusChanged, Contact, DecisionPublished, MessageSent,
                                       NotificationRequested, SubmissionReceived)
from services.notify.service import NotifyDeps, handle
from services.notify.templates import TEMPLATES, render

PNR = "19121212-1212"


class DictTable:
    """A fake DynamoDB table for get_item/put_item with attribute_not_exists."""

    def __init__(self):
        self.items = {}

    def get_item(self, Key, ConsistentRead=False):
        item = self.items.get((Key["pk"], Key["sk"]))
        return {"Item": item} if item else {}

    def put_item(self, Item, ConditionExpression=None):
        self.items[(Item["pk"], Item["sk"])] = Item


class FlakySms(RecordingSmsSender):
    def __init__(self):
        super().__init__()
        self.fail = True

    def send(self, to, body):
        if self.fail:
            raise ConnectionError("sms gateway down")
        return super().send(to, body)


def deps(sms=None):
    return NotifyDeps(table=DictTable(), email=RecordingEmailSender(), sms=sms or RecordingSmsSender())


EVENTS = [
    SubmissionReceived(case_id="c", case_number="2026-000001", eservice="contact-monthly-report", owner=PNR,
                       submitted_at="2026-11-24T10:00:00Z", notify=Contact(email="a@example.se", phone="+46701")),
    CaseStatusChanged(case_id="c", case_number="2026-000001", owner=PNR, status="received",
                      changed_at="2026-11-24T10:00:00Z", notify=Contact(email="a@example.se", phone="+46701")),
    DecisionPublished(decision_id="d", case_id="c", case_number="2026-000001", client=PNR, insats="hemtjanst",
                      law="SoL", outcome="granted", granted_minutes_per_month=600, valid_from="2026-12-01",
                      decided_at="2026-11-24T10:00:00Z", notify=Contact(email="a@example.se", phone="+46701")),
    MessageSent(message_id="m", to_party="citizen", recipient=PNR, sent_at="2026-11-24T10:00:00Z",
                notify=Contact(email="a@example.se", phone="+46701")),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.event_type)
def test_no_notification_names_the_person_or_the_content(event):
    d = deps()
    handle(d, event.envelope("test"))
    texts = [s + b for _, s, b in d.email.sent] + [b for _, b in d.sms.sent]
    assert len(d.email.sent) == 1 and len(d.sms.sent) == 1
    for text in texts:
        assert "191212" not in text and "1212" not in text
        assert "hemtjanst" not in text and "600" not in text
        assert "Mina sidor" in text


def test_only_the_chosen_channels_are_used():
    d = deps()
    event = SubmissionReceived(case_id="c", case_number="2026-000002", eservice="x", owner=PNR,
                               submitted_at="2026-11-24T10:00:00Z", notify=Contact(phone="+46702"))
    assert handle(d, event.envelope("test")) == ["sms"]
    assert d.email.sent == []


def test_a_retry_after_a_failed_sms_does_not_send_the_email_again():
    sms = FlakySms()
    d = deps(sms)
    envelope = EVENTS[0].envelope("test")
    with pytest.raises(ConnectionError):
        handle(d, envelope)
    sms.fail = False
    assert handle(d, envelope) == ["sms"]
    assert len(d.email.sent) == 1 and len(sms.sent) == 1


def test_templates_refuse_parameters_that_could_carry_personal_data():
    TEMPLATES["test.bad"] = type(TEMPLATES["message.sent"])("s", "Hej {first_name}")
    try:
        with pytest.raises(AssertionError):
            render("test.bad", {"first_name": "Kari"})
    finally:
        del TEMPLATES["test.bad"]


def test_a_requested_notification_uses_its_template():
    d = deps()
    event = NotificationRequested(template="draft.expiring", notify=Contact(email="a@example.se"))
    assert handle(d, event.envelope("test")) == ["email"]
    assert "utkast" in d.email.sent[0][2]
