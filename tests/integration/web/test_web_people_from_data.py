"""The citizen web decides from Insats' data, not the login's role, what a person may start: every
e-ID login is a citizen, and the contact person's reports are offered exactly to a person with an
assignment as contact person (issue 22)."""
from __future__ import annotations

import pytest

from tests.integration.eservices.helpers import give_assignment
from tests.integration.web.helpers import inner, login, text
from tests.support.people import new_pnr

REPORTS = ("contact-monthly-report", "contact-time-report")


@pytest.fixture
def es(app_client):
    return app_client("eservices")


def test_a_citizen_with_an_assignment_is_offered_and_may_start_the_contact_persons_reports(es, issuer):
    from services.eservices.domain.forms import get_form

    # GIVEN a person with an assignment as contact person, logged in as citizen (as every e-ID login is)
    pnr = new_pnr()
    give_assignment(pnr)
    b, _, _ = login(es, issuer, role="citizen", pnr=pnr)
    # WHEN they open Mina sidor
    page = b.get("/web/mina-sidor")
    # THEN the contact person's reports are there, each linked to its start page
    assert page.status == 200
    assert "Ditt uppdrag som kontaktperson" in text(page)
    for form_id in REPORTS:
        assert f"/web/tjanster/{form_id}".encode() in page.body
        # AND each start page offers to start it, and starting it opens its first step
        start_page = b.get(f"/web/tjanster/{form_id}")
        assert "Starta e-tjänsten" in text(start_page) and "uppdrag som kontaktperson, och" not in text(start_page)
        started = b.post(f"/web/tjanster/{form_id}/starta", {})
        assert started.status == 303, started.body
        assert inner(started.headers["location"]).endswith(f"/steg/{get_form(form_id).steps[0].id}")


def test_a_citizen_without_an_assignment_is_not_offered_the_reports(es, issuer):
    # GIVEN a person without any assignment, logged in as citizen
    b, _, _ = login(es, issuer, role="citizen")
    # WHEN they open Mina sidor and a report's start page
    page = b.get("/web/mina-sidor")
    start_page = b.get("/web/tjanster/contact-time-report")
    # THEN Mina sidor offers no report, and the start page says in Swedish why and what to do
    assert page.status == 200 and "Ditt uppdrag som kontaktperson" not in text(page)
    assert "/web/tjanster/contact-time-report" not in page.body.decode()
    assert "vi hittar inget uppdrag för dig" in text(start_page) and "handläggare" in text(start_page)
    assert "Starta e-tjänsten" not in text(start_page)
    assert b.post("/web/tjanster/contact-time-report/starta", {}).status == 403
