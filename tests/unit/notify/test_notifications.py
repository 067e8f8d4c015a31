"""Notify's use cases with fakes of its ports: what is said, to whom, on which channel, once."""
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from services.contracts.events import (ContactPreferencesChanged, NotificationDelivered, NotificationFailed,
                                       NotificationRequested, Recipient)
from services.notify.adapters.senders import _SNS_PERMANENT, _translate
from services.notify.adapters.sqs import backoff_seconds, process
from services.notify.config import NotifyConfig
from services.notify.domain.gsm import fit, is_gsm7, segments
from services.notify.domain.lock_date import lock_reminder_due
from services.notify.domain.preferences import ContactPreferences
from services.notify.domain.quiet_hours import quiet_until
from services.notify.domain.templates import PARAMETERS, TEMPLATES, BadParameters, names_in, render
from services.notify.ports import NotifyDeps, PermanentSendFailure, TransientSendFailure
from services.notify.usecases.feedback import on_feedback
from services.notify.usecases.held_sms import flush_held
from services.notify.usecases.inbox import handle
from services.notify.usecases.lock_date_reminder import remind_lock_date
from services.notify.usecases.outcomes import Poison, Retry
from tests.support.fakes.common import Clock
from tests.support.fakes.notify import (FakeDeliveries, FakePreferences, FakeSuppressions, RecordingEmailSender,
                                        RecordingSmsSender)

PNR = "191212121212"
PERSON = Recipient(kind="person", ref=PNR)
DAY = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)  # 11:00 in Stockholm
NIGHT = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.utc)  # 23:00 in Stockholm
CFG = NotifyConfig(municipality="Exempelby kommun", login_url="https://e.example.se/mina-sidor",
                   staff_login_url="https://e.example.se/handlaggning", provider_login_url="https://e.example.se/utforare",
                   mailboxes={"casework": "handlaggning@exempelby.se"})
SAMPLE_PARAMS = {"days": "3", "month": "2026-11", "lock_date": "2026-12-03", "valid_to": "2027-02-15"}


def make(now=DAY, email=True, sms=True, phone="+46707654321", address="a@example.se"):
    preferences = FakePreferences()
    preferences.keep(PERSON, "profile", ContactPreferences(email=address, phone=phone, email_on=email, sms_on=sms,
                                                           changed_at=now - timedelta(days=1)))
    requeued = []
    deps = NotifyDeps(preferences=preferences, suppressions=FakeSuppressions(), deliveries=FakeDeliveries(),
                      email=RecordingEmailSender(), sms=RecordingSmsSender(), config=CFG,
                      clock=Clock(now), requeue=requeued.append)
    deps.requeued = requeued
    return deps


def request(template="message.received", recipient=PERSON, **kw):
    params = kw.pop("params", {k: SAMPLE_PARAMS[k] for k in names_in(TEMPLATES[template])})
    return NotificationRequested(template=template, recipient=recipient, params=params, **kw).envelope("test")


# -- content ---------------------------------------------------------------------------------

def _register_names():
    people = json.loads((Path(__file__).parents[3] / "infra/fixtures/people.json").read_text(encoding="utf-8"))
    return {p[k] for p in people["population_register"] for k in ("first_name", "last_name")}


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_template_with_every_parameter_says_only_that_something_waits_and_where(template_id):
    """GIVEN each template with each parameter it takes WHEN rendered THEN no personnummer, case
    number, name or identifier-bearing link; the municipality and how to log in are there; the SMS
    is one GSM-7 part."""
    names = names_in(TEMPLATES[template_id])
    assert names <= set(PARAMETERS)
    r = render(template_id, {k: SAMPLE_PARAMS[k] for k in names}, CFG)
    everything = "\n".join((r.subject, r.text, r.html, r.sms))
    assert not re.search(r"\d{6}[-+]?\d{4}", everything)  # personnummer, any form
    assert not re.search(r"\b\d{4}-\d{6}\b", everything)  # case numbers
    assert not _register_names() & set(re.findall(r"\w+", everything))
    assert set(re.findall(r'href="([^"]+)"', r.html)) <= {CFG.login_url, CFG.staff_login_url, CFG.provider_login_url}
    assert "Exempelby kommun" in r.text and "Exempelby kommun" in r.html and r.sms.startswith("Exempelby kommun")
    assert "Logga in" in r.text and "<html" in r.html and "Logga in" in r.html
    assert is_gsm7(r.sms) and segments(r.sms) == 1
    assert "{" not in everything


