"""GIVEN the local stack and a real Chromium, and a case worker's client whose manually receipted visit
waits for the case worker WHEN the case worker opens Avvikelser i besök in the visits section, sends
"Godkänn markerade" with nothing marked, then marks the visit and approves it with a reason — with the
mouse, and with JavaScript off — THEN every page passes axe-core at WCAG 2.1 AA (with JavaScript), carries
the security headers, and the deviation is approved.

The case worker is logged in by putting a session into the stack's visits table
(``tests/support/staff_login.py`` ``stack_visits_cookie``); the real login is
``tests/integration/visits/test_deviations_login_walk.py``."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from tests.browser.conftest import STACKS, api, dev_token
from tests.support.people import new_pnr
from tests.support.staff_login import stack_visits_cookie, staff_principal

pytestmark = pytest.mark.browser


def a_waiting_visit(base: str, case_worker_id: str) -> tuple[str, str]:
    """A client of ``case_worker_id`` with one manually receipted visit yesterday morning: (client, visit id)."""
    from services.visits.adapters.devices import DynamoDevices
    from services.visits.adapters.grants import DynamoGrants
    from services.visits.adapters.staff import DynamoStaffRegistry
    from services.visits.domain.model import Device
    from tests.support.stack import REGION

    stack = STACKS[base]
    table = boto3.resource("dynamodb", endpoint_url=f"http://127.0.0.1:{stack.moto_port}", region_name=REGION,
                           aws_access_key_id="testing", aws_secret_access_key="testing").Table("insats-visits")
    provider, staff, pnr, tag = f"prov-{uuid.uuid4().hex[:6]}", "anna", new_pnr(1934), f"TAG-{uuid.uuid4().hex[:8]}"
    now = datetime.now(timezone.utc)
    DynamoStaffRegistry(table).add_staff(provider, staff)
    DynamoDevices(table).put_device(Device(device_id=tag, kind="nfc", provider_id=provider, client=pnr, status="bound",
                                           ordered_at=now, bound_at=now))
    DynamoGrants(table).put_granted({"decision_id": str(uuid.uuid4()), "client": pnr, "insats": "hemtjanst",
                                     "outcome": "granted", "granted_minutes_per_month": 100_000,
                                     "valid_from": "2000-01-01", "valid_to": None,
                                     "decided_at": "2000-01-01T00:00:00+00:00", "provider_id": provider,
                                     "case_worker_id": case_worker_id})
    morning = now.replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)
    token = dev_token(base, role="provider_staff", user_id=staff, provider_id=provider)
    events = [{"event_id": str(uuid.uuid4()), "type": kind, "staff_id": staff, "provider_id": provider, "client": pnr,
               "device_time": at.isoformat(), "receipt": receipt}
              for kind, at, receipt in (("arrival", morning, {"method": "manual", "manual_reason": "technical_fault"}),
                                        ("departure", morning + timedelta(minutes=25),
                                         {"method": "nfc", "device_id": tag}))]
    status, body = api(base, "POST", "/visits/visit-events", {"events": events}, token)
    assert status == 202, body
    month = morning.astimezone(timezone(timedelta(hours=1))).strftime("%Y-%m")
    for _ in range(60):  # the stack's queue pump hands the events to the processor
        status, visits = api(base, "GET", f"/visits/visits?month={month}&client={pnr}", None, token)
        if status == 200 and visits and visits[0]["ended_at"]:
            assert visits[0]["deviations"][0]["status"] == "pending"
            return pnr, visits[0]["visit_id"]
        time.sleep(0.5)
    raise AssertionError("the visit was never processed")


@pytest.mark.parametrize("javascript", [True, False], ids=["mouse", "no-javascript"])
def test_a_case_worker_approves_a_marked_deviation_with_a_reason(walk, web, javascript):
    who = staff_principal("case_worker", name="Marita Aronsson")
    pnr, visit_id = a_waiting_visit(web, who.user_id)
    w = walk(width=1280, javascript=javascript)
    page = w.page
    stack = STACKS[web]
    w.context.add_cookies([stack_visits_cookie(f"http://127.0.0.1:{stack.moto_port}", who, web)])

    w.goto("/visits/personal/avvikelser")
    w.check("avvikelser")
    assert page.get_by_role("heading", level=1).inner_text() == "Avvikelser i besök"
    assert page.get_by_role("link", name="Att göra").get_attribute("href") == "/eservices/personal/att-gora"
    page.get_by_role("button", name="Godkänn markerade").click()
    w.check("avvikelser-fel")
    assert "Markera minst en avvikelse att godkänna." in page.content()
    page.locator(f'input[name="valda"][value="{visit_id}:0"]').check()
    page.get_by_label("Motivering för de markerade").fill("Låset fungerade inte, kontrollerat med utföraren")
    page.get_by_role("button", name="Godkänn markerade").click()
    w.check("avvikelser-godkanda")
    assert "1 avvikelse godkänd." in page.content()
    assert page.locator(f'input[name="valda"][value="{visit_id}:0"]').count() == 0
    w.assert_headers()


def test_a_case_worker_decides_one_deviation_with_the_keyboard_only(walk, web):
    """One at a time: from the list to the deviation's page and its decision, by Tab, Space and Enter."""
    from tests.browser.test_walk import tab_to

    who = staff_principal("case_worker", name="Marita Aronsson")
    pnr, visit_id = a_waiting_visit(web, who.user_id)
    w = walk(width=1280)
    page = w.page
    stack = STACKS[web]
    w.context.add_cookies([stack_visits_cookie(f"http://127.0.0.1:{stack.moto_port}", who, web)])
    w.goto("/visits/personal/avvikelser")
    w.check("avvikelser")
    tab_to(page, f'a[href="/visits/personal/avvikelser/{visit_id}/0"]')
    w.press_and_wait("Enter")
    w.check("besluta")
    assert page.get_by_role("heading", level=1).inner_text() == "Besluta om avvikelse"
    tab_to(page, "#d-beslut-approved")
    page.keyboard.press("Space")
    tab_to(page, "#d-motivering")
    page.keyboard.type("Tekniskt fel bekräftat")
    tab_to(page, 'button[type="submit"]:has-text("Spara beslut")')
    w.press_and_wait("Enter")
    page.wait_for_url("**/visits/personal/avvikelser")
    w.check("beslutad")
    assert "Avvikelsen är godkänd." in page.content()
    w.assert_headers()
