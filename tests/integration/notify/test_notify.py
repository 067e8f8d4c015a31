"""Notify against the moto server: preferences from eservices' events, sends through SES and
SNS, delivery records under DynamoDB's conditions, SES feedback, the delivery status back on
Mina sidor, the stored-contacts repair and the DLQ tool."""
import json
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.adapters.aws import _endpoint, client, queue_url, table
from services.contracts.events import ContactPreferencesChanged, Envelope, NotificationRequested, Recipient
from tests.support.people import new_pnr
from tests.support.stack import drain


def sent():
    data = json.load(urllib.request.urlopen(f"{_endpoint()}/moto-api/data.json"))
    return data["ses"]["Message"], data["sns"]["SMS"]


def sms_to(number):
    return [m for m in sent()[1] if m["phone_number"] == number]


def mail_to(address):
    return [m for m in sent()[0] if address in m["destinations"]["ToAddresses"]]


def inbox(queue="notify-inbox"):
    return [m["Body"] for m in drain(queue_url(queue), client("sqs"), wait=1)]


def recipient_of(body):
    """Whom an event on a queue is for (None for an event with no recipient, e.g. ``visit.changed``)."""
    return json.loads(body)["payload"].get("recipient", {}).get("ref")


def for_person(bodies, pnr):
    me = {"kind": "person", "ref": pnr}
    return sorted((b for b in bodies if json.loads(b)["payload"].get("recipient") == me),
                  key=lambda b: json.loads(b)["event_type"])  # preferences before requests


def notify_handles(app_client, bodies):
    return app_client("notify").sqs("on_event", bodies)


def request_for(pnr, template="decision.published", preferences="profile"):
    return NotificationRequested(template=template, recipient=Recipient(kind="person", ref=pnr),
                                 preferences=preferences).envelope("eservices")


# -- phone numbers, end to end --------------------------------------------------------------------

@pytest.mark.parametrize("written", ["070-765 43 21", "0707654321", "+46 70 765 43 21", "0046707654321"])
def test_a_number_written_any_swedish_way_gets_the_sms(app_client, token, written):
    """GIVEN a citizen who gives their mobile number as Swedes write it WHEN something is waiting
    THEN the SMS reaches the number in E.164."""
    es = app_client("eservices")
    pnr = new_pnr()
    tok = token("citizen", personnummer=pnr)
    drain(queue_url("notify-inbox"), client("sqs"))
    number = f"+4670{uuid.uuid4().int % 10**7:07d}"
    local = "0" + number[3:]
    forms = {"070-765 43 21": f"{local[:3]}-{local[3:6]} {local[6:8]} {local[8:]}", "0707654321": local,
             "+46 70 765 43 21": f"+46 {number[3:5]} {number[5:8]} {number[8:10]} {number[10:]}",
             "0046707654321": "00" + number[1:]}
    r = es.put("/profile", {"mobile": forms[written], "notify_sms": True}, token=tok)
    assert r.status == 200, r.json
    assert r.json["mobile"] == number
    before = len(sms_to(number))
    assert notify_handles(app_client, for_person(inbox(), pnr) + [request_for(pnr).model_dump_json()]) == {
        "batchItemFailures": []}
    got = sms_to(number)
    assert len(got) == before + 1 and "Mina sidor" in got[-1]["message"]


@pytest.mark.parametrize("field,value", [("mobile", "08-123 456 78"), ("mobile", "+47 412 34 567"),
                                         ("email", "inte-en-adress")])
def test_what_is_not_a_mobile_number_or_an_address_is_refused_in_swedish_and_nothing_is_stored(
        app_client, token, field, value):
    es = app_client("eservices")
    pnr = new_pnr()
    tok = token("citizen", personnummer=pnr)
    r = es.put("/profile", {field: value, "notify_sms": field == "mobile", "notify_email": field == "email"},
               token=tok)
    assert r.status == 422 and r.json["errors"][0]["field"] == field
    assert "ange" in r.json["errors"][0]["detail"]
    assert "Item" not in table("eservices").get_item(Key={"pk": f"PERSON#{pnr}", "sk": "PROFILE"})


