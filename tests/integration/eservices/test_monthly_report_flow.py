"""The contact person's monthly report through drafts, preview, sign and submit,
against a moto server; then the event reaches notify's queue and notify sends the confirmation."""
import json

from services.adapters.aws import client, queue_url
from tests.integration.eservices.helpers import give_assignment, monthly_answers
from tests.support.people import new_pnr
from tests.support.stack import drain

FORM = "contact-monthly-report"


def submit_report(es, tok, pnr, key="k-1"):
    draft = es.post("/drafts", {"form_id": FORM, "answers": monthly_answers(pnr, om_dig={"notify_sms": True})},
                    token=tok)
    assert draft.status == 201, draft.json
    draft_id = draft.json["draft_id"]
    assert es.post(f"/drafts/{draft_id}/signature", token=tok).status == 201
    return draft_id, es.post(f"/drafts/{draft_id}/submit", token=tok, headers={"Idempotency-Key": key})


def test_submitted_report_gives_a_receipt_and_a_content_free_notification(app_client, token):
    # GIVEN a contact person logged in with e-ID
    pnr = new_pnr()
    give_assignment(pnr)
    tok = token("contact_person", personnummer=pnr)
    es = app_client("eservices")
    drain(queue_url("notify-inbox"), client("sqs"))

    # WHEN they submit a signed monthly report
    draft_id, receipt = submit_report(es, tok, pnr)

    # THEN the answer is a receipt with a readable case number and the PDF's address
    assert receipt.status == 201, receipt.json
    body = receipt.json
    assert body["case_number"].startswith("2026-") or body["case_number"][:4].isdigit()
    assert body["document_url"].startswith(f"/eservices/cases/{body['case_id']}/documents/")
    assert any(f["kind"] == "report_another" for f in body["follow_ups"])

    # AND notify's queue holds the reporter's preferences and the request for a receipt, no address in it
    messages = drain(queue_url("notify-inbox"), client("sqs"), wait=1)
    me = {"kind": "person", "ref": pnr}
    mine = [m["Body"] for m in messages if json.loads(m["Body"])["payload"].get("recipient") == me]
    types = sorted(json.loads(b)["event_type"] for b in mine)
    assert types == ["contact_preferences.changed", "notification.requested"]
    request = next(json.loads(b) for b in mine if json.loads(b)["event_type"] == "notification.requested")
    assert request["payload"]["template"] == "submission.received" and "@" not in json.dumps(request)

    # AND notify sends e-mail and SMS that carry neither the personnummer nor the report's content
    mine.sort(key=lambda b: json.loads(b)["event_type"])  # the preferences first, as they usually arrive
    result = app_client("notify").sqs("on_event", mine)
    assert result == {"batchItemFailures": []}


def test_double_submit_makes_one_case(app_client, token):
    pnr = new_pnr()
    give_assignment(pnr)
    tok = token("contact_person", personnummer=pnr)
    es = app_client("eservices")
    draft_id, first = submit_report(es, tok, pnr, key="same")
    again = es.post(f"/drafts/{draft_id}/submit", token=tok, headers={"Idempotency-Key": "same"})
    assert again.status == 201
    assert again.json["case_id"] == first.json["case_id"]