def test_a_parameter_a_template_does_not_take_or_a_bad_value_is_refused():
    with pytest.raises(BadParameters):
        render("message.received", {"first_name": "Kari"}, CFG)
    with pytest.raises(BadParameters):
        render("draft.expiring", {}, CFG)
    for bad in ("19121212-1212", "3 dagar", "0", "99"):
        with pytest.raises(BadParameters):
            render("draft.expiring", {"days": bad}, CFG)
    with pytest.raises(BadParameters):
        render("lock_date.approaching", {"month": "Kari", "lock_date": "2026-12-03"}, CFG)


@pytest.mark.parametrize("template_id", ["staff_account.ending", "staff_account.ending_admin"])
def test_a_staff_accounts_end_reminder_says_only_the_date_and_leads_to_the_staff_entry(template_id):
    """GIVEN the end reminders to a staff account's holder and its administrators WHEN rendered THEN
    the end date in Swedish is all they say of the account, they lead to the staff entry, and
    anything but a date (a personnummer, a name, an account id) is refused as their parameter."""
    assert names_in(TEMPLATES[template_id]) == {"valid_to"} and TEMPLATES[template_id].audience == "staff"
    r = render(template_id, {"valid_to": "2027-02-15"}, CFG)
    assert "15 februari 2027" in r.text and "15 februari 2027" in r.sms
    assert set(re.findall(r'href="([^"]+)"', r.html)) == {CFG.staff_login_url} and CFG.staff_login_url in r.text
    for bad in ("191212121212", "Kari Nordmann", "anna-omsorg", "2027-02-30", "15 februari"):
        with pytest.raises(BadParameters):
            render(template_id, {"valid_to": bad}, CFG)


def test_a_staff_account_is_told_at_its_work_address_and_the_persons_own_choice_stays():
    """GIVEN a person's own address (Mina sidor) and, as a staff account, a work address WHEN the
    account's end reminder is handled THEN it goes to the work address only, by e-mail."""
    d = make(address="privat@example.se")
    staff = Recipient(kind="staff", ref="anna-omsorg")
    d.preferences.keep(staff, "profile", ContactPreferences(email="anna@omsorg.example", email_on=True,
                                                            changed_at=DAY - timedelta(hours=1)))
    outcomes = handle(d, request("staff_account.ending", staff, channels=["email"]))
    assert outcomes == {"email": "sent"} and [m[0] for m in d.email.sent] == ["anna@omsorg.example"]
    assert d.preferences.find(PERSON, "profile").email == "privat@example.se"


def test_swedish_letters_are_gsm7_and_only_what_needs_it_forces_ucs2():
    assert is_gsm7("åäöÅÄÖéü") and segments("å" * 160) == 1 and segments("å" * 161) == 2
    assert not is_gsm7("Hej 😀") and segments("😀" * 36) == 2
    assert is_gsm7(fit("Spärrdatum – ’snart’…")) and not is_gsm7("–")
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extension characters count twice


# -- channels and contact ------------------------------------------------------------------------

@pytest.mark.parametrize("email,sms,sent", [(True, False, ["email"]), (False, True, ["sms"]),
                                             (True, True, ["email", "sms"]), (False, False, [])])
def test_each_recipient_gets_the_channels_they_chose(email, sms, sent):
    d = make(email=email, sms=sms)
    outcomes = handle(d, request())
    assert [c for c, o in outcomes.items() if o == "sent"] == sent
    assert len(d.email.sent) == email and len(d.sms.sent) == sms
    assert [e.channel for e in d.deliveries.events if isinstance(e, NotificationDelivered)] == sent


