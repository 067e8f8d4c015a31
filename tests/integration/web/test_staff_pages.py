"""The case workers' section in-process over moto (``/eservices/personal``): Att göra, the inbox
and Koppla ansökan, their errors, who may reach them, and the section's own session and login."""
from __future__ import annotations

import re
import urllib.parse

import pytest

from services.eservices.bootstrap import deps
from tests.integration.casework.helpers import case_item, enable_messaging, new_application
from tests.integration.eservices.helpers import SAM, application_answers, submitted_case
from tests.integration.web.helpers import Browser, inner, login, text
from tests.integration.web.staff import StaffBrowser, staff
from tests.support.people import new_pnr
from tests.support.staff_login import staff_cookie_name, staff_principal

PAGES = ("/personal/att-gora", "/personal/inkorg")
NOT_CASE_WORKERS = ("provider_coordinator", "provider_staff", "provider_manager", "auditor", "ordering_unit",
                    "organisation_admin", "citizen", "relative", "contact_person")


@pytest.fixture
def es(app_client):
    return app_client("eservices")


def applied(es, token, first="Test", last="Testsson", **ansokan):
    """A citizen's submitted support application under a name of its own: (pnr, receipt)."""
    pnr = new_pnr()
    answers = application_answers(pnr, **ansokan)
    answers["om_dig"].update(first_name=first, last_name=last)
    receipt = submitted_case(es, token("citizen", personnummer=pnr), "support-application", answers, key=pnr)
    return pnr, receipt


def rows(r):
    """The inbox table's rows as lists of cell texts."""
    body = r.body.decode()
    table = re.search(r'<tbody>(.*?)</tbody>', body, re.S)
    if table is None:
        return []
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)]


def intake_form(**overrides):
    form = {"intake_type": "ansokan_sol", "organisation": "Testenhet", "from_whom": "den_enskilde",
            "channel": "e_ansokan", "reason": "", "note": "Från Koppla ansökan"}
    form.update(overrides)
    return [(k, x) for k, v in form.items() for x in (v if isinstance(v, list) else [v]) if x is not None]


class TestWhoMayReachThePages:
    @pytest.mark.parametrize("path", PAGES)
    def test_a_case_worker_reaches_every_page(self, es, path):
        b, _ = staff(es)
        r = b.get(path)
        assert r.status == 200, r.body
        assert r.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in r.headers[
            "content-security-policy"]

    @pytest.mark.parametrize("role", NOT_CASE_WORKERS)
    def test_anyone_else_gets_a_swedish_403(self, es, token, role):
        _, receipt = applied(es, token)
        b, _ = staff(es, role)
        for path in (*PAGES, f"/personal/ansokningar/{receipt['case_id']}/koppla"):
            r = b.get(path)
            assert r.status == 403, (path, r.status)
            assert "Du har inte behörighet" in text(r)
        r = b.post(f"/personal/ansokningar/{receipt['case_id']}/koppla", intake_form())
        assert r.status == 403
        assert case_item(receipt["case_id"])["status"] == "submitted"

    @pytest.mark.parametrize("path", [*PAGES, "/personal"])
    def test_nobody_logged_in_is_sent_to_the_sections_login(self, es, path):
        r = StaffBrowser(es).get(path)
        assert r.status == 303
        location = r.headers["location"]
        if path == "/personal":
            assert location == "/eservices/personal/att-gora"
            return
        assert location.startswith("/eservices/personal/logga-in?next=")
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["next"] == ["/eservices" + path]

    def test_a_citizens_session_never_reaches_a_staff_page_nor_the_reverse(self, es, issuer):
        # GIVEN a citizen logged in on the citizens' web, and a case worker on the staff section
        citizen, _, _ = login(es, issuer, role="citizen", name="Annika Test")
        assert citizen.get("/web/mina-sidor").status == 200
        case_worker, _ = staff(es)
        # WHEN the citizen's session id is sent as the staff section's cookie THEN it is no session there
        r = StaffBrowser(es, cookie=citizen.cookie).get("/personal/att-gora")
        assert r.status == 303 and "/eservices/personal/logga-in" in r.headers["location"]
        # AND the citizen's own cookie (its name) does not reach staff pages either
        r = es.request("GET", "/personal/att-gora", headers={"Cookie": f"insats_session={citizen.cookie}"})
        assert r.status == 303
        # WHEN the case worker's session id is sent as the citizens' cookie THEN Mina sidor asks for a login
        r = Browser(es, cookie=case_worker.cookie).get("/web/mina-sidor")
        assert r.status == 303 and "/eservices/web/logga-in" in r.headers["location"]
        # AND the two cookies have names of their own
        assert staff_cookie_name() == "insats_personal"


