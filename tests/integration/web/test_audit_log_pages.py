"""Loggkontroll in-process over moto (``/eservices/personal/logg``): who may reach it (auditors
only, and auditors nothing else of the section), the search by client, staff member, case and
period with its Swedish errors (422, nothing stored), a protected identity marked in words, the
CSV export, and every search audited."""
from __future__ import annotations

import csv
import io
import re
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

from services.domain.calendar import stockholm_date
from services.eservices.bootstrap import deps
from tests.integration.eservices.helpers import SAM, application_answers, submitted_case
from tests.integration.web.helpers import text
from tests.integration.web.staff import StaffBrowser, staff
from tests.support.people import new_pnr
from tests.support.staff_login import staff_principal

LOG = "/personal/logg"
NOT_AUDITORS = ("case_worker", "ordering_unit", "provider_staff", "provider_coordinator", "citizen", "relative")


@pytest.fixture
def es(app_client):
    return app_client("eservices")


def today() -> str:
    return stockholm_date(datetime.now(timezone.utc)).isoformat()


def a_case(es, token, pnr, last="Loggsson"):
    answers = application_answers(pnr)
    answers["om_dig"].update(first_name="Test", last_name=last)
    return submitted_case(es, token("citizen", personnummer=pnr), "support-application", answers,
                          key=f"log-{new_pnr()}")


def opened_by_a_case_worker(es, *receipts):
    """A case worker opens each case's page: one audited read each (case.read, case:<id>)."""
    b, cw = staff(es, user_id=f"hl-{new_pnr()[-6:]}", name="Marita Aronsson")
    for receipt in receipts:
        assert b.get(f"/personal/arenden/{receipt['case_id']}").status == 200
    return cw


def rows(r):
    body = r.body.decode()
    table = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    if table is None:
        return []
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)]


def searches_by(auditor) -> list:
    day = datetime.now(timezone.utc)
    found, _ = deps().casework.audit.search(person=None, actor=auditor.actor, start=day - timedelta(days=1),
                                            end=day + timedelta(days=1), limit=100)
    return [r for r in found if r.action == "audit.search"]


class TestWhoMayReachTheLog:
    @pytest.mark.parametrize("path", [LOG, f"{LOG}?from={{d}}&to={{d}}", f"{LOG}/export?from={{d}}&to={{d}}"])
    def test_an_auditor_reaches_the_log_and_its_export(self, es, path):
        b, _ = staff(es, "auditor", name="Lena Lind")
        r = b.get(path.format(d=today()))
        assert r.status == 200, r.body
        assert r.headers["cache-control"] == "no-store"

    @pytest.mark.parametrize("role", NOT_AUDITORS)
    def test_anyone_else_gets_a_swedish_403_and_their_search_is_not_run(self, es, role):
        b, who = staff(es, role)
        for path in (LOG, f"{LOG}?from={today()}&to={today()}", f"{LOG}/export?from={today()}&to={today()}"):
            r = b.get(path)
            assert r.status == 403, (path, r.status)
            assert "Du har inte behörighet" in text(r)
        assert searches_by(who) == []

    @pytest.mark.parametrize("path", [LOG, f"{LOG}/export"])
    def test_nobody_logged_in_is_sent_to_the_sections_login(self, es, path):
        r = StaffBrowser(es).get(path)
        assert r.status == 303
        location = urllib.parse.urlsplit(r.headers["location"])
        assert location.path == "/eservices/personal/logga-in"
        assert urllib.parse.parse_qs(location.query)["next"] == ["/eservices" + path]

    @pytest.mark.parametrize("path", ["/personal/att-gora", "/personal/inkorg", "/personal/meddelanden",
                                      "/personal/narstaende"])
    def test_an_auditor_reaches_no_case_work_page(self, es, path):
        b, _ = staff(es, "auditor")
        assert b.get(path).status == 403

    def test_the_sections_front_takes_an_auditor_to_the_log_and_a_case_worker_to_att_gora(self, es):
        auditor, _ = staff(es, "auditor")
        case_worker, _ = staff(es)
        assert auditor.get("/personal").headers["location"] == "/eservices/personal/logg"
        assert case_worker.get("/personal").headers["location"] == "/eservices/personal/att-gora"


