"""GIVEN the local stack, a real Chromium, a visit receipted by hand yesterday morning at a provider
(through the visits API, as the staff app sends it: its manual-receipt deviation waits for a
decision) and the month's report built on demand (the nightly job fired, as ``make fire
JOB=reports.nightly MONTH=…``) WHEN the ordering unit (demo Ola Olsson, bu-ola) logs in for real at
/personal by the development broker, opens Uppföljning for the visit's month, clicks the provider's
manual-receipt figure, then the visit behind it, then Trend and Tidiga varningar THEN the follow-up
shows when it was built, the figure leads to that one visit and the visit's page to what reports know
of it, every page passes axe-core at WCAG 2.1 AA (screenshots kept), and the section's cookie is its own."""
from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

from services.domain.calendar import STOCKHOLM
from tests.browser.conftest import api, dev_token
from tests.browser.test_visits_deviations_walk import a_waiting_visit

pytestmark = pytest.mark.browser


def the_month_built_with(web: str, provider: str, month: str) -> None:
    """Fires the nightly build until the report holds the provider's visit (the stack's queue pump
    brings the visits' events to reports in its own time)."""
    token = dev_token(web, role="ordering_unit", user_id="bu-ola")
    for _ in range(20):
        status, body = api(web, "POST", f"/dev/schedules/reports.nightly?month={month}")
        assert status == 200, body
        status, report = api(web, "GET", f"/reports/reports?month={month}&provider_id={provider}", None, token)
        if status == 200 and any(p.get("deviations", {}).get("manual_receipt") for p in report.get("providers", [])):
            return
        time.sleep(0.5)
    raise AssertionError(f"the visit never reached the month's report: {status} {report}")


def test_the_ordering_unit_follows_a_deviation_down_to_its_visit(walk, web):
    pnr, visit_id = a_waiting_visit(web, "hl-walk")
    status, visit = api(web, "GET", f"/visits/visits/{visit_id}", None,
                        dev_token(web, role="ordering_unit", user_id="bu-ola"))
    assert status == 200, visit
    provider = visit["provider_id"]
    month = datetime.fromisoformat(visit["started_at"]).astimezone(STOCKHOLM).strftime("%Y-%m")
    the_month_built_with(web, provider, month)

    w = walk(width=1280)
    page = w.page
    w.goto("/personal/logga-in")
    w.check("broker")
    page.get_by_label(re.compile("Ola Olsson")).check()
    page.get_by_role("button", name="Logga in").click()
    w.check("personal-start")
    page.get_by_role("link", name="Uppföljning").click()
    w.check("uppfoljning")
    assert page.url.endswith("/reports/personal/uppfoljning")
    page.get_by_label("Månad (ÅÅÅÅ-MM)").fill(month)
    page.get_by_role("button", name="Visa månaden").click()
    w.check("uppfoljning-manad")
    assert page.get_by_role("heading", level=1).inner_text() == f"Uppföljning {month}"
    assert "Enligt nattens rapport, byggd" in page.content()
    assert any(c["name"] == "insats_reports" for c in page.context.cookies())

    # the deviation figure (Avvikelser: Manuell kvittering, the provider's column) → the visits behind it
    page.locator(f'#avvikelser ~ div a[href*="utforare={provider}"][href*="avvikelse=manual_receipt"]').first.click()
    w.check("besok-bakom-avvikelse")
    assert "1 besök med manuell kvittering" in page.locator("caption").first.inner_text()
    assert pnr not in page.url and pnr not in page.content()
    page.locator(f'a[href*="/besok/"][href*="{visit_id}"]').click()
    w.check("ett-besok")
    assert pnr not in page.url
    assert page.get_by_role("heading", level=1).inner_text().startswith("Besök ")
    assert "Manuell kvittering" in page.content() and "Väntar på beslut" in page.content()

    page.get_by_role("link", name="Trend").click()
    w.check("trend")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Trend tolv månader till")
    page.get_by_role("link", name="Tidiga varningar").click()
    w.check("tidiga-varningar")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Tidiga varningar")