class TestLogin:
    def test_the_login_goes_to_insats_authorization_server_as_insats_casework_with_pkce(self, es):
        b = StaffBrowser(es)
        r = b.get("/personal/logga-in?next=/eservices/personal/inkorg")
        assert r.status == 302
        target = urllib.parse.urlsplit(r.headers["location"])
        query = dict(urllib.parse.parse_qsl(target.query))
        assert target.path == "/identity/authorize"
        assert query["client_id"] == "insats-casework" and query["code_challenge_method"] == "S256"
        assert query["redirect_uri"].endswith("/eservices/personal/logga-in/klar")
        assert "insats_personal=" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]

    def _finish(self, es, issuer, principal):
        b = StaffBrowser(es)
        r = b.get("/personal/logga-in?next=/eservices/personal/inkorg")
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))
        deps().token_endpoint = lambda url, form: {"id_token": issuer.mint(principal, nonce=query["nonce"])}
        try:
            return b, b.get(f"/personal/logga-in/klar?code=c&state={query['state']}")
        finally:
            deps().token_endpoint = None

    def test_a_case_worker_logs_in_and_lands_where_they_were_going(self, es, issuer):
        b, r = self._finish(es, issuer, staff_principal("case_worker", name="Marita Aronsson"))
        assert r.status == 303 and r.headers["location"] == "/eservices/personal/inkorg"
        page = b.get("/personal/inkorg")
        assert page.status == 200 and "Inloggad som Marita Aronsson" in text(page)

    @pytest.mark.parametrize("role", ["provider_coordinator", "ordering_unit", "citizen"])  # auditors: the log
    def test_anyone_else_is_refused_at_login(self, es, issuer, role):
        b, r = self._finish(es, issuer, staff_principal(role))
        assert r.status in (401, 403) and "Du har inte behörighet" in text(r) or "logga in" in text(r).lower()
        assert b.get("/personal/att-gora").status == 303  # no session was begun

    def test_the_citizens_web_still_refuses_staff(self, es, issuer):
        b = Browser(es)
        r = b.get("/web/logga-in")
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["location"]).query))
        deps().token_endpoint = lambda url, form: {
            "id_token": issuer.mint(staff_principal("case_worker"), nonce=query["nonce"])}
        try:
            r = b.get(f"/web/logga-in/klar?code=c&state={query['state']}")
        finally:
            deps().token_endpoint = None
        assert r.status == 401

    def test_keeping_the_session_alive_and_next_never_leaves_the_section(self, es):
        b, _ = staff(es)
        b.get("/personal/att-gora")
        r = b.post("/personal/session", {"next": "/eservices/personal/inkorg?status=new"})
        assert r.status == 303 and r.headers["location"] == "/eservices/personal/inkorg?status=new"
        for elsewhere in ("/eservices/web/mina-sidor", "https://evil.example/personal", "/eservices/personal/../web"):
            r = b.post("/personal/session", {"next": elsewhere})
            assert r.headers["location"] == "/eservices/personal", elsewhere
        assert b.post("/personal/session", {"next": "/eservices/personal/inkorg"}, csrf="wrong").status == 400

    def test_logging_out_ends_the_session(self, es):
        b, _ = staff(es)
        assert b.get("/personal/att-gora").status == 200
        r = b.post("/personal/logga-ut", {})
        assert r.status == 200 and "Du är utloggad" in text(r)
        assert b.get("/personal/att-gora").status == 303


