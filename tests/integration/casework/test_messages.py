"""Secure messages: messaging switched on per citizen with alert settings; messages both ways
with read receipts and attachments uploaded straight to S3; only the parties read them; a thread
exported as PDF for the journal; alerts that carry no content; every staff step audited."""
import base64
import json
import uuid

import pytest
import requests

from services.adapters.aws import client
from services.eservices.bootstrap import deps
from services.eservices.casework.domain.messages import MAX_ATTACHMENT_BYTES
from services.eservices.adapters.table import eservices_table
from tests.integration.casework.helpers import (actions_on, audit_of, case_worker, clear, enable_messaging, events,
                                                taken_in)
from tests.support.people import new_pnr

PDF = {"Accept": "application/pdf"}


def upload(es, tok, content=b"%PDF-1.4 intyg", filename="Läkarintyg.pdf", content_type="application/pdf",
           base="/messages", headers=None):
    """Asks for a presigned POST and uploads the file straight to S3 with it; returns the upload id."""
    ticket = es.post(f"{base}/attachments", {"filename": filename, "content_type": content_type}, token=tok,
                     headers=headers)
    assert ticket.status == 201, ticket.json
    t = ticket.json
    sent = requests.post(t["url"], data=t["fields"], files={"file": (filename, content)}, timeout=30)
    assert sent.status_code == 204, sent.text  # S3 answers a POST without success_action_status so
    return t["upload_id"]


def write(es, cw, to, **changes):
    body = {"citizen": to, "subject": "Ditt ärende", "body": "Hej! Vi behöver ett läkarintyg.",
            "read_receipt": True}
    body.update(changes)
    return es.post("/messages", body, token=cw)


def stored_threads(citizen):
    return eservices_table().query(IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :t)",
                              ExpressionAttributeValues={":pk": f"PERSON#{citizen}", ":t": "THREAD#"})["Items"]


@pytest.fixture
def parties(app_client, token):
    """A case worker, and a citizen whose application they took in, with messaging and SMS alerts on."""
    es = app_client("eservices")
    cw_id, cw = case_worker(token)
    citizen, ctok, receipt = taken_in(es, token, cw)
    enable_messaging(es, cw, citizen, phone1="+46701234567", sms_alert=True, sms_phone=1,
                     email_alert=True, email="test@example.se")
    return es, cw_id, cw, citizen, ctok, receipt


