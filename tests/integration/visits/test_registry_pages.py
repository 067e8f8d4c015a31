"""The provider's registry pages in the visits section, in-process over moto: Frånvaro (register,
list with billing's compensation, end: the end reaches billing), Taggar och lås (order, bind, retire,
each device's failures), Mina registreringar (a staff member's own visits and what others changed)
and Personal och konton; who may (the coordinator keeps, the provider's manager reads, staff only
their own page, a case worker 403, another provider 404, nobody → login) and bad input (422, an
error summary in Swedish, nothing stored)."""
from __future__ import annotations

import json
import re
import urllib.parse
from datetime import timedelta

import pytest

from services.adapters.aws import client, queue_url
from services.visits.bootstrap import deps
from tests.integration.visits.test_deviation_pages import VisitsBrowser
from tests.integration.web.helpers import text
from tests.support.stack import drain
from tests.support.staff_login import staff_principal, visits_session

ABSENCES, DEVICES, OWN, PEOPLE = "/personal/franvaro", "/personal/enheter", "/personal/mina-registreringar", \
    "/personal/personal"


def as_(provider, role, user_id=None, provider_id=None):
    claims = {"provider_id": provider_id or provider.id} if role.startswith("provider") else {}
    who = staff_principal(role, user_id=user_id, **claims)
    return VisitsBrowser(provider.visits, cookie=visits_session(who))


def coordinator(provider):
    return as_(provider, "provider_coordinator", "cora")


def stored_absences(provider):
    return deps().absences.absences_of(provider.id)


def register(b, pnr, day, **extra):
    b.get(f"{ABSENCES}/ny")
    form = {"klient": pnr, "slag": "hospital", "fran": day.isoformat(), "till": "",
            "kand": f"{day.isoformat()} 08:30", "meddelad": "", **extra}
    return b.post(f"{ABSENCES}/ny", form)