class TestSessionEnd:
    def test_an_ended_session_asks_for_a_new_login_and_keeps_nothing(self, es):
        from datetime import datetime, timedelta, timezone

        from tests.support.staff_login import staff_session

        who = staff_principal("case_worker")
        cookie = staff_session(deps().sessions, who, now=datetime.now(timezone.utc) - timedelta(hours=13))
        r = StaffBrowser(es, cookie=cookie).get("/personal/inkorg")
        assert r.status == 200 and "Du har loggats ut" in text(r)
        assert "/eservices/personal/logga-in?next=%2Feservices%2Fpersonal%2Finkorg" in r.body.decode()
        assert deps().sessions.get(cookie) is None

    def test_a_page_that_does_not_exist_says_so_for_staff(self, es):
        b, _ = staff(es)
        r = b.get("/personal/ansokningar/finns-inte/koppla")
        assert r.status == 404 and "Sidan finns inte" in text(r) and "Mina sidor" not in text(r)


def todo_counts(b):
    """Att göra's counts by label, as the page shows them."""
    found = {}
    for item in re.findall(r'<li class="todo-item">(.*?)</li>', b.get("/personal/att-gora").body.decode(), re.S):
        found[re.search(r'todo-label">([^<]+)<', item).group(1)] = int(re.search(r'todo-count">(\d+)<', item).group(1))
    return found


def visit_changed(client, version, deviations, *, visit_id=None, gone=False):
    """A ``visit.changed`` v2 as the visits service publishes it, of a visit this month."""
    import uuid
    from datetime import datetime, timedelta, timezone

    from services.contracts.events import VisitChangedV2, VisitContent, VisitDeviation
    from services.domain.calendar import month_of

    now = datetime.now(timezone.utc)
    year, month = month_of(now)
    visit = None if gone else VisitContent(
        staff_id="s-1", started_at=now - timedelta(minutes=30), ended_at=now, minutes=30, status="registered",
        deviations=[VisitDeviation(code=code, status=status) for code, status in deviations])
    return VisitChangedV2(visit_id=visit_id or str(uuid.uuid4()), client=client, provider_id="prov-omsorg", year=year,
                          month=month, visit_version=version, change="deleted" if gone else "updated", visit=visit)


def consume(es, events, client):
    """Publishes ``events`` on the domain-events topic as the visits app's relay does, takes what the
    eservices-inbox queue received of ``client``'s and hands it to the e-services' consumer, as Lambda
    would; returns how many arrived."""
    import json

    from services.adapters.aws import client as aws_client, queue_url
    from services.adapters.messaging import SnsPublisher
    from tests.support.stack import drain

    SnsPublisher().publish_batch([e.envelope("visits") for e in events])
    bodies = [m["Body"] for m in drain(queue_url("eservices-inbox"), aws_client("sqs"), wait=1)]
    mine = [body for body in bodies if json.loads(body)["payload"].get("client") == client]
    assert es.sqs("on_event", mine) == {"batchItemFailures": []}
    return len(mine)