def test_messaging_alert_phones_are_stored_in_e164_and_notify_learns_the_chosen_one(app_client, token):
    es = app_client("eservices")
    cw = token("case_worker", user_id="hl-1", name="Marita Aronsson")
    citizen = new_pnr()
    drain(queue_url("notify-inbox"), client("sqs"))
    r = es.put("/messaging/settings", {"citizen": citizen, "first_name": "A", "last_name": "B", "enabled": True,
                                       "phone1": "070-111 11 11", "phone2": "0046 73 222 22 22", "sms_alert": True,
                                       "sms_phone": 2}, token=cw)
    assert r.status == 200, r.json
    assert (r.json["phone1"], r.json["phone2"]) == ("+46701111111", "+46732222222")
    [prefs] = for_person(inbox(), citizen)
    payload = json.loads(prefs)["payload"]
    assert (payload["preferences"], payload["phone"], payload["sms_on"], payload["email_on"]) == (
        "alerts", "+46732222222", True, False)
    bad = es.put("/messaging/settings", {"citizen": citizen, "first_name": "A", "last_name": "B", "enabled": True,
                                         "phone1": "08-123 45 67"}, token=cw)
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "phone1"
    assert bad.json["errors"][0]["detail"].startswith("Telefon 1: ange ett svenskt mobilnummer")


# -- exactly once, failures, feedback ---------------------------------------------------------------

def prefs_for(app_client, pnr, **kw):
    event = ContactPreferencesChanged(recipient=Recipient(kind="person", ref=pnr),
                                      changed_at=datetime.now(timezone.utc), **kw).envelope("eservices")
    assert notify_handles(app_client, [event.model_dump_json()]) == {"batchItemFailures": []}


def test_a_request_delivered_twice_sends_once_per_channel_under_dynamodb_conditions(app_client):
    pnr, number, address = new_pnr(), f"+4673{uuid.uuid4().int % 10**7:07d}", f"{uuid.uuid4().hex}@example.se"
    prefs_for(app_client, pnr, email=address, phone=number, email_on=True, sms_on=True)
    body = request_for(pnr).model_dump_json()
    assert notify_handles(app_client, [body, body]) == {"batchItemFailures": []}  # twice in one batch
    assert notify_handles(app_client, [body]) == {"batchItemFailures": []}  # and once more later
    assert len(sms_to(number)) == 1 and len(mail_to(address)) == 1
    html = mail_to(address)[0]["body"]
    assert html.startswith("<!DOCTYPE html>") and "Du har fått ett beslut" in html and pnr not in html


def test_a_send_claimed_by_a_live_worker_comes_back_later(app_client):
    from services.notify.bootstrap import deps

    pnr, address = new_pnr(), f"{uuid.uuid4().hex}@example.se"
    prefs_for(app_client, pnr, email=address, email_on=True)
    envelope = request_for(pnr)
    now = datetime.now(timezone.utc)
    assert deps().deliveries.claim(envelope.event_id, "email", now=now, lease_until=now + timedelta(minutes=2),
                                   template="decision.published",
                                   recipient=Recipient(kind="person", ref=pnr)) == "claimed"
    result = app_client("notify").sqs("on_event", [envelope.model_dump_json()], message_ids=["busy"])
    assert result == {"batchItemFailures": [{"itemIdentifier": "busy"}]} and mail_to(address) == []


