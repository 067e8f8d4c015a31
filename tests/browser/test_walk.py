"""GIVEN the local stack and a real Chromium WHEN a contact person submits the monthly report
from the catalogue to the receipt and Mina sidor THEN every page passes axe-core at WCAG 2.1 AA,
reflows at 320 px and at 200 % zoom, carries the security headers, and the same report can be
sent with the keyboard alone and with JavaScript switched off."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

KARI = "Kari Kontakt"
CASE_NUMBER = re.compile(r"\d{4}-\d{6}")


def fill_report_step(page, activities="Bio och fika", performed="Ja, alla"):
    page.locator("#f-rapportering-client_first_name").fill("Kim")
    page.locator("#f-rapportering-client_last_name").fill("Klient")
    page.locator("#f-rapportering-year").fill("2026")
    page.locator("#f-rapportering-month").select_option(label="Oktober")
    page.get_by_label(performed, exact=True).check()


def test_monthly_report_from_catalogue_to_mina_sidor(walk):
    w = walk(width=320)
    page = w.page
    w.goto("/")
    assert page.url.endswith("/eservices/web")  # the gateway's front door leads to the catalogue
    w.check("stod-och-omsorg")
    assert page.get_by_role("heading", level=1).inner_text() == "Stöd och omsorg"
    page.get_by_role("link", name="Skicka in månadsrapport som kontaktperson").click()
    w.check("startsida")
    assert "Rapportering" in page.locator(".plain-steps").inner_text()
    page.get_by_role("button", name="Logga in och starta e-tjänsten").click()
    w.check("e-legitimation")
    page.get_by_label(re.compile(KARI)).check()
    page.get_by_role("button", name="Logga in").click()
    w.check("startsida-inloggad")
    assert "Inloggad som Kari Kontakt" in page.content()
    page.get_by_role("button", name="Starta e-tjänsten").click()
    w.check("steg-1")
    assert page.locator(".step-count").inner_text() == "Steg 1 av 4"
    assert page.locator("[aria-current=step]").inner_text().endswith("Rapportering")
    assert page.locator("label[for=f-rapportering-client_first_name] .required").inner_text() == "*"

    # Nothing filled in: the error summary takes focus, links to each field, and "Fel:" leads the title
    page.get_by_role("button", name="Nästa: Information om dig").click()
    w.check("steg-1-fel")
    assert page.title().startswith("Fel: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = page.locator(".error-summary a")
    assert links.count() >= 5
    assert not page.locator("#f-rapportering-reason").is_visible()  # not asked before the choice
    links.first.click()
    assert page.evaluate("document.activeElement.id") == "f-rapportering-client_first_name"
    assert "Obligatoriskt fält" in page.locator("#f-rapportering-client_first_name-error").inner_text()

    # The conditional questions follow the answer at once with JavaScript
    fill_report_step(page, performed="Nej, men något eller några av dem")
    assert page.locator("#f-rapportering-reason").is_visible()
    page.get_by_label("Vilken/vilka aktiviteter har ni utfört?").fill("Bio")
    page.get_by_label(re.compile("Vad är anledningen")).fill("Sjukdom en vecka")
    page.get_by_label("Ja, alla", exact=True).check()
    assert not page.locator("#f-rapportering-reason").is_visible()
    page.get_by_role("button", name="Nästa: Information om dig").click()
    w.check("steg-2")
    assert page.locator(".step-count").inner_text() == "Steg 2 av 4"
    # Prefilled from the population register, and marked so
    assert page.locator("#f-om_dig-first_name").input_value() == "Kari"
    assert "folkbokföringen" in page.locator("#f-om_dig-first_name-source").inner_text()
    page.get_by_label("E-postadress").fill("kari@example.se")
    page.get_by_label("Jag vill bli notifierad via e-post").check()
    page.get_by_label(re.compile("Genom att skicka in")).check()
    page.get_by_role("button", name="Förhandsgranska").click()
    w.check("forhandsgranska")
    assert page.locator(".step-count").inner_text() == "Steg 3 av 4"
    assert "Bio" in page.locator("#sum-rapportering + dl, section[aria-labelledby=sum-rapportering]").first.inner_text()
    assert "Sjukdom" not in page.content()  # the answer to a question no longer asked is not kept

    # "Ändra" goes to the step and back to the preview
    page.get_by_role("link", name="Ändra rapportering").click()
    w.check("andra-steg-1")
    page.get_by_label("Vilken/vilka aktiviteter har ni utfört?").fill("Bio, fika och promenad")
    page.get_by_role("button", name="Spara och gå till förhandsgranskningen").click()
    page.wait_for_url(re.compile(r"/granska$"))
    page.wait_for_load_state("load")
    assert "promenad" in page.locator("main").inner_text()
    w.check("forhandsgranska-andrad")

    page.get_by_role("button", name="Signera och skicka in").click()
    w.check("kvittens")
    assert page.get_by_role("heading", level=1).inner_text() == "Ditt ärende är nu inskickat"
    number = CASE_NUMBER.search(page.locator(".case-number").inner_text()).group(0)
    assert re.search(r"Inskickat\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page.locator("main").inner_text())
    assert page.get_by_role("button", name="Skriv ut").is_visible()
    pdf = page.request.get(w.base + page.get_by_role("link", name=re.compile("Hämta PDF")).get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    page.emulate_media(media="print")  # the print stylesheet leaves the receipt, not the site's chrome
    assert not page.locator(".site-header").is_visible() and page.locator(".case-number").is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Rapportera för en till person").click()
    w.check("en-till-person")
    assert page.locator(".step-count").inner_text() == "Steg 1 av 4"
    assert page.locator("#f-rapportering-client_first_name").input_value() == ""
    page.get_by_role("button", name="Spara", exact=True).click()
    assert "sparade" in page.locator(".notice").inner_text()

    page.get_by_role("navigation").get_by_role("link", name="Mina sidor").click()
    w.check("mina-sidor")
    main = page.locator("main").inner_text()
    assert "Ej inskickade" in main and "Skicka in månadsrapport som kontaktperson" in main
    assert number in main
    # the case (under "Inskickade"), not the e-service itself (under "Ditt uppdrag som kontaktperson")
    page.locator("a[href*='/mina-sidor/arenden/']").filter(
        has_text="Skicka in månadsrapport som kontaktperson").first.click()
    w.check("arende")
    assert number in page.locator("main").inner_text()
    assert "Inskickad" in page.locator(".timeline").inner_text()
    page.get_by_role("navigation").get_by_role("link", name="Mina sidor").click()
    page.get_by_role("link", name="Fortsätt med Skicka in månadsrapport som kontaktperson").first.click()
    page.wait_for_url(re.compile("/steg/rapportering$"))  # a draft resumes where something is missing
    page.get_by_role("navigation").get_by_role("link", name="Mina sidor").click()
    page.get_by_role("link", name=re.compile("^Ta bort")).first.click()
    w.check("ta-bort-utkast")
    page.get_by_role("button", name="Ja, ta bort utkastet").click()
    assert "borttaget" in page.locator(".notice").inner_text()
    page.get_by_role("link", name="Mina uppgifter och notifieringar").click()
    w.check("mina-uppgifter")
    assert "kari@example.se" == page.get_by_label("E-postadress").input_value()  # kept from the report
    w.goto("/eservices/web/tillganglighet")
    w.check("tillganglighetsredogorelse")

    # The same pages at 200 % zoom of a 1280 px window, and on a desktop
    for width in (640, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for url in dict.fromkeys(u for u in w.visited if "/kvittens" not in u or width == 640):
            page.goto(url)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (url, width, overflow)
        page.screenshot(path=str(w.folder / f"zz-{width}px-last.png"), full_page=True)
    w.assert_headers()

    page.set_viewport_size({"width": 320, "height": 800})
    page.locator(".site-nav").get_by_role("button", name="Logga ut").click()
    w.check("utloggad")
    assert "Du är nu utloggad" in page.content()
    w.goto("/eservices/web/mina-sidor")
    assert "/dev/oidc/authorize" in page.url  # logged out: Mina sidor asks for e-ID again


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Presses Tab until the element is focused: how a keyboard user moves on."""
    target = page.locator(selector).first
    target.wait_for(state="attached")
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_monthly_report_with_the_keyboard_only(walk):
    w = walk(width=1280, axe=False)
    page = w.page
    w.goto("/eservices/web")
    tab_to(page, "a.skip-link")
    assert page.locator("a.skip-link").is_visible()  # the skip link shows when focused
    tab_to(page, "text=Skicka in månadsrapport som kontaktperson")
    w.press_and_wait("Enter")
    tab_to(page, "a.button.start")
    w.press_and_wait("Enter")
    tab_to(page, "input[name=person]:checked")  # Tab enters a radio group at its checked radio
    for _ in range(10):  # arrows move the choice inside the group
        if "Kari Kontakt" in page.evaluate("document.querySelector('label[for=' + document.activeElement.id + ']').textContent"):
            break
        page.keyboard.press("ArrowDown")
    assert page.locator("input[name=person]:checked + label").inner_text().startswith("Kari Kontakt")
    tab_to(page, "button:has-text('Logga in')")
    w.press_and_wait("Enter")
    tab_to(page, "button:has-text('Starta e-tjänsten')")
    w.press_and_wait("Enter")
    page.wait_for_url(re.compile("/steg/rapportering"))
    for selector, text in (("#f-rapportering-client_first_name", "Kim"), ("#f-rapportering-client_last_name", "Klient"),
                           ("#f-rapportering-year", "2026")):
        tab_to(page, selector)
        page.keyboard.type(text)
    tab_to(page, "#f-rapportering-month")
    page.keyboard.type("Oktober")
    tab_to(page, "#f-rapportering-performed_all")
    page.keyboard.press("Space")
    tab_to(page, "#f-rapportering-activities")
    page.keyboard.type("Schack och fika")
    tab_to(page, "button.button:has-text('Nästa')")
    w.press_and_wait("Enter")
    page.wait_for_url(re.compile("/steg/om_dig"))
    tab_to(page, "#f-om_dig-confirm")
    page.keyboard.press("Space")
    tab_to(page, "button.button:has-text('Förhandsgranska')")
    w.press_and_wait("Enter")
    page.wait_for_url(re.compile("/granska"))
    assert "Oktober" in page.content() and "Schack och fika" in page.content()
    tab_to(page, "button:has-text('Signera och skicka in')")
    w.press_and_wait("Enter")
    page.wait_for_url(re.compile("/kvittens"))
    assert page.get_by_role("heading", level=1).inner_text() == "Ditt ärende är nu inskickat"
    page.screenshot(path=str(w.folder / "kvittens.png"), full_page=True)


