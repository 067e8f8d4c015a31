"""Besök, the provider's visits in the visits section (``/visits/personal/besok``,
``…/besok/{visit_id}``, ``…/andra``, ``/visits/personal/efterregistrera``), in-process over moto: who
may (the provider's coordinator and manager) and who may not (staff, case workers, another provider,
nobody logged in), the filters and paging, "Godkänn markerade" (approved and refused, each with why),
approve, undo, edit with a reason until the lock date (and the refusal after it, with the local
clock moved), post-registration, and bad input (422, nothing stored)."""
from __future__ import annotations

import re
import urllib.parse
from datetime import datetime, timedelta

import pytest

from services.domain.calendar import lock_date, lock_deadline, month_of, stockholm_date, swedish_date
from services.entrypoints.web.visits import visit_pages
from services.entrypoints.web.visits.section import VISITS
from services.visits.bootstrap import deps
from tests.integration.visits.test_deviation_pages import VisitsBrowser, logged_in
from tests.integration.web.helpers import text
from tests.support.staff_login import staff_principal, staff_session

PAGE = "/personal/besok"
POST_REG = "/personal/efterregistrera"
MANUAL = {"receipt": {"method": "manual", "manual_reason": "technical_fault"}}


def coordinator(provider, user_id="cora", role="provider_coordinator"):
    return logged_in(provider, role, user_id=user_id, provider_id=provider.id)


def a_visit(provider, morning, hours=0, staff="anna", minutes=30, **extra):
    pnr, tag = provider.new_client()
    start = morning + timedelta(hours=hours)
    provider.post([provider.event("arrival", pnr, tag, start, staff=staff, **extra),
                   provider.event("departure", pnr, tag, start + timedelta(minutes=minutes), staff=staff)])
    provider.deliver()
    (visit,) = provider.month_visits(pnr, morning)
    return pnr, visit


def keys(r):
    return re.findall(r'name="valda" value="([^"]+)"', r.body.decode())


def listed_ids(r):
    return set(re.findall(r'href="/visits/personal/besok/([^"/?]+)"', r.body.decode()))


def stored(provider, pnr, morning):
    (visit,) = provider.month_visits(pnr, morning)
    return visit


def month_query(morning):
    day = stockholm_date(morning)
    return f"fran={day.replace(day=1).isoformat()}"


class TestWhoMay:
    @pytest.mark.parametrize("role", ["provider_coordinator", "provider_manager"])
    def test_the_providers_coordinator_and_manager_see_its_visits(self, provider, morning, role):
        pnr, visit = a_visit(provider, morning)
        b, _ = coordinator(provider, role=role)
        r = b.get(f"{PAGE}?{month_query(morning)}")
        assert r.status == 200, r.body
        assert r.headers["cache-control"] == "no-store"
        assert visit["visit_id"] in listed_ids(r)
        page = text(r)
        assert pnr[:8] + "-****" in page and pnr not in page and "Registrerad" in page
        for path in (f"{PAGE}/{visit['visit_id']}", f"{PAGE}/{visit['visit_id']}/andra"):
            assert b.get(path).status == 200, path
        # Post-registering for the staff is the coordinator's (the manager approves what she registered)
        assert b.get(POST_REG).status == (200 if role == "provider_coordinator" else 403)
        assert ("efterregistreras" in text(r)) == (role == "provider_coordinator")

    @pytest.mark.parametrize("role", ["provider_staff", "case_worker", "citizen"])
    def test_staff_and_case_workers_get_a_swedish_403_and_store_nothing(self, provider, morning, role):
        pnr, visit = a_visit(provider, morning)
        them, _ = logged_in(provider, role, **({"provider_id": provider.id} if role == "provider_staff" else {}))
        for path in (PAGE, f"{PAGE}/{visit['visit_id']}", f"{PAGE}/{visit['visit_id']}/andra", POST_REG):
            r = them.get(path)
            assert r.status == 403, (path, r.status)
            assert "Du har inte behörighet" in text(r)
        r = them.post(PAGE, {"valda": f"{visit['visit_id']}:{visit['version']}"})
        assert r.status == 403 and stored(provider, pnr, morning)["status"] == "registered"

    def test_another_providers_coordinator_never_sees_the_visit(self, provider, morning):
        pnr, visit = a_visit(provider, morning)
        other, _ = logged_in(provider, "provider_coordinator", user_id="cora", provider_id="prov-annan")
        r = other.get(f"{PAGE}?{month_query(morning)}")
        assert r.status == 200 and visit["visit_id"] not in listed_ids(r)
        assert other.get(f"{PAGE}/{visit['visit_id']}").status == 404
        assert other.get(f"{PAGE}/{visit['visit_id']}/andra").status == 404
        # WHEN they post its key anyway THEN it is refused as not found and nothing changes
        r = other.post(PAGE, {"valda": f"{visit['visit_id']}:{visit['version']}"})
        assert r.status == 200 and "Besöket finns inte" in text(r) and "Inget besök godkändes" in text(r)
        r = other.post(f"{PAGE}/{visit['visit_id']}", {"atgard": "godkann", "version": visit["version"]})
        assert r.status == 404 and stored(provider, pnr, morning)["status"] == "registered"

    @pytest.mark.parametrize("path", [PAGE, POST_REG, f"{PAGE}/x-1"])
    def test_nobody_logged_in_is_sent_to_the_login(self, provider, path):
        r = VisitsBrowser(provider.visits).get(path)
        assert r.status in (302, 303)
        location = r.headers["location"]
        assert location.startswith("/visits/personal/logga-in?")
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["next"] == [f"/visits{path}"]