class TestLogin:
    def _finish(self, es, issuer, principal, next_path="/eservices/personal/att-gora"):
        b = StaffBrowser(es)
        r = b.get("/personal/logga-in?" + urllib.parse.urlencode({"next": next_path}))
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))
        deps().token_endpoint = lambda url, form: {"id_token": issuer.mint(principal, nonce=query["nonce"])}
        try:
            return b, b.get(f"/personal/logga-in/klar?code=c&state={query['state']}")
        finally:
            deps().token_endpoint = None

    def test_an_auditor_logs_in_and_lands_on_the_log(self, es, issuer):
        b, r = self._finish(es, issuer, staff_principal("auditor", name="Lena Lind"))
        assert r.status == 303 and r.headers["location"] == "/eservices/personal/logg"
        page = b.get(LOG)
        assert page.status == 200 and "Inloggad som Lena Lind" in text(page)

    def test_an_auditor_sent_to_a_search_keeps_it(self, es, issuer):
        wanted = f"/eservices/personal/logg?from={today()}&to={today()}"
        _, r = self._finish(es, issuer, staff_principal("auditor"), next_path=wanted)
        assert r.headers["location"] == wanted

    def test_a_provider_is_still_refused_at_login(self, es, issuer):
        b, r = self._finish(es, issuer, staff_principal("provider_coordinator"))
        assert r.status in (401, 403)
        assert b.get(LOG).status == 303  # no session was begun


class TestSearch:
    def test_by_case_number_shows_who_read_it_what_why_and_marks_protected_identity(self, es, token):
        # GIVEN a case worker who opened the case of a person with protected identity, and another case
        hidden, other = a_case(es, token, SAM, "Skyddad"), a_case(es, token, new_pnr())
        cw = opened_by_a_case_worker(es, hidden, other)
        b, auditor = staff(es, "auditor", name="Lena Lind")
        # WHEN the auditor searches by the protected person's case number
        r = b.get(f"{LOG}?case={hidden['case_number']}&from={today()}&to={today()}")
        # THEN one row: when, who (name, role, id), what in Swedish, read, whose (marked in words), why, the case
        assert r.status == 200
        found = rows(r)
        assert len(found) == 1, found
        when, who, what, kind, whose, why, resource = found[0]
        assert re.fullmatch(rf"{today()} \d{{2}}:\d{{2}}", when), when
        assert who == f"Marita Aronsson Handläggare, {cw.actor}"
        assert (what, kind, why) == ("Öppnade ärendet", "Läsning", "Handläggning av ärende")
        assert whose == f"{SAM} Skyddad identitet"
        assert resource == f"Ärende {hidden['case_number']} case:{hidden['case_id']}"
        assert 'class="row-protected"' in r.body.decode() and "varav 1 rör en person med skyddad identitet" in text(r)
        # AND the name of the protected person is nowhere on the page
        assert "Skyddad Test" not in text(r) and "Test Skyddad" not in text(r)
        # AND the search itself is audited, by the auditor, as log follow-up
        [search] = searches_by(auditor)
        assert search.purpose == "Logguppföljning" and search.resource == "audit"

    def test_by_client_and_by_staff_member(self, es, token):
        pnr = new_pnr()
        receipt = a_case(es, token, pnr)
        cw = opened_by_a_case_worker(es, receipt)
        other_cw = opened_by_a_case_worker(es, receipt)
        b, _ = staff(es, "auditor")
        by_client = rows(b.get(f"{LOG}?person={pnr}&role=case_worker&from={today()}&to={today()}"))
        assert {row[1].rsplit(", ", 1)[1] for row in by_client} == {cw.actor, other_cw.actor}
        assert all(row[4] == pnr for row in by_client)
        by_user = rows(b.get(f"{LOG}?user={cw.user_id}&from={today()}&to={today()}"))
        # (the case page reads the person's messages, relatives and assignments too: each a record)
        assert "Öppnade ärendet" in [row[2] for row in by_user] and all(cw.actor in row[1] for row in by_user)
        assert other_cw.actor not in text(b.get(f"{LOG}?user={cw.user_id}&from={today()}&to={today()}"))

    def test_a_period_without_records_finds_none(self, es, token):
        receipt = a_case(es, token, new_pnr())
        opened_by_a_case_worker(es, receipt)
        b, _ = staff(es, "auditor")
        r = b.get(f"{LOG}?case={receipt['case_number']}&from=2020-01-01&to=2020-01-31")
        assert r.status == 200 and rows(r) == [] and "Inga loggposter matchar sökningen" in text(r)

    def test_a_case_number_that_names_no_case_says_so(self, es):
        b, _ = staff(es, "auditor")
        r = b.get(f"{LOG}?case=1999-999999&from={today()}&to={today()}")
        assert r.status == 200 and "Inget ärende har ärendenumret 1999-999999" in text(r)

    def test_the_first_visit_shows_the_form_with_the_last_week_and_searches_nothing(self, es):
        b, auditor = staff(es, "auditor")
        r = b.get(LOG)
        assert r.status == 200 and f'value="{today()}"' in r.body.decode() and "Träffar" not in text(r)
        assert searches_by(auditor) == []


