"""GIVEN the local stack, a real Chromium and the month's report built on demand (the nightly
job fired, as ``make fire JOB=reports.nightly MONTH=…``) WHEN the ordering unit (demo Ola Olsson,
bu-ola) logs in for real at /personal by the development broker and opens Uppföljning THEN the
follow-up of the month shows when it was built, each page passes axe-core at WCAG 2.1 AA, and the
section's cookie is its own."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.browser.conftest import api

pytestmark = pytest.mark.browser


def test_the_ordering_unit_logs_in_and_opens_the_months_follow_up(walk, web):
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    status, body = api(web, "POST", f"/dev/schedules/reports.nightly?month={month}")
    assert status == 200, body
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
    assert page.get_by_role("heading", level=1).inner_text() == f"Uppföljning {month}"
    assert "Enligt nattens rapport, byggd" in page.content()
    assert any(c["name"] == "insats_reports" for c in page.context.cookies())