class TestAbsences:
    def test_the_coordinator_registers_sees_the_compensation_and_ends_it_and_billing_hears_the_end(
            self, provider, morning):
        # GIVEN a client with home care granted
        pnr, _ = provider.new_client()
        b = coordinator(provider)
        day = morning.date()
        drain(queue_url("billing-inbox"), client("sqs"))
        # WHEN the coordinator registers a hospital stay from yesterday
        r = register(b, pnr, day)
        assert r.status == 303 and r.headers["location"] == "/visits/personal/franvaro"
        # THEN it is listed, masked, in Swedish, with the compensation billing's rules give it
        page = text(b.get(ABSENCES))
        assert "Frånvaron är registrerad" in page and pnr[:8] + "-****" in page and pnr not in page
        assert "Sjukhusvistelse" in page and "Pågår" in page and re.search(r"2 dagar, \d+ min, [\d\s]+,\d\d\skr", page)
        [absence] = stored_absences(provider)
        # WHEN it is ended ("Avsluta") on its first day
        end_path = f"{ABSENCES}/{absence.absence_id}/avsluta"
        assert end_path in b.history[-1].body.decode()
        assert b.get(end_path).status == 200
        r = b.post(end_path, {"till": day.isoformat()})
        assert r.status == 303
        # THEN it is listed ended with one day's compensation, and no "Avsluta" any more
        page = text(b.get(ABSENCES))
        assert "Frånvaron är avslutad" in page and "1 dag," in page and end_path not in b.history[-1].body.decode()
        # AND billing received the end: absence.registered again, revision 2, with its end
        sent = [json.loads(m["Body"]) for m in drain(queue_url("billing-inbox"), client("sqs"), wait=1)]
        mine = sorted((e["payload"].get("revision", 1), e["payload"]["ends_on"]) for e in sent
                      if e["event_type"] == "absence.registered" and e["payload"]["absence_id"] == absence.absence_id)
        assert mine == [(1, None), (2, day.isoformat())]
        # AND ending it again changes nothing
        r = b.get(end_path)
        assert r.status == 409 and "kan inte avslutas igen" in text(r)
        r = b.post(end_path, {"till": (day + timedelta(days=1)).isoformat()})
        assert r.status == 409 and stored_absences(provider)[0].ends_on == day

    def test_bad_input_names_each_field_in_swedish_and_stores_nothing(self, provider, morning):
        b = coordinator(provider)
        r = register(b, "123", morning.date(), slag="vacation", fran="igår", till="2020-01-01", kand="nu")
        assert r.status == 422
        body = r.body.decode()
        assert 'class="error-summary"' in body
        for anchor in ("#a-klient", "#a-slag", "#a-fran", "#a-kand"):
            assert f'href="{anchor}"' in body, anchor
        assert "12 siffror" in text(r) and "ÅÅÅÅ-MM-DD TT:MM" in text(r) and 'aria-invalid="true"' in body
        pnr, _ = provider.new_client()
        r = register(b, pnr, morning.date(), till=(morning.date() - timedelta(days=2)).isoformat())
        assert r.status == 422 and "före första dagen" in text(r)
        future = (morning + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
        r = register(b, pnr, morning.date(), kand=future)
        assert r.status == 422 and "framtiden" in text(r)
        assert stored_absences(provider) == []

    def test_an_end_before_the_start_is_an_error_and_nothing_changes(self, provider, morning):
        pnr, _ = provider.new_client()
        b = coordinator(provider)
        register(b, pnr, morning.date())
        [absence] = stored_absences(provider)
        path = f"{ABSENCES}/{absence.absence_id}/avsluta"
        b.get(path)
        r = b.post(path, {"till": (morning.date() - timedelta(days=1)).isoformat()})
        assert r.status == 422 and 'href="#e-till"' in r.body.decode() and "före första dagen" in text(r)
        r = b.post(path, {"till": "snart"})
        assert r.status == 422 and "ÅÅÅÅ-MM-DD" in text(r)
        assert stored_absences(provider)[0].ends_on is None

    def test_the_manager_reads_and_may_not_change(self, provider, morning):
        pnr, _ = provider.new_client()
        register(coordinator(provider), pnr, morning.date())
        [absence] = stored_absences(provider)
        m = as_(provider, "provider_manager", "maja")
        r = m.get(ABSENCES)
        assert r.status == 200 and "Sjukhusvistelse" in text(r)
        assert "/personal/franvaro/ny" not in r.body.decode() and "avsluta" not in r.body.decode()
        assert m.get(f"{ABSENCES}/ny").status == 403
        assert m.post(f"{ABSENCES}/ny", {"klient": pnr, "slag": "other"}).status == 403
        assert m.post(f"{ABSENCES}/{absence.absence_id}/avsluta", {"till": morning.date().isoformat()}).status == 403
        assert stored_absences(provider)[0].ends_on is None and len(stored_absences(provider)) == 1

    def test_another_providers_coordinator_never_sees_or_ends_it(self, provider, morning):
        pnr, _ = provider.new_client()
        register(coordinator(provider), pnr, morning.date())
        [absence] = stored_absences(provider)
        other = as_(provider, "provider_coordinator", "olle", provider_id=provider.id + "-y")
        r = other.get(ABSENCES)
        assert r.status == 200 and pnr[:8] + "-****" not in text(r) and "Ingen frånvaro att visa" in text(r)
        path = f"{ABSENCES}/{absence.absence_id}/avsluta"
        assert other.get(path).status == 404
        assert other.post(path, {"till": morning.date().isoformat()}).status == 404
        assert stored_absences(provider)[0].ends_on is None


class TestDevices:
    def test_order_bind_retire_and_a_tag_is_never_reused(self, provider):
        b = coordinator(provider)
        before = {d.device_id for d in deps().devices.devices_of(provider.id)}
        b.get(DEVICES)
        r = b.post(DEVICES, {"antal": "2", "slag": "nfc"})
        assert r.status == 303
        new = sorted({d.device_id for d in deps().devices.devices_of(provider.id)} - before)
        assert len(new) == 2
        page = text(b.get(DEVICES))
        assert "2 enheter beställda" in page and "Beställd, inte kopplad" in page
        pnr, _ = provider.new_client()
        path = f"{DEVICES}/{new[0]}"
        assert b.get(path).status == 200
        r = b.post(f"{path}/koppla", {"klient": pnr})
        assert r.status == 303 and r.headers["location"] == f"/visits{path}"
        page = text(b.get(path))
        assert "Kopplad" in page and pnr[:8] + "-****" in page and "Koppla till en klient" not in page
        r = b.post(f"{path}/koppla", {"klient": pnr})
        assert r.status == 409 and "används aldrig igen" in text(r)
        r = b.post(f"{path}/avveckla", {})
        assert r.status == 303 and "kan aldrig användas igen" in text(b.get(path))
        assert deps().devices.get_device(new[0]).status == "retired"

    def test_a_devices_failures_are_its_clients_manual_receipts_and_the_rejected_events_naming_it(
            self, provider, morning):
        # GIVEN a client with a manually receipted visit, and an event with a tag not bound to that client
        pnr, tag = provider.new_client()
        other, _ = provider.new_client()
        provider.post([provider.event("arrival", pnr, tag, morning,
                                      receipt={"method": "manual", "manual_reason": "technical_fault"}),
                       provider.event("departure", pnr, tag, morning + timedelta(minutes=30))])
        provider.post([provider.event("arrival", other, tag, morning + timedelta(hours=2))])
        provider.deliver()
        b = coordinator(provider)
        r = b.get(DEVICES)
        assert r.status == 200
        row = re.search(rf"{re.escape(tag)}</a>.*?</tr>", r.body.decode(), re.S).group(0)
        assert re.findall(r"<td>(\d+)</td>", row) == ["1"]
        month = morning.strftime("%Y-%m")
        page = text(b.get(f"{DEVICES}/{tag}?manad={month}"))
        assert "Tekniskt fel" in page and "inte kopplat till den här klienten" in page
        r = b.get(f"{DEVICES}/{tag}?manad=2026-13")
        assert 'href="#m-manad"' in r.body.decode()

    def test_bad_orders_and_binds_store_nothing(self, provider):
        b = coordinator(provider)
        before = deps().devices.devices_of(provider.id)
        b.get(DEVICES)
        r = b.post(DEVICES, {"antal": "0", "slag": "kamera"})
        assert r.status == 422 and 'href="#o-antal"' in r.body.decode() and 'href="#o-slag"' in r.body.decode()
        assert "från 1 till 50" in text(r)
        assert deps().devices.devices_of(provider.id) == before
        b.post(DEVICES, {"antal": "1", "slag": "digital_lock"})
        [lock] = [d for d in deps().devices.devices_of(provider.id) if d.kind == "digital_lock"]
        r = b.post(f"{DEVICES}/{lock.device_id}/koppla", {"klient": "19xx"})
        assert r.status == 422 and 'href="#b-klient"' in r.body.decode()
        assert deps().devices.get_device(lock.device_id).status == "ordered"

    def test_the_manager_reads_another_provider_gets_404(self, provider):
        pnr, tag = provider.new_client()
        m = as_(provider, "provider_manager", "maja")
        r = m.get(DEVICES)
        assert r.status == 200 and tag in text(r) and "Beställ taggar" not in text(r)
        assert m.get(f"{DEVICES}/{tag}").status == 200
        assert m.post(DEVICES, {"antal": "1", "slag": "nfc"}).status == 403
        assert m.post(f"{DEVICES}/{tag}/avveckla", {}).status == 403
        other = as_(provider, "provider_coordinator", "olle", provider_id=provider.id + "-y")
        assert tag not in text(other.get(DEVICES))
        assert other.get(f"{DEVICES}/{tag}").status == 404
        assert other.post(f"{DEVICES}/{tag}/avveckla", {}).status == 404
        assert deps().devices.get_device(tag).status == "bound"


class TestOwnRegistrations:
    def test_staff_see_their_own_visits_every_change_and_their_rejected_events_only(self, provider, morning):
        # GIVEN anna's visit, approved by the coordinator with a reason; bo's visit; anna's rejected event
        pnr, tag = provider.new_client()
        provider.post([provider.event("arrival", pnr, tag, morning),
                       provider.event("departure", pnr, tag, morning + timedelta(minutes=40))])
        provider.post([provider.event("arrival", pnr, tag, morning + timedelta(hours=3), staff="bo"),
                       provider.event("departure", pnr, tag, morning + timedelta(hours=3, minutes=20), staff="bo")])
        stranger, _ = provider.new_client()
        provider.post([provider.event("arrival", stranger, tag, morning + timedelta(hours=5))])
        provider.deliver()
        annas = [v for v in provider.month_visits(pnr, morning) if v["staff_id"] == "anna"][0]
        r = provider.visits.post(f"/visits/{annas['visit_id']}/approve",
                                 {"reason": "Stämmer med planeringen", "version": annas["version"]},
                                 token=provider.coordinator)
        assert r.status == 200, r.json
        # WHEN anna opens Mina registreringar for the month
        anna = as_(provider, "provider_staff", "anna")
        r = anna.get(f"{OWN}?manad={morning.strftime('%Y-%m')}")
        assert r.status == 200
        page = text(r)
        # THEN her visit, its approval (who, when, why) and her rejected event with what to do; not bo's visit
        assert "40" in page and "Godkänt" in page
        assert "Besöket godkändes av samordnaren cora" in page and "Varför: Stämmer med planeringen" in page
        assert page.count("Godkänt") == 1 and "1 besök, 40 minuter" in page
        assert "inte kopplat till den här klienten" in page and "samordnaren" in page
        bo = as_(provider, "provider_staff", "bo")
        page = text(bo.get(f"{OWN}?manad={morning.strftime('%Y-%m')}"))
        assert "1 besök, 20 minuter" in page and "Du har inga händelser att rätta" in page

    def test_a_coordinator_who_performs_no_visits_sees_none_and_a_bad_month_is_named(self, provider):
        b = coordinator(provider)
        r = b.get(OWN)
        assert r.status == 200 and "Du har inga besök registrerade" in text(r)
        r = b.get(f"{OWN}?manad=nov")
        assert 'href="#m-manad"' in r.body.decode() and "ÅÅÅÅ-MM" in text(r)

    @pytest.mark.parametrize("role", ["provider_manager", "case_worker", "auditor"])
    def test_others_get_403(self, provider, role):
        r = as_(provider, role).get(OWN)
        assert r.status == 403 and "Du har inte behörighet" in text(r)


@pytest.mark.parametrize("path", [ABSENCES, f"{ABSENCES}/ny", DEVICES, PEOPLE])
@pytest.mark.parametrize("role", ["provider_staff", "case_worker"])
def test_staff_and_case_workers_get_403_on_the_providers_pages(provider, path, role):
    r = as_(provider, role).get(path)
    assert r.status == 403 and "Du har inte behörighet" in text(r)


@pytest.mark.parametrize("path", [ABSENCES, f"{ABSENCES}/ny", DEVICES, f"{DEVICES}/TAG-X", OWN, PEOPLE])
def test_nobody_logged_in_is_sent_to_the_login(provider, path):
    r = VisitsBrowser(provider.visits).get(path)
    assert r.status in (302, 303)
    location = r.headers["location"]
    assert location.startswith("/visits/personal/logga-in?")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["next"] == [f"/visits{path}"]


def test_personal_och_konton_lists_the_visits_registry_and_sends_accounts_to_the_directory(provider):
    r = coordinator(provider).get(PEOPLE)
    assert r.status == 200
    page = text(r)
    assert "anna" in page and "bo" in page and 'href="/personal/konton"' in r.body.decode()
    assert "Administratör för organisationen" in page
    assert 'aria-current="page"' in r.body.decode()
    assert "slutar gälla" in page


def test_the_api_ends_an_absence_once_and_only_the_providers_own(provider, morning, token):
    pnr, _ = provider.new_client()
    v = provider.visits
    day = morning.date().isoformat()
    r = v.post("/absences", {"client": pnr, "kind": "short_term_stay", "starts_on": day,
                             "learned_at": morning.isoformat()}, token=provider.coordinator)
    assert r.status == 201
    path = f"/absences/{r.json['absence_id']}/end"
    elsewhere = token("provider_coordinator", user_id="olle", provider_id=provider.id + "-y")
    assert v.post(path, {"ends_on": day}, token=elsewhere).status == 404
    bad = v.post(path, {"ends_on": "2000-01-01"}, token=provider.coordinator)
    assert bad.status == 422 and [e["field"] for e in bad.json["errors"]] == ["ends_on"]
    ended = v.post(path, {"ends_on": day}, token=provider.coordinator)
    assert ended.status == 200 and ended.json["ends_on"] == day and ended.json["client"].endswith("****")
    assert v.post(path, {"ends_on": day}, token=provider.coordinator).status == 409
    assert [a["ends_on"] for a in v.get("/absences", token=provider.coordinator).json] == [day]


def test_without_csrf_nothing_is_stored(provider, morning):
    pnr, _ = provider.new_client()
    b = coordinator(provider)
    b.get(f"{ABSENCES}/ny")
    r = b.post(f"{ABSENCES}/ny", {"klient": pnr, "slag": "hospital", "fran": morning.date().isoformat(),
                                  "kand": f"{morning.date().isoformat()} 08:00"}, csrf="forged")
    assert r.status == 400 and stored_absences(provider) == []
    before = deps().devices.devices_of(provider.id)
    assert b.post(DEVICES, {"antal": "1", "slag": "nfc"}, csrf=False).status == 400
    assert deps().devices.devices_of(provider.id) == before


def test_the_coordinators_menu_has_their_own_page_and_the_managers_does_not(provider):
    assert 'href="/visits/personal/mina-registreringar"' in coordinator(provider).get(ABSENCES).body.decode()
    assert 'href="/visits/personal/mina-registreringar"' not in as_(provider, "provider_manager").get(
        ABSENCES).body.decode()