def test_a_number_sns_refuses_is_recorded_suppressed_and_not_retried(app_client):
    """GIVEN a number stored before numbers were normalised WHEN SNS refuses it THEN the failure
    is recorded and published, the number suppressed, and the message is not retried."""
    pnr = new_pnr()
    prefs_for(app_client, pnr, phone="070-765 43 21", sms_on=True)
    drain(queue_url("eservices-inbox"), client("sqs"))
    assert notify_handles(app_client, [request_for(pnr).model_dump_json()]) == {"batchItemFailures": []}
    [failed] = [json.loads(b) for b in inbox("eservices-inbox") if recipient_of(b) == pnr]
    assert (failed["event_type"], failed["payload"]["reason"]) == ("notification.failed", "invalid_address")
    assert notify_handles(app_client, [request_for(pnr).model_dump_json()]) == {"batchItemFailures": []}
    [again] = [json.loads(b) for b in inbox("eservices-inbox") if recipient_of(b) == pnr]
    assert again["payload"]["reason"] == "suppressed"


def test_a_bounce_through_the_feedback_topic_suppresses_the_address(app_client):
    pnr, address = new_pnr(), f"{uuid.uuid4().hex}@example.se"
    prefs_for(app_client, pnr, email=address, email_on=True)
    envelope = request_for(pnr)
    assert notify_handles(app_client, [envelope.model_dump_json()]) == {"batchItemFailures": []}
    from services.notify.bootstrap import deps

    message_id = deps().deliveries.get(envelope.event_id, "email").provider_message_id
    bounce = {"notificationType": "Bounce", "mail": {"messageId": message_id},
              "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": address}]}}
    from services.adapters.aws import topic_arn

    client("sns").publish(TopicArn=topic_arn("ses-feedback"), Message=json.dumps(bounce))
    feedback = inbox("notify-feedback")
    assert len(feedback) == 1
    assert app_client("notify").sqs("on_feedback", feedback) == {"batchItemFailures": []}
    assert deps().deliveries.get(envelope.event_id, "email").status == "failed"
    assert deps().suppressions.is_suppressed("email", address)


# -- delivery status on Mina sidor ---------------------------------------------------------------------

def test_the_citizen_sees_when_the_latest_sms_went(app_client, token):
    es = app_client("eservices")
    pnr = new_pnr()
    tok = token("citizen", personnummer=pnr)
    drain(queue_url("notify-inbox"), client("sqs"))
    drain(queue_url("eservices-inbox"), client("sqs"))
    es.put("/profile", {"mobile": "073-555 01 02", "notify_sms": True}, token=tok)
    assert es.get("/profile", token=tok).json["notifications"] == {"email": None, "sms": None}
    notify_handles(app_client, for_person(inbox(), pnr) + [request_for(pnr).model_dump_json()])
    status = [b for b in inbox("eservices-inbox") if recipient_of(b) == pnr]
    assert [json.loads(b)["event_type"] for b in status] == ["notification.delivered"]
    assert app_client("eservices").sqs("on_event", status + status) == {"batchItemFailures": []}  # redelivered
    shown = es.get("/profile", token=tok).json["notifications"]
    assert shown["sms"]["status"] == "sent" and shown["email"] is None
    assert shown["sms"]["label"].startswith("Senaste SMS skickat ")
    assert datetime.fromisoformat(shown["sms"]["at"]) > datetime.now(timezone.utc) - timedelta(minutes=5)


# -- held SMS ------------------------------------------------------------------------------------------

def test_a_held_sms_is_put_back_on_the_queue_when_the_quiet_hours_end(app_client):
    import dataclasses

    from services.notify.bootstrap import deps
    from services.notify.usecases.held_sms import flush_held
    from services.notify.usecases.inbox import handle

    pnr, number = new_pnr(), f"+4676{uuid.uuid4().int % 10**7:07d}"
    prefs_for(app_client, pnr, phone=number, sms_on=True)
    night = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.utc)
    quiet = dataclasses.replace(deps(), clock=lambda: night,
                                config=dataclasses.replace(deps().config, sms_quiet_hours=(
                                    datetime(2000, 1, 1, 21).time(), datetime(2000, 1, 1, 8).time())))
    envelope = request_for(pnr)
    assert handle(quiet, envelope) == {"sms": "held"} and sms_to(number) == []
    drain(queue_url("notify-inbox"), client("sqs"))
    morning = dataclasses.replace(quiet, clock=lambda: night + timedelta(hours=9, minutes=5))
    assert flush_held(morning) >= 1
    mine = [b for b in inbox() if json.loads(b)["event_id"] == envelope.event_id]
    assert len(mine) == 1
    assert handle(morning, Envelope.model_validate_json(mine[0])) == {"sms": "sent"}
    assert len(sms_to(number)) == 1


