"""GIVEN the local stack and a real Chromium WHEN staff log in at /personal by e-ID (the development
broker's page: a demo staff member and the assurance level) THEN the start page names the role,
organisation and the account's end, case work lets the case worker in without a second e-ID login,
and a too weak e-ID is refused with what to do — every page axe-clean, by keyboard as by mouse."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_a_case_worker_logs_in_at_personal_and_reaches_case_work(walk):
    w = walk(width=1280)
    page = w.page
    w.goto("/personal")
    w.check("personal-login")
    assert page.get_by_role("heading", level=1).inner_text() == "Logga in för personal"
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    w.check("broker")
    page.get_by_label(re.compile("Marita Aronsson")).check()
    page.get_by_role("button", name="Logga in").click()
    w.check("personal-start")
    content = page.content()
    assert "Handläggare" in content and "Biståndsenheten" in content and "Kontot gäller till och med" in content
    page.get_by_role("link", name="Handläggning").click()
    w.check("att-gora")
    assert page.url.endswith("/eservices/personal/att-gora")
    assert page.get_by_role("heading", level=1).inner_text() == "Att göra"


def test_a_weak_e_id_is_refused_with_what_to_do_by_keyboard_only(walk):
    w = walk(width=1280)
    page = w.page
    w.goto("/personal/logga-in")
    w.check("broker")
    page.get_by_label(re.compile("Marita Aronsson")).focus()
    page.keyboard.press("Space")
    page.get_by_label(re.compile("enkel", re.I)).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Logga in").focus()
    with page.expect_navigation():  # Enter posts the form: wait for the answer before checking it
        page.keyboard.press("Enter")
    w.check("refused")
    assert "Du kunde inte loggas in" in page.content() and "tvåfaktor" in page.content()