class TestMessagingSettings:
    def test_a_citizen_without_messaging_cannot_be_messaged(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen = new_pnr()
        r = write(es, cw, citizen)
        assert r.status == 409 and "messaging is not switched on" in r.json["detail"]
        assert stored_threads(citizen) == []
        # switched on, then off again: still not
        enable_messaging(es, cw, citizen)
        enable_messaging(es, cw, citizen, enabled=False)
        assert write(es, cw, citizen).status == 409
        assert stored_threads(citizen) == []

    def test_settings_are_kept_audited_and_searchable_by_name(self, app_client, token):
        es = app_client("eservices")
        cw_id, cw = case_worker(token)
        citizen = new_pnr()
        surname = f"Zz{uuid.uuid4().hex[:8]}"
        r = es.put("/messaging/settings", {"citizen": citizen, "first_name": "Annika", "last_name": surname,
                                           "enabled": True, "phone2": "070-222 22 22", "sms_alert": True,
                                           "sms_phone": 2}, token=cw)
        assert r.status == 200, r.json
        got = es.get(f"/messaging/settings?citizen={citizen}", token=cw).json
        # the number as written is stored in E.164, the form SMS is sent to
        assert (got["enabled"], got["sms_phone"], got["phone2"], got["email_alert"]) == (True, 2, "+46702222222",
                                                                                        False)
        # the To field's search: by name, the personnummer shown after it
        found = es.get(f"/messaging/citizens?name={surname.lower()}", token=cw).json
        assert found == [{"citizen": citizen, "name": f"Annika {surname}"}]
        enable_messaging(es, cw, citizen, last_name=surname, enabled=False)
        assert es.get(f"/messaging/citizens?name={surname}", token=cw).json == []
        assert {"messaging.change", "messaging.read"} <= set(actions_on(citizen))

    @pytest.mark.parametrize("settings,field", [
        ({"sms_alert": True}, "sms_phone"),
        ({"sms_alert": True, "sms_phone": 2, "phone1": "+46701234567"}, "sms_phone"),
        ({"sms_alert": True, "sms_phone": 3, "phone1": "+46701234567"}, "sms_phone"),
        ({"email_alert": True}, "email"),
        ({"email_alert": True, "email": "inte-en-adress"}, "email"),
        ({"phone1": "ring mig"}, "phone1"),
        ({"enabled": "ja"}, "enabled"),
    ])
    def test_bad_settings_name_the_field_and_store_nothing(self, app_client, token, settings, field):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen = new_pnr()
        body = {"citizen": citizen, "first_name": "A", "last_name": "B", "enabled": True, **settings}
        r = es.put("/messaging/settings", body, token=cw)
        assert r.status == 422 and field in [e["field"] for e in r.json["errors"]], r.json
        assert es.get(f"/messaging/settings?citizen={citizen}", token=cw).status == 404
        assert actions_on(citizen) == []

    def test_people_do_not_switch_messaging_on(self, app_client, token):
        es = app_client("eservices")
        me = new_pnr()
        r = es.put("/messaging/settings", {"citizen": me, "first_name": "A", "last_name": "B", "enabled": True},
                   token=token("citizen", personnummer=me))
        assert r.status == 403


class TestMessagesBothWays:
    def test_case_worker_writes_with_an_attachment_and_the_citizen_reads_and_replies(self, parties, app_client):
        es, cw_id, cw, citizen, ctok, receipt = parties
        clear("notify-inbox")
        # GIVEN an attachment uploaded straight to S3 through a presigned POST
        upload_id = upload(es, cw)
        # WHEN the case worker writes to the citizen about the case, asking for a read receipt
        sent = write(es, cw, citizen, case_id=receipt["case_id"], attachments=[upload_id])
        # THEN the thread holds the message with the attachment
        assert sent.status == 201, sent.json
        thread = sent.json
        assert (thread["citizen"], thread["case_worker_name"], thread["case_id"]) == (citizen, "Marita Aronsson",
                                                                                      receipt["case_id"])
        [message] = thread["messages"]
        assert [a["filename"] for a in message["attachments"]] == ["Läkarintyg.pdf"]
        assert message["read_at"] is None
        # AND notify is asked to alert the citizen through their alert settings, with no content at all
        [event] = events("notify-inbox", template="message.received")
        assert event["event_type"] == "notification.requested"
        assert (event["payload"]["recipient"], event["payload"]["preferences"]) == (
            {"kind": "person", "ref": citizen}, "alerts")
        assert "läkarintyg" not in json.dumps(event, ensure_ascii=False).lower()
        assert "Ditt ärende" not in json.dumps(event, ensure_ascii=False)
        # AND the citizen sees one unread thread, the personnummer masked
        [summary] = es.get("/my/messages", token=ctok).json
        assert (summary["thread_id"], summary["unread"], summary["citizen"]) == (thread["thread_id"], 1,
                                                                                 citizen[:8] + "-****")
        # WHEN the citizen reads it THEN it is marked read and the attachment downloads
        read = es.get(f"/my/messages/threads/{thread['thread_id']}", token=ctok)
        assert read.status == 200 and read.json["unread"] == 0
        url = read.json["messages"][0]["attachments"][0]["url"].removeprefix("/eservices")
        redirect = es.get(url, token=ctok)
        assert redirect.status == 303
        assert requests.get(redirect.headers["location"], timeout=30).content == b"%PDF-1.4 intyg"
        # AND the case worker gets the read receipt
        again = es.get(f"/messages/threads/{thread['thread_id']}", token=cw).json
        assert again["messages"][0]["read_at"] is not None
        # WHEN the citizen replies THEN it lands unread in the case worker's inbox
        clear("notify-inbox")
        replied = es.post(f"/my/messages/threads/{thread['thread_id']}", {"body": "Intyget kommer."}, token=ctok)
        assert replied.status == 201, replied.json
        assert replied.json["messages"][-1]["subject"] == "Sv: Ditt ärende"
        mine = next(t for t in es.get("/messages", token=cw).json if t["thread_id"] == thread["thread_id"])
        assert mine["unread"] == 1 and mine["citizen"] == citizen
        # AND the case workers' functional mailbox is alerted by e-mail, the citizen is not
        [reply_event] = events("notify-inbox", template="message.received_staff")
        assert reply_event["payload"]["recipient"] == {"kind": "mailbox", "ref": "casework"}
        assert reply_event["payload"]["channels"] == ["email"]
        # AND every staff step is audited against the citizen
        assert {"message.send", "message.read"} <= set(actions_on(citizen))
        assert any(r.action == "message.upload" for r in audit_of(actor=f"case_worker:{cw_id}"))

    def test_the_citizen_writes_to_the_case_worker_of_their_case(self, parties):
        es, cw_id, cw, citizen, ctok, receipt = parties
        upload_id = upload(es, ctok, base="/my/messages", content=b"foto", filename="kvitto.png",
                           content_type="image/png")
        r = es.post("/my/messages", {"case_id": receipt["case_id"], "subject": "Fråga", "body": "Hur går det?",
                                     "attachments": [upload_id]}, token=ctok)
        assert r.status == 201, r.json
        assert r.json["case_worker_name"] == "Marita Aronsson"
        assert r.json["messages"][0]["author_name"] == "Test Testsson"  # the name from the messaging settings
        assert any(t["thread_id"] == r.json["thread_id"] for t in es.get("/messages", token=cw).json)

    def test_a_citizen_writes_only_about_a_case_taken_in(self, app_client, token):
        from tests.integration.casework.helpers import new_application

        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, ctok, receipt = new_application(es, token)
        enable_messaging(es, cw, citizen)
        r = es.post("/my/messages", {"case_id": receipt["case_id"], "subject": "S", "body": "B"}, token=ctok)
        assert r.status == 409
        # and never about someone else's case
        other = token("citizen", personnummer=new_pnr())
        assert es.post("/my/messages", {"case_id": receipt["case_id"], "subject": "S", "body": "B"},
                       token=other).status == 404

    def test_an_approved_relative_reads_and_replies_for_the_citizen(self, parties, token):
        es, cw_id, cw, citizen, ctok, receipt = parties
        thread = write(es, cw, citizen).json
        relative = new_pnr()
        rtok = token("relative", personnummer=relative)
        headers = {"X-Acting-For": citizen}
        # without an approval: nothing
        assert es.get(f"/my/messages/threads/{thread['thread_id']}", token=rtok, headers=headers).status == 403
        es.post("/relatives", {"citizen": {"personnummer": citizen, "first_name": "Test", "last_name": "Testsson"},
                               "relative": {"personnummer": relative, "first_name": "Josefine", "last_name": "Test"},
                               "valid_from": "2020-01-01", "consent_recorded": True}, token=cw)
        # with one: reads and replies, named as the relative
        assert es.get(f"/my/messages/threads/{thread['thread_id']}", token=rtok, headers=headers).status == 200
        r = es.post(f"/my/messages/threads/{thread['thread_id']}", {"body": "Jag svarar för mamma."}, token=rtok,
                    headers=headers)
        assert r.status == 201
        assert r.json["messages"][-1]["author_name"] == "Josefine Test (närstående)"
        # and without X-Acting-For the relative's own messages are their own (none)
        assert es.get("/my/messages", token=rtok).json == []


class TestOnlyTheParties:
    def test_another_case_worker_or_citizen_gets_404(self, parties, token):
        es, cw_id, cw, citizen, ctok, receipt = parties
        upload_id = upload(es, cw)
        thread = write(es, cw, citizen, attachments=[upload_id]).json
        message = thread["messages"][0]
        attachment = f"/threads/{thread['thread_id']}/messages/{message['message_id']}/attachments/{upload_id}"
        other_cw_id, other_cw = case_worker(token)
        other = token("citizen", personnummer=new_pnr())
        for path in (f"/messages/threads/{thread['thread_id']}", f"/messages{attachment}",
                     f"/messages/threads/{thread['thread_id']}/export"):
            assert es.get(path, token=other_cw).status == 404, path
        assert es.post(f"/messages/threads/{thread['thread_id']}", {"body": "x"}, token=other_cw).status == 404
        for path in (f"/my/messages/threads/{thread['thread_id']}", f"/my/messages{attachment}"):
            assert es.get(path, token=other).status == 404, path
        assert es.post(f"/my/messages/threads/{thread['thread_id']}", {"body": "x"}, token=other).status == 404
        assert all(t["thread_id"] != thread["thread_id"] for t in es.get("/messages", token=other_cw).json)
        assert es.get("/my/messages", token=other).json == []
        # nothing was read for them
        assert [r.action for r in audit_of(actor=f"case_worker:{other_cw_id}")] == ["message.read"]  # the list
        assert all(r.subject != citizen for r in audit_of(actor=f"case_worker:{other_cw_id}"))

    def test_staff_routes_are_not_for_people_and_people_routes_not_for_staff(self, parties):
        es, cw_id, cw, citizen, ctok, receipt = parties
        assert es.get("/messages", token=ctok).status == 403
        assert write(es, ctok, citizen).status == 403
        assert es.get("/my/messages", token=cw).status == 403


class TestAttachments:
    def test_the_presigned_post_lets_s3_enforce_the_size_and_type(self, parties):
        es, cw_id, cw, citizen, ctok, receipt = parties
        t = es.post("/messages/attachments", {"filename": "a.pdf", "content_type": "application/pdf"},
                    token=cw).json
        assert t["max_bytes"] == MAX_ATTACHMENT_BYTES == 16 * 1024 * 1024
        policy = json.loads(base64.b64decode(t["fields"]["policy"]))
        assert ["content-length-range", 1, 16 * 1024 * 1024] in policy["conditions"]
        assert {"Content-Type": "application/pdf"} in policy["conditions"]

    def test_more_than_five_attachments_are_refused(self, parties):
        es, cw_id, cw, citizen, ctok, receipt = parties
        ids = [upload(es, cw, filename=f"{i}.pdf") for i in range(6)]
        r = write(es, cw, citizen, attachments=ids)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["attachments"]
        assert stored_threads(citizen) == []
        # five are fine
        assert write(es, cw, citizen, attachments=ids[:5]).status == 201

    def test_a_file_over_16_mb_is_refused_even_if_it_reached_s3(self, parties):
        # GIVEN an upload whose object is larger than 16 MiB (S3 refuses this through the presigned
        # POST's policy; the moto server does not, so the object is put directly here)
        es, cw_id, cw, citizen, ctok, receipt = parties
        t = es.post("/messages/attachments", {"filename": "stor.pdf", "content_type": "application/pdf"},
                    token=cw).json
        client("s3").put_object(Bucket=deps().documents.bucket, Key=t["fields"]["key"],
                                Body=b"x" * (MAX_ATTACHMENT_BYTES + 1))
        # WHEN it is attached THEN 422 names it and nothing is sent
        r = write(es, cw, citizen, attachments=[t["upload_id"]])
        assert r.status == 422 and r.json["errors"][0]["field"] == "attachments.0", r.json
        assert "larger than 16 MB" in r.json["errors"][0]["detail"]
        assert stored_threads(citizen) == []

    def test_an_upload_never_made_someone_elses_or_used_twice_is_refused(self, parties, token):
        es, cw_id, cw, citizen, ctok, receipt = parties
        never = es.post("/messages/attachments", {"filename": "a.pdf", "content_type": "application/pdf"},
                        token=cw).json["upload_id"]
        _, other_cw = case_worker(token)
        theirs = upload(es, other_cw)
        r = write(es, cw, citizen, attachments=[never, theirs, str(uuid.uuid4())])
        assert r.status == 422
        assert [(e["field"], e["detail"]) for e in r.json["errors"]] == [
            ("attachments.0", "the file has not been uploaded"), ("attachments.1", "no such upload of yours"),
            ("attachments.2", "no such upload of yours")]
        assert stored_threads(citizen) == []
        mine = upload(es, cw)
        assert write(es, cw, citizen, attachments=[mine]).status == 201
        r = write(es, cw, citizen, attachments=[mine])
        assert r.status == 422 and "attached to a message already" in r.json["errors"][0]["detail"]

    @pytest.mark.parametrize("body,field", [
        ({"filename": "virus.exe", "content_type": "application/x-msdownload"}, "content_type"),
        ({"filename": "../../etc/passwd", "content_type": "application/pdf"}, "filename"),
        ({"filename": "", "content_type": "application/pdf"}, "filename"),
    ])
    def test_bad_upload_requests(self, parties, body, field):
        es, cw_id, cw, citizen, ctok, receipt = parties
        r = es.post("/messages/attachments", body, token=cw)
        assert r.status == 422 and [e["field"] for e in r.json["errors"]] == [field]


class TestBadMessages:
    @pytest.mark.parametrize("changes,field", [
        ({"subject": ""}, "subject"), ({"body": "   "}, "body"), ({"body": "x" * 20001}, "body"),
        ({"citizen": "12345"}, "citizen"), ({"attachments": ["a", "a"]}, "attachments"),
        ({"case_id": "00000000-0000-0000-0000-000000000000"}, "case_id"), ({"cc": "x"}, "cc"),
    ])
    def test_bad_input_names_the_field_and_sends_nothing(self, parties, changes, field):
        es, cw_id, cw, citizen, ctok, receipt = parties
        clear("notify-inbox")
        r = write(es, cw, citizen, **changes)
        assert r.status == 422 and field in [e["field"] for e in r.json["errors"]], r.json
        assert stored_threads(citizen) == []
        assert [e for e in events("notify-inbox") if e["event_type"] == "message.sent"] == []
        assert "message.send" not in actions_on(citizen)

    def test_a_case_of_another_citizen_is_refused(self, parties, app_client, token):
        es, cw_id, cw, citizen, ctok, receipt = parties
        other, _, _ = taken_in(es, token, cw)
        enable_messaging(es, cw, other)
        r = write(es, cw, other, case_id=receipt["case_id"])
        assert r.status == 422 and r.json["errors"][0]["field"] == "case_id"


class TestJournal:
    def test_a_thread_exports_as_pdf_for_the_journal(self, parties):
        es, cw_id, cw, citizen, ctok, receipt = parties
        thread = write(es, cw, citizen, case_id=receipt["case_id"]).json
        es.post(f"/my/messages/threads/{thread['thread_id']}", {"body": "Tack för beskedet."}, token=ctok)
        pdf = es.get(f"/messages/threads/{thread['thread_id']}/export", token=cw, headers=PDF)
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body.startswith(b"%PDF")
        assert es.get(f"/messages/threads/{thread['thread_id']}/export", token=cw).status == 303
        record = next(r for r in audit_of(person=citizen) if r.action == "thread.export")
        assert (record.actor, record.purpose) == (f"case_worker:{cw_id}", "Journalföring av meddelanden")


class TestTheCasesLog:
    def test_who_read_and_wrote_a_cases_messages_is_found_by_the_case(self, parties):
        """GIVEN a thread about the citizen's case, written by the case worker, read and answered by the
        citizen, read again by the case worker WHEN an auditor follows up the log by the case THEN the
        message records are there, each naming the case (they used to lie under the thread only)."""
        from services.auth.principal import Principal, Role
        from services.eservices.casework.models.audit import LogQuery
        from services.eservices.casework.usecases.audit import follow_up
        from services.domain.calendar import stockholm_date

        es, cw_id, cw, citizen, ctok, receipt = parties
        thread = write(es, cw, citizen, case_id=receipt["case_id"]).json
        es.post(f"/my/messages/threads/{thread['thread_id']}", {"body": "Tack för beskedet."}, token=ctok)
        assert es.get(f"/messages/threads/{thread['thread_id']}", token=cw).status == 200
        today = stockholm_date(deps().clock()).isoformat()
        auditor = Principal(subject="revisor", role=Role.AUDITOR, user_id="revisor")
        found = follow_up(deps(), auditor, LogQuery.model_validate({"case": receipt["case_id"], "from": today,
                                                                    "to": today, "limit": 200})).items
        mine = [r for r in found if r.record.actor == f"case_worker:{cw_id}"]
        assert {"message.send", "message.read"} <= {r.record.action for r in mine}
        assert {r.case_id for r in found} == {receipt["case_id"]}
        assert all(r.record.resource.startswith(f"case:{receipt['case_id']}/thread:{thread['thread_id']}")
                   for r in mine if r.record.action.startswith("message."))


class TestSwitchedOff:
    def test_once_messaging_is_off_the_citizen_cannot_write_either(self, parties):
        # GIVEN a thread, and then messaging switched off for the citizen
        es, cw_id, cw, citizen, ctok, receipt = parties
        thread = write(es, cw, citizen).json
        enable_messaging(es, cw, citizen, enabled=False)
        # WHEN the citizen replies THEN 409 says why, and nothing is added
        r = es.post(f"/my/messages/threads/{thread['thread_id']}", {"body": "Hallå?"}, token=ctok)
        assert r.status == 409 and "Meddelandefunktionen är inte påslagen" in r.json["detail"]
        assert len(es.get(f"/messages/threads/{thread['thread_id']}", token=cw).json["messages"]) == 1