# -- the repair and the DLQ tool -------------------------------------------------------------------------

def test_the_repair_normalises_stored_numbers_drops_the_rest_and_tells_notify(aws):
    from services.eservices.bootstrap import deps
    from services.eservices.usecases.contact_repair import repair_contacts

    good, bad = new_pnr(), new_pnr()
    t = table("eservices")
    t.put_item(Item={"pk": f"PERSON#{good}", "sk": "PROFILE", "mobile": "070-765 43 21", "notify_sms": True,
                     "notify_email": False, "updated_at": "2026-01-01T00:00:00+00:00"})
    t.put_item(Item={"pk": f"PERSON#{bad}", "sk": "PROFILE", "mobile": "08-123 456 78", "notify_sms": True,
                     "notify_email": False, "updated_at": "2026-01-01T00:00:00+00:00"})
    drain(queue_url("notify-inbox"), client("sqs"))
    first = repair_contacts(deps().contacts, deps().unit_of_work)
    assert first.repaired >= 2 and first.dropped >= 1
    assert t.get_item(Key={"pk": f"PERSON#{good}", "sk": "PROFILE"})["Item"]["mobile"] == "+46707654321"
    dropped = t.get_item(Key={"pk": f"PERSON#{bad}", "sk": "PROFILE"})["Item"]
    assert dropped["mobile"] is None and dropped["notify_sms"] is False
    told = {json.loads(b)["payload"]["recipient"]["ref"]: json.loads(b)["payload"] for b in inbox()}
    assert told[good]["phone"] == "+46707654321" and told[bad]["sms_on"] is False
    again = repair_contacts(deps().contacts, deps().unit_of_work)
    assert again.repaired == 0 and again.dropped == 0


