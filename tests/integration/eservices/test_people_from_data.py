"""Who a person is comes from Insats' own data, never from the login's role (issue 22): every person
logs in as ``citizen``; reporting as a contact person follows from an assignment, acting for
someone from an approval. The old roles (``relative``, ``contact_person``) still verify and mean
no more than ``citizen``."""
from datetime import date

import pytest

from tests.integration.eservices.helpers import (application_answers, give_assignment, monthly_answers,
                                                 submitted_case)
from tests.integration.eservices.test_mina_sidor import approve
from tests.support.people import new_pnr

REPORTS = ("contact-monthly-report", "contact-time-report")


def start(es, tok, form_id, answers=None, **kw):
    return es.post("/drafts", {"form_id": form_id, "answers": answers or {}}, token=tok, **kw)


class TestContactPersonFromAssignments:
    def test_a_citizen_login_with_an_assignment_submits_a_contact_persons_report(self, app_client, token):
        es = app_client("eservices")
        # GIVEN a person logged in as citizen (as every e-ID login is) with an assignment as contact person
        pnr = new_pnr()
        give_assignment(pnr)
        tok = token("citizen", personnummer=pnr)
        # WHEN they fill in, sign and submit a monthly report
        receipt = submitted_case(es, tok, "contact-monthly-report", monthly_answers(pnr))
        # THEN it is a case of theirs, on Mina sidor
        assert receipt["case_number"]
        assert [c["case_id"] for c in es.get("/my/cases", token=tok).json] == [receipt["case_id"]]

    @pytest.mark.parametrize("role", ["citizen", "relative", "contact_person"])
    @pytest.mark.parametrize("form_id", REPORTS)
    def test_without_an_assignment_the_reports_are_refused_whatever_the_role(self, app_client, token, role,
                                                                             form_id):
        es = app_client("eservices")
        # GIVEN a person with no assignment as contact person (a contact_person role claim grants nothing)
        pnr = new_pnr()
        tok = token(role, personnummer=pnr)
        # WHEN they start a contact person's report
        r = start(es, tok, form_id)
        # THEN 403 in Swedish, saying what is missing and what to do, and nothing is stored
        assert r.status == 403 and r.headers["content-type"] == "application/problem+json", r.json
        assert "uppdrag som kontaktperson" in r.json["detail"] and "handläggare" in r.json["detail"]
        assert es.get("/my/drafts", token=tok).json == []
        # AND an application is open to them all the same
        assert start(es, tok, "support-application", application_answers(pnr)).status == 201

    def test_an_ended_assignment_still_lets_its_last_month_be_reported(self, app_client, token):
        es = app_client("eservices")
        # GIVEN an assignment that ended last year
        pnr = new_pnr()
        give_assignment(pnr, valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
        tok = token("citizen", personnummer=pnr)
        # WHEN the contact person reports its last month THEN the report is taken in
        answers = monthly_answers(pnr, rapportering={"year": 2025, "month": 12})
        assert submitted_case(es, tok, "contact-monthly-report", answers)["case_id"]

    def test_another_persons_assignment_opens_nothing(self, app_client, token):
        es = app_client("eservices")
        # GIVEN an assignment of someone else, whose client is this citizen
        me = new_pnr()
        give_assignment(new_pnr(), client=me)
        # WHEN the client starts a report THEN it is refused
        assert start(es, token("citizen", personnummer=me), "contact-time-report").status == 403


class TestOwnAssignments:
    @pytest.mark.parametrize("role", ["citizen", "relative", "contact_person"])
    def test_every_person_reads_only_their_own_assignments(self, app_client, token, role):
        es = app_client("eservices")
        # GIVEN two people, one with an assignment
        mine, theirs = new_pnr(), new_pnr()
        a = give_assignment(mine)
        give_assignment(theirs)
        # WHEN each reads their assignments, logged in with any person's role
        got = es.get("/my/assignments", token=token(role, personnummer=mine))
        # THEN a person sees their own and no one else's; one without any an empty list
        assert got.status == 200, got.json
        assert [x["assignment_id"] for x in got.json] == [a.assignment_id]
        assert es.get("/my/assignments", token=token(role, personnummer=new_pnr())).json == []


class TestActingForFromApprovals:
    def test_a_citizen_login_with_an_approval_acts_for_the_approved_person(self, app_client, token):
        es = app_client("eservices")
        # GIVEN a citizen and a person approved today to act for them, logged in as citizen
        citizen, helper = new_pnr(), new_pnr()
        approve(citizen, helper, date.today(), None)
        receipt = submitted_case(es, token("citizen", personnummer=citizen), "support-application",
                                 application_answers(citizen))
        tok, acting = token("citizen", personnummer=helper), {"X-Acting-For": citizen}
        # WHEN they read the citizen's cases acting for them
        r = es.get("/my/cases", token=tok, headers=acting)
        # THEN they see the citizen's case
        assert r.status == 200, r.json
        assert [c["case_id"] for c in r.json] == [receipt["case_id"]]

    def test_a_relative_login_without_an_approval_acts_for_no_one(self, app_client, token):
        es = app_client("eservices")
        # GIVEN a citizen with a case, and a person logged in with the old role relative but no approval
        citizen = new_pnr()
        receipt = submitted_case(es, token("citizen", personnummer=citizen), "support-application",
                                 application_answers(citizen))
        tok, acting = token("relative", personnummer=new_pnr()), {"X-Acting-For": citizen}
        # WHEN they ask for the citizen's cases, one case or drafts THEN each is refused
        refused = [es.get(path, token=tok, headers=acting)
                   for path in ("/my/cases", f"/my/cases/{receipt['case_id']}", "/my/drafts")]
        assert [r.status for r in refused] == [403, 403, 403]
        assert all("godkännande" in r.json["detail"] for r in refused)