class TestAttGora:
    def test_counts_new_applications_my_cases_and_messaging_not_activated(self, es, token):
        b, me = staff(es)

        def counts():
            found = {}
            for item in re.findall(r'<li class="todo-item">(.*?)</li>', b.get("/personal/att-gora").body.decode(), re.S):
                number = re.search(r'todo-count">(\d+)<', item).group(1)
                label = re.search(r'todo-label">([^<]+)<', item).group(1)
                found[label] = int(number)
            return found

        before = counts()
        # GIVEN a new e-application
        pnr, receipt = applied(es, token)
        after = counts()
        assert after["Nya e-ansökningar att koppla"] == before["Nya e-ansökningar att koppla"] + 1
        # WHEN I take it in as mine
        b.get(f"/personal/ansokningar/{receipt['case_id']}/koppla")
        assert b.post(f"/personal/ansokningar/{receipt['case_id']}/koppla",
                      intake_form(case_worker_id=me.user_id)).status == 303
        # THEN it is one of my cases, and one where messaging is not activated
        now = counts()
        assert now["Nya e-ansökningar att koppla"] == before["Nya e-ansökningar att koppla"]
        assert now["Mina ärenden under utredning"] == 1
        assert now["Ärenden där meddelandefunktionen inte är aktiverad"] == 1
        # AND once messaging is on, it is not
        enable_messaging(es, token("case_worker", user_id=me.user_id, name=me.name), pnr)
        assert counts()["Ärenden där meddelandefunktionen inte är aktiverad"] == 0

    def test_counts_the_visit_deviations_waiting_on_my_clients_from_the_visits_events(self, es, token):
        """GIVEN a client of mine WHEN the visits service publishes changes of their visits (through the
        domain-events topic and the eservices-inbox queue, on moto) THEN Att göra counts the deviations
        waiting for my decision, linked to the visits app's page; a redelivery and an older version
        arriving late change nothing, and a deleted visit no longer counts."""
        b, me = staff(es)
        pnr, receipt = applied(es, token)
        b.get(f"/personal/ansokningar/{receipt['case_id']}/koppla")
        assert b.post(f"/personal/ansokningar/{receipt['case_id']}/koppla",
                      intake_form(case_worker_id=me.user_id)).status == 303
        label = "Avvikelser i besök att besluta om"
        assert todo_counts(b)[label] == 0
        waiting = visit_changed(pnr, 2, [("manual_receipt", "pending"), ("over_granted_time", "pending")])
        decided = visit_changed(pnr, 3, [("manual_receipt", "approved"), ("over_granted_time", "pending")],
                                visit_id=waiting.visit_id)
        other = visit_changed(pnr, 1, [("manual_receipt", "pending")])
        # WHEN version 2 of one visit and another visit are published and consumed
        assert consume(es, [waiting, other], pnr) == 2
        assert todo_counts(b)[label] == 3
        body = b.get("/personal/att-gora").body.decode()
        assert 'href="/visits/personal/avvikelser"' in body and "räknas inte här" not in body
        # WHEN version 3 arrives, then version 2 again (redelivered late)
        assert consume(es, [decided], pnr) == 1 and consume(es, [waiting], pnr) == 1
        # THEN the decided deviation no longer counts
        assert todo_counts(b)[label] == 2
        # WHEN the other visit is deleted THEN only the first one's waiting deviation counts
        assert consume(es, [visit_changed(pnr, 2, [], visit_id=other.visit_id, gone=True)], pnr) == 1
        assert todo_counts(b)[label] == 1
        # AND another case worker, whose client this is not, counts none of them
        other_worker, _ = staff(es)
        assert todo_counts(other_worker)[label] == 0

    def test_each_count_links_to_the_inbox_view_of_it(self, es):
        b, _ = staff(es)
        body = b.get("/personal/att-gora").body.decode()
        assert 'href="/eservices/personal/inkorg?status=new&amp;kind=applications"' in body
        assert 'href="/eservices/personal/inkorg?mine=1&amp;status=in_progress"' in body