def test_make_dlq_lists_without_payload_and_redrive_moves_back(aws):
    from infra.dlq import list_dlqs, redrive

    sqs = client("sqs")
    drain(queue_url("notify-inbox"), sqs)
    drain(queue_url("notify-inbox-dlq"), sqs)
    envelope = request_for(new_pnr())
    sqs.send_message(QueueUrl=queue_url("notify-inbox-dlq"), MessageBody=envelope.model_dump_json())
    [row] = [r for r in list_dlqs(sqs) if r["queue"] == "notify-inbox"]
    assert row["messages"] == 1 and row["sample"][0]["event_id"] == envelope.event_id
    assert "payload" not in row["sample"][0] and envelope.payload["recipient"]["ref"] not in json.dumps(row)
    assert redrive(sqs, "notify-inbox") == 1
    assert [json.loads(b)["event_id"] for b in inbox()] == [envelope.event_id]
    assert int(sqs.get_queue_attributes(QueueUrl=queue_url("notify-inbox-dlq"), AttributeNames=[
        "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]) == 0


# -- who asks for what -------------------------------------------------------------------------------------

def test_the_relative_is_told_when_an_approval_is_granted_and_when_it_ends(app_client, token):
    from tests.integration.casework.helpers import case_worker
    from tests.integration.casework.test_relatives import approval

    es = app_client("eservices")
    citizen, relative = new_pnr(), new_pnr()
    _, cw = case_worker(token)
    drain(queue_url("notify-inbox"), client("sqs"))
    r = es.post("/relatives", approval(citizen, relative), token=cw)
    assert r.status == 201, r.json
    assert es.post(f"/relatives/{r.json['approval_id']}/end", token=cw).status == 200
    asked = [json.loads(b)["payload"] for b in for_person(inbox(), relative)]
    assert [a["template"] for a in asked] == ["relative.approved", "relative.ended"]
    assert all(a["params"] == {} and a["preferences"] == "profile" for a in asked)
    assert for_person(inbox(), citizen) == []


def test_notify_keeps_a_light_cold_start():
    """GIVEN notify's Lambda WHEN its module is imported THEN no boto3 client, template engine, PDF
    library or Powertools idempotency is loaded yet."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    code = ("import sys, app; heavy = [m for m in ('boto3', 'jinja2', 'fpdf', "
            "'aws_lambda_powertools.utilities.idempotency') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=root / "notify_svc", capture_output=True, text=True,
                         env={"PYTHONPATH": str(root / "notify_svc" / "vendor"), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_form_takes_the_number_as_written_and_the_receipt_sms_goes_to_e164(app_client, token):
    """GIVEN a contact person who writes their mobile number the Swedish way in the report WHEN
    they submit THEN the profile keeps it in E.164 and the receipt SMS reaches it."""
    from tests.integration.eservices.helpers import give_assignment, monthly_answers, submitted_case

    es = app_client("eservices")
    pnr = new_pnr(1975)
    give_assignment(pnr)
    tok = token("contact_person", personnummer=pnr)
    number = f"+4679{uuid.uuid4().int % 10**7:07d}"
    written = f"0{number[3:5]}-{number[5:8]} {number[8:10]} {number[10:]}"
    drain(queue_url("notify-inbox"), client("sqs"))
    submitted_case(es, tok, "contact-monthly-report",
                   monthly_answers(pnr, om_dig={"mobile": written, "notify_sms": True, "notify_email": False}))
    assert es.get("/profile", token=tok).json["mobile"] == number
    assert notify_handles(app_client, for_person(inbox(), pnr)) == {"batchItemFailures": []}
    [sms] = sms_to(number)
    assert "tagit emot" in sms["message"]


def test_a_form_refuses_a_landline_naming_the_field_in_swedish(app_client, token):
    from tests.integration.eservices.helpers import give_assignment, monthly_answers

    es = app_client("eservices")
    pnr = new_pnr(1975)
    give_assignment(pnr)
    tok = token("contact_person", personnummer=pnr)
    draft = es.post("/drafts", {"form_id": "contact-monthly-report",
                                "answers": monthly_answers(pnr, om_dig={"mobile": "08-123 456 78"})}, token=tok)
    # refused at input, the field named
    assert draft.status == 422, draft.json
    errors = {e["field"]: e["detail"] for e in draft.json["errors"]}
    assert errors["answers.om_dig.mobile"].startswith("Mobiltelefon: ange ett svenskt mobilnummer")


def test_an_older_delivery_status_arriving_late_does_not_hide_the_newer(aws):
    from services.contracts.events import NotificationDelivered, NotificationFailed
    from services.eservices.adapters.deliveries import DynamoDeliveryStatuses
    from services.eservices.usecases.notifications import delivery_status, record_delivery

    pnr = new_pnr()
    person = Recipient(kind="person", ref=pnr)
    now = datetime.now(timezone.utc)
    newer = NotificationFailed(notification_id="n2", template="decision.published", recipient=person, channel="sms",
                               reason="suppressed", at=now).envelope("notify")
    older = NotificationDelivered(notification_id="n1", template="decision.published", recipient=person,
                                  channel="sms", at=now - timedelta(hours=1)).envelope("notify")
    record_delivery(DynamoDeliveryStatuses(table("eservices")), newer)
    record_delivery(DynamoDeliveryStatuses(table("eservices")), older)
    status = delivery_status(DynamoDeliveryStatuses(table("eservices")), pnr)
    assert (status.sms.status, status.sms.reason, status.email) == ("failed", "suppressed", None)
    assert status.sms.label.startswith("Senaste SMS kunde inte skickas")