class TestList:
    def test_filters_narrow_by_staff_status_receipt_and_exception(self, provider, morning):
        _, nfc = a_visit(provider, morning)
        _, manual = a_visit(provider, morning, hours=2, staff="bo", **MANUAL)
        b, _ = coordinator(provider)
        month = month_query(morning)
        assert {nfc["visit_id"], manual["visit_id"]} <= listed_ids(b.get(f"{PAGE}?{month}"))
        mine = listed_ids(b.get(f"{PAGE}?{month}&personal=bo"))
        assert manual["visit_id"] in mine and nfc["visit_id"] not in mine
        found = listed_ids(b.get(f"{PAGE}?{month}&kvittering=manual"))
        assert manual["visit_id"] in found and nfc["visit_id"] not in found
        found = listed_ids(b.get(f"{PAGE}?{month}&avvikelse=waiting_for_case_worker"))
        assert manual["visit_id"] in found and nfc["visit_id"] not in found
        assert nfc["visit_id"] not in listed_ids(b.get(f"{PAGE}?{month}&status=approved"))
        r = b.get(f"{PAGE}?{month}&kvittering=manual")
        assert "Åtgärda: Väntar på handläggarens beslut" in text(r)  # red, said in words, not colour only

    def test_bad_filters_are_errors_beside_their_fields_and_list_nothing(self, provider, morning):
        a_visit(provider, morning)
        b, _ = coordinator(provider)
        r = b.get(f"{PAGE}?fran=igar&klient=123&status=klar&till=2026-01-01")
        body = r.body.decode()
        assert r.status == 200 and 'class="error-summary"' in body
        for field in ("fran", "klient", "status"):
            assert f'href="#f-{field}"' in body
        assert listed_ids(r) == set()
        r = b.get(f"{PAGE}?fran=2026-01-01&till=2026-04-30")
        assert "inom en månad eller två månader i följd" in text(r)
        r = b.get(f"{PAGE}?cursor=eyJtIjo5fQ")  # {"m":9}: no page this list handed out
        assert r.status == 200 and "Sidan finns inte längre" in text(r) and listed_ids(r) == set()

    def test_sorted_by_a_column_with_aria_sort_and_paged_by_the_cursor(self, provider, morning, monkeypatch):
        monkeypatch.setattr(visit_pages, "PAGE_SIZE", 2)
        pnr, tag = provider.new_client()
        for hours in (0, 2, 4):
            start = morning + timedelta(hours=hours)
            provider.post([provider.event("arrival", pnr, tag, start),
                           provider.event("departure", pnr, tag, start + timedelta(minutes=10 + hours))])
        provider.deliver()
        b, _ = coordinator(provider)
        r = b.get(f"{PAGE}?klient={pnr}&{month_query(morning)}&sortera=-minuter")
        body = r.body.decode()
        assert 'aria-sort="descending"' in body and len(keys(r)) == 2
        minutes = [int(m) for m in re.findall(r"<td>(\d+)</td>\s*<td>(?:Lås|NFC)", body)]
        assert minutes == sorted(minutes, reverse=True)
        following = re.search(r'href="([^"]+)" rel="next"', body).group(1).replace("&amp;", "&")
        r = b.get(following.removeprefix("/visits"))
        assert len(keys(r)) == 1 and 'rel="prev"' in r.body.decode()
        assert 'rel="next"' not in r.body.decode()