def test_monthly_report_and_time_report_without_javascript(walk):
    w = walk(width=320, javascript=False)
    page = w.page
    w.login(KARI, "/eservices/web/tjanster/contact-monthly-report")
    page.get_by_role("button", name="Starta e-tjänsten").click()
    w.check("steg-1")
    fill_report_step(page, performed="Nej")
    assert not page.locator("#f-rapportering-reason").is_visible()
    page.get_by_role("button", name="Nästa: Information om dig").click()
    # Without JavaScript the question that now applies appears after "Nästa", without an error
    w.check("steg-1-ny-fraga")
    assert page.locator("#f-rapportering-reason").is_visible()
    assert not page.locator("#f-rapportering-activities").is_visible()  # not asked when the answer is "Nej"
    assert "Svara också på frågan" in page.locator(".notice").inner_text()
    assert page.locator(".error-summary").count() == 0
    page.get_by_label(re.compile("Vad är anledningen")).fill("Brukaren var bortrest")
    page.get_by_role("button", name="Nästa: Information om dig").click()
    w.check("steg-2")
    page.get_by_label(re.compile("Genom att skicka in")).check()
    page.get_by_role("button", name="Förhandsgranska").click()
    w.check("forhandsgranska")
    page.get_by_role("button", name="Signera och skicka in").click()
    w.check("kvittens")
    assert page.get_by_role("heading", level=1).inner_text() == "Ditt ärende är nu inskickat"
    assert page.locator("[data-print-fallback]").is_visible()  # no script: the print hint instead

    # Row fields: "Lägg till rad" and "Ta bort rad" as ordinary posts, the server sums the km
    w.goto("/eservices/web/tjanster/contact-time-report")
    page.get_by_role("button", name="Starta e-tjänsten").click()
    w.check("tidrapport")
    page.get_by_label("Kontaktperson", exact=True).check()
    page.locator("#f-tidrapport-client_first_name").fill("Kim")
    page.locator("#f-tidrapport-client_last_name").fill("Klient")
    page.locator("#f-tidrapport-year").fill("2026")
    page.locator("#f-tidrapport-month").select_option(label="Oktober")
    page.get_by_role("button", name="Lägg till rad i datum och aktivitet").click()
    w.check("tidrapport-rad")
    assert page.evaluate("document.activeElement.id") == "f-tidrapport-activities-0-date"
    page.locator("#f-tidrapport-activities-0-date").fill("2026-10-03")
    page.locator("#f-tidrapport-activities-0-activity").fill("Bio")
    page.locator("#f-tidrapport-activities-0-hours").fill("2,5")
    for i, km in enumerate(("12,5", "7", "30")):
        page.get_by_role("button", name="Lägg till rad i reseersättning").click()
        page.locator(f"#f-tidrapport-travel-{i}-date").fill("2026-10-03")
        page.locator(f"#f-tidrapport-travel-{i}-from_place").fill("Hemma")
        page.locator(f"#f-tidrapport-travel-{i}-to_place").fill("Bion")
        page.locator(f"#f-tidrapport-travel-{i}-km").fill(km)
    page.get_by_role("button", name="Ta bort rad 3 i reseersättning").click()
    w.check("tidrapport-borttagen-rad")
    assert page.locator("#f-tidrapport-travel-2-km").count() == 0
    assert "Summa kilometer: 19,5" in page.locator("main").inner_text()
    page.get_by_role("button", name="Nästa: Information om dig").click()
    page.get_by_label(re.compile("Genom att skicka in")).check()
    page.get_by_role("button", name="Förhandsgranska").click()
    w.check("tidrapport-forhandsgranska")
    text = page.locator("main").inner_text()
    assert "Summa kilometer" in text and "19,5" in text and "Milersättning" in text
    page.get_by_role("button", name="Signera och skicka in").click()
    w.check("tidrapport-kvittens")
    assert page.get_by_role("heading", level=1).inner_text() == "Ditt ärende är nu inskickat"
    w.assert_headers()


