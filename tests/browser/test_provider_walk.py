"""GIVEN the local stack and a real Chromium, and a client of Omsorg AB (the demo provider) with two
visits yesterday and one in a month whose lock date has passed WHEN Cilla Carlsson, the provider's
coordinator, logs in for real (Insats' authorization server and the development e-ID broker), opens
Besök, filters it to the client, approves both visits with "Godkänn markerade", undoes one approval
with a reason, edits that visit with a reason, post-registers a visit, registers the client's absence
from yesterday on, opens Att åtgärda filtered to the client's month and resolves the red "absent day"
exception the absence raised on the visit she neither did nor changed (first without a reason, then
with one), and opens the locked month's visit to change it — once by keyboard only (axe-core at WCAG
2.1 AA on every page, the error states too; this walk also opens the absence's "Avsluta" page, Taggar
och lås with the demo tag's page and Mina registreringar), once with JavaScript off — THEN each step
lands where it should, the absence is listed with the personnummer masked, the resolved exception is
gone from the list, the locked visit's edit is refused with the month's lock date, and every page
carries the security headers.

Each walk has a client and a staff member of its own (the keyboard walk Anna, the other Bo), so the
walks share the stack without overlapping each other's visits."""
from __future__ import annotations

import re
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import boto3
import pytest

from tests.browser.conftest import STACKS, api, dev_token
from tests.browser.test_staff_walk import staff_pages_reflow
from tests.browser.test_walk import tab_to
from tests.support.people import new_pnr

pytestmark = pytest.mark.browser

PROVIDER = "prov-omsorg"
BESOK = "/visits/personal/besok"
FRANVARO = "/visits/personal/franvaro"
ATGARDA = "/visits/personal/att-atgarda"


def _visits_table(base: str):
    from tests.support.stack import REGION

    stack = STACKS[base]
    return boto3.resource("dynamodb", endpoint_url=f"http://127.0.0.1:{stack.moto_port}", region_name=REGION,
                          aws_access_key_id="testing", aws_secret_access_key="testing").Table("insats-visits")


def two_months_ago(today: date) -> date:
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1) - timedelta(days=1)


def omsorg_client(base: str, staff: str) -> tuple[str, list[str], str]:
    """A new client of Omsorg AB (a bound tag, home care granted) with two visits of ``staff`` yesterday,
    sent by the staff app's API and processed by the stack, and one visit two months ago (locked),
    written into the stack's store: (client, yesterday's visit ids, the locked visit's id)."""
    from services.domain.calendar import STOCKHOLM
    from services.visits.adapters.absences import DynamoAbsences
    from services.visits.adapters.client_days import DynamoClientDays
    from services.visits.adapters.devices import DynamoDevices
    from services.visits.adapters.grants import DynamoGrants
    from services.visits.adapters.lookups import DynamoIngestLookups
    from services.visits.adapters.staff import DynamoStaffRegistry
    from services.visits.domain.model import Device, Visit
    from services.visits.ports import VisitsDeps
    from services.visits.usecases.day_writes import write_as

    table = _visits_table(base)
    pnr, tag = new_pnr(1933), f"TAG-{uuid.uuid4().hex[:8]}"
    now = datetime.now(timezone.utc)
    DynamoDevices(table).put_device(Device(device_id=tag, kind="nfc", provider_id=PROVIDER, client=pnr,
                                           status="bound", ordered_at=now, bound_at=now))
    DynamoGrants(table).put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                                     "outcome": "granted", "granted_minutes_per_month": 100_000,
                                     "valid_from": "2000-01-01", "valid_to": None,
                                     "decided_at": "2000-01-01T00:00:00+00:00", "provider_id": PROVIDER})
    morning = now.replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)
    token = dev_token(base, role="provider_staff", user_id=staff, provider_id=PROVIDER)
    events = []
    for hours in (0, 2):
        start = morning + timedelta(hours=hours)
        events += [{"event_id": str(uuid.uuid4()), "type": kind, "staff_id": staff, "provider_id": PROVIDER,
                    "client": pnr, "device_time": at.isoformat(), "receipt": {"method": "nfc", "device_id": tag}}
                   for kind, at in (("arrival", start), ("departure", start + timedelta(minutes=30)))]
    status, body = api(base, "POST", "/visits/visit-events", {"events": events}, token)
    assert status == 202, body
    month = morning.astimezone(STOCKHOLM).strftime("%Y-%m")
    ids: list[str] = []
    for _ in range(60):  # the stack's queue pump hands the events to the processor
        status, visits = api(base, "GET", f"/visits/visits?month={month}&client={pnr}", None, token)
        if status == 200 and len(visits) == 2 and all(v["ended_at"] for v in visits):
            ids = [v["visit_id"] for v in sorted(visits, key=lambda v: v["started_at"])]
            break
        time.sleep(0.5)
    assert ids, "the visits were never processed"
    # A visit of a month whose lock date has passed cannot be sent any more: written as the store holds it
    store = VisitsDeps(days=DynamoClientDays(table), devices=DynamoDevices(table), staff=DynamoStaffRegistry(table),
                       absences=DynamoAbsences(table), grants=DynamoGrants(table), lookups=DynamoIngestLookups(table),
                       send=lambda *a, **k: [])
    day = two_months_ago(now.date())
    start = datetime(day.year, day.month, day.day, 9, tzinfo=STOCKHOLM)
    locked = Visit(visit_id=str(uuid.uuid4()), provider_id=PROVIDER, client=pnr, staff_id=staff, started_at=start,
                   ended_at=start + timedelta(minutes=30), insatser=["service"], status="registered",
                   receipt_methods=["nfc"])
    write_as(store, None, locked, "created", by="system", why="built from the staff app's events")
    return pnr, ids, locked.visit_id