def test_a_changed_number_is_used_from_then_on():
    d = make()
    handle(d, request())
    handle(d, ContactPreferencesChanged(recipient=PERSON, email_on=True, sms_on=True, email="a@example.se",
                                        phone="+46739998877", changed_at=DAY).envelope("eservices"))
    handle(d, request())
    assert [to for to, _ in d.sms.sent] == ["+46707654321", "+46739998877"]


def test_an_older_preferences_change_arriving_late_changes_nothing():
    d = make()
    handle(d, ContactPreferencesChanged(recipient=PERSON, sms_on=True, phone="+46730000000",
                                        changed_at=DAY - timedelta(days=5)).envelope("eservices"))
    handle(d, request())
    assert d.sms.sent[0][0] == "+46707654321"


def test_a_request_waits_for_the_preferences_changed_with_it_then_uses_what_it_has():
    d = make()
    env = request(contact_as_of=DAY)
    with pytest.raises(Retry):
        handle(d, env, receive_count=1)
    assert d.sms.sent == []
    handle(d, env, receive_count=3)  # the change never came: the last known choice is used
    assert len(d.sms.sent) == 1


def test_case_workers_are_told_through_their_functional_mailbox_by_email():
    d = make()
    handle(d, request("message.received_staff", Recipient(kind="mailbox", ref="casework"), channels=["email"]))
    assert [m[0] for m in d.email.sent] == ["handlaggning@exempelby.se"] and d.sms.sent == []
    assert "handläggarvyn" in d.email.sent[0][2]


def test_no_address_for_an_asked_channel_is_a_recorded_failure_not_a_retry():
    d = make(address=None)
    outcomes = handle(d, request(channels=["email"]))
    assert outcomes == {"email": "failed:no_address"}
    assert [e.reason for e in d.deliveries.events] == ["no_address"]


def test_an_unknown_template_goes_to_the_dlq_at_once():
    with pytest.raises(Poison):
        handle(make(), request("message.received", params={}).model_copy(
            update={"payload": {**request().payload, "template": "nope"}}))


# -- exactly once -----------------------------------------------------------------------------------

def test_the_same_request_delivered_twice_sends_once_per_channel():
    d = make()
    env = request()
    handle(d, env)
    assert handle(d, env) == {"email": "done", "sms": "done"}
    assert len(d.email.sent) == 1 and len(d.sms.sent) == 1


def test_a_second_delivery_while_the_first_is_sending_backs_off_and_then_finds_it_done():
    d = make(sms=False)
    env = request()
    lease = DAY + timedelta(seconds=CFG.lease_seconds)
    d.deliveries.claim(env.event_id, "email", now=DAY, lease_until=lease, template="message.received", recipient=PERSON)
    with pytest.raises(Retry):
        handle(d, env)  # the first worker is sending right now
    assert d.email.sent == []


def test_a_worker_that_crashed_between_claim_and_send_is_taken_over_when_its_lease_runs_out():
    d = make(sms=False)
    env = request()
    d.deliveries.claim(env.event_id, "email", now=DAY - timedelta(minutes=10), lease_until=DAY - timedelta(minutes=8),
                  template="message.received", recipient=PERSON)
    assert handle(d, env) == {"email": "sent"}
    assert len(d.email.sent) == 1 and d.deliveries.get(env.event_id, "email").attempts == 2


def test_a_transient_sms_failure_retries_the_sms_only():
    d = make()
    d.sms.fail_with = TransientSendFailure("Throttling")
    env = request()
    with pytest.raises(Retry):
        handle(d, env)
    d.sms.fail_with = None
    assert handle(d, env) == {"email": "done", "sms": "sent"}
    assert len(d.email.sent) == 1 and len(d.sms.sent) == 1


