"""Flow 7 of the foundation, over HTTP against the stack that ``make run`` starts.

A contact person logs in and submits a monthly report → validated and stored → a receipt with
a case number → an event on a queue → notify_svc sends the confirmation by e-mail and SMS as the
reporter chose, with no personal data or report content → it shows in /dev/outbox.
"""
from __future__ import annotations

import time

import pytest

from tests.support.local_stack import LocalStack, call

CONTACT_PERSON = "197511023827"  # Kari Kontakt in infra/fixtures/people.json

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    # the SMS goes at once whatever the hour the test runs
    running = LocalStack(tmp_path_factory.mktemp("state"), env={"SMS_QUIET_HOURS": "00-00"})
    yield running.base
    running.stop()


def test_every_prefix_answers_health_and_openapi(stack):
    for prefix in ("eservices", "visits", "reports", "billing", "identity"):
        assert call(stack, "GET", f"/{prefix}/health")[0] == 200
        status, doc = call(stack, "GET", f"/{prefix}/openapi.json")
        assert status == 200 and doc["openapi"].startswith("3.")


def test_monthly_report_reaches_the_reporter_by_email_and_sms_without_personal_data(stack):
    # GIVEN the demo contact person logged in
    status, tok = call(stack, "POST", "/dev/token", {"role": "contact_person", "personnummer": CONTACT_PERSON})
    assert status == 200
    token = tok["access_token"]
    answers = {
        "rapportering": {"client_first_name": "Marita", "client_last_name": "Test", "year": 2026, "month": 10,
                         "performed_all": "nej_nagra", "activities": "Promenad vid ån",
                         "reason": "Sjukdom vecka 42", "clarification": "Hemlig detalj"},
        "om_dig": {"personnummer": CONTACT_PERSON, "first_name": "Kari", "last_name": "Kontakt",
                   "email": "kari.kontakt@example.se", "mobile": "+46701112233", "notify_email": True,
                   "notify_sms": True, "confirm": True},
    }
    # WHEN they fill in, preview, sign and submit the monthly report
    status, draft = call(stack, "POST", "/eservices/drafts", {"form_id": "contact-monthly-report"}, token)
    assert status == 201, draft
    status, saved = call(stack, "PATCH", f"/eservices/drafts/{draft['draft_id']}",
                         {"answers": answers, "version": draft["version"]}, token)
    assert status == 200, saved
    status, preview = call(stack, "GET", f"/eservices/drafts/{draft['draft_id']}/preview", token=token)
    assert status == 200 and preview["ready_to_sign"], preview
    assert call(stack, "POST", f"/eservices/drafts/{draft['draft_id']}/signature", token=token)[0] == 201
    status, receipt = call(stack, "POST", f"/eservices/drafts/{draft['draft_id']}/submit", token=token,
                           headers={"Idempotency-Key": "e2e-1"})

    # THEN the answer is a receipt with a case number
    assert status == 201, receipt
    case_number = receipt["case_number"]
    assert case_number

    # AND the confirmation goes out by e-mail (HTML) and SMS through the real queues
    deadline = time.monotonic() + 30
    emails, sms = [], []
    while time.monotonic() < deadline:
        status, outbox = call(stack, "GET", "/dev/outbox")
        if status != 200:  # the embedded AWS is busy: ask again
            time.sleep(0.5)
            continue
        emails = [m for m in outbox["emails"] if "kari.kontakt@example.se" in m["to"]]
        sms = [m for m in outbox["sms"] if m["to"] == "+46701112233"]
        if emails and sms:
            break
        time.sleep(0.5)
    assert len(emails) == 1 and len(sms) == 1, outbox
    for text in (emails[0]["subject"] + emails[0]["body"], sms[0]["body"]):
        # only that something is waiting and where: not even the case number
        assert case_number not in text and "Mina sidor" in text
        for secret in (CONTACT_PERSON, CONTACT_PERSON[2:8], "Kari", "Kontakt", "Marita", "Promenad", "Sjukdom",
                       "Hemlig"):
            assert secret not in text, (secret, text)


def test_a_home_care_visit_travels_from_the_staff_app_to_the_visit_list(stack):
    # GIVEN demo staff at the demo provider and Marita's NFC tag (infra/fixtures/people.json)
    import uuid
    from datetime import datetime, timedelta, timezone

    status, tok = call(stack, "POST", "/dev/token", {"role": "provider_staff", "user_id": "staff-anna",
                                                     "provider_id": "prov-omsorg"})
    token = tok["access_token"]
    start = datetime.now(timezone.utc).replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)
    events = [{"event_id": str(uuid.uuid4()), "type": kind, "staff_id": "staff-anna", "provider_id": "prov-omsorg",
               "client": "194103142388", "device_time": (start + timedelta(minutes=m)).isoformat(),
               "receipt": {"method": "nfc", "device_id": "TAG-DEMO-MARITA"}, **extra}
              for kind, m, extra in (("arrival", 0, {}), ("insats", 2, {"insats": "morgonhjalp"}),
                                     ("departure", 35, {}))]
    # WHEN the phone posts them (the departure first, as an offline phone might)
    assert call(stack, "POST", "/visits/visit-events", {"events": events[::-1]}, token)[0] == 202
    # THEN the pump delivers them and the visit shows
    month = start.strftime("%Y-%m")
    deadline = time.monotonic() + 30
    visits = []
    while time.monotonic() < deadline and not visits:
        visits = call(stack, "GET", f"/visits/visits?month={month}&client=194103142388", token=token)[1]
        time.sleep(0.3)
    assert len(visits) == 1 and visits[0]["minutes"] == 35 and visits[0]["insatser"] == ["morgonhjalp"]