def locked_text(visit_day: date) -> str:
    from services.domain.calendar import MONTHS_SV, lock_date, swedish_date

    return (f"{MONTHS_SV[visit_day.month - 1].capitalize()} {visit_day.year} är låst sedan spärrdatum "
            f"{swedish_date(lock_date(visit_day.year, visit_day.month))}. Inget ändrades.")


def log_in_cilla_by_keyboard(w) -> None:
    """The real login: the visits section → Insats' authorization server → the broker's page, where
    Cilla is chosen with the arrow keys → back to Besök."""
    page = w.page
    w.goto(f"/visits/personal/logga-in?next={BESOK}")
    w.check("e-legitimation")
    cilla = page.get_by_label(re.compile("Cilla Carlsson"))
    tab_to(page, "input[type=radio]:checked")
    for _ in range(30):
        if cilla.is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert cilla.is_checked()
    tab_to(page, "button:has-text('Logga in')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{BESOK}", wait_until="load")


def test_a_coordinator_works_the_visits_by_keyboard_only(walk, web):
    pnr, (first, second), locked_id = omsorg_client(web, "staff-anna")
    w = walk(width=1280)
    page = w.page
    log_in_cilla_by_keyboard(w)
    w.check("besok")
    assert page.get_by_role("heading", level=1).inner_text() == "Besök"
    assert "Inloggad som Cilla Carlsson" in page.content()

    # Filter to the client, then mark both visits and approve them with one comment
    tab_to(page, "#f-klient")
    page.keyboard.type(pnr)
    w.press_and_wait("Enter")
    w.check("besok-klient")
    assert page.locator("#besok tbody tr").count() == 2
    tab_to(page, "#valda")
    page.keyboard.press("Space")
    tab_to(page, "#valda-2")
    page.keyboard.press("Space")
    tab_to(page, "#b-motivering")
    page.keyboard.type("Kontrollerat mot planeringen")
    tab_to(page, "button:has-text('Godkänn markerade')")
    w.press_and_wait("Enter")
    w.check("godkanda")
    assert "2 besök godkända" in page.locator("#resultat").inner_text()

    # Undo one approval with a reason
    tab_to(page, f"#besok a[href='{BESOK}/{first}']")
    w.press_and_wait("Enter")
    w.check("besok-godkant")
    assert "Godkänt – coord-cilla (samordnare)" in page.locator("#historik").inner_text()
    tab_to(page, "#u-motivering")
    page.keyboard.type("Sluttiden stämmer inte")
    tab_to(page, "button:has-text('Ångra godkännande')")
    w.press_and_wait("Enter")
    w.check("besok-angrat")
    assert "Godkännandet är ångrat" in page.locator(".notice").inner_text()

    # Edit it with a reason
    tab_to(page, f"a[href='{BESOK}/{first}/andra']")
    w.press_and_wait("Enter")
    w.check("andra")
    tab_to(page, "#e-slut")
    page.keyboard.press("Control+A")
    page.keyboard.type(page.locator("#e-start").input_value()[:3] + "50")
    tab_to(page, "#e-motivering")
    page.keyboard.type("Stannade längre enligt kunden")
    tab_to(page, "button:has-text('Spara ändringen')")
    w.press_and_wait("Enter")
    w.check("andrat")
    assert "Besöket är ändrat" in page.locator(".notice").inner_text()
    assert "Ändrat för hand" in page.locator("#historik").inner_text()

    # Post-register a visit of Anna's in the afternoon
    tab_to(page, "a.back-link")
    w.press_and_wait("Enter")
    tab_to(page, "a[href='/visits/personal/efterregistrera']")
    w.press_and_wait("Enter")
    w.check("efterregistrera")
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    for field, value in (("#p-klient", pnr), ("#p-datum", yesterday), ("#p-start", "14:00"), ("#p-slut", "14:25")):
        tab_to(page, field)
        page.keyboard.type(value)
    tab_to(page, "#p-personal")
    page.keyboard.type("staff-anna")
    assert page.locator("#p-personal").input_value() == "staff-anna"
    tab_to(page, "#p-insatser-4")  # Dusch
    page.keyboard.press("Space")
    tab_to(page, "#p-orsakskod-technology_failure")
    page.keyboard.press("Space")
    tab_to(page, "#p-motivering")
    page.keyboard.type("Telefonen var urladdad")
    tab_to(page, "button:has-text('Efterregistrera')")
    w.press_and_wait("Enter")
    w.check("efterregistrerat")
    assert "Besöket är efterregistrerat" in page.locator(".notice").inner_text()

    # An absence of the client from yesterday on (first with a mistake), listed masked; its "Avsluta" page
    tab_to(page, f"a[href='{FRANVARO}']")
    w.press_and_wait("Enter")
    w.check("franvaro")
    tab_to(page, f"a[href='{FRANVARO}/ny']")
    w.press_and_wait("Enter")
    w.check("registrera")
    for field, value in (("#a-klient", pnr), ("#a-fran", yesterday), ("#a-kand", "i går")):  # no date and time
        tab_to(page, field)
        page.keyboard.type(value)
    tab_to(page, "#a-slag")  # Sjukhusvistelse
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('Registrera frånvaro')")
    w.press_and_wait("Enter")
    w.check("registrera-fel")
    assert "Det finns problem att rätta" in page.content()
    tab_to(page, "#a-kand")
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{yesterday} 08:30")
    tab_to(page, "button:has-text('Registrera frånvaro')")
    w.press_and_wait("Enter")
    w.check("registrerad")
    assert "Frånvaron är registrerad." in page.content()
    absence = (page.locator("#franvaro tbody tr").filter(has_text=pnr[:8] + "-****")
               .filter(has_text=f"{yesterday} 08:30"))  # the other walk's client shares the first 8 digits
    assert "Sjukhusvistelse" in absence.inner_text() and pnr not in page.content()
    tab_to(page, f"#franvaro a[href='{absence.get_by_role('link', name=re.compile('Avsluta')).get_attribute('href')}']")
    w.press_and_wait("Enter")
    w.check("avsluta")
    assert page.get_by_role("heading", level=1).inner_text() == "Avsluta frånvaro"

    # Att åtgärda, filtered to the client's month: the absence made yesterday's visits red; the one
    # Cilla neither did nor changed is resolved with a reason (first without one)
    tab_to(page, f"a[href='{ATGARDA}']")
    w.press_and_wait("Enter")
    w.check("att-atgarda")
    tab_to(page, "#f-manad")
    page.keyboard.press("Control+A")
    page.keyboard.type(yesterday[:7])
    tab_to(page, "#f-klient")
    page.keyboard.type(pnr)
    w.press_and_wait("Enter")
    w.check("att-atgarda-klient")
    assert page.locator("#undantag").get_by_text("Besök en dag kunden är frånvarande").count() >= 2
    tab_to(page, f"a[href='{ATGARDA}/{second}/absent_day']")
    w.press_and_wait("Enter")
    w.check("atgarda")
    tab_to(page, "button:has-text('Spara åtgärd')")
    w.press_and_wait("Enter")
    w.check("atgarda-fel")
    assert "Välj en orsak i listan." in page.locator(".error-summary").inner_text()
    tab_to(page, "#r-orsak-client_returned_early")
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('Spara åtgärd')")
    w.press_and_wait("Enter")
    w.check("atgardat")
    assert "åtgärdat" in page.content()
    assert page.locator(f"a[href='{ATGARDA}/{second}/absent_day']").count() == 0
    assert page.locator(f"a[href='{ATGARDA}/{first}/absent_day']").count() == 1

    # The registry's other pages: Taggar och lås, the demo data's tag (infra/fixtures/people.json), Mina registreringar
    tab_to(page, "a[href='/visits/personal/enheter']")
    w.press_and_wait("Enter")
    w.check("taggar-och-las")
    assert page.get_by_role("heading", level=1).inner_text() == "Taggar och lås"
    tab_to(page, "a:has-text('TAG-DEMO-MARITA')")
    w.press_and_wait("Enter")
    w.check("tagg")
    assert "Fel med enheten" in page.content() and "194103" in page.content()
    tab_to(page, "a[href='/visits/personal/mina-registreringar']")
    w.press_and_wait("Enter")
    w.check("mina-registreringar")
    assert page.get_by_role("heading", level=1).inner_text() == "Mina registreringar"

    # The month pages: Översikt (the start page, from kept summaries) and Månaden och fakturaunderlag
    tab_to(page, "a[href='/visits/personal/oversikt']")
    w.press_and_wait("Enter")
    w.check("oversikt")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Översikt")
    tab_to(page, "a[href='/visits/personal/manaden']")
    w.press_and_wait("Enter")
    w.check("manaden")

    # The locked month's visit: no edit is offered, and its edit page refuses with the lock date
    visit_day = two_months_ago(datetime.now(timezone.utc).date())
    w.goto(f"{BESOK}?klient={pnr}&fran={visit_day.replace(day=1).isoformat()}")
    w.check("besok-last-manad")
    tab_to(page, f"#besok a[href='{BESOK}/{locked_id}']")
    w.press_and_wait("Enter")
    w.check("besok-last")
    assert locked_text(visit_day) in page.locator("#last").inner_text()
    assert page.locator(f"a[href='{BESOK}/{locked_id}/andra']").count() == 0
    w.goto(f"{BESOK}/{locked_id}/andra")
    w.check("andra-last")
    assert locked_text(visit_day) in page.locator("#last").inner_text()
    assert page.locator("button:has-text('Spara ändringen')").count() == 0
    w.assert_headers()