def test_a_refused_number_is_recorded_suppressed_and_not_retried_until_it_changes():
    d = make(email=False)
    d.sms.fail_with = PermanentSendFailure("invalid_address")
    assert handle(d, request()) == {"sms": "failed:invalid_address"}  # no Retry: the message is done
    d.sms.fail_with = None
    assert handle(d, request()) == {"sms": "failed:suppressed"}
    assert d.sms.sent == []
    handle(d, ContactPreferencesChanged(recipient=PERSON, sms_on=True, phone="+46701112233",
                                        changed_at=DAY).envelope("eservices"))
    assert handle(d, request()) == {"sms": "sent"}
    assert [e.reason for e in d.deliveries.events if isinstance(e, NotificationFailed)] == ["invalid_address",
                                                                                     "suppressed"]


def test_provider_errors_are_sorted_into_permanent_and_transient():
    def err(code):
        return ClientError({"Error": {"Code": code, "Message": "x"}}, "Publish")

    assert isinstance(_translate(err("InvalidParameter"), _SNS_PERMANENT), PermanentSendFailure)
    assert isinstance(_translate(err("Throttling"), _SNS_PERMANENT), TransientSendFailure)
    assert isinstance(_translate(ConnectionError(), _SNS_PERMANENT), TransientSendFailure)


def test_a_hard_bounce_suppresses_the_address_and_fails_the_notification():
    d = make(sms=False)
    env = request()
    handle(d, env)
    bounce = {"notificationType": "Bounce", "mail": {"messageId": "mail-1"},
              "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "a@example.se"}]}}
    assert on_feedback(d, json.dumps({"Type": "Notification", "Message": json.dumps(bounce)})) == "bounced"
    assert d.deliveries.get(env.event_id, "email").status == "failed"
    assert d.deliveries.events[-1].reason == "bounced" and d.deliveries.events[-1].recipient == PERSON
    assert handle(d, request()) == {"email": "failed:suppressed"}
    soft = {**bounce, "bounce": {**bounce["bounce"], "bounceType": "Transient"}}
    assert on_feedback(d, json.dumps(soft)) == "ignored"


def test_a_complaint_suppresses_the_address():
    d = make(sms=False)
    handle(d, request())
    on_feedback(d, json.dumps({"notificationType": "Complaint", "mail": {"messageId": "mail-1"},
                               "complaint": {"complainedRecipients": [{"emailAddress": "a@example.se"}]}}))
    assert handle(d, request()) == {"email": "failed:suppressed"}


# -- quiet hours ----------------------------------------------------------------------------------------

def test_quiet_hours_run_from_21_to_08_in_stockholm():
    hours = CFG.sms_quiet_hours
    stockholm_8 = datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)
    assert quiet_until(NIGHT, hours) == stockholm_8
    assert quiet_until(datetime(2026, 11, 25, 6, 59, tzinfo=timezone.utc), hours) == stockholm_8
    assert quiet_until(stockholm_8, hours) is None and quiet_until(DAY, hours) is None
    assert quiet_until(datetime(2026, 11, 24, 19, 59, tzinfo=timezone.utc), hours) is None  # 20:59
    summer = datetime(2026, 7, 1, 19, 30, tzinfo=timezone.utc)  # 21:30 CEST
    assert quiet_until(summer, hours) == datetime(2026, 7, 2, 6, 0, tzinfo=timezone.utc)


def test_at_night_email_goes_at_once_and_sms_waits_for_the_morning_and_its_current_number():
    d = make(now=NIGHT)
    env = request()
    assert handle(d, env) == {"email": "sent", "sms": "held"}
    assert handle(d, env) == {"email": "done", "sms": "held"}  # a redelivery at night changes nothing
    assert len(d.email.sent) == 1 and d.sms.sent == []
    d.clock.now = datetime(2026, 11, 25, 6, 30, tzinfo=timezone.utc)  # 07:30: still quiet
    assert flush_held(d) == 0
    handle(d, ContactPreferencesChanged(recipient=PERSON, email_on=True, sms_on=True, email="a@example.se",
                                        phone="+46761234567", changed_at=d.clock.now).envelope("eservices"))
    d.clock.now = datetime(2026, 11, 25, 7, 5, tzinfo=timezone.utc)  # 08:05
    assert flush_held(d) == 1
    from services.contracts.events import Envelope

    again = Envelope.model_validate_json(d.requeued[0])
    assert handle(d, again) == {"email": "done", "sms": "sent"}
    assert d.sms.sent == [("+46761234567", d.sms.sent[0][1])]
    assert flush_held(d) == 0


