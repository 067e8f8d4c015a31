"""GIVEN the local stack and a real Chromium WHEN a case worker goes from Att göra through the
inbox (search, filters, sort, paging) to Koppla ansökan — with the mouse, with the keyboard only,
and with JavaScript off — THEN every page passes axe-core at WCAG 2.1 AA, reflows at 200 % zoom of
a 1280 px window, carries the security headers, and the case ends up under the chosen case worker.

Every walk's case worker logs in for real by e-ID: case work → Insats' authorization server → the
development broker's person picker → back, with the mouse, by keyboard only, or with JavaScript
off. The demo has one case worker, Marita, so every walk is hers: each login is its own (a browser
context of its own, its own session at the identity service and in case work; a logout ends that
login only), and each walk finds its own application by its case number, never by being the only
one in "mina". Walk files run in parallel workers, each worker against a stack of its own."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.conftest import api, dev_token
from tests.browser.test_walk import tab_to
from tests.support.people import new_pnr
from tests.support.staff_login import staff_principal

pytestmark = pytest.mark.browser

NEED = "Jag trillar då och då och känner mig otrygg"


MARITA = "Marita Aronsson"  # the demo's one case worker (infra/fixtures/people.json)


def log_in_case_worker(w, *, keyboard: bool = False):
    """Marita logs in for real: case work's login → Insats' authorization server → the development
    e-ID broker's person picker (a plain form: no script needed) → back to Att göra. ``keyboard``:
    by keyboard only (Tab to the picker's radio group, arrow keys to her, Enter on Logga in)."""
    w.goto("/eservices/personal/logga-in")
    w.check("e-legitimation")
    page = w.page
    marita = page.get_by_label(re.compile(MARITA))
    if keyboard:
        tab_to(page, "input[name=person]:checked")  # a radio group is one tab stop: its checked radio
        for _ in range(page.locator("input[name=person]").count()):
            if marita.is_checked():
                break
            page.keyboard.press("ArrowDown")
        assert marita.is_checked()
        tab_to(page, "button:has-text('Logga in')")
        w.press_and_wait("Enter")
    else:
        marita.check()
        with page.expect_navigation():
            page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/eservices/personal/att-gora")  # through the redirects back to case work
    return staff_principal("case_worker", user_id="hl-marita", name=MARITA)


def an_application(base: str, last_name: str) -> dict:
    """A citizen's support application, submitted through the API: its receipt."""
    pnr = new_pnr()
    tok = dev_token(base, role="citizen", personnummer=pnr)
    answers = {"ansokan": {"area": "sol_aldre", "sol_insats": "trygghetslarm", "need": NEED},
               "om_dig": {"personnummer": pnr, "first_name": "Annika", "last_name": last_name, "confirm": True}}
    status, draft = api(base, "POST", "/eservices/drafts", {"form_id": "support-application", "answers": answers}, tok)
    assert status == 201, draft
    assert api(base, "POST", f"/eservices/drafts/{draft['draft_id']}/signature", None, tok)[0] == 201
    from tests.support.local_stack import call

    status, receipt = call(base, "POST", f"/eservices/drafts/{draft['draft_id']}/submit", None, tok, timeout=15,
                           headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, receipt
    return receipt


def staff_pages_reflow(w, urls):
    page = w.page
    for width in (640, 1280):  # 200 % zoom of a 1280 px window, and a desktop
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(url)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (url, width, overflow)
        page.screenshot(path=str(w.folder / f"zz-{width}px-last.png"), full_page=True)


def test_a_case_worker_takes_an_application_in_with_the_mouse(walk, web):
    surname = "Musklick" + new_pnr()[-4:]
    receipt = an_application(web, surname)
    w = walk(width=1280)
    page = w.page
    log_in_case_worker(w)
    visited = []

    w.goto("/eservices/personal")
    w.check("att-gora")
    visited.append(page.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Att göra"
    assert "Inloggad som Marita Aronsson" in page.content()
    assert "Avvikelser i besök" in page.content()
    page.get_by_role("link", name=re.compile("Nya e-ansökningar att koppla")).click()
    w.check("inkorg-nya")
    visited.append(page.url)
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Inskickat den")
    page.locator("th[aria-sort]").get_by_role("link").click()
    w.check("inkorg-aldst-forst")
    assert page.locator("th[aria-sort=ascending]").count() == 1

    # A bad date: the error summary takes focus and links to the field
    page.get_by_label("Inskickat från").fill("igår")
    page.get_by_role("button", name="Visa").click()
    w.check("inkorg-fel")
    assert page.title().startswith("Fel: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "filter-from"
    page.get_by_label("Inskickat från").fill("")

    # Search by name finds the application
    page.get_by_label("Sök personnummer, ärendenummer eller namn").fill(surname)
    page.get_by_role("button", name="Visa").click()
    w.check("inkorg-sok")
    visited.append(page.url)
    assert page.locator("#inkorg tbody tr").count() == 1
    page.get_by_role("link", name=f"Koppla ansökan {receipt['case_number']}").click()
    w.check("koppla")
    visited.append(page.url)
    assert page.get_by_label("Anteckning").input_value() == NEED
    assert NEED in page.locator(".summary-list").inner_text()

    # Nothing chosen: errors, nothing stored
    page.get_by_label("Förenklad handläggning").check()
    page.get_by_role("button", name="Klar").click()
    w.check("koppla-fel")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Skriv organisationen" in page.locator(".error-summary").inner_text()
    page.get_by_label("Organisation").fill("Testenhet")
    page.get_by_label("Aktualiseringssätt").select_option(label="E-ansökan")
    page.get_by_role("button", name="Klar").click()
    w.check("inkorg-handlaggare")
    visited.append(page.url)
    assert "är kopplad till Marita Aronsson" in page.locator(".notice").inner_text()
    assert receipt["case_number"] in page.locator("#inkorg").inner_text()
    staff_pages_reflow(w, visited)
    w.assert_headers()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator(".site-nav").get_by_role("button", name="Logga ut").click()
    w.check("utloggad")
    w.goto("/eservices/personal/att-gora")
    assert "/dev/oidc/authorize" in page.url  # logged out: the e-ID login is asked for again


def test_a_case_worker_takes_an_application_in_with_the_keyboard_only(walk, web):
    receipt = an_application(web, "Tangent" + new_pnr()[-4:])
    w = walk(width=1280, axe=False)
    page = w.page
    log_in_case_worker(w, keyboard=True)
    w.goto("/eservices/personal/inkorg")
    w.check("inkorg")
    tab_to(page, "#filter-q")
    page.keyboard.type(receipt["case_number"])
    w.press_and_wait("Enter")
    w.check("inkorg-sok")
    tab_to(page, f"a:has-text('Koppla')")
    w.press_and_wait("Enter")
    w.check("koppla")
    tab_to(page, "#intake-intake_type-0")  # Ansökan SoL
    page.keyboard.press("Space")
    tab_to(page, "#intake-organisation")
    page.keyboard.type("Testenhet")
    tab_to(page, "button:has-text('Klar')")
    w.press_and_wait("Enter")
    w.check("inkorg-handlaggare")
    assert f"är kopplad till {MARITA}" in page.locator(".notice").inner_text()
    assert receipt["case_number"] in page.locator("#inkorg").inner_text()


def test_a_case_worker_takes_an_application_in_without_javascript(walk, web):
    receipt = an_application(web, "Utanjs" + new_pnr()[-4:])
    w = walk(width=1280, javascript=False)
    page = w.page
    log_in_case_worker(w)
    w.check("att-gora")
    page.get_by_role("link", name="Inkorg").click()
    w.check("inkorg")
    page.get_by_label("Sök personnummer, ärendenummer eller namn").fill(receipt["case_number"])
    page.get_by_label("Status").select_option(label="Ny")
    page.get_by_role("button", name="Visa").click()
    w.check("inkorg-sok")
    assert "status=new" in page.url  # the filter is a GET form: the view has an address
    page.get_by_role("link", name=f"Koppla ansökan {receipt['case_number']}").click()
    w.check("koppla")
    page.get_by_label("Begäran LSS").check()
    page.get_by_label("Organisation").fill("Testenhet")
    page.get_by_role("button", name="Klar").click()
    w.check("koppla-fel")
    assert "Välj Ansökan SoL eller Förenklad handläggning" in page.locator(".error-summary").inner_text() or \
        "LSS-insatser" in page.locator(".error-summary").inner_text()
    page.get_by_label("Ansökan SoL").check()
    page.get_by_role("button", name="Klar").click()
    w.check("inkorg-handlaggare")
    assert receipt["case_number"] in page.locator("#inkorg").inner_text()
    w.assert_headers()