class TestBulkApproval:
    def test_godkann_markerade_approves_those_without_red_exceptions_and_says_why_not(self, provider, morning):
        p1, plain = a_visit(provider, morning)
        p2, waiting = a_visit(provider, morning, hours=2, **MANUAL)
        p3, mine = a_visit(provider, morning, hours=4, staff="bo")
        b, _ = coordinator(provider, user_id="bo")  # a coordinator who performed the third visit
        b.get(PAGE)
        r = b.post(PAGE, [("valda", f"{v['visit_id']}:{v['version']}") for v in (plain, waiting, mine)]
                   + [("motivering", "Kontrollerat mot schemat")])
        assert r.status == 200, r.body
        page = text(r)
        assert "1 besök godkänt" in page and "2 besök godkändes inte" in page
        assert "väntar på handläggarens beslut" in page
        assert "Du kan inte godkänna ett besök som du själv har utfört" in page
        assert stored(provider, p1, morning)["status"] == "approved"
        assert stored(provider, p1, morning)["history"][-1]["why"] == "Kontrollerat mot schemat"
        assert stored(provider, p2, morning)["status"] == "registered"
        assert stored(provider, p3, morning)["status"] == "registered"

    def test_nothing_marked_is_a_422_and_a_stale_version_is_refused(self, provider, morning):
        pnr, visit = a_visit(provider, morning)
        b, _ = coordinator(provider)
        b.get(PAGE)
        r = b.post(PAGE, {"motivering": "x" * 501})
        assert r.status == 422 and "Markera minst ett besök" in text(r) and "högst 500 tecken" in text(r)
        assert 'href="#valda"' in r.body.decode()
        r = b.post(PAGE, {"valda": f"{visit['visit_id']}:{visit['version'] + 3}"})
        assert "har ändrats sedan sidan visades" in text(r)
        assert stored(provider, pnr, morning)["status"] == "registered"