class TestInbox:
    def test_the_seeds_columns_and_a_link_to_koppla(self, es, token):
        pnr, receipt = applied(es, token, first="Josefine", last="Kolumnsson")
        b, _ = staff(es)
        r = b.get("/personal/inkorg?" + urllib.parse.urlencode({"q": pnr}))
        assert r.status == 200
        heads = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', r.body.decode(), re.S)
        assert [re.sub(r"<span.*", "", re.sub(r"<a[^>]*>", "", h)).strip() for h in heads][:5] == [
            "Personnummer", "Namn", "Insatskategori", "Status", "Inskickat den"]
        assert rows(r) == [[pnr[:8] + "-****", "Kolumnsson, Josefine", "Hemtjänst insatser", "Ny",
                            receipt["submitted_at"][:10], f"Koppla ansökan {receipt['case_number']}"]]
        assert f'href="/eservices/personal/ansokningar/{receipt["case_id"]}/koppla"' in r.body.decode()

    def test_search_by_case_number_and_by_name(self, es, token):
        surname = "Sökbar" + new_pnr()[-4:]
        _, receipt = applied(es, token, first="Annika", last=surname)
        b, _ = staff(es)
        by_number = rows(b.get("/personal/inkorg?q=" + receipt["case_number"]))
        assert [r[5] for r in by_number] == [f"Koppla ansökan {receipt['case_number']}"]
        by_name = rows(b.get("/personal/inkorg?" + urllib.parse.urlencode({"q": surname.lower()})))
        assert [r[1] for r in by_name] == [f"{surname}, Annika"]

    def test_protected_identity_is_shown_without_name_and_never_found_by_name(self, es, token):
        answers = application_answers(SAM)
        answers["om_dig"].update(first_name="Sam", last_name="Skyddad", street="Hemlig gata 9")
        receipt = submitted_case(es, token("citizen", personnummer=SAM), "support-application", answers,
                                 key=f"sam-{new_pnr()}")
        b, _ = staff(es)
        r = b.get("/personal/inkorg?q=" + receipt["case_number"])
        assert [(row[1]) for row in rows(r)] == ["Skyddad identitet Skyddad identitet"]
        assert "Sam" not in text(r) and "Hemlig" not in text(r)
        assert rows(b.get("/personal/inkorg?q=Skyddad")) == [] or all(
            "Sam" not in row[1] for row in rows(b.get("/personal/inkorg?q=Skyddad")))
        koppla = b.get(f"/personal/ansokningar/{receipt['case_id']}/koppla")
        assert "Skyddad identitet" in text(koppla) and "Sam" not in text(koppla) and "Hemlig" not in text(koppla)

    def test_filters_status_mine_and_dates_with_an_address_of_their_own(self, es, token):
        pnr, receipt = applied(es, token)
        b, me = staff(es)
        assert b.post(f"/personal/ansokningar/{receipt['case_id']}/koppla",
                      intake_form(case_worker_id=me.user_id), csrf=False).status == 400  # no CSRF: refused
        b.get(f"/personal/ansokningar/{receipt['case_id']}/koppla")
        assert b.post(f"/personal/ansokningar/{receipt['case_id']}/koppla",
                      intake_form(case_worker_id=me.user_id)).status == 303
        day = receipt["submitted_at"][:10]
        mine = rows(b.get(f"/personal/inkorg?mine=1&from={day}&to={day}"))
        assert [r[3] for r in mine] == ["Under utredning"]
        assert rows(b.get(f"/personal/inkorg?mine=1&status=new")) == []
        assert rows(b.get(f"/personal/inkorg?case_worker={me.user_id}&status=in_progress"))[0][5] == receipt[
            "case_number"]

    def test_a_bad_filter_gives_an_error_summary_in_swedish(self, es):
        b, _ = staff(es)
        r = b.get("/personal/inkorg?from=igår&to=2026-01-01")
        assert r.status == 200
        body = text(r)
        assert "Det finns problem att rätta" in body and "Skriv från-datum som ÅÅÅÅ-MM-DD" in body
        assert 'href="#filter-from"' in r.body.decode() and 'aria-invalid="true"' in r.body.decode()
        assert r.body.decode().count("<title>Fel: ") == 1

    def test_sorting_by_submit_date_says_so_with_aria_sort(self, es, token):
        applied(es, token)
        applied(es, token)
        b, _ = staff(es)
        newest = b.get("/personal/inkorg?status=new")
        assert 'aria-sort="descending"' in newest.body.decode()
        assert 'href="/eservices/personal/inkorg?status=new&amp;order=oldest"' in newest.body.decode()
        oldest = b.get("/personal/inkorg?status=new&order=oldest")
        assert 'aria-sort="ascending"' in oldest.body.decode()
        days = [r[4] for r in rows(oldest)]
        assert days == sorted(days)

    def test_sorting_by_status_says_so_with_aria_sort(self, es, token):
        _, receipt = applied(es, token)
        b, me = staff(es)
        b.get(f"/personal/ansokningar/{receipt['case_id']}/koppla")
        assert b.post(f"/personal/ansokningar/{receipt['case_id']}/koppla",
                      intake_form(case_worker_id=me.user_id)).status == 303
        applied(es, token)
        by_status = b.get("/personal/inkorg?order=status&limit=100")
        body = by_status.body.decode()
        assert re.search(r'<th scope="col" aria-sort="ascending"><a href="[^"]*order=status_desc', body)
        assert body.count("aria-sort=") == 1
        ranks = {"Ny": 0, "Mottagen": 1, "Under utredning": 2, "Beslutad": 3, "Avslutad": 4}
        shown = [ranks[r[3]] for r in rows(by_status)]
        assert shown == sorted(shown) and len(set(shown)) >= 2
        back = [ranks[r[3]] for r in rows(b.get("/personal/inkorg?order=status_desc&limit=100"))]
        assert back == sorted(back, reverse=True)

    def test_paging_through_the_index(self, es, token):
        for _ in range(3):
            applied(es, token)
        b, _ = staff(es)
        first = b.get("/personal/inkorg?status=new&limit=2")
        assert len(rows(first)) == 2
        found = re.search(r'href="([^"]+)" rel="next"', first.body.decode())
        assert found, "a link to the next page"
        second = b.get(inner(found.group(1).replace("&amp;", "&")))
        assert second.status == 200 and len(rows(second)) >= 1
        assert {r[5] for r in rows(second)}.isdisjoint({r[5] for r in rows(first)})
        back = re.search(r'href="([^"]+)" rel="prev"', second.body.decode())
        assert back and rows(b.get(inner(back.group(1).replace("&amp;", "&")))) == rows(first)
        third_link = re.search(r'href="([^"]+)" rel="next"', second.body.decode())
        assert third_link, "three applications or more, two a page"
        third = b.get(inner(third_link.group(1).replace("&amp;", "&")))
        assert "Första sidan" in text(third)
        back = re.search(r'href="([^"]+)" rel="prev"', third.body.decode())
        assert rows(b.get(inner(back.group(1).replace("&amp;", "&")))) == rows(second)