# -- lock date --------------------------------------------------------------------------------------------

def test_providers_are_reminded_three_working_days_before_the_lock_date_once():
    assert lock_reminder_due(datetime(2026, 11, 30).date()) == (2026, 11)  # lock date Thu 3 December
    assert lock_reminder_due(datetime(2026, 12, 1).date()) is None
    d = make(now=datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc))
    d.preferences.keep(Recipient(kind="provider", ref="prov-a"), "profile",
                       ContactPreferences(email="rapport@a.example", email_on=True, changed_at=DAY))
    assert remind_lock_date(d) == 1 and remind_lock_date(d) == 1
    assert [(m[0], m[1]) for m in d.email.sent] == [("rapport@a.example", "Spärrdatum för november 2026 närmar sig")]
    assert "3 december 2026" in d.email.sent[0][2]
    d.clock.now = datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc)
    assert remind_lock_date(d) == 0


# -- the consumer ------------------------------------------------------------------------------------------

class FakeSqs:
    def __init__(self):
        self.visibility, self.sent = [], []

    def change_message_visibility(self, **kw):
        self.visibility.append(kw["VisibilityTimeout"])

    def send_message(self, **kw):
        self.sent.append(kw["QueueUrl"])


def _record(mid, count="1"):
    return {"messageId": mid, "receiptHandle": mid, "body": mid, "attributes": {"ApproximateReceiveCount": count},
            "eventSourceARN": "arn:aws:sqs:eu-north-1:1:insats-notify-inbox"}


def test_failed_records_come_back_alone_with_growing_delays_and_poison_goes_to_the_dlq():
    sqs = FakeSqs()

    def handler(body, count):
        if body == "retry":
            raise Retry("later")
        if body == "poison":
            raise Poison("never")

    result = process({"Records": [_record("ok"), _record("retry", "3"), _record("poison")]}, handler, sqs=lambda: sqs,
                     queue_url=lambda name: f"url/{name}")
    assert result == {"batchItemFailures": [{"itemIdentifier": "retry"}]}
    assert sqs.visibility == [120] and sqs.sent == ["url/insats-notify-inbox-dlq"]
    assert [backoff_seconds(n) for n in (1, 2, 3, 6, 7, 20)] == [30, 60, 120, 900, 900, 900]


def test_given_a_batch_that_succeeds_then_no_sqs_client_is_made_and_a_failing_one_makes_it_once():
    # GIVEN a factory of the SQS client that counts what it makes (a client costs a cold start)
    made: list[FakeSqs] = []

    def make() -> FakeSqs:
        made.append(FakeSqs())
        return made[-1]

    def handler(body, count):
        if body.startswith("retry"):
            raise Retry("later")

    # WHEN a batch succeeds, THEN none is made
    assert process({"Records": [_record("ok"), _record("ok2")]}, handler, sqs=make,
                   queue_url=lambda name: f"url/{name}") == {"batchItemFailures": []}
    assert made == []
    # WHEN two records fail, THEN one client delays both
    process({"Records": [_record("retry-1"), _record("retry-2", "2")]}, handler, sqs=make,
            queue_url=lambda name: f"url/{name}")
    assert len(made) == 1 and made[0].visibility == [30, 60]


def test_domain_events_published_with_a_contact_before_the_change_still_parse_without_it():
    from services.contracts.events import DecisionPublished, Envelope

    old = {"decision_id": "d", "case_id": "c", "case_number": "2026-000001", "client": PNR, "insats": "hemtjanst",
           "law": "SoL", "outcome": "granted", "valid_from": "2026-12-01", "decided_at": "2026-11-24T10:00:00Z",
           "notify": {"email": "a@example.se", "phone": "+46701"}}
    event = Envelope(event_id="e", event_type="decision.published", version=1, occurred_at=DAY, source="eservices",
                     payload=old).parse()
    assert isinstance(event, DecisionPublished) and "notify" not in event.model_dump()
