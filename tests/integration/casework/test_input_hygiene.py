"""What a hostile client sends to case work and the e-services is refused as a 422 naming the
field, never a 500, and nothing is stored: calendar-end dates, absurd periods, control characters,
lone surrogates, other scripts' digits, oversized lists."""
from datetime import date, timedelta

import pytest

from tests.integration.casework.helpers import (INTAKE, actions_on, case_item, case_worker, enable_messaging,
                                                new_application, taken_in)
from tests.integration.eservices.helpers import fresh_citizen, fresh_contact_person, monthly_answers
from tests.support.people import new_pnr

TODAY = date.today()
BAD_TEXTS = ["nul\x00", "esc\x1b[31m", "bidi\u202etxt.exe", "lone\ud800"]


def refused(r, field):
    assert r.status == 422 and r.headers["content-type"] == "application/problem+json", (r.status, r.body[:300])
    assert field in [e["field"] for e in r.json["errors"]], r.json
    return r


@pytest.mark.parametrize("query,field", [("from=0001-01-01", "query.from"), ("to=9999-12-31", "query.to"),
                                         ("category=a%00b", "query.category")])
def test_inbox_dates_at_the_ends_of_the_calendar_are_refused(app_client, token, query, field):
    _, cw = case_worker(token)
    refused(app_client("eservices").get(f"/inbox?{query}", token=cw), field)


def test_an_audit_search_from_year_one_is_refused(app_client, token):
    r = app_client("eservices").get("/audit?from=0001-01-01&to=0001-01-02", token=token("auditor", user_id="a"))
    refused(r, "query.from")


class TestDecisionDates:
    @pytest.mark.parametrize("change,field", [
        ({"valid_from": "9999-12-31"}, "decisions.0.valid_from"),
        ({"valid_from": "0001-01-01"}, "decisions.0.valid_from"),
        ({"valid_from": (TODAY + timedelta(days=5 * 366)).isoformat()}, "decisions.0.valid_from"),
        ({"valid_to": (TODAY + timedelta(days=40 * 366)).isoformat()}, "decisions.0.valid_to"),
        ({"motivation": "Beviljas\u202e"}, "decisions.0.motivation"),
    ])
    def test_absurd_dates_and_control_characters_are_refused_and_nothing_published(self, app_client, token,
                                                                                    change, field):
        es = app_client("eservices")
        _, cw = case_worker(token)
        pnr, _, receipt = taken_in(es, token, cw)
        before = case_item(receipt["case_id"])
        decision = {"insats": "hemtjanst", "outcome": "granted", "granted_minutes_per_month": 600,
                    "valid_from": TODAY.isoformat(), **change}
        refused(es.post(f"/cases/{receipt['case_id']}/decisions", {"decisions": [decision]}, token=cw), field)
        assert case_item(receipt["case_id"]) == before
        assert "decision.create" not in actions_on(pnr)


class TestApprovalDates:
    @pytest.mark.parametrize("change,field", [
        ({"valid_from": "0001-01-01"}, "valid_from"),
        ({"valid_to": "9999-12-31"}, "valid_to"),
        ({"valid_from": (TODAY - timedelta(days=20 * 366)).isoformat()}, "valid_from"),
        ({"valid_to": (TODAY + timedelta(days=50 * 366)).isoformat()}, "valid_to"),
        ({"note": "ok\x00"}, "note"),
    ])
    def test_absurd_approval_periods_are_refused(self, app_client, token, change, field):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, relative = new_pnr(), new_pnr()
        body = {"citizen": {"personnummer": citizen, "first_name": "A", "last_name": "B"},
                "relative": {"personnummer": relative, "first_name": "C", "last_name": "D"},
                "valid_from": TODAY.isoformat(), "consent_recorded": True, **change}
        refused(es.post("/relatives", body, token=cw), field)
        assert es.get(f"/relatives?citizen={citizen}", token=cw).json == []

    def test_a_change_to_an_absurd_date_is_refused(self, app_client, token):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, relative = new_pnr(), new_pnr()
        made = es.post("/relatives", {"citizen": {"personnummer": citizen, "first_name": "A", "last_name": "B"},
                                      "relative": {"personnummer": relative, "first_name": "C", "last_name": "D"},
                                      "valid_from": TODAY.isoformat(), "consent_recorded": True}, token=cw).json
        r = es.patch(f"/relatives/{made['approval_id']}", {"version": 1, "valid_to": "2099-12-31"}, token=cw)
        refused(r, "valid_to")


class TestTexts:
    @pytest.mark.parametrize("text", BAD_TEXTS)
    def test_control_characters_in_an_intake_are_refused(self, app_client, token, text):
        es = app_client("eservices")
        pnr, _, receipt = new_application(es, token)
        _, cw = case_worker(token)
        refused(es.post(f"/cases/{receipt['case_id']}/intake", {**INTAKE, "note": text}, token=cw), "note")
        assert case_item(receipt["case_id"])["status"] == "submitted"

    @pytest.mark.parametrize("text", BAD_TEXTS)
    def test_control_characters_in_messages_are_refused_from_either_side(self, app_client, token, text):
        es = app_client("eservices")
        _, cw = case_worker(token)
        citizen, ctok, receipt = taken_in(es, token, cw)
        enable_messaging(es, cw, citizen)
        refused(es.post("/messages", {"citizen": citizen, "subject": "Hej", "body": text}, token=cw), "body")
        refused(es.post("/messages", {"citizen": citizen, "subject": text, "body": "ok"}, token=cw), "subject")
        refused(es.post("/my/messages", {"case_id": receipt["case_id"], "subject": "S", "body": text}, token=ctok),
                "body")
        assert es.get("/my/messages", token=ctok).json == []

    def test_an_oversized_insatser_list_is_refused_without_echoing_it(self, app_client, token):
        es = app_client("eservices")
        _, _, receipt = new_application(es, token, area="lss", sol_insats=None, lss_insatser=["kontaktperson"])
        _, cw = case_worker(token)
        r = refused(es.post(f"/cases/{receipt['case_id']}/intake",
                            {**INTAKE, "intake_type": "begaran_lss", "lss_insatser": ["kontaktperson"] * 20_000},
                            token=cw), "lss_insatser")
        assert len(r.body) < 2000


class TestCitizenAnswers:
    def test_a_unicode_digit_year_is_a_422_not_a_crash(self, app_client, token):
        es = app_client("eservices")
        pnr, tok = fresh_contact_person(token)
        r = es.post("/drafts", {"form_id": "contact-monthly-report",
                                "answers": monthly_answers(pnr, rapportering={"year": "²"})}, token=tok)
        refused(r, "answers.rapportering.year")
        assert es.get("/my/drafts", token=tok).json == []

    @pytest.mark.parametrize("text", BAD_TEXTS)
    def test_a_control_character_or_lone_surrogate_in_an_answer_is_a_422(self, app_client, token, text):
        es = app_client("eservices")
        pnr, tok = fresh_citizen(token)
        r = es.post("/drafts", {"form_id": "support-application", "answers": {"ansokan": {"need": text}}}, token=tok)
        refused(r, "answers.ansokan.need")
        assert es.get("/my/drafts", token=tok).json == []