def test_a_coordinator_works_the_visits_without_javascript(walk, web):
    pnr, (first, second), locked_id = omsorg_client(web, "staff-bo")
    w = walk(width=1280, javascript=False)
    page = w.page
    w.goto(f"/visits/personal/logga-in?next={BESOK}")
    w.check("e-legitimation")
    page.get_by_label(re.compile("Cilla Carlsson")).check()
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"**{BESOK}", wait_until="load")
    w.check("besok")

    page.get_by_label("Klientens personnummer").fill(pnr)
    page.get_by_role("button", name="Visa").click()
    w.check("besok-klient")
    assert f"klient={pnr}" in page.url  # the filter is a GET form: the view has an address
    page.get_by_role("button", name="Godkänn markerade").click()
    w.check("godkann-fel")
    assert "Markera minst ett besök att godkänna." in page.locator(".error-summary").inner_text()
    for visit_id in (first, second):
        page.locator(f'input[name="valda"][value^="{visit_id}:"]').check()
    page.get_by_role("button", name="Godkänn markerade").click()
    w.check("godkanda")
    assert "2 besök godkända" in page.locator("#resultat").inner_text()

    page.locator(f"#besok a[href='{BESOK}/{second}']").click()
    w.check("besok-godkant")
    page.get_by_role("button", name="Ångra godkännande").click()
    w.check("angra-fel")
    assert "Skriv en orsak" in page.locator(".error-summary").inner_text()
    page.get_by_label("Varför ångras godkännandet?").fill("Fel insats registrerad")
    page.get_by_role("button", name="Ångra godkännande").click()
    w.check("besok-angrat")
    page.get_by_role("link", name=re.compile("Ändra besöket")).click()
    w.check("andra")
    page.get_by_label("Serviceinsatser").check()
    page.get_by_label("Orsak till ändringen").fill("Städning gjordes också")
    page.get_by_role("button", name="Spara ändringen").click()
    w.check("andrat")
    assert "Serviceinsatser" in page.locator(".summary-list").inner_text()

    page.get_by_role("link", name="Tillbaka till Besök").click()
    page.get_by_role("link", name="efterregistreras").click()
    w.check("efterregistrera")
    page.get_by_label("Klientens personnummer").fill(pnr)
    page.get_by_label("Personal som gjorde besöket").select_option("staff-bo")
    page.get_by_label("Datum").fill((datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat())
    page.get_by_label("Starttid").fill("15:00")
    page.get_by_label("Sluttid").fill("15:20")
    page.get_by_label("Dusch").check()
    page.get_by_label(re.compile("Tekniken fungerade inte")).check()
    page.get_by_label("Beskriv vad som hände").fill("Låset svarade inte")
    page.get_by_role("button", name="Efterregistrera").click()
    w.check("efterregistrerat")
    assert "Besöket är efterregistrerat" in page.locator(".notice").inner_text()

    # An absence of the client from yesterday on, listed masked
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    page.get_by_role("link", name="Frånvaro", exact=True).click()
    w.check("franvaro")
    page.get_by_role("link", name="Registrera frånvaro").click()
    w.check("registrera")
    page.get_by_label("Klientens personnummer").fill(pnr)
    page.get_by_label("Sjukhusvistelse").check()
    page.get_by_label("Första frånvarodag").fill(yesterday)
    page.get_by_label("När fick ni veta om frånvaron?").fill(f"{yesterday} 07:45")
    page.get_by_role("button", name="Registrera frånvaro").click()
    page.wait_for_url(f"**{FRANVARO}")
    w.check("registrerad")
    assert "Frånvaron är registrerad." in page.content()
    absence = (page.locator("#franvaro tbody tr").filter(has_text=pnr[:8] + "-****")
               .filter(has_text=f"{yesterday} 07:45"))  # the other walk's client shares the first 8 digits
    assert "Sjukhusvistelse" in absence.inner_text() and pnr not in page.content()

    # Att åtgärda, filtered to the client's month: the visit Cilla neither did nor changed, made red by
    # the absence, is resolved with a reason (first without one)
    page.get_by_role("link", name="Att åtgärda", exact=True).click()
    w.check("att-atgarda")
    page.get_by_label("Månad", exact=True).fill(yesterday[:7])
    page.get_by_label("Kundens personnummer").fill(pnr)
    page.get_by_role("button", name="Visa").click()
    w.check("att-atgarda-klient")
    assert f"klient={pnr}" in page.url
    page.locator(f"a[href='{ATGARDA}/{first}/absent_day']").click()
    w.check("atgarda")
    page.get_by_role("button", name="Spara åtgärd").click()
    w.check("atgarda-fel")
    assert "Välj en orsak i listan." in page.locator(".error-summary").inner_text()
    page.get_by_label("Frånvaron var felaktigt registrerad").check()
    page.get_by_role("button", name="Spara åtgärd").click()
    page.wait_for_url(f"**{ATGARDA}?manad=*")
    w.check("atgardat")
    assert "åtgärdat" in page.content()
    assert page.locator(f"a[href='{ATGARDA}/{first}/absent_day']").count() == 0
    assert page.locator(f"a[href='{ATGARDA}/{second}/absent_day']").count() == 1

    visit_day = two_months_ago(datetime.now(timezone.utc).date())
    w.goto(f"{BESOK}/{locked_id}")
    w.check("besok-last")
    assert locked_text(visit_day) in page.locator("#last").inner_text()
    w.goto(f"{BESOK}/{locked_id}/andra")
    w.check("andra-last")
    assert locked_text(visit_day) in page.locator("#last").inner_text()
    w.assert_headers()
    # 200 % zoom of a 1280 px window: the list and a visit reflow (the table scrolls in its own box)
    staff_pages_reflow(w, [f"{web}{BESOK}?klient={pnr}", f"{web}{BESOK}/{first}"])