class TestKopplaAnsokan:
    def test_the_form_shows_the_application_and_carries_the_applicants_text_into_anteckning(self, es, token):
        _, receipt = applied(es, token, need="Jag trillar då och då och känner mig otrygg")
        b, _ = staff(es)
        r = b.get(f"/personal/ansokningar/{receipt['case_id']}/koppla")
        assert r.status == 200
        body = r.body.decode()
        assert "Jag trillar då och då" in re.search(r'<textarea[^>]*id="intake-note"[^>]*>(.*?)</textarea>', body,
                                                     re.S).group(1)
        for label in ("Ansökan SoL", "Begäran LSS", "Förenklad handläggning", "E-ansökan", "Telefon", "Brev",
                      "Besök", "Anmälan (t.ex. orosanmälan)", "Den enskilde", "Handläggare", "Organisation",
                      "Från vem", "Aktualiseringssätt", "Orsak", "Anteckning", "Valda tjänster", "Övrig information"):
            assert label in text(r), label

    def test_bad_input_gives_errors_in_swedish_and_stores_nothing(self, es, token):
        _, receipt = applied(es, token)
        b, me = staff(es)
        path = f"/personal/ansokningar/{receipt['case_id']}/koppla"
        b.get(path)
        r = b.post(path, intake_form(intake_type=None, organisation=""))
        assert r.status == 422
        body = text(r)
        assert "Det finns problem att rätta" in body and "Välj aktualiseringstyp." in body
        assert "Skriv organisationen" in body
        assert 'href="#intake-intake_type-0"' in r.body.decode() and 'id="intake-organisation-error"' in r.body.decode()
        assert case_item(receipt["case_id"])["status"] == "submitted"
        r = b.post(path, intake_form(intake_type="begaran_lss", case_worker_id=me.user_id))
        assert r.status == 422 and "Välj en eller flera LSS-insatser" in text(r)
        r = b.post(path, intake_form(channel="telefon", case_worker_id=me.user_id))
        assert r.status == 422 and "kopplas med aktualiseringssättet E-ansökan" in text(r)
        assert case_item(receipt["case_id"])["status"] == "submitted"

    def test_the_intake_type_must_fit_the_application(self, es, token):
        _, receipt = applied(es, token, area="lss", sol_insats=None, lss_insatser=["ledsagarservice"])
        b, me = staff(es)
        path = f"/personal/ansokningar/{receipt['case_id']}/koppla"
        b.get(path)
        r = b.post(path, intake_form(intake_type="ansokan_sol", case_worker_id=me.user_id))
        assert r.status == 422 and "Välj Begäran LSS" in text(r)
        r = b.post(path, intake_form(intake_type="begaran_lss", lss_insatser=["ledsagarservice"],
                                     case_worker_id=me.user_id))
        assert r.status == 303
        stored = case_item(receipt["case_id"])
        assert stored["status"] == "in_progress" and stored["intake"]["lss_insatser"] == ["ledsagarservice"]

    def test_after_koppla_the_case_is_under_the_chosen_case_worker(self, es, token, monkeypatch):
        import json

        monkeypatch.setenv("STAFF_CASE_WORKERS", json.dumps([{"id": "hl-annan", "name": "Annan Handläggare"}]))
        _, receipt = applied(es, token, need="Behöver hjälp")
        b, _ = staff(es)
        path = f"/personal/ansokningar/{receipt['case_id']}/koppla"
        assert "Annan Handläggare" in text(b.get(path))
        r = b.post(path, intake_form(case_worker_id="hl-annan", reason="Ny ansökan", note="Behöver hjälp"))
        assert r.status == 303
        assert r.headers["location"] == "/eservices/personal/inkorg?case_worker=hl-annan&status=in_progress"
        listed = b.get(inner(r.headers["location"]))
        assert f"kopplad till Annan Handläggare" in text(listed)
        assert receipt["case_number"] in [row[5] for row in rows(listed)]
        intake = case_item(receipt["case_id"])["intake"]
        assert (intake["case_worker_id"], intake["case_worker_name"], intake["channel"], intake["note"]) == (
            "hl-annan", "Annan Handläggare", "e_ansokan", "Behöver hjälp")
        # AND it cannot be taken in twice
        again = b.get(path)
        assert "redan kopplad" in text(again) and "<form method=\"post\" action=\"" + "/eservices" + path not in \
            again.body.decode()

    def test_an_unknown_case_worker_is_refused(self, es, token):
        _, receipt = applied(es, token)
        b, _ = staff(es)
        path = f"/personal/ansokningar/{receipt['case_id']}/koppla"
        b.get(path)
        r = b.post(path, intake_form(case_worker_id="hl-finns-inte"))
        assert r.status == 422 and "Välj handläggare." in text(r)
        assert case_item(receipt["case_id"])["status"] == "submitted"
