"""Prefill, profile, Mina sidor, relatives acting for a citizen, draft retention."""
import dataclasses
import json
from datetime import date, datetime, timedelta, timezone

from services.adapters.aws import client, queue_url
from services.eservices.bootstrap import deps
from services.eservices.domain.relatives import RelativeApproval
from services.eservices.usecases.retention import sweep
from tests.integration.eservices.helpers import (ANNIKA, JOSEFINE, SAM, application_answers, fresh_citizen,
                                                 give_assignment, monthly_answers, submitted_case)
from tests.support.people import new_pnr
from tests.support.stack import drain


def approve(citizen, relative, valid_from, valid_to):
    deps().approvals.put(RelativeApproval(
        citizen=citizen, citizen_first_name="C", citizen_last_name="C", relative=relative,
        relative_first_name="R", relative_last_name="R", valid_from=valid_from, valid_to=valid_to,
        created_by="test", created_at=datetime.now(timezone.utc)))


class TestPrefillAndProfile:
    def test_a_new_draft_is_prefilled_from_the_register(self, app_client, token):
        es = app_client("eservices")
        draft = es.post("/drafts", {"form_id": "support-application"},
                        token=token("citizen", personnummer=ANNIKA)).json
        me = draft["answers"]["om_dig"]
        assert (me["personnummer"], me["first_name"], me["last_name"]) == (ANNIKA, "Annika", "Test")
        assert me["street"] == "Storgatan 1" and me["city"] == "Söderköping"

    def test_a_protected_identity_never_gets_an_address(self, app_client, token):
        es = app_client("eservices")
        tok = token("citizen", personnummer=SAM)
        draft = es.post("/drafts", {"form_id": "support-application"}, token=tok).json
        me = draft["answers"]["om_dig"]
        assert me["first_name"] == "Sam"
        assert not {"street", "postal_code", "city"} & set(me)
        profile = es.get("/profile", token=tok).json
        assert profile["protected_identity"] is True and profile["address"] is None
        assert "Hemlig" not in json.dumps(profile) and "Hemlig" not in json.dumps(draft)

    def test_corrected_contact_details_are_kept_for_next_time(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        r = es.put("/profile", {"email": "ny@example.se", "mobile": "+46709998877", "notify_email": True,
                                "notify_sms": False}, token=tok)
        assert r.status == 200 and r.json["email"] == "ny@example.se"
        draft = es.post("/drafts", {"form_id": "support-application"}, token=tok).json
        assert draft["answers"]["om_dig"]["email"] == "ny@example.se"
        assert draft["answers"]["om_dig"]["notify_email"] is True

    def test_a_bad_profile_is_refused_and_nothing_stored(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        r = es.put("/profile", {"email": "nope", "notify_email": True}, token=tok)
        assert r.status == 422 and r.json["errors"][0]["field"] == "email"
        r = es.put("/profile", {"notify_sms": True}, token=tok)
        assert r.status == 422 and r.json["errors"][0]["field"] == "mobile"
        assert es.get("/profile", token=tok).json["email"] is None

    def test_the_contact_details_of_a_submission_are_kept(self, app_client, token):
        es = app_client("eservices")
        pnr = new_pnr()
        give_assignment(pnr)
        tok = token("contact_person", personnummer=pnr)
        submitted_case(es, tok, "contact-monthly-report", monthly_answers(pnr, om_dig={"email": "k@example.se"}))
        assert es.get("/profile", token=tok).json["email"] == "k@example.se"


class TestMinaSidor:
    def test_my_cases_with_status_history_and_documents(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        receipt = submitted_case(es, tok, "support-application", application_answers(pnr))
        cases = es.get("/my/cases", token=tok).json
        assert [c["case_number"] for c in cases] == [receipt["case_number"]]
        detail = es.get(f"/my/cases/{receipt['case_id']}", token=tok).json
        assert [h["label"] for h in detail["history"]] == ["Inskickad"]
        assert detail["documents"][0]["kind"] == "submission_pdf"
        assert detail["summary"][0]["step"] == "ansokan"

    def test_citizen_a_never_sees_citizen_bs_case(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        _, other = fresh_citizen(token)
        receipt = submitted_case(es, tok, "support-application", application_answers(pnr))
        assert es.get(f"/my/cases/{receipt['case_id']}", token=other).status == 404
        assert es.get("/my/cases", token=other).json == []
        assert es.post(f"/cases/{receipt['case_id']}/report-another", token=other).status == 404

    def test_staff_do_not_use_mina_sidor(self, app_client, token):
        es = app_client("eservices")
        assert es.get("/my/cases", token=token("case_worker", user_id="hl")).status == 403


class TestRelatives:
    def test_inside_the_approvals_dates_the_relative_sees_the_citizens_cases(self, app_client, token):
        es = app_client("eservices")
        citizen, ctok = fresh_citizen(token)
        relative = new_pnr(1980)
        rtok = token("relative", personnummer=relative)
        receipt = submitted_case(es, ctok, "support-application", application_answers(citizen))
        acting = {"X-Acting-For": citizen}
        assert es.get("/my/cases", token=rtok, headers=acting).status == 403  # no approval yet
        today = date.today()
        approve(citizen, relative, today - timedelta(days=1), today + timedelta(days=30))
        cases = es.get("/my/cases", token=rtok, headers=acting)
        assert cases.status == 200 and [c["case_id"] for c in cases.json] == [receipt["case_id"]]
        assert es.get("/my/cases", token=rtok).json == []  # without the header: their own

    def test_outside_the_dates_the_relative_can_do_nothing(self, app_client, token):
        es = app_client("eservices")
        citizen, _ = fresh_citizen(token)
        relative = new_pnr(1981)
        rtok = token("relative", personnummer=relative)
        today = date.today()
        approve(citizen, relative, today - timedelta(days=60), today - timedelta(days=1))
        approve(citizen, relative, today + timedelta(days=1), today + timedelta(days=60))
        acting = {"X-Acting-For": citizen}
        assert es.get("/my/cases", token=rtok, headers=acting).status == 403
        assert es.post("/drafts", {"form_id": "support-application"}, token=rtok, headers=acting).status == 403

    def test_a_relative_never_files_a_new_application_for_the_citizen(self, app_client, token):
        es = app_client("eservices")
        rtok = token("relative", personnummer=JOSEFINE)
        approve(ANNIKA, JOSEFINE, date.today() - timedelta(days=1), None)
        r = es.post("/drafts", {"form_id": "support-application"}, token=rtok, headers={"X-Acting-For": ANNIKA})
        assert r.status == 403

    def test_a_malformed_acting_for_header_is_named(self, app_client, token):
        es = app_client("eservices")
        r = es.get("/my/cases", token=token("relative", personnummer=JOSEFINE), headers={"X-Acting-For": "123"})
        assert r.status == 422 and r.json["errors"][0]["field"] == "X-Acting-For"


class TestRetention:
    def test_a_reminder_goes_once_before_deletion_and_then_the_draft_is_deleted(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        es.put("/profile", {"email": "r@example.se", "notify_email": True}, token=tok)
        draft = es.post("/drafts", {"form_id": "support-application"}, token=tok).json
        expires = datetime.fromisoformat(draft["expires_at"])
        drain(queue_url("notify-inbox"), client("sqs"))

        # WHEN the sweep runs two days before expiry, twice
        soon = dataclasses.replace(deps(), clock=lambda: expires - timedelta(days=2))
        sweep(soon)
        sweep(soon)
        # THEN one content-free reminder went to notify, and the draft is still there
        reminders = [json.loads(m["Body"]) for m in drain(queue_url("notify-inbox"), client("sqs"), wait=1)]
        mine = [r for r in reminders if r["event_type"] == "notification.requested"
                and r["payload"]["recipient"] == {"kind": "person", "ref": pnr}]
        assert len(mine) == 1 and mine[0]["payload"]["template"] == "draft.expiring"
        assert mine[0]["payload"]["params"]["days"] == "2"
        assert es.get(f"/drafts/{draft['draft_id']}", token=tok).status == 200

        # WHEN the sweep runs after expiry THEN the draft is gone
        sweep(dataclasses.replace(deps(), clock=lambda: expires + timedelta(minutes=1)))
        assert es.get(f"/drafts/{draft['draft_id']}", token=tok).status == 404

    def test_saving_a_draft_moves_its_expiry(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        draft = es.post("/drafts", {"form_id": "support-application"}, token=tok).json
        saved = es.patch(f"/drafts/{draft['draft_id']}", {"answers": {"ansokan": {"need": "x"}}, "version": 1},
                         token=tok).json
        assert saved["expires_at"] >= draft["expires_at"]
        assert (datetime.fromisoformat(saved["expires_at"]) - datetime.fromisoformat(saved["updated_at"])
                == timedelta(days=14))