class TestOneVisit:
    def test_approve_undo_with_a_reason_and_the_timeline_says_who_when_what_why(self, provider, morning):
        pnr, visit = a_visit(provider, morning)
        b, _ = coordinator(provider)
        path = f"{PAGE}/{visit['visit_id']}"
        r = b.get(path)
        page = text(r)
        assert "Registrerat från personalens händelser" in page and "Ankomst" in page and "Avfärd" in page
        assert "NFC (TAG-" in page and len(re.findall(r"<code>[0-9a-f-]{36}</code>", r.body.decode())) == 2
        r = b.post(path, {"atgard": "godkann", "version": visit["version"], "motivering": ""})
        assert r.status == 303
        r = b.get(path)
        assert "Besöket är godkänt." in text(r) and "Godkänt – cora (samordnare)" in text(r)
        approved = stored(provider, pnr, morning)
        # WHEN the undo has no reason THEN 422 and nothing stored
        r = b.post(path, {"atgard": "angra", "version": approved["version"], "motivering": ""})
        assert r.status == 422 and 'href="#u-motivering"' in r.body.decode()
        assert stored(provider, pnr, morning)["status"] == "approved"
        # WHEN an old version is sent THEN 409 and nothing stored
        r = b.post(path, {"atgard": "angra", "version": visit["version"], "motivering": "fel tid"})
        assert r.status == 409 and "har ändrats sedan du öppnade sidan" in text(r)
        r = b.post(path, {"atgard": "angra", "version": approved["version"], "motivering": "Fel sluttid"})
        assert r.status == 303 and stored(provider, pnr, morning)["status"] == "registered"
        assert "Godkännandet ångrat – cora (samordnare)" in text(b.get(path)) and "Orsak: Fel sluttid" in text(
            b.get(path))

    def test_the_manager_approves_the_single_coordinators_post_registration_and_she_may_not(self, provider, morning):
        pnr, _ = provider.new_client()
        b, _ = coordinator(provider)
        b.get(POST_REG)
        day = stockholm_date(morning)
        r = b.post(POST_REG, [("klient", pnr), ("personal", "anna"), ("datum", day.isoformat()), ("start", "09:00"),
                              ("slut", "09:40"), ("insatser", "dusch"), ("orsakskod", "technology_failure"),
                              ("motivering", "Telefonen var urladdad")])
        assert r.status == 303, text(r)
        visit = stored(provider, pnr, morning)
        assert visit["source"] == "post_registration" and visit["minutes"] == 40 and visit["staff_id"] == "anna"
        path = f"{PAGE}/{visit['visit_id']}"
        page = text(b.get(path))
        assert "Efterregistrerat – cora (samordnare)" in page and "Telefonen var urladdad" in page
        assert "Du kan inte godkänna ett besök som du själv har registrerat eller ändrat" in page
        r = b.post(path, {"atgard": "godkann", "version": visit["version"]})
        assert r.status == 403 and stored(provider, pnr, morning)["status"] == "registered"
        manager, _ = coordinator(provider, user_id="vera", role="provider_manager")
        manager.get(path)
        r = manager.post(path, {"atgard": "godkann", "version": visit["version"], "motivering": "Kontrollerat"})
        assert r.status == 303 and stored(provider, pnr, morning)["approved_by"] == "provider_manager:vera"


