"""GIVEN the local stack and a real Chromium WHEN an administrator logs in at /personal by e-ID (the
development broker's page) THEN Personalkonton lists the accounts it keeps, adds one through the
check-answers step, extends it and ends it — every page axe-clean (WCAG 2.1 AA); once with the
mouse as Omsorg AB's administrator, once by keyboard only as the municipality's."""
from __future__ import annotations

import re

import pytest

from tests.support.people import new_pnr

pytestmark = pytest.mark.browser


def _never_cached(w) -> None:
    """The directory's pages carry personal data: never cached, framed or scripted inline."""
    pages = [r for r in w.documents if "/personal/konton" in r.url and r.status not in (301, 302, 303)]
    assert pages
    for r in pages:
        assert r.headers.get("cache-control") == "no-store", r.url
        assert "frame-ancestors 'none'" in r.headers.get("content-security-policy", ""), r.url
    assert w.csp_errors == []


def test_omsorg_abs_administrator_adds_extends_and_ends_an_account(walk):
    w = walk(width=1280)
    page = w.page
    # a bookmark of the list while logged out: the e-ID login, then the list itself
    w.goto("/personal/konton")
    page.get_by_label(re.compile("Oskar Ek")).check()
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    w.check("konton")
    assert page.url.endswith("/personal/konton")
    assert page.get_by_role("heading", level=1).inner_text() == "Personalkonton"
    page.get_by_role("main").get_by_role("link", name="Lägg till konto").last.click()
    w.check("nytt-konto")
    # an empty form: the error summary takes focus, each field says what is wrong
    page.get_by_role("button", name="Fortsätt").click()
    w.check("nytt-konto-fel")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    name = "Webb Walker"
    page.get_by_label(re.compile("^Personnummer")).fill(new_pnr(1991))
    page.get_by_label(re.compile("^Namn")).fill(name)
    page.get_by_label("Omsorgspersonal").check()
    page.get_by_role("button", name="Fortsätt").click()
    w.check("kontrollera")
    assert page.get_by_role("heading", level=1).inner_text() == "Kontrollera uppgifterna"
    page.get_by_role("button", name="Lägg till kontot").click()
    w.check("kontot")
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert "Kontot lades till" in page.content()
    page.get_by_role("button", name="Förläng kontot").click()
    w.check("forlangt")
    assert "Kontot är förlängt" in page.content()
    page.get_by_role("link", name="Avsluta kontot").click()
    w.check("avsluta")
    page.get_by_label(re.compile("Varför avslutas kontot")).fill("Anställningen upphörde")
    page.get_by_role("button", name="Ja, avsluta kontot").click()
    w.check("avslutat")
    assert "Kontot avslutades: Anställningen upphörde" in page.content()
    _never_cached(w)


def test_the_municipal_administrator_by_keyboard_only(walk):
    w = walk(width=1280)
    page = w.page
    kb = page.keyboard

    def press(locator, key="Enter"):
        locator.focus()
        kb.press(key)
        page.wait_for_load_state()

    def type_into(locator, value):
        locator.focus()
        kb.type(value)

    w.goto("/personal/logga-in")
    press(page.get_by_label(re.compile("Kim Karlsson")), "Space")
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("button", name="Logga in"))
    w.check("personal-start")
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("link", name="Personalkonton"))
    w.check("konton")
    press(page.get_by_label("Upphör inom 30 dagar"), "Space")
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("button", name="Visa"))
    w.check("konton-upphor")
    assert "upphor=30" in page.url
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("navigation", name="Personalkonton").get_by_role("link", name="Lägg till konto"))
    w.check("nytt-konto")
    type_into(page.get_by_label(re.compile("^Personnummer")), new_pnr(1992))
    type_into(page.get_by_label(re.compile("^Namn")), "Tangent Bordsson")
    type_into(page.get_by_label(re.compile("^Organisation")), "Bist")  # a closed select's type-ahead
    assert page.get_by_label(re.compile("^Organisation")).evaluate("s => s.selectedOptions[0].text") == "Biståndsenheten"
    press(page.get_by_label("Handläggare", exact=True), "Space")
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("button", name="Fortsätt"))
    w.check("kontrollera")
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("button", name="Lägg till kontot"))
    w.check("kontot")
    assert page.get_by_role("heading", level=1).inner_text() == "Tangent Bordsson"
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("button", name="Förläng kontot"))
    w.check("forlangt")
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("link", name="Avsluta kontot"))
    w.check("avsluta")
    type_into(page.get_by_label(re.compile("Varför avslutas kontot")), "Bytt tjänst")
    with page.expect_navigation():  # the key posts a form or follows a link: wait for the next page
        press(page.get_by_role("button", name="Ja, avsluta kontot"))
    w.check("avslutat")
    assert "Kontot avslutades: Bytt tjänst" in page.content()
    _never_cached(w)
