"""Refused requests store nothing; who may do what with whose drafts, cases and PDFs; a relative
inside and outside an approval; protected identity end to end; the confirmation as chosen."""
import json
import logging
from datetime import date, timedelta

from services.adapters.aws import client, queue_url
from services.eservices.bootstrap import deps
from services.settings import settings
from tests.integration.eservices.helpers import (SAM, application_answers, fresh_citizen, fresh_contact_person,
                                                 monthly_answers, submitted_case)
from tests.integration.eservices.test_mina_sidor import approve
from tests.support.pdf import pdf_streams, pdf_text
from tests.support.people import new_pnr
from tests.support.stack import drain


def fields(response):
    assert response.headers["content-type"] == "application/problem+json", response.json
    return {e["field"] for e in response.json["errors"]}


def stored_documents():
    pages = client("s3").get_paginator("list_objects_v2").paginate(Bucket=settings().name("documents"),
                                                                   Prefix="cases/")
    return sum(page.get("KeyCount", 0) for page in pages)


def start(es, tok, form_id, answers=None, **kw):
    return es.post("/drafts", {"form_id": form_id, "answers": answers or {}}, token=tok, **kw)


class TestNothingIsStoredFromARefusedRequest:
    def test_an_unknown_e_service(self, app_client, token):
        es = app_client("eservices")
        _, tok = fresh_citizen(token)
        assert start(es, tok, "no-such-form").status == 404
        assert es.get("/my/drafts", token=tok).json == []

    def test_an_e_service_not_for_ones_role(self, app_client, token):
        es = app_client("eservices")
        _, tok = fresh_citizen(token)
        r = start(es, tok, "contact-time-report")
        assert r.status == 403 and r.headers["content-type"] == "application/problem+json"
        assert es.get("/my/drafts", token=tok).json == []

    def test_a_bad_save_leaves_the_draft_as_it_was(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        draft = start(es, tok, "support-application", {"ansokan": {"need": "Hjälp"}}).json
        r = es.patch(f"/drafts/{draft['draft_id']}", {"answers": {"ansokan": {"area": "tandvard", "need": ""},
                                                                  "om_dig": {"mobile": "ring mig"}},
                                                      "version": draft["version"]}, token=tok)
        assert r.status == 422
        assert fields(r) == {"answers.ansokan.area", "answers.om_dig.mobile"}
        again = es.get(f"/drafts/{draft['draft_id']}", token=tok).json
        assert (again["version"], again["answers"]) == (draft["version"], draft["answers"])

    def test_a_malformed_body_names_the_field(self, app_client, token):
        es = app_client("eservices")
        _, tok = fresh_citizen(token)
        draft = start(es, tok, "support-application").json
        r = es.patch(f"/drafts/{draft['draft_id']}", {"answers": {}, "version": 0}, token=tok)
        assert r.status == 422 and fields(r) == {"version"}
        assert es.get(f"/drafts/{draft['draft_id']}", token=tok).json["version"] == draft["version"]

    def test_signing_an_incomplete_draft_leaves_it_unsigned(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        draft = start(es, tok, "support-application", application_answers(pnr, need="")).json
        assert es.post(f"/drafts/{draft['draft_id']}/signature", token=tok).status == 422
        again = es.get(f"/drafts/{draft['draft_id']}", token=tok).json
        assert again["signed"] is False and again["version"] == draft["version"]

    def test_a_reused_idempotency_key_stores_no_pdf_and_no_case(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        submitted_case(es, tok, "contact-monthly-report", monthly_answers(pnr), key="once")
        did = start(es, tok, "contact-monthly-report", monthly_answers(pnr)).json["draft_id"]
        assert es.post(f"/drafts/{did}/signature", token=tok).status == 201
        before = stored_documents()
        r = es.post(f"/drafts/{did}/submit", token=tok, headers={"Idempotency-Key": "once"})
        assert r.status == 409
        assert stored_documents() == before
        assert len(es.get("/my/cases", token=tok).json) == 1
        assert es.get(f"/drafts/{did}", token=tok).json["signed"] is True  # still a draft, still signed

    def test_a_bad_profile_notification_choice(self, app_client, token):
        es = app_client("eservices")
        _, tok = fresh_citizen(token)
        r = es.put("/profile", {"notify_email": True, "mobile": "+46701234567"}, token=tok)
        assert r.status == 422 and fields(r) == {"email"}
        r = es.put("/profile", {"mobile": "+46701234567", "unknown": 1}, token=tok)
        assert r.status == 422 and fields(r) == {"unknown"}
        assert es.get("/profile", token=tok).json["mobile"] is None


class TestFormRulesOverHttp:
    def test_an_application_in_someone_elses_name_is_refused(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        did = start(es, tok, "support-application", application_answers(new_pnr())).json["draft_id"]
        r = es.post(f"/drafts/{did}/signature", token=tok)
        assert r.status == 422 and fields(r) == {"answers.om_dig.personnummer"}

    def test_an_insats_of_the_other_law_is_refused(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        answers = application_answers(pnr, area="lss", sol_insats="hemtjanst", lss_insatser=["ledsagarservice"])
        did = start(es, tok, "support-application", answers).json["draft_id"]
        assert fields(es.post(f"/drafts/{did}/signature", token=tok)) == {"answers.ansokan.sol_insats"}

    def test_an_unknown_lss_insats_is_refused_at_once(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        r = start(es, tok, "support-application", {"ansokan": {"area": "lss", "lss_insatser": ["gym"]}})
        assert r.status == 422 and fields(r) == {"answers.ansokan.lss_insatser"}

    def test_sms_without_a_mobile_number_on_the_time_report(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        answers = {"tidrapport": {"assignment_kind": "kontaktperson", "client_first_name": "Kim",
                                  "client_last_name": "K", "year": 2026, "month": 10,
                                  "activities": [{"date": "2026-10-02", "activity": "Fika", "hours": 1}]},
                   "om_dig": {"personnummer": pnr, "first_name": "K", "last_name": "K", "confirm": True,
                              "notify_sms": True}}
        did = start(es, tok, "contact-time-report", answers).json["draft_id"]
        assert fields(es.post(f"/drafts/{did}/signature", token=tok)) == {"answers.om_dig.mobile"}

    def test_report_another_only_after_a_report(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        receipt = submitted_case(es, tok, "support-application", application_answers(pnr))
        assert receipt["follow_ups"] == []
        assert es.post(f"/cases/{receipt['case_id']}/report-another", token=tok).status == 404
        assert es.get("/my/drafts", token=tok).json == []


class TestTheConfirmationGoesOutAsChosen:
    def test_sms_only_reaches_the_event_without_the_e_mail(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        drain(queue_url("notify-inbox"), client("sqs"))
        answers = monthly_answers(pnr, om_dig={"notify_email": False, "notify_sms": True})
        receipt = submitted_case(es, tok, "contact-monthly-report", answers)
        events = [json.loads(m["Body"]) for m in drain(queue_url("notify-inbox"), client("sqs"), wait=1)]
        me = {"kind": "person", "ref": pnr}
        [prefs] = [e for e in events if e["event_type"] == "contact_preferences.changed"
                   and e["payload"]["recipient"] == me]
        assert (prefs["payload"]["email_on"], prefs["payload"]["sms_on"], prefs["payload"]["phone"]) == (
            False, True, "+46701234567")
        [asked] = [e for e in events if e["event_type"] == "notification.requested" and e["payload"]["recipient"] == me]
        assert asked["payload"]["template"] == "submission.received"
        assert asked["payload"]["contact_as_of"] == prefs["payload"]["changed_at"]


class TestStaffAreNotCitizens:
    def test_a_case_worker_gets_403_on_every_citizen_endpoint_and_nothing_is_stored(self, app_client, token):
        es = app_client("eservices")
        cw = token("case_worker", user_id="hl-test")
        pnr, tok = fresh_citizen(token)
        receipt = submitted_case(es, tok, "support-application", application_answers(pnr))
        did = start(es, tok, "support-application").json["draft_id"]
        refused = [
            es.post("/drafts", {"form_id": "support-application"}, token=cw),
            es.get("/drafts", token=cw), es.get("/my/drafts", token=cw),
            es.patch(f"/drafts/{did}", {"answers": {"ansokan": {"need": "x"}}, "version": 1}, token=cw),
            es.delete(f"/drafts/{did}", token=cw),
            es.get("/profile", token=cw), es.put("/profile", {"email": "x@y.se"}, token=cw),
            es.get(f"/my/cases/{receipt['case_id']}", token=cw),
            es.get(receipt["document_url"].removeprefix("/eservices"), token=cw, headers={"Accept": "application/pdf"}),
            es.post(f"/cases/{receipt['case_id']}/report-another", token=cw),
        ]
        assert [r.status for r in refused] == [403] * len(refused)
        assert es.get(f"/drafts/{did}", token=tok).json["version"] == 1


class TestRelativesActingForACitizen:
    def test_inside_the_approval_the_relative_reads_but_never_files_or_changes_an_application(
            self, app_client, token):
        es = app_client("eservices")
        citizen, ctok = fresh_citizen(token)
        relative = new_pnr(1979)
        rtok, acting = token("relative", personnummer=relative), {"X-Acting-For": citizen}
        approve(citizen, relative, date.today(), date.today())  # one day: today
        receipt = submitted_case(es, ctok, "support-application", application_answers(citizen))
        draft = start(es, ctok, "support-application", {"ansokan": {"need": "Hjälp"}}).json
        did = draft["draft_id"]

        # reading: the citizen's drafts, cases and PDF
        assert [d["draft_id"] for d in es.get("/my/drafts", token=rtok, headers=acting).json] == [did]
        assert es.get(f"/my/cases/{receipt['case_id']}", token=rtok, headers=acting).status == 200
        pdf = es.get(receipt["document_url"].removeprefix("/eservices"), token=rtok,
                     headers={**acting, "Accept": "application/pdf"})
        assert pdf.status == 200 and pdf.body.startswith(b"%PDF")

        # changing, signing, discarding, submitting the application: never
        refused = [
            es.patch(f"/drafts/{did}", {"answers": {"ansokan": {"need": "Annat"}}, "version": 1}, token=rtok,
                     headers=acting),
            es.post(f"/drafts/{did}/signature", token=rtok, headers=acting),
            es.delete(f"/drafts/{did}", token=rtok, headers=acting),
            es.post(f"/drafts/{did}/submit", token=rtok, headers={**acting, "Idempotency-Key": "r"}),
            start(es, rtok, "support-application", headers=acting),
        ]
        assert [r.status for r in refused] == [403] * len(refused)
        assert es.get(f"/drafts/{did}", token=ctok).json == draft
        assert len(es.get("/my/drafts", token=ctok).json) == 1

    def test_outside_the_approval_not_even_the_pdf(self, app_client, token):
        es = app_client("eservices")
        citizen, ctok = fresh_citizen(token)
        relative = new_pnr(1978)
        rtok, acting = token("relative", personnummer=relative), {"X-Acting-For": citizen}
        approve(citizen, relative, date.today() - timedelta(days=10), date.today() - timedelta(days=1))
        receipt = submitted_case(es, ctok, "support-application", application_answers(citizen))
        pdf = es.get(receipt["document_url"].removeprefix("/eservices"), token=rtok,
                     headers={**acting, "Accept": "application/pdf"})
        assert pdf.status == 403
        assert es.get(f"/my/cases/{receipt['case_id']}", token=rtok, headers=acting).status == 403
        assert es.get("/my/drafts", token=rtok, headers=acting).status == 403

    def test_an_approval_for_one_citizen_opens_nothing_of_another(self, app_client, token):
        es = app_client("eservices")
        citizen, _ = fresh_citizen(token)
        other, otok = fresh_citizen(token)
        relative = new_pnr(1977)
        rtok = token("relative", personnummer=relative)
        approve(citizen, relative, date.today(), None)
        receipt = submitted_case(es, otok, "support-application", application_answers(other))
        # with the approved citizen in the header, the other citizen's case does not exist
        r = es.get(f"/my/cases/{receipt['case_id']}", token=rtok, headers={"X-Acting-For": citizen})
        assert r.status == 404
        assert es.get(f"/my/cases/{receipt['case_id']}", token=rtok, headers={"X-Acting-For": other}).status == 403


class TestProtectedIdentity:
    def test_the_address_is_never_shown_logged_or_sent(self, app_client, token):
        es = app_client("eservices")
        tok = token("citizen", personnummer=SAM)
        lines: list[str] = []
        capture = logging.Handler(logging.DEBUG)
        capture.emit = lambda record: lines.append(record.getMessage() + json.dumps(record.__dict__, default=str))
        loggers = [logging.getLogger("eservices"), logging.getLogger("notify")]
        levels = [lg.level for lg in loggers]
        for lg in loggers:
            lg.addHandler(capture)
            lg.setLevel(logging.DEBUG)
        drain(queue_url("notify-inbox"), client("sqs"))
        try:
            draft = start(es, tok, "support-application",
                          {"ansokan": {"area": "sol_aldre", "sol_insats": "trygghetslarm", "need": "Larm"}}).json
            answers = {**draft["answers"], "om_dig": {**draft["answers"]["om_dig"], "confirm": True}}
            es.patch(f"/drafts/{draft['draft_id']}", {"answers": answers, "version": 1}, token=tok)
            preview = es.get(f"/drafts/{draft['draft_id']}/preview", token=tok)
            assert es.post(f"/drafts/{draft['draft_id']}/signature", token=tok).status == 201
            receipt = es.post(f"/drafts/{draft['draft_id']}/submit", token=tok,
                              headers={"Idempotency-Key": new_pnr()})
            assert receipt.status == 201, receipt.json
            detail = es.get(f"/my/cases/{receipt.json['case_id']}", token=tok)
            profile = es.get("/profile", token=tok)
            pdf = es.get(receipt.json["document_url"].removeprefix("/eservices"), token=tok,
                         headers={"Accept": "application/pdf"})
            es.post(f"/drafts/{draft['draft_id']}/signature", token=token("citizen", personnummer=new_pnr()))
        finally:
            for lg, level in zip(loggers, levels):
                lg.removeHandler(capture)
                lg.setLevel(level)
        sent = [m["Body"] for m in drain(queue_url("notify-inbox"), client("sqs"), wait=1)]
        stored = deps().cases.get(receipt.json["case_id"])

        shown = [r.body.decode() for r in (preview, receipt, detail, profile)]
        assert draft["answers"]["om_dig"]["first_name"] == "Sam"
        assert lines, "the capture saw no log line at all"
        for text in [json.dumps(draft), *shown, *lines, *sent, stored.model_dump_json()]:
            assert "Hemlig" not in text, text
        assert pdf.status == 200
        printed = pdf_text(pdf.body)
        assert "Larm" in printed and "Sam" in printed and "Hemlig" not in printed
        assert b"Hemlig" not in pdf_streams(pdf.body)
