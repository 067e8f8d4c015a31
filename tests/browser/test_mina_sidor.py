"""GIVEN the local stack WHEN a citizen applies for support, a case worker (through the API) takes
the case in, decides and writes, THEN the citizen follows it on Mina sidor: status history, the
decision and its letter, messages read and answered with read receipts; an approved relative
acts for the citizen and sees only what the approval allows; a person with protected identity
never sees an address. Every page passes axe-core at WCAG 2.1 AA at 320 px."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import api, dev_token

pytestmark = pytest.mark.browser

MARKUP = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def apply_for_home_care(w, need: str) -> str:
    page = w.page
    w.goto("/eservices/web/tjanster/support-application")
    page.get_by_role("button", name="Starta e-tjänsten").click()
    w.check("ansokan")
    page.get_by_label("Stöd till äldre enligt socialtjänstlagen (SoL)").check()
    page.get_by_label("Hemtjänst insatser").check()  # appears once the law is chosen
    page.get_by_label("Beskriv ditt behov och vilket stöd du vill ha").fill(need)
    page.get_by_role("button", name="Nästa: Information om dig").click()
    w.check("ansokan-om-dig")
    page.get_by_label(re.compile("Genom att skicka in")).check()
    page.get_by_role("button", name="Förhandsgranska").click()
    w.check("ansokan-forhandsgranska")
    page.get_by_role("button", name="Signera och skicka in").click()
    w.check("ansokan-kvittens")
    return re.search(r"/arenden/([^/]+)/kvittens", page.url).group(1)


def test_citizen_follows_the_case_reads_and_answers_messages_and_a_relative_acts_for_her(walk, web):
    w = walk(width=320)
    page = w.page
    w.login("Annika Test", "/eservices/web/tjanster/support-application")
    w.check("startsida")
    case_id = apply_for_home_care(w, "Hjälp med städning och inköp " + MARKUP)
    assert "Storgatan 1" in page.locator("details").text_content()  # her own address, from the register

    # The case worker's side, through the API
    cw = dev_token(web, role="case_worker", user_id="hl-web", name="Marita Aronsson")
    intake = {"intake_type": "ansokan_sol", "organisation": "Äldreomsorg", "from_whom": "den_enskilde",
              "channel": "e_ansokan", "note": "Via webben"}
    assert api(web, "POST", f"/eservices/cases/{case_id}/intake", intake, cw)[0] == 200
    today = date.today()
    decision = {"insats": "hemtjanst", "outcome": "granted", "granted_minutes_per_month": 600,
                "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=180)).isoformat(),
                "motivation": "Behov av stöd med städning"}
    status, body = api(web, "POST", f"/eservices/cases/{case_id}/decisions", {"decisions": [decision]}, cw)
    assert status == 201, body
    settings = {"citizen": "196004042047", "first_name": "Annika", "last_name": "Test", "enabled": True}
    assert api(web, "PUT", "/eservices/messaging/settings", settings, cw)[0] == 200
    status, thread = api(web, "POST", "/eservices/messages", {
        "citizen": "196004042047", "subject": "Om ditt beslut", "body": "Hej Annika! Ring mig om du har frågor.",
        "read_receipt": True, "case_id": case_id}, cw)
    assert status == 201, thread

    w.goto("/eservices/web/mina-sidor")
    w.check("mina-sidor")
    assert "1 olästa" in page.locator("main").inner_text()
    finished = page.locator("h2:has-text('Avslutade ärenden') + ul").inner_text()
    assert "Beslutad" in finished
    page.locator(f"a[href$='/arenden/{case_id}']").click()
    w.check("arende")
    main = page.locator("main").inner_text()
    for expected in ("Inskickad", "Mottagen", "Beslutad", "Beviljad", "10 timmar"):
        assert expected in main, expected
    letter = page.get_by_role("link", name=re.compile("Hämta beslutsbrevet"))
    got = page.request.get(w.base + letter.get_attribute("href"))
    assert got.ok and got.body().startswith(b"%PDF")

    page.get_by_role("link", name="Om ditt beslut").click()
    w.check("meddelande")
    assert "Ring mig om du har frågor" in page.locator("main").inner_text()
    status, staff_view = api(web, "GET", f"/eservices/messages/threads/{thread['thread_id']}", None, cw)
    assert staff_view["messages"][0]["read_at"], "the case worker's read receipt"
    page.get_by_role("button", name="Skicka svar").click()  # empty: an error in Swedish
    w.check("meddelande-fel")
    assert page.title().startswith("Fel: ") and "Skriv ett meddelande" in page.locator(".error-summary").inner_text()
    page.get_by_label(re.compile("^Meddelande")).fill("Tack! " + MARKUP)
    page.get_by_label(re.compile("läskvitto")).check()
    page.get_by_role("button", name="Skicka svar").click()
    w.check("meddelande-skickat")
    assert "Inte läst än" in page.locator("main").inner_text()
    assert "<img src=x" in page.locator(".message-body").last.inner_text()  # shown as text, inert
    assert page.locator(".message img").count() == 0
    # Attachments: at most 5 files of at most 16 MB, refused in Swedish before anything is sent
    files = page.locator("#m-files")
    page.get_by_label(re.compile("^Meddelande")).fill("Här är intyget")
    files.set_input_files([{"name": f"f{i}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}
                           for i in range(6)])
    page.get_by_role("button", name="Skicka svar").click()
    assert "högst 5 filer" in page.locator("#m-files-error").inner_text()
    files.set_input_files([{"name": "stor.pdf", "mimeType": "application/pdf",
                            "buffer": b"%PDF" + b"0" * (16 * 1024 * 1024 + 1)}], timeout=60_000)
    page.get_by_role("button", name="Skicka svar").click()
    assert "större än 16 MB" in page.locator("#m-files-error").inner_text()
    w.check("bilaga-for-stor")
    files.set_input_files([{"name": "intyg.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 intyg"}])
    page.get_by_role("button", name="Skicka svar").click()
    page.wait_for_load_state("load")
    attachment = page.get_by_role("link", name="Bilaga: intyg.pdf")
    attachment.wait_for()
    w.check("bilaga-skickad")
    got = page.request.get(w.base + attachment.get_attribute("href"))
    assert got.ok and got.body() == b"%PDF-1.4 intyg"
    status, staff_view = api(web, "GET", f"/eservices/messages/threads/{thread['thread_id']}", None, cw)
    assert [a["filename"] for a in staff_view["messages"][-1]["attachments"]] == ["intyg.pdf"]
    api(web, "GET", f"/eservices/messages/threads/{thread['thread_id']}", None, cw)  # the case worker reads it
    page.reload()
    w.check("meddelande-last")
    assert "Läst av handläggaren" in page.locator("main").inner_text()
    assert w.dialogs == []  # no markup ever ran
    w.assert_headers()

    # An approved relative picks whom to act for, and sees only what the approval allows
    r = walk(width=320)
    r.login("Josefine Test")
    r.check("narstaende-mina-sidor")
    assert case_id not in r.page.content()
    r.page.get_by_role("link", name="Välj vem du företräder").click()
    r.check("valj-vem")
    r.page.get_by_label("Annika Test").check()
    r.page.get_by_role("button", name="Fortsätt").click()
    r.check("foretrader-annika")
    assert "Du företräder Annika Test" in r.page.locator(".session-bar").inner_text()
    assert r.page.locator(f"a[href$='/arenden/{case_id}']").count() == 1
    r.page.locator(f"a[href$='/arenden/{case_id}']").click()
    r.check("annikas-arende")
    assert "Beviljad" in r.page.locator("main").inner_text()
    # An application is made by the person who will receive the support, never by a relative
    r.goto("/eservices/web/tjanster/support-application")
    r.check("narstaende-far-inte-ansoka")
    assert "görs av den som ska ha stödet" in r.page.locator(".notice").inner_text()
    assert r.page.get_by_role("button", name="Starta e-tjänsten").count() == 0
    r.goto("/eservices/web/mina-sidor/fora-talan")
    r.page.get_by_label(re.compile("Mig själv")).check()
    r.page.get_by_role("button", name="Fortsätt").click()
    assert r.page.locator(f"a[href$='/arenden/{case_id}']").count() == 0
    r.assert_headers()


def test_protected_identity_never_shows_an_address(walk):
    w = walk(width=320)
    page = w.page
    w.login("Sam Skyddad", "/eservices/web/tjanster/support-application")
    page.get_by_role("button", name="Starta e-tjänsten").click()
    w.check("ansokan")
    page.get_by_label("Stöd enligt LSS").check()
    page.get_by_label(re.compile(r"Ledsagarservice")).check()
    page.get_by_label("Beskriv ditt behov och vilket stöd du vill ha").fill("Ledsagning till aktiviteter")
    page.get_by_role("button", name="Nästa: Information om dig").click()
    w.check("om-dig")
    main = page.locator("main").inner_text()
    assert "skyddade personuppgifter" in main and "Hemlig" not in main and "Gatuadress" not in main
    page.get_by_label(re.compile("Genom att skicka in")).check()
    page.get_by_role("button", name="Förhandsgranska").click()
    w.check("forhandsgranska")
    assert "Hemlig" not in page.content() and "Gatuadress" not in page.content()
    page.get_by_role("button", name="Signera och skicka in").click()
    w.check("kvittens")
    page.get_by_text("Visa detaljer").click()
    assert "Hemlig" not in page.content()
    w.goto("/eservices/web/mina-sidor/uppgifter")
    w.check("mina-uppgifter")
    assert "Adressen visas inte" in page.locator("main").inner_text() and "Hemlig" not in page.content()
    w.assert_headers()
