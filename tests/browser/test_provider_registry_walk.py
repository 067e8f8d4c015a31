"""GIVEN the local stack and a real Chromium WHEN the demo coordinator Cilla Carlsson (Omsorg AB) logs
in for real through Insats' authorization server and the development e-ID broker, registers a
client's hospital stay on Frånvaro (first with a mistake), sees it listed with its compensation, and
opens its "Avsluta" page, Taggar och lås with the demo tag's page and Mina registreringar THEN every page passes axe-core at WCAG 2.1 AA, carries
the security headers, and the absence is listed, its personnummer masked."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.people import new_pnr

pytestmark = pytest.mark.browser


def test_a_coordinator_registers_an_absence_and_opens_the_registry(walk, web):
    w = walk(width=1280)
    page = w.page
    # Cilla logs in for real: the page asks for a login, the broker's page, back to Frånvaro
    w.goto("/visits/personal/franvaro")
    w.check("e-legitimation")
    page.get_by_label(re.compile("Cilla Carlsson")).check()
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/visits/personal/franvaro")
    w.check("franvaro")
    assert page.get_by_role("heading", level=1).inner_text() == "Frånvaro"

    page.get_by_role("link", name="Registrera frånvaro").click()
    w.check("registrera")
    pnr = new_pnr(1936)
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    page.get_by_label("Klientens personnummer").fill(pnr)
    page.get_by_label("Sjukhusvistelse").check()
    page.get_by_label("Första frånvarodag").fill(yesterday)
    page.get_by_label("När fick ni veta om frånvaron?").fill("i går")  # a mistake: no date and time
    page.get_by_role("button", name="Registrera frånvaro").click()
    w.check("registrera-fel")
    assert "Det finns problem att rätta" in page.content()
    page.get_by_label("När fick ni veta om frånvaron?").fill(f"{yesterday} 08:30")
    page.get_by_role("button", name="Registrera frånvaro").click()
    page.wait_for_url("**/visits/personal/franvaro")
    w.check("registrerad")
    table = page.locator("#franvaro").inner_text()
    assert "Frånvaron är registrerad." in page.content()
    assert pnr[:8] + "-****" in table and "Sjukhusvistelse" in table and pnr not in page.content()

    page.locator("#franvaro tbody tr").filter(has_text=pnr[:8]).get_by_role("link", name=re.compile("Avsluta")).click()
    w.check("avsluta")
    assert page.get_by_role("heading", level=1).inner_text() == "Avsluta frånvaro"

    page.get_by_role("link", name="Taggar och lås").click()
    w.check("taggar-och-las")
    assert page.get_by_role("heading", level=1).inner_text() == "Taggar och lås"
    page.get_by_role("link", name="TAG-DEMO-MARITA").click()  # the demo data's tag (infra/fixtures/people.json)
    w.check("tagg")
    assert "Fel med enheten" in page.content() and "194103" in page.content()

    w.goto("/visits/personal/mina-registreringar")
    w.check("mina-registreringar")
    assert page.get_by_role("heading", level=1).inner_text() == "Mina registreringar"
    w.assert_headers()