def test_the_session_warns_before_it_ends_and_the_person_can_continue(walk):
    """GIVEN a page with a half-filled step WHEN the idle time is nearly over THEN a dialog says so
    and "Fortsätt vara inloggad" keeps the session without leaving the page; at the end what was
    typed is saved."""
    w = walk(width=320)
    page = w.page
    w.login(KARI, "/eservices/web/tjanster/contact-monthly-report")
    page.clock.install()
    page.get_by_role("button", name="Starta e-tjänsten").click()
    page.wait_for_url(re.compile("/steg/rapportering"))
    page.locator("#f-rapportering-client_first_name").fill("Halvvägs")
    assert not page.locator("#timeout-dialog").is_visible()
    page.clock.run_for("25:30")  # five minutes before the 30-minute idle end
    dialog = page.get_by_role("alertdialog", name="Du loggas snart ut")
    assert dialog.is_visible()
    w.check("varning-utloggning")
    assert page.evaluate("document.activeElement.textContent") == "Fortsätt vara inloggad"
    page.get_by_role("button", name="Fortsätt vara inloggad").click()
    dialog.wait_for(state="hidden")
    assert page.locator("#f-rapportering-client_first_name").input_value() == "Halvvägs"  # still on the page
    with page.expect_navigation():
        page.clock.run_for("31:00")  # the end: the step is saved before the page leaves
    page.wait_for_load_state("load")
    assert "Dina svar är sparade" in page.locator(".notice").inner_text()
    assert page.locator("#f-rapportering-client_first_name").input_value() == "Halvvägs"
