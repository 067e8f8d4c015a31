"""GIVEN the local stack, a real Chromium and a case a case worker took in and opened through the
API (an audited change and an audited read) WHEN the auditor (demo Lena Lind, audit-lena) logs in
for real by the development broker's person picker and searches Loggkontroll for the case — once
by keyboard only, once with JavaScript off — THEN she lands on the log, the search finds who did
what to the case and why, a bad date gets the error summary, the export is a CSV file, the staff
entry leads on to Inloggningar och konton where her own login is found, and every page passes axe-core at WCAG 2.1 AA (where a script runs it); screenshots kept."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import api, dev_token
from tests.browser.test_staff_case_walk import a_case
from tests.browser.test_walk import tab_to
from tests.support.people import new_pnr

pytestmark = pytest.mark.browser
LENA = "Lena Lind"


def a_read_case(base: str) -> dict:
    """A case taken in by hl-walk (intake.create) and opened by them (case.read), through the API."""
    receipt = a_case(base, "Loggsson" + new_pnr()[-4:])
    tok = dev_token(base, role="case_worker", user_id="hl-walk", name="Marita Aronsson")
    status, body = api(base, "GET", f"/eservices/cases/{receipt['case_id']}", None, tok)
    assert status == 200, body
    return receipt


def log_in_auditor(w, *, keyboard: bool = False) -> None:
    """Lena logs in for real: case work's login → Insats' authorization server → the development
    e-ID broker's person picker (a plain form) → back to the section, where an auditor lands on the log."""
    w.goto("/eservices/personal/logga-in")
    w.check("e-legitimation")
    page = w.page
    lena = page.get_by_label(re.compile(LENA))
    if keyboard:
        tab_to(page, "input[name=person]:checked")  # a radio group is one tab stop: its checked radio
        for _ in range(page.locator("input[name=person]").count()):
            if lena.is_checked():
                break
            page.keyboard.press("ArrowDown")
        assert lena.is_checked()
        tab_to(page, "button:has-text('Logga in')")
        w.press_and_wait("Enter")
    else:
        lena.check()
        with page.expect_navigation():
            page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/eservices/personal/logg")


def found_rows(page) -> list[str]:
    return [t.strip() for t in page.locator("#logg tbody tr").all_inner_texts()]


def test_an_auditor_searches_the_log_by_keyboard_only(walk, web):
    receipt = a_read_case(web)
    w = walk(width=1280)
    page = w.page
    log_in_auditor(w, keyboard=True)
    w.check("loggkontroll")
    assert page.get_by_role("heading", level=1).inner_text() == "Loggkontroll"
    # A bad date first: the error summary takes the focus, its link leads to the field
    tab_to(page, "#filter-case")
    page.keyboard.type(receipt["case_number"])
    tab_to(page, "#filter-from")
    page.keyboard.press("Control+A")
    page.keyboard.type("igår")
    page.keyboard.press("Enter")  # a text field submits its form
    page.wait_for_load_state("load")
    w.check("loggkontroll-fel")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.keyboard.press("Tab")  # the summary's link, then to its field
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "filter-from"
    page.keyboard.press("Control+A")
    page.keyboard.type(page.locator("#filter-to").input_value())
    tab_to(page, "button:has-text('Sök')")
    w.press_and_wait("Enter")
    w.check("loggkontroll-traffar")
    rows = found_rows(page)
    assert any("Kopplade ansökan" in r and "Marita Aronsson" in r and "Ändring" in r for r in rows), rows
    assert any("Öppnade ärendet" in r and "Handläggning av ärende" in r and "Läsning" in r for r in rows), rows
    assert all(f"case:{receipt['case_id']}" in r for r in rows), rows
    # The export link is reached by keyboard and gives the search as a CSV file
    tab_to(page, "a:has-text('Exportera sökningen som CSV')")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    csv_text = open(download.value.path(), encoding="utf-8-sig").read()
    assert csv_text.startswith("at,actor,actor_role") and receipt["case_id"] in csv_text
    # The staff entry leads on to the identity service's own log: her login is in it
    w.goto("/personal")
    w.check("personal-start")
    tab_to(page, "a:has-text('Inloggningar och konton')")
    w.press_and_wait("Enter")
    w.check("inloggningar")
    tab_to(page, "#filter-konto")
    page.keyboard.type("audit-lena")
    w.press_and_wait("Enter")
    w.check("inloggningar-traffar")
    assert any("Inloggning" in r for r in page.locator("#inloggningar tbody tr").all_inner_texts())


def test_an_auditor_searches_the_log_with_javascript_off(walk, web):
    receipt = a_read_case(web)
    w = walk(width=320, javascript=False)
    page = w.page
    log_in_auditor(w)
    w.check("loggkontroll")
    page.get_by_role("textbox", name="Personal (användar-id)").fill("hl-walk")
    page.get_by_role("textbox", name="Ärende (ärendenummer eller id)").fill(receipt["case_number"])
    page.get_by_label("Roll", exact=True).select_option("case_worker")
    with page.expect_navigation():
        page.get_by_role("button", name="Sök").click()
    w.check("loggkontroll-traffar")
    rows = found_rows(page)
    assert len(rows) >= 2 and all("hl-walk" in r for r in rows), rows
    assert "user=hl-walk" in page.url and "role=case_worker" in page.url  # the search has an address
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Exportera sökningen som CSV")).click()
    assert receipt["case_id"] in open(download.value.path(), encoding="utf-8-sig").read()
