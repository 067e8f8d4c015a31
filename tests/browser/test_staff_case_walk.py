"""GIVEN the local stack and a real Chromium WHEN a case worker opens a taken-in case, activates
messaging, makes a decision through the letter's preview, writes a message with an attachment
(straight to S3, no script needed) and approves a relative — with the mouse, with the keyboard
only, and with JavaScript off — THEN every page passes axe-core at WCAG 2.1 AA (where a script
runs it), reflows at 200 % zoom of a 1280 px window and carries the security headers. The stack
and the browser are the session's (``tests/browser/conftest.py``), shared with the other walks."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import api, dev_token
from tests.browser.test_staff_walk import log_in_case_worker, staff_pages_reflow
from tests.browser.test_walk import tab_to
from tests.support.people import new_pnr

pytestmark = pytest.mark.browser

INTAKE = {"intake_type": "ansokan_sol", "organisation": "Testenhet", "from_whom": "den_enskilde",
          "channel": "e_ansokan", "note": "Från Koppla ansökan"}


def a_case(base: str, last_name: str) -> dict:
    """A citizen's application for home care taken in through the API (Koppla ansökan has its own walk)."""
    import uuid

    from tests.support.local_stack import call

    pnr = new_pnr()
    tok = dev_token(base, role="citizen", personnummer=pnr)
    answers = {"ansokan": {"area": "sol_aldre", "sol_insats": "hemtjanst", "need": "Hjälp med dusch och inköp"},
               "om_dig": {"personnummer": pnr, "first_name": "Annika", "last_name": last_name, "confirm": True}}
    status, draft = api(base, "POST", "/eservices/drafts", {"form_id": "support-application", "answers": answers}, tok)
    assert status == 201, draft
    assert api(base, "POST", f"/eservices/drafts/{draft['draft_id']}/signature", None, tok)[0] == 201
    status, receipt = call(base, "POST", f"/eservices/drafts/{draft['draft_id']}/submit", None, tok, timeout=15,
                           headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, receipt
    tok = dev_token(base, role="case_worker", user_id="hl-walk", name="Marita Aronsson")
    status, body = api(base, "POST", f"/eservices/cases/{receipt['case_id']}/intake", INTAKE, tok)
    assert status == 200, body
    return receipt


def a_file(tmp_path, name="intyg.pdf"):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% intyg\n")
    return str(path)


def test_a_case_worker_decides_messages_and_approves_a_relative_with_the_mouse(walk, web, tmp_path):
    surname = "Beslutsson" + new_pnr()[-4:]
    receipt = a_case(web, surname)
    w = walk(width=1280)
    page = w.page
    log_in_case_worker(w)
    visited = []
    case_path = f"/eservices/personal/arenden/{receipt['case_id']}"

    w.goto(case_path)
    w.check("arende")
    visited.append(page.url)
    assert surname in page.locator(".person-bar").inner_text()
    assert "Meddelandefunktionen är inte aktiverad" in page.content()

    # Activate messaging with the seed's choices (an error first: SMS without a number)
    page.get_by_role("link", name="Aktivera meddelandefunktionen").click()
    w.check("meddelandefunktion")
    visited.append(page.url)
    page.get_by_label("Avisering via SMS").check()
    page.get_by_role("button", name="Klar").click()
    w.check("meddelandefunktion-fel")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.locator(".error-summary a").first.click()
    page.get_by_role("textbox", name="Telefon 1").fill("0701234567")
    page.get_by_label("Avisering via e-post").check()
    page.get_by_role("textbox", name="E-post").fill("annika@example.se")
    page.get_by_role("button", name="Klar").click()
    w.check("arende-aktiverad")
    assert "Meddelandefunktionen är aktiverad" in page.locator(".notice").first.inner_text()

    # A decision: a missing time is an error; then the preview, then Publicera beslut
    page.get_by_role("link", name="Fatta beslut").click()
    w.check("beslut")
    visited.append(page.url)
    assert "socialtjänstlagen" in page.content()
    page.get_by_role("radio", name="Bevilja").check()
    page.get_by_role("button", name="Förhandsgranska beslut").click()
    w.check("beslut-fel")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.get_by_label("Beviljad tid, minuter per månad").fill("600")
    page.get_by_label("Personlig omsorg").fill("600")
    page.get_by_role("button", name="Förhandsgranska beslut").click()
    w.check("beslut-forhandsgranska")
    visited.append(page.url)
    assert "Beviljas enligt socialtjänstlagen" in page.locator(".letter-preview").inner_text()
    page.get_by_role("button", name="Publicera beslut").click()
    w.check("arende-beslutat")
    assert "är publicerat" in page.locator(".notice").first.inner_text()
    assert re.search(r"Beslut .*\.pdf", page.locator("#dokument-rubrik + table").inner_text())

    # A message with an attachment
    page.get_by_role("link", name="Skriv meddelande").click()
    w.check("meddelande")
    visited.append(page.url)
    page.get_by_label("Välj en fil").set_input_files(a_file(tmp_path))
    page.get_by_role("button", name="Bifoga fil").click()
    w.check("meddelande-bilaga")
    assert "intyg.pdf" in page.locator(".pending-files").inner_text()
    page.get_by_label("Ämne i meddelande").fill("Ditt beslut")
    page.locator("#m-body").fill("Hej! Beslutet finns på Mina sidor.")
    page.get_by_label("Läskvitto").check()
    page.get_by_role("button", name="Skicka").click()
    w.check("arende-meddelande")
    assert "Ditt beslut" in page.locator("#meddelanden-rubrik + table").inner_text()

    # Approving a relative
    page.locator(".action-links").get_by_role("link", name="Godkänna närstående").click()
    w.check("narstaende")
    visited.append(page.url)
    page.get_by_role("link", name="+ Nytt godkännande").click()
    w.check("narstaende-nytt")
    visited.append(page.url)
    assert page.locator("#rel-citizen_pnr").input_value()  # the case's person, carried from the case
    fill_approval(page, surname=surname)
    page.get_by_role("button", name="Klar").click()
    w.check("narstaende-sparad")
    assert "Godkännandet är sparat" in page.locator(".notice").first.inner_text()
    staff_pages_reflow(w, visited)
    w.assert_headers()


def fill_approval(page, citizen_pnr=None, surname="Test", relative=None):
    if citizen_pnr:
        page.get_by_label("Personnummer").first.fill(citizen_pnr)
    page.locator("#rel-citizen_first").fill("Annika")
    page.locator("#rel-citizen_last").fill(surname)
    page.locator("#rel-relative_pnr").fill(relative or new_pnr())
    page.locator("#rel-relative_first").fill("Josefine")
    page.locator("#rel-relative_last").fill("Test")
    page.get_by_label("Brukarens samtycke är inhämtat och registrerat").check()


def test_a_case_worker_decides_activates_messaging_and_approves_a_relative_with_the_keyboard_only(walk, web):
    surname = "Tangentbeslut" + new_pnr()[-4:]
    receipt = a_case(web, surname)
    w = walk(width=1280)
    page = w.page
    log_in_case_worker(w, keyboard=True)
    w.goto(f"/eservices/personal/arenden/{receipt['case_id']}")
    w.check("arende")
    tab_to(page, "a:has-text('Fatta beslut')")
    w.press_and_wait("Enter")
    w.check("beslut")
    tab_to(page, "#decision-hemtjanst-outcome-2")  # a radio group is one tab stop: its checked radio
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.locator("#decision-hemtjanst-outcome-0").is_checked()
    tab_to(page, "#decision-hemtjanst-minutes")
    page.keyboard.type("abc")
    tab_to(page, "button:has-text('Förhandsgranska beslut')")
    w.press_and_wait("Enter")
    w.check("beslut-fel")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.keyboard.press("Tab")  # the summary's first link, then to its field
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "decision-hemtjanst-minutes"
    page.keyboard.press("Control+A")
    page.keyboard.type("480")
    tab_to(page, "button:has-text('Förhandsgranska beslut')")
    w.press_and_wait("Enter")
    w.check("beslut-forhandsgranska")
    assert "8 timmar per månad" in page.locator(".letter-preview").inner_text()
    tab_to(page, "button:has-text('Publicera beslut')")
    w.press_and_wait("Enter")
    w.check("arende-beslutat")
    assert "är publicerat" in page.locator(".notice").first.inner_text()

    # Messaging on, by keyboard: e-mail alerts
    tab_to(page, ".action-links a:has-text('Meddelandefunktion')")
    w.press_and_wait("Enter")
    w.check("meddelandefunktion")
    tab_to(page, "#settings-email_alert")
    page.keyboard.press("Space")
    tab_to(page, "#settings-email")
    page.keyboard.type("kim@example.se")
    tab_to(page, "button:has-text('Klar')")
    w.press_and_wait("Enter")
    w.check("arende-aktiverad")
    assert "Meddelandefunktionen är aktiverad" in page.locator(".notice").first.inner_text()

    # A relative approved, by keyboard
    tab_to(page, ".action-links a:has-text('Godkänna närstående')")
    w.press_and_wait("Enter")
    w.check("narstaende")
    tab_to(page, "a:has-text('Nytt godkännande')")
    w.press_and_wait("Enter")
    w.check("narstaende-nytt")
    for field, value in (("#rel-citizen_first", "Annika"), ("#rel-citizen_last", surname),
                         ("#rel-relative_pnr", new_pnr()), ("#rel-relative_first", "Josefine"),
                         ("#rel-relative_last", "Test")):
        tab_to(page, field)
        page.keyboard.type(value)
    tab_to(page, "#rel-consent")
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('Klar')")
    w.press_and_wait("Enter")
    w.check("narstaende-sparad")
    assert "Godkännandet är sparat" in page.locator(".notice").first.inner_text()


def test_messaging_a_message_with_an_attachment_a_decision_and_a_relative_without_javascript(walk, web, tmp_path):
    surname = "Skriptlos" + new_pnr()[-4:]
    receipt = a_case(web, surname)
    w = walk(width=1280, javascript=False)
    page = w.page
    log_in_case_worker(w)
    w.goto(f"/eservices/personal/arenden/{receipt['case_id']}")
    w.check("arende")
    page.locator(".action-links").get_by_role("link", name="Meddelandefunktion").click()
    w.check("meddelandefunktion")
    page.get_by_label("Avisering via e-post").check()
    page.get_by_role("textbox", name="E-post").fill("noa@example.se")
    page.get_by_role("button", name="Klar").click()
    w.check("arende-aktiverad")
    page.get_by_role("link", name="Skriv meddelande").click()
    w.check("meddelande")
    page.get_by_label("Välj en fil").set_input_files(a_file(tmp_path, "beslut-bilaga.pdf"))
    page.get_by_role("button", name="Bifoga fil").click()
    w.check("meddelande-bilaga")
    assert "beslut-bilaga.pdf" in page.locator(".pending-files").inner_text()
    page.get_by_role("button", name="Skicka").click()  # no subject, no text: errors, the file waits
    w.check("meddelande-fel")
    assert "Skriv ett ämne" in page.locator(".error-summary").inner_text()
    assert "beslut-bilaga.pdf" in page.locator(".pending-files").inner_text()
    page.get_by_label("Ämne i meddelande").fill("Bilaga")
    page.locator("#m-body").fill("Se bilagan.")
    page.get_by_role("button", name="Skicka").click()
    w.check("arende-meddelande")
    assert "Bilaga" in page.locator("#meddelanden-rubrik + table").inner_text()
    page.get_by_role("link", name="Fatta beslut").click()
    w.check("beslut")
    page.get_by_role("radio", name="Avslå").check()
    page.get_by_label("Motivering").fill("Behovet tillgodoses på annat sätt.")
    page.get_by_role("button", name="Förhandsgranska beslut").click()
    w.check("beslut-forhandsgranska")
    assert "Avslås enligt socialtjänstlagen" in page.locator(".letter-preview").inner_text()
    page.get_by_role("button", name="Publicera beslut").click()
    w.check("arende-beslutat")
    assert "Avslag" in page.locator("#beslut-rubrik + table").inner_text()
    page.locator(".action-links").get_by_role("link", name="Godkänna närstående").click()
    w.check("narstaende")
    page.get_by_role("link", name="+ Nytt godkännande").click()
    w.check("narstaende-nytt")
    fill_approval(page, surname=surname)
    page.get_by_role("button", name="Klar").click()
    w.check("narstaende-sparad")
    assert "Josefine Test" in page.locator("table").inner_text()
    w.assert_headers()