class TestEdit:
    def test_an_edit_with_a_reason_changes_times_and_insatser(self, provider, morning):
        pnr, visit = a_visit(provider, morning)
        b, _ = coordinator(provider)
        path = f"{PAGE}/{visit['visit_id']}/andra"
        b.get(path)
        start = datetime.fromisoformat(visit["started_at"])
        from services.domain.calendar import local_clock

        r = b.post(path, [("start", local_clock(start)), ("slut", local_clock(start + timedelta(minutes=45))),
                          ("insatser", "dusch"), ("insatser", "service"), ("motivering", "Stannade längre"),
                          ("version", visit["version"])])
        assert r.status == 303, text(r)
        after = stored(provider, pnr, morning)
        assert after["minutes"] == 45 and after["insatser"] == ["dusch", "service"] and after["edited"]
        assert after["history"][-1]["why"] == "Stannade längre"
        assert "Ändrat för hand" in text(b.get(f"{PAGE}/{visit['visit_id']}"))

    def test_bad_input_is_a_422_with_the_error_summary_and_nothing_stored(self, provider, morning):
        pnr, visit = a_visit(provider, morning)
        b, _ = coordinator(provider)
        path = f"{PAGE}/{visit['visit_id']}/andra"
        b.get(path)
        r = b.post(path, [("start", "25:00"), ("slut", "08"), ("insatser", "okand"), ("motivering", ""),
                          ("version", visit["version"])])
        assert r.status == 422
        body = r.body.decode()
        for href in ("#e-start", "#e-slut", "#e-insatser-0", "#e-motivering"):
            assert f'href="{href}"' in body
        assert "Skriv en orsak" in text(r) and "Välj minst en insats" in text(r)
        assert stored(provider, pnr, morning)["version"] == visit["version"]
        r = b.post(path, [("start", "08:00"), ("slut", "09:00"), ("insatser", "dusch"), ("motivering", "Fel tid"),
                          ("version", visit["version"] - 1 if visit["version"] > 1 else 99)])
        assert r.status == 409 and stored(provider, pnr, morning)["version"] == visit["version"]

    def test_after_the_lock_date_the_edit_is_refused_with_the_date_by_the_local_clock(self, provider, morning,
                                                                                       monkeypatch):
        pnr, visit = a_visit(provider, morning)
        year, month = month_of(morning)
        after = lock_deadline(year, month) + timedelta(minutes=1)
        monkeypatch.setattr(deps(), "clock", lambda: after)
        who = staff_principal("provider_coordinator", user_id="cora", provider_id=provider.id)
        b = VisitsBrowser(provider.visits, cookie=staff_session(deps().sessions, who, now=after, section=VISITS))
        path = f"{PAGE}/{visit['visit_id']}"
        expected = (f"{visit_pages.MONTHS_SV[month - 1].capitalize()} {year} är låst sedan spärrdatum "
                    f"{swedish_date(lock_date(year, month))}. Inget ändrades.")
        r = b.get(path)
        assert r.status == 200 and expected in text(r) and "Ändra besöket" not in text(r)
        r = b.get(f"{path}/andra")
        assert expected in text(r) and "Spara ändringen" not in text(r)
        r = b.post(f"{path}/andra", [("start", "08:00"), ("slut", "08:20"), ("insatser", "dusch"),
                                     ("motivering", "Fel tid"), ("version", visit["version"])])
        assert r.status == 409 and expected in text(r)
        r = b.post(path, {"atgard": "godkann", "version": visit["version"]})
        assert r.status == 409 and expected in text(r)
        assert stored(provider, pnr, morning)["version"] == visit["version"]


class TestPostRegistration:
    def test_bad_input_is_a_422_naming_each_field_and_nothing_is_stored(self, provider, morning):
        pnr, _ = provider.new_client()
        b, _ = coordinator(provider)
        b.get(POST_REG)
        r = b.post(POST_REG, [("klient", "123"), ("personal", "okand"), ("datum", "igår"), ("start", "9"),
                              ("slut", ""), ("motivering", "")])
        assert r.status == 422
        body = r.body.decode()
        for href in ("#p-klient", "#p-personal", "#p-datum", "#p-start", "#p-slut", "#p-insatser-0",
                     "#p-orsakskod-technology_failure", "#p-motivering"):
            assert f'href="{href}"' in body, href
        assert provider.month_visits(pnr, morning) == []

    def test_a_locked_month_is_refused_with_its_lock_date(self, provider, morning):
        pnr, _ = provider.new_client()
        b, _ = coordinator(provider)
        b.get(POST_REG)
        r = b.post(POST_REG, [("klient", pnr), ("personal", "anna"), ("datum", "2025-01-15"), ("start", "09:00"),
                              ("slut", "09:30"), ("insatser", "dusch"), ("orsakskod", "technology_failure"),
                              ("motivering", "Glömde")])
        assert r.status == 409 and "Januari 2025 är låst sedan spärrdatum 5 februari 2025. Inget ändrades." in text(r)

    def test_an_overlap_with_the_staff_members_visit_is_a_422(self, provider, morning):
        pnr, visit = a_visit(provider, morning)
        b, _ = coordinator(provider)
        b.get(POST_REG)
        start = datetime.fromisoformat(visit["started_at"])
        from services.domain.calendar import local_clock

        r = b.post(POST_REG, [("klient", pnr), ("personal", "anna"), ("datum", stockholm_date(start).isoformat()),
                              ("start", local_clock(start + timedelta(minutes=5))),
                              ("slut", local_clock(start + timedelta(minutes=50))), ("insatser", "dusch"),
                              ("orsakskod", "technology_failure"), ("motivering", "Glömde")])
        assert r.status == 422 and "överlappar" in text(r)
        assert len(provider.month_visits(pnr, morning)) == 1