class TestErrors:
    @pytest.mark.parametrize("params, field, message", [
        ({"person": "19121212-1213"}, "person", "Skriv klientens personnummer som ÅÅÅÅMMDD-NNNN"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to", "inte före från-datum"),
        ({"from": "10 mars"}, "from", "Skriv från-datum som ÅÅÅÅ-MM-DD"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "to", "Sök högst 366 dagar åt gången"),
        ({"role": "kung"}, "role", "Välj en roll i listan"),
        ({"case": "<script>"}, "case", "Skriv ärendenumret som ÅÅÅÅ-NNNNNN"),
    ])
    def test_a_bad_search_is_a_422_with_an_error_summary_and_nothing_is_searched(self, es, params, field, message):
        b, auditor = staff(es, "auditor")
        query = {"from": today(), "to": today(), **params}
        for path in (LOG, f"{LOG}/export"):
            r = b.get(f"{path}?{urllib.parse.urlencode(query)}")
            page = text(r)
            assert r.status == 422, (path, r.status)
            assert "Det finns problem att rätta" in page and message in page
            assert f'href="#filter-{field}"' in r.body.decode()
            assert 'aria-invalid="true"' in r.body.decode()
            assert r.headers["content-type"].startswith("text/html")
            assert page.count(message) == 2  # in the summary and beside the field
        # AND no search was run, so none was audited
        assert searches_by(auditor) == []


    def test_a_cursor_not_from_this_list_is_a_422_that_says_to_start_again(self, es):
        b, _ = staff(es, "auditor")
        r = b.get(f"{LOG}?from={today()}&to={today()}&cursor=bm90LWEtY3Vyc29y")
        assert r.status == 422 and "Sidan finns inte längre. Börja från första sidan." in text(r)
        assert 'href="#logg-cursor"' in r.body.decode() and 'id="logg-cursor"' in r.body.decode()


class TestExport:
    def test_the_export_is_the_search_as_csv_with_protected_identity_and_audited(self, es, token):
        hidden, other = a_case(es, token, SAM, "Skyddad"), a_case(es, token, new_pnr())
        cw = opened_by_a_case_worker(es, hidden, other)
        b, auditor = staff(es, "auditor")
        page = b.get(f"{LOG}?user={cw.user_id}&from={today()}&to={today()}")
        link = re.search(r'href="([^"]*/logg/export[^"]*)"', page.body.decode()).group(1).replace("&amp;", "&")
        r = b.get(link.removeprefix("/eservices"))
        assert r.status == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.headers["content-disposition"] == f'attachment; filename="logg-{today()}-{today()}.csv"'
        found = list(csv.DictReader(io.StringIO(r.body.decode("utf-8-sig"))))
        assert {x["actor"] for x in found} == {cw.actor}
        cases = [x for x in found if x["action"] == "case.read"]
        assert [(x["resource"], x["protected_identity"], x["action_sv"]) for x in cases] == [
            (f"case:{hidden['case_id']}", "ja", "Öppnade ärendet"),
            (f"case:{other['case_id']}", "", "Öppnade ärendet")]
        assert cases[0]["subject"] == SAM and cases[1]["subject"] != SAM
        assert all(x["protected_identity"] == ("ja" if x["subject"] == SAM else "") for x in found)
        # AND both the search and the export are audited
        assert sorted(s.resource for s in searches_by(auditor)) == ["audit", "audit:export"]
